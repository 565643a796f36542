"""Typical mistakes in notebook 01 (tensors); each must lose exactly its exercise's points."""

from tests.notebooks.harness import Mistake

MISTAKES = [
    Mistake("images_to_batch", ("test_images_to_batch",),
            "view instead of permute: right shape, scrambled pixels",
            "def images_to_batch(images):\n"
            "    batch = torch.tensor(np.stack(images))\n"
            "    B, H, W, C = batch.shape\n"
            "    return batch.view(B, C, H, W).float() / 255\n"),
    Mistake("images_to_batch", ("test_images_to_batch",),
            "forgets to move the channel dim: (B, H, W, C)",
            "def images_to_batch(images):\n"
            "    return torch.from_numpy(np.stack(images)).float() / 255\n"),
    Mistake("images_to_batch", ("test_images_to_batch",),
            "forgets to scale by 255 (values 0..255 in float32)",
            "def images_to_batch(images):\n"
            "    return torch.from_numpy(np.stack(images)).permute(0, 3, 1, 2).float()\n"),
    Mistake("clean", ("test_clean",),
            "masked assignment on x itself: the caller's tensor is modified",
            "def clean(x, low, high, fill):\n"
            "    x[(x < low) | (x > high) | torch.isnan(x)] = fill\n"
            "    return x\n"),
    Mistake("clean", ("test_clean",),
            "forgets NaN: NaN < low and NaN > high are both False",
            "def clean(x, low, high, fill):\n"
            "    out = x.clone()\n"
            "    out[(x < low) | (x > high)] = fill\n"
            "    return out\n"),
    Mistake("clean", ("test_clean",),
            "Python `or` on tensors instead of `|`",
            "def clean(x, low, high, fill):\n"
            "    out = x.clone()\n"
            "    out[(x < low) or (x > high) or torch.isnan(x)] = fill\n"
            "    return out\n"),
    Mistake("normalize_channels", ("test_normalize_channels",),
            "forgets keepdim: (C,) statistics line up with W",
            "def normalize_channels(x, eps=1e-5):\n"
            "    mean = x.mean(dim=(0, 2, 3))\n"
            "    var = x.var(dim=(0, 2, 3), correction=0)\n"
            "    return (x - mean) / torch.sqrt(var + eps)\n"),
    Mistake("normalize_channels", ("test_normalize_channels",),
            "default (n - 1) variance instead of the population variance",
            "def normalize_channels(x, eps=1e-5):\n"
            "    mean = x.mean(dim=(0, 2, 3), keepdim=True)\n"
            "    var = x.var(dim=(0, 2, 3), keepdim=True)\n"
            "    return (x - mean) / torch.sqrt(var + eps)\n"),
    Mistake("normalize_channels", ("test_normalize_channels",),
            "eps outside the square root",
            "def normalize_channels(x, eps=1e-5):\n"
            "    mean = x.mean(dim=(0, 2, 3), keepdim=True)\n"
            "    var = x.var(dim=(0, 2, 3), keepdim=True, correction=0)\n"
            "    return (x - mean) / (torch.sqrt(var) + eps)\n"),
    Mistake("normalize_channels", ("test_normalize_channels",),
            "reduces over the channel dim (per-pixel statistics) instead of over B, H, W",
            "def normalize_channels(x, eps=1e-5):\n"
            "    mean = x.mean(dim=1, keepdim=True)\n"
            "    var = x.var(dim=1, keepdim=True, correction=0)\n"
            "    return (x - mean) / torch.sqrt(var + eps)\n"),
    Mistake("pairwise_sq_dists", ("test_pairwise_sq_dists",),
            "takes the square root: distances instead of squared distances",
            "def pairwise_sq_dists(a, b):\n"
            "    return ((a[:, None, :] - b[None, :, :]) ** 2).sum(dim=-1).sqrt()\n"),
    Mistake("pairwise_sq_dists", ("test_pairwise_sq_dists",),
            "unsqueezes the wrong operand: (M, N) instead of (N, M)",
            "def pairwise_sq_dists(a, b):\n"
            "    return ((a[None, :, :] - b[:, None, :]) ** 2).sum(dim=-1)\n"),
    Mistake("solve", ("test_solve",),
            "works for one matrix only: b is not made a column, det tested with `if`",
            "def solve(A, b, tol=1e-6):\n"
            "    if torch.linalg.det(A).abs() <= tol:\n"
            "        raise ValueError('A is singular')\n"
            "    return torch.linalg.inv(A) @ b\n"),
    Mistake("solve", ("test_solve",),
            "inv(A) @ b for a batched b (b is not made a column; the det check is right)",
            "def solve(A, b, tol=1e-6):\n"
            "    if (torch.linalg.det(A).abs() <= tol).any():\n"
            "        raise ValueError('A is singular')\n"
            "    return torch.linalg.inv(A) @ b\n"),
    Mistake("solve", ("test_solve",),
            "tests the determinants with a plain `if`: ambiguous for a batch",
            "def solve(A, b, tol=1e-6):\n"
            "    if torch.linalg.det(A).abs() <= tol:\n"
            "        raise ValueError('A is singular')\n"
            "    return (torch.linalg.inv(A) @ b.unsqueeze(-1)).squeeze(-1)\n"),
    Mistake("solve", ("test_solve",),
            "ignores tol: compares det with a fixed 1e-6",
            "def solve(A, b, tol=1e-6):\n"
            "    if (torch.linalg.det(A).abs() <= 1e-6).any():\n"
            "        raise ValueError('A is singular')\n"
            "    return (torch.linalg.inv(A) @ b.unsqueeze(-1)).squeeze(-1)\n"),
    Mistake("solve", ("test_solve",),
            "multiplies in the wrong order: b A^-1 solves x A = b",
            "def solve(A, b, tol=1e-6):\n"
            "    if (torch.linalg.det(A).abs() <= tol).any():\n"
            "        raise ValueError('A is singular')\n"
            "    return (b.unsqueeze(-2) @ torch.linalg.inv(A)).squeeze(-2)\n"),
    Mistake("solve", ("test_solve",),
            "no determinant check: inv raises LinAlgError, not ValueError",
            "def solve(A, b, tol=1e-6):\n"
            "    return (torch.linalg.inv(A) @ b.unsqueeze(-1)).squeeze(-1)\n"),
    Mistake("per_frame", ("test_per_frame",),
            "reshape without permute: right shape, scrambled frames",
            "def per_frame(video, fn):\n"
            "    B, T, H, W, C = video.shape\n"
            "    out = fn(video.reshape(B * T, C, H, W))\n"
            "    return out.reshape(B, T, *out.shape[1:])\n"),
    Mistake("per_frame", ("test_per_frame",),
            "loops over frames: fn called B*T times",
            "def per_frame(video, fn):\n"
            "    B, T, H, W, C = video.shape\n"
            "    outs = [fn(video[b, t].permute(2, 0, 1)[None]) for b in range(B) for t in range(T)]\n"
            "    out = torch.cat(outs)\n"
            "    return out.reshape(B, T, *out.shape[1:])\n"),
    Mistake("per_frame", ("test_per_frame",),
            "flattens fn's trailing dims with view(B, T, -1)",
            "def per_frame(video, fn):\n"
            "    B, T, H, W, C = video.shape\n"
            "    out = fn(video.permute(0, 1, 4, 2, 3).reshape(B * T, C, H, W))\n"
            "    return out.view(B, T, -1)\n"),
    Mistake("normalize_channels", ("test_normalize_channels",),
            "calls the built-in batch_norm, which the exercise forbids (right values)",
            "def normalize_channels(x, eps=1e-5):\n"
            "    return torch.nn.functional.batch_norm(x, None, None, training=True, eps=eps)\n",
            forbidden='torch.nn.functional.batch_norm'),
    Mistake("pairwise_sq_dists", ("test_pairwise_sq_dists",),
            "squares torch.cdist, which the exercise forbids",
            "def pairwise_sq_dists(a, b):\n"
            "    return torch.cdist(a, b) ** 2\n",
            forbidden='torch.cdist'),
    Mistake("solve", ("test_solve",),
            "torch.linalg.solve instead of inv and a matrix product, which the exercise "
            "forbids (right values)",
            "def solve(A, b, tol=1e-6):\n"
            "    if (torch.linalg.det(A).abs() <= tol).any():\n"
            "        raise ValueError('A is singular')\n"
            "    return torch.linalg.solve(A, b)\n",
            forbidden='torch.linalg.solve'),
]

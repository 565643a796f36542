"""Typical mistakes in notebook 01 (tensors); each must lose exactly its exercise's points.

Four are caught by the visible checks too; two only by the hidden tests (the
in-place write in ``clean`` and the missing batch support in ``solve``).
"""

from tests.notebooks.harness import Mistake

MISTAKES = [
    Mistake("images_to_batch", ("test_images_to_batch",),
            "view instead of permute: right shape, scrambled pixels",
            "def images_to_batch(images):\n"
            "    batch = torch.tensor(np.stack(images))\n"
            "    B, H, W, C = batch.shape\n"
            "    return batch.view(B, C, H, W).float() / 255\n"),
    Mistake("clean", ("test_clean",),
            "masked assignment on x itself: the caller's tensor is modified "
            "(caught by the hidden tests only)",
            "def clean(x, low, high, fill):\n"
            "    x[(x < low) | (x > high) | torch.isnan(x)] = fill\n"
            "    return x\n"),
    Mistake("normalize_channels", ("test_normalize_channels",),
            "forgets keepdim: statistics of shape (C,) line up with W, not C",
            "def normalize_channels(x, eps=1e-5):\n"
            "    mean = x.mean(dim=(0, 2, 3))\n"
            "    var = x.var(dim=(0, 2, 3), correction=0)\n"
            "    return (x - mean) / torch.sqrt(var + eps)\n"),
    Mistake("pairwise_sq_dists", ("test_pairwise_sq_dists",),
            "unsqueezes the wrong operand: (M, N) instead of (N, M)",
            "def pairwise_sq_dists(a, b):\n"
            "    return ((a[None, :, :] - b[:, None, :]) ** 2).sum(dim=-1)\n"),
    Mistake("solve", ("test_solve",),
            "works for one matrix only: b is not made a column and det is tested with "
            "`if` (caught by the hidden tests only)",
            "def solve(A, b, tol=1e-6):\n"
            "    if torch.linalg.det(A).abs() <= tol:\n"
            "        raise ValueError('A is singular')\n"
            "    return torch.linalg.inv(A) @ b\n"),
    Mistake("per_frame", ("test_per_frame",),
            "reshape without permute: right shape, scrambled frames",
            "def per_frame(video, fn):\n"
            "    B, T, H, W, C = video.shape\n"
            "    out = fn(video.reshape(B * T, C, H, W))\n"
            "    return out.reshape(B, T, *out.shape[1:])\n"),
]

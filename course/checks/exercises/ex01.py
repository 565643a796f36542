"""Visible checks of notebook 01 (tensors): creation, dtypes, indexing, broadcasting.

Each check uses small fixed inputs; the notebook's hidden tests use other
shapes (non-square images, other channel counts, batches of matrices, ...).
Expected values are literals or stored (``checks.EXPECTED``, see
course/checks/expected/ex01.json). Every pitfall the notebook warns about has a
visible check whose likely cause names it, often by computing the known wrong answer
with torch (view instead of permute, the n - 1 variance, inv(A) @ b for a batched b).
"""

import numpy as np
import torch

from course import checks


def _rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


def _tensor(array: np.ndarray, dtype=torch.float32) -> torch.Tensor:
    return torch.tensor(array, dtype=dtype)


def _unchanged(x: torch.Tensor, before: torch.Tensor, name: str) -> None:
    """``x`` still holds the values it had before the student's function ran."""
    try:
        checks.assert_close(x, before, name=name, rtol=0.0, atol=0.0)
    except checks.CheckFailed:
        raise checks.CheckFailed(f"your function changed its input {name}: the caller's "
                                 f"tensor must keep its values.", cause="in_place") from None


def _same_numbers(got, expected: torch.Tensor) -> bool:
    """``got`` is a tensor holding exactly the numbers of ``expected``, in another order."""
    if type(got) is not torch.Tensor or got.numel() != expected.numel():
        return False
    return checks.matches(got.detach().flatten().sort().values.cpu(),
                          expected.flatten().sort().values, rtol=1e-6, atol=1e-7)


_IN_PLACE = ("An in-place operation (x[mask] = ..., x -= ..., x /= ..., .clamp_()) changed "
             "the caller's tensor. Work on a copy (x.clone()) or use out-of-place "
             "operations (x - m, torch.where).")


# --- 01.images_to_batch --------------------------------------------------------------

@checks.exercise(
    "01.images_to_batch", title="A batch of images (B, C, H, W)",
    hints=["Three steps: put the images on top of each other (a new first dim), move the "
           "channel dim from last to second, then fix the dtype and the value range.",
           "np.stack or torch.stack add the batch dim; x.permute(...) reorders dims "
           "(view/reshape only regroup the same numbers in memory order, they never "
           "move a dim).",
           "uint8 stays uint8 until you convert it: .float() (float32), then / 255."],
    likely_causes={
        "reshape": "The result has the right number of values but not the shape (B, C, H, W): "
                   "the channel dim is probably still last, (B, H, W, C). Move it with "
                   "permute(0, 3, 1, 2); view/reshape never move a dim.",
        "scrambled": "The shape is right but the pixels are scrambled: view/reshape to "
                     "(B, C, H, W) regroups the numbers in memory order instead of moving the "
                     "channel dim. Use permute(0, 3, 1, 2).",
        "scale": "Every value is 255 times too large: after .float(), divide by 255 so that "
                 "the pixels lie in [0, 1].",
        "in_place": "Your function changed the caller's arrays: build the batch from a copy "
                    "(np.stack and torch.stack make one)."})
def _images_to_batch(images_to_batch):
    rng = _rng(1)
    images = [rng.integers(0, 256, size=(3, 4, 3), dtype=np.uint8) for _ in range(2)]
    copies = [im.copy() for im in images]
    got = checks.call(images_to_batch, images)
    checks.assert_shape(got, (2, 3, 3, 4), name="images_to_batch(2 images of (H=3, W=4, C=3))")
    checks.assert_dtype(got, torch.float32, name="images_to_batch(...)")
    right = torch.from_numpy(np.stack(copies)).permute(0, 3, 1, 2).float() / 255
    try:
        checks.assert_close(got, name="images_to_batch(2 images of (3, 4, 3))")
    except checks.CheckFailed as failure:
        if failure.cause != "scale" and _same_numbers(got, right):
            raise checks.CheckFailed(failure.message, cause="scrambled") from None
        raise
    for i, (im, copy) in enumerate(zip(images, copies)):
        if not np.array_equal(im, copy):
            raise checks.CheckFailed(f"your function changed images[{i}]: leave the "
                                     f"input arrays as they are.", cause="in_place")


# --- 01.clean ----------------------------------------------------------------------

@checks.exercise(
    "01.clean", title="Replace bad values with a boolean mask",
    hints=["Build one bool tensor `bad` of x's shape that is True where a value must be "
           "replaced; then replace all of them at once.",
           "Combine masks elementwise with | (or), & (and), ~ (not); Python's `or`/`and` "
           "ask a whole tensor for a single True/False and fail. NaN compares False with "
           "everything: torch.isnan(x) finds it.",
           "x[bad] = fill writes into x itself. Either clone first, or build a new tensor "
           "with torch.where(bad, fill_tensor, x)."],
    likely_causes={"in_place": _IN_PLACE,
                   "nan": "A NaN survived: NaN < low and NaN > high are both False, so the "
                          "comparisons never select it. Add torch.isnan(x) to the mask with |.",
                   "python_logic": "Python's `or`, `and` and `not` ask a whole tensor for a "
                                   "single True/False. Combine masks elementwise with |, & "
                                   "and ~, each comparison in parentheses: "
                                   "(x < low) | (x > high)."})
def _clean(clean):
    x = torch.tensor([[-3.0, 0.0, 0.5, float("nan")], [1.0, 2.5, 2.0, -1.0]])
    before = x.clone()
    try:
        got = checks.call(clean, x, -1.0, 2.0, 0.0)
    except checks.StudentCodeError as error:
        if "ambiguous" in error.message:
            raise checks.CheckFailed(error.message, cause="python_logic") from None
        raise
    expected = torch.tensor([[0.0, 0.0, 0.5, 0.0], [1.0, 0.0, 2.0, -1.0]])
    checks.assert_close(got, expected, name="clean(x, low=-1, high=2, fill=0)", exact_dtype=True)
    _unchanged(x, before, "x")
    counts = torch.tensor([-4, -1, 0, 3, 7])                   # an integer tensor
    checks.assert_close(checks.call(clean, counts, -1, 3, 9), torch.tensor([9, -1, 0, 3, 9]),
                        name="clean(torch.tensor([-4, -1, 0, 3, 7]), -1, 3, 9)",
                        exact_dtype=True)


# --- 01.normalize_channels -------------------------------------------------------------

@checks.exercise(
    "01.normalize_channels", title="Per-channel normalisation with keepdim",
    hints=["One mean and one variance per channel: reduce over every dim except dim 1 "
           "(the channel dim). mean and var accept a tuple of dims.",
           "With keepdim=True the statistics have shape (1, C, 1, 1), which broadcasts "
           "against (B, C, H, W). Without it they are (C,), which lines up with W, the "
           "last dim, instead of C.",
           "torch.var divides by n - 1 by default; the population variance divides by n: "
           "pass correction=0 (or unbiased=False)."],
    likely_causes={"unbiased": "torch.var (and std) divide by n - 1 by default, the "
                               "unbiased sample estimate; this exercise wants the population "
                               "variance, divided by n: pass correction=0.",
                   "eps_outside": "eps belongs inside the square root: (x - mean) / "
                                  "torch.sqrt(var + eps), not / (torch.sqrt(var) + eps).",
                   "wrong_dims": "The statistics were taken over the wrong dims: one mean "
                                 "and one variance per channel, over all B*H*W values of "
                                 "it, means reducing over dims (0, 2, 3), every dim except "
                                 "the channel dim 1.",
                   "eps_ignored": "The result ignores the eps argument (it matches eps=1e-5): "
                                  "use the eps your function receives.",
                   "broadcast_error": "Statistics of shape (C,) line up with the LAST dim "
                                      "(W), not with C: keep the reduced dims with "
                                      "keepdim=True.",
                   "in_place": _IN_PLACE},
    forbidden=("torch.nn", "torch.batch_norm",
               "torch.instance_norm", "torch.layer_norm",
               "torch.group_norm"))
def _normalize_channels(normalize_channels):
    rng = _rng(2)
    x = rng.normal(size=(4, 3, 5, 6)) * np.array([1.0, 3.0, 0.5]).reshape(1, 3, 1, 1) \
        + np.array([0.0, 10.0, -2.0]).reshape(1, 3, 1, 1)
    xt = _tensor(x)
    before = xt.clone()
    got = checks.call(normalize_channels, xt)
    checks.assert_shape(got, (4, 3, 5, 6), name="normalize_channels(x of shape (4, 3, 5, 6))")
    checks.assert_close_or_cause(got, checks.EXPECTED, "normalize_channels(x)",
                                 [(_known_normalisation(xt, 1e-5, correction=1), "unbiased"),
                                  (_known_normalisation(xt, 1e-5, dims=(1,)), "wrong_dims"),
                                  (_known_normalisation(xt, 1e-5, dims=(2, 3)), "wrong_dims")],
                                 rtol=1e-4, atol=1e-4)
    _unchanged(xt, before, "x")
    got = checks.call(normalize_channels, xt.clone(), eps=0.5)
    checks.assert_close_or_cause(got, checks.EXPECTED, "normalize_channels(x, eps=0.5)",
                                 [(_known_normalisation(xt, 0.5, eps_inside=False), "eps_outside"),
                                  (_known_normalisation(xt, 1e-5), "eps_ignored"),
                                  (_known_normalisation(xt, 0.5, correction=1), "unbiased")],
                                 rtol=1e-4, atol=1e-4)
    x64 = torch.from_numpy(x[:2, :, :2, :3].copy())                  # float64 (2, 3, 2, 3)
    checks.assert_close(checks.call(normalize_channels, x64), exact_dtype=True,
                        name="normalize_channels(float64 x of shape (2, 3, 2, 3))",
                        rtol=1e-7, atol=1e-8)


def _known_normalisation(x: torch.Tensor, eps: float, correction: int = 0,
                         eps_inside: bool = True, dims=(0, 2, 3)) -> torch.Tensor:
    """Normalisation with chosen dims, variance and eps placement (the known wrong answers)."""
    centred = x - x.mean(dim=dims, keepdim=True)
    var = x.var(dim=dims, keepdim=True, correction=correction)
    scale = torch.sqrt(var + eps) if eps_inside else torch.sqrt(var) + eps
    return centred / scale


# --- 01.pairwise_sq_dists -------------------------------------------------------------

@checks.exercise(
    "01.pairwise_sq_dists", title="Pairwise squared distances by broadcasting",
    hints=["Make the differences of every pair at once: a tensor of shape (N, M, D) whose "
           "[i, j] row is a[i] - b[j].",
           "Insert size-1 dims so that broadcasting pairs them up: a as (N, 1, D), b as "
           "(1, M, D) (a[:, None, :] or a.unsqueeze(1)).",
           "Square, then sum over the last dim (D) only. Squared distances: no sqrt."],
    likely_causes={"transposed": "The result is (M, N): a's rows must index the first "
                                 "dim, b's rows the second.",
                   "sqrt": "These are the distances themselves: the exercise asks for the "
                           "SQUARED distances, so leave out the square root."},
    forbidden=("torch.cdist", "torch.pairwise_distance",
               "torch.nn.functional.pairwise_distance",
               "torch.nn.PairwiseDistance"))
def _pairwise_sq_dists(pairwise_sq_dists):
    a = np.array([[0.0, 0.0], [1.0, 2.0], [3.0, -1.0]])
    b = np.array([[1.0, 1.0], [0.0, -2.0]])
    got = checks.call(pairwise_sq_dists, _tensor(a), _tensor(b))
    distances = _tensor(np.sqrt(((a[:, None, :] - b[None, :, :]) ** 2).sum(-1)))
    checks.assert_close_or_cause(got, checks.EXPECTED,
                                 "pairwise_sq_dists(a of (3, 2), b of (2, 2))",
                                 [(distances, "sqrt")], rtol=1e-5, atol=1e-5)


# --- 01.solve ----------------------------------------------------------------------

@checks.exercise(
    "01.solve", title="Solve A x = b with the inverse, guarded by det",
    hints=["x = A^-1 b: torch.linalg.inv(A), then a MATRIX product (@ or torch.matmul), "
           "not the elementwise *; the order of the factors matters.",
           "Check torch.linalg.det(A) first and raise ValueError('...') yourself when "
           "|det| <= tol; inverting a singular matrix raises a different error.",
           "For a batch, A is (..., n, n) and b is (..., n): turn b into a column "
           "(..., n, 1) with unsqueeze(-1), multiply, then squeeze(-1). With a batch "
           "there are several determinants: raise if any of them is too small."],
    likely_causes={
        "singular": "Compute det(A) before inverting and raise ValueError when "
                    "|det(A)| <= tol.",
        "tol": "Compare |det(A)| with the tol your function receives, not with a fixed "
               "number.",
        "order": "This is b A^-1 (it solves x A = b): the inverse goes on the LEFT, "
                 "torch.linalg.inv(A) @ b.",
        "broadcast": "* multiplies elementwise (and broadcasts b against every row of "
                     "the inverse): use the matrix product @.",
        "batched_b": "For a batch, b is (..., n), a stack of vectors, and @ reads a 2-D b "
                     "as one matrix: inv(A) @ b then fails or mixes up the systems. Make b "
                     "a column, inv(A) @ b.unsqueeze(-1), of shape (..., n, 1), and "
                     "squeeze(-1) the result.",
        "batched_det": "With a batch, det(A) holds one determinant per matrix: raise when "
                       "ANY of them is too small, if (det.abs() <= tol).any(): raise "
                       "ValueError(...). (`if tensor:` only works for a single number.)"},
    forbidden=("torch.linalg.solve", "torch.linalg.solve_ex",
               "torch.linalg.lstsq", "torch.linalg.tensorsolve"))
def _solve(solve):
    A = torch.tensor([[3.0, 1.0], [2.0, 4.0]])
    b = torch.tensor([5.0, 10.0])
    got = checks.call(solve, A.clone(), b.clone())
    checks.assert_close_or_cause(got, torch.tensor([1.0, 2.0]),
                                 "solve([[3, 1], [2, 4]], [5, 10])",
                                 [(b @ torch.linalg.inv(A), "order")], rtol=1e-4, atol=1e-5)
    singular = torch.tensor([[1.0, 2.0], [2.0, 4.0]])           # det 0
    checks.assert_raises(ValueError, solve, singular, b.clone(), cause="singular")
    _solve_batch(solve)
    small = torch.tensor([[0.2, 0.0], [0.0, 2.0]])              # det 0.4
    checks.assert_raises(ValueError, solve, small, b.clone(), 0.5, cause="tol")


def _solve_batch(solve):
    """A batch of 2 systems of size 3 (b of shape (2, 3)), then a batch with one singular A."""
    A = torch.tensor([[[4.0, 1.0, 0.0], [1.0, 3.0, 1.0], [0.0, 1.0, 2.0]],
                      [[2.0, 0.0, 1.0], [0.0, 5.0, 0.0], [1.0, 0.0, 3.0]]])   # (2, 3, 3)
    x = torch.tensor([[1.0, -1.0, 2.0], [0.5, 2.0, -1.0]])                    # (2, 3)
    b = (A @ x.unsqueeze(-1)).squeeze(-1)                                      # (2, 3)
    name = "solve(A of shape (2, 3, 3), b of shape (2, 3))"
    try:
        got = checks.call(solve, A.clone(), b.clone())
    except checks.StudentCodeError as error:
        cause = "batched_det" if "ambiguous" in error.message else "batched_b"
        raise checks.CheckFailed(error.message, cause=cause) from None
    if isinstance(got, torch.Tensor) and tuple(got.shape) != (2, 3):
        raise checks.CheckFailed(f"{name} has shape {tuple(got.shape)}, expected (2, 3).",
                                 cause="batched_b")
    checks.assert_close(got, x, name=name, rtol=1e-4, atol=1e-4)
    pair = torch.stack([torch.eye(2), torch.tensor([[1.0, 2.0], [2.0, 4.0]])])  # 2nd singular
    checks.assert_raises(ValueError, solve, pair, torch.ones(2, 2), cause="batched_det")


# --- 01.per_frame ------------------------------------------------------------------

def _counting_channel_means():
    """A frame function (N, C, H, W) -> (N, C), channel means, that records its calls."""
    calls = []

    def channel_means(frames):
        calls.append(tuple(frames.shape))
        return frames.mean(dim=(2, 3))
    return channel_means, calls


@checks.exercise(
    "01.per_frame", title="Apply a frame function to a video (B, T, H, W, C)",
    hints=["Three steps: bring the video into frames layout (B*T, C, H, W), call fn once, "
           "then split the first dim of the result back into (B, T).",
           "Move the channel dim with permute first, then merge B and T (reshape or "
           "flatten(0, 1)). reshape and view alone never move a dim: they only regroup "
           "the numbers in memory order, so the frames would come out scrambled.",
           "fn may return (N,), (N, K) or (N, K1, K2): keep every dim after the first "
           "as it is, e.g. out.reshape(B, T, *out.shape[1:])."],
    likely_causes={
        "calls": "Fold time into the batch and call fn once on all frames; no Python loop "
                 "over frames.",
        "reshape": "fn received frames in the wrong layout: move the channel dim from last "
                   "to second with video.permute(0, 1, 4, 2, 3) BEFORE merging B and T.",
        "scrambled": "The shape is right but the frames are scrambled: reshape/view to "
                     "(B*T, C, H, W) regroups the numbers in memory order, it does not move "
                     "the channel dim. Permute first: video.permute(0, 1, 4, 2, 3).",
        "trailing": "Keep fn's trailing shape as it is: out.reshape(B, T, *out.shape[1:]), "
                    "not view(B, T, -1), which turns (N,) into (B, T, 1) and (N, K1, K2) "
                    "into (B, T, K1*K2)."})
def _per_frame(per_frame):
    B, T, H, W, C = 2, 3, 4, 5, 3
    video = torch.arange(B * T * H * W * C, dtype=torch.float32).reshape(B, T, H, W, C)
    video = torch.sin(video)                               # (B, T, H, W, C) distinct values
    fn, calls = _counting_channel_means()
    got = checks.call(per_frame, video.clone(), fn)
    if len(calls) != 1:
        raise checks.CheckFailed(f"fn was called {len(calls)} times; call it exactly once, "
                                 f"on all B*T frames.", cause="calls")
    if calls[0] != (B * T, C, H, W):
        raise checks.CheckFailed(f"fn received frames of shape {calls[0]}, expected "
                                 f"(B*T, C, H, W) = {(B * T, C, H, W)}.", cause="reshape")
    scrambled = video.reshape(B * T, C, H, W).mean(dim=(2, 3)).reshape(B, T, C)
    checks.assert_close_or_cause(got, checks.EXPECTED,
                                 "per_frame(video of (2, 3, 4, 5, 3), channel means)",
                                 [(scrambled, "scrambled")], rtol=1e-5, atol=1e-5)
    for label, frame_fn, shape in (
            ("returning (N,)", lambda f: f.sum(dim=(1, 2, 3)), (B, T)),
            ("returning (N, 2, 2)", lambda f: f[:, 0, :2, :2] - f[:, 2, :2, :2], (B, T, 2, 2))):
        got = checks.call(per_frame, video.clone(), frame_fn)
        name = f"per_frame(video of (2, 3, 4, 5, 3), fn {label})"
        if isinstance(got, torch.Tensor) and tuple(got.shape) != shape:
            raise checks.CheckFailed(f"{name} has shape {tuple(got.shape)}, expected "
                                     f"{shape}.", cause="trailing")
        checks.assert_close(got, name=name, rtol=1e-5, atol=1e-4)

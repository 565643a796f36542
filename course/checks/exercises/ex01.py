"""Visible checks of notebook 01 (tensors): creation, dtypes, indexing, broadcasting.

Each check uses small fixed inputs; the notebook's hidden tests use other
shapes (non-square images, other channel counts, batches of matrices, ...).
Expected values are literals or stored (``checks.EXPECTED``, see
course/checks/expected/ex01.json).
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
    likely_causes={"reshape": "The shape is right but the pixels are scrambled: "
                              "reshape/view cannot move the channel dim; use permute."})
def _images_to_batch(images_to_batch):
    rng = _rng(1)
    images = [rng.integers(0, 256, size=(3, 4, 3), dtype=np.uint8) for _ in range(2)]
    copies = [im.copy() for im in images]
    got = checks.call(images_to_batch, images)
    checks.assert_shape(got, (2, 3, 3, 4), name="images_to_batch(2 images of (H=3, W=4, C=3))")
    checks.assert_dtype(got, torch.float32, name="images_to_batch(...)")
    checks.assert_close(got, name="images_to_batch(2 images of (3, 4, 3))")
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
    likely_causes={"in_place": _IN_PLACE})
def _clean(clean):
    x = torch.tensor([[-3.0, 0.0, 0.5, float("nan")], [1.0, 2.5, 1.5, -1.0]])
    got = checks.call(clean, x.clone(), -1.0, 2.0, 0.0)
    expected = torch.tensor([[0.0, 0.0, 0.5, 0.0], [1.0, 0.0, 1.5, -1.0]])
    checks.assert_close(got, expected, name="clean(x, low=-1, high=2, fill=0)", exact_dtype=True)


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
    likely_causes={"scale": "Off by a constant factor: did you use the default (n - 1) "
                            "variance instead of correction=0?",
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
    checks.assert_close(got, name="normalize_channels(x)", rtol=1e-4, atol=1e-4)
    _unchanged(xt, before, "x")


# --- 01.pairwise_sq_dists -------------------------------------------------------------

@checks.exercise(
    "01.pairwise_sq_dists", title="Pairwise squared distances by broadcasting",
    hints=["Make the differences of every pair at once: a tensor of shape (N, M, D) whose "
           "[i, j] row is a[i] - b[j].",
           "Insert size-1 dims so that broadcasting pairs them up: a as (N, 1, D), b as "
           "(1, M, D) (a[:, None, :] or a.unsqueeze(1)).",
           "Square, then sum over the last dim (D) only. Squared distances: no sqrt."],
    likely_causes={"transposed": "The result is (M, N): a's rows must index the first "
                                 "dim, b's rows the second."},
    forbidden=("torch.cdist", "torch.pairwise_distance",
               "torch.nn.functional.pairwise_distance",
               "torch.nn.PairwiseDistance"))
def _pairwise_sq_dists(pairwise_sq_dists):
    a = np.array([[0.0, 0.0], [1.0, 2.0], [3.0, -1.0]])
    b = np.array([[1.0, 1.0], [0.0, -2.0]])
    got = checks.call(pairwise_sq_dists, _tensor(a), _tensor(b))
    checks.assert_close(got, name="pairwise_sq_dists(a of (3, 2), b of (2, 2))",
                        rtol=1e-5, atol=1e-5)


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
    likely_causes={"singular": "Compute det(A) before inverting and raise "
                               "ValueError when |det(A)| <= tol."},
    forbidden=("torch.linalg.solve", "torch.linalg.solve_ex",
               "torch.linalg.lstsq", "torch.linalg.tensorsolve"))
def _solve(solve):
    A = torch.tensor([[3.0, 1.0], [2.0, 4.0]])
    b = torch.tensor([5.0, 10.0])
    got = checks.call(solve, A.clone(), b.clone())
    checks.assert_close(got, torch.tensor([1.0, 2.0]),
                        name="solve([[3, 1], [2, 4]], [5, 10])", rtol=1e-4, atol=1e-5)
    singular = torch.tensor([[1.0, 2.0], [2.0, 4.0]])           # det 0
    checks.assert_raises(ValueError, solve, singular, b.clone(), cause="singular")


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
    likely_causes={"calls": "Fold time into the batch and call fn once on all frames; "
                            "no Python loop over frames."})
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
    checks.assert_close(got, name="per_frame(video of (2, 3, 4, 5, 3), channel means)",
                        rtol=1e-5, atol=1e-5)

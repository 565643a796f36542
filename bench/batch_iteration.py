"""Batch iteration: one shuffled epoch of 60,000 samples (1x28x28), batch size 64.

``course.data.mnist.batches`` against ``DataLoader(TensorDataset(x, y))`` and
against the pytorch/examples mnist pipeline: a torchvision dataset with
per-sample ``ToTensor()`` + ``Normalize`` in a shuffling ``DataLoader``.
"""

from __future__ import annotations

import tempfile

from bench import _idx, harness

BATCH_SIZE = 64
TARGET_RATIO = 10.0
PAIR_RUNS_PER_RUN = 4   # epochs of the two fast loaders per run of the others


def _epoch(loader) -> None:
    """Touch every batch once."""
    for _xb, _yb in loader:
        pass


def _torchvision_loader(root, n: int):
    """pytorch/examples' mnist train loader (its MNIST constants) over the first ``n``."""
    import torch

    ds = _idx.torchvision_subset(root, True, n, 0.1307, 0.3081)
    return torch.utils.data.DataLoader(ds, batch_size=BATCH_SIZE, shuffle=True)


def _result(figure, ours, base_name, base, target, runs) -> harness.Result:
    ratio = harness.ratio(ours, base, higher_is_better=False)
    met = None if target is None else ratio >= target
    return harness.Result(
        name="batch_iteration", figure=figure, unit="s", value=ours,
        baseline_name=base_name, baseline_value=base, ratio=ratio,
        target=f">= {target:g}x" if target else "none (for information)", met=met, runs=runs)


def run(smoke: bool) -> list[harness.Result]:
    """Seconds per epoch of the course's batches and of the two DataLoader baselines.

    The course's batches and DataLoader(TensorDataset) take turns epoch by epoch, in
    a real run for ``PAIR_RUNS_PER_RUN`` times as many epochs as other figures (both
    are cheap, and on a shared machine an epoch of 20 ms is noisy); the slow
    torchvision pipeline is timed on its own.
    """
    import torch
    from torch.utils.data import DataLoader, TensorDataset

    from course.data import mnist

    n, runs = (640 if smoke else 60_000), harness.runs_for(smoke)
    g = torch.Generator().manual_seed(0)
    x, y = torch.rand(n, 1, 28, 28, generator=g), torch.randint(0, 10, (n,), generator=g)
    course = mnist.batches(x, y, BATCH_SIZE, generator=g)
    tensor_loader = DataLoader(TensorDataset(x, y), batch_size=BATCH_SIZE, shuffle=True)
    pair_runs = runs if smoke else runs * PAIR_RUNS_PER_RUN
    ours, tensors = harness.medians_each({"course": lambda: _epoch(course),
                                          "tensors": lambda: _epoch(tensor_loader)},
                                         pair_runs, harness.warmup_for(smoke)).values()
    with tempfile.TemporaryDirectory(prefix="bench-batches-") as root:
        source = _idx.prepare(root)
        loader = _torchvision_loader(root, n)
        per_sample = harness.median(harness.measure(lambda: _epoch(loader), runs,
                                                    harness.warmup_for(smoke)))
    figure = f"mnist.batches, one epoch of {n:,} samples, batch {BATCH_SIZE}"
    return [_result(figure, ours, "DataLoader(TensorDataset)", tensors, TARGET_RATIO,
                    pair_runs),
            _result(figure, ours, f"torchvision dataset + ToTensor/Normalize ({source})",
                    per_sample, None, runs)]

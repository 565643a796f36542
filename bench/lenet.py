"""LeNet on Fashion-MNIST: the course's training path against the pytorch/examples loop.

Both sides train ``grader.reference.models.LeNet`` (the notebook 10 model) on the
60,000 training images with pytorch/examples' recipe (batch 64, Adadelta lr 1.0,
StepLR gamma 0.7 per epoch, same seeds) and test on the 10,000 test images after
every epoch, with the same normalisation, so only the data path, the loop and the
memory layout differ:

* Course path: ``mnist.tensors`` once, ``mnist.batches``, ``train.fit`` one epoch
  at a time, test accuracy on the in-memory tensors in batches of 1,000; the model's
  weights channels last, as notebook 10 trains on the CPU.
* pytorch/examples mnist ``main.py`` style: torchvision dataset with per-sample
  ``ToTensor`` + ``Normalize``, a shuffling ``DataLoader``, their loop
  (``loss.item()`` logged every 10 batches), a test ``DataLoader`` of batch 1,000.

Figures: seconds per training epoch (course vs examples); the share of the course's
epoch spent outside forward/loss/backward/step (timed by hooks in the same epochs:
``1 - inside / epoch``, median over epochs); seconds to 90 % test accuracy (training
plus testing, median over seeds 0..runs-1).
"""

from __future__ import annotations

import statistics
import tempfile
import time

from bench import _idx, harness

TARGET_ACCURACY, MAX_EPOCHS = 0.90, 15
BATCH, LR, GAMMA, LOG_INTERVAL = 64, 1.0, 0.7, 10
TEST_BATCH = 1000
MEAN, STD = 0.2860, 0.3530     # Fashion-MNIST training pixels
TARGET_SHARE, TARGET_SPEEDUP = 0.10, 1.5


class Data:
    """The same images twice: course tensors, and torchvision datasets for the examples."""

    def __init__(self, root, n_train: int, n_test: int):
        from course.data import mnist

        self.source = _idx.prepare(root)
        tensors = {s: mnist.tensors("fashion", s, root=root, source="offline")
                   for s in ("train", "test")}
        # The same normalisation on both sides: once, in memory, for the course.
        (X, self.y), (Xt, self.yt) = ((x[:n], y[:n]) for (x, y), n
                                      in ((tensors["train"], n_train), (tensors["test"], n_test)))
        self.X, self.Xt = ((x - MEAN) / STD for x in (X, Xt))       # (N, 1, 28, 28)
        self.train_set, self.test_set = (_idx.torchvision_subset(root, train, n, MEAN, STD)
                                         for train, n in ((True, n_train), (False, n_test)))


def _model_and_optimizer(seed: int, memory_format=None):
    """LeNet seeded by ``seed`` (in ``memory_format``, default: PyTorch's), Adadelta
    and its per-epoch StepLR (pytorch/examples)."""
    import torch

    from grader.reference.models import LeNet

    torch.manual_seed(seed)
    model = LeNet().to(memory_format=memory_format or torch.contiguous_format)
    optimizer = torch.optim.Adadelta(model.parameters(), lr=LR)
    return model, optimizer, torch.optim.lr_scheduler.StepLR(optimizer, 1, gamma=GAMMA)


# ---------------------------------------------------------------- course path

class CoursePath:
    """The course's way: in-memory batches and ``train.fit``.

    Hooks time each training step from the start of the model's forward to the end
    of ``optimizer.step()`` (loss and backward in between): ``steps[i]`` is the sum
    for epoch ``i``; the rest of the epoch is batching, bookkeeping and the loop.
    """

    def __init__(self, data: Data, seed: int):
        import torch

        from course.data import mnist

        self.data, self.steps, self._began = data, [], 0.0
        self.model, self.optimizer, self.scheduler = _model_and_optimizer(
            seed, torch.channels_last)                        # as notebook 10 on the CPU
        self.batches = mnist.batches(data.X, data.y, BATCH,
                                     generator=torch.Generator().manual_seed(seed))
        self.model.register_forward_pre_hook(self._forward_begins)
        self.optimizer.register_step_post_hook(self._step_ended)

    def _forward_begins(self, module, args) -> None:
        self._began = time.perf_counter()

    def _step_ended(self, optimizer, args, kwargs) -> None:
        self.steps[-1] += time.perf_counter() - self._began

    def train_epoch(self) -> None:
        from torch import nn

        from course import train

        self.steps.append(0.0)
        train.fit(self.model, nn.CrossEntropyLoss(), self.optimizer, self.batches, 1,
                  progress=False, plot=False)
        self.scheduler.step()

    def test_accuracy(self) -> float:
        import torch

        self.model.eval()
        with torch.no_grad():
            hits = sum((self.model(self.data.Xt[i:i + TEST_BATCH]).argmax(1)
                        == self.data.yt[i:i + TEST_BATCH]).sum().item()
                       for i in range(0, len(self.data.Xt), TEST_BATCH))
        return hits / len(self.data.Xt)


# ---------------------------------------------------------------- pytorch/examples

class ExamplesPath:
    """pytorch/examples mnist ``main.py``: per-sample transforms in a DataLoader."""

    def __init__(self, data: Data, seed: int):
        import torch
        from torch.utils.data import DataLoader

        self.model, self.optimizer, self.scheduler = _model_and_optimizer(seed)
        self.train_loader = DataLoader(data.train_set, batch_size=BATCH, shuffle=True,
                                       generator=torch.Generator().manual_seed(seed))
        self.test_loader = DataLoader(data.test_set, batch_size=TEST_BATCH)
        self.logged = []

    def train_epoch(self) -> None:
        import torch.nn.functional as F

        self.model.train()
        for batch_idx, (data, target) in enumerate(self.train_loader):
            self.optimizer.zero_grad()
            loss = F.cross_entropy(self.model(data), target)
            loss.backward()
            self.optimizer.step()
            if batch_idx % LOG_INTERVAL == 0:
                self.logged.append(loss.item())
        self.scheduler.step()

    def test_accuracy(self) -> float:
        import torch

        self.model.eval()
        correct = 0
        with torch.no_grad():
            for data, target in self.test_loader:
                correct += (self.model(data).argmax(dim=1) == target).sum().item()
        return correct / len(self.test_loader.dataset)


# ---------------------------------------------------------------- measuring

def to_target(path, target: float, max_epochs: int) -> tuple[float, list[float], bool]:
    """Seconds until the test accuracy reaches ``target`` (or all ``max_epochs`` took),
    the seconds of each training epoch on the way, and whether it was reached."""
    epochs, start = [], time.perf_counter()
    for _ in range(max_epochs):
        begin = time.perf_counter()
        path.train_epoch()
        epochs.append(time.perf_counter() - begin)
        if path.test_accuracy() >= target:
            return time.perf_counter() - start, epochs, True
    return time.perf_counter() - start, epochs, False


def _result(figure, unit, value, base_name, base, ratio, target, met, runs):
    return harness.Result(name="lenet", figure=figure, unit=unit, value=value,
                          baseline_name=base_name, baseline_value=base, ratio=ratio,
                          target=target, met=met, runs=runs)


def _share_outside(paths: list[CoursePath], epochs: list[float], runs: int) -> harness.Result:
    """The course epoch against the time inside its steps (median over all epochs)."""
    inside = [t for path in paths for t in path.steps]       # one per epoch, as ``epochs``
    steps, epoch = harness.median(inside), harness.median(epochs)
    share = harness.median([1 - i / total for i, total in zip(inside, epochs)])
    return _result(f"course epoch, {share:.1%} of it outside forward/backward/step", "s",
                   epoch, "time inside forward/loss/backward/step (hooks)", steps,
                   harness.ratio(epoch, steps, higher_is_better=False),
                   f"share outside <= {TARGET_SHARE:.0%}", share <= TARGET_SHARE, runs)


def run(smoke: bool) -> list[harness.Result]:
    """Epoch times, the share outside the steps, and time to the target accuracy."""
    runs = harness.runs_for(smoke)
    n_train, n_test, target, max_epochs = ((512, 256, 0.0, 1) if smoke else
                                           (60_000, 10_000, TARGET_ACCURACY, MAX_EPOCHS))
    with tempfile.TemporaryDirectory(prefix="bench-lenet-") as root:
        data = Data(root, n_train, n_test)
        paths, course, examples = [], [], []
        for seed in range(runs):   # taking turns, so the machine's drift hits both alike
            paths.append(CoursePath(data, seed))
            course.append(to_target(paths[-1], target, max_epochs))
            examples.append(to_target(ExamplesPath(data, seed), target, max_epochs))
    course_epochs = [t for _, ts, _ in course for t in ts]
    share = _share_outside(paths, course_epochs, runs)
    course_epoch = harness.median(course_epochs)
    examples_epoch = harness.median([t for _, ts, _ in examples for t in ts])
    course_time = statistics.median(t for t, _, _ in course)
    examples_time = statistics.median(t for t, _, _ in examples)
    speedup = harness.ratio(course_time, examples_time, higher_is_better=False)
    reached = [sum(ok for _, _, ok in side) for side in (course, examples)]
    examples_name = f"pytorch/examples loop ({data.source})"
    return [
        _result(f"LeNet epoch of {n_train:,} images, course path", "s", course_epoch,
                examples_name, examples_epoch,
                harness.ratio(course_epoch, examples_epoch, higher_is_better=False),
                "none (for information)", None, runs),
        share,
        _result(f"time to {target:.0%} test accuracy (reached in {reached[0]}/{runs} runs, "
                f"examples {reached[1]}/{runs}, at most {max_epochs} epochs)", "s",
                course_time, examples_name, examples_time, speedup, f">= {TARGET_SPEEDUP:g}x",
                speedup >= TARGET_SPEEDUP and reached[0] == runs, runs)]

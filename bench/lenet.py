"""LeNet on Fashion-MNIST: the course's training path against the pytorch/examples loop.

Both sides train ``course.reference.models.LeNet`` (the notebook 10 model) on the
60,000 training images with pytorch/examples' recipe (batch 64, Adadelta lr 1.0,
StepLR gamma 0.7 per epoch, same seeds) and test on the 10,000 test images after
every epoch, so only the data path and the loop differ:

* Course path: ``mnist.tensors`` once, ``mnist.batches``, ``train.fit`` one epoch
  at a time, test accuracy on the in-memory tensors in batches of 1,000.
* pytorch/examples mnist ``main.py`` style: torchvision dataset with per-sample
  ``ToTensor`` + ``Normalize``, a shuffling ``DataLoader``, their loop
  (``loss.item()`` logged every 10 batches), a test ``DataLoader`` of batch 1,000.

Figures: seconds per training epoch (course vs examples); the share of the course's
epoch spent outside forward/backward/step (against the same steps over batches
already in a list: ``1 - compute / epoch``); seconds to 90 % test accuracy
(training plus testing, median over seeds 0..runs-1).
"""

from __future__ import annotations

import math
import statistics
import tempfile
import time

from bench import _idx, harness

TARGET_ACCURACY, MAX_EPOCHS = 0.90, 15
BATCH, LR, GAMMA, LOG_INTERVAL = 64, 1.0, 0.7, 10
TEST_BATCH = 1000
TARGET_SHARE, TARGET_SPEEDUP = 0.10, 1.5


class Data:
    """The same images twice: course tensors, and torchvision datasets for the examples."""

    def __init__(self, root, n_train: int, n_test: int):
        import torch
        from torchvision import datasets, transforms

        from course.data import mnist

        self.source = _idx.prepare(root)
        tensors = {s: mnist.tensors("fashion", s, root=root, source="offline")
                   for s in ("train", "test")}
        self.X, self.y = (t[:n_train] for t in tensors["train"])   # (N, 1, 28, 28), (N,)
        self.Xt, self.yt = (t[:n_test] for t in tensors["test"])
        pipeline = transforms.Compose([transforms.ToTensor(),
                                       transforms.Normalize((0.2860,), (0.3530,))])
        self.train_set, self.test_set = (
            torch.utils.data.Subset(datasets.FashionMNIST(str(root), train=split == "train",
                                                          download=False, transform=pipeline),
                                    range(n))
            for split, n in (("train", n_train), ("test", n_test)))


def _model_and_optimizer(seed: int):
    """LeNet seeded by ``seed``, Adadelta and its per-epoch StepLR (pytorch/examples)."""
    import torch

    from course.reference.models import LeNet

    torch.manual_seed(seed)
    model = LeNet()
    optimizer = torch.optim.Adadelta(model.parameters(), lr=LR)
    return model, optimizer, torch.optim.lr_scheduler.StepLR(optimizer, 1, gamma=GAMMA)


# ---------------------------------------------------------------- course path

class CoursePath:
    """The course's way: in-memory batches and ``train.fit``."""

    def __init__(self, data: Data, seed: int):
        import torch

        from course.data import mnist

        self.data = data
        self.model, self.optimizer, self.scheduler = _model_and_optimizer(seed)
        self.batches = mnist.batches(data.X, data.y, BATCH,
                                     generator=torch.Generator().manual_seed(seed))

    def train_epoch(self) -> None:
        from torch import nn

        from course import train

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

    def compute_only(self) -> float:
        """Seconds for this path's steps alone: zero_grad, forward, loss, backward,
        step over the epoch's batches already materialised in a list."""
        import torch.nn.functional as F

        pairs = list(self.batches)
        self.model.train()
        start = time.perf_counter()
        for x, y in pairs:
            self.optimizer.zero_grad()
            F.cross_entropy(self.model(x), y).backward()
            self.optimizer.step()
        return time.perf_counter() - start


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

def to_target(path, target: float, max_epochs: int) -> tuple[float, list[float]]:
    """Seconds until the test accuracy reaches ``target`` (inf if it never does within
    ``max_epochs``), and the seconds of each training epoch on the way."""
    epochs, start = [], time.perf_counter()
    for _ in range(max_epochs):
        begin = time.perf_counter()
        path.train_epoch()
        epochs.append(time.perf_counter() - begin)
        if path.test_accuracy() >= target:
            return time.perf_counter() - start, epochs
    return math.inf, epochs


def _result(figure, unit, value, base_name, base, ratio, target, met, runs):
    return harness.Result(name="lenet", figure=figure, unit=unit, value=value,
                          baseline_name=base_name, baseline_value=base, ratio=ratio,
                          target=target, met=met, runs=runs)


def _share_outside(data: Data, runs: int, course_epochs: list[float]) -> harness.Result:
    """The course epoch against its steps alone; the share outside is 1 - steps / epoch."""
    steps = harness.median([CoursePath(data, seed).compute_only() for seed in range(runs)])
    epoch = harness.median(course_epochs)
    share = max(0.0, 1.0 - steps / epoch)
    return _result(f"course epoch, {share:.1%} of it outside forward/backward/step", "s",
                   epoch, "forward/backward/step alone (batches in a list)", steps,
                   harness.ratio(epoch, steps, higher_is_better=False),
                   f"share outside <= {TARGET_SHARE:.0%}", share <= TARGET_SHARE, runs)


def run(smoke: bool) -> list[harness.Result]:
    """Epoch times, the share outside the steps, and time to the target accuracy."""
    runs = harness.runs_for(smoke)
    n_train, n_test, target, max_epochs = ((512, 256, 0.0, 1) if smoke else
                                           (60_000, 10_000, TARGET_ACCURACY, MAX_EPOCHS))
    with tempfile.TemporaryDirectory(prefix="bench-lenet-") as root:
        data = Data(root, n_train, n_test)
        course = [to_target(CoursePath(data, seed), target, max_epochs) for seed in range(runs)]
        examples = [to_target(ExamplesPath(data, seed), target, max_epochs)
                    for seed in range(runs)]
        share = _share_outside(data, runs, [t for _, ts in course for t in ts])
    course_epoch = harness.median([t for _, ts in course for t in ts])
    examples_epoch = harness.median([t for _, ts in examples for t in ts])
    course_time = statistics.median(t for t, _ in course)
    examples_time = statistics.median(t for t, _ in examples)
    speedup = harness.ratio(course_time, examples_time, higher_is_better=False)
    examples_name = f"pytorch/examples loop ({data.source})"
    return [
        _result(f"LeNet epoch of {n_train:,} images, course path", "s", course_epoch,
                examples_name, examples_epoch,
                harness.ratio(course_epoch, examples_epoch, higher_is_better=False),
                "none (for information)", None, runs),
        share,
        _result(f"time to {target:.0%} test accuracy (<= {max_epochs} epochs)", "s",
                course_time, examples_name, examples_time, speedup,
                f">= {TARGET_SPEEDUP:g}x", speedup >= TARGET_SPEEDUP, runs)]

"""The course's training loop: :func:`fit`, its :class:`History`, metrics.

One training step is the lecture's::

    optimizer.zero_grad()          # gradients accumulate otherwise
    output = model(x)              # forward
    loss = loss_fn(output, y)
    loss.backward()                # gradients
    optimizer.step()               # update

``fit`` wraps it in epochs, averages loss (and an optional metric) over each
epoch weighted by batch size, evaluates on validation data with
``model.eval()`` and ``torch.no_grad()``, shows a progress bar and calls the
callbacks (``cb(epoch, history)``, True to stop): early stopping plugs in there.

``fit`` is for the notebooks whose exercises are not about writing a training loop;
the exercises that are forbid ``course.train`` in their answers (the grader reads
the source).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator

import torch
from torch import nn

from course import validate


class History(dict):
    """Per-epoch lists by name: ``"loss"``, ``"epoch_time"`` and, when available,
    ``"val_loss"``, ``"<metric>"``, ``"val_<metric>"``.

    With ``fit(..., log_every=N)`` it also holds the within-epoch log:
    ``"batch_step"`` (global step, 1-based), ``"batch_loss"`` and
    ``"batch_<metric>"``, one entry per log line (not per epoch). Use
    :meth:`per_epoch` for the epoch curves alone.
    """

    BATCH_PREFIX = "batch_"

    def append(self, key: str, value) -> None:
        self.setdefault(key, []).append(value)

    @property
    def epochs(self) -> int:
        """Number of completed epochs."""
        return len(self.get("loss", []))

    def per_epoch(self) -> dict[str, list[float]]:
        """The per-epoch lists only (without the ``batch_*`` log)."""
        return {k: v for k, v in self.items() if not k.startswith(self.BATCH_PREFIX)}

    def best(self, key: str, mode: str | None = None) -> tuple[int, float]:
        """``(epoch, value)`` of the best entry of ``key``, epochs counted from 1.

        ``mode`` "min" or "max"; by default "min" for keys containing "loss"
        or "err", "max" otherwise (accuracy and other scores).
        """
        if key not in self or not self[key]:
            raise KeyError(f"history has no values for {key!r}; available: {sorted(self)}")
        if mode is None:
            mode = "min" if ("loss" in key or "err" in key) else "max"
        validate.one_of("mode", mode, ("min", "max"))
        values = self[key]
        pick = min if mode == "min" else max
        index = pick(range(len(values)), key=values.__getitem__)
        return index + 1, values[index]


# --- metrics -----------------------------------------------------------------------------

def _flat_pair(pred: torch.Tensor, target: torch.Tensor):
    """Binary predictions and targets as 1-D tensors, refusing broadcasting."""
    if pred.numel() != target.numel():
        raise ValueError(f"output has shape {tuple(pred.shape)} but target has shape "
                         f"{tuple(target.shape)}: expected one target per output")
    return pred.reshape(-1), target.reshape(-1)


def _accuracy(output: torch.Tensor, target: torch.Tensor, threshold: float) -> float:
    """Fraction of correct predictions; binary outputs count as 1 from ``threshold`` up."""
    output = validate.instance("output", output, torch.Tensor, "a torch.Tensor").detach()
    target = validate.instance("target", target, torch.Tensor, "a torch.Tensor").detach()
    if output.dim() >= 2 and output.shape[-1] > 1:           # multi-class: (N, C)
        if target.shape == output.shape:                     # one-hot or soft labels
            target = target.argmax(dim=-1)
        pred = output.argmax(dim=-1)                         # (N,)
        if pred.shape != target.shape:
            raise ValueError(f"multi-class output {tuple(output.shape)} needs class-index "
                             f"targets of shape {tuple(pred.shape)}, got {tuple(target.shape)}")
    else:                                                    # binary: (N,) or (N, 1)
        pred, target = _flat_pair(output >= threshold, target)
        target = target >= 0.5
    if pred.numel() == 0:
        raise ValueError("accuracy of an empty batch is undefined")
    return (pred == target).double().mean().item()


def accuracy(output: torch.Tensor, target: torch.Tensor) -> float:
    """Fraction of correct predictions, ``output`` being *probabilities*.

    Multi-class when ``output.shape[-1] > 1`` (argmax vs int class targets),
    binary otherwise (``output >= 0.5`` vs 0/1 targets). For raw scores use
    :func:`accuracy_from_logits`.
    """
    return _accuracy(output, target, threshold=0.5)


def accuracy_from_logits(output: torch.Tensor, target: torch.Tensor) -> float:
    """As :func:`accuracy`, ``output`` being *logits*: the binary threshold is 0."""
    return _accuracy(output, target, threshold=0.0)


# --- the loop ------------------------------------------------------------------------------

def _batches(data):
    """A fresh iterable of batches: ``data`` itself, or ``data()`` for a callable."""
    if isinstance(data, Iterable):
        return data
    return data()


def _check_data(name: str, data, epochs: int):
    """Refuse ``data`` that is not a re-iterable of batches or a callable returning one."""
    if data is None or not (isinstance(data, Iterable) or callable(data)):
        raise TypeError(f"{name} must be a re-iterable of (x, y) batches (a DataLoader, a list) "
                        f"or a zero-argument callable returning one; got {type(data).__name__}")
    if isinstance(data, Iterator) and epochs > 1:
        raise TypeError(f"{name} is a one-shot iterator (e.g. a generator), empty after the "
                        f"first epoch; pass a list, a DataLoader or a callable that returns "
                        f"a fresh iterator")
    return data


def _pair(batch, device):
    """The ``(x, y)`` of one batch, its tensors moved to ``device`` when one is given."""
    if not (isinstance(batch, (tuple, list)) and len(batch) == 2):
        raise ValueError(f"each batch must be a pair (x, y); got {type(batch).__name__}"
                         + (f" of length {len(batch)}" if hasattr(batch, "__len__") else ""))
    x, y = batch
    if device is not None:
        x = x.to(device) if isinstance(x, torch.Tensor) else x
        y = y.to(device) if isinstance(y, torch.Tensor) else y
    return x, y


def _size(x, y) -> int:
    """The batch size: the first dimension of ``y`` (or ``x``), 1 for scalars."""
    for t in (y, x):
        if isinstance(t, torch.Tensor) and t.dim() > 0:
            return t.shape[0]
    return 1


def _loss_value(loss, epoch: int, batch: int, optimizer) -> float:
    """The float of a scalar loss tensor; a nan/inf loss raises ``FloatingPointError``."""
    if not isinstance(loss, torch.Tensor) or loss.dim() != 0:
        shape = tuple(loss.shape) if isinstance(loss, torch.Tensor) else type(loss).__name__
        raise ValueError(f"loss_fn must return a scalar tensor, got {shape} "
                         f"(a reduction='none' loss needs .mean())")
    value = loss.item()
    if value != value or value in (float("inf"), float("-inf")):
        lrs = sorted({g.get("lr") for g in optimizer.param_groups}, key=str)
        raise FloatingPointError(
            f"the loss became {value} at epoch {epoch}, batch {batch}; training stopped. "
            f"Usually the learning rate (lr={lrs[0] if len(lrs) == 1 else lrs}) is too "
            f"large, or the data contain nan/inf.")
    return value


class _Mean:
    """Running mean weighted by batch size."""

    def __init__(self):
        self.total, self.count = 0.0, 0

    def add(self, value: float, n: int) -> None:
        self.total += value * n
        self.count += n

    @property
    def value(self) -> float:
        return self.total / self.count


def _metric_name(metric) -> str:
    """The history key of ``metric``: its ``__name__``, else its class name."""
    return getattr(metric, "__name__", None) or type(metric).__name__


class _Loop:
    """The epochs of one :func:`fit`: training (counting steps) and validation."""

    def __init__(self, model, loss_fn, optimizer, device, metric):
        self.model, self.loss_fn, self.optimizer = model, loss_fn, optimizer
        self.device, self.metric, self.step = device, metric, 0
        self.name = _metric_name(metric) if metric is not None else None

    def epoch(self, data, val_data, epoch: int, logger, history: History) -> None:
        """Train one epoch, validate if ``val_data`` is given; append the means to ``history``."""
        start = time.perf_counter()
        loss_mean, metric_mean = self.train(data, epoch, logger)
        history.append("loss", loss_mean.value)
        if self.metric is not None:
            history.append(self.name, metric_mean.value)
        if val_data is not None:
            val_loss, val_metric = self.validate(val_data)
            history.append("val_loss", val_loss)
            if self.metric is not None:
                history.append(f"val_{self.name}", val_metric)
        history.append("epoch_time", time.perf_counter() - start)

    def train(self, data, epoch: int, logger) -> tuple[_Mean, _Mean]:
        """One epoch of training steps; the mean loss and metric."""
        loss_mean, metric_mean = _Mean(), _Mean()
        logger.reset()
        self.model.train()
        for batch, pair in enumerate(_batches(data), start=1):
            x, y = _pair(pair, self.device)
            self.optimizer.zero_grad()
            output = self.model(x)
            loss = self.loss_fn(output, y)
            value = _loss_value(loss, epoch, batch, self.optimizer)
            loss.backward()
            self.optimizer.step()
            self.step += 1
            n = _size(x, y)
            loss_mean.add(value, n)
            metric_value = None
            if self.metric is not None:
                metric_value = float(self.metric(output.detach(), y))
                metric_mean.add(metric_value, n)
            logger.add(epoch, batch, self.step, value, metric_value, n)
        if loss_mean.count == 0:
            raise ValueError(f"data yielded no batches in epoch {epoch}; a consumed "
                             f"iterator or an empty dataset? Pass a re-iterable "
                             f"(list, DataLoader) or a callable returning fresh batches")
        return loss_mean, metric_mean

    def validate(self, data) -> tuple[float, float | None]:
        """Mean validation loss and metric (model in eval mode, no gradients)."""
        loss_mean, metric_mean = _Mean(), _Mean()
        self.model.eval()
        with torch.no_grad():
            for batch in _batches(data):
                x, y = _pair(batch, self.device)
                output = self.model(x)
                n = _size(x, y)
                loss_mean.add(float(self.loss_fn(output, y)), n)
                if self.metric is not None:
                    metric_mean.add(float(self.metric(output, y)), n)
        if loss_mean.count == 0:
            raise ValueError("val_data yielded no batches")
        return loss_mean.value, (metric_mean.value if self.metric is not None else None)


class _Logger:
    """The ``log_every`` record: running loss (and metric) every N batches."""

    def __init__(self, every, history, name, write):
        self.every, self.history, self.name, self.write = every, history, name, write
        self.reset()

    def reset(self) -> None:
        self.loss, self.metric = _Mean(), _Mean()

    def add(self, epoch, batch, step, loss, metric_value, n) -> None:
        if self.every is None:
            return
        self.loss.add(loss, n)
        if metric_value is not None:
            self.metric.add(metric_value, n)
        if batch % self.every:
            return
        h = self.history
        h.append("batch_step", step)
        h.append("batch_loss", self.loss.value)
        line = f"epoch {epoch} batch {batch} (step {step}): loss {self.loss.value:.4f}"
        if metric_value is not None:
            h.append(f"batch_{self.name}", self.metric.value)
            line += f" {self.name} {self.metric.value:.4f}"
        self.write(line)
        self.reset()


def _device_of(model: nn.Module, device):
    """``device`` as a torch.device (moving ``model`` there), else the model's own device."""
    if device is not None:
        try:
            device = torch.device(device)
        except (RuntimeError, TypeError):
            raise ValueError(f"device must be a torch.device or a name like 'cpu' or 'cuda', "
                             f"got {device!r}") from None
        model.to(device)
        return device
    first = next(model.parameters(), None)
    return first.device if first is not None else None


def _progress(enabled: bool, epochs: int):
    """An epoch bar and a ``write`` that does not break it (both no-ops when disabled)."""
    if not enabled:
        return None, lambda line: None
    from tqdm.auto import tqdm
    return tqdm(total=epochs, desc="epochs", unit="epoch"), tqdm.write


def _live(plot: bool | None, progress: bool) -> bool:
    """Whether :func:`fit` shows the live plot (``plot=None``: in a notebook with a bar)."""
    if plot is None:
        from course.live import in_notebook
        return progress and in_notebook()
    return bool(plot)


def _check_parts(model, loss_fn, optimizer) -> None:
    """Refuse a model, loss function or optimizer of the wrong kind."""
    validate.instance("model", model, nn.Module, "a torch.nn.Module")
    if not callable(loss_fn):
        raise TypeError(f"loss_fn must be callable (output, target) -> scalar tensor, "
                        f"e.g. nn.MSELoss(); got {loss_fn!r}")
    validate.instance("optimizer", optimizer, torch.optim.Optimizer, "a torch.optim.Optimizer")


def _check_hooks(metric, callbacks) -> list:
    """Refuse a non-callable metric or callback; the callbacks as a fresh list."""
    if metric is not None and not callable(metric):
        raise TypeError(f"metric must be None or a callable (output, target) -> float, "
                        f"e.g. course.train.accuracy; got {metric!r}")
    callbacks = list(callbacks)
    for i, cb in enumerate(callbacks):
        if not callable(cb):
            raise TypeError(f"callbacks[{i}] must be callable as cb(epoch, history); got {cb!r}")
    return callbacks


def _check_fit_arguments(model, loss_fn, optimizer, data, epochs, val_data, metric,
                         callbacks, log_every) -> tuple[int, list, int | None]:
    """Validate :func:`fit`'s arguments; the normalised ``epochs``, callbacks and ``log_every``."""
    _check_parts(model, loss_fn, optimizer)
    epochs = validate.positive_int("epochs", epochs)
    _check_data("data", data, epochs)
    if val_data is not None:
        _check_data("val_data", val_data, epochs)
    callbacks = _check_hooks(metric, callbacks)
    if log_every is not None:
        log_every = validate.positive_int("log_every", log_every)
    return epochs, callbacks, log_every


def _update_bar(bar, history: History) -> None:
    """Advance the epoch bar by one, showing the latest value of every epoch curve."""
    if bar is None:
        return
    bar.set_postfix({k: f"{v[-1]:.4g}" for k, v in history.per_epoch().items()
                     if k != "epoch_time"}, refresh=False)
    bar.update(1)


def _stop_requested(callbacks, epoch: int, history: History) -> bool:
    """Call every callback (none skipped); True when any of them asks to stop."""
    return any([bool(cb(epoch, history)) for cb in callbacks])


def _train_end(callbacks, history: History) -> None:
    """Run ``on_train_end(history)`` of each callback that has one."""
    for cb in callbacks:
        end = getattr(cb, "on_train_end", None)
        if callable(end):
            end(history)


def fit(model: nn.Module, loss_fn, optimizer: torch.optim.Optimizer, data, epochs: int, *,
        val_data=None, metric=None, device=None, progress: bool = True, callbacks=(),
        log_every: int | None = None, plot: bool | None = None) -> History:
    """Train ``model`` for ``epochs`` epochs and return its :class:`History`.

    ``data`` / ``val_data``: re-iterables of ``(x, y)`` batches (a DataLoader, a
    list, an object reshuffling in ``__iter__``) or zero-argument callables
    returning a fresh one per epoch. ``metric(output, y) -> float`` (e.g.
    :func:`accuracy`) is averaged per epoch under its ``__name__``.
    ``device``: where batches go (the model is moved there too); default the
    device of the model's parameters. ``callbacks``: ``cb(epoch, history)``
    after each epoch (epochs from 1); returning True stops training, and a
    callback's ``on_train_end(history)`` runs at the end if it has one.
    ``log_every=N`` records the running loss every N batches of an epoch in
    ``history["batch_loss"]`` at ``history["batch_step"]`` (and prints it
    unless ``progress=False``, which keeps ``fit`` silent).
    ``plot``: the live loss/accuracy plot, redrawn in place after every epoch in a
    notebook (default: on in a notebook when ``progress`` is); ``plot=True`` outside
    a notebook writes a text line per epoch instead (:mod:`course.live`).

    A nan/inf loss raises ``FloatingPointError`` naming the epoch and batch.
    The model is left in the train/eval mode it had before.
    """
    epochs, callbacks, log_every = _check_fit_arguments(
        model, loss_fn, optimizer, data, epochs, val_data, metric, callbacks, log_every)
    loop = _Loop(model, loss_fn, optimizer, _device_of(model, device), metric)
    history = History()
    bar, write = _progress(progress, epochs)
    logger = _Logger(log_every, history, loop.name, write)
    if _live(plot, progress):
        from course.live import LivePlot
        callbacks.insert(0, LivePlot(epochs, write=write if progress else print))
    was_training = model.training
    try:
        for epoch in range(1, epochs + 1):
            loop.epoch(data, val_data, epoch, logger, history)
            _update_bar(bar, history)
            if _stop_requested(callbacks, epoch, history):
                break
        _train_end(callbacks, history)
    finally:
        if bar is not None:
            bar.close()
        model.train(was_training)
    return history

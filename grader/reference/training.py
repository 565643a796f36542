"""Early stopping as a callback of course.train.fit, on the instructor's side.

Notebooks 07 and 09 ask students to write early stopping themselves, so the course
package does not ship one; this reference serves the instructor's tests and
benchmarks.
"""

from __future__ import annotations

from torch import nn

from course import validate


class EarlyStopping:
    """Stop when ``history[key]`` has not improved for ``patience`` epochs.

    Pass it in ``fit(..., callbacks=[EarlyStopping(3, model=model)])``: as every
    callback it is called as ``cb(epoch, history)`` after each epoch and returns
    True to stop. With ``model`` it keeps a copy of the best weights and puts them
    back when training ends (stopped early or not); ``fit`` calls
    :meth:`on_train_end` for that. ``min_delta`` is the smallest change that
    counts as an improvement.
    """

    def __init__(self, patience: int, key: str = "val_loss", mode: str = "min", *,
                 model: nn.Module | None = None, min_delta: float = 0.0):
        self.patience = validate.positive_int("patience", patience)
        self.key = validate.instance("key", key, str)
        self.mode = validate.one_of("mode", mode, ("min", "max"))
        self.model = None if model is None else validate.instance(
            "model", model, nn.Module, "a torch.nn.Module")
        self.min_delta = validate.number("min_delta", min_delta, minimum=0.0)
        self.reset()

    def reset(self) -> None:
        """Forget the best value (done automatically at epoch 1)."""
        self.best_value: float | None = None
        self.best_epoch: int | None = None
        self.best_state: dict | None = None
        self.wait = 0
        self.stopped_epoch: int | None = None

    def _improved(self, value: float) -> bool:
        if self.best_value is None:
            return True
        if self.mode == "min":
            return value < self.best_value - self.min_delta
        return value > self.best_value + self.min_delta

    def __call__(self, epoch: int, history) -> bool:
        if epoch == 1:
            self.reset()
        if not history.get(self.key):
            raise ValueError(f"EarlyStopping watches {self.key!r}, which the history does not "
                             f"have (keys: {sorted(history)}); pass val_data to fit or "
                             f"choose another key")
        value = history[self.key][-1]
        if self._improved(value):
            self.best_value, self.best_epoch, self.wait = value, epoch, 0
            if self.model is not None:
                self.best_state = {k: v.detach().clone()
                                   for k, v in self.model.state_dict().items()}
            return False
        self.wait += 1
        if self.wait >= self.patience:
            self.stopped_epoch = epoch
            return True
        return False

    def restore(self) -> None:
        """Load the best weights seen into ``model``."""
        if self.model is None or self.best_state is None:
            raise RuntimeError("EarlyStopping has no best weights to restore: pass "
                               "model=... and train for at least one epoch")
        self.model.load_state_dict(self.best_state)

    def on_train_end(self, history) -> None:
        if self.model is not None and self.best_state is not None:
            self.restore()



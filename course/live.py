"""The live training plot of :func:`course.train.fit`.

In a notebook the loss and accuracy curves (``course.plot.curves``) are redrawn in
place after every epoch, as one output that updates; anywhere else (a terminal, a
script) a plain-text line per epoch is written instead.
"""

from __future__ import annotations


def in_notebook() -> bool:
    """True inside a Jupyter kernel (JupyterLab, Colab, nbclient), where outputs can update."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def epoch_line(epoch: int, epochs: int, history) -> str:
    """``epoch 3/10: loss 0.4120, val_loss 0.4480`` from the last values of ``history``."""
    values = [f"{k} {v[-1]:.4g}" for k, v in history.per_epoch().items() if k != "epoch_time"]
    return f"epoch {epoch}/{epochs}: " + ", ".join(values)


class LivePlot:
    """A ``fit`` callback: ``LivePlot(epochs)(epoch, history)`` after each epoch."""

    def __init__(self, epochs: int, write=print, notebook: bool | None = None):
        self.epochs, self.write = epochs, write
        self.notebook = in_notebook() if notebook is None else notebook
        self.handle = None

    def __call__(self, epoch: int, history) -> None:
        if self.notebook:
            self._draw(history)
        else:
            self.write(epoch_line(epoch, self.epochs, history))

    def _draw(self, history) -> None:
        import matplotlib.pyplot as plt
        from IPython.display import display

        from course import plot

        fig = plot.curves(history)
        if self.handle is None:
            self.handle = display(fig, display_id=True)
        else:
            self.handle.update(fig)
        plt.close(fig)

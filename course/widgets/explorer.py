"""The :class:`Explorer` every widget is built on, and the checks of its control values.

An explorer holds the values of its controls, a figure redrawn from them (drawn in
the course style, rendered to a PNG, shown in an ``ipywidgets.Image``) and the text
under it. ipywidgets and torch are imported on first use.
"""

from __future__ import annotations

import contextlib
import functools
import io

from course import validate
from course.plot.figures import _new_figure
from course.plot.palette import style
from course.widgets import frontend


class Explorer:
    """Controls, a figure redrawn from their values, and the widget showing both.

    ``draw(fig, values)`` draws on the cleared ``fig`` and returns the text shown
    under it. ``controls()`` makes the ipywidgets controls ``{name: widget}``;
    ``checks`` cleans each value given to :meth:`update`; ``buttons`` maps a button
    label to a method run on click; ``sync(controls, values)`` adjusts the controls
    (e.g. disables a slider that does not apply) after each update.
    """

    def __init__(self, draw, values: dict, checks: dict, controls, *, size,
                 buttons=None, sync=None):
        self._draw, self._make_controls, self._sync = draw, controls, sync
        self._checks, self._buttons = checks, dict(buttons or {})
        self.values = dict(values)
        self.text = ""
        self._box = self._controls = self._image = self._readout = None
        self._quiet = False
        self._echo_hidden = False
        with style():
            self.figure = _new_figure(*size)
        import matplotlib.pyplot as plt
        plt.close(self.figure)       # ours alone: pyplot would show it again after the cell
        self.redraw()

    # --- values
    def update(self, **values) -> Explorer:
        """Set control values by name and redraw; returns the explorer."""
        unknown = sorted(set(values) - set(self.values))
        if unknown:
            raise TypeError(f"unknown control(s) {unknown}; this explorer has "
                            f"{sorted(self.values)}")
        self.values.update({k: self._checks[k](v) for k, v in values.items()})
        if self._controls is not None:
            self._quiet = True
            try:
                for name, control in self._controls.items():
                    control.value = self.values[name]
            finally:
                self._quiet = False
        self.redraw()
        return self

    def redraw(self) -> None:
        """Draw the figure for the current values (and refresh the widget)."""
        with style():
            self.figure.clear()
            self.text = self._draw(self.figure, self.values) or ""
            if self._image is not None:
                self._image.value = self._png()
        if self._readout is not None:
            self._readout.value = self.text
        if self._sync is not None and self._controls is not None:
            self._sync(self._controls, self.values)

    def _png(self) -> bytes:
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png", dpi=90)
        return buffer.getvalue()

    # --- widget
    @property
    def controls(self) -> dict:
        """The ipywidgets controls by value name (built on first use)."""
        self.widget                                               # noqa: B018 builds them
        return self._controls

    @property
    def widget(self):
        """The ipywidgets box: controls, buttons, picture and text."""
        if self._box is None:
            self._box = self._build()
        return self._box

    def _build(self):
        import ipywidgets

        controls = self._make_controls()
        for name, control in controls.items():
            control.value = self.values[name]
            control.observe(functools.partial(self._moved, name), names="value")
        buttons = []
        for label, action in self._buttons.items():
            button = ipywidgets.Button(description=label)
            button.on_click(lambda _, act=action: act())
            buttons.append(button)
        self._controls = controls
        self._image = ipywidgets.Image(format="png", value=self._png())
        self._readout = ipywidgets.Label(value=self.text)
        if self._sync is not None:
            self._sync(controls, self.values)
        row = ipywidgets.HBox(list(controls.values()) + buttons,
                              layout=ipywidgets.Layout(flex_flow="row wrap"))
        return ipywidgets.VBox([row, self._image, self._readout])

    def _moved(self, name: str, change) -> None:
        if not self._quiet:
            self.update(**{name: change["new"]})

    # --- display
    def show(self) -> Explorer:
        """Display the widget, or the static figure and a note without a front end."""
        if frontend.has_widget_frontend():
            frontend._display(self.widget)
        else:
            frontend._display(self.figure)
            print(frontend.STATIC_NOTE)
        self._hide_echo()
        return self

    def _hide_echo(self) -> None:
        """Skip the display of the returned explorer at the end of the same cell."""
        shell = frontend._shell()
        if shell is None or not hasattr(shell, "events"):
            return
        self._echo_hidden = True

        def reset(result):
            self._echo_hidden = False
            shell.events.unregister("post_run_cell", reset)
        shell.events.register("post_run_cell", reset)

    def _ipython_display_(self) -> None:
        if not self._echo_hidden:
            self.show()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.values})"


# ------------------------------------------------------------------ control values

def _checked(name: str, check):
    """``check(name, value)`` as a one-argument cleaner."""
    return functools.partial(check, name)


def _choice(choices):
    return lambda name, value: validate.one_of(name, value, choices)


def _between(low, high, *, integer=False):
    """A number (an integer if ``integer``) in [low, high]."""
    def check(name, value):
        if integer:
            validate.integer(name, value)
        value = validate.number(name, value, minimum=low, maximum=high)
        return int(value) if integer else value
    return check


# ------------------------------------------------------------------ torch

@contextlib.contextmanager
def _one_thread():
    """Run tiny torch computations on one thread (restored after): thread hand-offs
    cost more than they save on a 200-point batch, a lot more on a busy machine."""
    import torch

    saved = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(saved)

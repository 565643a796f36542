"""Interactive explorers: move a control, the figure is redrawn.

    from course import widgets
    widgets.activation_explorer()                 # an activation and its derivative
    widgets.optimizer_canyon()                    # SGD, momentum and Adam in a canyon
    widgets.decision_boundary_playground()        # a small MLP trained live on 2-D data
    widgets.toy_explorer()                        # energy cut, mass window, ROC point
    widgets.feature_maps(model, images)           # what a conv layer of LeNet sees

Each function displays its explorer and returns it (an :class:`Explorer`):
``.widget`` is the ipywidgets box, ``.controls`` its controls by name,
``.update(name=value, ...)`` redraws for new values (as moving the controls
does), ``.figure`` is the current matplotlib figure and ``.text`` the numbers
shown under it.

Without a widget front end (CI, nbconvert, grading, feedback HTML) each shows a
static figure for its default values and one line saying that the interactive
version needs JupyterLab or Colab; :func:`has_widget_frontend` decides, and
``COURSE_WIDGETS=1`` / ``COURSE_WIDGETS=0`` force either way.

The figure is drawn in the course style (:func:`course.plot.style`), rendered
to a PNG and shown in an ``ipywidgets.Image``: no interactive matplotlib
backend is needed, and the picture looks the same in JupyterLab and Colab.
ipywidgets and torch are imported on first use.

Modules
    ``frontend`` widget or static picture; ``explorer`` the :class:`Explorer`;
    one module per explorer: ``activations``, ``optimizers`` (the canyon),
    ``boundary`` (the playground, with :func:`two_moons` and :func:`circles`),
    ``toy`` (the physics toy) and ``conv_maps`` (:func:`feature_maps`).
"""

from course.widgets.activations import activation_explorer
from course.widgets.boundary import decision_boundary_playground
from course.widgets.conv_maps import feature_maps
from course.widgets.explorer import Explorer
from course.widgets.frontend import has_widget_frontend
from course.widgets.optimizers import optimizer_canyon
from course.widgets.toy import toy_explorer

# Also public (outside __all__, as before the split): the explorers' settings and data sets.
from course.widgets.activations import ACTIVATIONS, PARAMETERS  # noqa: F401
from course.widgets.boundary import (HIDDEN_ACTIVATIONS, HIDDEN_MODULES,  # noqa: F401
                                     TRAIN_STEPS, circles, two_moons)
from course.widgets.frontend import STATIC_NOTE  # noqa: F401
from course.widgets.optimizers import CANYON_SCALES  # noqa: F401
from course.widgets.toy import TOY_LOWEST_CUT  # noqa: F401

__all__ = ["Explorer", "activation_explorer", "decision_boundary_playground",
           "feature_maps", "has_widget_frontend", "optimizer_canyon", "toy_explorer"]

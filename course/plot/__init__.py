"""Plots for the course: one style, readable in light and dark JupyterLab, headless-safe.

    from course import plot
    fig = plot.curves(history)                      # loss / accuracy per epoch
    fig = plot.decision_boundary(model, X, y)       # 2-D classifier
    fig = plot.roc_curve(y, {"network": p, "mass window": in_window})
    fpr, tpr, auc = plot.roc_auc(y, p)

Every function returns its ``matplotlib.figure.Figure``.

Style: an opaque white card
    Each figure is drawn on an explicit, opaque white face with dark text
    (``#222222``), light grey grid lines and no top/right spines. A transparent
    figure would put dark labels on a dark page in JupyterLab's dark theme; choosing
    text colours per theme is impossible from the kernel (it cannot see the
    theme). A white card reads the same in the light and dark themes, in Colab, in
    exported HTML and in saved PNGs, like a printed figure on the page.

Colours: colour-blind safe
    The Okabe-Ito palette (``OKABE_ITO``), with fixed roles in ``COLORS``:
    signal vermillion, background blue, mistakes vermillion, and train blue /
    validation orange for plots that tell the splits apart by colour. In
    :func:`curves` colour marks the metric and line style the split
    (train solid, validation dashed, same colour), so the two splits are told
    apart without relying on colour at all. Densities and counts use the
    perceptually uniform ``viridis`` and ``Blues`` maps.

The style never leaks
    Every function draws inside :func:`style` (a ``matplotlib.rc_context``), so the
    user's global ``rcParams`` are the same afterwards. :func:`apply_style` opts in
    permanently, for one's own plots.

Headless-safe
    No helper calls ``plt.show()``, closes a figure or chooses a backend
    (pyplot is imported on first use). Figures come from pyplot, so a notebook
    shows them inline; in a notebook assign the result (``fig = plot.curves(h)``)
    or end the line with ``;``, otherwise Jupyter shows the figure twice (once as
    a pyplot figure, once as the cell's value). In scripts: ``fig.savefig(path)``,
    then ``plt.close(fig)``.

Inputs
    Numpy arrays, lists or torch tensors (detached and moved to the CPU here).
    ``import course.plot`` does not import torch: it is imported only to
    evaluate a model or differentiate an activation function.
    Toy events (``course.data.toy.Events``) or any object with
    ``events[name]`` (a 1-D column), ``.y`` (1 signal, 0 background) and, for
    :func:`mass_histogram`, ``.mass``. Histogram ranges cover the central 99% of
    all events (the energy tails are long); :func:`mass_histogram` takes ``limits=``.

Modules
    ``palette`` the style and colours; ``figures`` shared figure helpers;
    ``training`` :func:`curves`; ``boundary`` :func:`decision_boundary`;
    ``images`` :func:`image_grid`; ``evaluation`` :func:`confusion_matrix` and
    :func:`roc_curve`; ``toy`` the physics toy views; ``derivatives``
    :func:`activations`. The numbers :func:`confusion_counts` and :func:`roc_auc`
    come from :mod:`course.metrics` (no matplotlib there).
"""

from course.metrics import confusion_counts, roc_auc
from course.plot.boundary import decision_boundary
from course.plot.derivatives import activations
from course.plot.evaluation import confusion_matrix, roc_curve
from course.plot.images import image_grid
from course.plot.palette import COLORS, OKABE_ITO, STYLE, apply_style, style
from course.plot.palette import CYCLE, LINESTYLES, TEXT  # noqa: F401  (public, not in __all__)
from course.plot.toy import mass_histogram, toy_3d, toy_correlation_2d, toy_marginals
from course.plot.training import curves

__all__ = ["COLORS", "OKABE_ITO", "STYLE", "activations", "apply_style",
           "confusion_counts", "confusion_matrix", "curves", "decision_boundary",
           "image_grid", "mass_histogram", "roc_auc", "roc_curve", "style",
           "toy_3d", "toy_correlation_2d", "toy_marginals"]

"""The live training plot of course.train.fit: in place in a notebook, text elsewhere."""

import nbformat
import torch
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_notebook

from course.live import LivePlot, epoch_line
from course.train import fit

FIT = """
import torch
from course.train import fit
torch.manual_seed(0)
x = torch.randn(64, 2); y = (x.sum(1, keepdim=True) > 0).float()
model = torch.nn.Linear(2, 1)
history = fit(model, torch.nn.BCEWithLogitsLoss(), torch.optim.SGD(model.parameters(), lr=0.5),
              [(x, y)], epochs=4, val_data=[(x, y)])
"""


def _tiny_fit(**options):
    torch.manual_seed(0)
    x, y = torch.randn(32, 2), torch.randn(32, 1)
    model = torch.nn.Linear(2, 1)
    return fit(model, torch.nn.MSELoss(), torch.optim.SGD(model.parameters(), lr=0.1),
               [(x, y)], epochs=3, **options)


def test_outside_a_notebook_plot_true_writes_a_line_per_epoch(capsys):
    history = _tiny_fit(progress=False, plot=True)
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("epoch ")]
    assert [line.split(":")[0] for line in lines] == ["epoch 1/3", "epoch 2/3", "epoch 3/3"]
    assert f"loss {history['loss'][-1]:.4g}" in lines[-1]


def test_outside_a_notebook_the_default_adds_no_lines(capsys):
    _tiny_fit(progress=False)
    assert "epoch 1/3" not in capsys.readouterr().out


def test_epoch_line_leaves_out_timings():
    history = _tiny_fit(progress=False)
    line = epoch_line(3, 3, history)
    assert line.startswith("epoch 3/3: loss ") and "epoch_time" not in line


def test_in_a_notebook_the_plot_is_one_output_updated_in_place():
    nb = new_notebook(cells=[new_code_cell(FIT)], metadata={"kernelspec": {
        "name": "python3", "display_name": "Python 3", "language": "python"}})
    NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    outputs = nb.cells[0].outputs
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) == 1, [o.output_type for o in outputs]
    assert "epochs" in "".join(str(o.get("data", o.get("text", ""))) for o in outputs)
    assert not [o for o in outputs if o.output_type == "error"]


def test_live_plot_draws_when_told_it_is_in_a_notebook(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display",
                        lambda fig, display_id=None: shown.append(fig) or _Handle(shown))
    history = _tiny_fit(progress=False)
    live = LivePlot(3, notebook=True)
    live(1, history)
    live(2, history)
    assert len(shown) == 2 and live.handle is not None


class _Handle:
    def __init__(self, shown):
        self.shown = shown

    def update(self, fig):
        self.shown.append(fig)

"""grader.reference.training: early stopping as a callback of course.train.fit."""

import pytest
import torch
from torch import nn

from course.train import History, fit
from grader.reference.training import EarlyStopping


@pytest.fixture
def regression():
    """y = 3x - 1 as one batch, and a linear model."""
    torch.manual_seed(0)
    x = torch.randn(16, 1)
    return nn.Linear(1, 1), [(x, 3 * x - 1)]


def _sgd(model, lr=0.1):
    return torch.optim.SGD(model.parameters(), lr=lr)


def test_early_stopping_stops_and_restores_best_weights():
    x = torch.linspace(-1, 1, 16)[:, None]
    train, val = [(x, 2 * x)], [(x, -2 * x)]                # every step away from val's optimum
    model = nn.Linear(1, 1, bias=False)
    nn.init.zeros_(model.weight)
    weights = []
    stopper = EarlyStopping(patience=2, model=model)
    history = fit(model, nn.MSELoss(), _sgd(model), train, epochs=20, val_data=val,
                  progress=False,
                  callbacks=[lambda e, h: weights.append(model.weight.item()), stopper])
    assert history.epochs == 3 and stopper.stopped_epoch == 3
    assert history.best("val_loss")[0] == stopper.best_epoch == 1
    assert weights[0] != weights[-1]
    assert model.weight.item() == weights[0]


def test_early_stopping_needs_its_key(regression):
    model, data = regression
    with pytest.raises(ValueError, match="val_loss.*val_data"):
        fit(model, nn.MSELoss(), _sgd(model), data, epochs=2, progress=False,
            callbacks=[EarlyStopping(1)])


def test_early_stopping_max_mode_and_validation():
    stopper = EarlyStopping(patience=1, key="val_accuracy", mode="max")
    h = History(val_accuracy=[0.5])
    assert stopper(1, h) is False
    h["val_accuracy"].append(0.4)
    assert stopper(2, h) is True
    with pytest.raises(ValueError, match="mode"):
        EarlyStopping(2, mode="lowest")
    with pytest.raises(ValueError, match="patience"):
        EarlyStopping(0)



"""course.train: the fit loop, History and accuracy metrics."""

import math

import pytest
import torch
from torch import nn

import course
from grader.reference.models import MLP
from course.train import History, accuracy, accuracy_from_logits, fit


def _batches(x, y, size):
    return [(x[i:i + size], y[i:i + size]) for i in range(0, len(x), size)]


@pytest.fixture
def regression():
    """y = 3x - 1 + noise as 8 batches of 8, and a linear model."""
    course.seed_everything(0)
    x = torch.randn(64, 1)
    y = 3 * x - 1 + 0.1 * torch.randn(64, 1)
    model = nn.Linear(1, 1)
    return model, _batches(x, y, 8)


@pytest.fixture
def blobs():
    """Two Gaussian blobs in 2-D (class indices), train and validation batches."""
    course.seed_everything(1)
    y = torch.randint(0, 2, (160,))
    x = torch.randn(160, 2) + 2.5 * (2 * y[:, None] - 1)
    return _batches(x[:128], y[:128], 16), _batches(x[128:], y[128:], 16)


def _sgd(model, lr=0.1):
    return torch.optim.SGD(model.parameters(), lr=lr)


def test_regression_loss_decreases(regression):
    model, data = regression
    history = fit(model, nn.MSELoss(), _sgd(model), data, epochs=15, progress=False)
    assert isinstance(history, History)
    assert set(history) == {"loss", "epoch_time"}
    assert len(history["loss"]) == len(history["epoch_time"]) == history.epochs == 15
    assert history["loss"][-1] < 0.05 < history["loss"][0]
    assert history.best("loss")[0] >= 10
    torch.testing.assert_close(model.weight.detach(), torch.tensor([[3.0]]), atol=0.1, rtol=0)


def test_classification_with_metric_and_validation(blobs):
    train, val = blobs
    course.seed_everything(2)
    model = MLP([2, 8, 2])
    history = fit(model, nn.CrossEntropyLoss(), torch.optim.Adam(model.parameters(), lr=0.05),
                  train, epochs=5, val_data=val, metric=accuracy, progress=False)
    assert set(history) == {"loss", "accuracy", "val_loss", "val_accuracy", "epoch_time"}
    assert all(len(v) == 5 for v in history.values())
    assert history["loss"][-1] < history["loss"][0]
    assert history["val_accuracy"][-1] > 0.9
    epoch, best = history.best("val_accuracy")
    assert best == max(history["val_accuracy"]) and 1 <= epoch <= 5


def test_loss_and_metric_are_averaged_weighted_by_batch_size():
    x = torch.zeros(3, 1)
    y = torch.tensor([[1.0], [1.0], [4.0]])
    model = nn.Linear(1, 1, bias=False)                     # output 0 for x = 0, no learning
    data = [(x[:2], y[:2]), (x[2:], y[2:])]                  # batch sizes 2 and 1
    history = fit(model, nn.MSELoss(), _sgd(model), data, epochs=1, val_data=data,
                  metric=lambda out, t: float((out - t).abs().mean()), progress=False)
    assert history["loss"] == history["val_loss"] == [pytest.approx((1 + 1 + 16) / 3)]
    assert history["<lambda>"] == [pytest.approx((1 + 1 + 4) / 3)]


class _Spy(nn.Module):
    """Linear model that records its mode and grad mode on every call."""

    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(1, 1)
        self.calls = []

    def forward(self, x):
        self.calls.append((self.training, torch.is_grad_enabled()))
        return self.linear(x)


def test_train_and_eval_modes(regression):
    _, data = regression
    model = _Spy().eval()
    fit(model, nn.MSELoss(), _sgd(model), data[:2], epochs=1, val_data=data[2:3],
        progress=False)
    assert model.calls == [(True, True), (True, True), (False, False)]
    assert not model.training                                # mode restored


def test_callable_data_is_called_once_per_epoch(regression):
    model, data = regression
    calls = []

    def fresh():
        calls.append(1)
        return data

    fit(model, nn.MSELoss(), _sgd(model), fresh, epochs=3, val_data=lambda: data[:1],
        progress=False)
    assert len(calls) == 3


def test_callback_returning_true_stops(regression):
    model, data = regression
    seen = []
    history = fit(model, nn.MSELoss(), _sgd(model), data, epochs=10, progress=False,
                  callbacks=[lambda epoch, h: seen.append(epoch) or epoch == 2])
    assert seen == [1, 2] and history.epochs == 2


def test_non_finite_loss_names_epoch_and_batch(regression):
    model, data = regression
    with pytest.raises(FloatingPointError, match=r"epoch 1, batch \d+.*lr=10000000000.0"):
        fit(model, nn.MSELoss(), _sgd(model, lr=1e10), data, epochs=3, progress=False)

    model = nn.Linear(1, 1)                                  # the old one is now inf
    epochs = iter([data[:3], data[:3] + [(torch.full((2, 1), math.nan), torch.zeros(2, 1))]])
    with pytest.raises(FloatingPointError, match="epoch 2, batch 4"):
        fit(model, nn.MSELoss(), _sgd(model), lambda: next(epochs), epochs=2, progress=False)


def test_progress_false_prints_nothing(regression, capsys):
    model, data = regression
    fit(model, nn.MSELoss(), _sgd(model), data, epochs=2, progress=False, log_every=2,
        metric=lambda o, t: 0.0)
    assert capsys.readouterr() == ("", "")


def test_progress_bar_and_log_lines(regression, capsys):
    model, data = regression
    fit(model, nn.MSELoss(), _sgd(model), data, epochs=2, log_every=4)
    captured = capsys.readouterr()
    assert "epochs" in captured.err                          # the tqdm bar
    assert "epoch 2 batch 8 (step 16): loss" in captured.out + captured.err


def test_log_every_records_running_loss_and_metric(regression):
    model, data = regression                                 # 8 batches per epoch
    history = fit(model, nn.MSELoss(), _sgd(model, lr=0.0), data, epochs=2,
                  log_every=3, metric=lambda o, t: 0.25, progress=False)
    assert history["batch_step"] == [3, 6, 11, 14]          # batches 3 and 6 of each epoch
    assert len(history["batch_loss"]) == 4 and history["batch_<lambda>"] == [0.25] * 4
    assert set(history.per_epoch()) == {"loss", "<lambda>", "epoch_time"}
    # the first record is the mean of the first three batch losses (lr = 0: fixed model)
    first = [nn.functional.mse_loss(model(x), y).item() for x, y in data[:3]]
    assert history["batch_loss"][0] == pytest.approx(sum(first) / 3)


def test_empty_data_is_an_error(regression):
    model, data = regression
    with pytest.raises(ValueError, match="no batches in epoch 1"):
        fit(model, nn.MSELoss(), _sgd(model), [], epochs=1, progress=False)
    with pytest.raises(ValueError, match="val_data yielded no batches"):
        fit(model, nn.MSELoss(), _sgd(model), data, epochs=1, val_data=[], progress=False)
    with pytest.raises(TypeError, match="one-shot iterator"):
        fit(model, nn.MSELoss(), _sgd(model), iter(data), epochs=2, progress=False)


@pytest.mark.parametrize("change, error, match", [
    ({"epochs": 0}, ValueError, "epochs must be >= 1"),
    ({"epochs": 2.0}, TypeError, "epochs must be an integer"),
    ({"optimizer": "sgd"}, TypeError, "optimizer must be a torch.optim.Optimizer"),
    ({"loss_fn": "mse"}, TypeError, "loss_fn must be callable"),
    ({"data": 5}, TypeError, "data must be a re-iterable"),
    ({"metric": "accuracy"}, TypeError, "metric must be None or a callable"),
    ({"callbacks": [1]}, TypeError, r"callbacks\[0\]"),
    ({"log_every": 0}, ValueError, "log_every"),
    ({"device": "gpu0"}, ValueError, "device must be"),
    ({"data": [(torch.zeros(1, 1),)]}, ValueError, r"pair \(x, y\)"),
    ({"loss_fn": nn.MSELoss(reduction="none")}, ValueError, "scalar"),
])
def test_bad_arguments(regression, change, error, match):
    model, data = regression
    kwargs = {"model": model, "loss_fn": nn.MSELoss(), "optimizer": _sgd(model),
              "data": data, "epochs": 1, "progress": False, **change}
    with pytest.raises(error, match=match):
        fit(**kwargs)


def test_accuracy_multiclass_and_binary():
    logits = torch.tensor([[2.0, 1.0, 0.0], [0.0, 3.0, 1.0], [1.0, 0.0, 5.0], [9.0, 0.0, 0.0]])
    target = torch.tensor([0, 1, 1, 0])
    assert accuracy(logits, target) == accuracy_from_logits(logits, target) == 0.75
    assert accuracy(logits, torch.nn.functional.one_hot(target, 3).float()) == 0.75

    prob = torch.tensor([[0.9], [0.4], [0.6], [0.1]])        # (N, 1) against (N,): no broadcast
    labels = torch.tensor([1.0, 1.0, 0.0, 0.0])
    assert accuracy(prob, labels) == 0.5
    z = torch.tensor([2.0, -0.5, 0.3, -3.0])                 # logits: threshold 0, not 0.5
    assert accuracy_from_logits(z, labels) == 0.5
    assert accuracy(z, labels) == 0.75
    with pytest.raises(ValueError, match="one target per output"):
        accuracy(prob, labels[:3])


def test_history_best_and_mapping():
    h = History(loss=[3.0, 1.0, 2.0], accuracy=[0.2, 0.9, 0.5])
    assert h.best("loss") == (2, 1.0)
    assert h.best("accuracy") == (2, 0.9)
    assert h.best("loss", mode="max") == (1, 3.0)
    with pytest.raises(KeyError, match="val_loss"):
        h.best("val_loss")
    assert dict(h) == {"loss": [3.0, 1.0, 2.0], "accuracy": [0.2, 0.9, 0.5]}


def test_device_argument_moves_batches(regression):
    model, data = regression
    history = fit(model, nn.MSELoss(), _sgd(model), data, epochs=1, device="cpu",
                  progress=False)
    assert history.epochs == 1

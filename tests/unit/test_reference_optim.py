"""Reference SGD and Adam vs torch.optim, step by step on the same model and data."""

import copy
import io

import pytest
import torch
from torch import nn

import course
from grader.reference.optim import SGD, Adam

STEPS = 20

CASES = {  # name: (ours, torch's, keyword arguments)
    "sgd": (SGD, torch.optim.SGD, {"lr": 0.1}),
    "sgd_momentum": (SGD, torch.optim.SGD, {"lr": 0.05, "momentum": 0.9}),
    "adam": (Adam, torch.optim.Adam, {"lr": 0.01, "betas": (0.8, 0.99), "eps": 1e-6}),
    "adam_defaults": (Adam, torch.optim.Adam, {"lr": 1e-3}),
}


def _model() -> nn.Module:
    course.seed_everything(0)
    return nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2)).double()


def _data():
    g = torch.Generator().manual_seed(1)
    x = torch.randn(STEPS, 8, 3, generator=g, dtype=torch.float64)
    return x, x.sum(-1, keepdim=True).repeat(1, 1, 2).sin()                # (STEPS, 8, 2)


def _groups(model, lr):
    """Two parameter groups; the second with 3x the learning rate."""
    return [{"params": model[0].parameters()},
            {"params": model[2].parameters(), "lr": 3 * lr}]


def _step(model, optimizer, x, y):
    optimizer.zero_grad()
    loss = ((model(x) - y) ** 2).mean()
    loss.backward()
    optimizer.step()


def _assert_same_parameters(a, b, step):
    for (name, p), q in zip(a.named_parameters(), b.parameters()):
        torch.testing.assert_close(p, q, rtol=0, atol=1e-6, msg=f"{name} after step {step}")


@pytest.mark.parametrize("case", sorted(CASES))
def test_matches_torch_step_by_step_with_two_groups(case):
    ours_cls, torch_cls, kwargs = CASES[case]
    ours, theirs = _model(), _model()
    opt = ours_cls(_groups(ours, kwargs["lr"]), **kwargs)
    opt_ref = torch_cls(_groups(theirs, kwargs["lr"]), **kwargs)
    x, y = _data()
    for step in range(STEPS):
        _step(ours, opt, x[step], y[step])
        _step(theirs, opt_ref, x[step], y[step])
        _assert_same_parameters(ours, theirs, step + 1)
    assert opt.param_groups[1]["lr"] == 3 * kwargs["lr"]


def _save(obj):
    buffer = io.BytesIO()
    torch.save(obj, buffer)
    buffer.seek(0)
    return buffer


@pytest.mark.parametrize("case", ["sgd_momentum", "adam"])
def test_state_dict_round_trip_continues_identically(case):
    ours_cls, _, kwargs = CASES[case]
    x, y = _data()
    straight = _model()
    opt = ours_cls(_groups(straight, kwargs["lr"]), **kwargs)
    for step in range(STEPS):
        _step(straight, opt, x[step], y[step])

    first = _model()
    opt = ours_cls(_groups(first, kwargs["lr"]), **kwargs)
    for step in range(STEPS // 2):
        _step(first, opt, x[step], y[step])
    saved_model, saved_opt = _save(first.state_dict()), _save(opt.state_dict())

    resumed = _model()                                      # fresh weights and optimizer
    opt = ours_cls(_groups(resumed, kwargs["lr"]), **kwargs)
    resumed.load_state_dict(torch.load(saved_model))
    opt.load_state_dict(torch.load(saved_opt))
    for step in range(STEPS // 2, STEPS):
        _step(resumed, opt, x[step], y[step])
    _assert_same_parameters(resumed, straight, STEPS)


@pytest.mark.parametrize("case", sorted(CASES))
def test_parameters_without_gradient_are_skipped(case):
    ours_cls, _, kwargs = CASES[case]
    model = _model()
    unused = nn.Parameter(torch.ones(2, dtype=torch.float64))
    opt = ours_cls([*model.parameters(), unused], **kwargs)
    x, y = _data()
    _step(model, opt, x[0], y[0])
    assert unused.grad is None
    assert torch.equal(unused, torch.ones(2, dtype=torch.float64))
    assert unused not in opt.state


@pytest.mark.parametrize("case", ["sgd_momentum", "adam"])
def test_closure_is_evaluated_like_torch(case):
    ours_cls, torch_cls, kwargs = CASES[case]
    x, y = _data()
    results = []
    for model, cls in [(_model(), ours_cls), (_model(), torch_cls)]:
        opt = cls(model.parameters(), **kwargs)

        def closure():
            opt.zero_grad()
            loss = ((model(x[0]) - y[0]) ** 2).mean()
            loss.backward()
            return loss

        results.append((opt.step(closure), model))
    (loss, ours), (loss_ref, theirs) = results
    torch.testing.assert_close(loss, loss_ref)
    _assert_same_parameters(ours, theirs, 1)


def test_sgd_momentum_keeps_old_learning_rates_in_the_velocity():
    """Lecture form: Delta_2 = gamma Delta_1 + eta_2 g; torch would use eta_2 * buf."""
    w = nn.Parameter(torch.zeros(1, dtype=torch.float64))
    opt = SGD([w], lr=0.1, momentum=0.5)
    for lr in (0.1, 0.01):
        opt.param_groups[0]["lr"] = lr
        opt.zero_grad()
        (2.0 * w).sum().backward()                           # constant gradient 2
        opt.step()
    delta1 = 0.1 * 2
    delta2 = 0.5 * delta1 + 0.01 * 2
    torch.testing.assert_close(w.detach(), torch.tensor([-(delta1 + delta2)],
                                                        dtype=torch.float64))


@pytest.mark.parametrize("make, error, match", [
    (lambda p: SGD(p, lr=0), ValueError, "lr must be > 0"),
    (lambda p: SGD(p, lr=-0.1), ValueError, "lr"),
    (lambda p: SGD(p, lr="0.1"), TypeError, "lr must be a real number"),
    (lambda p: SGD(p, lr=0.1, momentum=1.0), ValueError, "momentum must be < 1"),
    (lambda p: SGD(p, lr=0.1, momentum=-0.1), ValueError, "momentum must be >= 0"),
    (lambda p: SGD([{"params": p, "lr": -1.0}], lr=0.1), ValueError, "lr must be > 0"),
    (lambda p: Adam(p, lr=0.0), ValueError, "lr"),
    (lambda p: Adam(p, betas=(1.0, 0.999)), ValueError, r"betas\[0\] must be < 1"),
    (lambda p: Adam(p, betas=(0.9, -0.5)), ValueError, r"betas\[1\] must be >= 0"),
    (lambda p: Adam(p, betas=(0.9,)), ValueError, "pair"),
    (lambda p: Adam(p, betas=0.9), TypeError, "pair"),
    (lambda p: Adam(p, eps=0.0), ValueError, "eps must be > 0"),
])
def test_bad_hyper_parameters_raise(make, error, match):
    with pytest.raises(error, match=match):
        make(list(_model().parameters()))


def test_bad_group_added_later_is_refused_and_not_kept():
    model = _model()
    opt = Adam(model[0].parameters())
    with pytest.raises(ValueError, match="eps"):
        opt.add_param_group({"params": model[2].parameters(), "eps": -1.0})
    assert len(opt.param_groups) == 1
    opt.add_param_group({"params": model[2].parameters(), "lr": 0.1})
    assert opt.param_groups[1]["lr"] == 0.1 and opt.param_groups[1]["betas"] == (0.9, 0.999)


def test_state_dict_is_a_deep_copyable_mapping():
    model = _model()
    opt = SGD(model.parameters(), lr=0.1, momentum=0.9)
    x, y = _data()
    _step(model, opt, x[0], y[0])
    state = copy.deepcopy(opt.state_dict())
    assert set(state) == {"state", "param_groups"}
    assert all("delta" in s for s in state["state"].values())

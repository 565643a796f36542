"""Reference activations vs torch: values, autograd gradients, analytic derivatives."""

import pytest
import torch
import torch.nn.functional as F

import course
from grader.reference import activations as A

# x = 0 is included on purpose: the kinks and where-branches must agree with torch there.
GRID = torch.cat([torch.linspace(-6, 6, 121), torch.tensor([-1000.0, -80.0, -30.0, -1e-8,
                                                            0.0, 1e-8, 30.0, 80.0, 1000.0])])

TORCH = {
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "relu": F.relu,
    "leaky_relu": F.leaky_relu,
    "elu": F.elu,
    "selu": F.selu,
    "silu": F.silu,
    "gelu": F.gelu,
    "gelu_tanh": lambda x: F.gelu(x, approximate="tanh"),
    "softplus": F.softplus,
}

PARAMETRISED = [  # (ours, ours', torch) with non-default parameters
    (lambda x: A.leaky_relu(x, 0.2), lambda x: A.leaky_relu_grad(x, 0.2),
     lambda x: F.leaky_relu(x, 0.2)),
    (lambda x: A.elu(x, 0.5), lambda x: A.elu_grad(x, 0.5), lambda x: F.elu(x, 0.5)),
]


def _value_and_grad(f, x):
    x = x.clone().requires_grad_(True)
    y = f(x)
    (g,) = torch.autograd.grad(y.sum(), x)
    return y.detach(), g


def _compare(ours, ours_prime, reference):
    x = GRID.double()
    y, g = _value_and_grad(ours, x)
    y_ref, g_ref = _value_and_grad(reference, x)
    torch.testing.assert_close(y, y_ref, rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(g, g_ref, rtol=1e-10, atol=1e-12)
    torch.testing.assert_close(ours_prime(x), g_ref, rtol=1e-10, atol=1e-12)
    assert torch.isfinite(y).all() and torch.isfinite(g).all()


def test_every_activation_has_a_torch_counterpart():
    assert set(A.ACTIVATIONS) == set(TORCH)


@pytest.mark.parametrize("name", sorted(TORCH))
def test_activation_matches_torch(name):
    f, f_prime = A.ACTIVATIONS[name]
    _compare(f, f_prime, TORCH[name])


@pytest.mark.parametrize("case", range(len(PARAMETRISED)))
def test_parametrised_activation_matches_torch(case):
    _compare(*PARAMETRISED[case])


def test_float32_large_inputs_stay_finite():
    x = torch.tensor([-1e4, -100.0, 0.0, 100.0, 1e4])
    for name, (f, f_prime) in A.ACTIVATIONS.items():
        y, g = _value_and_grad(f, x)
        assert torch.isfinite(y).all() and torch.isfinite(g).all(), name
        assert torch.isfinite(f_prime(x)).all(), name


def test_gelu_rejects_unknown_approximation():
    with pytest.raises(ValueError, match="approximate"):
        A.gelu(torch.zeros(2), approximate="erf")


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_softmax_and_log_softmax_match_torch(dim):
    course.seed_everything(0)
    x = torch.randn(4, 5, dtype=torch.float64) * 3
    w = torch.randn(4, 5, dtype=torch.float64)  # weight the outputs: non-trivial gradients
    for ours, ref in [(A.softmax, F.softmax), (A.log_softmax, F.log_softmax)]:
        y, g = _value_and_grad(lambda t: ours(t, dim) * w, x)
        y_ref, g_ref = _value_and_grad(lambda t: ref(t, dim) * w, x)
        torch.testing.assert_close(y, y_ref)
        torch.testing.assert_close(g, g_ref)


def test_softmax_is_stable_for_large_logits():
    x = torch.tensor([[1000.0, 999.0, -1000.0], [1000.0, 1000.0, 1000.0]])
    torch.testing.assert_close(A.softmax(x), F.softmax(x, dim=-1))
    torch.testing.assert_close(A.log_softmax(x), F.log_softmax(x, dim=-1))
    assert torch.isfinite(A.log_softmax(x)).all()


@pytest.mark.parametrize("dim", [0, -1])
def test_softmax_jacobians_match_autograd(dim):
    course.seed_everything(1)
    x = torch.randn(3, 4, dtype=torch.float64)
    for ours, ours_grad in [(A.softmax, A.softmax_grad), (A.log_softmax, A.log_softmax_grad)]:
        moved = x.movedim(dim, -1)                                        # (..., C)
        for row in range(moved.shape[0]):
            jac = torch.autograd.functional.jacobian(lambda v: ours(v, -1), moved[row])
            torch.testing.assert_close(ours_grad(x, dim)[row], jac)

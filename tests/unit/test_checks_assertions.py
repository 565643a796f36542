"""course.checks.assertions: each helper passes good input, explains each kind of bad
input, and cannot be fooled by patched libraries or by objects that lie."""

import math

import numpy as np
import pytest
import torch

from course import checks
from course.checks import assertions
from course.checks.assertions import CheckFailed

T = torch.tensor


def failure(fn, *args, **kwargs) -> CheckFailed:
    """The CheckFailed raised by ``fn(*args, **kwargs)``."""
    with pytest.raises(CheckFailed) as info:
        fn(*args, **kwargs)
    return info.value


# --- assert_tensor -------------------------------------------------------------------

def test_assert_tensor_accepts_tensors_and_parameters():
    x = T([1.0, 2.0])
    assert checks.assert_tensor(x, "x") is x
    checks.assert_tensor(torch.nn.Parameter(x), "w")


@pytest.mark.parametrize("value, words, cause", [
    (np.zeros(3), ["numpy array", "(3,)"], "numpy"),
    ([1.0, 2.0], ["Python list", "length 2"], "list"),
    (None, ["None"], "none"),
    (0.5, ["number", "0.5"], "item"),
    ("tensor", ["str"], "fake_tensor"),
])
def test_assert_tensor_rejects_non_tensors(value, words, cause):
    err = failure(checks.assert_tensor, value, "bce(p, t)")
    assert err.message.startswith("bce(p, t) should be a torch.Tensor")
    assert all(w in err.message for w in words)
    assert err.cause == cause and checks.CAUSES[cause] in str(err)


def test_numpy_rejection_hints_at_conversion():
    assert "torch.from_numpy" in str(failure(checks.assert_tensor, np.ones(2), "x"))


def test_assert_tensor_rejects_subclasses_and_sparse():
    class Mine(torch.Tensor):
        pass
    err = failure(checks.assert_tensor, T([1.0]).as_subclass(Mine), "x")
    assert err.cause == "subclass" and "subclass of torch.Tensor" in err.message
    assert failure(checks.assert_tensor, T([1.0, 0.0]).to_sparse(), "x").cause == "sparse"


# --- shape, dtype, device -------------------------------------------------------------

def test_assert_shape_accepts_wildcards():
    checks.assert_shape(torch.zeros(4, 3), (4, 3), "x")
    checks.assert_shape(torch.zeros(4, 3), (None, 3), "x")
    checks.assert_shape(torch.zeros(4, 3), torch.Size([4, 3]), "x")


@pytest.mark.parametrize("got, expected, cause, advice", [
    ((5, 1), (5,), "extra_dim", ".squeeze(-1)"),
    ((5, 1), (None,), "extra_dim", ".squeeze(-1)"),
    ((5,), (5, 1), "missing_dim", ".unsqueeze(-1)"),
    ((5, 5), (5,), "broadcast", "(N, N)"),
    ((3, 4), (4, 3), "transposed", ".T"),
    ((), (5,), "reduced", ".mean()"),
    ((5,), (), "not_reduced", ".mean()"),
    ((1,), (), "singleton", ".squeeze()"),
    ((2, 6), (3, 4), "reshape", "view"),
    ((7,), (5,), "shape", "x.shape"),
])
def test_assert_shape_names_the_likely_mistake(got, expected, cause, advice):
    err = failure(checks.assert_shape, torch.zeros(got), expected, "out")
    assert err.cause == cause and advice in str(err)
    assert f"out has shape {assertions._shape_text(got)}" in err.message


def test_assert_shape_rejects_bad_expected_shapes():
    with pytest.raises(TypeError, match="shape"):
        checks.assert_shape(torch.zeros(2), 2, "x")
    with pytest.raises(ValueError, match="every size in shape"):
        checks.assert_shape(torch.zeros(2), (-1,), "x")


def test_assert_dtype():
    checks.assert_dtype(torch.zeros(2), torch.float32, "x")
    checks.assert_dtype(torch.zeros(2, dtype=torch.float64), (torch.float32, torch.float64), "x")
    err = failure(checks.assert_dtype, T([1, 2]), torch.float32, "x")
    assert "x has dtype torch.int64, expected torch.float32" in err.message
    assert err.cause == "int_dtype" and ".float()" in str(err)
    assert failure(checks.assert_dtype, T([1.0]), torch.int64, "y").cause == "float_dtype"
    with pytest.raises(TypeError, match="dtype"):
        checks.assert_dtype(T([1.0]), "float32", "x")


def test_assert_device():
    checks.assert_device(torch.zeros(2), "cpu", "x")
    checks.assert_device(torch.zeros(2), torch.device("cpu"), "x")
    err = failure(checks.assert_device, torch.zeros(2), "cuda", "x")
    assert "x is on device cpu, expected cuda" in err.message and "device=x.device" in str(err)
    with pytest.raises(ValueError, match="device"):
        checks.assert_device(torch.zeros(2), "gpu7", "x")


# --- assert_close: passing ---------------------------------------------------------

@pytest.mark.parametrize("actual, expected", [
    (T([0.1, 0.2]), T([0.1, 0.2])),
    (T([0.1, 0.2]), T([0.1, 0.2], dtype=torch.float64)),     # same dtype family
    (T([1.0, 2.0]) + 5e-7, T([1.0, 2.0])),                    # inside the tolerance
    (T(0.5, requires_grad=True) * 1, 0.5),                    # 0-d tensor vs number
    (0.5, 0.5), (3, 3.0), (np.float32(0.25), 0.25),
    (np.array([1.0, 2.0]), np.array([1.0, 2.0])),
    (T([1.0, float("nan"), float("inf")]), T([1.0, float("nan"), float("inf")])),
    (T([True, False]), T([True, False])),
    (T([1, 2]), T([1, 2])),
])
def test_assert_close_passes(actual, expected):
    checks.assert_close(actual, expected, name="r")


def test_assert_close_tolerances_are_respected():
    checks.assert_close(T([1.01]), T([1.0]), name="r", rtol=0.02)
    checks.assert_close(T([1.01]), T([1.0]), name="r", atol=0.02)
    failure(checks.assert_close, T([1.01]), T([1.0]), name="r")


# --- assert_close: failing --------------------------------------------------------------

def test_wrong_values_show_expected_got_and_max_diff():
    err = failure(checks.assert_close, T([0.2, 0.5, 0.7]), T([0.2, 0.9, 0.6]), name="f(x)")
    text = err.message
    assert "f(x) has wrong values: 2 of 3 elements differ" in text
    assert "max abs diff 0.4 at index (1,): got 0.5, expected 0.9" in text
    assert "expected: shape (3,), torch.float32: [0.2, 0.9, 0.6]" in text
    assert "got:      shape (3,), torch.float32: [0.2, 0.5, 0.7]" in text


def test_max_diff_is_taken_over_failing_elements():
    expected = T([1000.0, 0.0], dtype=torch.float64)
    err = failure(checks.assert_close, expected + T([0.005, 0.001], dtype=torch.float64),
                  expected, name="y")
    assert "1 of 2 elements" in err.message and "max abs diff 0.001 at index (1,)" in err.message


def test_wrong_scalar_value():
    err = failure(checks.assert_close, T(0.3), 0.7, name="loss")
    assert "loss has the wrong value: got 0.3, expected 0.7 (max abs diff 0.4" in err.message


def test_index_of_max_diff_in_a_matrix_and_long_preview():
    expected = torch.zeros(4, 5)
    actual = expected.clone()
    actual[2, 3] = 9.0
    err = failure(checks.assert_close, actual, expected, name="m")
    assert "at index (2, 3)" in err.message and "1 of 20 elements" in err.message
    assert "[0, 0, 0, 0, 0, 0, ...]" in err.message


def test_n1_versus_n_is_explained():
    expected = T([1.0, 2.0, 3.0])
    err = failure(checks.assert_close, expected.view(3, 1), expected, name="pred")
    assert "pred has the wrong shape: expected (3,), got (3, 1)" in err.message
    assert err.cause == "extra_dim" and "(N, N)" in str(err)
    err = failure(checks.assert_close, expected.view(3, 1) - expected, expected, name="diff")
    assert err.cause == "broadcast"


@pytest.mark.parametrize("actual, cause, words", [
    (T([1, 2]), "int_dtype", "has dtype torch.int64, expected a floating-point dtype"),
    (T([True, False]), "bool_dtype", "has dtype torch.bool"),
    (T([1.0, float("nan")]), "nan", "contains nan at index (1,) (1 of 2 values"),
    (T([1.0, float("inf")]), "inf", "contains inf at index (1,)"),
    (T([-1.0, -2.0]), "sign", "every value has the opposite sign"),
    (T([3.0, 6.0]), "scale", "every value is the expected one times 3"),
    (np.array([1.0, 2.0]), "numpy", "should be a torch.Tensor, but it is a numpy array"),
])
def test_assert_close_failure_kinds(actual, cause, words):
    err = failure(checks.assert_close, actual, T([1.0, 2.0]), name="y")
    assert err.cause == cause and words in err.message


def test_expected_nan_must_be_matched():
    err = failure(checks.assert_close, T([1.0]), T([float("nan")]), name="y")
    assert "y should be nan at index (0,), but it is 1" in err.message


def test_kind_of_expected_decides_what_is_accepted():
    err = failure(checks.assert_close, T([1.0]), np.array([1.0]), name="a")
    assert err.cause == "tensor_not_numpy" and ".numpy()" in str(err)
    err = failure(checks.assert_close, [1.0], 1.0, name="n")
    assert err.cause == "list" and "should be a number" in err.message
    err = failure(checks.assert_close, T([1.0, 2.0]), 1.5, name="loss")
    assert err.cause == "not_reduced"
    err = failure(checks.assert_close, T(1.0, dtype=torch.float64), T(1.0), name="n",
                  exact_dtype=True)
    assert "expected exactly torch.float32" in err.message


def test_assert_close_rejects_bad_arguments():
    with pytest.raises(ValueError, match="rtol"):
        checks.assert_close(T(1.0), T(1.0), name="x", rtol=-1)
    with pytest.raises(TypeError, match="name"):
        checks.assert_close(T(1.0), T(1.0), name=3)
    with pytest.raises(TypeError, match="expected must be a torch.Tensor, a numpy array"):
        checks.assert_close(T(1.0), [1.0], name="x")


# --- gradients ------------------------------------------------------------------------

def _square_sum(x):
    return (x ** 2).sum()


class _WrongSquare(torch.autograd.Function):
    """sum(x**2) whose backward forgets the factor 2."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return (x ** 2).sum()

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * x


def test_grad_close_against_given_gradients_and_finite_differences():
    x = T([1.0, -2.0, 3.0])
    checks.assert_grad_close(_square_sum, x, [2 * x], name="square")
    checks.assert_grad_close(_square_sum, x, name="square")
    w, b = T([[0.5, -1.0], [2.0, 0.1]]), T([0.3, -0.2])
    checks.assert_grad_close(lambda w, b: torch.tanh(w @ b).sum(), [w, b], name="layer")


def test_wrong_analytic_gradient_fails():
    x = T([1.0, -2.0, 3.0])
    err = failure(checks.assert_grad_close, _WrongSquare.apply, x, name="square")
    assert "the gradient of square w.r.t. input 0 has wrong values" in err.message
    assert "finite differences" in err.message and err.cause == "wrong_gradient"
    err = failure(checks.assert_grad_close, _WrongSquare.apply, x, [2 * x], name="square")
    assert err.cause == "wrong_gradient"


def test_grad_close_explains_unusable_outputs():
    x = T([1.0, 2.0])
    assert failure(checks.assert_grad_close, lambda x: x ** 2, x).cause == "not_reduced"
    err = failure(checks.assert_grad_close, lambda x: x.detach().sum(), x, [x])
    assert err.cause == "detached_output"
    err = failure(checks.assert_grad_close, lambda x: x.sum() @ x, x, [x], name="f")
    assert isinstance(err, checks.StudentCodeError) and "f(float32 tensor" in err.message


def test_grad_close_rejects_bad_arguments():
    with pytest.raises(ValueError, match="one gradient per input"):
        checks.assert_grad_close(_square_sum, T([1.0]), [T([1.0]), T([1.0])])
    with pytest.raises(TypeError, match="floating point"):
        checks.assert_grad_close(_square_sum, T([1, 2]))


# --- optimisers -------------------------------------------------------------------------

class _SGD:
    """Hand-written SGD with momentum; ``mistake`` selects a deliberate bug."""

    def __init__(self, params, lr, momentum=0.0, mistake=None):
        self.params, self.lr, self.momentum, self.mistake = list(params), lr, momentum, mistake
        self.buffers = [None] * len(self.params)

    def step(self):
        with torch.no_grad():
            for i, p in enumerate(self.params):
                g = p.grad
                if self.momentum and self.mistake != "no_state":
                    buf = self.buffers[i]
                    g = self.buffers[i] = g.clone() if buf is None else self.momentum * buf + g
                if self.mistake == "rebind":
                    p = p - self.lr * g                                     # noqa: F841
                elif self.mistake == "sign":
                    p += self.lr * g
                else:
                    p -= self.lr * g


def _params():
    return [T([1.0, -2.0, 3.0]), T([[0.5, 0.1], [0.2, -0.3]])]


def _loss(params):
    return (params[0] ** 2).sum() + torch.sin(params[1]).sum()


def _sgd_matches(mistake=None, steps=4):
    checks.assert_optimizer_step_matches(
        lambda ps: _SGD(ps, lr=0.1, momentum=0.9, mistake=mistake),
        lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9), _params, _loss, steps,
        name="SGD")


def test_optimizer_matches_itself_and_a_correct_implementation():
    for make in (lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9, weight_decay=0.01),
                 lambda ps: torch.optim.Adam(ps, lr=0.01)):
        checks.assert_optimizer_step_matches(make, make, _params, _loss, steps=5)
    _sgd_matches()


@pytest.mark.parametrize("mistake, step, cause", [
    ("sign", 1, "optimizer_update"),
    ("rebind", 1, "params_unchanged"),
    ("no_state", 2, "optimizer_state"),
])
def test_optimizer_mistakes_are_located(mistake, step, cause):
    err = failure(_sgd_matches, mistake)
    assert f"SGD: parameter 0 (shape (3,)) after step {step} of 4" in err.message
    assert err.cause == cause


def test_optimizer_errors_are_reported():
    class Broken(_SGD):
        def step(self):
            raise RuntimeError("boom")
    err = failure(checks.assert_optimizer_step_matches, lambda ps: Broken(ps, lr=0.1),
                  lambda ps: torch.optim.SGD(ps, lr=0.1), _params, _loss)
    assert "raised RuntimeError: boom" in err.message


# --- training ---------------------------------------------------------------------------

def _regression_step(lr, zero_grad=True):
    """A step function fitting y = x @ w with torch's SGD."""
    model = torch.nn.Linear(3, 1)
    x = torch.randn(64, 3)
    y = x @ T([[1.0], [2.0], [-1.0]])
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)

    def step():
        if zero_grad:
            optimizer.zero_grad()
        loss = ((model(x) - y) ** 2).mean()
        loss.backward()
        optimizer.step()
        return loss
    return step


def test_loss_decreases_passes_for_a_working_loop():
    torch.manual_seed(0)
    checks.assert_loss_decreases(_regression_step(0.1), 40, seed=0, factor=0.1)


@pytest.mark.parametrize("step_fn, cause", [
    (_regression_step(1e-4), "slow_decrease"),
    (_regression_step(10.0), "diverged"),
    (lambda: 1.0, "not_decreasing"),
])
def test_loss_decreases_fails_with_a_reason(step_fn, cause):
    err = failure(checks.assert_loss_decreases, step_fn, 40, seed=0)
    assert err.cause == cause and "trajectory" in err.message


def test_loss_decreases_restores_the_rngs_and_checks_arguments():
    torch.manual_seed(1)
    expected = torch.rand(3)
    torch.manual_seed(1)
    checks.assert_loss_decreases(iter([1.0, 0.1]).__next__, 2, seed=5)
    assert torch.equal(torch.rand(3), expected)
    assert failure(checks.assert_loss_decreases, lambda: T([1.0, 2.0]), 3, seed=0).cause \
        == "not_reduced"
    with pytest.raises(ValueError, match="steps"):
        checks.assert_loss_decreases(lambda: 1.0, 1, seed=0)
    with pytest.raises(ValueError, match="factor"):
        checks.assert_loss_decreases(lambda: 1.0, 3, seed=0, factor=2)


# --- models -----------------------------------------------------------------------

def _classifier():
    return torch.nn.Sequential(torch.nn.Linear(10, 10), torch.nn.ReLU(),
                               torch.nn.Linear(10, 1), torch.nn.Sigmoid())


def test_param_count():
    model = _classifier()
    checks.assert_param_count(model, 121)
    err = failure(checks.assert_param_count, model, 131, name="net")
    assert "net has 121 parameters, expected 131 (difference -10)" in err.message
    assert "0.weight: shape (10, 10), 100" in err.message
    model[0].weight.requires_grad_(False)
    checks.assert_param_count(model, 21, trainable_only=True)
    assert failure(checks.assert_param_count, "model", 1).cause == "not_module"


def test_module_structure():
    layers = [torch.nn.Linear, torch.nn.ReLU, torch.nn.Linear, torch.nn.Sigmoid]
    checks.assert_module_structure(_classifier(), layers)
    err = failure(checks.assert_module_structure, _classifier(), layers[:2])
    assert "has layers Linear, ReLU, Linear, Sigmoid; expected Linear, ReLU" in err.message


# --- calling student code ---------------------------------------------------------------

def test_call_reports_exceptions_with_the_inputs():
    def bce(p, t):
        return (t * torch.log(p[:2])).mean()
    err = failure(checks.call, bce, T([0.2, 0.9, 0.6]), T([0.0, 1.0, 1.0]))
    assert "your function raised RuntimeError: The size of tensor a" in err.message
    assert "while called as bce(float32 tensor of shape (3,), float32 tensor" in err.message
    assert "at line" in err.message and err.cause == "broadcast_error"
    assert isinstance(err.error, RuntimeError)


def test_call_explains_stubs_and_non_functions():
    def stub(x):
        raise NotImplementedError()
    assert failure(checks.call, stub, 1).cause == "not_implemented"
    err = failure(checks.call, 0.5)
    assert "the answer should be a function, but it is 0.5" in err.message


# --- hardening ----------------------------------------------------------------------------

_ALWAYS_PASSING = {
    (torch, "allclose"): lambda *a, **k: True,
    (torch, "isclose"): lambda a, b, **k: torch.ones_like(a, dtype=torch.bool),
    (torch, "equal"): lambda *a, **k: True,
    (torch.testing, "assert_close"): lambda *a, **k: None,
    (np, "allclose"): lambda *a, **k: True,
    (np, "isclose"): lambda *a, **k: True,
    (np, "array_equal"): lambda *a, **k: True,
    (np.testing, "assert_allclose"): lambda *a, **k: None,
    (np.testing, "assert_array_equal"): lambda *a, **k: None,
    (np, "abs"): lambda x, *a, **k: x * 0,
    (np, "absolute"): lambda x, *a, **k: x * 0,
    (np, "subtract"): lambda x, y, *a, **k: x * 0,
    (np, "max"): lambda *a, **k: 0.0,
    (np, "any"): lambda *a, **k: False,
    (np, "all"): lambda *a, **k: True,
    (np, "isfinite"): lambda x, *a, **k: True,
    (np, "isnan"): lambda x, *a, **k: False,
    (np, "array"): lambda *a, **k: np.zeros(1),
    (torch.Tensor, "__eq__"): lambda self, other: True,
    (torch.Tensor, "detach"): lambda self: torch.zeros(()),
    (torch.Tensor, "numpy"): lambda self, **k: np.zeros(1),
    (torch.Tensor, "cpu"): lambda self: torch.zeros(()),
}


def test_patched_comparison_functions_do_not_make_wrong_answers_pass(monkeypatch):
    got, want = np.array([1.0, 3.0]), np.array([1.0, 2.0])     # built before patching
    for (owner, attribute), fake in _ALWAYS_PASSING.items():
        monkeypatch.setattr(owner, attribute, fake)
    err = failure(checks.assert_close, T([0.2, 0.5, 0.7]), T([0.2, 0.9, 0.6]), name="f(x)")
    assert "max abs diff 0.4" in err.message
    failure(checks.assert_close, T([1.0, float("nan")]), T([1.0, 2.0]), name="f(x)")
    failure(checks.assert_close, got, want, name="a")
    failure(checks.assert_close, 0.3, 0.7, name="loss")
    failure(checks.assert_grad_close, _WrongSquare.apply, T([1.0, 2.0]), name="sq")
    checks.assert_close(T([0.2, 0.9]), T([0.2, 0.9]), name="f(x)")   # still passes


class _AlwaysEqual:
    """Claims to be equal to (and close to) anything."""
    shape = (3,)
    dtype = torch.float32

    def __eq__(self, other):
        return True

    def __bool__(self):
        return True

    __ne__ = __lt__ = __le__ = __gt__ = __ge__ = lambda self, other: False
    __sub__ = __rsub__ = __abs__ = lambda self, *other: 0.0
    __hash__ = object.__hash__


class _LyingFloat(float):
    def __eq__(self, other):
        return True

    def __sub__(self, other):
        return 0.0

    __rsub__ = __sub__
    __hash__ = float.__hash__


class _LyingTensor(torch.Tensor):
    def __eq__(self, other):
        return torch.ones_like(other, dtype=torch.bool)

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        return torch.zeros(())


class _LyingMeta(type):
    def __eq__(cls, other):
        return True

    def __hash__(cls):
        return hash(float)


class _LyingArray(np.ndarray):
    def __eq__(self, other):
        return np.ones(3, dtype=bool)


@pytest.mark.parametrize("actual, expected", [
    (_AlwaysEqual(), T([1.0, 2.0, 3.0])),
    (_AlwaysEqual(), 2.0),
    (_LyingFloat(0.1), 2.0),
    (T([9.0, 9.0, 9.0]).as_subclass(_LyingTensor), T([1.0, 2.0, 3.0])),
    (_LyingMeta("Fake", (), {})(), 2.0),
    (np.zeros(3).view(_LyingArray), np.array([1.0, 2.0, 3.0])),
])
def test_objects_that_lie_about_equality_fail(actual, expected):
    failure(checks.assert_close, actual, expected, name="answer")


def test_checks_cannot_be_rebound():
    with pytest.raises(AttributeError, match="read-only"):
        checks.assert_close = lambda *a, **k: None
    with pytest.raises(AttributeError, match="read-only"):
        assertions._compare = lambda *a, **k: None
    with pytest.raises(AttributeError, match="read-only"):
        del checks.verify
    assert checks.tampered() == []


def test_modified_internals_stop_every_check():
    namespace = vars(assertions)
    original = namespace["_compare"]
    namespace["_compare"] = lambda *a, **k: None
    try:
        assert "course.checks.assertions._compare" in " ".join(checks.tampered())
        err = failure(checks.assert_close, T([1.0]), T([2.0]), name="x")
        assert err.cause == "tampered" and "Restart the kernel" in str(err)
    finally:
        namespace["_compare"] = original
    assert checks.tampered() == []


def test_modified_defaults_and_code_are_detected():
    defaults = dict(checks.assert_close.__kwdefaults__)
    checks.assert_close.__kwdefaults__["atol"] = 1e9
    try:
        assert failure(checks.assert_close, T([1.0]), T([2.0]), name="x").cause == "tampered"
    finally:
        checks.assert_close.__kwdefaults__.update(defaults)
    code = checks.assert_shape.__code__
    checks.assert_shape.__code__ = (lambda x, shape, name="result": None).__code__
    try:
        assert failure(checks.assert_tensor, T([1.0]), "x").cause == "tampered"
    finally:
        checks.assert_shape.__code__ = code
    assert checks.tampered() == []
    checks.assert_close(T([1.0]), T([1.0]), name="x")


def test_a_replaced_package_is_detected(monkeypatch):
    import course
    monkeypatch.setattr(course, "checks", object())
    assert "course.checks was replaced in course" in checks.tampered()
    monkeypatch.undo()
    assert checks.tampered() == []


def test_failures_pickle_and_unreadable_tensors_fail_cleanly():
    import pickle
    err = pickle.loads(pickle.dumps(CheckFailed("m", cause="nan", hint="h")))
    assert (err.message, err.cause, err.hint) == ("m", "nan", "h")
    err = failure(checks.call, lambda: 1 / 0)
    assert pickle.loads(pickle.dumps(err)).message == err.message
    err = failure(checks.assert_close, torch.empty(2, device="meta"), torch.zeros(2), name="x")
    assert "cannot be read" in err.message


def test_importing_checks_stays_light():
    import subprocess
    import sys
    code = "import sys, course.checks; print(' '.join(sys.modules))"
    loaded = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                            text=True).stdout.split()
    assert not {"torchvision", "matplotlib", "ipywidgets"} & set(loaded)


def test_float_formatting_helpers():
    assert assertions._shape_text(()) == "()" and assertions._shape_text((3,)) == "(3,)"
    assert assertions._unravel(7, (2, 5)) == (1, 2)
    assert assertions._nice(3.0) and assertions._nice(1 / 7) and not assertions._nice(1.391)
    assert not math.isnan(assertions._scalar(np.float64(2.5), "x") - 2.5)


# --- assert_raises -------------------------------------------------------------------

def _strict_sqrt(x):
    if x < 0:
        raise ValueError("x must be >= 0")
    return x ** 0.5


def test_assert_raises_passes_when_the_expected_error_is_raised():
    checks.assert_raises(ValueError, _strict_sqrt, -1)
    checks.assert_raises((TypeError, ValueError), _strict_sqrt, -1)


def test_assert_raises_fails_when_nothing_is_raised():
    with pytest.raises(checks.CheckFailed, match=r"_strict_sqrt\(.*\) returned normally; "
                                                  r"expected it to raise a ValueError"):
        checks.assert_raises(ValueError, _strict_sqrt, 4)


def test_assert_raises_fails_on_the_wrong_kind_of_error():
    with pytest.raises(checks.CheckFailed, match="raised TypeError: .*expected a ValueError"):
        checks.assert_raises(ValueError, _strict_sqrt, "four")


# --- thresholds ------------------------------------------------------------------------

def test_assert_less_and_greater_accept_numbers_and_one_element_tensors():
    assert checks.assert_less(torch.tensor(0.004), 0.01, name="held-out MSE") == pytest.approx(0.004)
    assert checks.assert_greater(0.93, 0.9, name="accuracy") == 0.93


def test_threshold_failures_say_value_and_bound():
    with pytest.raises(CheckFailed, match=r"held-out MSE is 0\.5; it must be below 0\.01"):
        checks.assert_less(0.5, 0.01, name="held-out MSE")
    with pytest.raises(CheckFailed, match=r"AUC is 0\.7; it must be above 0\.82"):
        checks.assert_greater(torch.tensor([0.7]), 0.82, name="AUC")


def test_nan_never_passes_a_threshold():
    with pytest.raises(CheckFailed):
        checks.assert_less(float("nan"), 1.0)
    with pytest.raises(CheckFailed):
        checks.assert_greater(float("nan"), 0.0)


def test_a_batch_of_values_is_not_a_scalar():
    with pytest.raises(CheckFailed, match="single real number"):
        checks.assert_greater(torch.ones(3), 0.0, name="accuracy")


def test_matches_is_assert_close_as_a_boolean():
    assert checks.matches(torch.tensor([1.0, 2.0]), torch.tensor([1.0, 2.0]))
    assert not checks.matches(torch.tensor([1.0, 2.5]), torch.tensor([1.0, 2.0]))
    assert not checks.matches(torch.ones(2, 1), torch.ones(2))


# --- metrics from predictions (the grader computes them again) ---------------------

def test_accuracy_and_auc_are_checked_and_returned():
    labels = torch.tensor([0, 1, 1, 0])
    assert checks.assert_accuracy(torch.tensor([0, 1, 0, 0]), labels, at_least=0.75,
                                  name="preds") == 0.75
    assert checks.assert_auc(torch.tensor([0.2, 0.9, 0.6, 0.1]), labels, at_least=0.9,
                             name="scores") == 1.0
    assert "accuracy 0.2500, expected at least 0.5" in failure(
        checks.assert_accuracy, torch.tensor([1, 0, 1, 1]), labels, at_least=0.5, name="p").message
    assert failure(checks.assert_auc, torch.tensor([0.5, 0.4]), labels, at_least=0.5,
                   name="s").cause == "shape"

"""Assertion helpers for deep-learning exercises, hardened for grading.

Every helper raises :class:`CheckFailed` (an ``AssertionError``) whose message
says what was expected and what was found; its ``cause`` names the likely
mistake (a tag explained in :data:`CAUSES`, or free text).

Hardening. Pass or fail is never decided by anything a student can patch or
fake: no ``torch.allclose``/``isclose``/``testing``, no ``numpy.allclose`` or
``numpy.testing``, no ``__eq__``/``__bool__`` of the student's objects. The
primitives used are captured once, at import, from immutable C types
(``torch._C.TensorBase``, ``numpy.ndarray``) and numpy's internal ufunc
modules; values are compared as float64 numpy arrays. Only plain
``torch.Tensor``/``torch.nn.Parameter``, exact ``numpy.ndarray`` and exact
Python or NumPy numbers are accepted from student code. The modules of
``course.checks`` are locked (their names cannot be rebound) and every public
helper first verifies that none of their functions was replaced or rewritten
(:func:`tampered`).
"""

from __future__ import annotations

import contextlib
import importlib
import linecache
import numbers
import os
import random
import re
import sys
import sysconfig
import traceback
import types
from collections.abc import Callable, Mapping

import numpy as np
import torch

from course import validate, values
from course.checks import reporting
from course.runtime import seed_everything
# numpy's functions, captured at import in course.values
from course.values import (_C128, _F64, _KIND_FAMILY, _multiply, _nd_ravel, _nd_tolist,
                           _ndarray, _not_equal, _np_array)


# --- primitives captured at import ---------------------------------------------------

_TB = getattr(torch._C, "TensorBase", None) or torch._C._TensorBase
_TENSOR_TYPES = (torch.Tensor, torch.nn.Parameter)
_t_detach, _t_to, _t_numpy = _TB.__dict__["detach"], _TB.__dict__["to"], _TB.__dict__["numpy"]
_t_clone, _t_numel = _TB.__dict__["clone"], _TB.__dict__["numel"]
_t_requires_grad_ = _TB.__dict__["requires_grad_"]
_t_shape, _t_dtype = _TB.__dict__["shape"].__get__, _TB.__dict__["dtype"].__get__
_t_device, _t_layout = _TB.__dict__["device"].__get__, _TB.__dict__["layout"].__get__
_t_requires_grad = _TB.__dict__["requires_grad"].__get__
_t_set_grad = _TB.__dict__["grad"].__set__
_no_torch_function = torch._C.DisableTorchFunctionSubclass
_strided, _float64, _complex128, _bool = torch.strided, torch.float64, torch.complex128, torch.bool
_from_numpy, _autograd_grad = torch.from_numpy, torch.autograd.grad
_enable_grad, _no_grad, _fork_rng = torch.enable_grad, torch.no_grad, torch.random.fork_rng
_Parameter, _Module = torch.nn.Parameter, torch.nn.Module
_named_parameters = torch.nn.Module.named_parameters
_named_modules, _children = torch.nn.Module.named_modules, torch.nn.Module.children

_PY_NUMBERS = (bool, int, float, complex)
_NP_NUMBERS = tuple({t for t in np.sctypeDict.values() if issubclass(t, np.number)}
                    | {np.bool_})
_NUMBER_TYPES = _PY_NUMBERS + _NP_NUMBERS
_SEQUENCES = (list, tuple)
_LIBRARY_DIRS = tuple(os.path.dirname(m.__file__) + os.sep
                      for m in (np, torch, importlib.import_module("course")))


# --- failures and their likely causes --------------------------------------------------

CAUSES: dict[str, str] = {
    # type
    "none": "Your function returned None: did you forget the `return` statement?",
    "numpy": "Convert a NumPy array with torch.from_numpy(x) (shares memory) or "
             "torch.tensor(x) (copies), or stay in torch throughout.",
    "list": "Build a tensor with torch.tensor([...]), or combine tensors with "
            "torch.stack / torch.cat instead of a Python list.",
    "item": "A tensor was turned into a Python number (.item(), float(), math.*). Keep "
            "it a tensor: use torch functions (torch.log, torch.exp) instead of math.*.",
    "subclass": "Return a plain torch.Tensor, not a subclass of it.",
    "fake_tensor": "Only real torch.Tensor objects are accepted.",
    "tensor_not_numpy": "A NumPy array was expected: convert with x.detach().cpu().numpy().",
    "not_number": "A single number was expected (a Python float or a 0-d tensor).",
    "sparse": "Convert a sparse tensor with .to_dense().",
    "not_callable": "Pass your function (or class) itself, without calling it: the check "
                    "calls it with its own inputs.",
    "not_module": "A model is a torch.nn.Module: subclass nn.Module or use nn.Sequential.",
    # shape
    "extra_dim": "Your result has an extra trailing dimension of size 1 (as from "
                 "Linear(..., 1) or keepdim=True). Remove it with .squeeze(-1) or "
                 ".view(-1). Beware: mixing (N, 1) with (N,) silently broadcasts to (N, N).",
    "missing_dim": "A trailing dimension of size 1 is missing: add it with .unsqueeze(-1) "
                   "or .view(-1, 1).",
    "broadcast": "A square (N, N) result usually means an (N, 1) tensor met an (N,) tensor, "
                 "which broadcasts to (N, N). Make both shapes equal first "
                 "(.squeeze(-1) or .unsqueeze(-1)).",
    "singleton": "Your result holds one number but not as a 0-d scalar: use .squeeze() or "
                 "reduce over all elements (.mean() without dim).",
    "not_reduced": "A single number was expected: reduce with .mean() (or .sum(), as the "
                   "exercise asks).",
    "reduced": "You reduced to a single number, but one value per element was expected: "
               "drop the .mean()/.sum(), or reduce only over the right dim.",
    "transposed": "Rows and columns are swapped: check the order of a matrix product "
                  "(x @ W.T versus W @ x) or transpose with .T.",
    "reshape": "The number of elements is right but the layout is not: check "
               "view/reshape/permute and the dim you reduce over.",
    "shape": "Print the shapes of your intermediate tensors (x.shape) and check the dim "
             "you reduce over.",
    # dtype and device
    "int_dtype": "Integer tensors come from integer data: torch.tensor([1, 2]) is int64. "
                 "Write floats (1.0) or convert with .float().",
    "bool_dtype": "Comparisons (>, ==) give bool tensors: convert with .float().",
    "float_dtype": "Labels, indices and counts are integers: convert with .long() "
                   "(argmax already returns int64).",
    "complex_dtype": "A complex result usually comes from a complex input or a "
                     "torch.fft call: take .real or .abs().",
    "dtype": "Check the dtype of the tensors you create (dtype=..., .float(), .long()).",
    "wrong_device": "Create new tensors on the input's device (device=x.device) or move "
                    "them with .to(device).",
    # values
    "nan": "NaN usually comes from log(0) * 0, 0/0, the sqrt of a negative number or "
           "a learning rate that is too large. Clamp what goes into log "
           "(e.g. p.clamp(1e-7, 1 - 1e-7)) or use a numerically stable formula.",
    "inf": "inf usually comes from log(0), exp of a large number or a division by "
           "zero: clamp, or use a stable formula (torch.logsumexp, log_softmax).",
    "sign": "The sign is flipped: check a minus sign (a loss is minus the log-likelihood; "
            "gradient descent subtracts the gradient).",
    "scale": "Off by a constant factor: a missing or extra 1/N, 1/2 or 2 "
             "(mean versus sum?).",
    # errors raised by student code
    "not_implemented": "Replace `raise NotImplementedError()` with your own code.",
    "broadcast_error": "Two tensors in an elementwise operation have incompatible shapes: "
                       "print their .shape and align them (unsqueeze/squeeze/view).",
    "matmul_shape": "The inner dimensions of a matrix product differ: (a, b) @ (b, c). "
                    "Print the shapes; maybe a transpose (.T) is missing.",
    "dtype_error": "An operation mixes dtypes (e.g. float32 with float64 or int64): "
                   "convert with .float() / .long().",
    "no_grad_path": "The result is not connected to the autograd graph: avoid .item(), "
                    ".detach(), .numpy(), torch.tensor(tensor) and torch.no_grad() "
                    "on the way to it.",
    "backward_twice": "backward() was called twice on the same graph: recompute the "
                      "forward pass each step.",
    "numpy_grad": "Call .detach() before .numpy() on a tensor that requires grad.",
    "signature": "Your function takes different arguments than the exercise asks: "
                 "compare its signature with the text.",
    "name_error": "A name is not defined: run the cells above (imports, earlier "
                  "definitions) or check for typos.",
    # gradients, optimisers, training, models
    "wrong_gradient": "The gradient disagrees with the expected one: check the derivative "
                      "term by term, and that backward returns one gradient per input, "
                      "each with that input's shape.",
    "not_scalar_output": "Gradients are checked for a scalar: reduce the output with "
                         ".sum() or .mean().",
    "detached_output": "The output does not depend on the inputs through autograd: avoid "
                       ".item(), .detach(), .numpy() and torch.tensor(...) on the way.",
    "params_unchanged": "The parameters did not move: update them in place "
                        "(with torch.no_grad(): p -= lr * p.grad), do not rebind p.",
    "optimizer_update": "The very first update differs: check the update formula, its "
                        "sign (subtract lr * grad) and the hyper-parameters.",
    "optimizer_state": "The first step matched but a later one did not: check the state "
                       "kept between steps (momentum buffer, running averages, step "
                       "count and bias correction), one per parameter.",
    "diverged": "The loss became NaN or inf: the learning rate is probably too large, "
                "or a log/division hits 0.",
    "not_decreasing": "The loss did not go down: call optimizer.zero_grad(), "
                      "loss.backward() and optimizer.step() every step, give the "
                      "optimizer model.parameters(), and subtract the gradient.",
    "slow_decrease": "The loss goes down too slowly: the learning rate may be too small, "
                     "or gradients accumulate (missing zero_grad()).",
    "param_count": "Compare each layer's sizes with the specification: Linear(i, o) has "
                   "i*o weights plus o biases (none with bias=False).",
    "structure": "Compare the kind and order of your layers with the specification "
                 "(print(model) lists them).",
    "tampered": "Restart the kernel and run all cells, without changing course.checks, "
                "torch or numpy functions.",
}
"""Default explanation of each cause tag; an exercise may override some."""

_TAG = re.compile(r"[a-z_][a-z0-9_]*")


def explain(cause: str | None, causes: Mapping[str, str] | None = None) -> str | None:
    """The explanation of ``cause``: from ``causes``, then :data:`CAUSES`; free text as is."""
    if not cause:
        return None
    for table in (causes or {}, CAUSES):
        if cause in table:
            return table[cause]
    return None if _TAG.fullmatch(cause) else cause


class CheckFailed(AssertionError):
    """A check failed: ``message`` says what, ``cause`` why, ``hint`` what to try."""

    __module__ = "course.checks"            # as shown in tracebacks

    def __init__(self, message: str, *, cause: str | None = None, hint: str | None = None):
        super().__init__(message)
        self.message, self.cause, self.hint = str(message), cause, hint

    def __reduce__(self):                   # pickles as a plain CheckFailed
        return CheckFailed, (self.message,), {"cause": self.cause, "hint": self.hint}

    def __str__(self) -> str:
        lines = [self.message]
        why = explain(self.cause)
        if why:
            lines.append(f"Likely cause: {why}")
        if self.hint:
            lines.append(f"Hint: {self.hint}")
        return "\n".join(lines)

    @property
    def _render_traceback_(self):
        """How IPython shows a failed check (:func:`render`). In a grading kernel the
        attribute is missing, so the grader keeps IPython's full traceback."""
        if reporting.observing():
            raise AttributeError("_render_traceback_")
        return lambda: render(self)


class StudentCodeError(CheckFailed):
    """The student's own code raised ``error`` while being checked."""

    __module__ = "course.checks"

    def __init__(self, error: BaseException, called_as: str | None = None):
        message = f"your code raised {_error_text(error)}"
        if called_as:
            message = (f"your function raised {_error_text(error)}\n"
                       f"  while called as {called_as}")
        where = _student_frame(error)
        if where:
            message += f"\n  ({where})"      # render() drops it: its frames say more
        super().__init__(message, cause=_error_cause(error))
        self.error = error


def _error_name(error: BaseException) -> str:
    """The exception's public name (torch raises e.g. ``_LinAlgError`` = LinAlgError)."""
    return type(error).__name__.lstrip("_") or type(error).__name__


def _error_text(error: BaseException) -> str:
    try:
        text = str(error)
    except Exception:                       # a student exception with a broken __str__
        text = ""
    return f"{_error_name(error)}: {text}" if text else _error_name(error)


# --- how a failed check looks in a notebook -------------------------------------------

_NOT_STUDENT_DIRS = tuple(sorted({os.path.join(path, "") for path in (
    *_LIBRARY_DIRS, sys.prefix, sys.base_prefix, sys.exec_prefix,
    *(sysconfig.get_paths().get(k) for k in ("stdlib", "platstdlib", "purelib", "platlib")))
    if path}))
_RED, _BOLD, _PLAIN = "\x1b[31m", "\x1b[1m", "\x1b[0m"
_AT_LINE = re.compile(r"\n  \(at line \d+ in [^\n]*\)")      # StudentCodeError's last line


def _cell_name(filename: str) -> str | None:
    """'In[7]' for the code of a notebook cell (IPython's name for it), else None."""
    try:
        from IPython import get_ipython
        shell = get_ipython()
        label = shell.compile.format_code_name(filename) if shell is not None else None
    except Exception:
        return None
    return label[1] if label else None


def _student_frames(error: BaseException) -> list[str]:
    """The frames of the student's own code in ``error``'s traceback, outermost first:
    notebook cells and the student's files, never the course, torch, numpy, IPython
    or the standard library."""
    lines = []
    for frame, lineno in traceback.walk_tb(error.__traceback__):
        filename, function = frame.f_code.co_filename, frame.f_code.co_name
        cell = _cell_name(filename)
        if cell is None and filename.startswith(("<", *_NOT_STUDENT_DIRS)):
            continue
        where = f"Cell {cell}, line {lineno}" if cell else f"File {filename}:{lineno}"
        if function != "<module>":
            where += f", in {function}"
        source = linecache.getline(filename, lineno).strip()
        lines += [f"  {where}"] + ([f"  ----> {lineno} {source}"] if source else [])
    return lines


def render(failure: CheckFailed) -> list[str]:
    """A failed check as a notebook shows it: the message (what was checked, expected
    against got, the likely cause, the hint) first, then only where the student's own
    code was running: the cell that ran the check and, when the student's code raised
    (the exception's ``__cause__``), the lines of that code. No frame of the course
    package: the checks are not the student's code to debug."""
    inside = _student_frames(failure.__cause__) if failure.__cause__ is not None else []
    frames = _student_frames(failure) + inside
    # the frames show where the student's code raised: the message need not say it too
    text = _AT_LINE.sub("", str(failure)) if inside else str(failure)
    first, *rest = text.split("\n")
    lines = [f"{_RED}{_BOLD}FAILED{_PLAIN} {first}", *rest]
    if frames:
        lines += ["", "Where, in your notebook:", *frames]
    return lines


def _student_frame(error: BaseException) -> str | None:
    """'line N in f' for the innermost frame outside numpy, torch and course."""
    frames = [f for f in traceback.extract_tb(error.__traceback__)
              if not f.filename.startswith(_LIBRARY_DIRS)]
    return f"at line {frames[-1].lineno} in {frames[-1].name}" if frames else None


_ERROR_CAUSES = (
    ("must match the size of tensor", "broadcast_error"),
    ("cannot be multiplied", "matmul_shape"),
    ("expected scalar type", "dtype_error"),
    ("does not require grad", "no_grad_path"),
    ("backward through the graph a second time", "backward_twice"),
    ("numpy() on tensor that requires grad", "numpy_grad"),
    ("positional argument", "signature"),
    ("unexpected keyword argument", "signature"),
)


def _error_cause(error: BaseException) -> str | None:
    if isinstance(error, NotImplementedError):
        return "not_implemented"
    if isinstance(error, NameError):
        return "name_error"
    text = _error_text(error).lower()
    return next((tag for pattern, tag in _ERROR_CAUSES if pattern.lower() in text), None)


# --- integrity of course.checks ---------------------------------------------------------

_MISSING = object()
_LOCKED: dict[str, tuple[types.ModuleType, dict]] = {}


class _ReadOnlyModule(types.ModuleType):
    """A module whose names cannot be rebound or deleted (submodules may be added)."""

    def __setattr__(self, name, value):
        is_submodule = (isinstance(value, types.ModuleType)
                        and value.__name__ == f"{self.__name__}.{name}")
        if is_submodule or (name.startswith("__") and name.endswith("__")):
            return super().__setattr__(name, value)
        raise AttributeError(f"{self.__name__} is read-only: {name!r} cannot be replaced")

    def __delattr__(self, name):
        raise AttributeError(f"{self.__name__} is read-only: {name!r} cannot be deleted")


def _fingerprint(obj):
    """What must stay identical: a function's code, defaults and closure."""
    if type(obj) is not types.FunctionType:
        return ()
    kwdefaults = tuple(obj.__kwdefaults__.items()) if obj.__kwdefaults__ else ()
    cells = tuple(_cell_value(c) for c in obj.__closure__ or ())
    return obj.__code__, obj.__defaults__, kwdefaults, cells


def _cell_value(cell):
    try:
        return cell.cell_contents
    except ValueError:                      # an empty cell
        return _MISSING


def _same(a, b) -> bool:
    """Identity, element by element inside tuples (never ``==``)."""
    if type(a) is tuple and type(b) is tuple:
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return a is b


def lock_module(module: types.ModuleType) -> None:
    """Snapshot ``module``'s names and make it read-only (see :func:`tampered`)."""
    snapshot = {name: (obj, _fingerprint(obj)) for name, obj in vars(module).items()
                if not name.startswith("__") and not isinstance(obj, types.ModuleType)}
    _LOCKED[module.__name__] = (module, snapshot)
    module.__class__ = _ReadOnlyModule


def locked_modules() -> set[str]:
    """Names of the modules made read-only by :func:`lock_module`."""
    return set(_LOCKED)


def fingerprint(obj):
    """An opaque token; :func:`unchanged` tells whether ``obj`` still matches it."""
    return obj, _fingerprint(obj)


def unchanged(obj, token) -> bool:
    """True when ``obj`` is the object ``token`` was taken from, unmodified."""
    return obj is token[0] and _same(_fingerprint(obj), token[1])


def tampered() -> list[str]:
    """What was replaced or modified in the locked ``course.checks`` modules."""
    problems = []
    for module_name, (module, snapshot) in _LOCKED.items():
        parent, _, child = module_name.rpartition(".")
        if sys.modules.get(module_name) is not module:
            problems.append(f"{module_name} was replaced in sys.modules")
        elif parent in sys.modules and vars(sys.modules[parent]).get(child) is not module:
            problems.append(f"{module_name} was replaced in {parent}")
        if type(module) is not _ReadOnlyModule:
            problems.append(f"{module_name} was unlocked")
        namespace = vars(module)
        for name, token in snapshot.items():
            if not unchanged(namespace.get(name, _MISSING), token):
                problems.append(f"{module_name}.{name} was replaced or modified")
    return problems


def guard() -> None:
    """Raise :class:`CheckFailed` when course.checks was tampered with."""
    problems = tampered()
    if problems:
        raise CheckFailed("course.checks was modified in this session, so checks cannot "
                          "run: " + "; ".join(problems[:5]), cause="tampered")


def _exact(obj, types_: tuple) -> bool:
    """``type(obj)`` is one of ``types_``, by identity (a metaclass ``__eq__`` can't lie)."""
    kind = type(obj)
    return any(kind is t for t in types_)


# --- describing values --------------------------------------------------------------

def _type_name(obj) -> str:
    cls = type(obj)
    try:
        module, qualname = cls.__module__, cls.__qualname__
    except Exception:
        return "object"
    return qualname if module == "builtins" else f"{module}.{qualname}"


def describe(obj) -> str:
    """A short description of an argument, by exact type (never calls its methods)."""
    kind = type(obj)
    if _exact(obj, _TENSOR_TYPES):
        dtype = str(_t_dtype(obj)).replace("torch.", "")
        return f"{dtype} tensor of shape {_shape_text(_t_shape(obj))}"
    if kind is _ndarray:
        return f"{obj.dtype} array of shape {_shape_text(obj.shape)}"
    if _exact(obj, _NUMBER_TYPES + (str, type(None))):
        text = repr(obj)
        return text if len(text) <= 40 else text[:37] + "..."
    if _exact(obj, _SEQUENCES):
        return f"{kind.__name__} of length {len(obj)}"
    if isinstance(obj, _Module):
        return f"a {kind.__name__} module"
    return f"a {_type_name(obj)} object"


# --- values as float64 arrays -------------------------------------------------------

_Value = values.Value


def _family_of_torch(dtype) -> str:
    if dtype is _bool:
        return "bool"
    if dtype.is_complex:
        return "complex"
    return "float" if dtype.is_floating_point else "int"


def _tensor_value(x) -> _Value:
    dtype = _t_dtype(x)
    family = _family_of_torch(dtype)
    target = _complex128 if family == "complex" else _float64
    try:
        with _no_torch_function():
            data = _t_numpy(_t_to(_t_detach(x), target), force=True)
    except Exception as error:              # meta, quantized or otherwise unreadable tensors
        raise CheckFailed(f"the values of a {describe(x)} on {_t_device(x)} cannot be "
                          f"read ({_error_text(error)}).") from error
    data = _np_array(data, dtype=_C128 if family == "complex" else _F64, copy=True)
    return _Value("tensor", _nd_ravel(data), family, str(dtype), tuple(_t_shape(x)))


_array_value, _number_value = values.array_value, values.number_value


def _expected_value(expected) -> _Value:
    """The trusted side of a comparison: a tensor, an array, a number or a stored value."""
    if isinstance(expected, _Value):
        return expected
    validate.instance("expected", expected,
                      (torch.Tensor, np.ndarray, numbers.Number, np.number, np.bool_),
                      "a torch.Tensor, a numpy array or a number")
    if isinstance(expected, torch.Tensor):
        if _t_layout(expected) is not _strided:
            raise ValueError("expected must be a dense (strided) tensor")
        return _tensor_value(expected)
    if isinstance(expected, np.ndarray):
        expected = np.asarray(expected)
        if expected.dtype.kind not in _KIND_FAMILY:
            raise TypeError(f"expected must hold numbers, got dtype {expected.dtype}")
        return _array_value(expected)
    return _number_value(expected)


def _require_tensor(x, name: str) -> None:
    """Fail unless ``x`` is a plain dense torch.Tensor (or Parameter)."""
    kind = type(x)
    if _exact(x, _TENSOR_TYPES):
        if _t_layout(x) is not _strided:
            raise CheckFailed(f"{name} is a {_t_layout(x)} tensor, expected a dense one.",
                              cause="sparse")
        return
    if kind is _ndarray:
        problem, cause = f"a numpy array of shape {_shape_text(x.shape)} ({x.dtype})", "numpy"
    elif x is None:
        problem, cause = "None", "none"
    elif isinstance(x, torch.Tensor):
        problem, cause = f"a {_type_name(x)}, a subclass of torch.Tensor", "subclass"
    elif _exact(x, _SEQUENCES):
        problem, cause = f"a Python {kind.__name__} of length {len(x)}", "list"
    elif _exact(x, _NUMBER_TYPES):
        problem, cause = f"a number ({x!r})", "item"
    else:
        problem, cause = f"a {_type_name(x)} object", "fake_tensor"
    raise CheckFailed(f"{name} should be a torch.Tensor, but it is {problem}.", cause=cause)


def _require_array(x, name: str) -> None:
    if type(x) is _ndarray and x.dtype.kind in _KIND_FAMILY:
        return
    if _exact(x, _TENSOR_TYPES):
        raise CheckFailed(f"{name} should be a numpy array, but it is a "
                          f"{describe(x)}.", cause="tensor_not_numpy")
    raise CheckFailed(f"{name} should be a numpy array of numbers, but it is "
                      f"{describe(x)}.", cause="none" if x is None else None)


def _actual_value(x, kind: str, name: str) -> _Value:
    """The student's side, accepted only by exact type."""
    if kind == "tensor":
        _require_tensor(x, name)
        return _tensor_value(x)
    if kind == "array":
        _require_array(x, name)
        return _array_value(x)
    if _exact(x, _TENSOR_TYPES) and _t_layout(x) is _strided:
        return _tensor_value(x)
    if type(x) is _ndarray and x.dtype.kind in _KIND_FAMILY:
        return _array_value(x)
    if _exact(x, _NUMBER_TYPES):
        return _number_value(x)
    cause = "none" if x is None else "list" if _exact(x, _SEQUENCES) else "not_number"
    raise CheckFailed(f"{name} should be a number, but it is {describe(x)}.", cause=cause)


def _scalar(x, name: str) -> float:
    """A real number from a number, 0-d array or one-element tensor (by exact type)."""
    value = _actual_value(x, "number", name)
    if value.data.size != 1 or value.family == "complex":
        raise CheckFailed(f"{name} should be a single real number, got shape "
                          f"{_shape_text(value.shape)} ({value.dtype}).",
                          cause="not_reduced" if value.data.size != 1 else None)
    return _nd_tolist(_nd_ravel(value.data))[0]


# --- formatting and comparison (course.values) -----------------------------------

_shape_text, _fmt, _unravel, _nice = values.shape_text, values.fmt, values.unravel, values.nice
_any, _product = values.any_true, values.product
_shape_cause, _dtype_cause = values.shape_cause, values.dtype_cause


def _compare(actual: _Value, expected: _Value, name: str, rtol: float, atol: float,
             exact_dtype: bool = False) -> None:
    """:func:`course.values.compare`, failing with :class:`CheckFailed`."""
    try:
        values.compare(actual, expected, name, rtol, atol, exact_dtype)
    except values.Mismatch as mismatch:
        raise CheckFailed(mismatch.message, cause=mismatch.cause) from None


# --- observations (course.checks.observe) -----------------------------------------

_report, EXPECTED = reporting.report, reporting.EXPECTED


def _observed(x, depth: int = 0):
    """``x`` as data for an observation, by exact type (never calls its methods)."""
    if _exact(x, _TENSOR_TYPES) and _t_layout(x) is _strided:
        try:
            return _tensor_value(x)
        except CheckFailed as failure:
            return ("invalid", failure.message)
    if type(x) is _ndarray and x.dtype.kind in _KIND_FAMILY:
        return _array_value(x)
    if _exact(x, _NUMBER_TYPES):
        return _number_value(x)
    if type(x) is str:
        return ("str", x[:1000])
    if x is None:
        return None
    if _exact(x, _SEQUENCES) and len(x) <= 1000 and depth < 3:
        return [_observed(item, depth + 1) for item in x]
    return ("invalid", describe(x))


def _close_spec(rtol: float, atol: float, exact_dtype: bool = False) -> dict:
    return {"compare": "close", "rtol": rtol, "atol": atol, "exact_dtype": bool(exact_dtype)}


EQUAL = {"compare": "equal"}


def _stored(expected, name: str):
    """``expected``, or the stored value when it is :data:`EXPECTED` (None while an
    answer key is recorded: nothing to compare with)."""
    if expected is not EXPECTED:
        return expected
    try:
        return reporting.stored(name)
    except LookupError as error:
        raise CheckFailed(str(error)) from None


# --- public helpers: tensors -------------------------------------------------------

def _name(name) -> str:
    return validate.instance("name", name, str)


def _tolerances(rtol, atol) -> tuple[float, float]:
    return validate.number("rtol", rtol, minimum=0.0), validate.number("atol", atol, minimum=0.0)


def assert_tensor(x, name: str = "result"):
    """``x`` is a real, dense torch.Tensor (or Parameter); return it."""
    guard()
    name = _name(name)
    _report(name, ("str", "tensor") if _exact(x, _TENSOR_TYPES) else ("invalid", describe(x)),
            EQUAL)
    _require_tensor(x, name)
    return x


def _shape_arg(shape) -> tuple:
    validate.instance("shape", shape, (tuple, list, torch.Size), "a tuple of sizes")
    for d in shape:
        if d is not None:
            validate.integer("every size in shape", d, minimum=0)
    return tuple(shape)


def assert_shape(x, shape, name: str = "result") -> None:
    """``x`` is a tensor of ``shape``; ``None`` in ``shape`` matches any size."""
    guard()
    name, expected = _name(name), _shape_arg(shape)
    _report(name, ("shape", tuple(_t_shape(x))) if _exact(x, _TENSOR_TYPES)
            else ("invalid", describe(x)), {"compare": "shape", "pattern": list(expected)})
    _require_tensor(x, name)
    got = tuple(_t_shape(x))
    cause = _shape_cause(got, expected)
    if cause:
        raise CheckFailed(f"{name} has shape {_shape_text(got)}, expected "
                          f"{_shape_text(expected)}.", cause=cause)


def assert_dtype(x, dtype, name: str = "result") -> None:
    """``x`` is a tensor whose dtype is ``dtype`` (or one of a tuple of dtypes)."""
    guard()
    name = _name(name)
    accepted = tuple(dtype) if isinstance(dtype, (tuple, list)) else (dtype,)
    if not accepted:
        raise ValueError("dtype must name at least one torch.dtype")
    for d in accepted:
        validate.instance("dtype", d, torch.dtype, "a torch.dtype or a tuple of them")
    _report(name, ("str", str(_t_dtype(x))) if _exact(x, _TENSOR_TYPES)
            else ("invalid", describe(x)),
            {"compare": "one_of", "values": [str(d) for d in accepted]})
    _require_tensor(x, name)
    got = _t_dtype(x)
    if not any(got is d for d in accepted):
        wanted = " or ".join(str(d) for d in accepted)
        cause = _dtype_cause(_family_of_torch(got), _family_of_torch(accepted[0]))
        raise CheckFailed(f"{name} has dtype {got}, expected {wanted}.", cause=cause or "dtype")


def assert_device(x, device, name: str = "result") -> None:
    """``x`` is a tensor on ``device`` ("cpu", "cuda", "cuda:1", a torch.device)."""
    guard()
    name = _name(name)
    wanted = validate.torch_device("device", device)
    _report(name, ("str", _t_device(x).type) if _exact(x, _TENSOR_TYPES)
            else ("invalid", describe(x)), {"compare": "one_of", "values": [wanted.type]})
    _require_tensor(x, name)
    got = _t_device(x)
    if got.type != wanted.type or (wanted.index is not None and got.index != wanted.index):
        raise CheckFailed(f"{name} is on device {got}, expected {wanted}.",
                          cause="wrong_device")


def assert_close(actual, expected=EXPECTED, *, name: str = "result", rtol: float = 1e-5,
                 atol: float = 1e-6, exact_dtype: bool = False) -> None:
    """``actual`` equals ``expected`` within ``atol + rtol * |expected|``, elementwise.

    ``expected`` may be a tensor (``actual`` must then be a tensor of the same
    shape and dtype family, or the exact dtype with ``exact_dtype``), a numpy
    array (``actual`` an array) or a number (``actual`` a number or 0-d tensor);
    :data:`EXPECTED` (the default) stands for the value stored for ``name``.
    NaN and inf must appear in the same places.
    """
    guard()
    name = _name(name)
    rtol, atol = _tolerances(rtol, atol)
    _report(name, _observed(actual), _close_spec(rtol, atol, exact_dtype))
    expected = _stored(expected, name)
    if expected is None:
        return
    expected = _expected_value(expected)
    _compare(_actual_value(actual, expected.kind, name), expected, name, rtol, atol,
             bool(exact_dtype))


# --- calling student code -----------------------------------------------------------

def _function_name(fn) -> str:
    try:
        name = fn.__name__
    except Exception:
        return "the function"
    return name if type(name) is str else "the function"


def call(fn, *args, name: str | None = None, **kwargs):
    """``fn(*args, **kwargs)``, reporting an exception as :class:`StudentCodeError`.

    Its message shows the call as ``name(<the arguments described>)``, or as ``name``
    alone when ``name`` already ends with ``)`` (``"LinearDigits()(x)"``)."""
    label = name or _function_name(fn)
    if not callable(fn):
        label = name or "the answer"
        raise CheckFailed(f"{label} should be a function, but it is {describe(fn)}.",
                          cause="not_callable")
    try:
        return fn(*args, **kwargs)
    except CheckFailed:
        raise
    except Exception as error:
        raise StudentCodeError(error, _call_text(label, args, kwargs)) from error


def _call_text(label: str, args: tuple, kwargs: dict) -> str:
    """How the check called the student's code. A ``name`` that already reads as a call
    ("model(x of shape (5, 1, 28, 28))") is shown as it is, not followed by the
    arguments a second time."""
    if label.endswith(")"):
        return label
    shown = [describe(a) for a in args] + [f"{k}={describe(v)}" for k, v in kwargs.items()]
    return f"{label}({', '.join(shown)})"


def matches(actual, expected, **tolerances) -> bool:
    """True when :func:`assert_close` would pass: to recognise a known wrong answer."""
    try:
        with reporting.quiet():
            assert_close(actual, expected, **tolerances)
    except CheckFailed:
        return False
    return True


def assert_close_or_cause(actual, expected, name: str, wrong_answers=(), **tolerances) -> None:
    """:func:`assert_close`; a failure on a known wrong answer names its cause.

    ``wrong_answers`` are ``(value, cause)`` pairs, each value the wrong answer a typical
    mistake gives, computed with torch; the first one ``actual`` matches gives the cause.
    """
    try:
        assert_close(actual, expected, name=name, **tolerances)
    except CheckFailed as failure:
        for wrong, cause in wrong_answers:
            if matches(actual, wrong, **tolerances):
                raise CheckFailed(failure.message, cause=cause) from None
        raise


def scalar(x, name: str = "result") -> float:
    """The student's answer as one real number (number, 0-d array, one-element tensor)."""
    guard()
    return _scalar(x, _name(name))


def _assert_bound(x, bound, name, cause, below: bool) -> float:
    guard()
    name, bound = _name(name), float(validate.number("bound", bound))
    _report(name, _observed(x), {"compare": "less" if below else "greater", "bound": bound})
    value = _scalar(x, name)
    if not (value < bound if below else value > bound):   # also catches NaN
        side = "below" if below else "above"
        raise CheckFailed(f"{name} is {_fmt(value)}; it must be {side} {_fmt(bound)}.",
                          cause=cause)
    return value


def assert_less(x, bound, *, name: str = "result", cause: str | None = None) -> float:
    """``x`` (one number) is strictly below ``bound``, e.g. a held-out loss; returns it."""
    return _assert_bound(x, bound, name, cause, below=True)


def assert_greater(x, bound, *, name: str = "result", cause: str | None = None) -> float:
    """``x`` (one number) is strictly above ``bound``, e.g. an accuracy or AUC; returns it."""
    return _assert_bound(x, bound, name, cause, below=False)


def assert_raises(expected, fn, *args, name: str | None = None, cause: str | None = None,
                  **kwargs) -> None:
    """``fn(*args, **kwargs)`` raises ``expected`` (an exception class or a tuple of them),
    e.g. a student function that must reject bad input with a ValueError."""
    guard()
    shown = [describe(a) for a in args] + [f"{k}={describe(v)}" for k, v in kwargs.items()]
    label = f"{name or _function_name(fn)}({', '.join(shown)})"
    accepted = (expected,) if isinstance(expected, type) else tuple(expected)
    wanted = " or ".join(e.__name__ for e in accepted)
    spec = {"compare": "raises", "accepted": [e.__name__ for e in accepted]}
    observed_as = f"{name or 'the function'}({', '.join(shown)}) raises {wanted}"
    try:
        fn(*args, **kwargs)
    except Exception as error:
        _report(observed_as, [("str", c.__name__) for c in type(error).__mro__][:12], spec)
        if isinstance(error, accepted):
            return
        raise CheckFailed(f"{label} raised {_error_text(error)}; expected a "
                          f"{wanted}.", cause=cause) from None
    _report(observed_as, [], spec)
    raise CheckFailed(f"{label} returned normally; expected it to raise a {wanted}.",
                      cause=cause)


@contextlib.contextmanager
def seeded(seed: int | None = None):
    """Run a block under ``seed`` (if given), then restore every RNG's state."""
    python_state, numpy_state = random.getstate(), np.random.get_state()
    try:
        with _fork_rng(devices=[]):
            if seed is not None:
                seed_everything(seed)
            yield
    finally:
        random.setstate(python_state)
        np.random.set_state(numpy_state)


# --- gradients ---------------------------------------------------------------------

def _tensors(label: str, value) -> tuple:
    """A tensor or a sequence of floating-point tensors, as a tuple (author arguments)."""
    items = (value,) if isinstance(value, torch.Tensor) else value
    validate.instance(label, items, (tuple, list), "a tensor or a list of tensors")
    if not items:
        raise ValueError(f"{label} must hold at least one tensor")
    for i, x in enumerate(items):
        validate.instance(f"{label}[{i}]", x, torch.Tensor, "a torch.Tensor")
        if not x.is_floating_point():
            raise TypeError(f"{label}[{i}] must be floating point, got {x.dtype}")
    return tuple(items)


def _gradients(fn, inputs: tuple, name: str) -> list[_Value]:
    """Autograd gradients of the scalar ``fn(*inputs)`` w.r.t. each input."""
    leaves = tuple(_t_requires_grad_(_t_clone(_t_detach(x)), True) for x in inputs)
    with _enable_grad():
        out = call(fn, *leaves, name=name)
        label = f"the output of {name}"
        _require_tensor(out, label)
        if _t_numel(out) != 1:
            raise CheckFailed(f"{label} should be a scalar, got shape "
                              f"{_shape_text(_t_shape(out))}.", cause="not_scalar_output")
        if not _t_requires_grad(out):
            raise CheckFailed(f"{label} does not depend on its inputs through autograd.",
                              cause="detached_output")
        try:
            grads = _autograd_grad(out, leaves, allow_unused=True)
        except Exception as error:
            raise StudentCodeError(error, f"backward of {name}") from error
    return [_tensor_value(g) if g is not None else _zeros_like(x)
            for g, x in zip(grads, leaves)]


def _zeros_like(x) -> _Value:
    value = _tensor_value(x)
    return value._replace(data=_multiply(value.data, 0.0))


def _finite_differences(fn, inputs: tuple, index: int, eps: float, name: str) -> _Value:
    """Central differences in float64 of ``fn`` w.r.t. ``inputs[index]``."""
    x = inputs[index]
    base = _nd_ravel(_tensor_value(x).data)
    grad = _np_array(base, copy=True)
    for j in range(base.size):
        values = []
        for step in (eps, -eps):
            moved = _np_array(base, copy=True)
            moved[j] += step
            args = [_t_clone(a) for a in inputs]
            args[index] = _t_to(_from_numpy(moved.reshape(tuple(_t_shape(x)))), _t_device(x))
            with _no_grad():
                values.append(_scalar(call(fn, *args, name=name), f"the output of {name}"))
        grad[j] = (values[0] - values[1]) / (2 * eps)
    return _Value("array", grad, "float",
                  "float64 (finite differences)", tuple(_t_shape(x)))


def assert_grad_close(fn, inputs, expected_grads=None, *, name: str = "fn",
                      rtol: float = 1e-4, atol: float = 1e-5, eps: float = 1e-6) -> None:
    """Autograd gradients of the scalar ``fn(*inputs)`` match ``expected_grads``.

    Without ``expected_grads`` they are compared with central finite differences
    of ``fn`` in float64: ``fn`` then gets float64 copies of the inputs and is
    called twice per input element (keep inputs small).
    """
    guard()
    validate.instance("fn", fn, Callable, "a callable")
    name, (rtol, atol) = _name(name), _tolerances(rtol, atol)
    eps = validate.positive("eps", eps)
    inputs = _tensors("inputs", inputs)
    observed_as = f"the gradients of {name}"
    if expected_grads is None:
        inputs = tuple(_t_to(_t_detach(x), _float64) for x in inputs)
        expected = [_finite_differences(fn, inputs, i, eps, name) for i in range(len(inputs))]
    grads = _gradients(fn, inputs, name)
    _report(observed_as, grads, _close_spec(rtol, atol))
    if expected_grads is not None:
        expected = _expected_grads(_stored(expected_grads, observed_as), len(inputs))
        if expected is None:
            return
    for i, (got, want) in enumerate(zip(grads, expected)):
        label = f"the gradient of {name} w.r.t. input {i}"
        try:
            _compare(got, want, label, rtol, atol)
        except CheckFailed as failure:
            cause = "wrong_gradient" if failure.cause in ("values", "sign", "scale") \
                else failure.cause
            raise CheckFailed(failure.message, cause=cause) from None


def _expected_grads(given, count: int) -> list[_Value] | None:
    """One expected gradient per input, as values (None while recording)."""
    if given is None:
        return None
    if type(given) is list and all(isinstance(g, _Value) for g in given):
        values_ = given
    else:
        values_ = [_expected_value(g) for g in _tensors("expected_grads", given)]
    if len(values_) != count:
        raise ValueError(f"expected_grads must hold one gradient per input "
                         f"({count}), got {len(values_)}")
    return values_


# --- optimisers and training --------------------------------------------------------

def _fresh_parameters(initial: tuple) -> list:
    return [_Parameter(_t_clone(_t_detach(p))) for p in initial]


def _run_step(optimizer, params: list, loss_fn, label: str | None) -> None:
    """Fresh gradients of ``loss_fn(params)``, then ``optimizer.step()``."""
    for p in params:
        _t_set_grad(p, None)
    with _enable_grad():
        loss_fn(params).backward()
    if label is None:
        optimizer.step()
    else:
        step = getattr(optimizer, "step", None)
        if not callable(step):
            raise CheckFailed(f"{label} has no step() method.")
        call(step, name=f"{label}.step")


def assert_optimizer_step_matches(make_optimizer, make_reference, params_factory, loss_fn,
                                  steps: int = 5, *, name: str = "optimizer",
                                  rtol: float = 1e-5, atol: float = 1e-6) -> None:
    """``steps`` steps of ``make_optimizer(params)`` move parameters like the reference.

    ``params_factory()`` gives the initial tensors; each optimizer gets its own
    copies (as ``nn.Parameter``); ``loss_fn(params)`` returns the scalar loss.
    ``make_reference`` builds the reference optimizer the same way, or is
    :data:`EXPECTED` for the parameters stored after each step.
    """
    guard()
    for label, value in (("make_optimizer", make_optimizer), ("params_factory", params_factory),
                         ("loss_fn", loss_fn)):
        validate.instance(label, value, Callable, "a callable")
    if make_reference is not EXPECTED:
        validate.instance("make_reference", make_reference, Callable, "a callable")
    steps, name = validate.positive_int("steps", steps), _name(name)
    rtol, atol = _tolerances(rtol, atol)
    initial = _tensors("params_factory()", params_factory())
    mine = _fresh_parameters(initial)
    optimizer = call(make_optimizer, list(mine), name="make_optimizer")
    start = [_tensor_value(p) for p in mine]
    got = _trajectory_of(optimizer, mine, loss_fn, steps, _type_name(optimizer))
    _report(name, got, _close_spec(rtol, atol))
    if make_reference is EXPECTED:
        wanted = _stored(EXPECTED, name)
    else:
        theirs = _fresh_parameters(initial)
        wanted = _trajectory_of(make_reference(list(theirs)), theirs, loss_fn, steps, None)
    for step, (after, reference) in enumerate(zip(got, wanted or ()), start=1):
        for i, (p, q) in enumerate(zip(after, reference)):
            label = (f"{name}: parameter {i} (shape {_shape_text(q.shape)}) "
                     f"after step {step} of {steps}")
            try:
                _compare(p, q, label, rtol, atol)
            except CheckFailed as failure:
                raise CheckFailed(failure.message,
                                  cause=_step_cause(step, after, start, failure)) from None


def _trajectory_of(optimizer, params: list, loss_fn, steps: int, label) -> list[list]:
    """The parameters' values after each of ``steps`` steps."""
    trajectory = []
    for _ in range(steps):
        _run_step(optimizer, params, loss_fn, label)
        trajectory.append([_tensor_value(p) for p in params])
    return trajectory


def _step_cause(step: int, after: list, start: list, failure: CheckFailed) -> str | None:
    if failure.cause not in ("values", "sign", "scale"):
        return failure.cause
    if step > 1:
        return "optimizer_state"
    moved = any(_any(_not_equal(p.data, s.data)) for p, s in zip(after, start)
                if p.data.size == s.data.size)
    return "optimizer_update" if moved else "params_unchanged"


def assert_loss_decreases(step_fn, steps: int, *, seed: int, factor: float = 0.5,
                          name: str = "loss") -> None:
    """Under ``seed``, the loss from the last of ``steps`` calls of ``step_fn()`` is
    below ``factor`` times the loss from the first call (RNG states are restored)."""
    guard()
    validate.instance("step_fn", step_fn, Callable, "a callable")
    steps = validate.integer("steps", steps, minimum=2)
    seed = validate.integer("seed", seed, minimum=0)
    factor = validate.number("factor", factor, minimum=0.0, maximum=1.0)
    if factor == 0:
        raise ValueError("factor must be > 0, got 0")
    name = _name(name)
    losses = []
    with seeded(seed):
        for k in range(1, steps + 1):
            value = _scalar(call(step_fn, name="step_fn"), f"the {name} returned by step {k}")
            losses.append(value)
            if value != value or value in (float("inf"), float("-inf")):
                break
    _report(name, [_number_value(v) for v in losses], {"compare": "decreases", "factor": factor})
    if len(losses) < steps or losses[-1] != losses[-1]:
        raise CheckFailed(f"the {name} became {losses[-1]} at step {len(losses)} of {steps} "
                          f"(trajectory: {_trajectory(losses)}).", cause="diverged")
    first, last = losses[0], losses[-1]
    if last < factor * first:
        return
    raise CheckFailed(f"the {name} went from {first:.4g} to {last:.4g} in {steps} steps; "
                      f"expected it below {factor:g} x {first:.4g} = {factor * first:.4g} "
                      f"(trajectory: {_trajectory(losses)}).",
                      cause="not_decreasing" if last >= first else "slow_decrease")


def _trajectory(values: list, ends: int = 3) -> str:
    shown = [f"{v:.4g}" for v in values]
    if len(shown) > 2 * ends:
        shown = shown[:ends] + ["..."] + shown[-ends:]
    return ", ".join(shown)


# --- models -----------------------------------------------------------------------

def _torch_class(module) -> str:
    """The name of the nearest torch.nn class of ``module`` (its own, or a base's)."""
    for cls in type(module).__mro__:
        if getattr(cls, "__module__", "").startswith("torch.nn"):
            return cls.__name__
    return type(module).__name__


def _require_module(model, name: str) -> None:
    if not isinstance(model, _Module):
        raise CheckFailed(f"{name} should be a torch.nn.Module, but it is {describe(model)}.",
                          cause="none" if model is None else "not_module")


def assert_param_count(model, expected: int, *, name: str = "model",
                       trainable_only: bool = False) -> None:
    """``model`` has ``expected`` parameters (elements; only trainable ones if asked)."""
    guard()
    expected, name = validate.integer("expected", expected, minimum=0), _name(name)
    if not isinstance(model, _Module):
        _report(name, ("invalid", describe(model)), EQUAL)
    _require_module(model, name)
    rows = [(n, p) for n, p in _named_parameters(model)
            if not trainable_only or _t_requires_grad(p)]
    count = sum(_t_numel(p) for _, p in rows)
    _report(name, _number_value(count), EQUAL)
    if count == expected:
        return
    table = "\n".join(f"  {n}: shape {_shape_text(_t_shape(p))}, {_t_numel(p)}"
                      for n, p in rows[:12])
    more = f"\n  ... and {len(rows) - 12} more tensors" if len(rows) > 12 else ""
    raise CheckFailed(f"{name} has {count} parameters, expected {expected} "
                      f"(difference {count - expected:+d}).\n{table}{more}".rstrip(),
                      cause="param_count")


def assert_module_structure(model, layers, *, name: str = "model") -> None:
    """The leaf modules of ``model``, in order, are instances of ``layers``' types."""
    guard()
    validate.instance("layers", layers, (tuple, list), "a list of nn.Module classes")
    for layer in layers:
        if not (isinstance(layer, type) and issubclass(layer, _Module)):
            raise TypeError(f"layers must hold nn.Module classes, got {layer!r}")
    name = _name(name)
    if not isinstance(model, _Module):
        _report(name, ("invalid", describe(model)), EQUAL)
    _require_module(model, name)
    leaves = [m for _, m in _named_modules(model) if next(iter(_children(m)), None) is None]
    _report(name, [("str", _torch_class(m)) for m in leaves], EQUAL)
    if len(leaves) == len(layers) and all(isinstance(m, t) for m, t in zip(leaves, layers)):
        return
    got = ", ".join(type(m).__name__ for m in leaves) or "no layers"
    raise CheckFailed(f"{name} has layers {got}; expected "
                      f"{', '.join(t.__name__ for t in layers)}.", cause="structure")


lock_module(sys.modules[__name__])

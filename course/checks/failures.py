"""Failed checks and their likely causes: :class:`CheckFailed`, :data:`CAUSES`, :func:`guard`.

Every helper raises :class:`CheckFailed` (an ``AssertionError``) whose message
says what was expected and what was found; its ``cause`` names the likely
mistake (a tag explained in :data:`CAUSES`, or free text). An exception raised by
the student's own code becomes a :class:`StudentCodeError`, its cause guessed
from the error. :func:`guard`, the first thing every helper does, refuses to run a
check once ``course.checks`` was tampered with.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping

from course.checks import integrity, reporting
from course.checks.display import _student_frame, render
from course.checks.integrity import tampered

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


def guard() -> None:
    """Raise :class:`CheckFailed` when course.checks was tampered with."""
    problems = tampered()
    if problems:
        raise CheckFailed("course.checks was modified in this session, so checks cannot "
                          "run: " + "; ".join(problems[:5]), cause="tampered")


def recause(cause: str | None, check, *args, **kwargs) -> None:
    """Run the check ``check(*args, **kwargs)``; on failure keep its message but name
    ``cause`` (an exercise's own tag) as the likely cause."""
    try:
        check(*args, **kwargs)
    except CheckFailed as failure:
        raise CheckFailed(failure.message, cause=cause) from None


integrity.lock_module(sys.modules[__name__])

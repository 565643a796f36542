"""Optimisers and training: an optimiser's steps against a reference or stored values,
and a loss that goes down.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from course import validate
from course.checks import integrity
from course.checks.arrays import _compare, _number_value, _scalar, _tensor_value
from course.checks.calling import call, seeded
from course.checks.descriptions import _any, _shape_text, _type_name
from course.checks.failures import CheckFailed, guard
from course.checks.gradients import _tensors
from course.checks.observations import EXPECTED, _close_spec, _report, _stored
from course.checks.primitives import (_Parameter, _enable_grad, _not_equal, _t_clone, _t_detach,
                                      _t_set_grad)
from course.checks.tensors import _name, _tolerances


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


integrity.lock_module(sys.modules[__name__])

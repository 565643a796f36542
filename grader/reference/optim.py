"""SGD with momentum and Adam, written from the lecture's update rules.

Both subclass ``torch.optim.Optimizer``, so parameter groups (per-group ``lr``
and friends), ``zero_grad``, ``state_dict``/``load_state_dict`` and closures
work exactly as with ``torch.optim``. Parameters whose ``.grad`` is ``None``
are skipped. Hyper-parameters are checked for every group, also for groups
added later with ``add_param_group``.
"""

from __future__ import annotations

import torch

from course import validate


def _fraction(name: str, value) -> float:
    """A number in [0, 1)."""
    value = validate.number(name, value, minimum=0.0)
    if value >= 1:
        raise ValueError(f"{name} must be < 1, got {value}")
    return value


def _betas(value) -> tuple[float, float]:
    validate.instance("betas", value, (tuple, list), "a pair (beta1, beta2)")
    if len(value) != 2:
        raise ValueError(f"betas must be a pair (beta1, beta2), got {value!r}")
    return _fraction("betas[0]", value[0]), _fraction("betas[1]", value[1])


class _Checked(torch.optim.Optimizer):
    """Base that validates every parameter group with :meth:`_check_group`."""

    def add_param_group(self, param_group: dict) -> None:
        if isinstance(param_group, dict):
            self._check_group({**self.defaults, **param_group})
        super().add_param_group(param_group)

    def _check_group(self, group: dict) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    @staticmethod
    def _run_closure(closure):
        if closure is None:
            return None
        with torch.enable_grad():
            return closure()


class SGD(_Checked):
    """Gradient descent with the lecture's momentum.

    Lecture form, per parameter W with velocity Delta (0 at the start)::

        Delta_i = gamma * Delta_{i-1} + eta * dL/dW
        W      <- W - Delta_i

    torch's form keeps a buffer of summed *gradients* instead::

        buf <- mu * buf + g ;   W <- W - lr * buf

    With a constant learning rate the two agree exactly: by induction
    Delta_i = eta * buf_i (true for i = 1, where Delta_1 = eta g_1 and
    buf_1 = g_1; then Delta_{i+1} = gamma eta buf_i + eta g = eta buf_{i+1}).
    When ``lr`` changes mid-training (a scheduler) they differ: here the
    velocity still carries the steps taken with the old rates and the new rate
    applies only to new gradients, so the step size adapts gradually; torch
    rescales the whole buffer by the new rate at once.
    """

    def __init__(self, params, lr: float, momentum: float = 0.0):
        defaults = {"lr": validate.positive("lr", lr),
                    "momentum": _fraction("momentum", momentum)}
        super().__init__(params, defaults)

    def _check_group(self, group: dict) -> None:
        validate.positive("lr", group["lr"])
        _fraction("momentum", group["momentum"])

    @torch.no_grad()
    def step(self, closure=None):
        """One update of every parameter that has a gradient; returns the closure's loss."""
        loss = self._run_closure(closure)
        for group in self.param_groups:
            lr, gamma = group["lr"], group["momentum"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                delta = lr * p.grad                              # eta dL/dW
                if gamma:
                    state = self.state[p]
                    if "delta" in state:
                        delta = delta.add(state["delta"], alpha=gamma)
                    state["delta"] = delta
                p.sub_(delta)
        return loss


class Adam(_Checked):
    """Adam (Kingma and Ba 2014) as on the lecture slide, with t the step count::

        m_t = beta1 m_{t-1} + (1 - beta1) g        v_t = beta2 v_{t-1} + (1 - beta2) g^2
        m^_t = m_t / (1 - beta1^t)                 v^_t = v_t / (1 - beta2^t)
        W  <- W - eta m^_t / (sqrt(v^_t) + eps)

    The slide prints sqrt(m^) in the denominator; that is a typo, the paper and
    torch use sqrt(v^). t is counted per parameter and starts at 1 for the
    first step, so the bias correction undoes the zero initialisation of m, v.
    """

    def __init__(self, params, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8):
        defaults = {"lr": validate.positive("lr", lr), "betas": _betas(betas),
                    "eps": validate.positive("eps", eps)}
        super().__init__(params, defaults)

    def _check_group(self, group: dict) -> None:
        validate.positive("lr", group["lr"])
        _betas(group["betas"])
        validate.positive("eps", group["eps"])

    @torch.no_grad()
    def step(self, closure=None):
        """One Adam update of every parameter that has a gradient."""
        loss = self._run_closure(closure)
        for group in self.param_groups:
            lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = p.grad
                state = self.state[p]
                if not state:
                    state["step"] = 0
                    state["m"] = torch.zeros_like(p)
                    state["v"] = torch.zeros_like(p)
                state["step"] += 1
                t = state["step"]
                m = state["m"].mul_(beta1).add_(g, alpha=1 - beta1)
                v = state["v"].mul_(beta2).addcmul_(g, g, value=1 - beta2)
                m_hat = m / (1 - beta1 ** t)
                v_hat = v / (1 - beta2 ** t)
                p.sub_(lr * m_hat / (v_hat.sqrt() + eps))
        return loss

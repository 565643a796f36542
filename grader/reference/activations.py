"""Activation functions and their derivatives, built from elementary torch ops.

Each ``f`` has an analytic derivative ``f_grad`` (same shape as ``x``), so a
notebook can compare it with autograd. Exponentials only ever see arguments
<= 0 (through :func:`_neg_abs`), which keeps every value *and* every autograd
gradient finite for large ``|x|``: ``torch.where`` back-propagates through both
branches, so an ``inf`` in the branch not taken would still turn into ``nan``.

``softmax`` and ``log_softmax`` act along a dimension; their derivatives are
Jacobians (see :func:`softmax_grad`), so they are not in :data:`ACTIVATIONS`,
which maps names of the element-wise functions to ``(f, f_prime)``.
"""

from __future__ import annotations

import math

import torch

from course import validate

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946
_GELU_C = math.sqrt(2.0 / math.pi)  # tanh approximation: sqrt(2/pi) (x + 0.044715 x^3)
_GELU_K = 0.044715


def _neg_abs(x: torch.Tensor) -> torch.Tensor:
    """``-|x|`` with the gradient of the branch taken (also at 0, unlike ``abs``)."""
    return torch.where(x >= 0, -x, x)


def _nonpositive(x: torch.Tensor) -> torch.Tensor:
    """``min(x, 0)`` whose gradient is 1 for x <= 0 (safe input for ``exp``)."""
    return torch.where(x > 0, torch.zeros_like(x), x)


# --- sigmoid family ---------------------------------------------------------

def sigmoid(x: torch.Tensor) -> torch.Tensor:
    """1 / (1 + exp(-x)), evaluated without overflow."""
    e = torch.exp(_neg_abs(x))                       # in (0, 1]
    return torch.where(x >= 0, 1 / (1 + e), e / (1 + e))


def sigmoid_grad(x: torch.Tensor) -> torch.Tensor:
    """sigma'(x) = sigma(x) (1 - sigma(x))."""
    s = sigmoid(x)
    return s * (1 - s)


def tanh(x: torch.Tensor) -> torch.Tensor:
    """(1 - exp(-2|x|)) / (1 + exp(-2|x|)) with the sign of x; expm1 keeps small x exact."""
    z = 2 * _neg_abs(x)
    t = -torch.expm1(z) / (1 + torch.exp(z))        # tanh(|x|)
    return torch.where(x >= 0, t, -t)


def tanh_grad(x: torch.Tensor) -> torch.Tensor:
    """tanh'(x) = 1 - tanh(x)^2."""
    return 1 - tanh(x) ** 2


def softplus(x: torch.Tensor) -> torch.Tensor:
    """log(1 + exp(x)) = max(x, 0) + log(1 + exp(-|x|)); used by the stable BCE."""
    return torch.where(x >= 0, x, torch.zeros_like(x)) + torch.log1p(torch.exp(_neg_abs(x)))


def softplus_grad(x: torch.Tensor) -> torch.Tensor:
    """softplus'(x) = sigma(x)."""
    return sigmoid(x)


# --- rectifiers ---------------------------------------------------------------

def relu(x: torch.Tensor) -> torch.Tensor:
    """max(x, 0)."""
    return torch.where(x > 0, x, torch.zeros_like(x))


def relu_grad(x: torch.Tensor) -> torch.Tensor:
    """1 for x > 0, else 0 (torch's choice at x = 0)."""
    return (x > 0).to(x.dtype)


def leaky_relu(x: torch.Tensor, negative_slope: float = 0.01) -> torch.Tensor:
    """x for x > 0, negative_slope * x otherwise."""
    return torch.where(x > 0, x, negative_slope * x)


def leaky_relu_grad(x: torch.Tensor, negative_slope: float = 0.01) -> torch.Tensor:
    """1 for x > 0, negative_slope otherwise."""
    return torch.where(x > 0, torch.ones_like(x), torch.full_like(x, negative_slope))


def elu(x: torch.Tensor, alpha: float = 1.0) -> torch.Tensor:
    """x for x > 0, alpha (exp(x) - 1) otherwise."""
    return torch.where(x > 0, x, alpha * torch.expm1(_nonpositive(x)))


def elu_grad(x: torch.Tensor, alpha: float = 1.0) -> torch.Tensor:
    """1 for x > 0, alpha exp(x) otherwise."""
    return torch.where(x > 0, torch.ones_like(x), alpha * torch.exp(_nonpositive(x)))


def selu(x: torch.Tensor) -> torch.Tensor:
    """scale * elu(x, alpha) with the self-normalising constants of Klambauer et al. 2017."""
    return SELU_SCALE * elu(x, SELU_ALPHA)


def selu_grad(x: torch.Tensor) -> torch.Tensor:
    """scale * elu'(x, alpha)."""
    return SELU_SCALE * elu_grad(x, SELU_ALPHA)


# --- smooth gates -----------------------------------------------------------------

def silu(x: torch.Tensor) -> torch.Tensor:
    """x sigma(x) (also called swish)."""
    return x * sigmoid(x)


def silu_grad(x: torch.Tensor) -> torch.Tensor:
    """sigma(x) (1 + x (1 - sigma(x)))."""
    s = sigmoid(x)
    return s * (1 + x * (1 - s))


def _gelu_approximate(approximate: str) -> str:
    return validate.one_of("approximate", approximate, ("none", "tanh"))


def gelu(x: torch.Tensor, approximate: str = "none") -> torch.Tensor:
    """x Phi(x), Phi the standard normal CDF; ``approximate="tanh"`` as in torch."""
    if _gelu_approximate(approximate) == "tanh":
        inner = _GELU_C * (x + _GELU_K * x ** 3)
        return 0.5 * x * (1 + tanh(inner))
    return 0.5 * x * (1 + torch.erf(x / math.sqrt(2.0)))


def gelu_grad(x: torch.Tensor, approximate: str = "none") -> torch.Tensor:
    """Phi(x) + x phi(x), or the derivative of the tanh approximation."""
    if _gelu_approximate(approximate) == "tanh":
        t = tanh(_GELU_C * (x + _GELU_K * x ** 3))
        d_inner = _GELU_C * (1 + 3 * _GELU_K * x ** 2)
        return 0.5 * (1 + t) + 0.5 * x * (1 - t ** 2) * d_inner
    cdf = 0.5 * (1 + torch.erf(x / math.sqrt(2.0)))
    pdf = torch.exp(-0.5 * x ** 2) / math.sqrt(2 * math.pi)
    return cdf + x * pdf


def gelu_tanh(x: torch.Tensor) -> torch.Tensor:
    """:func:`gelu` with ``approximate="tanh"``."""
    return gelu(x, approximate="tanh")


def gelu_tanh_grad(x: torch.Tensor) -> torch.Tensor:
    """:func:`gelu_grad` with ``approximate="tanh"``."""
    return gelu_grad(x, approximate="tanh")


# --- softmax ----------------------------------------------------------------------

def _shifted(x: torch.Tensor, dim: int) -> torch.Tensor:
    """x - max(x) along ``dim``: every exponent <= 0, the result is unchanged."""
    return x - x.amax(dim=dim, keepdim=True).detach()


def softmax(x: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """exp(x_i) / sum_j exp(x_j) along ``dim``, stable for large logits."""
    e = torch.exp(_shifted(x, dim))
    return e / e.sum(dim=dim, keepdim=True)


def log_softmax(x: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """x_i - log sum_j exp(x_j) along ``dim``, stable for large logits."""
    z = _shifted(x, dim)
    return z - torch.log(torch.exp(z).sum(dim=dim, keepdim=True))


def softmax_grad(x: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """Jacobian d softmax_i / d x_j = s_i (delta_ij - s_j).

    ``dim`` is moved last and the result has one extra trailing axis:
    ``(..., C) -> (..., C, C)`` with ``[..., i, j]`` the derivative of output i
    with respect to input j.
    """
    s = softmax(x, dim).movedim(dim, -1)                                # (..., C)
    return torch.diag_embed(s) - s.unsqueeze(-1) * s.unsqueeze(-2)      # (..., C, C)


def log_softmax_grad(x: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """Jacobian d log_softmax_i / d x_j = delta_ij - s_j, laid out as :func:`softmax_grad`."""
    s = softmax(x, dim).movedim(dim, -1)                                # (..., C)
    eye = torch.eye(s.shape[-1], dtype=s.dtype, device=s.device)        # (C, C)
    return eye - s.unsqueeze(-2)                                        # (..., C, C)


ACTIVATIONS = {
    "sigmoid": (sigmoid, sigmoid_grad),
    "tanh": (tanh, tanh_grad),
    "relu": (relu, relu_grad),
    "leaky_relu": (leaky_relu, leaky_relu_grad),
    "elu": (elu, elu_grad),
    "selu": (selu, selu_grad),
    "silu": (silu, silu_grad),
    "gelu": (gelu, gelu_grad),
    "gelu_tanh": (gelu_tanh, gelu_tanh_grad),
    "softplus": (softplus, softplus_grad),
}
"""Element-wise activations by name: ``name -> (f, f_prime)``, default parameters."""

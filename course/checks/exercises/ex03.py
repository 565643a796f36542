"""Visible checks of notebook 03 (neurons, activations, layers, softmax, approximation).

Each check uses small fixed inputs and compares with stored values (``checks.EXPECTED``,
see course/checks/expected/ex03.json); the likely-cause detectors compute known wrong
answers with torch. Every pitfall the notebook warns about has a visible check: autograd
gradients at |x| = 1000 (the torch.where trap), a batch of one sample, leading batch
dims, rows on very different scales, an even target curve. The hidden tests use other
shapes, dtypes, activations and extreme values.
"""

import math

import torch
import torch.nn.functional as F

from course import checks


_WHERE_TRAP = (
    "Autograd through your function gives nan (or inf) at |x| = 1000 although the values "
    "are right: somewhere exp received a large positive number and overflowed to inf, "
    "and the backward pass multiplied it by 0 (0 * inf = nan). torch.where(cond, a, b) "
    "evaluates BOTH a and b on every element, and autograd differentiates both, so the "
    "branch you do not pick must be finite too. Fix: feed exp only numbers <= 0 in every "
    "branch (exp(-|x|), or x.clamp(max=0)).")


def _finite_gradients(fn, x, name) -> None:
    """Autograd through ``fn`` at ``x`` (with |x| = 1000) matches the stored gradient; nan or
    inf there is the torch.where trap."""
    try:
        checks.assert_grad_close(fn, [x], checks.EXPECTED, name=name)
    except checks.CheckFailed as failure:
        if failure.cause in ("nan", "inf"):
            raise checks.CheckFailed(failure.message, cause="where_trap") from None
        raise


# --- 03.neuron ----------------------------------------------------------------------

@checks.exercise(
    "03.neuron", title="One neuron on a batch",
    hints=["Each row of X is one sample. The weighted sum of one sample is a dot product "
           "with w; for all rows at once that is a single matrix-vector product.",
           "X @ w has shape (N,) already, one number per sample. Add b (it broadcasts), "
           "then apply the activation you were given.",
           "Avoid .squeeze() to fix shapes: it also removes the batch dim when N = 1."],
    likely_causes={"bias": "The result equals the neuron without its bias: add b before "
                           "the activation.",
                   "activation": "The result equals the pre-activation X @ w + b: apply "
                                 "the activation function passed as an argument.",
                   "squeeze": "For a batch of ONE sample the result must still be (1,): "
                              ".squeeze() removes every size-1 dim, the batch dim too. X @ w "
                              "is (N,) already; if you need to drop a dim, name it: "
                              ".squeeze(-1)."})
def _neuron(neuron):
    X = torch.tensor([[0.5, -1.0, 2.0], [1.5, 0.0, -0.5], [-2.0, 1.0, 1.0],
                      [0.0, 0.3, -1.2]])                                     # (N=4, D=3)
    w = torch.tensor([0.8, -0.4, 0.3])                                       # (D,)
    got = checks.call(neuron, X, w, 0.5, torch.sigmoid)
    checks.assert_shape(got, (4,), name="neuron(X of shape (4, 3), w, 0.5, torch.sigmoid)")
    z = X.double() @ w.double()
    checks.assert_close_or_cause(got, checks.EXPECTED, "neuron(X, w, b=0.5, torch.sigmoid)",
                                 [(torch.sigmoid(z).float(), "bias"),
                                  ((z + 0.5).float(), "activation")])
    one = checks.call(neuron, X[:1].clone(), w.clone(), 0.5, torch.sigmoid)
    try:
        checks.assert_shape(one, (1,), name="neuron(X of shape (1, 3), w, 0.5, torch.sigmoid)")
    except checks.CheckFailed as failure:
        if type(one) is torch.Tensor and one.dim() == 0:
            raise checks.CheckFailed(failure.message, cause="squeeze") from None
        raise


# --- 03.sigmoid and 03.sigmoid_prime -------------------------------------------------

_SIGMOID_HINTS = [
    "1 / (1 + exp(-x)) needs exp(1000) for x = -1000, which overflows to inf. Rewrite "
    "the formula so that exp only ever sees numbers <= 0.",
    "For x >= 0 use 1 / (1 + exp(-x)); for x < 0 multiply numerator and denominator by "
    "exp(x): exp(x) / (1 + exp(x)). Both only need exp(-|x|).",
    "torch.where(cond, a, b) computes BOTH a and b everywhere (and autograd "
    "differentiates both): make sure neither branch overflows anywhere, e.g. by building "
    "both from e = exp(-|x|).",
]


_SIGMOID_BUILT_INS = ("torch.sigmoid", "torch.special.expit", "torch.nn.functional.logsigmoid",
                      "torch.nn.functional.sigmoid", "torch.nn.Sigmoid", "torch.nn.LogSigmoid")


@checks.exercise(
    "03.sigmoid", title="A numerically stable sigmoid", hints=_SIGMOID_HINTS,
    likely_causes={"nan": "exp(x) overflows to inf for large x, and inf / inf is nan: "
                          "only ever exponentiate -|x|.",
                   "where_trap": _WHERE_TRAP},
    forbidden=_SIGMOID_BUILT_INS)
def _sigmoid(sigmoid):
    x = torch.tensor([-1000.0, -30.0, -2.0, -0.5, 0.0, 0.5, 2.0, 30.0, 1000.0])
    got = checks.call(sigmoid, x.clone())
    checks.assert_shape(got, (9,), name="sigmoid(x of shape (9,))")
    checks.assert_close(got, name="sigmoid([-1000, ..., 0, ..., 1000])", atol=1e-7)
    grid = torch.linspace(-6.0, 6.0, 12, dtype=torch.float64).reshape(3, 4)
    got = checks.call(sigmoid, grid.clone())
    checks.assert_close(got, name="sigmoid(float64 x of shape (3, 4))", exact_dtype=True,
                        atol=1e-12)
    far = torch.tensor([-1000.0, -30.0, -2.0, -0.5, 0.5, 2.0, 30.0, 1000.0])   # no x = 0
    _finite_gradients(lambda t: sigmoid(t).sum(), far,
                      "sigmoid(x).sum() at x = [-1000, -30, -2, -0.5, 0.5, 2, 30, 1000]")


@checks.exercise(
    "03.sigmoid_prime", title="The derivative of the sigmoid",
    hints=["Differentiate 1 / (1 + exp(-x)) once with the chain rule and express the "
           "result through sigma(x) itself.",
           "sigma'(x) = sigma(x) (1 - sigma(x)); compute it from your stable sigmoid, so "
           "it is stable too.",
           "Its maximum is 1/4, at x = 0."],
    likely_causes={"nan": "Compute the derivative from the stable sigmoid, not from "
                          "exp(-x) / (1 + exp(-x))**2, which is inf / inf for x = -1000."},
    forbidden=_SIGMOID_BUILT_INS)
def _sigmoid_prime(sigmoid_prime):
    x = torch.tensor([-1000.0, -30.0, -2.0, -0.5, 0.0, 0.5, 2.0, 30.0, 1000.0])
    got = checks.call(sigmoid_prime, x.clone())
    checks.assert_shape(got, (9,), name="sigmoid_prime(x of shape (9,))")
    checks.assert_close(got, name="sigmoid_prime([-1000, ..., 1000])", atol=1e-7)


# --- 03.elu and 03.elu_prime ----------------------------------------------------------

_ELU_HINTS = [
    "ELU is x for x > 0 and alpha (exp(x) - 1) for x <= 0; torch.where picks one of the "
    "two element by element.",
    "torch.where evaluates both branches on every element, and autograd differentiates "
    "both: exp(1000) in the branch you don't pick still turns the gradient into nan. "
    "Feed exp only non-positive numbers, e.g. x.clamp(max=0).",
    "The derivative is 1 for x > 0 and alpha exp(x) for x <= 0; at x = 0 take the left "
    "branch, alpha, as torch does. torch.expm1(x) computes exp(x) - 1 accurately for "
    "small x.",
]


_ELU_BUILT_INS = ("torch.nn.functional.elu", "torch.nn.functional.elu_", "torch.nn.ELU")


@checks.exercise(
    "03.elu", title="ELU", hints=_ELU_HINTS,
    likely_causes={"wrong_gradient": "Autograd through your elu disagrees with the ELU "
                                     "derivative: check both branches and alpha.",
                   "where_trap": _WHERE_TRAP},
    forbidden=_ELU_BUILT_INS)
def _elu(elu):
    x = torch.tensor([-4.0, -1.5, -0.2, 0.0, 0.3, 2.0, 5.0])
    for alpha in (1.0, 0.5):
        got = checks.call(elu, x.clone(), alpha)
        checks.assert_shape(got, (7,), name=f"elu(x of shape (7,), alpha={alpha})")
        checks.assert_close(got, name=f"elu(x, alpha={alpha})")
    smooth = torch.tensor([-3.0, -1.0, -0.1, 0.4, 2.5])       # no x = 0: any convention
    checks.assert_grad_close(lambda t: elu(t, 0.5).sum(), [smooth], checks.EXPECTED,
                             name="elu(x, alpha=0.5).sum()")
    far = torch.tensor([-1000.0, -2.0, 1.5, 1000.0])
    checks.assert_close(checks.call(elu, far.clone(), 0.5),
                        name="elu([-1000, -2, 1.5, 1000], alpha=0.5)")
    _finite_gradients(lambda t: elu(t, 0.5).sum(), far,
                      "elu(x, alpha=0.5).sum() at x = [-1000, -2, 1.5, 1000]")


@checks.exercise(
    "03.elu_prime", title="The derivative of ELU", hints=_ELU_HINTS,
    likely_causes={"convention": "At x = 0 the derivative must be alpha (the left branch, "
                                 "as in torch's autograd), not 1."},
    forbidden=_ELU_BUILT_INS)
def _elu_prime(elu_prime):
    x = torch.tensor([-4.0, -1.5, -0.2, 0.0, 0.3, 2.0, 5.0])
    for alpha in (1.0, 0.5):
        got = checks.call(elu_prime, x.clone(), alpha)
        checks.assert_shape(got, (7,), name=f"elu_prime(x of shape (7,), alpha={alpha})")
        right_at_zero = torch.where(x >= 0, torch.ones_like(x), alpha * torch.exp(x))
        checks.assert_close_or_cause(got, checks.EXPECTED,
                                     f"elu_prime([-4, -1.5, -0.2, 0, 0.3, 2, 5], alpha={alpha})",
                                     [(right_at_zero, "convention")])


# --- 03.mlp_forward ---------------------------------------------------------------------

def _layers(sizes, generator):
    """[(W, b), ...] in nn.Linear's convention: W (n_out, n_in), b (n_out,)."""
    return [(torch.randn(n_out, n_in, generator=generator) / math.sqrt(n_in),
             torch.randn(n_out, generator=generator) * 0.1)
            for n_in, n_out in zip(sizes[:-1], sizes[1:])]


@checks.exercise(
    "03.mlp_forward", title="An MLP forward pass by hand",
    hints=["A layer maps h of shape (N, n_in) to h @ W.T + b of shape (N, n_out): W is "
           "stored as (n_out, n_in), like nn.Linear.weight.",
           "Loop over the (W, b) pairs; apply the activation after every layer except the "
           "last (the network returns raw outputs, no activation at the end).",
           "torch.mm only accepts 2-D matrices; @ (torch.matmul) also handles leading "
           "batch dims like (B, T, n_in), as nn.Linear does."],
    likely_causes={"last_activation": "The activation was also applied after the last "
                                      "layer: the output layer stays linear.",
                   "no_activation": "No activation was applied between the layers: the "
                                    "whole network collapsed into one linear map.",
                   "batch_dims": "X may have leading batch dims, (B, T, n_in), like the "
                                 "input of nn.Linear. torch.mm only takes 2-D matrices: use "
                                 "@ (torch.matmul), which multiplies the last two dims and "
                                 "keeps the leading ones."},
    forbidden=("torch.nn.Linear", "torch.nn.functional.linear"))
def _mlp_forward(mlp_forward):
    generator = torch.Generator().manual_seed(3)
    layers = _layers([4, 6, 3, 2], generator)
    X = torch.randn(5, 4, generator=generator)                              # (N, 4)
    got = checks.call(mlp_forward, X.clone(), [(W.clone(), b.clone()) for W, b in layers],
                      torch.relu)
    checks.assert_shape(got, (5, 2), name="mlp_forward(X of shape (5, 4), 3 layers 4-6-3-2)")
    last_activation, linear_only = X, X          # two known wrong answers
    for W, b in layers:
        last_activation = torch.relu(F.linear(last_activation, W, b))
        linear_only = F.linear(linear_only, W, b)
    checks.assert_close_or_cause(got, checks.EXPECTED, "mlp_forward(X, layers, torch.relu)",
                                 [(last_activation, "last_activation"),
                                  (linear_only, "no_activation")],
                                 rtol=1e-4, atol=1e-5)
    sequences = X[:4].reshape(2, 2, 4)                                     # (B=2, T=2, 4)
    name = "mlp_forward(X of shape (B=2, T=2, 4), 3 layers 4-6-3-2, torch.relu)"
    try:
        got = checks.call(mlp_forward, sequences, [(W.clone(), b.clone()) for W, b in layers],
                          torch.relu)
        checks.assert_shape(got, (2, 2, 2), name=f"the shape of {name}")
    except checks.CheckFailed as failure:
        raise checks.CheckFailed(failure.message, cause="batch_dims") from None
    checks.assert_close(got, name=name, rtol=1e-4, atol=1e-5)


# --- 03.softmax --------------------------------------------------------------------------

@checks.exercise(
    "03.softmax", title="A stable softmax along a dim",
    hints=["softmax(z) = exp(z) / sum(exp(z)) along dim. exp(1000) is inf, so shift "
           "first: softmax(z - c) = softmax(z) for any constant c along that dim.",
           "Take c as the maximum along dim, z.amax(dim=dim, keepdim=True): then every "
           "exponent is <= 0 and the largest is exactly 0.",
           "keepdim=True keeps the reduced dim with size 1, so the max and the sum "
           "broadcast back against z for any dim."],
    likely_causes={"wrong_dim": "The values are a softmax, but along another dim: "
                                "reduce (max and sum) along `dim`.",
                   "nan": "exp overflowed (inf / inf), or a row far below the largest "
                          "logit underflowed to 0 / 0. Subtract the maximum of EACH row "
                          "along dim, z.amax(dim=dim, keepdim=True), not the global "
                          "z.max(), before exp."},
    forbidden=("torch.softmax", "torch.nn.functional.softmax",
               "torch.special.softmax", "torch.nn.Softmax",
               "torch.logsumexp", "torch.special.logsumexp"))
def _softmax(softmax):
    big = torch.tensor([[1000.0, 1001.0, 1002.0], [999.0, 1000.0, 998.0]])   # (2, 3)
    got = checks.call(softmax, big.clone(), -1)
    checks.assert_shape(got, (2, 3), name="softmax(z of shape (2, 3), dim=-1)")
    checks.assert_close(got, name="softmax([[1000, 1001, 1002], [999, 1000, 998]], dim=-1)")
    z = torch.tensor([[0.5, -1.0, 2.0, 0.0], [1.5, 0.2, -0.3, 0.8], [-1.0, 0.0, 1.0, 3.0]])
    for dim in (1, 0):
        got = checks.call(softmax, z.clone(), dim)
        checks.assert_shape(got, (3, 4), name=f"softmax(z of shape (3, 4), dim={dim})")
        checks.assert_close_or_cause(got, checks.EXPECTED, f"softmax(z, dim={dim})",
                                     [(torch.softmax(z, dim=1 - dim), "wrong_dim")])
    got = checks.call(softmax, z.clone())
    checks.assert_close(got, name="softmax(z) (default dim=-1)")
    scales = torch.tensor([[1000.0, 1002.0, 1001.0], [-2.0, 0.0, 1.0]])      # far apart
    checks.assert_close(checks.call(softmax, scales.clone(), 1),
                        name="softmax([[1000, 1002, 1001], [-2, 0, 1]], dim=1)")


# --- 03.fit_one_hidden ---------------------------------------------------------------------

def _one_hidden_forward(x, params):
    """tanh(x W1^T + b1) W2^T + b2 for x (N, 1): the network of exercise 03.fit_one_hidden."""
    W1, b1, W2, b2 = params
    return torch.tanh(x @ W1.T + b1) @ W2.T + b2                           # (N, 1)


def _held_out_mse(fit, target, low, high, hidden, steps, lr, seed, name):
    """Fit ``target`` on 64 points of [low, high], return the MSE on 199 points between."""
    x = torch.linspace(low, high, 64).unsqueeze(1)                          # (64, 1)
    with checks.seeded(seed):
        params = checks.call(fit, x, target(x), hidden, steps, lr)
    if type(params) not in (tuple, list) or len(params) != 4:
        raise checks.CheckFailed(f"{name} should return a tuple (W1, b1, W2, b2), but it "
                                 f"returned {checks.describe(params)}.")
    for label, p, shape in zip(("W1", "b1", "W2", "b2"), params,
                               ((hidden, 1), (hidden,), (1, hidden), (1,))):
        checks.assert_shape(p, shape, name=f"{label} returned by {name}")
    test_x = torch.linspace(low, high, 201)[1:-1].unsqueeze(1)              # (199, 1)
    with torch.no_grad():
        pred = _one_hidden_forward(test_x, [p.detach().float().cpu() for p in params])
        return float(((pred - target(test_x)) ** 2).mean())


@checks.exercise(
    "03.fit_one_hidden", title="A one-hidden-layer tanh network fits a curve",
    hints=["Create W1 (hidden, 1), b1 (hidden,), W2 (1, hidden), b2 (1,) as tensors with "
           "requires_grad=True, initialised as the exercise says, and give all four to "
           "torch.optim.Adam(..., lr=lr).",
           "Each step: optimizer.zero_grad(), forward pass, loss = mean squared error, "
           "loss.backward(), optimizer.step(). Without zero_grad the gradients of all "
           "earlier steps add up.",
           "If all weights start at zero, every hidden unit computes the same thing and "
           "gets the same gradient forever: the network behaves like one unit. Start "
           "from random weights."],
    likely_causes={"not_fitted": "The network did not fit the curve: random (not zero) "
                                 "initial weights, a bias in the hidden layer, "
                                 "zero_grad() every step, and all four tensors given to "
                                 "the optimizer?",
                   "odd": "The network fits sin(x) but not the even cos(x): without the "
                          "hidden bias b1 every unit tanh(w x) is an odd function, so the "
                          "whole network is odd. Create b1 = torch.randn(hidden) with "
                          "requires_grad=True and give it to the optimizer."},
    forbidden=("course.train",))
def _fit_one_hidden(fit_one_hidden):
    mse = _held_out_mse(fit_one_hidden, torch.sin, -math.pi, math.pi, hidden=32, steps=300,
                        lr=0.02, seed=0, name="fit_one_hidden(x, sin(x), 32, 300, 0.02)")
    checks.assert_less(mse, 0.01, cause="not_fitted",
                       name="the mean squared error on held-out points of "
                            "fit_one_hidden(x, sin(x), hidden=32, steps=300, lr=0.02)")
    mse = _held_out_mse(fit_one_hidden, torch.cos, -math.pi, math.pi, hidden=32, steps=300,
                        lr=0.02, seed=1, name="fit_one_hidden(x, cos(x), 32, 300, 0.02)")
    checks.assert_less(mse, 0.01, cause="odd",
                       name="the mean squared error on held-out points of "
                            "fit_one_hidden(x, cos(x), hidden=32, steps=300, lr=0.02)")

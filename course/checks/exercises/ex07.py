"""Visible checks of notebook 07 (optimisers: gradient descent, momentum, RMSProp, Adam,
parameter groups, learning-rate schedules, early stopping).

Every check uses small fixed inputs; the notebook's hidden tests use others. Expected
values are literals or stored (``checks.EXPECTED``, see course/checks/expected/ex07.json):
the optimisers' parameter trajectories, recorded from the solution (which matches
``torch.optim`` step for step), are compared through
:func:`course.checks.assert_optimizer_step_matches`.
"""

from __future__ import annotations

from collections import OrderedDict

import torch
from torch import nn

from course import checks
from course.checks import CheckFailed
from course.checks.failures import recause


# --- shared inputs --------------------------------------------------------------------

def _two_params():
    """A (3, 2) weight and a (2,) bias, fixed values."""
    g = torch.Generator().manual_seed(7)
    return [torch.randn(3, 2, generator=g), torch.randn(2, generator=g)]


def _coupled_loss(params):
    """A smooth, non-quadratic loss that couples the two parameters."""
    w, b = params
    return (w ** 2).sum() + (w.sum(0) * b).sum() + 0.5 * (b ** 4).sum()


def _tiny_loss(params):
    """The coupled loss scaled by 1e-6: gradients, and Adam's sqrt(v), of about 1e-6."""
    return 1e-6 * _coupled_loss(params)


class _LateLoss:
    """The coupled loss of w alone for two steps; b takes part from the third step on."""

    def __init__(self):
        self.calls = 0

    def __call__(self, params):
        self.calls += 1
        w, b = params
        if self.calls < 3:
            return (w ** 2).sum() + w.sum()
        return _coupled_loss(params)


def _first_step(make_optimizer, loss_fn, label):
    """(start, gradients, after) of one step of make_optimizer on fresh parameters."""
    params = [nn.Parameter(t) for t in _two_params()]
    start = [p.detach().clone() for p in params]
    optimizer = checks.call(make_optimizer, params, name=label)
    loss_fn(params).backward()
    grads = [p.grad.detach().clone() for p in params]
    checks.call(optimizer.step, name=f"{label}.step")
    return start, grads, [p.detach().clone() for p in params]


def _took_step(start, grads, after, denominator, lr) -> bool:
    """True when every parameter moved by -lr * g / denominator(g)."""
    return all(checks.matches(a, s - lr * g / denominator(g), rtol=1e-4, atol=1e-7)
               for s, g, a in zip(start, grads, after))


def _groups_matter(run):
    """Run a trajectory check with several parameter groups; blame the groups' options."""
    try:
        run()
    except checks.StudentCodeError:
        raise
    except CheckFailed as failure:
        if failure.cause in ("optimizer_update", "optimizer_state"):
            raise CheckFailed(failure.message, cause="group_options") from None
        raise


GROUP_OPTIONS = ("With several parameter groups each group has its own options: read them "
                 "inside the loop over self.param_groups (group['lr'], ...), not from "
                 "self.defaults or from the arguments of __init__.")


def _require_optimizer_class(cls, name: str) -> None:
    if not (isinstance(cls, type) and issubclass(cls, torch.optim.Optimizer)):
        raise CheckFailed(f"{name} should be a class that subclasses torch.optim.Optimizer, "
                          f"but it is {checks.describe(cls)}.",
                          cause=f"Define it as `class {name}(torch.optim.Optimizer):` and pass "
                                f"the class itself (not an instance) to the check.")


# --- 07.gd_step -----------------------------------------------------------------------

@checks.exercise(
    "07.gd_step", title="One gradient-descent step",
    hints=["For every tensor p in the list: p <- p - lr * p.grad. Change p itself (in place), "
           "do not build a new tensor: `p = p - ...` only rebinds the loop variable.",
           "An in-place update of a leaf that requires grad must not be recorded by autograd: "
           "put the loop inside `with torch.no_grad():`.",
           "Skip tensors whose .grad is None (they took no part in the loss)."],
    likely_causes={
        "params_unchanged": "The tensors did not change: `p = p - lr * p.grad` creates a new "
                            "tensor and rebinds the name p; update in place with p -= ... "
                            "(or p.sub_(...)) inside torch.no_grad().",
        "leaf_inplace": "autograd refuses in-place changes of a leaf that requires grad: wrap "
                        "the update in `with torch.no_grad():`.",
        "grad_none": "A tensor that took no part in the loss has p.grad None, and lr * None "
                     "is a TypeError: skip it (`if p.grad is None: continue`).",
    },
    forbidden=("torch.optim",))
def _gd_step(gd_step):
    w = torch.tensor([[1.0, -2.0], [0.5, 3.0]], requires_grad=True)
    b = torch.tensor([0.25, -1.0], requires_grad=True)
    ((w ** 2).sum() + 3 * b.sum()).backward()          # w.grad = 2 w, b.grad = 3
    w_before, b_before = w.detach().clone(), b.detach().clone()
    try:
        checks.call(gd_step, [w, b], 0.1)
    except checks.StudentCodeError as failure:
        if "leaf Variable that requires grad" in str(failure.error):
            raise CheckFailed(failure.message, cause="leaf_inplace") from None
        raise
    if torch.equal(w.detach(), w_before) and torch.equal(b.detach(), b_before):
        raise CheckFailed("gd_step([w, b], 0.1) left w and b unchanged.", cause="params_unchanged")
    if w.grad_fn is not None or not w.requires_grad:
        raise CheckFailed("after gd_step, w should still be a leaf tensor that requires grad "
                          f"(requires_grad={w.requires_grad}, grad_fn={w.grad_fn}).",
                          cause="leaf_inplace")
    checks.assert_close(w.detach(), torch.tensor([[0.8, -1.6], [0.4, 2.4]]),
                        name="w after gd_step([w, b], lr=0.1) with w.grad = 2 w")
    checks.assert_close(b.detach(), torch.tensor([-0.05, -1.3]),
                        name="b after gd_step([w, b], lr=0.1) with b.grad = 3")
    _skips_missing_grads(gd_step)


def _skips_missing_grads(gd_step):
    """A tensor without a gradient is left alone, the others still move."""
    unused = torch.tensor([5.0, 6.0], requires_grad=True)
    w = torch.tensor([1.0, -2.0], requires_grad=True)
    (w ** 2).sum().backward()                           # unused.grad stays None
    try:
        checks.call(gd_step, [unused, w], 0.5)
    except checks.StudentCodeError as failure:
        if "NoneType" in str(failure.error):
            raise CheckFailed(failure.message, cause="grad_none") from None
        raise
    checks.assert_close(unused.detach(), torch.tensor([5.0, 6.0]),
                        name="a tensor whose .grad is None, after gd_step([unused, w], 0.5)")
    checks.assert_close(w.detach(), torch.tensor([0.0, 0.0]),
                        name="w after gd_step([unused, w], 0.5) with w.grad = 2 w")


# --- 07.train_minibatch -----------------------------------------------------------------

class _CountingSGD(torch.optim.SGD):
    """torch.optim.SGD that counts its steps."""

    def __init__(self, params, lr):
        super().__init__(params, lr=lr)
        self.steps = 0

    def step(self, closure=None):
        self.steps += 1
        return super().step(closure)


def _regression_data():
    g = torch.Generator().manual_seed(11)
    X = torch.randn(10, 3, generator=g)                                 # (10, 3)
    y = X @ torch.tensor([[1.0], [-2.0], [0.5]]) + 0.3                  # (10, 1)
    return X, y


def _linear_model():
    model = nn.Linear(3, 1)
    with torch.no_grad():
        model.weight.copy_(torch.tensor([[0.2, 0.1, -0.3]]))
        model.bias.fill_(0.0)
    return model


def _epoch_losses(result, epochs: int, label: str) -> None:
    if not isinstance(result, (list, tuple)):
        raise CheckFailed(f"{label} should return a list with one loss per epoch, but it "
                          f"returned {checks.describe(result)}.",
                          cause="none" if result is None else "list")
    if len(result) != epochs:
        raise CheckFailed(f"{label} should return {epochs} losses (one per epoch), "
                          f"got {len(result)}.")


@checks.exercise(
    "07.train_minibatch", title="Mini-batch gradient descent",
    hints=["Per epoch: one permutation `torch.randperm(N, generator=generator)`, then walk "
           "through it in slices of batch_size; the last slice may be shorter.",
           "Per batch: forward, loss, optimizer.zero_grad(), loss.backward(), "
           "optimizer.step(). Without zero_grad the gradients of all earlier batches add up.",
           "The epoch's loss is the average over samples: add loss.item() * len(batch) for "
           "every batch and divide by N at the end of the epoch."],
    likely_causes={
        "epoch_losses": "The losses differ from the expected ones: check zero_grad() before "
                        "every backward(), the per-sample average (loss.item() * batch length, "
                        "divided by N) and that every sample is used once per epoch.",
    },
    forbidden=("course.train", "torch.utils.data.DataLoader"))
def _train_minibatch(train_minibatch):
    X, y = _regression_data()
    # Full batch: the permutation does not change the result.
    model = _linear_model()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    got = checks.call(train_minibatch, model, X, y, nn.MSELoss(), optimizer, 10, 3,
                      generator=torch.Generator().manual_seed(0))
    _epoch_losses(got, 3, "train_minibatch(..., batch_size=10, epochs=3)")
    for epoch, value in enumerate(got, 1):
        recause("epoch_losses", checks.assert_close, value, rtol=1e-4, atol=1e-6,
                name=f"loss of epoch {epoch} (batch_size=10 = all samples)")
    # Batches of 4 out of 10 samples: 3 updates per epoch, the last one with 2 samples.
    model = _linear_model()
    optimizer = _CountingSGD(model.parameters(), lr=0.1)
    got = checks.call(train_minibatch, model, X, y, nn.MSELoss(), optimizer, 4, 2,
                      generator=torch.Generator().manual_seed(1))
    _epoch_losses(got, 2, "train_minibatch(..., batch_size=4, epochs=2)")
    if optimizer.steps != 6:
        raise CheckFailed(f"with 10 samples, batch_size=4 and 2 epochs there should be "
                          f"2 x 3 = 6 calls of optimizer.step() (batches of 4, 4 and 2), "
                          f"got {optimizer.steps}.",
                          cause="Every sample is used once per epoch; the last batch is "
                                "smaller when N is not a multiple of batch_size.")
    for epoch, value in enumerate(got, 1):
        recause("epoch_losses", checks.assert_close, value, rtol=1e-4, atol=1e-6,
                name=f"loss of epoch {epoch} (batch_size=4, shuffled with the generator)")


# --- 07.Momentum --------------------------------------------------------------------------

@checks.exercise(
    "07.Momentum", title="SGD with momentum, the lecture's way",
    hints=["In step(): loop over self.param_groups, read lr and momentum from each group, "
           "then loop over group['params'] and skip p whose p.grad is None.",
           "Keep Delta of each parameter in self.state[p] (a dict per parameter). At the "
           "first step there is none yet: Delta = lr * p.grad.",
           "Then Delta = momentum * previous Delta + lr * p.grad, store it, and update "
           "p in place (p -= Delta) under torch.no_grad()."],
    likely_causes={
        "optimizer_state": "The first step matched but a later one did not: the velocity "
                           "Delta must be remembered per parameter (self.state[p]) and "
                           "combined as momentum * Delta_previous + lr * grad.",
        "optimizer_update": "The very first step differs: with no previous Delta, the step "
                            "is plain gradient descent, W <- W - lr * grad.",
        "group_options": GROUP_OPTIONS,
    },
    forbidden=("torch.optim.SGD", "torch.optim.sgd",
               "torch.optim._functional"))
def _momentum(Momentum):
    _require_optimizer_class(Momentum, "Momentum")
    checks.assert_optimizer_step_matches(
        lambda params: Momentum(params, lr=0.05, momentum=0.9),
        checks.EXPECTED, _two_params, _coupled_loss, steps=5,
        name="Momentum(params, lr=0.05, momentum=0.9) against torch.optim.SGD")
    two_groups = (lambda params: Momentum([{"params": params[:1]},
                                           {"params": params[1:], "lr": 0.02, "momentum": 0.5}],
                                          lr=0.05, momentum=0.9))
    _groups_matter(lambda: checks.assert_optimizer_step_matches(
        two_groups, checks.EXPECTED, _two_params, _coupled_loss, steps=4,
        name="Momentum with two groups (the second with lr=0.02, momentum=0.5) against "
             "torch.optim.SGD"))


# --- 07.RMSProp ---------------------------------------------------------------------------

@checks.exercise(
    "07.RMSProp", title="RMSProp from scratch",
    hints=["Keep v of each parameter in self.state[p], zeros like p at its first gradient. "
           "Read lr, alpha and eps from each group inside the loop over self.param_groups.",
           "v = alpha * v + (1 - alpha) * g**2, then p -= lr * g / (sqrt(v) + eps): eps "
           "outside the square root.",
           "No bias correction (that is Adam's): at the first step v = (1 - alpha) g^2, so "
           "with alpha = 0.99 the first step is about 10 lr long, exactly as in "
           "torch.optim.RMSprop."],
    likely_causes={
        "bias_correction": "Your first step divides v by 1 - alpha**t, as Adam does. "
                           "RMSProp (and torch.optim.RMSprop) has no bias correction: "
                           "use v itself.",
        "eps_inside": "eps sits inside the square root, sqrt(v + eps). torch.optim.RMSprop "
                      "adds it outside, sqrt(v) + eps; the two differ when v is small (here "
                      "gradients of about 1e-6).",
        "optimizer_update": "The very first step differs: v starts at 0, so after one step "
                            "v = (1 - alpha) g^2 and p moves by lr * g / (sqrt(v) + eps).",
        "optimizer_state": "The first step matched but a later one did not: keep v per "
                           "parameter in self.state[p] and update it from its previous "
                           "value, v = alpha * v + (1 - alpha) * g**2.",
        "group_options": GROUP_OPTIONS,
    },
    forbidden=("torch.optim.RMSprop", "torch.optim.rmsprop", "torch.optim.Adagrad",
               "torch.optim.Adam", "torch.optim.AdamW", "torch.optim.adam",
               "torch.optim._functional"))
def _rmsprop(RMSProp):
    _require_optimizer_class(RMSProp, "RMSProp")
    start, grads, after = _first_step(lambda params: RMSProp(params, lr=0.01), _tiny_loss,
                                      "RMSProp")
    label = "with gradients of about 1e-6, the first step of RMSProp(params, lr=0.01)"
    if _took_step(start, grads, after, lambda g: g.abs() + 1e-8, 0.01):
        raise CheckFailed(f"{label} is lr * g / (|g| + eps): v was bias-corrected.",
                          cause="bias_correction")
    if _took_step(start, grads, after, lambda g: (0.01 * g * g + 1e-8).sqrt(), 0.01):
        raise CheckFailed(f"{label} is lr * g / sqrt(v + eps).", cause="eps_inside")
    checks.assert_optimizer_step_matches(
        lambda params: RMSProp(params, lr=0.01), checks.EXPECTED, _two_params, _coupled_loss,
        steps=5, name="RMSProp(params, lr=0.01) against torch.optim.RMSprop")
    checks.assert_optimizer_step_matches(
        lambda params: RMSProp(params, lr=0.01), checks.EXPECTED, _two_params, _tiny_loss,
        steps=3, name="RMSProp(params, lr=0.01) on a loss with gradients of about 1e-6")
    two_groups = (lambda params: RMSProp([{"params": params[:1], "alpha": 0.9},
                                          {"params": params[1:], "lr": 0.002, "eps": 0.1}],
                                         lr=0.01))
    _groups_matter(lambda: checks.assert_optimizer_step_matches(
        two_groups, checks.EXPECTED, _two_params, _coupled_loss, steps=4,
        name="RMSProp with two groups (alpha=0.9; lr=0.002 and eps=0.1) against "
             "torch.optim.RMSprop"))


# --- 07.Adam ------------------------------------------------------------------------------

@checks.exercise(
    "07.Adam", title="Adam with bias correction",
    hints=["State per parameter in self.state[p]: a step count t and the running averages "
           "m and v (zeros like p at the start). Increment t BEFORE using it, so t = 1 at "
           "the first step.",
           "m = beta1 m + (1 - beta1) g and v = beta2 v + (1 - beta2) g^2; then "
           "m_hat = m / (1 - beta1**t), v_hat = v / (1 - beta2**t).",
           "The update is p -= lr * m_hat / (sqrt(v_hat) + eps): the square root of v_hat "
           "(the slide's sqrt(m_hat) is a typo), with eps outside the root."],
    likely_causes={
        "nan": "NaN in Adam has two usual sources. The square root of a negative number: "
               "the denominator is sqrt(v_hat), v being an average of squares, while m (the "
               "slide's sqrt(m_hat), a typo) can be negative. Or 0 / 0 in the bias "
               "correction: with t = 0, 1 - beta**t is 0; increment t before using it.",
        "inf": "inf usually is a division by zero in the bias correction: 1 - beta**t is 0 "
               "for t = 0. Increment the step count before using it (t = 1 at the first step).",
        "optimizer_update": "The very first step differs: check the bias correction "
                            "(t = 1 at the first step), sqrt(v_hat) in the denominator, "
                            "eps outside the square root and the sign of the update.",
        "optimizer_state": "The first step matched but a later one did not: keep t, m and v "
                           "per parameter in self.state[p], update m and v from their "
                           "previous values and increment t at every step.",
        "eps_inside": "eps sits inside the square root, sqrt(v_hat + eps), as on one lecture "
                      "slide. With small gradients (sqrt(v_hat) about 1e-6 here) that is "
                      "sqrt(1e-12 + 1e-8), about 1e-4, and the step shrinks a hundredfold. "
                      "The paper and torch.optim.Adam use sqrt(v_hat) + eps.",
        "group_options": GROUP_OPTIONS,
        "late_parameter": "A parameter that gets its first gradient late must start its own "
                          "count at t = 1: keep t in self.state[p], one per parameter, not "
                          "one counter for the whole optimizer.",
    },
    forbidden=("torch.optim.Adam", "torch.optim.AdamW", "torch.optim.Adamax",
               "torch.optim.NAdam", "torch.optim.RAdam", "torch.optim.adam",
               "torch.optim.adamw", "torch.optim._functional"))
def _adam(Adam):
    _require_optimizer_class(Adam, "Adam")
    checks.assert_optimizer_step_matches(
        lambda params: Adam(params, lr=0.05),
        checks.EXPECTED, _two_params, _coupled_loss, steps=5,
        name="Adam(params, lr=0.05) against torch.optim.Adam")
    # Small gradients: where eps sits matters. At t = 1, m_hat = g and v_hat = g^2.
    start, grads, after = _first_step(lambda params: Adam(params, lr=0.05), _tiny_loss, "Adam")
    if _took_step(start, grads, after, lambda g: (g * g + 1e-8).sqrt(), 0.05):
        raise CheckFailed("with gradients of about 1e-6, the first step of Adam(params, "
                          "lr=0.05) is lr * g / sqrt(g^2 + eps), about 100 times too short.",
                          cause="eps_inside")
    checks.assert_optimizer_step_matches(
        lambda params: Adam(params, lr=0.05), checks.EXPECTED, _two_params, _tiny_loss,
        steps=3, name="Adam(params, lr=0.05) on a loss with gradients of about 1e-6")
    two_groups = (lambda params: Adam([{"params": params[:1], "lr": 0.1, "betas": (0.8, 0.9)},
                                       {"params": params[1:], "eps": 0.5}], lr=0.05))
    _groups_matter(lambda: checks.assert_optimizer_step_matches(
        two_groups, checks.EXPECTED, _two_params, _coupled_loss, steps=4,
        name="Adam with two groups (lr=0.1 and betas=(0.8, 0.9); eps=0.5) against "
             "torch.optim.Adam"))
    try:
        checks.assert_optimizer_step_matches(
            lambda params: Adam(params, lr=0.05), checks.EXPECTED, _two_params, _LateLoss(),
            steps=5, name="Adam(params, lr=0.05), the bias b without a gradient in steps 1-2")
    except checks.StudentCodeError:
        raise
    except CheckFailed as failure:
        if failure.cause == "optimizer_state":
            raise CheckFailed(failure.message, cause="late_parameter") from None
        raise


# --- 07.make_optimizer ----------------------------------------------------------------------

def _ids(params) -> set:
    return {id(p) for p in params}


def _group_text(group: dict, names: dict) -> str:
    listed = ", ".join(names.get(id(p), "?") for p in group.get("params", []))
    return f"lr={group.get('lr')}, momentum={group.get('momentum')}, params: {listed}"


def _check_layer_groups(optimizer, model, layer_name, layer_lr, lr, momentum, label) -> None:
    """``optimizer`` is an SGD with the two groups the exercise asks for."""
    if not isinstance(optimizer, torch.optim.SGD):
        raise CheckFailed(f"{label} should return a torch.optim.SGD, but it returned "
                          f"{checks.describe(optimizer)}.",
                          cause="none" if optimizer is None else None)
    names = {id(p): n for n, p in model.named_parameters()}
    layer = _ids(getattr(model, layer_name).parameters())
    rest = _ids(model.parameters()) - layer
    groups = optimizer.param_groups
    shown = "\n".join(f"  group {i}: {_group_text(g, names)}" for i, g in enumerate(groups))
    if len(groups) != 2:
        raise CheckFailed(f"{label}: expected 2 parameter groups, got {len(groups)}:\n{shown}",
                          cause="Pass a list of two dicts: one for the layer's parameters "
                                "(with its own 'lr'), one for all other parameters.")
    by_content = {frozenset(_ids(g["params"])): g for g in groups}
    for wanted, want_lr, what in ((layer, layer_lr, f"the parameters of {layer_name!r}"),
                                  (rest, lr, "all other parameters")):
        group = by_content.get(frozenset(wanted))
        if group is None:
            raise CheckFailed(f"{label}: no group holds exactly {what}:\n{shown}",
                              cause="Split the parameters by module: "
                                    "getattr(model, layer_name).parameters() for one group, "
                                    "the remaining ones (compare with `is`, or by name) for "
                                    "the other. By name, a bare prefix is not enough: "
                                    "'block' also matches 'block2.weight'; compare with "
                                    "layer_name + '.'.")
        checks.assert_close(float(group["lr"]), float(want_lr),
                            name=f"{label}: lr of the group with {what}")
        checks.assert_close(float(group["momentum"]), float(momentum),
                            name=f"{label}: momentum of the group with {what}")


@checks.exercise(
    "07.make_optimizer", title="Parameter groups with their own learning rate",
    hints=["torch.optim.SGD accepts a list of dicts instead of model.parameters(); each dict "
           "has 'params' and may override options such as 'lr'.",
           "getattr(model, layer_name) is the named child module; its .parameters() go into "
           "one group, every other parameter of the model into the other.",
           "A parameter may appear in only one group: model.parameters() includes the layer's "
           "parameters, so filter them out (e.g. by name: named_parameters() names start with "
           "layer_name + '.')."],
    likely_causes={"shared_parameter": "torch.optim refuses a parameter that sits in two "
                                       "groups: model.parameters() already holds the "
                                       "layer's parameters. Leave those out of the other "
                                       "group."},
)
def _make_optimizer(make_optimizer):
    with checks.seeded(0):
        model = nn.Sequential(OrderedDict(body=nn.Linear(4, 8), act=nn.ReLU(),
                                          head=nn.Linear(8, 2)))
    try:
        optimizer = checks.call(make_optimizer, model, "head", 0.1, 0.01, momentum=0.8)
    except checks.StudentCodeError as failure:
        if "more than one parameter group" in str(failure.error):
            raise CheckFailed(failure.message, cause="shared_parameter") from None
        raise
    _check_layer_groups(optimizer, model, "head", 0.1, 0.01, 0.8,
                       "make_optimizer(model, 'head', 0.1, 0.01, momentum=0.8)")
    with checks.seeded(0):                  # one layer's name is a prefix of another's
        net = nn.Sequential(OrderedDict(block=nn.Linear(2, 3), block2=nn.Linear(3, 3),
                                        out=nn.Linear(3, 1)))
    optimizer = checks.call(make_optimizer, net, "block", 0.5, 0.05)
    _check_layer_groups(optimizer, net, "block", 0.5, 0.05, 0.9,
                        "make_optimizer(net, 'block', 0.5, 0.05) for layers named block, "
                        "block2 and out")


# --- 07.lr_at -----------------------------------------------------------------------------

@checks.exercise(
    "07.lr_at", title="Warm-up and cosine learning-rate schedule",
    hints=["Three cases: step < warmup_steps, warmup_steps <= step < total_steps, "
           "step >= total_steps.",
           "Warm-up: step 0 is the first update and must already move, so use (step + 1) / "
           "warmup_steps (not step / warmup_steps, which gives lr 0 at the first step).",
           "Cosine part: progress = (step - warmup_steps) / (total_steps - warmup_steps) goes "
           "from 0 to 1; lr = min_lr + (base_lr - min_lr) * (1 + cos(pi * progress)) / 2."],
    likely_causes={"warmup_off_by_one": "The first update (step 0) got learning rate 0: "
                                        "the warm-up is base_lr * (step + 1) / warmup_steps, "
                                        "not step / warmup_steps."},
)
def _lr_at(lr_at):
    cases = [((0, 0.1, 4, 20), 0.025), ((1, 0.1, 4, 20), 0.05), ((3, 0.1, 4, 20), 0.1),
             ((4, 0.1, 4, 20), 0.1), ((12, 0.1, 4, 20), checks.EXPECTED),
             ((19, 0.1, 4, 20), checks.EXPECTED), ((20, 0.1, 4, 20), 0.0),
             ((30, 0.1, 4, 20), 0.0)]
    first = checks.call(lr_at, 0, 0.1, 4, 20)
    if isinstance(first, (int, float)) and first == 0:
        raise CheckFailed("lr_at(0, 0.1, 4, 20) is 0: the first update would not move the "
                          "parameters at all.", cause="warmup_off_by_one")
    for args, want in cases:
        checks.assert_close(checks.call(lr_at, *args), want,
                            name=f"lr_at{args} (step, base_lr, warmup_steps, total_steps)")
    checks.assert_close(checks.call(lr_at, 12, 0.1, 4, 20, min_lr=0.01),
                        name="lr_at(12, 0.1, 4, 20, min_lr=0.01)")
    checks.assert_close(checks.call(lr_at, 25, 0.1, 4, 20, min_lr=0.01), 0.01,
                        name="lr_at(25, 0.1, 4, 20, min_lr=0.01)")


# --- 07.early_stopping --------------------------------------------------------------------

def _pair(result, label: str):
    if not isinstance(result, tuple) or len(result) != 2:
        raise CheckFailed(f"{label} should return a pair (stop_epoch, best_epoch), but it "
                          f"returned {checks.describe(result)}.",
                          cause="none" if result is None else None)
    return result


@checks.exercise(
    "07.early_stopping", title="Early stopping with patience",
    hints=["Walk through the losses with epochs counted from 1. Keep the best loss so far, "
           "its epoch, and a counter of epochs in a row without improvement.",
           "An epoch improves when its loss < best - min_delta: then it becomes the best and "
           "the counter goes back to 0; otherwise the counter grows by 1.",
           "Stop as soon as the counter reaches patience (==, not >): that epoch is "
           "stop_epoch. If it never happens, all epochs ran: stop_epoch = len(val_losses)."],
    likely_causes={
        "equal_loss": "An epoch whose loss equals the best one does not improve: compare "
                      "with loss < best - min_delta, not <=.",
        "min_delta": "min_delta made no difference: an epoch improves only when its loss is "
                     "below best - min_delta.",
    },
    forbidden=("course.train",))
def _early_stopping(early_stopping):
    losses = [1.0, 0.8, 0.85, 0.7, 0.72, 0.71, 0.73, 0.6]
    cases = [(losses, 3, 0.0, (7, 4), None), (losses, 2, 0.0, (6, 4), None),
             (losses, 4, 0.0, (8, 8), None),
             ([1.0, 0.9, 0.9, 0.9, 0.9], 2, 0.0, (4, 2), ((5, 5), "equal_loss")),
             ([2.0, 1.9, 1.5, 1.45, 1.42], 2, 0.2, (5, 3), ((5, 5), "min_delta"))]
    for values, patience, min_delta, want, known_wrong in cases:
        label = f"early_stopping({values}, patience={patience}, min_delta={min_delta})"
        got = _pair(checks.call(early_stopping, list(values), patience, min_delta=min_delta),
                    label)
        if known_wrong is not None and tuple(got) == known_wrong[0] != want:
            raise CheckFailed(f"{label} returned {got}; expected {want}.",
                              cause=known_wrong[1])
        checks.assert_close(got[0], want[0], name=f"stop_epoch of {label}")
        checks.assert_close(got[1], want[1], name=f"best_epoch of {label}")

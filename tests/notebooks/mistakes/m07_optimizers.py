"""Typical wrong answers for notebook 07 (optimizers): at least one per autograded exercise.
Each pitfall the notebook warns about fails a visible check too, with its likely cause
(tests/unit/test_visible_checks_07.py)."""

from tests.notebooks.harness import Mistake

MISTAKES = [
    Mistake("gd_step", ("test_gd_step",),
            "rebinds the loop variable (p = p - lr * p.grad): the caller's tensors never change",
            '''def gd_step(params, lr):
    with torch.no_grad():
        for p in params:
            if p.grad is not None:
                p = p - lr * p.grad
'''),
    Mistake("train_minibatch", ("test_train_minibatch",),
            "forgets optimizer.zero_grad(): the gradients of all earlier batches pile up",
            '''def train_minibatch(model, X, y, loss_fn, optimizer, batch_size, epochs, generator=None):
    losses = []
    for epoch in range(epochs):
        order = torch.randperm(len(X), generator=generator)
        total = 0.0
        for start in range(0, len(X), batch_size):
            idx = order[start:start + batch_size]
            loss = loss_fn(model(X[idx]), y[idx])
            loss.backward()
            optimizer.step()
            total += loss.item() * len(idx)
        losses.append(total / len(X))
    return losses
'''),
    Mistake("Momentum", ("test_Momentum",),
            "reads lr and momentum from self.defaults, ignoring each parameter group's own "
            "options",
            '''class Momentum(torch.optim.Optimizer):
    def __init__(self, params, lr, momentum=0.9):
        super().__init__(params, {"lr": lr, "momentum": momentum})

    @torch.no_grad()
    def step(self, closure=None):
        lr, gamma = self.defaults["lr"], self.defaults["momentum"]
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                delta = lr * p.grad
                if "delta" in state:
                    delta = delta + gamma * state["delta"]
                state["delta"] = delta
                p -= delta
'''),
    Mistake("Adam", ("test_Adam",),
            "puts eps inside the square root, sqrt(v_hat + eps), as one lecture slide does: "
            "tiny with eps = 1e-8 and ordinary gradients, wrong with small gradients or a "
            "larger eps",
            '''class Adam(torch.optim.Optimizer):
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        super().__init__(params, {"lr": lr, "betas": betas, "eps": eps})

    @torch.no_grad()
    def step(self, closure=None):
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if len(state) == 0:
                    state["t"] = 0
                    state["m"] = torch.zeros_like(p)
                    state["v"] = torch.zeros_like(p)
                state["t"] += 1
                state["m"] = beta1 * state["m"] + (1 - beta1) * p.grad
                state["v"] = beta2 * state["v"] + (1 - beta2) * p.grad ** 2
                m_hat = state["m"] / (1 - beta1 ** state["t"])
                v_hat = state["v"] / (1 - beta2 ** state["t"])
                p -= group["lr"] * m_hat / torch.sqrt(v_hat + group["eps"])
'''),
    Mistake("make_optimizer", ("test_make_optimizer",),
            "puts all of model.parameters() in one group and the layer in another: the "
            "layer's parameters appear twice and torch.optim raises a ValueError",
            '''def make_optimizer(model, layer_name, layer_lr, lr, momentum=0.9):
    layer = getattr(model, layer_name)
    return torch.optim.SGD([{"params": model.parameters()},
                            {"params": layer.parameters(), "lr": layer_lr}],
                           lr=lr, momentum=momentum)
'''),
    Mistake("lr_at", ("test_lr_at",),
            "warm-up off by one: step / warmup_steps gives learning rate 0 at the first update",
            '''def lr_at(step, base_lr, warmup_steps, total_steps, min_lr=0.0):
    if step < warmup_steps:
        return base_lr * step / warmup_steps
    if step >= total_steps:
        return min_lr
    progress = (step - warmup_steps) / (total_steps - warmup_steps)
    return min_lr + 0.5 * (base_lr - min_lr) * (1 + math.cos(math.pi * progress))
'''),
    Mistake("early_stopping", ("test_early_stopping",),
            "patience off by one: waits for more than `patience` epochs without improvement",
            '''def early_stopping(val_losses, patience, min_delta=0.0):
    best, best_epoch, bad = float("inf"), 0, 0
    for epoch, loss in enumerate(val_losses, start=1):
        if loss < best - min_delta:
            best, best_epoch, bad = loss, epoch, 0
        else:
            bad += 1
            if bad > patience:
                return epoch, best_epoch
    return len(val_losses), best_epoch
'''),
]

# A student's Adam; the tokens COUNT, BEFORE, AFTER, STEP and ROOT are where the
# mistakes below differ from a correct answer.
_ADAM = '''class Adam(torch.optim.Optimizer):
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        super().__init__(params, {"lr": lr, "betas": betas, "eps": eps})

    @torch.no_grad()
    def step(self, closure=None):
        COUNT
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if len(state) == 0:
                    state["t"] = 0
                    state["m"] = torch.zeros_like(p)
                    state["v"] = torch.zeros_like(p)
                BEFORE
                state["m"] = beta1 * state["m"] + (1 - beta1) * p.grad
                state["v"] = beta2 * state["v"] + (1 - beta2) * p.grad ** 2
                m_hat = state["m"] / (1 - beta1 ** STEP)
                v_hat = state["v"] / (1 - beta2 ** STEP)
                p -= group["lr"] * m_hat / (ROOT + group["eps"])
                AFTER
'''


def _adam(count="", before='state["t"] += 1', after="", step='state["t"]',
          root="v_hat.sqrt()"):
    """The template with each token replaced; a line holding only an empty token goes."""
    lines = []
    for line in _ADAM.splitlines(keepends=True):
        for token, code in (("COUNT", count), ("BEFORE", before), ("AFTER", after),
                            ("STEP", step), ("ROOT", root)):
            if line.strip() == token and not code:
                line = ""
            line = line.replace(token, code)
        lines.append(line)
    return "".join(lines)


MISTAKES += [
    Mistake("Adam", ("test_Adam",),
            "the slide's typo: sqrt(m_hat) instead of sqrt(v_hat) in the denominator (NaN)",
            _adam(root="m_hat.sqrt()")),
    Mistake("Adam", ("test_Adam",),
            "bias correction with t = 0 at the first step (t incremented after use): 0 / 0",
            _adam(before="", after='state["t"] += 1')),
    Mistake("Adam", ("test_Adam",),
            "one step counter per optimizer (counts step() calls) instead of per parameter: "
            "wrong for a parameter that gets its first gradient late",
            _adam(count="self.t = getattr(self, 't', 0) + 1", before="", step="self.t")),
    Mistake("gd_step", ("test_gd_step",),
            "does not skip tensors whose .grad is None",
            '''def gd_step(params, lr):
    with torch.no_grad():
        for p in params:
            p -= lr * p.grad
'''),
    Mistake("early_stopping", ("test_early_stopping",),
            "counts an equal loss as an improvement (<= instead of <): a flat curve never "
            "stops",
            '''def early_stopping(val_losses, patience, min_delta=0.0):
    best, best_epoch, bad = None, 0, 0
    for epoch, loss in enumerate(val_losses, start=1):
        if best is None or loss <= best - min_delta:
            best, best_epoch, bad = loss, epoch, 0
        else:
            bad += 1
            if bad == patience:
                return epoch, best_epoch
    return len(val_losses), best_epoch
'''),
    Mistake("make_optimizer", ("test_make_optimizer",),
            "selects the layer's parameters by name prefix without the dot: 'fc1' also "
            "catches 'fc10'",
            '''def make_optimizer(model, layer_name, layer_lr, lr, momentum=0.9):
    layer = [p for n, p in model.named_parameters() if n.startswith(layer_name)]
    rest = [p for n, p in model.named_parameters() if not n.startswith(layer_name)]
    return torch.optim.SGD([{"params": rest}, {"params": layer, "lr": layer_lr}],
                           lr=lr, momentum=momentum)
'''),
    # Answers built from what the exercise forbids, or from answers the course no longer
    # ships: the source check or a failed import costs the exercise's points.
    Mistake("Adam", ("test_Adam",), "torch's own Adam under another name",
            "class Adam(torch.optim.Adam):\n    pass\n",
            forbidden='torch.optim.Adam'),
    Mistake("Momentum", ("test_Momentum",),
            "torch's SGD with momentum (the same updates at a constant lr)",
            "class Momentum(torch.optim.SGD):\n"
            "    def __init__(self, params, lr, momentum=0.9):\n"
            "        super().__init__(params, lr=lr, momentum=momentum)\n",
            forbidden='torch.optim.SGD'),
    Mistake("train_minibatch", ("test_train_minibatch",), "hands the loop to course.train.fit",
            "from course.train import fit\n"
            "def train_minibatch(model, X, y, loss_fn, optimizer, batch_size, epochs, "
            "generator=None):\n"
            "    batches = [(X[i:i + batch_size], y[i:i + batch_size]) "
            "for i in range(0, len(X), batch_size)]\n"
            "    return fit(model, loss_fn, optimizer, batches, epochs, progress=False)"
            "[\"loss\"]\n",
            forbidden='course.train'),
    Mistake("early_stopping", ("test_early_stopping",),
            "imports the course's old EarlyStopping, which students no longer have",
            "from course.train import EarlyStopping\n"
            "def early_stopping(val_losses, patience, min_delta=0.0):\n"
            "    stopper = EarlyStopping(patience, min_delta=min_delta)\n"
            "    for epoch in range(1, len(val_losses) + 1):\n"
            "        if stopper(epoch, {\"val_loss\": val_losses[:epoch]}):\n"
            "            return epoch, stopper.best_epoch\n"
            "    return len(val_losses), stopper.best_epoch\n",
            forbidden='course.train'),
    Mistake("gd_step", ("test_gd_step",), "torch's SGD does the update (right values)",
            "def gd_step(params, lr):\n"
            "    torch.optim.SGD([p for p in params if p.grad is not None], lr=lr).step()\n",
            forbidden="torch.optim.SGD"),
]

# A student's RMSProp; OPTIONS and UPDATE are where the mistakes below differ.
_RMSPROP = '''class RMSProp(torch.optim.Optimizer):
    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8):
        super().__init__(params, {"lr": lr, "alpha": alpha, "eps": eps})

    @torch.no_grad()
    def step(self, closure=None):
        for group in self.param_groups:
            lr, alpha, eps = OPTIONS
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if len(state) == 0:
                    state["t"] = 0
                    state["v"] = torch.zeros_like(p)
                state["t"] += 1
                state["v"] = alpha * state["v"] + (1 - alpha) * p.grad ** 2
                UPDATE
'''


def _rmsprop(options='group["lr"], group["alpha"], group["eps"]',
             update='p -= lr * p.grad / (state["v"].sqrt() + eps)'):
    return _RMSPROP.replace("OPTIONS", options).replace("UPDATE", update)


MISTAKES += [
    Mistake("RMSProp", ("test_RMSProp",),
            "bias correction out of habit from Adam: v / (1 - alpha**t); torch.optim.RMSprop "
            "has none",
            _rmsprop(update='p -= lr * p.grad / ((state["v"] / (1 - alpha ** state["t"])).sqrt()'
                            ' + eps)')),
    Mistake("RMSProp", ("test_RMSProp",),
            "eps inside the square root, sqrt(v + eps)",
            _rmsprop(update='p -= lr * p.grad / (state["v"] + eps).sqrt()')),
    Mistake("RMSProp", ("test_RMSProp",),
            "reads lr, alpha and eps from self.defaults, ignoring each group's own options",
            _rmsprop(options='self.defaults["lr"], self.defaults["alpha"], self.defaults["eps"]')),
    Mistake("RMSProp", ("test_RMSProp",), "torch's own RMSprop under another name",
            "class RMSProp(torch.optim.RMSprop):\n    pass\n",
            forbidden="torch.optim.RMSprop"),
    Mistake("early_stopping", ("test_early_stopping",),
            "ignores min_delta: every small improvement resets the count",
            '''def early_stopping(val_losses, patience, min_delta=0.0):
    best, best_epoch, waited = None, 0, 0
    for epoch, loss in enumerate(val_losses, start=1):
        if best is None or loss < best:
            best, best_epoch, waited = loss, epoch, 0
        else:
            waited += 1
            if waited == patience:
                return epoch, best_epoch
    return len(val_losses), best_epoch
'''),
]

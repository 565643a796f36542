"""Typical mistakes in notebook 02 (autograd); each must lose exactly its exercise's points.

Most are caught by the visible checks too. Four only by the hidden tests: cloning
instead of detaching in ``derivative`` (x part of a graph), clearing the gradient
after instead of before ``backward`` in ``grads_per_batch`` and not clearing it at all
in ``accumulated_grad`` (a stale ``.grad`` left by the caller), and the mean over N
instead of N * D_out in ``two_layer_grads`` (more than one output).
"""

from tests.notebooks.harness import Mistake

MISTAKES = [
    # --- chain_rule_grads
    Mistake("chain_rule_grads", ("test_chain_rule_grads",),
            "local derivatives only: dq/dx = 1 without the upstream gradient z",
            "def chain_rule_grads(x, y, z):\n"
            "    q = x + y\n"
            "    return torch.ones_like(x), torch.ones_like(y), q\n"),
    # --- derivative
    Mistake("derivative", ("test_derivative",),
            "backward() on a non-scalar output (no .sum())",
            "def derivative(f, x):\n"
            "    leaf = x.detach().clone().requires_grad_(True)\n"
            "    f(leaf).backward()\n"
            "    return leaf.grad\n"),
    Mistake("derivative", ("test_derivative",),
            "switches on requires_grad of the caller's x and returns its .grad",
            "def derivative(f, x):\n"
            "    x.requires_grad_(True)\n"
            "    f(x).sum().backward()\n"
            "    return x.grad\n"),
    Mistake("derivative", ("test_derivative",),
            "clone instead of detach: when x is part of a graph, the clone is no leaf "
            "(no .grad) and the gradient leaks into the caller's graph "
            "(caught by the hidden tests only)",
            "def derivative(f, x):\n"
            "    leaf = x.clone().requires_grad_(True)\n"
            "    f(leaf).sum().backward()\n"
            "    return leaf.grad\n"),
    # --- grads_per_batch
    Mistake("grads_per_batch", ("test_grads_per_batch",),
            "forgets to zero the gradient: row k holds the sum of batches 0..k",
            "def grads_per_batch(w, loss_fn, batches):\n"
            "    grads = []\n"
            "    for x, y in batches:\n"
            "        loss_fn(w, x, y).backward()\n"
            "        grads.append(w.grad.clone())\n"
            "    return torch.stack(grads)\n"),
    Mistake("grads_per_batch", ("test_grads_per_batch",),
            "stores w.grad itself (no copy) and zeroes it in place: every row is the "
            "same tensor",
            "def grads_per_batch(w, loss_fn, batches):\n"
            "    grads = []\n"
            "    for x, y in batches:\n"
            "        loss_fn(w, x, y).backward()\n"
            "        grads.append(w.grad)\n"
            "        w.grad.zero_()\n"
            "    return torch.stack(grads)\n"),
    Mistake("grads_per_batch", ("test_grads_per_batch",),
            "zeroes after backward instead of before: a stale gradient left by the "
            "caller spoils the first row (caught by the hidden tests only)",
            "def grads_per_batch(w, loss_fn, batches):\n"
            "    grads = []\n"
            "    for x, y in batches:\n"
            "        loss_fn(w, x, y).backward()\n"
            "        grads.append(w.grad.clone())\n"
            "        w.grad.zero_()\n"
            "    return torch.stack(grads)\n"),
    # --- accumulated_grad
    Mistake("accumulated_grad", ("test_accumulated_grad",),
            "plain average of the batch means although the batches differ in size",
            "def accumulated_grad(w, loss_fn, batches):\n"
            "    w.grad = None\n"
            "    for x, y in batches:\n"
            "        (loss_fn(w, x, y) / len(batches)).backward()\n"
            "    return w.grad.clone()\n"),
    Mistake("accumulated_grad", ("test_accumulated_grad",),
            "never clears w.grad: a stale gradient from the caller is added in "
            "(caught by the hidden tests only)",
            "def accumulated_grad(w, loss_fn, batches):\n"
            "    total = sum(len(x) for x, _ in batches)\n"
            "    for x, y in batches:\n"
            "        (loss_fn(w, x, y) * len(x) / total).backward()\n"
            "    return w.grad.clone()\n"),
    # --- fit_linear
    Mistake("fit_linear", ("test_fit_linear",),
            "forgets to zero the gradients: each step uses the sum of all earlier ones",
            "def fit_linear(x, y, lr, steps):\n"
            "    w = torch.zeros(x.shape[1], dtype=x.dtype, requires_grad=True)\n"
            "    b = torch.zeros((), dtype=x.dtype, requires_grad=True)\n"
            "    for _ in range(steps):\n"
            "        ((x @ w + b - y) ** 2).mean().backward()\n"
            "        with torch.no_grad():\n"
            "            w -= lr * w.grad\n"
            "            b -= lr * b.grad\n"
            "    return w.detach(), b.detach()\n"),
    Mistake("fit_linear", ("test_fit_linear",),
            "sign error: adds the gradient (gradient ascent, as on one lecture slide)",
            "def fit_linear(x, y, lr, steps):\n"
            "    w = torch.zeros(x.shape[1], dtype=x.dtype, requires_grad=True)\n"
            "    b = torch.zeros((), dtype=x.dtype, requires_grad=True)\n"
            "    for _ in range(steps):\n"
            "        ((x @ w + b - y) ** 2).mean().backward()\n"
            "        with torch.no_grad():\n"
            "            w += lr * w.grad\n"
            "            b += lr * b.grad\n"
            "        w.grad.zero_()\n"
            "        b.grad.zero_()\n"
            "    return w.detach(), b.detach()\n"),
    Mistake("fit_linear", ("test_fit_linear",),
            "rebinds w = w - lr * w.grad outside no_grad: w is no leaf any more, "
            "its .grad stays None",
            "def fit_linear(x, y, lr, steps):\n"
            "    w = torch.zeros(x.shape[1], dtype=x.dtype, requires_grad=True)\n"
            "    b = torch.zeros((), dtype=x.dtype, requires_grad=True)\n"
            "    for _ in range(steps):\n"
            "        ((x @ w + b - y) ** 2).mean().backward()\n"
            "        w = w - lr * w.grad\n"
            "        b = b - lr * b.grad\n"
            "    return w.detach(), b.detach()\n"),
    # --- two_layer_grads
    Mistake("two_layer_grads", ("test_two_layer_grads",),
            "forgets the tanh derivative (1 - tanh^2) on the way down",
            "def two_layer_grads(X, Y, W1, b1, W2, b2):\n"
            "    A1 = torch.tanh(X @ W1.T + b1)\n"
            "    out = A1 @ W2.T + b2\n"
            "    d_out = 2 * (out - Y) / Y.numel()\n"
            "    dZ1 = d_out @ W2\n"
            "    return dZ1.T @ X, dZ1.sum(0), d_out.T @ A1, d_out.sum(0)\n"),
    Mistake("two_layer_grads", ("test_two_layer_grads",),
            "transposes the weight gradients: X.T @ dZ1 is (D_in, H), not (H, D_in)",
            "def two_layer_grads(X, Y, W1, b1, W2, b2):\n"
            "    A1 = torch.tanh(X @ W1.T + b1)\n"
            "    out = A1 @ W2.T + b2\n"
            "    d_out = 2 * (out - Y) / Y.numel()\n"
            "    dZ1 = (d_out @ W2) * (1 - A1 ** 2)\n"
            "    return X.T @ dZ1, dZ1.sum(0), A1.T @ d_out, d_out.sum(0)\n"),
    Mistake("two_layer_grads", ("test_two_layer_grads",),
            "divides by the batch size N only, not by N * D_out (caught by the hidden "
            "tests only: the visible check has one output)",
            "def two_layer_grads(X, Y, W1, b1, W2, b2):\n"
            "    A1 = torch.tanh(X @ W1.T + b1)\n"
            "    out = A1 @ W2.T + b2\n"
            "    d_out = 2 * (out - Y) / X.shape[0]\n"
            "    dZ1 = (d_out @ W2) * (1 - A1 ** 2)\n"
            "    return dZ1.T @ X, dZ1.sum(0), d_out.T @ A1, d_out.sum(0)\n"),
    Mistake("two_layer_grads", ("test_two_layer_grads",),
            "uses autograd in the exercise that asks for backpropagation by hand",
            "def two_layer_grads(X, Y, W1, b1, W2, b2):\n"
            "    params = [p.clone().requires_grad_() for p in (W1, b1, W2, b2)]\n"
            "    out = torch.tanh(X @ params[0].T + params[1]) @ params[2].T + params[3]\n"
            "    ((out - Y) ** 2).mean().backward()\n"
            "    return tuple(p.grad for p in params)\n"),
    Mistake("chain_rule_grads", ("test_chain_rule_grads",),
            "asks torch.autograd.grad instead of applying the chain rule by hand",
            "def chain_rule_grads(x, y, z):\n"
            "    leaves = [t.detach().requires_grad_(True) for t in (x, y, z)]\n"
            "    f = ((leaves[0] + leaves[1]) * leaves[2]).sum()\n"
            "    return torch.autograd.grad(f, leaves)\n",
            forbidden='torch.autograd.grad'),
    Mistake("fit_linear", ("test_fit_linear",),
            "lets torch.optim.SGD do the updates, which the exercise forbids (right values)",
            "def fit_linear(x, y, lr, steps):\n"
            "    w = torch.zeros(x.shape[1], dtype=x.dtype, requires_grad=True)\n"
            "    b = torch.zeros((), dtype=x.dtype, requires_grad=True)\n"
            "    optimizer = torch.optim.SGD([w, b], lr=lr)\n"
            "    for _ in range(steps):\n"
            "        optimizer.zero_grad()\n"
            "        ((x @ w + b - y) ** 2).mean().backward()\n"
            "        optimizer.step()\n"
            "    return w.detach(), b.detach()\n",
            forbidden='torch.optim.SGD'),
    Mistake("fit_linear", ("test_fit_linear",),
            "imports the visible checks' old gradient-descent oracle, which no longer exists",
            "from course.checks.exercises.ex02 import gd_line_numpy\n"
            "def fit_linear(x, y, lr, steps):\n"
            "    return gd_line_numpy(x, y, lr, steps)\n"),
    Mistake("two_layer_grads", ("test_two_layer_grads",),
            "asks torch.autograd.grad for the gradients instead of backpropagating by hand",
            "def two_layer_grads(X, Y, W1, b1, W2, b2):\n"
            "    params = [p.detach().requires_grad_() for p in (W1, b1, W2, b2)]\n"
            "    out = torch.tanh(X @ params[0].T + params[1]) @ params[2].T + params[3]\n"
            "    return torch.autograd.grad(((out - Y) ** 2).mean(), params)\n",
            forbidden="torch.autograd.grad"),
    # --- Softplus
    Mistake("Softplus", ("test_Softplus",),
            "the formula as written, log(1 + exp(x)), and exp(x) / (1 + exp(x)) as the "
            "derivative: inf and nan above x = 88.7 in float32",
            "class Softplus(torch.autograd.Function):\n"
            "    @staticmethod\n"
            "    def forward(ctx, x):\n"
            "        ctx.save_for_backward(x)\n"
            "        return torch.log(1 + torch.exp(x))\n"
            "\n"
            "    @staticmethod\n"
            "    def backward(ctx, grad_output):\n"
            "        (x,) = ctx.saved_tensors\n"
            "        return grad_output * torch.exp(x) / (1 + torch.exp(x))\n"),
    Mistake("Softplus", ("test_Softplus",),
            "backward returns the local derivative sigmoid(x) without multiplying by the "
            "upstream gradient grad_output",
            "class Softplus(torch.autograd.Function):\n"
            "    @staticmethod\n"
            "    def forward(ctx, x):\n"
            "        ctx.save_for_backward(x)\n"
            "        return x.clamp(min=0) + torch.log1p(torch.exp(-x.abs()))\n"
            "\n"
            "    @staticmethod\n"
            "    def backward(ctx, grad_output):\n"
            "        (x,) = ctx.saved_tensors\n"
            "        return torch.sigmoid(x)\n"),
    Mistake("Softplus", ("test_Softplus",),
            "copies the forward's |x| trick into backward: 1 / (1 + exp(-|x|)) is "
            "sigmoid(|x|), wrong for negative x (gradcheck fails)",
            "class Softplus(torch.autograd.Function):\n"
            "    @staticmethod\n"
            "    def forward(ctx, x):\n"
            "        ctx.save_for_backward(x)\n"
            "        return x.clamp(min=0) + torch.log1p(torch.exp(-x.abs()))\n"
            "\n"
            "    @staticmethod\n"
            "    def backward(ctx, grad_output):\n"
            "        (x,) = ctx.saved_tensors\n"
            "        return grad_output / (1 + torch.exp(-x.abs()))\n"),
    Mistake("Softplus", ("test_Softplus",),
            "uses F.softplus in forward, which the exercise forbids (right values)",
            "class Softplus(torch.autograd.Function):\n"
            "    @staticmethod\n"
            "    def forward(ctx, x):\n"
            "        ctx.save_for_backward(x)\n"
            "        return torch.nn.functional.softplus(x)\n"
            "\n"
            "    @staticmethod\n"
            "    def backward(ctx, grad_output):\n"
            "        (x,) = ctx.saved_tensors\n"
            "        return grad_output * torch.sigmoid(x)\n",
            forbidden='torch.nn.functional.softplus'),
]

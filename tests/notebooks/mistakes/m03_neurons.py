"""Typical mistakes in notebook 03 (neurons); each must lose exactly its exercise's points.

The visible checks catch every one of them too, with a likely cause that names it
(tests/unit/test_visible_checks_03.py): ``.squeeze()`` on a batch of one, the naive
sigmoid and the ``torch.where`` trap (finite values, nan gradients at |x| = 1000),
``torch.mm`` (no leading batch dims), a softmax shifted by the global maximum, and a
hidden layer without bias (fits the odd ``sin``, not the even ``cos``).
"""

from tests.notebooks.harness import Mistake

MISTAKES = [
    # --- 03.neuron
    Mistake("neuron", ("test_neuron",),
            "forgets the bias",
            "def neuron(X, w, b, activation):\n"
            "    return activation(X @ w)\n"),
    Mistake("neuron", ("test_neuron",),
            "(N, 1) squeezed with .squeeze(): a batch of one sample becomes a 0-d tensor",
            "def neuron(X, w, b, activation):\n"
            "    z = (X @ w.unsqueeze(1)).squeeze() + b\n"
            "    return activation(z)\n"),
    # --- 03.sigmoid
    Mistake("sigmoid", ("test_sigmoid",),
            "exp(x) / (1 + exp(x)): inf / inf = nan for large positive x",
            "def sigmoid(x):\n"
            "    return torch.exp(x) / (1 + torch.exp(x))\n"
            "\n"
            "def sigmoid_prime(x):\n"
            "    s = sigmoid(x)\n"
            "    return s * (1 - s)\n"),
    Mistake("sigmoid", ("test_sigmoid",),
            "naive 1 / (1 + exp(-x)): right values, nan gradient at x = -1000",
            "def sigmoid(x):\n"
            "    return 1 / (1 + torch.exp(-x))\n"
            "\n"
            "def sigmoid_prime(x):\n"
            "    s = sigmoid(x)\n"
            "    return s * (1 - s)\n"),
    Mistake("sigmoid", ("test_sigmoid",),
            "the torch.where trap: both textbook formulas in a torch.where, right values, "
            "nan gradients at |x| = 1000",
            "def sigmoid(x):\n"
            "    return torch.where(x >= 0, 1 / (1 + torch.exp(-x)), torch.exp(x) / (1 + torch.exp(x)))\n"
            "\n"
            "def sigmoid_prime(x):\n"
            "    s = sigmoid(x)\n"
            "    return s * (1 - s)\n"),
    # --- 03.elu
    Mistake("elu", ("test_elu",),
            "derivative 1 at x = 0 instead of alpha (right instead of left branch)",
            "def elu(x, alpha=1.0):\n"
            "    return torch.where(x > 0, x, alpha * torch.expm1(x.clamp(max=0)))\n"
            "\n"
            "def elu_prime(x, alpha=1.0):\n"
            "    one = torch.ones_like(x)\n"
            "    return torch.where(x >= 0, one, alpha * torch.exp(x.clamp(max=0)))\n"),
    Mistake("elu", ("test_elu",),
            "the torch.where trap: exp(1000) in the unused branch makes the gradient nan",
            "def elu(x, alpha=1.0):\n"
            "    return torch.where(x > 0, x, alpha * (torch.exp(x) - 1))\n"
            "\n"
            "def elu_prime(x, alpha=1.0):\n"
            "    one = torch.ones_like(x)\n"
            "    return torch.where(x > 0, one, alpha * torch.exp(x.clamp(max=0)))\n"),
    # --- 03.mlp_forward
    Mistake("mlp_forward", ("test_mlp_forward",),
            "applies the activation after the output layer too",
            "def mlp_forward(X, layers, activation):\n"
            "    h = X\n"
            "    for W, b in layers:\n"
            "        h = activation(h @ W.T + b)\n"
            "    return h\n"),
    Mistake("mlp_forward", ("test_mlp_forward",),
            "h @ W instead of h @ W.T: the slides' (in, out) convention",
            "def mlp_forward(X, layers, activation):\n"
            "    h = X\n"
            "    for i, (W, b) in enumerate(layers):\n"
            "        h = h @ W + b\n"
            "        if i < len(layers) - 1:\n"
            "            h = activation(h)\n"
            "    return h\n"),
    Mistake("mlp_forward", ("test_mlp_forward",),
            "torch.mm, as on the slides: fails for inputs with leading batch dims",
            "def mlp_forward(X, layers, activation):\n"
            "    h = X\n"
            "    for i, (W, b) in enumerate(layers):\n"
            "        h = torch.mm(h, W.t()) + b\n"
            "        if i < len(layers) - 1:\n"
            "            h = activation(h)\n"
            "    return h\n"),
    # --- 03.softmax
    Mistake("softmax", ("test_softmax",),
            "no shift by the maximum: exp(1000) overflows",
            "def softmax(z, dim=-1):\n"
            "    e = torch.exp(z)\n"
            "    return e / e.sum(dim=dim, keepdim=True)\n"),
    Mistake("softmax", ("test_softmax",),
            "sums without keepdim: the sums line up with the wrong dim",
            "def softmax(z, dim=-1):\n"
            "    e = torch.exp(z - z.amax(dim=dim, keepdim=True))\n"
            "    return e / e.sum(dim=dim)\n"),
    Mistake("softmax", ("test_softmax",),
            "shifts by the global maximum: rows far below it underflow to 0 / 0",
            "def softmax(z, dim=-1):\n"
            "    e = torch.exp(z - z.max())\n"
            "    return e / e.sum(dim=dim, keepdim=True)\n"),
    # --- 03.fit_one_hidden
    Mistake("fit_one_hidden", ("test_fit_one_hidden",),
            "zero initialisation: the hidden units never differ (no symmetry breaking)",
            "def fit_one_hidden(x, y, hidden, steps, lr):\n"
            "    W1 = torch.zeros(hidden, 1, requires_grad=True)\n"
            "    b1 = torch.zeros(hidden, requires_grad=True)\n"
            "    W2 = torch.zeros(1, hidden, requires_grad=True)\n"
            "    b2 = torch.zeros(1, requires_grad=True)\n"
            "    optimizer = torch.optim.Adam([W1, b1, W2, b2], lr=lr)\n"
            "    for _ in range(steps):\n"
            "        optimizer.zero_grad()\n"
            "        loss = ((torch.tanh(x @ W1.T + b1) @ W2.T + b2 - y) ** 2).mean()\n"
            "        loss.backward()\n"
            "        optimizer.step()\n"
            "    return W1, b1, W2, b2\n"),
    Mistake("fit_one_hidden", ("test_fit_one_hidden",),
            "forgets optimizer.zero_grad(): gradients of all steps add up",
            "def fit_one_hidden(x, y, hidden, steps, lr):\n"
            "    W1 = torch.randn(hidden, 1, requires_grad=True)\n"
            "    b1 = torch.randn(hidden, requires_grad=True)\n"
            "    W2 = (torch.randn(1, hidden) / math.sqrt(hidden)).requires_grad_()\n"
            "    b2 = torch.zeros(1, requires_grad=True)\n"
            "    optimizer = torch.optim.Adam([W1, b1, W2, b2], lr=lr)\n"
            "    for _ in range(steps):\n"
            "        loss = ((torch.tanh(x @ W1.T + b1) @ W2.T + b2 - y) ** 2).mean()\n"
            "        loss.backward()\n"
            "        optimizer.step()\n"
            "    return W1, b1, W2, b2\n"),
    Mistake("fit_one_hidden", ("test_fit_one_hidden",),
            "no bias in the hidden layer: the network is an odd function, fits sin but "
            "not an even curve",
            "def fit_one_hidden(x, y, hidden, steps, lr):\n"
            "    W1 = torch.randn(hidden, 1, requires_grad=True)\n"
            "    b1 = torch.zeros(hidden)\n"
            "    W2 = (torch.randn(1, hidden) / math.sqrt(hidden)).requires_grad_()\n"
            "    b2 = torch.zeros(1, requires_grad=True)\n"
            "    optimizer = torch.optim.Adam([W1, W2, b2], lr=lr)\n"
            "    for _ in range(steps):\n"
            "        optimizer.zero_grad()\n"
            "        loss = ((torch.tanh(x @ W1.T) @ W2.T + b2 - y) ** 2).mean()\n"
            "        loss.backward()\n"
            "        optimizer.step()\n"
            "    return W1, b1, W2, b2\n"),
    # --- built-ins the exercises forbid (right values: only checks.forbid catches them)
    Mistake("sigmoid", ("test_sigmoid",),
            "torch.sigmoid, which the exercise forbids",
            "def sigmoid(x):\n"
            "    return torch.sigmoid(x)\n"
            "\n"
            "def sigmoid_prime(x):\n"
            "    s = sigmoid(x)\n"
            "    return s * (1 - s)\n",
            forbidden='torch.sigmoid'),
    Mistake("elu", ("test_elu",),
            "F.elu, which the exercise forbids",
            "def elu(x, alpha=1.0):\n"
            "    return F.elu(x, alpha)\n"
            "\n"
            "def elu_prime(x, alpha=1.0):\n"
            "    return torch.where(x > 0, torch.ones_like(x), alpha * torch.exp(x.clamp(max=0)))\n",
            forbidden='F.elu'),
    Mistake("mlp_forward", ("test_mlp_forward",),
            "F.linear, which the exercise forbids",
            "def mlp_forward(X, layers, activation):\n"
            "    h = X\n"
            "    for i, (W, b) in enumerate(layers):\n"
            "        h = F.linear(h, W, b)\n"
            "        if i < len(layers) - 1:\n"
            "            h = activation(h)\n"
            "    return h\n",
            forbidden='F.linear'),
    Mistake("softmax", ("test_softmax",),
            "torch.softmax, which the exercise forbids",
            "def softmax(z, dim=-1):\n"
            "    return torch.softmax(z, dim=dim)\n",
            forbidden='torch.softmax'),
    Mistake("fit_one_hidden", ("test_fit_one_hidden",),
            "hands the training loop to course.train.fit",
            "from course.train import fit\n"
            "def fit_one_hidden(x, y, hidden, steps, lr):\n"
            "    model = torch.nn.Sequential(torch.nn.Linear(1, hidden), torch.nn.Tanh(),\n"
            "                                torch.nn.Linear(hidden, 1))\n"
            "    fit(model, torch.nn.MSELoss(), torch.optim.Adam(model.parameters(), lr=lr),\n"
            "        [(x, y)], steps, progress=False)\n"
            "    return model[0].weight, model[0].bias, model[2].weight, model[2].bias\n",
            forbidden="course.train"),
]

"""Typical mistakes in notebook 11 (regularisation); each loses exactly its points."""

from tests.notebooks.harness import Mistake

_DROPOUT_INIT = (
    "class Dropout(nn.Module):\n"
    "    def __init__(self, p=0.5):\n"
    "        super().__init__()\n"
    "        if not 0.0 <= p <= 1.0:\n"
    "            raise ValueError('p must be in [0, 1]')\n"
    "        self.p = p\n\n")

_BATCHNORM_INIT = (
    "class BatchNorm(nn.Module):\n"
    "    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True):\n"
    "        super().__init__()\n"
    "        self.eps, self.momentum = eps, momentum\n"
    "        self.weight = nn.Parameter(torch.ones(num_features)) if affine else None\n"
    "        self.bias = nn.Parameter(torch.zeros(num_features)) if affine else None\n"
    "        self.register_buffer('running_mean', torch.zeros(num_features))\n"
    "        self.register_buffer('running_var', torch.ones(num_features))\n\n")


def _batchnorm(training: str, evaluation: str = "            mean, var = self.running_mean, "
                                                  "self.running_var\n") -> str:
    """A BatchNorm whose forward uses ``training`` (which sets mean and var and updates
    the buffers) and ``evaluation`` for the two modes, the rest as in the solution."""
    return (_BATCHNORM_INIT +
            "    def forward(self, x):\n"
            "        dims = [0] + list(range(2, x.dim()))\n"
            "        shape = [1, -1] + [1] * (x.dim() - 2)\n"
            "        n = x.numel() // x.shape[1]\n"
            "        if self.training:\n" + training +
            "        else:\n" + evaluation +
            "        y = (x - mean.view(shape)) / torch.sqrt(var.view(shape) + self.eps)\n"
            "        if self.weight is None:\n"
            "            return y\n"
            "        return y * self.weight.view(shape) + self.bias.view(shape)\n")


_BATCH_STATISTICS = ("            mean = x.mean(dims)\n"
                     "            var = x.var(dims, unbiased=False)\n")


def _receptive(body: str) -> str:
    return ("def receptive_field(layers):\n"
            "    r, j, table = 1, 1, []\n"
            "    for layer in layers:\n" + body +
            "        table.append((r, j))\n"
            "    return table\n")


MISTAKES = [
    # --- l2_penalty ----------------------------------------------------------------------
    Mistake("l2_penalty", ("test_l2_penalty",),
            "leaves out the 1/2: lam * ||w||^2, whose gradient is 2 lam w",
            "def l2_penalty(parameters, lam):\n"
            "    return lam * sum(p.pow(2).sum() for p in parameters)\n"),
    Mistake("l2_penalty", ("test_l2_penalty",),
            "sums the norms instead of the squared norms",
            "def l2_penalty(parameters, lam):\n"
            "    return lam / 2 * sum(p.norm() for p in parameters)\n"),
    Mistake("l2_penalty", ("test_l2_penalty",),
            "accumulates into torch.zeros(1): a float32 (1,) tensor, so a float64 model gets a "
            "float32 penalty of the wrong shape (caught only by the hidden tests)",
            "def l2_penalty(parameters, lam):\n"
            "    total = torch.zeros(1)\n"
            "    for p in parameters:\n"
            "        total = total + p.pow(2).sum()\n"
            "    return lam / 2 * total\n"),
    Mistake("l2_penalty", ("test_l2_penalty",),
            "loops over the parameters twice: the generator model.parameters() is empty the "
            "second time, so the penalty is 0",
            "def l2_penalty(parameters, lam):\n"
            "    if sum(1 for _ in parameters) == 0:\n"
            "        return torch.tensor(0.0)\n"
            "    return lam / 2 * sum(p.pow(2).sum() for p in parameters)\n"),
    # --- sgd_step_with_decay -------------------------------------------------------------
    Mistake("sgd_step_with_decay", ("test_sgd_step_with_decay",),
            "decays by weight_decay / 2 (differentiates the penalty as if the 1/2 stayed)",
            "def sgd_step_with_decay(parameters, lr, weight_decay):\n"
            "    with torch.no_grad():\n"
            "        for p in parameters:\n"
            "            if p.grad is not None:\n"
            "                p -= lr * (p.grad + weight_decay / 2 * p)\n"),
    Mistake("sgd_step_with_decay", ("test_sgd_step_with_decay",),
            "rebinds p instead of updating it in place: nothing moves",
            "def sgd_step_with_decay(parameters, lr, weight_decay):\n"
            "    for p in parameters:\n"
            "        p = p - lr * (p.grad + weight_decay * p)\n"),
    Mistake("sgd_step_with_decay", ("test_sgd_step_with_decay",),
            "does not skip parameters without a gradient (only the hidden tests freeze one)",
            "def sgd_step_with_decay(parameters, lr, weight_decay):\n"
            "    with torch.no_grad():\n"
            "        for p in parameters:\n"
            "            p -= lr * (p.grad + weight_decay * p)\n"),
    Mistake("sgd_step_with_decay", ("test_sgd_step_with_decay",),
            "lets torch.optim.SGD take the step (right values; only the grader's reading of "
            "the code catches it)",
            "def sgd_step_with_decay(parameters, lr, weight_decay):\n"
            "    torch.optim.SGD(list(parameters), lr=lr, weight_decay=weight_decay).step()\n",
            forbidden="torch.optim"),
    Mistake("sgd_step_with_decay", ("test_sgd_step_with_decay",),
            "forgets the decay: a plain SGD step",
            "def sgd_step_with_decay(parameters, lr, weight_decay):\n"
            "    with torch.no_grad():\n"
            "        for p in parameters:\n"
            "            if p.grad is not None:\n"
            "                p -= lr * p.grad\n"),
    Mistake("sgd_step_with_decay", ("test_sgd_step_with_decay",),
            "subtracts weight_decay * p without the learning rate",
            "def sgd_step_with_decay(parameters, lr, weight_decay):\n"
            "    with torch.no_grad():\n"
            "        for p in parameters:\n"
            "            if p.grad is not None:\n"
            "                p -= lr * p.grad + weight_decay * p\n"),
    # --- Dropout -------------------------------------------------------------------------
    Mistake("Dropout", ("test_Dropout",),
            "forgets to scale the kept values by 1 / (1 - p)",
            _DROPOUT_INIT +
            "    def forward(self, x):\n"
            "        if not self.training:\n"
            "            return x\n"
            "        return x * (torch.rand_like(x) >= self.p)\n"),
    Mistake("Dropout", ("test_Dropout",),
            "drops in eval mode too (never looks at self.training)",
            _DROPOUT_INIT +
            "    def forward(self, x):\n"
            "        if self.p == 1.0:\n"
            "            return x * 0.0\n"
            "        return x * (torch.rand_like(x) >= self.p) / (1 - self.p)\n"),
    Mistake("Dropout", ("test_Dropout",),
            "builds the mask as float32 with .float(): a float16 input comes back as float32 "
            "(caught only by the hidden tests)",
            _DROPOUT_INIT +
            "    def forward(self, x):\n"
            "        if not self.training or self.p == 0.0:\n"
            "            return x\n"
            "        if self.p == 1.0:\n"
            "            return x * 0.0\n"
            "        keep = (torch.rand(x.shape, device=x.device) >= self.p).float()\n"
            "        return x * keep / (1.0 - self.p)\n"),
    Mistake("Dropout", ("test_Dropout",),
            "calls torch.nn.functional.dropout (right statistics; only the grader's reading of "
            "the code catches it)",
            _DROPOUT_INIT +
            "    def forward(self, x):\n"
            "        return torch.nn.functional.dropout(x, self.p, self.training)\n",
            forbidden="torch.nn.functional.dropout"),
    Mistake("Dropout", ("test_Dropout",),
            "keeps each element with probability p instead of dropping it",
            _DROPOUT_INIT +
            "    def forward(self, x):\n"
            "        if not self.training or self.p == 0.0:\n"
            "            return x\n"
            "        if self.p == 1.0:\n"
            "            return x * 0.0\n"
            "        return x * (torch.rand_like(x) < self.p) / self.p\n"),
    Mistake("Dropout", ("test_Dropout",),
            "divides by 1 - p even for p = 1: NaN instead of zeros",
            _DROPOUT_INIT +
            "    def forward(self, x):\n"
            "        if not self.training:\n"
            "            return x\n"
            "        return x * (torch.rand_like(x) >= self.p) / (1.0 - self.p)\n"),
    Mistake("Dropout", ("test_Dropout",),
            "zeros the input in place and returns it",
            _DROPOUT_INIT +
            "    def forward(self, x):\n"
            "        if not self.training or self.p == 0.0:\n"
            "            return x\n"
            "        with torch.no_grad():\n"
            "            x.mul_(torch.rand_like(x) >= self.p).div_(max(1.0 - self.p, 1e-12))\n"
            "        return x\n"),
    # --- BatchNorm -----------------------------------------------------------------------
    Mistake("BatchNorm", ("test_BatchNorm",),
            "normalises with the batch statistics in eval mode too",
            _batchnorm(_BATCH_STATISTICS +
                       "            with torch.no_grad():\n"
                       "                m = self.momentum\n"
                       "                self.running_mean.mul_(1 - m).add_(m * mean)\n"
                       "                self.running_var.mul_(1 - m).add_(m * var * n / (n - 1))\n",
                       _BATCH_STATISTICS)),
    Mistake("BatchNorm", ("test_BatchNorm",),
            "updates running_var with the biased variance of the batch",
            _batchnorm(_BATCH_STATISTICS +
                       "            with torch.no_grad():\n"
                       "                m = self.momentum\n"
                       "                self.running_mean.mul_(1 - m).add_(m * mean)\n"
                       "                self.running_var.mul_(1 - m).add_(m * var)\n")),
    Mistake("BatchNorm", ("test_BatchNorm",),
            "hard-codes momentum 0.1 (only the hidden tests use another momentum)",
            _batchnorm(_BATCH_STATISTICS +
                       "            with torch.no_grad():\n"
                       "                self.running_mean.mul_(0.9).add_(0.1 * mean)\n"
                       "                self.running_var.mul_(0.9)"
                       ".add_(0.1 * var * n / (n - 1))\n")),
    Mistake("BatchNorm", ("test_BatchNorm",),
            "takes the statistics over dim 0 only: right for (N, C), wrong for images "
            "(N, C, H, W), which only the hidden tests use",
            _BATCHNORM_INIT +
            "    def forward(self, x):\n"
            "        if self.training:\n"
            "            mean, var = x.mean(0), x.var(0, unbiased=False)\n"
            "            n = x.shape[0]\n"
            "            with torch.no_grad():\n"
            "                m = self.momentum\n"
            "                self.running_mean.mul_(1 - m).add_(m * mean)\n"
            "                self.running_var.mul_(1 - m).add_(m * var * n / (n - 1))\n"
            "        else:\n"
            "            mean, var = self.running_mean, self.running_var\n"
            "        y = (x - mean) / torch.sqrt(var + self.eps)\n"
            "        return y if self.weight is None else y * self.weight + self.bias\n"),
    Mistake("BatchNorm", ("test_BatchNorm",),
            "calls torch.nn.functional.batch_norm (right values; only the grader's reading of "
            "the code catches it)",
            _BATCHNORM_INIT +
            "    def forward(self, x):\n"
            "        return torch.nn.functional.batch_norm(\n"
            "            x, self.running_mean, self.running_var, self.weight, self.bias,\n"
            "            self.training, self.momentum, self.eps)\n",
            forbidden="torch.nn.functional.batch_norm"),
    Mistake("BatchNorm", ("test_BatchNorm",),
            "normalises the batch with the unbiased variance",
            _batchnorm("            mean = x.mean(dims)\n"
                       "            var = x.var(dims, unbiased=True)\n"
                       "            with torch.no_grad():\n"
                       "                m = self.momentum\n"
                       "                self.running_mean.mul_(1 - m).add_(m * mean)\n"
                       "                self.running_var.mul_(1 - m).add_(m * var)\n")),
    Mistake("BatchNorm", ("test_BatchNorm",),
            "uses momentum as an optimiser does: keeps momentum of the old value",
            _batchnorm(_BATCH_STATISTICS +
                       "            with torch.no_grad():\n"
                       "                m = self.momentum\n"
                       "                self.running_mean.mul_(m).add_((1 - m) * mean)\n"
                       "                self.running_var.mul_(m)"
                       ".add_((1 - m) * var * n / (n - 1))\n")),
    Mistake("BatchNorm", ("test_BatchNorm",),
            "keeps the running statistics as plain tensor attributes, not buffers",
            _batchnorm(_BATCH_STATISTICS +
                       "            with torch.no_grad():\n"
                       "                m = self.momentum\n"
                       "                self.running_mean.mul_(1 - m).add_(m * mean)\n"
                       "                self.running_var.mul_(1 - m).add_(m * var * n / (n - 1))\n")
            .replace("        self.register_buffer('running_mean', torch.zeros(num_features))\n"
                     "        self.register_buffer('running_var', torch.ones(num_features))\n",
                     "        self.running_mean = torch.zeros(num_features)\n"
                     "        self.running_var = torch.ones(num_features)\n")),
    # --- AugmentedDataset ----------------------------------------------------------------
    Mistake("AugmentedDataset", ("test_AugmentedDataset",),
            "applies the transform once in __init__: every epoch sees the same images",
            "class AugmentedDataset(Dataset):\n"
            "    def __init__(self, images, labels, transform=None):\n"
            "        if transform is not None:\n"
            "            images = torch.stack([transform(x) for x in images])\n"
            "        self.images, self.labels = images, labels\n\n"
            "    def __len__(self):\n"
            "        return len(self.images)\n\n"
            "    def __getitem__(self, i):\n"
            "        return self.images[i], self.labels[i]\n"),
    Mistake("AugmentedDataset", ("test_AugmentedDataset",),
            "always calls the transform, so transform=None fails (only the hidden tests leave "
            "it out)",
            "class AugmentedDataset(Dataset):\n"
            "    def __init__(self, images, labels, transform=None):\n"
            "        self.images, self.labels, self.transform = images, labels, transform\n\n"
            "    def __len__(self):\n"
            "        return len(self.images)\n\n"
            "    def __getitem__(self, i):\n"
            "        return self.transform(self.images[i]), self.labels[i]\n"),
    # --- receptive_field -----------------------------------------------------------------
    Mistake("receptive_field", ("test_receptive_field",),
            "adds k - 1 per layer without the jump: 5, 6, 10, 11 for LeNet",
            _receptive("        k, s, d = (tuple(layer) + (1,))[:3]\n"
                       "        r += d * (k - 1)\n"
                       "        j *= s\n")),
    Mistake("receptive_field", ("test_receptive_field",),
            "multiplies by the jump after the stride instead of before",
            _receptive("        k, s, d = (tuple(layer) + (1,))[:3]\n"
                       "        j *= s\n"
                       "        r += d * (k - 1) * j\n")),
    Mistake("receptive_field", ("test_receptive_field",),
            "ignores the dilation (only the hidden tests dilate)",
            _receptive("        k, s = layer[0], layer[1]\n"
                       "        r += (k - 1) * j\n"
                       "        j *= s\n")),
]

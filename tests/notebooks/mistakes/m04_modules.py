"""Typical mistakes in 04_modules; each must lose exactly its own exercise's points.

Mistakes marked "(hidden only)" pass the visible checks: only the hidden tests catch them.
"""

from tests.notebooks.harness import Mistake

MISTAKES = [
    # 04.linear_forward
    Mistake("linear_forward", ("test_linear_forward",),
            "multiplies by weight instead of weight.T (weight is (n_out, n_in))",
            '''def linear_forward(x, weight, bias=None):
    out = x @ weight
    if bias is not None:
        out = out + bias
    return out'''),
    Mistake("linear_forward", ("test_linear_forward",),
            "always adds the bias, so bias=None fails (hidden only)",
            '''def linear_forward(x, weight, bias=None):
    return x @ weight.T + bias'''),
    # 04.build_classifier
    Mistake("build_classifier", ("test_build_classifier",),
            "copies the lecture's sizes 10 and 20 instead of using the arguments (hidden only)",
            '''def build_classifier(n_in, n_hidden):
    model = nn.Sequential()
    model.add_module("hidden", nn.Linear(10, 20))
    model.add_module("relu", nn.ReLU())
    model.add_module("out", nn.Linear(20, 1))
    model.add_module("sigmoid", nn.Sigmoid())
    return model'''),
    Mistake("build_classifier", ("test_build_classifier",),
            "positional Sequential: the layers are named 0, 1, 2, 3",
            '''def build_classifier(n_in, n_hidden):
    return nn.Sequential(nn.Linear(n_in, n_hidden), nn.ReLU(), nn.Linear(n_hidden, 1), nn.Sigmoid())'''),
    # 04.mlp_param_count
    Mistake("mlp_param_count", ("test_mlp_param_count",),
            "counts one bias per input instead of per output",
            '''def mlp_param_count(sizes, bias=True):
    total = 0
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        total += n_in * n_out + (n_in if bias else 0)
    return total'''),
    Mistake("mlp_param_count", ("test_mlp_param_count",),
            "ignores bias=False (hidden only)",
            '''def mlp_param_count(sizes, bias=True):
    return sum(n_in * n_out + n_out for n_in, n_out in zip(sizes[:-1], sizes[1:]))'''),
    # 04.init_linear
    Mistake("init_linear", ("test_init_linear",),
            "fan_in and fan_out swapped (weight is (out, in)): He bound wrong",
            '''def init_linear_(layer, scheme):
    fan_in, fan_out = layer.weight.shape
    if scheme == "xavier":
        bound = math.sqrt(6.0 / (fan_in + fan_out))
    elif scheme == "he":
        bound = math.sqrt(6.0 / fan_in)
    else:
        raise ValueError(scheme)
    with torch.no_grad():
        layer.weight.uniform_(-bound, bound)
        if layer.bias is not None:
            layer.bias.zero_()
    return layer'''),
    Mistake("init_linear", ("test_init_linear",),
            "replaces the Parameter objects instead of filling them in place",
            '''def init_linear_(layer, scheme):
    fan_out, fan_in = layer.weight.shape
    if scheme == "xavier":
        bound = math.sqrt(6.0 / (fan_in + fan_out))
    elif scheme == "he":
        bound = math.sqrt(6.0 / fan_in)
    else:
        raise ValueError(scheme)
    layer.weight = nn.Parameter(torch.empty(fan_out, fan_in).uniform_(-bound, bound))
    if layer.bias is not None:
        layer.bias = nn.Parameter(torch.zeros(fan_out))
    return layer'''),
    Mistake("init_linear", ("test_init_linear",),
            "zeroes layer.bias without checking for bias=False layers (hidden only)",
            '''def init_linear_(layer, scheme):
    fan_out, fan_in = layer.weight.shape
    if scheme == "xavier":
        bound = math.sqrt(6.0 / (fan_in + fan_out))
    elif scheme == "he":
        bound = math.sqrt(6.0 / fan_in)
    else:
        raise ValueError(scheme)
    with torch.no_grad():
        layer.weight.uniform_(-bound, bound)
        layer.bias.zero_()
    return layer'''),
    # 04.activation_stds
    Mistake("activation_stds", ("test_activation_stds",),
            "finds the tanh layers by position (every second module) (hidden only)",
            '''def activation_stds(model, x):
    stds = []
    h = x
    with torch.no_grad():
        for i, module in enumerate(model):
            h = module(h)
            if i % 2 == 1:
                stds.append(h.std())
    return torch.stack(stds)'''),
    Mistake("activation_stds", ("test_activation_stds",),
            "records the input of each tanh (the pre-activation) instead of its output",
            '''def activation_stds(model, x):
    stds = []
    h = x
    with torch.no_grad():
        for module in model:
            if isinstance(module, nn.Tanh):
                stds.append(h.std())
            h = module(h)
    return torch.stack(stds)'''),
    # 04.residual_mlp
    Mistake("residual_mlp", ("test_residual_mlp",),
            "blocks in a plain Python list: their parameters are invisible",
            '''class ResidualMLP(nn.Module):
    def __init__(self, n_in, width, depth, n_out):
        super().__init__()
        self.inp = nn.Linear(n_in, width)
        self.blocks = [nn.Linear(width, width) for _ in range(depth)]
        self.out = nn.Linear(width, n_out)

    def forward(self, x):
        h = F.relu(self.inp(x))
        for block in self.blocks:
            h = h + F.relu(block(h))
        return self.out(h)'''),
    Mistake("residual_mlp", ("test_residual_mlp",),
            "[layer] * depth: one layer shared by all blocks",
            '''class ResidualMLP(nn.Module):
    def __init__(self, n_in, width, depth, n_out):
        super().__init__()
        self.inp = nn.Linear(n_in, width)
        self.blocks = nn.ModuleList([nn.Linear(width, width)] * depth)
        self.out = nn.Linear(width, n_out)

    def forward(self, x):
        h = F.relu(self.inp(x))
        for block in self.blocks:
            h = h + F.relu(block(h))
        return self.out(h)'''),
    # 04.save_and_restore
    Mistake("save_and_restore", ("test_save_and_restore",),
            "forgets model.eval(): Dropout stays active (hidden only)",
            '''def save_and_restore(model, make_model, path):
    torch.save(model.state_dict(), path)
    fresh = make_model()
    fresh.load_state_dict(torch.load(path, weights_only=True))
    return fresh'''),
    Mistake("save_and_restore", ("test_save_and_restore",),
            "pickles the whole model and loads it with weights_only=False",
            '''def save_and_restore(model, make_model, path):
    torch.save(model, path)
    restored = torch.load(path, weights_only=False)
    restored.eval()
    return restored'''),
    Mistake("save_and_restore", ("test_save_and_restore",),
            "saves only the parameters and loads with strict=False: BatchNorm buffers are lost (hidden only)",
            '''def save_and_restore(model, make_model, path):
    torch.save(dict(model.named_parameters()), path)
    fresh = make_model()
    fresh.load_state_dict(torch.load(path, weights_only=True), strict=False)
    fresh.eval()
    return fresh'''),
    # built-ins the exercises forbid (right values: only checks.forbid catches them)
    Mistake("linear_forward", ("test_linear_forward",),
            "F.linear, which the exercise forbids",
            '''def linear_forward(x, weight, bias=None):
    return F.linear(x, weight, bias)''',
            forbidden='F.linear'),
    Mistake("init_linear", ("test_init_linear",),
            "torch.nn.init, which the exercise forbids",
            '''def init_linear_(layer, scheme):
    if scheme == "xavier":
        nn.init.xavier_uniform_(layer.weight)
    elif scheme == "he":
        nn.init.kaiming_uniform_(layer.weight, nonlinearity="relu")
    else:
        raise ValueError(scheme)
    if layer.bias is not None:
        nn.init.zeros_(layer.bias)
    return layer''',
            forbidden='nn.init'),
    Mistake("mlp_param_count", ("test_mlp_param_count",),
            "builds the layers to count their parameters, which the exercise forbids "
            "(right values)",
            "def mlp_param_count(sizes, bias=True):\n"
            "    return sum(p.numel() for n_in, n_out in zip(sizes[:-1], sizes[1:])\n"
            "               for p in torch.nn.Linear(n_in, n_out, bias=bias).parameters())\n",
            forbidden="torch.nn.Linear"),
]

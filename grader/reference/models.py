"""The course's reference models and two helpers to inspect them.

Models that end in a linear layer return *logits* (unnormalised scores): the
sigmoid or softmax lives in the loss (``BCEWithLogitsLoss``,
``CrossEntropyLoss``), which is more stable than applying it in the model.
"""

from __future__ import annotations

from collections import OrderedDict

from collections.abc import Sequence
from typing import NamedTuple

import torch
from torch import nn

from course import validate

ACTIVATION_MODULES = {
    "relu": nn.ReLU, "leaky_relu": nn.LeakyReLU, "elu": nn.ELU, "selu": nn.SELU,
    "silu": nn.SiLU, "gelu": nn.GELU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid,
    "softmax": lambda: nn.Softmax(dim=-1), "log_softmax": lambda: nn.LogSoftmax(dim=-1),
}
"""Names accepted by :class:`MLP` for ``activation`` and ``output_activation``."""


def _activation_factory(name: str, value):
    """A zero-argument factory of fresh activation modules, from a name or a factory."""
    if isinstance(value, str):
        return ACTIVATION_MODULES[validate.one_of(name, value, ACTIVATION_MODULES)]
    if callable(value) and not isinstance(value, nn.Module):
        return lambda: validate.instance(f"{name}()", value(), nn.Module, "an nn.Module")
    raise TypeError(f"{name} must be one of {sorted(ACTIVATION_MODULES)} or a zero-argument "
                    f"callable returning an nn.Module (e.g. the class nn.Tanh, not an instance, "
                    f"so every layer gets its own); got {value!r}")


class LogisticRegression(nn.Module):
    """One linear layer on the flattened input: (N, *) -> (N, n_out) logits.

    Logistic regression proper is ``sigmoid(logits)`` (``n_out=1``) or
    ``softmax(logits)`` (``n_out`` classes, as the lecture's MNIST model with
    ``n_in=28*28, n_out=10``); train it with ``BCEWithLogitsLoss`` or
    ``CrossEntropyLoss``, which apply that last step themselves.
    """

    def __init__(self, n_in: int, n_out: int = 1):
        super().__init__()
        self.flatten = nn.Flatten()
        self.linear = nn.Linear(validate.positive_int("n_in", n_in),
                                validate.positive_int("n_out", n_out))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear(self.flatten(x))        # (N, n_in) -> (N, n_out)


class _Stack(nn.Sequential):
    """An ``nn.Sequential`` whose slices are plain ``nn.Sequential`` (torch would
    rebuild the subclass from modules, which our constructors do not take)."""

    def __getitem__(self, index):
        if isinstance(index, slice):
            return nn.Sequential(OrderedDict(list(self._modules.items())[index]))
        return super().__getitem__(index)


class MLP(_Stack):
    """Fully connected layers ``sizes[0] -> sizes[1] -> ... -> sizes[-1]``.

    ``MLP([784, 300, 100, 10])`` is the lecture's 3-layer MNIST network. The input
    is flattened first, so images (N, 1, 28, 28) work directly. ``activation``
    follows every hidden layer; ``output_activation`` (default none: logits)
    follows the last. Both take a name from :data:`ACTIVATION_MODULES` or a
    zero-argument callable returning a module.
    """

    def __init__(self, sizes: Sequence[int], activation="relu", output_activation=None):
        sizes = _sizes(sizes)
        hidden = _activation_factory("activation", activation)
        layers: list[nn.Module] = [nn.Flatten()]
        for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            layers.append(nn.Linear(n_in, n_out))
            if i < len(sizes) - 2:
                layers.append(hidden())
        if output_activation is not None:
            layers.append(_activation_factory("output_activation", output_activation)())
        super().__init__(*layers)
        self.sizes = sizes


def _sizes(sizes) -> list[int]:
    if isinstance(sizes, (str, bytes)) or not isinstance(sizes, Sequence):
        raise TypeError(f"sizes must be a sequence of layer widths like [784, 300, 10], "
                        f"got {sizes!r}")
    if len(sizes) < 2:
        raise ValueError(f"sizes needs at least an input and an output width, got {list(sizes)}")
    return [validate.positive_int(f"sizes[{i}]", n) for i, n in enumerate(sizes)]


class ToyClassifier2018(_Stack):
    """The 2018 toy tutorial's classifier: Linear(n_in, 10)-ReLU-Linear(10, 1)-Sigmoid.

    Outputs probabilities (N, 1), to be trained with ``BCELoss`` as in 2018.
    """

    def __init__(self, n_in: int = 10):
        super().__init__(
            nn.Linear(validate.positive_int("n_in", n_in), 10),  # (N, 10)
            nn.ReLU(),                                          # (N, 10)
            nn.Linear(10, 1),                                   # (N, 1)
            nn.Sigmoid(),                                       # (N, 1) in (0, 1)
        )


class LeNet(nn.Module):
    """The lecture's LeNet-like exercise for 28x28 MNIST: (N, 1, 28, 28) -> (N, 10) logits.

    conv 5x5 (20) - ReLU - maxpool 2x2 - conv 5x5 (50) - ReLU - maxpool 2x2 -
    flatten (800) - Linear 500 - ReLU - Linear 10. Each step is its own module,
    so :func:`describe_layers` lists them all.
    """

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 20, kernel_size=5)
        self.relu1 = nn.ReLU()
        self.pool1 = nn.MaxPool2d(2)
        self.conv2 = nn.Conv2d(20, 50, kernel_size=5)
        self.relu2 = nn.ReLU()
        self.pool2 = nn.MaxPool2d(2)
        self.flatten = nn.Flatten()
        self.fc1 = nn.Linear(50 * 4 * 4, 500)
        self.relu3 = nn.ReLU()
        self.fc2 = nn.Linear(500, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.relu1(self.conv1(x))     # (N, 20, 24, 24)  28 - 5 + 1 = 24
        x = self.pool1(x)                 # (N, 20, 12, 12)
        x = self.relu2(self.conv2(x))     # (N, 50, 8, 8)    12 - 5 + 1 = 8
        x = self.pool2(x)                 # (N, 50, 4, 4)
        x = self.flatten(x)               # (N, 800)
        x = self.relu3(self.fc1(x))       # (N, 500)
        return self.fc2(x)                # (N, 10)


def count_parameters(model: nn.Module, trainable_only: bool = True) -> int:
    """Number of scalar parameters (only those with ``requires_grad`` by default)."""
    validate.instance("model", model, nn.Module, "a torch.nn.Module")
    return sum(p.numel() for p in model.parameters()
               if p.requires_grad or not trainable_only)


class LayerRow(NamedTuple):
    """One row of :func:`describe_layers`."""

    name: str
    output_shape: tuple[int, ...]
    parameters: int


def describe_layers(model: nn.Module, input_shape: Sequence[int]) -> list[LayerRow]:
    """Run a zero input of ``input_shape`` (batch dimension included) through ``model``
    and return, for every leaf module in call order, its name, output shape and
    parameter count: ``describe_layers(LeNet(), (1, 1, 28, 28))``.
    """
    validate.instance("model", model, nn.Module, "a torch.nn.Module")
    validate.instance("input_shape", input_shape, (tuple, list, torch.Size), "a shape tuple")
    shape = [validate.positive_int(f"input_shape[{i}]", n) for i, n in enumerate(input_shape)]
    rows: list[LayerRow] = []

    def record(name):
        def hook(module, inputs, output):
            rows.append(LayerRow(name, tuple(output.shape), count_parameters(module, False)))
        return hook

    leaves = [(n, m) for n, m in model.named_modules() if n and not any(m.children())]
    handles = [m.register_forward_hook(record(n)) for n, m in leaves]
    first = next(model.parameters(), None)
    x = torch.zeros(shape, dtype=first.dtype if first is not None else torch.float32,
                    device=first.device if first is not None else None)
    was_training = model.training
    try:
        model.eval()
        with torch.no_grad():
            model(x)
    finally:
        model.train(was_training)
        for h in handles:
            h.remove()
    return rows

"""Reference implementations, on the instructor's side: for writing solutions,
checks and tests, never shipped to students nor visible to a grading kernel.

Every function here is written from its definition in the lecture and tested
against torch (values and gradients):

- :mod:`~grader.reference.activations`: activations and their derivatives
- :mod:`~grader.reference.losses`: MSE, L1, (binary) cross-entropy, NLL
- :mod:`~grader.reference.optim`: SGD with momentum, Adam
- :mod:`~grader.reference.models`: logistic regression, MLP, the 2018 toy
  classifier, LeNet, and parameter / layer inspection helpers
"""

from grader.reference import activations, losses, models, optim
from grader.reference.activations import ACTIVATIONS
from grader.reference.losses import (binary_cross_entropy, binary_cross_entropy_with_logits,
                                     cross_entropy, l1, mse, nll_loss)
from grader.reference.models import (MLP, LeNet, LogisticRegression, ToyClassifier2018,
                                     count_parameters, describe_layers)
from grader.reference.optim import SGD, Adam

__all__ = ["ACTIVATIONS", "MLP", "SGD", "Adam", "LeNet", "LogisticRegression",
           "ToyClassifier2018", "activations", "binary_cross_entropy",
           "binary_cross_entropy_with_logits", "count_parameters", "cross_entropy",
           "describe_layers", "l1", "losses", "models", "mse", "nll_loss", "optim"]

"""Reference implementations used by solutions, checks and tests.

Every function here is written from its definition in the lecture and tested
against torch (values and gradients):

- :mod:`~course.reference.activations`: activations and their derivatives
- :mod:`~course.reference.losses`: MSE, L1, (binary) cross-entropy, NLL
- :mod:`~course.reference.optim`: SGD with momentum, Adam
- :mod:`~course.reference.models`: logistic regression, MLP, the 2018 toy
  classifier, LeNet, and parameter / layer inspection helpers
"""

from course.reference import activations, losses, models, optim
from course.reference.activations import ACTIVATIONS
from course.reference.losses import (binary_cross_entropy, binary_cross_entropy_with_logits,
                                     cross_entropy, l1, mse, nll_loss)
from course.reference.models import (MLP, LeNet, LogisticRegression, ToyClassifier2018,
                                     count_parameters, describe_layers)
from course.reference.optim import SGD, Adam

__all__ = ["ACTIVATIONS", "MLP", "SGD", "Adam", "LeNet", "LogisticRegression",
           "ToyClassifier2018", "activations", "binary_cross_entropy",
           "binary_cross_entropy_with_logits", "count_parameters", "cross_entropy",
           "describe_layers", "l1", "losses", "models", "mse", "nll_loss", "optim"]

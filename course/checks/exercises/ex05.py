"""Visible checks of notebook 05 (loss functions).

Expected values are stored (``checks.EXPECTED``, see course/checks/expected/ex05.json);
the likely-cause detectors compute known wrong answers with torch. The hidden tests in
``solutions/05_losses`` use other inputs: larger batches, 2-D predictions, extreme
probabilities and logits, absent classes, batches of one.
"""

import torch
import torch.nn.functional as F

from course import checks


# --- 05.mse -----------------------------------------------------------------------------

@checks.exercise(
    "05.mse", title="Mean squared error with reductions",
    hints=["Compute the element-wise squared differences first, with the same shape as "
           "pred; the three reductions only differ in what you do with that tensor.",
           "'mean' averages over every element, exactly like nn.MSELoss: for a (1, 4) "
           "input that is a division by 4, not by the batch size 1.",
           "Test the reduction string before computing anything and `raise ValueError(...)` "
           "with a message naming the accepted values."],
    likely_causes={"bad_reduction": "An unknown reduction must raise ValueError (so a "
                                    "typo such as 'average' cannot pass silently)."},
    forbidden=("torch.nn.functional.mse_loss", "torch.nn.MSELoss"))
def _mse(mse):
    pred = torch.tensor([1.0, -2.0, 0.5, 3.0])
    target = torch.tensor([0.0, 0.0, 1.0, 1.0])
    for reduction in ("none", "sum", "mean"):
        checks.assert_close(checks.call(mse, pred, target, reduction=reduction),
                            name=f'mse(pred, target, reduction="{reduction}")')
    checks.assert_close(checks.call(mse, pred, target),
                        name="mse(pred, target) with the default reduction")
    checks.assert_raises(ValueError, mse, pred, target, reduction="average",
                         cause="bad_reduction")


# --- 05.bce -----------------------------------------------------------------------------

@checks.exercise(
    "05.bce", title="Binary cross-entropy from probabilities",
    hints=["Write the negative Bernoulli log-likelihood of one example, "
           "-[y log p + (1 - y) log(1 - p)], element-wise, then average.",
           "log(0) is -inf, and 0 * (-inf) is nan: clamp the probabilities into "
           "[eps, 1 - eps] with torch.clamp before taking any log.",
           "Use torch.log, not math.log, so that the result stays a tensor with a gradient."],
    likely_causes={"scale": "Return the mean over all elements, not the sum."},
    forbidden=("torch.nn.functional.binary_cross_entropy", "torch.nn.BCELoss"))
def _bce(bce):
    prob = torch.tensor([0.9, 0.2, 0.6, 0.35])
    target = torch.tensor([1.0, 0.0, 1.0, 0.0])
    checks.assert_close(checks.call(bce, prob, target), name="bce(prob, target)")
    certain = torch.tensor([1.0, 0.0, 0.5])              # exactly 0 and 1, as a float32
    labels = torch.tensor([1.0, 0.0, 1.0])               # sigmoid can return them
    checks.assert_close(checks.call(bce, certain, labels),
                        name="bce([1, 0, 0.5], [1, 0, 1]) (probabilities exactly 0 and 1)",
                        rtol=1e-3, atol=1e-5)


# --- 05.bce_with_logits --------------------------------------------------------------------

@checks.exercise(
    "05.bce_with_logits", title="Numerically stable BCE with logits",
    hints=["The input is a logit z, not a probability: do not apply torch.sigmoid "
           "anywhere. Write log(sigmoid(z)) and log(1 - sigmoid(z)) in terms of z first.",
           "The loss of one example simplifies to (1 - y) z + log(1 + exp(-z)). For very "
           "negative z, exp(-z) overflows: rewrite it so exp only sees -|z|.",
           "max(z, 0) - z y + log1p(exp(-|z|)): torch.clamp(z, min=0), z.abs(), torch.log1p."],
    likely_causes={"sigmoid_twice": "Your function applies a sigmoid to its input: the "
                                    "input already is a logit, and the formula handles "
                                    "the sigmoid itself. Two sigmoids are a classic bug "
                                    "(a model ending in nn.Sigmoid fed to BCEWithLogitsLoss).",
                   "inf": "A large logit turned into inf: sigmoid(30) is exactly 1.0 in "
                          "float32 and log(1 - 1) = -inf. Use the stable formula without "
                          "a sigmoid, and let exp only see -|z|."},
    forbidden=("torch.nn.functional.binary_cross_entropy_with_logits",
               "torch.nn.BCEWithLogitsLoss",
               "torch.nn.functional.softplus", "torch.nn.Softplus"))
def _bce_with_logits(bce_with_logits):
    logits = torch.tensor([-3.0, -0.5, 0.8, 2.5, 30.0, -30.0])
    target = torch.tensor([0.0, 1.0, 1.0, 0.0, 0.0, 1.0])
    got = checks.call(bce_with_logits, logits, target)
    if checks.matches(got, F.binary_cross_entropy_with_logits(torch.sigmoid(logits), target)):
        raise checks.CheckFailed("bce_with_logits(logits, target) equals the loss of "
                                 "sigmoid(logits).", cause="sigmoid_twice")
    checks.assert_close(got, name="bce_with_logits(logits, target)")


# --- 05.cross_entropy ---------------------------------------------------------------------

@checks.exercise(
    "05.cross_entropy", title="Cross-entropy = log-softmax + NLL, with class weights",
    hints=["Turn the logits (N, C) into log-probabilities with a log-softmax over dim=1, "
           "then pick, in each row i, the entry of the true class target[i].",
           "Picking one entry per row: log_p[torch.arange(N), target] or "
           "log_p.gather(1, target.unsqueeze(1)). log_p[:, target] gives an (N, N) matrix.",
           "With weights every example i counts w[target[i]] times: divide the weighted "
           "sum by the sum of those weights, not by N."],
    likely_causes={"weighted_by_n": "With class weights, PyTorch's mean is "
                                    "sum(w[y_i] * loss_i) / sum(w[y_i]): you divided by N.",
                   "softmax_not_log": "You used probabilities where log-probabilities "
                                      "belong: the loss is minus the log of the picked "
                                      "probability (log_softmax, not softmax)."},
    forbidden=("torch.nn.functional.cross_entropy",
               "torch.nn.functional.nll_loss",
               "torch.nn.CrossEntropyLoss", "torch.nn.NLLLoss"))
def _cross_entropy(cross_entropy):
    logits = torch.tensor([[2.0, 0.5, -1.0], [0.1, 0.2, 0.3],
                           [-1.0, 3.0, 0.0], [0.5, -0.5, 1.5]])     # (N, C) = (4, 3)
    target = torch.tensor([0, 2, 1, 2])                             # (N,) int64
    got = checks.call(cross_entropy, logits, target)
    probs = torch.softmax(logits, dim=1)[torch.arange(4), target]
    if checks.matches(got, -probs.mean()):
        raise checks.CheckFailed("cross_entropy(logits, target) equals minus the mean of "
                                 "the picked probabilities.", cause="softmax_not_log")
    checks.assert_close(got, name="cross_entropy(logits, target)")
    weight = torch.tensor([1.0, 3.0, 0.5])
    got = checks.call(cross_entropy, logits, target, weight=weight)
    per_example = F.cross_entropy(logits, target, weight=weight, reduction="none")
    if checks.matches(got, per_example.sum() / 4):
        raise checks.CheckFailed("cross_entropy(logits, target, weight=[1, 3, 0.5]) equals "
                                 "the weighted sum divided by N = 4.", cause="weighted_by_n")
    checks.assert_close(got, name="cross_entropy(logits, target, weight=[1, 3, 0.5])")


# --- 05.class_weights ---------------------------------------------------------------------

@checks.exercise(
    "05.class_weights", title="Balanced class weights",
    hints=["Count how often each class occurs (torch.bincount counts non-negative "
           "integers), then w_c = N / (C * n_c).",
           "A class that does not occur would divide by zero: give it weight 0 "
           "(torch.where, or compute only where the count is positive).",
           "The result has one entry per class, C of them, even when the last classes "
           "never occur in this batch (see bincount's minlength)."],
    likely_causes={"scale": "Each weight is N / (C * n_c): check the factor N / C."})
def _class_weights(class_weights):
    target = torch.tensor([0, 0, 2, 0, 3, 2, 0, 0])           # N = 8, class 1 absent
    checks.assert_close(checks.call(class_weights, target, 4),
                        name="class_weights([0, 0, 2, 0, 3, 2, 0, 0], 4)")


# --- 05.match_targets ---------------------------------------------------------------------

@checks.exercise(
    "05.match_targets", title="Targets in the shape and dtype a loss expects",
    hints=["Cross-entropy wants int64 class indices of shape (N,); MSE and BCE want a "
           "float target with exactly the output's shape and dtype.",
           "A one-hot (N, C) target becomes class indices with argmax over dim 1; an "
           "(N, 1) target becomes (N,) with reshape or view. Avoid .squeeze() without a "
           "dim: what does it do to a batch of one?",
           "Tensor.reshape accepts a torch.Size and Tensor.to accepts a dtype and a "
           "device: all three can be read off `output`. For indices, compare what "
           ".long() and .int() return: CrossEntropyLoss accepts only one of them."],
    likely_causes={"bad_loss": "An unknown loss name must raise ValueError."})
def _match_targets(match_targets):
    logits = torch.zeros(4, 3)                                          # (N, C)
    indices = torch.tensor([2, 0, 1, 1])
    cases = [("an (N, 1) int64 target", torch.tensor([[2], [0], [1], [1]])),
             ("a float (N,) target", torch.tensor([2.0, 0.0, 1.0, 1.0])),
             ("a one-hot (N, C) target", torch.eye(3)[indices])]
    for label, target in cases:
        checks.assert_close(checks.call(match_targets, target, logits, "cross_entropy"),
                            indices, exact_dtype=True,
                            name=f'match_targets({label}, logits (4, 3), "cross_entropy")')
    probs = torch.full((4, 1), 0.5)                                     # (N, 1)
    checks.assert_close(checks.call(match_targets, torch.tensor([1, 0, 0, 1]), probs, "bce"),
                        torch.tensor([[1.0], [0.0], [0.0], [1.0]]), exact_dtype=True,
                        name='match_targets([1, 0, 0, 1], output (4, 1), "bce")')
    pred = torch.zeros(4)                                               # (N,)
    checks.assert_close(checks.call(match_targets, torch.tensor([[0.5], [1.5], [2.5], [3.5]]),
                                    pred, "mse"),
                        torch.tensor([0.5, 1.5, 2.5, 3.5]), exact_dtype=True,
                        name='match_targets(an (4, 1) target, output (4,), "mse")')
    checks.assert_raises(ValueError, match_targets, indices, logits, "hinge", cause="bad_loss")

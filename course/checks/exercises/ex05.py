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
                                    "typo such as 'average' cannot pass silently).",
                   "mean_over_batch": "'mean' divided by the batch size pred.shape[0] (the "
                                      "slide's wording); nn.MSELoss divides by the number "
                                      "of elements, pred.numel(): use .mean()."},
    forbidden=("torch.nn.functional.mse_loss", "torch.nn.MSELoss"))
def _mse(mse):
    pred = torch.tensor([1.0, -2.0, 0.5, 3.0])
    target = torch.tensor([0.0, 0.0, 1.0, 1.0])
    for reduction in ("none", "sum", "mean"):
        checks.assert_close(checks.call(mse, pred, target, reduction=reduction),
                            name=f'mse(pred, target, reduction="{reduction}")')
    checks.assert_close(checks.call(mse, pred, target),
                        name="mse(pred, target) with the default reduction")
    pred2 = torch.tensor([[3.0, 0.0, -1.0], [0.5, 2.0, 1.0]])             # (N, d) = (2, 3)
    target2 = torch.zeros(2, 3)
    got = checks.call(mse, pred2, target2)
    if checks.matches(got, ((pred2 - target2) ** 2).sum() / 2):
        raise checks.CheckFailed("mse(pred, target) on (2, 3) tensors equals the sum of the "
                                 "squared errors divided by N = 2.", cause="mean_over_batch")
    checks.assert_close(got, name="mse(pred, target) on (2, 3) tensors")
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
    likely_causes={"scale": "Return the mean over all elements, not the sum.",
                   "eps_ignored": "The eps argument makes no difference: clamp with the eps "
                                  "you are given, torch.clamp(prob, eps, 1 - eps), not a "
                                  "number written into the code."},
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
    wrong, truth = torch.tensor([1.0, 0.0]), torch.tensor([0.0, 1.0])   # confident mistakes
    got = checks.call(bce, wrong, truth, eps=0.01)
    if checks.matches(got, checks.call(bce, wrong, truth), rtol=1e-3):
        raise checks.CheckFailed("bce([1, 0], [0, 1], eps=0.01) gives the same loss as with "
                                 "the default eps=1e-7.", cause="eps_ignored")
    checks.assert_close(got, name="bce([1, 0], [0, 1], eps=0.01) (two confident mistakes)",
                        rtol=1e-4)


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
                   "inf": "A large logit turned into inf. Either through a sigmoid "
                          "(sigmoid(30) is exactly 1.0 in float32 and log(1 - 1) = -inf) "
                          "or through exp of a large positive number (exp(-z) overflows "
                          "to inf for z below about -88.7). Use the stable formula: no "
                          "sigmoid, and exp only ever sees -|z|."},
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
    far = torch.tensor([-200.0, 200.0])                  # two confident mistakes
    checks.assert_close(checks.call(bce_with_logits, far, torch.tensor([1.0, 0.0])),
                        name="bce_with_logits([-200, 200], [1, 0]) (exp(200) overflows)")


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
                                      "probability (log_softmax, not softmax).",
                   "softmax_twice": "Your function applies a softmax before the "
                                    "log-softmax: the input already is raw logits. A "
                                    "softmax in front of a cross-entropy squeezes them into "
                                    "[0, 1], and the loss can never get small.",
                   "all_pairs": "log_p[:, target] is an (N, N) matrix: column j holds "
                                "every row's log-probability of class target[j]. Pick one "
                                "entry per row with log_p[torch.arange(N), target] or "
                                "log_p.gather(1, target.unsqueeze(1)).",
                   "inf": "A class far below the largest logit got probability exactly 0: "
                          "torch.log(torch.softmax(...)) is -inf once a logit is about 104 "
                          "below the largest. Use torch.log_softmax, or logits - logsumexp.",
                   "nan": "exp of a large logit overflowed (exp(z) is inf above z = 88.7 "
                          "in float32) and inf - inf is nan. Subtract the row's maximum "
                          "before exp, or use torch.logsumexp / torch.log_softmax."},
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
    if checks.matches(got, F.cross_entropy(torch.softmax(logits, dim=1), target)):
        raise checks.CheckFailed("cross_entropy(logits, target) equals the cross-entropy of "
                                 "softmax(logits).", cause="softmax_twice")
    if checks.matches(got, -torch.log_softmax(logits, dim=1)[:, target].mean()):
        raise checks.CheckFailed("cross_entropy(logits, target) equals the mean of the whole "
                                 "(4, 4) matrix -log_p[:, target], not of one entry per row.",
                                 cause="all_pairs")
    checks.assert_close(got, name="cross_entropy(logits, target)")
    far = torch.tensor([[0.0, 150.0, -10.0], [90.0, 0.0, -120.0]])   # hundreds apart
    checks.assert_close(checks.call(cross_entropy, far, torch.tensor([0, 2])),
                        name="cross_entropy([[0, 150, -10], [90, 0, -120]], [0, 2]) "
                             "(logits far apart)")
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
    likely_causes={"scale": "Each weight is N / (C * n_c): check the factor N / C.",
                   "minlength": "torch.bincount(target) only counts up to the largest class "
                                "that occurs; torch.bincount(target, minlength=num_classes) "
                                "always has num_classes entries."})
def _class_weights(class_weights):
    target = torch.tensor([0, 0, 2, 0, 3, 2, 0, 0])           # N = 8, class 1 absent
    checks.assert_close(checks.call(class_weights, target, 4),
                        name="class_weights([0, 0, 2, 0, 3, 2, 0, 0], 4)")
    label = "class_weights([0, 1, 1, 0, 1], 4) (classes 2 and 3 absent)"
    got = checks.call(class_weights, torch.tensor([0, 1, 1, 0, 1]), 4)
    if isinstance(got, torch.Tensor) and got.shape == (2,):
        raise checks.CheckFailed(f"{label} returned {got.numel()} weights; expected one per "
                                 f"class, 4.", cause="minlength")
    checks.assert_close(got, name=label)


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
    likely_causes={"bad_loss": "An unknown loss name must raise ValueError.",
                   "squeezed_batch": ".squeeze() without a dim removes every dimension of "
                                     "size 1, the batch dimension too when N = 1. Use "
                                     "target.reshape(N) (N = output.shape[0]) or "
                                     ".squeeze(1), which only removes the dimension you mean.",
                   "output_dtype": "The target must take its dtype from output: "
                                   ".to(output.dtype), not .float() (float32 whatever the "
                                   "model computes in)."})
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
    _batch_of_one(match_targets)
    _float64_output(match_targets)
    checks.assert_raises(ValueError, match_targets, indices, logits, "hinge", cause="bad_loss")


def _batch_of_one(match_targets):
    """N = 1: the batch dimension must survive."""
    label = 'match_targets([[2]], logits (1, 3), "cross_entropy") (a batch of one)'
    got = checks.call(match_targets, torch.tensor([[2]]), torch.zeros(1, 3), "cross_entropy")
    if isinstance(got, torch.Tensor) and got.dim() == 0:
        raise checks.CheckFailed(f"{label} returned a 0-d tensor (shape ()); cross-entropy "
                                 f"needs shape (N,) = (1,).", cause="squeezed_batch")
    checks.assert_close(got, torch.tensor([2]), exact_dtype=True, name=label)


def _float64_output(match_targets):
    """The dtype comes from the output, also when it is not float32."""
    label = 'match_targets([[1], [0]], a float64 output (2,), "bce")'
    got = checks.call(match_targets, torch.tensor([[1], [0]]),
                      torch.zeros(2, dtype=torch.float64), "bce")
    if isinstance(got, torch.Tensor) and got.dtype == torch.float32:
        raise checks.CheckFailed(f"{label} returned float32; the output is float64.",
                                 cause="output_dtype")
    checks.assert_close(got, torch.tensor([1.0, 0.0], dtype=torch.float64), exact_dtype=True,
                        name=label)

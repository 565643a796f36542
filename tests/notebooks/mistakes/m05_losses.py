"""Typical wrong answers to notebook 05 (loss functions); each loses its exercise's points.

The first six are one per exercise; the rest are further typical mistakes of the
same exercises. Each pitfall the notebook warns about fails a visible check too, with
its likely cause (tests/unit/test_visible_checks_05.py).
"""

from tests.notebooks.harness import Mistake

MISTAKES = [
    Mistake("mse", ("test_mse",),
            "mean divides by the batch size (the slide's wording) instead of the number of "
            "elements; only visible on 2-D inputs",
            'def mse(pred, target, reduction="mean"):\n'
            '    if reduction not in ("none", "sum", "mean"):\n'
            '        raise ValueError("bad reduction")\n'
            '    squared = (pred - target) ** 2\n'
            '    if reduction == "none":\n'
            '        return squared\n'
            '    if reduction == "sum":\n'
            '        return squared.sum()\n'
            '    return squared.sum() / pred.shape[0]\n'),
    Mistake("bce", ("test_bce",),
            "no clamp: log(0) * 0 gives nan for probabilities of exactly 0 or 1",
            "def bce(prob, target, eps=1e-7):\n"
            "    return -(target * torch.log(prob) + (1 - target) * torch.log(1 - prob)).mean()\n"),
    Mistake("bce_with_logits", ("test_bce_with_logits",),
            "sigmoid applied to the logits before the stable formula (sigmoid twice)",
            "def bce_with_logits(logits, target):\n"
            "    z = torch.sigmoid(logits)\n"
            "    return (z.clamp(min=0) - z * target + torch.log1p(torch.exp(-z.abs()))).mean()\n"),
    Mistake("cross_entropy", ("test_cross_entropy",),
            "weighted mean divided by N instead of the sum of the targets' weights",
            "def cross_entropy(logits, target, weight=None):\n"
            "    log_p = torch.log_softmax(logits, dim=1)\n"
            "    picked = log_p[torch.arange(len(target)), target]\n"
            "    if weight is None:\n"
            "        return -picked.mean()\n"
            "    return -(weight[target] * picked).mean()\n"),
    Mistake("class_weights", ("test_class_weights",),
            "bincount without minlength: too few weights when the last classes are absent",
            "def class_weights(target, num_classes):\n"
            "    counts = torch.bincount(target).float()\n"
            "    w = len(target) / (num_classes * counts)\n"
            "    return torch.where(counts > 0, w, torch.zeros_like(w))\n"),
    Mistake("match_targets", ("test_match_targets",),
            ".int() (int32) instead of .long() for cross-entropy class indices",
            "def match_targets(target, output, loss):\n"
            '    if loss == "cross_entropy":\n'
            "        if target.dim() == 2 and target.shape[1] == output.shape[1]:\n"
            "            target = target.argmax(dim=1)\n"
            "        return target.reshape(-1).int()\n"
            '    if loss in ("bce", "mse"):\n'
            "        return target.reshape(output.shape).to(output.dtype)\n"
            '    raise ValueError("unknown loss")\n'),
    Mistake("mse", ("test_mse",),
            "mean and sum swapped, and no ValueError for an unknown reduction",
            'def mse(pred, target, reduction="mean"):\n'
            '    squared = (pred - target) ** 2\n'
            '    if reduction == "none":\n'
            '        return squared\n'
            '    if reduction == "mean":\n'
            '        return squared.sum()\n'
            '    return squared.mean()\n'),
    Mistake("bce", ("test_bce",),
            "sum instead of mean",
            "def bce(prob, target, eps=1e-7):\n"
            "    p = prob.clamp(eps, 1 - eps)\n"
            "    return -(target * torch.log(p) + (1 - target) * torch.log(1 - p)).sum()\n"),
    Mistake("bce", ("test_bce",),
            "the eps argument is ignored (a hard-coded clamp)",
            "def bce(prob, target, eps=1e-7):\n"
            "    p = prob.clamp(1e-7, 1 - 1e-7)\n"
            "    return -(target * torch.log(p) + (1 - target) * torch.log(1 - p)).mean()\n"),
    Mistake("bce_with_logits", ("test_bce_with_logits",),
            "sigmoid then the clamped BCE: wrong (capped) for saturated logits",
            "def bce_with_logits(logits, target):\n"
            "    p = torch.sigmoid(logits).clamp(1e-7, 1 - 1e-7)\n"
            "    return -(target * torch.log(p) + (1 - target) * torch.log(1 - p)).mean()\n"),
    Mistake("bce_with_logits", ("test_bce_with_logits",),
            "(1 - y) z + log1p(exp(-z)) without the |z| rewrite: exact in theory, but "
            "exp overflows for logits below about -88.7",
            "def bce_with_logits(logits, target):\n"
            "    return ((1 - target) * logits + torch.log1p(torch.exp(-logits))).mean()\n"),
    Mistake("cross_entropy", ("test_cross_entropy",),
            "log(softmax(...)) instead of log_softmax: -inf for logits hundreds apart",
            "def cross_entropy(logits, target, weight=None):\n"
            "    log_p = torch.log(torch.softmax(logits, dim=1))\n"
            "    picked = log_p[torch.arange(len(target)), target]\n"
            "    if weight is None:\n"
            "        return -picked.mean()\n"
            "    w = weight[target]\n"
            "    return -(w * picked).sum() / w.sum()\n"),
    Mistake("cross_entropy", ("test_cross_entropy",),
            "log_p[:, target] picks an (N, N) block instead of one entry per row",
            "def cross_entropy(logits, target, weight=None):\n"
            "    log_p = torch.log_softmax(logits, dim=1)\n"
            "    picked = log_p[:, target]\n"
            "    if weight is None:\n"
            "        return -picked.mean()\n"
            "    w = weight[target]\n"
            "    return -(w * picked).sum() / w.sum()\n"),
    Mistake("cross_entropy", ("test_cross_entropy",),
            "a softmax before the log-softmax (the softmax applied twice)",
            "def cross_entropy(logits, target, weight=None):\n"
            "    log_p = torch.log_softmax(torch.softmax(logits, dim=1), dim=1)\n"
            "    picked = log_p[torch.arange(len(target)), target]\n"
            "    if weight is None:\n"
            "        return -picked.mean()\n"
            "    w = weight[target]\n"
            "    return -(w * picked).sum() / w.sum()\n"),
    Mistake("cross_entropy", ("test_cross_entropy",),
            "softmax instead of log_softmax (minus the mean probability)",
            "def cross_entropy(logits, target, weight=None):\n"
            "    p = torch.softmax(logits, dim=1)\n"
            "    picked = p[torch.arange(len(target)), target]\n"
            "    if weight is None:\n"
            "        return -picked.mean()\n"
            "    w = weight[target]\n"
            "    return -(w * picked).sum() / w.sum()\n"),
    Mistake("class_weights", ("test_class_weights",),
            "plain inverse counts 1 / n_c, without the factor N / C",
            "def class_weights(target, num_classes):\n"
            "    counts = torch.bincount(target, minlength=num_classes).float()\n"
            "    return torch.where(counts > 0, 1 / counts, torch.zeros_like(counts))\n"),
    Mistake("class_weights", ("test_class_weights",),
            "the number of classes hard-coded to the example's 4 in N / (C * n_c); "
            "only the hidden test with 6 classes sees it",
            "def class_weights(target, num_classes):\n"
            "    counts = torch.bincount(target, minlength=num_classes).float()\n"
            "    weights = target.numel() / (4 * counts.clamp(min=1.0))\n"
            "    return torch.where(counts > 0, weights, torch.zeros_like(counts))\n"),
    Mistake("match_targets", ("test_match_targets",),
            ".squeeze() without a dim: a batch of one becomes a 0-d tensor",
            "def match_targets(target, output, loss):\n"
            '    if loss == "cross_entropy":\n'
            "        if target.dim() == 2 and target.shape[1] == output.shape[1]:\n"
            "            target = target.argmax(dim=1)\n"
            "        return target.squeeze().long()\n"
            '    if loss in ("bce", "mse"):\n'
            "        return target.reshape(output.shape).to(output.dtype)\n"
            '    raise ValueError("unknown loss")\n'),
    Mistake("match_targets", ("test_match_targets",),
            "always .float(): float64 outputs get float32 targets",
            "def match_targets(target, output, loss):\n"
            '    if loss == "cross_entropy":\n'
            "        if target.dim() == 2 and target.shape[1] == output.shape[1]:\n"
            "            target = target.argmax(dim=1)\n"
            "        return target.reshape(-1).long()\n"
            '    if loss in ("bce", "mse"):\n'
            "        return target.reshape(output.shape).float()\n"
            '    raise ValueError("unknown loss")\n'),
    # Answers built from what the exercise forbids, or from answers the course no longer
    # ships: the source check or a failed import costs the exercise's points.
    Mistake("mse", ("test_mse",), "calls F.mse_loss, which the exercise forbids",
            'def mse(pred, target, reduction="mean"):\n'
            "    return F.mse_loss(pred, target, reduction=reduction)\n",
            forbidden='F.mse_loss'),
    Mistake("bce", ("test_bce",), "calls F.binary_cross_entropy on clamped probabilities, "
            "which the exercise forbids",
            "def bce(prob, target, eps=1e-7):\n"
            "    return F.binary_cross_entropy(torch.clamp(prob, eps, 1 - eps), target)\n",
            forbidden='F.binary_cross_entropy'),
    Mistake("bce_with_logits", ("test_bce_with_logits",),
            "imports the course's old reference implementation, which students no longer have",
            "from course.reference.losses import binary_cross_entropy_with_logits as "
            "bce_with_logits\n"),
    Mistake("cross_entropy", ("test_cross_entropy",),
            "calls F.cross_entropy, which the exercise forbids",
            "def cross_entropy(logits, target, weight=None):\n"
            "    return F.cross_entropy(logits, target, weight=weight)\n",
            forbidden='F.cross_entropy'),
    Mistake("bce_with_logits", ("test_bce_with_logits",),
            "softplus(z) - z y with F.softplus, which the exercise forbids (right values)",
            "def bce_with_logits(logits, target):\n"
            "    return (F.softplus(logits) - logits * target).mean()\n",
            forbidden="F.softplus"),
]

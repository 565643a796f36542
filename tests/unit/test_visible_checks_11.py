"""The visible checks of notebook 11 catch the pitfalls its text warns about, each with its
concrete likely cause (course/checks/exercises/ex11.py); the right answers pass."""

import pytest
import torch
from torch import nn
from torch.utils.data import Dataset

from course import checks
from course.checks import assertions, student
from tests.unit.exercise_sources import check_output

# --- right answers (as in the solution) -------------------------------------------------


def l2_penalty(parameters, lam):
    return lam / 2 * sum(p.pow(2).sum() for p in parameters)


def sgd_step_with_decay(parameters, lr, weight_decay):
    with torch.no_grad():
        for p in parameters:
            if p.grad is not None:
                p -= lr * (p.grad + weight_decay * p)


class Dropout(nn.Module):
    def __init__(self, p=0.5):
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError("p must be in [0, 1]")
        self.p = p

    def mask(self, x):
        return torch.rand_like(x) >= self.p

    def forward(self, x):
        if not self.training or self.p == 0.0:
            return x
        if self.p == 1.0:
            return x * 0.0
        return x * self.mask(x) / (1.0 - self.p)


class BatchNorm(nn.Module):
    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True):
        super().__init__()
        self.eps, self.momentum = eps, momentum
        self.weight = nn.Parameter(torch.ones(num_features)) if affine else None
        self.bias = nn.Parameter(torch.zeros(num_features)) if affine else None
        self.register_buffer("running_mean", torch.zeros(num_features))
        self.register_buffer("running_var", torch.ones(num_features))

    def statistics(self, x, dims):
        return x.mean(dims), x.var(dims, unbiased=False)

    def update(self, mean, var, n):
        m = self.momentum
        self.running_mean.mul_(1 - m).add_(m * mean)
        self.running_var.mul_(1 - m).add_(m * var * n / (n - 1))

    def forward(self, x):
        dims = [0] + list(range(2, x.dim()))
        shape = [1, -1] + [1] * (x.dim() - 2)
        if self.training:
            mean, var = self.statistics(x, dims)
            with torch.no_grad():
                self.update(mean, var, x.numel() // x.shape[1])
        else:
            mean, var = self.eval_statistics(x, dims)
        y = (x - mean.view(shape)) / torch.sqrt(var.view(shape) + self.eps)
        return y if self.weight is None else y * self.weight.view(shape) + self.bias.view(shape)

    def eval_statistics(self, x, dims):
        return self.running_mean, self.running_var


def receptive_field(layers):
    r, j, table = 1, 1, []
    for layer in layers:
        k, s, d = (tuple(layer) + (1,))[:3]
        r += d * (k - 1) * j
        j *= s
        table.append((r, j))
    return table


class AugmentedDataset(Dataset):
    def __init__(self, images, labels, transform=None):
        self.images, self.labels, self.transform = images, labels, transform

    def __len__(self):
        return len(self.images)

    def __getitem__(self, i):
        x = self.images[i]
        return (x if self.transform is None else self.transform(x)), self.labels[i]


# --- wrong answers ------------------------------------------------------------------------

def l2_no_half(parameters, lam):
    return lam * sum(p.pow(2).sum() for p in parameters)


def l2_norms(parameters, lam):
    return lam / 2 * sum(p.norm() for p in parameters)


def l2_twice(parameters, lam):
    count = sum(1 for _ in parameters)                  # empties the generator
    return lam / 2 * sum(p.pow(2).sum() for p in parameters) if count else 0.0


def sgd_half(parameters, lr, weight_decay):
    with torch.no_grad():
        for p in parameters:
            p -= lr * (p.grad + weight_decay / 2 * p)


def sgd_no_decay(parameters, lr, weight_decay):
    with torch.no_grad():
        for p in parameters:
            p -= lr * p.grad


def sgd_decay_without_lr(parameters, lr, weight_decay):
    with torch.no_grad():
        for p in parameters:
            p -= lr * p.grad + weight_decay * p


def sgd_rebinds(parameters, lr, weight_decay):
    for p in parameters:
        p = p - lr * (p.grad + weight_decay * p)        # noqa: F841


class DropoutUnscaled(Dropout):
    def forward(self, x):
        return x * self.mask(x) if self.training else x


class DropoutKeepsP(Dropout):
    def mask(self, x):
        return torch.rand_like(x) < self.p


class DropoutInEval(Dropout):
    def forward(self, x):
        if self.p == 1.0:
            return x * 0.0
        return x * self.mask(x) / (1.0 - self.p)


class DropoutNaN(Dropout):
    def forward(self, x):
        return x * self.mask(x) / (1.0 - self.p) if self.training else x


class DropoutInPlace(Dropout):
    def forward(self, x):
        if not self.training:
            return x
        with torch.no_grad():
            x.mul_(self.mask(x)).div_(1.0 - self.p)
        return x


class BatchNormUnbiased(BatchNorm):
    def statistics(self, x, dims):
        return x.mean(dims), x.var(dims, unbiased=True)

    def update(self, mean, var, n):
        super().update(mean, var * (n - 1) / n, n)


class BatchNormBiasedRunning(BatchNorm):
    def update(self, mean, var, n):
        super().update(mean, var * (n - 1) / n, n)


class BatchNormReversedMomentum(BatchNorm):
    def update(self, mean, var, n):
        m = self.momentum
        self.running_mean.mul_(m).add_((1 - m) * mean)
        self.running_var.mul_(m).add_((1 - m) * var * n / (n - 1))


class BatchNormBatchInEval(BatchNorm):
    def eval_statistics(self, x, dims):
        return self.statistics(x, dims)


class BatchNormPlainTensors(BatchNorm):
    def __init__(self, num_features, **options):
        super().__init__(num_features, **options)
        mean, var = self.running_mean, self.running_var
        del self.running_mean, self.running_var
        self.running_mean, self.running_var = mean, var


def receptive_no_jump(layers):
    r, j, table = 1, 1, []
    for k, s, *d in layers:
        r += (d or [1])[0] * (k - 1)
        j *= s
        table.append((r, j))
    return table


def receptive_jump_after(layers):
    r, j, table = 1, 1, []
    for k, s, *d in layers:
        j *= s
        r += (d or [1])[0] * (k - 1) * j
        table.append((r, j))
    return table


class AugmentedEager(AugmentedDataset):
    def __init__(self, images, labels, transform=None):
        if transform is not None:
            images = torch.stack([transform(x) for x in images])
        super().__init__(images, labels, None)


RIGHT = {"11.l2_penalty": l2_penalty, "11.sgd_step_with_decay": sgd_step_with_decay,
         "11.Dropout": Dropout, "11.BatchNorm": BatchNorm,
         "11.receptive_field": receptive_field, "11.AugmentedDataset": AugmentedDataset}

WRONG = [
    ("11.l2_penalty", l2_no_half, "no_half", "You left the 1/2 out"),
    ("11.l2_penalty", l2_norms, "not_squared", "Sum the *squares*"),
    ("11.l2_penalty", l2_twice, "generator", "empty once looped over"),
    ("11.sgd_step_with_decay", sgd_half, "half_decay", "cancels when you differentiate"),
    ("11.sgd_step_with_decay", sgd_no_decay, "no_decay", "moved as plain SGD"),
    ("11.sgd_step_with_decay", sgd_decay_without_lr, "decay_without_lr",
     "Multiply the decay by the learning rate"),
    ("11.sgd_step_with_decay", sgd_rebinds, "params_unchanged", "update them in place"),
    ("11.Dropout", DropoutUnscaled, "no_scale", "divide them by 1 - p"),
    ("11.Dropout", DropoutKeepsP, "keep_rate", "probability of *dropping*"),
    ("11.Dropout", DropoutInEval, "eval_drops", "must be the identity"),
    ("11.Dropout", DropoutNaN, "p_one", "which gives NaN"),
    ("11.Dropout", DropoutInPlace, "in_place", "Do not modify the input tensor"),
    ("11.BatchNorm", BatchNormUnbiased, "unbiased_normalise", "biased variance"),
    ("11.BatchNorm", BatchNormBiasedRunning, "biased_running", "unbiased variance"),
    ("11.BatchNorm", BatchNormReversedMomentum, "momentum", "weighs the *new* batch statistic"),
    ("11.BatchNorm", BatchNormBatchInEval, "eval_batch_stats", "use running_mean and running_var"),
    ("11.BatchNorm", BatchNormPlainTensors, "buffers", "Register running_mean and running_var"),
    ("11.receptive_field", receptive_no_jump, "jump", "j input pixels away"),
    ("11.receptive_field", receptive_jump_after, "jump_after", "jump from *before* the layer"),
    ("11.AugmentedDataset", AugmentedEager, "eager", "the same augmented images"),
]


@pytest.fixture(autouse=True)
def _fresh_hints():
    student.reset_hints()
    yield
    student.reset_hints()


@pytest.mark.parametrize("exercise_id", sorted(RIGHT))
def test_the_right_answer_passes(exercise_id, capsys):
    check_output(capsys, exercise_id, RIGHT[exercise_id], passes=True)


@pytest.mark.parametrize("exercise_id, wrong, cause, words", WRONG,
                         ids=[f"{e}-{c}" for e, _, c, _ in WRONG])
def test_a_pitfall_fails_with_its_likely_cause(exercise_id, wrong, cause, words, capsys):
    exercise = checks.get(exercise_id)
    out = check_output(capsys, exercise_id, wrong)
    explanation = assertions.explain(cause, exercise.likely_causes)
    assert f"Likely cause: {explanation}" in out, out
    assert words in explanation

"""The visible checks of 02.Softplus catch the pitfalls the notebook warns about."""

import torch

import course
from course.checks.exercises import ex02  # noqa: F401  (registers the checks)
from tests.unit.exercise_sources import assert_mentions, check_output


class Softplus(torch.autograd.Function):
    """The stable softplus of the solution."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.clamp(min=0) + torch.log1p(torch.exp(-x.abs()))

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * torch.sigmoid(x)


class NaiveSoftplus(Softplus):
    """log(1 + exp(x)) as written: inf above x = 88.7 in float32."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return torch.log(1 + torch.exp(x))

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * torch.exp(x) / (1 + torch.exp(x))


class NoUpstream(Softplus):
    """Returns the local derivative without the upstream gradient."""

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return torch.sigmoid(x)


class AbsInBackward(Softplus):
    """sigmoid(|x|): the forward's trick copied into backward."""

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output / (1 + torch.exp(-x.abs()))


def _fails_with(answer, words, capsys):
    assert_mentions(check_output(capsys, "02.Softplus", answer), *words)


def test_the_solution_passes(capsys):
    assert course.check("02.Softplus", Softplus) is True


def test_overflow_is_named(capsys):
    _fails_with(NaiveSoftplus, ["softplus(100) is 100", "overflows float32 above x = 88.7"],
                capsys)


def test_missing_upstream_gradient_is_named(capsys):
    _fails_with(NoUpstream, ["the upstream gradient was not used",
                             "multiply the local derivative sigmoid(x) by grad_output"],
                capsys)


def test_a_wrong_backward_is_named(capsys):
    _fails_with(AbsInBackward, ["the gradient of Softplus.apply(x)",
                                "the derivative of softplus is sigmoid(x)"], capsys)


def test_a_plain_function_is_refused(capsys):
    _fails_with(lambda x: x, ["derived from torch.autograd.Function"], capsys)

"""Reference models: output shapes, structure and parameter counts computed by hand."""

import pytest
import torch
from torch import nn

import course
from grader.reference.models import (MLP, LeNet, LogisticRegression, ToyClassifier2018,
                                     count_parameters, describe_layers)


@pytest.fixture(autouse=True)
def _seed():
    course.seed_everything(0)


def _linear(n_in, n_out):
    return n_in * n_out + n_out


def _conv(c_in, c_out, k):
    return c_out * c_in * k * k + c_out


def test_lenet_maps_mnist_images_to_ten_logits():
    assert LeNet()(torch.randn(3, 1, 28, 28)).shape == (3, 10)


def test_lenet_layers_shapes_and_parameters():
    rows = describe_layers(LeNet(), (2, 1, 28, 28))
    # conv: 28 - 5 + 1 = 24, pool: 12, conv: 12 - 5 + 1 = 8, pool: 4, flatten: 50 * 4 * 4
    expected = [
        ("conv1", (2, 20, 24, 24), _conv(1, 20, 5)),
        ("relu1", (2, 20, 24, 24), 0),
        ("pool1", (2, 20, 12, 12), 0),
        ("conv2", (2, 50, 8, 8), _conv(20, 50, 5)),
        ("relu2", (2, 50, 8, 8), 0),
        ("pool2", (2, 50, 4, 4), 0),
        ("flatten", (2, 800), 0),
        ("fc1", (2, 500), _linear(800, 500)),
        ("relu3", (2, 500), 0),
        ("fc2", (2, 10), _linear(500, 10)),
    ]
    assert [tuple(r) for r in rows] == expected
    assert [_conv(1, 20, 5), _conv(20, 50, 5), _linear(800, 500), _linear(500, 10)] == \
        [520, 25050, 400500, 5010]
    assert count_parameters(LeNet()) == 520 + 25050 + 400500 + 5010 == 431080


def test_describe_layers_restores_mode_and_leaves_no_hooks():
    model = LeNet().train()
    describe_layers(model, (1, 1, 28, 28))
    assert model.training
    assert all(not m._forward_hooks for m in model.modules())


def test_toy_classifier_2018_structure():
    model = ToyClassifier2018()
    kinds = [type(m) for m in model]
    assert kinds == [nn.Linear, nn.ReLU, nn.Linear, nn.Sigmoid]
    assert (model[0].in_features, model[0].out_features) == (10, 10)
    assert (model[2].in_features, model[2].out_features) == (10, 1)
    assert count_parameters(model) == _linear(10, 10) + _linear(10, 1) == 121
    out = model(torch.randn(5, 10))
    assert out.shape == (5, 1) and ((out > 0) & (out < 1)).all()


def test_logistic_regression_flattens_and_returns_logits():
    model = LogisticRegression(28 * 28, 10)
    assert model(torch.randn(4, 1, 28, 28)).shape == (4, 10)
    assert count_parameters(model) == _linear(784, 10)
    assert LogisticRegression(3)(torch.full((2, 3), 100.0)).abs().max() > 1  # not squashed


def test_mlp_sizes_and_activations():
    model = MLP([784, 300, 100, 10])
    linears = [m for m in model if isinstance(m, nn.Linear)]
    assert [(m.in_features, m.out_features) for m in linears] == [(784, 300), (300, 100),
                                                                 (100, 10)]
    assert sum(isinstance(m, nn.ReLU) for m in model) == 2
    assert count_parameters(model) == _linear(784, 300) + _linear(300, 100) + _linear(100, 10)
    assert model(torch.randn(2, 1, 28, 28)).shape == (2, 10)


def test_mlp_activation_choices():
    model = MLP([4, 8, 1], activation=nn.Tanh, output_activation="sigmoid")
    assert [type(m) for m in model] == [nn.Flatten, nn.Linear, nn.Tanh, nn.Linear, nn.Sigmoid]
    probs = MLP([4, 3], output_activation="softmax")(torch.randn(5, 4))
    torch.testing.assert_close(probs.sum(-1), torch.ones(5))


@pytest.mark.parametrize("kwargs, error, match", [
    ({"sizes": [10]}, ValueError, "at least"),
    ({"sizes": 10}, TypeError, "sequence"),
    ({"sizes": [10, 0]}, ValueError, r"sizes\[1\]"),
    ({"sizes": [4, 2], "activation": "swish"}, ValueError, "activation must be one of"),
    ({"sizes": [4, 4, 2], "activation": nn.ReLU()}, TypeError, "not an instance"),
])
def test_mlp_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        MLP(**kwargs)


def test_count_parameters_trainable_only():
    model = MLP([3, 2, 1])
    model[1].weight.requires_grad_(False)
    assert count_parameters(model) == _linear(3, 2) + _linear(2, 1) - 6
    assert count_parameters(model, trainable_only=False) == _linear(3, 2) + _linear(2, 1)
    with pytest.raises(TypeError, match="model"):
        count_parameters("model")


@pytest.mark.parametrize("model", [MLP([4, 8, 3]), ToyClassifier2018(4)],
                         ids=["MLP", "ToyClassifier2018"])
def test_slicing_gives_the_leading_layers(model):
    x = torch.randn(5, 4)
    head = model[:-1]
    assert isinstance(head, torch.nn.Sequential) and len(head) == len(model) - 1
    assert torch.equal(model[-1](head(x)), model(x))

"""Visible checks of notebook 06: Dataset, DataLoader, splits, devices, the training script,
an image Dataset with a transform.

Expected values are literals or stored (``checks.EXPECTED``, see
course/checks/expected/ex06.json); the training checks compare the student's result
from fixed initial weights and fixed batches with the stored one, or, for the whole
training script, bound the validation loss. Hidden tests in the notebook use other
sizes, columns, devices and data; the checks here stay small and fast (well under a
second each).
"""

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset, TensorDataset

from course import checks
from course.checks.failures import recause

_CPU = torch.device("cpu")


def _require(kind, value, name, cause=None):
    """Fail unless ``type(value) is kind`` (exact type: bool is not an int here)."""
    if type(value) is not kind:
        raise checks.CheckFailed(f"{name} should be a Python {kind.__name__}, but it is "
                                 f"{checks.describe(value)}.", cause=cause)
    return value


# --- 06.num_batches ------------------------------------------------------------------

@checks.exercise(
    "06.num_batches", title="Batches per epoch",
    hints=["Count the full batches first: n // batch_size. Then ask what happens to the "
           "n % batch_size samples left over, with and without drop_last.",
           "Without drop_last a non-empty remainder becomes one more, smaller batch: "
           "round n / batch_size up, in integers: (n + batch_size - 1) // batch_size. "
           "With drop_last the remainder is thrown away: round down.",
           "Test the edge cases by hand: 12 samples in batches of 4 give 3 batches with "
           "or without drop_last; 3 samples in batches of 5 give 1 batch, or 0 with "
           "drop_last."],
    likely_causes={
        "ceil_floor": "Without drop_last the smaller last batch still counts (round up); "
                      "with drop_last it is dropped (round down).",
        "not_int": "Return an int: math.ceil and // give ints, but n / batch_size and "
                   "numpy functions give floats."},
    forbidden=("torch.utils.data.DataLoader",))
def _num_batches(num_batches):
    for n, size, drop, want in ((10, 4, False, 3), (10, 4, True, 2),
                                (3, 5, False, 1), (3, 5, True, 0)):
        label = f"num_batches({n}, {size}, drop_last={drop})"
        got = _require(int, checks.call(num_batches, n, size, drop, name="num_batches"),
                       label, cause="not_int")
        recause("ceil_floor", checks.assert_close, got, want, rtol=0.0, atol=0.0, name=label)


# --- 06.split_indices ------------------------------------------------------------------

def _split(split_indices, n, fraction, seed):
    """Call the student's split and check the pair's types and sizes."""
    label = f"split_indices({n}, {fraction}, generator)"
    result = checks.call(split_indices, n, fraction, torch.Generator().manual_seed(seed),
                         name="split_indices")
    if type(result) is not tuple or len(result) != 2:
        raise checks.CheckFailed(f"{label} should return a pair (train_idx, val_idx), "
                                 f"but it returned {checks.describe(result)}.")
    train, val = result
    n_val = round(fraction * n)
    for part, name, size in ((train, "train_idx", n - n_val), (val, "val_idx", n_val)):
        checks.assert_dtype(part, torch.int64, name=f"the dtype of {name} of {label}")
        checks.assert_shape(part, (size,), name=f"{name} of {label}")
    return train, val


@checks.exercise(
    "06.split_indices", title="A reproducible train/validation split",
    hints=["Shuffle all indices once, with torch.randperm(n, generator=generator), and cut "
           "that one permutation into two pieces. Two separate random draws would overlap.",
           "n_val = round(val_fraction * n); the first n_val entries of the permutation "
           "can be the validation indices and the rest the training indices.",
           "Pass generator=generator to randperm: without it the split comes from the "
           "global random state, and the same generator seed no longer gives the same "
           "split."],
    likely_causes={
        "overlap": "Every index must land in exactly one part: shuffle once and cut the "
                   "permutation, instead of drawing the two parts independently."})
def _split_indices(split_indices):
    train, val = _split(split_indices, 10, 0.3, seed=0)
    union = torch.cat([train, val]).sort().values                  # (10,)
    recause("overlap", checks.assert_close, union, torch.arange(10), rtol=0.0, atol=0.0,
            name="the sorted indices of both parts together (each of 0..9 exactly once)")


# --- 06.TabularDataset -----------------------------------------------------------------

def _item(dataset, i, n_features, label):
    """``dataset[i]`` as a checked pair of float32 tensors (C-1,) and (1,)."""
    sample = checks.call(dataset.__getitem__, i, name=f"{label}[{i}]")
    if type(sample) is not tuple or len(sample) != 2:
        raise checks.CheckFailed(f"{label}[{i}] should be a pair (x, y), but it is "
                                 f"{checks.describe(sample)}.")
    x, y = sample
    for value, name, shape in ((x, "x", (n_features,)), (y, "y", (1,))):
        checks.assert_dtype(value, torch.float32, name=f"the dtype of {name} of {label}[{i}]")
        checks.assert_shape(value, shape, name=f"{name} of {label}[{i}]")
    return x, y


@checks.exercise(
    "06.TabularDataset", title="A Dataset over a table, standardised",
    hints=["In __init__ convert the table once: torch.as_tensor(table, dtype=torch.float32). "
           "Select the feature columns with a list of all column indices except target_col, "
           "and the target with the slice target_col:target_col + 1, so it stays (N, 1).",
           "Compute mean and std over the samples (dim=0) of the features, and only when "
           "none were passed in. When they are given (validation data) use them unchanged: "
           "validation must be transformed exactly like training.",
           "__len__ returns the number of rows; __getitem__(i) returns (self.X[i], self.y[i]) "
           "with X already standardised. Do the work once in __init__, not per sample."],
    likely_causes={
        "dataset_protocol": "A map-style dataset subclasses torch.utils.data.Dataset and "
                            "defines __len__ and __getitem__.",
        "dtype": "NumPy arrays are float64 (or int64) by default and torch.from_numpy keeps "
                 "the dtype: convert with torch.as_tensor(table, dtype=torch.float32)."})
def _tabular_dataset(TabularDataset):
    table = np.array([[1.0, 10.0, 0.5], [2.0, 20.0, 1.5],
                      [3.0, 60.0, 2.5], [6.0, 30.0, 3.5]])              # (4, 3) float64
    label = "TabularDataset(table, target_col=1)"
    dataset = checks.call(TabularDataset, table, 1, name="TabularDataset")
    if not isinstance(dataset, Dataset):
        raise checks.CheckFailed(f"{label} should be a torch.utils.data.Dataset, but it is "
                                 f"{checks.describe(dataset)}.", cause="dataset_protocol")
    size = _require(int, checks.call(len, dataset, name=f"len({label})"), f"len({label})")
    checks.assert_close(size, 4, rtol=0.0, atol=0.0, name=f"len({label})")
    for i in (0, 2):
        x_i, y_i = _item(dataset, i, 2, label)
        checks.assert_close(x_i, rtol=1e-5, atol=1e-6,
                            name=f"the standardised features of {label}[{i}]")
        checks.assert_close(y_i, name=f"the target of {label}[{i}]")
    checks.assert_close(getattr(dataset, "mean", None), name=f"{label}.mean")
    checks.assert_close(getattr(dataset, "std", None), name=f"{label}.std")


# --- 06.to_device ----------------------------------------------------------------------

@checks.exercise(
    "06.to_device", title="Moving a batch to the device",
    hints=["Handle the cases one after the other: a tensor (isinstance(batch, torch.Tensor)), "
           "a dict, a list or tuple, and anything else (returned as it is).",
           "For containers call to_device on every element (recursion) and rebuild the same "
           "kind of container: type(batch)(...) for a list or tuple, a dict comprehension "
           "for a dict.",
           "The inputs are not the only tensors in a batch: the targets must move too, or "
           "the loss mixes devices (an error on a GPU, silent on a CPU)."],
    likely_causes={
        "wrong_device": "Every tensor in the batch must move, the targets as well as the "
                        "inputs: loop over the elements of the batch."})
def _to_device(to_device):
    meta = torch.device("meta")
    x, y = torch.randn(3, 2), torch.randn(3, 1)
    moved = checks.call(to_device, (x, y), meta, name="to_device")
    if type(moved) is not tuple or len(moved) != 2:
        raise checks.CheckFailed(f"to_device((x, y), 'meta') should return a tuple of two "
                                 f"tensors, but it returned {checks.describe(moved)}.")
    for value, name, shape in ((moved[0], "x", (3, 2)), (moved[1], "y", (3, 1))):
        checks.assert_device(value, meta, name=f"{name} of to_device((x, y), 'meta')")
        checks.assert_shape(value, shape, name=f"the shape of {name} of to_device((x, y), 'meta')")


# --- 06.train_one_epoch ----------------------------------------------------------------

@checks.exercise(
    "06.train_one_epoch", title="One epoch of training",
    hints=["For every batch: move x and y to the device, then optimizer.zero_grad(), "
           "output = model(x), loss = loss_fn(output, y), loss.backward(), optimizer.step().",
           "loss is the mean over its batch. For the mean over all samples add "
           "loss.item() * len(x) to a running total and divide by the number of samples "
           "seen, not by the number of batches.",
           "Return a Python float: loss.item() is one. Adding up the loss tensors instead "
           "returns a tensor with a grad_fn and keeps the graph of every batch in memory."],
    likely_causes={
        "epoch_params": "The parameters after the epoch differ from those of a correct loop "
                        "over the same batches: call optimizer.zero_grad() before every "
                        "backward() (gradients accumulate otherwise), then optimizer.step(), "
                        "once per batch, with the model in training mode (model.train()).",
        "epoch_mean": "Weight each batch's loss by its number of samples: the last batch "
                      "may be smaller, and the mean is over samples, not over batches.",
        "float_type": "Return a Python float: accumulate loss.item(), not the loss tensor.",
        "train_mode": "Call model.train() at the start of the epoch: the model may come "
                      "back from evaluation (model.eval()), and dropout or batch "
                      "normalisation then behave differently."},
    forbidden=("course.train",))
def _train_one_epoch(train_one_epoch):
    g = torch.Generator().manual_seed(0)
    X = torch.randn(12, 3, generator=g)                                  # (12, 3)
    y = X @ torch.tensor([[1.0], [-1.0], [2.0]]) + 0.5                   # (12, 1)
    with checks.seeded(0):
        model = nn.Sequential(nn.Linear(3, 8), nn.Tanh(), nn.Linear(8, 1))
    loader = DataLoader(TensorDataset(X, y), batch_size=4, shuffle=True,
                        generator=torch.Generator().manual_seed(1))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    label = "train_one_epoch over 12 samples in batches of 4"
    with checks.seeded(2):
        got = checks.call(train_one_epoch, model, loader, nn.MSELoss(), optimizer, _CPU,
                          name="train_one_epoch")
    _require(float, got, f"the result of {label}", cause="float_type")
    if not model.training:
        raise checks.CheckFailed(f"after {label} the model is in evaluation mode; it should "
                                 f"be in training mode.", cause="train_mode")
    for name, p in model.named_parameters():
        recause("epoch_params", checks.assert_close, p.detach(), rtol=1e-4, atol=1e-6,
                name=f"parameter {name} after {label}")
    recause("epoch_mean", checks.assert_close, got, rtol=1e-5, atol=1e-7,
            name=f"the mean loss returned by {label}")


# --- 06.fit_dmt --------------------------------------------------------------------------

def _check_history(history, epochs, label):
    """history is {"loss": [...], "val_loss": [...]} with ``epochs`` floats each."""
    if type(history) is not dict:
        raise checks.CheckFailed(f"the history returned by {label} should be a dict, but it "
                                 f"is {checks.describe(history)}.")
    for key in ("loss", "val_loss"):
        values = history.get(key)
        if type(values) is not list or len(values) != epochs:
            raise checks.CheckFailed(f'history["{key}"] of {label} should be a list of '
                                     f"{epochs} floats (one per epoch), but it is "
                                     f"{checks.describe(values)}.")
        for epoch, value in enumerate(values, start=1):
            _require(float, value, f'history["{key}"][{epoch - 1}] of {label}',
                     cause="float_type")


@checks.exercise(
    "06.fit_dmt", title="The three-block training script",
    hints=["Data: TensorDataset(X_train, y_train) in a DataLoader with shuffle=True, and the "
           "validation tensors in one with shuffle=False. Model: the Sequential of the "
           "exercise moved to the device, then Adam(model.parameters(), lr=lr) and "
           "nn.MSELoss().",
           "The model outputs (B, 1) but the targets arrive as (N,): MSELoss would "
           "broadcast the pair to (B, B) and the model learns little more than the mean. "
           "Follow the convention: reshape the targets once in the data block, "
           "y_train.unsqueeze(-1), so that they have the output's shape.",
           "Per epoch: model.train() and the five-line step on every batch, with a running "
           "loss weighted by batch size; then model.eval() and, under torch.no_grad(), the "
           "weighted mean loss over the validation batches. Append both as floats."],
    likely_causes={
        "float_type": "Store floats in the history: loss.item(), not loss.",
        "param_count": "Use exactly Linear(F, 32), ReLU, Linear(32, 32), ReLU, Linear(32, 1).",
        "val_mismatch": "The last validation loss should be the MSE of the returned model on "
                        "all validation samples: evaluate after the epoch's training, with "
                        "model.eval() and torch.no_grad(), weighting batches by their size.",
        "too_high": "The model did not learn: check the shapes of output and target "
                    "(B, 1) versus (B,), optimizer.zero_grad() in every step, and that "
                    "the optimizer got model.parameters()."},
    forbidden=("course.train",))
def _fit_dmt(fit_dmt):
    g = torch.Generator().manual_seed(0)
    X = torch.randn(400, 3, generator=g)                                 # (400, 3)
    y = X @ torch.tensor([1.0, -2.0, 0.5]) + 0.1 * torch.randn(400, generator=g)   # (400,)
    label = "fit_dmt on a linear problem (300 training, 100 validation samples, 5 epochs)"
    with checks.seeded(0):
        result = checks.call(fit_dmt, X[:300], y[:300], X[300:], y[300:], epochs=5,
                             batch_size=32, lr=0.01, device="cpu", name="fit_dmt")
    if type(result) is not tuple or len(result) != 2:
        raise checks.CheckFailed(f"fit_dmt should return a pair (model, history), but it "
                                 f"returned {checks.describe(result)}.")
    model, history = result
    checks.assert_param_count(model, 3 * 32 + 32 + 32 * 32 + 32 + 32 + 1, name="the model")
    _check_history(history, 5, label)
    model.eval()
    with torch.no_grad():
        pred = model(X[300:])                                            # (100, 1)
    checks.assert_shape(pred, (100, 1), name="model(X_val)")
    mse = ((pred.squeeze(-1) - y[300:]) ** 2).mean()
    checks.assert_less(mse, 0.5, cause="too_high",
                       name=f"the validation MSE of the returned model after {label} "
                            f"(predicting the mean gives about 5)")
    # Training differs between correct scripts: compare the history with the returned
    # model itself, as a ratio (1 within 1e-3), not with the solution's numbers.
    recause("val_mismatch", checks.assert_close, history["val_loss"][-1] / mse.item(), 1.0,
            rtol=0.0, atol=1e-3,
            name='history["val_loss"][-1] / the validation MSE of the returned model')



# --- 06.ImageDataset -----------------------------------------------------------------------

class _Counting:
    """A transform that counts its calls and gives a new result each time, like a random
    augmentation does."""

    def __init__(self):
        self.calls = 0

    def __call__(self, image):
        self.calls += 1
        return torch.as_tensor(np.asarray(image), dtype=torch.float32) + self.calls


def _sample(dataset, i, label):
    """``dataset[i]`` as a checked pair (image, label)."""
    sample = checks.call(dataset.__getitem__, i, name=f"{label}[{i}]")
    if type(sample) is not tuple or len(sample) != 2:
        raise checks.CheckFailed(f"{label}[{i}] should be a pair (image, label), but it is "
                                 f"{checks.describe(sample)}.")
    return sample


def _check_transform_calls(ImageDataset, images, labels):
    """The transform runs once per read, in __getitem__, and never in __init__."""
    counting = _Counting()
    dataset = checks.call(ImageDataset, images, labels, transform=counting, name="ImageDataset")
    if counting.calls:
        raise checks.CheckFailed(f"building ImageDataset(images, labels, transform) called the "
                                 f"transform {counting.calls} times already.", cause="eager")
    for _ in range(2):
        _sample(dataset, 0, "ImageDataset(images, labels, transform)")
    if counting.calls != 2:
        raise checks.CheckFailed(f"reading dataset[0] twice called the transform "
                                 f"{counting.calls} times: it should run once at every read.",
                                 cause="ignored" if counting.calls == 0 else None)


@checks.exercise(
    "06.ImageDataset", title="An image Dataset with a transform",
    hints=["__init__ only stores images, labels and transform (self.transform = transform); "
           "__len__ returns len(self.images).",
           "__getitem__(i): image = self.images[i]; if self.transform is not None, "
           "image = self.transform(image); return image, int(self.labels[i]).",
           "Do not transform in __init__: a random augmentation must be drawn again at every "
           "read, so the transform belongs in __getitem__. Without a transform, return the "
           "raw image unchanged."],
    likely_causes={
        "dataset_protocol": "A map-style dataset subclasses torch.utils.data.Dataset and "
                            "defines __len__ and __getitem__.",
        "eager": "Apply the transform in __getitem__, at every read, not once in __init__: "
                 "a random augmentation would otherwise be the same in every epoch.",
        "ignored": "Apply self.transform to the image in __getitem__ when one was given.",
        "no_transform": "With transform=None return images[i] itself, the raw uint8 pixels, "
                        "as torchvision's datasets do; do not convert it yourself."})
def _image_dataset(ImageDataset):
    from torchvision import transforms

    images = (np.arange(24) * 11 % 256).astype(np.uint8).reshape(2, 3, 4)   # (2, 3, 4) uint8
    labels = np.array([4, 9])
    label = "ImageDataset(images of shape (2, 3, 4), labels, transform=ToTensor())"
    dataset = checks.call(ImageDataset, images, labels, transform=transforms.ToTensor(),
                          name="ImageDataset")
    if not isinstance(dataset, Dataset):
        raise checks.CheckFailed(f"{label} should be a torch.utils.data.Dataset, but it is "
                                 f"{checks.describe(dataset)}.", cause="dataset_protocol")
    size = _require(int, checks.call(len, dataset, name=f"len({label})"), f"len({label})")
    checks.assert_close(size, 2, rtol=0.0, atol=0.0, name=f"len({label})")
    image, target = _sample(dataset, 1, label)
    checks.assert_dtype(image, torch.float32, name=f"the dtype of the image of {label}[1]")
    checks.assert_shape(image, (1, 3, 4), name=f"the image of {label}[1]")
    checks.assert_close(image, name=f"the pixels of the image of {label}[1]")
    if not isinstance(target, (int, np.integer, torch.Tensor)) or int(target) != 9:
        raise checks.CheckFailed(f"the label of {label}[1] should be 9, but it is "
                                 f"{checks.describe(target)}.")
    _check_transform_calls(ImageDataset, images, labels)
    raw, _ = _sample(checks.call(ImageDataset, images, labels, name="ImageDataset"), 0,
                     "ImageDataset(images, labels)")
    raw = np.asarray(raw)
    if raw.dtype != np.uint8 or raw.shape != (3, 4) or not np.array_equal(raw, images[0]):
        raise checks.CheckFailed(f"without a transform, dataset[0] should hold the raw image "
                                 f"images[0] (uint8, shape (3, 4)), but it holds "
                                 f"{checks.describe(raw)}.", cause="no_transform")

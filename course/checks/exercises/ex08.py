"""Visible checks of notebook 08 (the physics toy: mass, baseline, classifier, leak).

Expected values are literals or stored (``checks.EXPECTED``, see
course/checks/expected/ex08.json). Results of the student's own training are judged by
bounds. Hidden tests in the notebook use other inputs: small opening angles, window
edges, other widths and feature counts, real toy events, another column order.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from course import checks

FEATURES_2018 = ("pT1", "eta1", "phi_azimuth1", "pz1", "E1",
                 "pT2", "eta2", "phi_azimuth2", "pz2", "E2")


def _fail(message: str, cause: str | None = None):
    raise checks.CheckFailed(message, cause=cause)


# --------------------------------------------------------------------- 08.invariant_mass

@checks.exercise(
    "08.invariant_mass", title="Invariant mass of two massless particles",
    hints=["For massless particles E = |p|, so M^2 = (E1 + E2)^2 - |p1 + p2|^2 "
           "= 2 E1 E2 (1 - cos phi). Take the square root at the end.",
           "phi is in radians (torch.cos and torch.sin expect radians). Use torch "
           "functions only, so the result stays a tensor with gradients.",
           "At small angles 1 - cos(phi) loses almost all its digits in float32. The "
           "half-angle identity 1 - cos(phi) = 2 sin^2(phi / 2) turns the mass into "
           "2 sqrt(E1 E2) sin(phi / 2), which has no cancellation."],
    likely_causes={"scale": "A factor is missing: M^2 = 2 E1 E2 (1 - cos phi) has a 2, "
                            "and M is its square root."})
def _invariant_mass(invariant_mass):
    E1 = torch.tensor([400.0, 500.0, 375.0, 1000.0, 620.0])
    E2 = torch.tensor([450.0, 600.0, 375.0, 300.0, 480.0])
    phi = torch.tensor([2.0, 1.2, math.pi, 0.6, 1.5])
    got = checks.call(invariant_mass, E1, E2, phi)
    checks.assert_close(got, name="invariant_mass(E1, E2, phi)", rtol=1e-5)
    at_rest = checks.call(invariant_mass, torch.tensor(375.0), torch.tensor(375.0),
                          torch.tensor(math.pi))
    checks.assert_close(at_rest, torch.tensor(750.0), rtol=1e-5,
                        name="the mass of a back-to-back pair of 375 GeV particles")


# --------------------------------------------------------------------- 08.mass_window

@checks.exercise(
    "08.mass_window", title="The mass-window baseline",
    hints=["Build a boolean mask with two comparisons joined by & (elementwise and), "
           "then turn it into 0.0/1.0 with .to(mass.dtype) or .float().",
           "Signal efficiency: among the signal events only (y == 1), the fraction "
           "inside the window. Index the scores with a boolean mask, then .mean().",
           "Background rejection counts the background events (y == 0) the window "
           "throws away: 1 minus the fraction of background inside."],
    likely_causes={
        "bool_dtype": "Convert the boolean mask to floating point: scores are 0.0 / 1.0.",
        "scale": "Each fraction is taken within its own class: divide by the number of "
                 "signal (or background) events, not by all events.",
        "rejection": "Rejection is the fraction of background *outside* the window, "
                     "1 - (background efficiency)."})
def _mass_window(mass_window):
    mass = torch.tensor([600.0, 700.0, 900.0, 1000.0, 650.0, 1100.0, 500.0, 760.0])
    y = torch.tensor([1, 1, 1, 0, 0, 0, 0, 1])
    result = checks.call(mass_window, mass, y, 640.0, 920.0)
    if not isinstance(result, tuple) or len(result) != 3:
        _fail(f"mass_window should return a tuple (scores, signal_efficiency, "
              f"background_rejection), got {checks.describe(result)}.",
              cause="none" if result is None else None)
    scores, efficiency, rejection = result
    checks.assert_close(scores, torch.tensor([0.0, 1, 1, 0, 1, 0, 0, 1]),
                        name="scores for the window 640-920 GeV")
    efficiency = checks.scalar(efficiency, name="signal_efficiency")
    rejection = checks.scalar(rejection, name="background_rejection")
    if abs(rejection - 0.25) < 1e-6:
        _fail("background_rejection = 0.25 is the fraction of background events *inside* "
              "the window (1 of 4); expected the fraction outside, 3 of 4.",
              cause="rejection")
    checks.assert_close(efficiency, 0.75, rtol=1e-6,
                        name="signal_efficiency (3 of the 4 signal events are inside)")
    checks.assert_close(rejection, 0.75, rtol=1e-6,
                        name="background_rejection (3 of the 4 background events are "
                             "outside)")
    default = checks.call(mass_window, torch.tensor([640.0, 700.0, 920.0]),
                          torch.tensor([1, 1, 0]))
    checks.assert_close(default[0], torch.tensor([0.0, 1.0, 0.0]),
                        name="scores with the default window 645-915 GeV")


# --------------------------------------------------------------------- 08.make_classifier

def _leaves(model: nn.Module) -> list[nn.Module]:
    return [m for m in model.modules() if next(iter(m.children()), None) is None]


@checks.exercise(
    "08.make_classifier", title="A classifier that standardises its own inputs",
    hints=["Standardize.__init__ computes X.mean(dim=0) and X.std(dim=0): one value per "
           "column (feature), averaged over the events (dim 0).",
           "Call super().__init__() first, then self.register_buffer('mean', ...) and "
           "self.register_buffer('std', ...): buffers follow .to(device) and state_dict "
           "but are not trained. forward returns (x - self.mean) / self.std.",
           "make_classifier returns nn.Sequential(Standardize(X_train), "
           "nn.Linear(F, n_hidden), nn.ReLU(), nn.Linear(n_hidden, 1), nn.Sigmoid()) "
           "with F = X_train.shape[1]."],
    likely_causes={"structure": "The model is Standardize, Linear, ReLU, Linear, Sigmoid "
                                "in that order (BCELoss needs probabilities, so the "
                                "Sigmoid is part of this model)."})
def _make_classifier(make_classifier):
    with checks.seeded(8):
        X = torch.randn(60, 3) * torch.tensor([300.0, 200.0, 0.5]) \
            + torch.tensor([500.0, 450.0, 1.5])
    before = X.clone()
    model = checks.call(make_classifier, X)
    checks.assert_module_structure(model, [nn.Module, nn.Linear, nn.ReLU, nn.Linear,
                                           nn.Sigmoid], name="the layers of make_classifier(X)")
    checks.assert_param_count(model, 3 * 10 + 10 + 10 + 1,
                              name="the parameters of make_classifier(X)")
    checks.assert_close(X, before, name="X_train after make_classifier (must not change)")
    with torch.no_grad():
        z = checks.call(_leaves(model)[0], X, name="the Standardize layer")
    checks.assert_shape(z, (60, 3), name="Standardize(X_train)(X_train)")
    checks.assert_close(z.mean(dim=0), torch.zeros(3), atol=1e-4,
                        name="the column means of the standardised training features")
    checks.assert_close(z.std(dim=0), torch.ones(3), rtol=1e-4, atol=1e-5,
                        name="the column standard deviations (torch's default .std) of "
                             "the standardised training features")
    with torch.no_grad(), checks.seeded(9):          # fixed weights: a stored output
        for p in model.parameters():
            p.copy_(0.5 * torch.randn(p.shape))
        out = checks.call(model, X[:7] * 1.1 + 0.5,
                          name="make_classifier(X)(x of shape (7, 3))")
    checks.assert_shape(out, (7, 1), name="make_classifier(X) applied to 7 events")
    checks.assert_close(out, rtol=1e-4, atol=1e-6,
                        name="the output of make_classifier(X) on 7 events, with fixed "
                             "weights")


# --------------------------------------------------------------------- 08.train_classifier

def _blobs(n: int, seed: int):
    """Two overlapping 2-D Gaussian blobs: X (n, 2), y (n, 1) float."""
    g = torch.Generator().manual_seed(seed)
    y = (torch.arange(n) % 2).float().unsqueeze(1)                     # (n, 1)
    X = torch.randn(n, 2, generator=g) + (2 * y - 1) * torch.tensor([1.0, 0.5])
    return X, y


def _history(result, epochs: int, with_val: bool, label: str) -> tuple[list, list]:
    if not isinstance(result, dict):
        _fail(f"train_classifier should return a dict {{'loss': [...], 'val_loss': "
              f"[...]}}, got {checks.describe(result)}.", cause="none" if result is None
              else None)
    for key in ("loss", "val_loss"):
        if key not in result:
            _fail(f"the returned history has no key {key!r} (keys: {sorted(result)}); "
                  f"use 'val_loss': [] when there is no validation data.")
    loss, val = list(result["loss"]), list(result["val_loss"])
    if len(loss) != epochs:
        _fail(f"history['loss'] has {len(loss)} entries after {epochs} epochs; expected "
              f"one mean training loss per epoch.")
    if len(val) != (epochs if with_val else 0):
        _fail(f"history['val_loss'] has {len(val)} entries; expected "
              f"{epochs if with_val else 0} ({'one per epoch' if with_val else 'none without validation data'}).")
    checks.assert_close(torch.tensor([len(loss), len(val)]),
                        torch.tensor([epochs, epochs if with_val else 0]),
                        name=f"the lengths of history['loss'] and history['val_loss'] "
                             f"after {label}")
    return ([checks.scalar(v, name=f"history['loss'][{i}]") for i, v in enumerate(loss)],
            [checks.scalar(v, name=f"history['val_loss'][{i}]") for i, v in enumerate(val)])


def _small_model(seed: int) -> nn.Module:
    with checks.seeded(seed):
        return nn.Sequential(nn.Linear(2, 1), nn.Sigmoid())


@checks.exercise(
    "08.train_classifier", title="Training with BCE, Adam and mini-batches",
    hints=["Create the loss (nn.BCELoss()), the optimiser (torch.optim.Adam("
           "model.parameters(), lr=lr)) and a DataLoader(TensorDataset(X_train, y_train), "
           "batch_size=batch_size, shuffle=True) once, before the epoch loop.",
           "Each epoch is one call: history['loss'].append(train_one_epoch(model, loader, "
           "loss_fn, optimizer, X_train.device)); the function above already weights every "
           "batch by its size.",
           "With validation data, append evaluate(model, val_loader, loss_fn, device) after "
           "each epoch, val_loader a DataLoader over X_val, y_val without shuffling: "
           "evaluate switches to eval mode, turns gradients off and switches back."],
    likely_causes={"steps": "Train on mini-batches: one optimizer.step() per batch of "
                            "batch_size events (the last batch of an epoch may be "
                            "smaller), every epoch going once through all events."},
    forbidden=("course.train",))
def _train_classifier(train_classifier):
    X, y = _blobs(300, seed=1)
    X_val, y_val = _blobs(100, seed=2)
    model = _small_model(3)
    sizes = []                    # the batch size of every training forward pass

    def count(module, inputs, output):
        if module.training and torch.is_grad_enabled():
            sizes.append(int(inputs[0].shape[0]))

    hook = model.register_forward_hook(count)
    result = checks.call(train_classifier, model, X, y, X_val, y_val, epochs=4,
                         batch_size=64, lr=0.05)
    hook.remove()
    loss, val = _history(result, 4, with_val=True, label="4 epochs with validation data")
    expected_sizes = sorted([64, 64, 64, 64, 44] * 4)
    if sorted(sizes) != expected_sizes:
        shown = sizes[:12] + (["..."] if len(sizes) > 12 else [])
        _fail(f"4 epochs of 300 events in batches of 64 should make 20 training forward "
              f"passes of sizes 64, 64, 64, 64, 44 per epoch; got {len(sizes)} "
              f"passes of sizes {shown}. (Validation passes do not count when they run "
              f"under model.eval() and torch.no_grad().)", cause="steps")
    checks.assert_close(torch.tensor(sorted(sizes)), torch.tensor(expected_sizes),
                        name="the sizes of the training batches of 4 epochs, sorted")
    if not loss[-1] < loss[0]:
        _fail(f"the training loss did not go down on an easy problem: "
              f"{', '.join(f'{v:.4g}' for v in loss)}.", cause="not_decreasing")
    checks.assert_less(loss[-1] - loss[0], 0.0, cause="not_decreasing",
                       name="history['loss'][-1] - history['loss'][0]")
    with torch.no_grad():
        final = float(nn.BCELoss()(model(X_val), y_val))
    checks.assert_less(abs(val[-1] - final) / final, 1e-4,
                       name="the relative difference between history['val_loss'][-1] and "
                            "the BCE of the trained model on all of X_val")
    # One epoch in one full batch is one Adam step from fixed weights: stored values.
    mine = _small_model(4)
    result = checks.call(train_classifier, mine, X, y, epochs=1, batch_size=300, lr=0.05)
    loss, _ = _history(result, 1, with_val=False, label="1 epoch without validation data")
    checks.assert_close(loss[0], rtol=1e-5,
                        name="history['loss'][0] of one epoch in one batch (the BCE "
                             "before the step)")
    for name, p in (("weight", mine[0].weight), ("bias", mine[0].bias)):
        checks.assert_close(p.detach(), rtol=1e-5, atol=1e-6,
                            name=f"the {name} after one epoch in one batch (one step of "
                                 f"torch.optim.Adam with lr=0.05 on BCELoss)")


# --------------------------------------------------------------------- 08.permutation_importance

@checks.exercise(
    "08.permutation_importance", title="Permutation feature importance",
    hints=["First the AUC of the model on the untouched X: scores = model(X) under "
           "torch.no_grad(), then course.plot.roc_auc(y.reshape(-1), "
           "scores.reshape(-1))[2].",
           "For column j: perm = torch.randperm(N, generator=generator); copy X "
           "(X.clone()) and replace only column j by X[perm, j]. The other columns "
           "keep their rows, so only the link between feature j and the rest is broken.",
           "The importance is base AUC minus the AUC with column j shuffled (positive "
           "when the model relies on it). Draw one new permutation per column, in "
           "column order, and never modify X itself."],
    likely_causes={"values": "Shuffle one column at a time, on a copy of X, drawing "
                             "torch.randperm(N, generator=generator) once per column in "
                             "column order."})
def _permutation_importance(permutation_importance):
    with checks.seeded(81):
        X = torch.randn(400, 3)
        y = ((2 * X[:, 0] - X[:, 2] + 0.7 * torch.randn(400)) > 0).float().unsqueeze(1)
    model = nn.Sequential(nn.Linear(3, 1), nn.Sigmoid())     # uses columns 0 and 2
    with torch.no_grad():
        model[0].weight.copy_(torch.tensor([[2.0, 0.0, -1.0]]))
        model[0].bias.zero_()
    before = X.clone()
    got = checks.call(permutation_importance, model, X, y,
                      torch.Generator().manual_seed(5))
    checks.assert_close(X, before, name="X after permutation_importance (must not change)")
    checks.assert_close(got, atol=1e-6, rtol=1e-5,
                        name="permutation_importance(model, X, y, generator)")


# --------------------------------------------------------------------- 08.pz_residual

@checks.exercise(
    "08.pz_residual", title="Detecting the shuffle leak: pz - pT sinh(eta)",
    hints=["Find each column by its name: j = columns.index('pz1'), then X[:, j] is that "
           "feature for every event. Do not hard-code positions: the column order "
           "depends on the feature set.",
           "For a real particle pz = pT sinh(eta), because eta = arcsinh(pz / pT). "
           "Compute pz - pT * torch.sinh(eta) for particle 1 and for particle 2.",
           "Put the two (N,) residuals side by side with torch.stack([...], dim=1): "
           "shape (N, 2), column 0 for particle 1."],
    likely_causes={"transposed": "Stack along dim=1: one row per event, one column per "
                                 "particle."})
def _pz_residual(pz_residual):
    pT = torch.tensor([[300.0, 200.0], [350.0, 250.0], [100.0, 400.0]], dtype=torch.float64)
    eta = torch.tensor([[0.5, -1.0], [1.2, 0.3], [-0.4, 2.0]], dtype=torch.float64)
    pz = pT * torch.sinh(eta)
    pz[1, 0] += 500.0                       # particle 1 of event 1 is not a real particle
    pz[2, 1] = -300.0                       # nor particle 2 of event 2
    X = torch.zeros(3, len(FEATURES_2018), dtype=torch.float64)
    for k in range(2):
        for name, values in (("pT", pT), ("eta", eta), ("pz", pz)):
            X[:, FEATURES_2018.index(f"{name}{k + 1}")] = values[:, k]
    X[:, FEATURES_2018.index("E1")] = 700.0
    X[:, FEATURES_2018.index("E2")] = 600.0
    got = checks.call(pz_residual, X, FEATURES_2018)
    checks.assert_close(got, rtol=1e-9, atol=1e-9, name="pz_residual(X, FEATURES_2018)")

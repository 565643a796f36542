"""Visible checks of notebook 12: whitening, receptive fields, the matched filter, a 1-D CNN.

Expected values are literals or stored (``checks.EXPECTED``, see
course/checks/expected/ex12.json); the likely-cause detectors compute known wrong
answers with torch. The helpers at the end only build and train a reference detector
for the hidden tests of ``solutions/12_signals``, which observe what the student's code
gives for other inputs: odd lengths, float64, dilations and average pooling, other
template banks, other channel counts, a model handed over in eval mode, real chirps.
"""

from __future__ import annotations

import torch
from torch import nn

from course import checks

CHIRPNET_LAYERS = [nn.Conv1d, nn.ReLU, nn.MaxPool1d, nn.Conv1d, nn.ReLU, nn.MaxPool1d,
                   nn.Conv1d, nn.ReLU, nn.Linear]
CHIRPNET_PARAMETERS = (1 * 8 * 16 + 8) + (8 * 16 * 8 + 16) + (16 * 32 * 8 + 32) + (32 + 1)


def _fail(message: str, cause: str | None = None):
    raise checks.CheckFailed(message, cause=cause)


# --------------------------------------------------------------------- 12.whiten

@checks.exercise(
    "12.whiten", title="Whitening in the frequency domain",
    hints=["Three steps along the last dimension: X = torch.fft.rfft(x), divide X by "
           "the amplitude sqrt(psd * fs / 2) bin by bin, and come back with "
           "torch.fft.irfft(..., n=L).",
           "psd has one value per rfft bin, L // 2 + 1 of them, so it broadcasts over "
           "the leading dimensions of x. Convert it to x's dtype and device first.",
           "Pass n=x.shape[-1] to irfft: without it an odd length L comes back as L - 1."],
    likely_causes={
        "psd_not_amplitude": "Divide by the square root of (fs * psd / 2): the PSD is a "
                             "power, the Fourier coefficients are amplitudes.",
        "missing_factor": "The factor fs / 2 is missing: with it, whitened noise has "
                          "variance 1 per sample (one-sided PSD, E|X_k|^2 = L fs S / 2)."})
def _whiten(whiten):
    with checks.seeded(12):
        x = torch.randn(3, 16)
    psd = torch.linspace(0.5, 4.0, 9, dtype=torch.float64)
    got = checks.call(whiten, x, psd, 8.0)
    checks.assert_tensor(got, name="whiten(x, psd, fs)")
    checks.assert_shape(got, (3, 16), name="whiten(x, psd, fs) for x of shape (3, 16)")
    checks.assert_dtype(got, torch.float32, name="whiten(x, psd, fs) for float32 x")
    spectrum = torch.fft.rfft(x.double())
    for cause, divisor in (("psd_not_amplitude", psd * 4.0), ("missing_factor", psd.sqrt())):
        if checks.matches(got.double(), torch.fft.irfft(spectrum / divisor, n=16),
                          rtol=1e-4, atol=1e-5):
            _fail("whiten(x, psd, fs) divides by the wrong spectrum.", cause=cause)
    checks.assert_close(got, rtol=1e-4, atol=1e-5, name="whiten(x, psd, fs=8.0)")
    flat = checks.call(whiten, x, torch.full((9,), 0.25, dtype=torch.float64), 8.0)
    checks.assert_close(flat, x, rtol=1e-4, atol=1e-5,
                        name="whiten(x, psd, fs) for a flat psd = 2 / fs (already white)")


# --------------------------------------------------------------------- 12.receptive_field

def _as_pair(result, label: str) -> tuple[int, int]:
    if not isinstance(result, tuple) or len(result) != 2:
        _fail(f"receptive_field should return a tuple (size, jump), got "
              f"{checks.describe(result)} for {label}.", cause="none" if result is None
              else None)
    for value, what in zip(result, ("size", "jump")):
        if type(value) is not int:
            _fail(f"the {what} should be a Python int, got {checks.describe(value)} for "
                  f"{label}. (A module's kernel_size may be a tuple such as (5,): take "
                  f"its element.)", cause="tuple_attribute")
    return result


@checks.exercise(
    "12.receptive_field", title="The receptive field in 1-D, layer by layer",
    hints=["Start with size 1 and jump 1 (one input sample, neighbouring outputs one "
           "sample apart). Walk through the layers in order and skip those without a "
           "kernel (ReLU, Dropout, ...).",
           "A layer with kernel k, dilation d and stride s widens the view by "
           "(k - 1) * d * jump input samples, then multiplies the jump by s.",
           "nn.Conv1d stores kernel_size, stride and dilation as tuples like (5,); "
           "nn.MaxPool1d stores ints (and its stride defaults to its kernel size); "
           "nn.AvgPool1d has tuples and no dilation. Read the first element of a tuple."],
    likely_causes={
        "no_jump": "Every layer's (k - 1) * d must be multiplied by the jump of the layers "
                   "before it: after a stride-2 layer one step costs 2 input samples.",
        "tuple_attribute": "Return two Python ints; kernel_size, stride and dilation of "
                           "nn.Conv1d are tuples of one element."})
def _receptive_field(receptive_field):
    layers = nn.Sequential(nn.Conv1d(1, 4, 5), nn.ReLU(), nn.MaxPool1d(2), nn.Conv1d(4, 4, 3))
    got = _as_pair(checks.call(receptive_field, layers),
                   "Conv1d(k=5), ReLU, MaxPool1d(2), Conv1d(k=3)")
    if got == (8, 2):
        _fail("receptive_field gives (8, 2) for Conv1d(k=5), ReLU, MaxPool1d(2), "
              "Conv1d(k=3); the last convolution sees 3 pooled samples, which are 2 input "
              "samples apart: 6 + (3 - 1) * 2 = 10.", cause="no_jump")
    checks.assert_close(torch.tensor(got), torch.tensor([10, 2]),
                        name="receptive_field(Conv1d(k=5), ReLU, MaxPool1d(2), Conv1d(k=3)) "
                             "as (size, jump)")
    strided = [nn.Conv1d(1, 2, 7, stride=3), nn.Conv1d(2, 2, 3, stride=2)]
    got = _as_pair(checks.call(receptive_field, strided),
                   "a list [Conv1d(k=7, stride=3), Conv1d(k=3, stride=2)]")
    checks.assert_close(torch.tensor(got), torch.tensor([13, 6]),
                        name="receptive_field([Conv1d(k=7, stride=3), Conv1d(k=3, "
                             "stride=2)]) as (size, jump)")


# --------------------------------------------------------------------- 12.matched_filter

def correlate(xw, templates, conjugate=True):
    """c[n, t, p, lag] = sum_m xw[n, (m + lag) % L] templates[t, p, m] (for the causes);
    with ``conjugate=False`` the convolution, the template reversed in time."""
    X = torch.fft.rfft(xw)[:, None, None, :]
    H = torch.fft.rfft(templates)[None]
    return torch.fft.irfft(X * (H.conj() if conjugate else H), n=xw.shape[-1])


@checks.exercise(
    "12.matched_filter", title="A matched filter with a template bank",
    hints=["Correlate by FFT: torch.fft.irfft(torch.fft.rfft(x) * torch.fft.rfft(h)."
           "conj(), n=L)[lag] is sum_m x[(m + lag) % L] h[m], every lag at once.",
           "Broadcast instead of looping: the data as (N, 1, 1, F) and the templates as "
           "(1, T, 2, F) give all correlations (N, T, 2, L) in one product.",
           "Combine the two phases as sqrt(c0^2 + c1^2) (the phase of the wave is "
           "unknown), then take the maximum over templates and lags: amax(dim=(1, 2))."],
    likely_causes={
        "convolution": "Without .conj() the product is a convolution (the template time-"
                       "reversed), not a correlation.",
        "one_phase": "Use both phases: sqrt(c0^2 + c1^2). One phase alone misses a wave "
                     "whose phase differs by 90 degrees.",
        "no_abs": "A correlation can be large and negative (a wave of opposite sign); "
                  "square the two phases before taking the maximum."})
def _matched_filter(matched_filter):
    with checks.seeded(1212):
        xw = torch.randn(3, 32)
        templates = torch.randn(2, 2, 32)
    templates = templates / templates.norm(dim=-1, keepdim=True)
    xw[1] += 6.0 * torch.roll(templates[1, 0], 5)                 # a planted template
    got = checks.call(matched_filter, xw, templates)
    checks.assert_tensor(got, name="matched_filter(xw, templates)")
    checks.assert_shape(got, (3,), name="matched_filter(xw, templates) for 3 segments")
    wrong = {"convolution": correlate(xw, templates, conjugate=False).pow(2).sum(2).sqrt(),
             "one_phase": correlate(xw, templates)[:, :, 0].abs(),
             "no_abs": correlate(xw, templates).sum(2)}
    for cause, values in wrong.items():
        if checks.matches(got, values.flatten(1).amax(dim=1), rtol=1e-4, atol=1e-5):
            _fail("matched_filter gives the maximum of the wrong statistic.", cause=cause)
    checks.assert_close(got, rtol=1e-4, atol=1e-5,
                        name="matched_filter(xw, templates), 3 segments, 2 templates")
    if not float(got[1]) > 5.0:
        _fail(f"segment 1 holds template 1 (phase 0) times 6, shifted by 5 samples, so its "
              f"statistic should be at least 6 minus the noise; got {float(got[1]):.3g}.")


# --------------------------------------------------------------------- 12.ChirpNet

def set_weights(model: nn.Module, seed: int) -> None:
    """Fixed weights, parameter by parameter in the order of their names."""
    with torch.no_grad(), checks.seeded(seed):
        for _, p in sorted(model.named_parameters()):
            p.copy_(torch.randn(p.shape) / max(p[0].numel(), 1) ** 0.5)


@checks.exercise(
    "12.ChirpNet", title="A 1-D CNN for chirps",
    hints=["Build self.features as one nn.Sequential of the eight layers in the order "
           "given, and self.fc = nn.Linear(c3, 1).",
           "forward: add the channel dimension with x.unsqueeze(1) (N, L) -> (N, 1, L), "
           "run self.features, take the maximum over time with .amax(dim=-1) -> (N, c3).",
           "Finish with self.fc(...) -> (N, 1) and drop the last dimension with "
           ".squeeze(1) (not .squeeze(), which also drops N when N = 1)."],
    likely_causes={
        "structure": "features is Conv1d(1, c1, 16, stride=2), ReLU, MaxPool1d(4), "
                     "Conv1d(c1, c2, 8), ReLU, MaxPool1d(2), Conv1d(c2, c3, 8), ReLU; then "
                     "fc = Linear(c3, 1).",
        "flatten": "Take the global maximum over time instead of flattening: the network "
                   "must accept any length L, and a chirp may arrive at any time."})
def _chirpnet(ChirpNet):
    model = checks.call(ChirpNet, name="ChirpNet")
    if not isinstance(model, nn.Module):
        _fail(f"ChirpNet() should give an nn.Module, got {checks.describe(model)}.")
    set_weights(model, seed=2012)
    checks.assert_module_structure(model, CHIRPNET_LAYERS, name="the layers of ChirpNet()")
    checks.assert_param_count(model, CHIRPNET_PARAMETERS, name="the parameters of ChirpNet()")
    for attr, kind in (("features", nn.Sequential), ("fc", nn.Linear)):
        if not isinstance(getattr(model, attr, None), kind):
            _fail(f"model.{attr} should be an nn.{kind.__name__}, got "
                  f"{checks.describe(getattr(model, attr, None))}.", cause="structure")
    with checks.seeded(2013):
        x = torch.randn(5, 1024)
        short = torch.randn(3, 300)
    with torch.no_grad():
        out = checks.call(model, x, name="ChirpNet()")
        checks.assert_shape(out, (5,), name="ChirpNet()(x) for x of shape (5, 1024)")
        try:
            out_short = model(short)
        except Exception as error:                                     # noqa: BLE001
            _fail(f"ChirpNet() fails on segments of 300 samples: {type(error).__name__}: "
                  f"{error}", cause="flatten")
        checks.assert_shape(out_short, (3,), name="ChirpNet()(x) for x of shape (3, 300)")
    checks.assert_close(out, rtol=1e-4, atol=1e-5,
                        name="ChirpNet()(x) with fixed weights")


# --------------------------------------------------------------------- 12.detection_scores

class _Scaled(nn.Module):
    """x (B, F) -> (B,) logits: a fixed linear map, then dropout (active in train mode)."""

    def __init__(self, features: int, seed: int):
        super().__init__()
        with checks.seeded(seed):
            self.linear = nn.Linear(features, 1)
        self.dropout = nn.Dropout(0.5)

    def forward(self, x):
        return self.dropout(self.linear(x)).squeeze(1)


def scores_problem(n: int, batch: int, seed: int, features: int = 6):
    """A model with dropout and a list of (x, y) batches, the last one smaller."""
    with checks.seeded(seed):
        x = torch.randn(n, features)
        y = (torch.rand(n) < 0.5).float()
    batches = [(x[i:i + batch], y[i:i + batch]) for i in range(0, n, batch)]
    return _Scaled(features, seed + 1), batches, x, y


@checks.exercise(
    "12.detection_scores", title="Scores for a ROC curve",
    hints=["Remember model.training, call model.eval() (dropout off), and run the loop "
           "under torch.no_grad().",
           "Per batch: logits = model(x.to(device)); keep torch.sigmoid(logits).cpu() and "
           "y.cpu(). After the loop torch.cat each list into one (N,) tensor.",
           "Put the model back with model.train(was_training) before returning."],
    likely_causes={
        "logits": "Return probabilities: torch.sigmoid of the logits.",
        "dropout": "Dropout was active (the scores change from call to call): call "
                   "model.eval() before predicting.",
        "mode": "Restore the mode the model had: model.train(was_training)."})
def _detection_scores(detection_scores):
    model, batches, x, y = scores_problem(10, 4, seed=1200)
    model.train()
    result = checks.call(detection_scores, model, batches, torch.device("cpu"))
    if not isinstance(result, tuple) or len(result) != 2:
        _fail(f"detection_scores should return a tuple (scores, labels), got "
              f"{checks.describe(result)}.", cause="none" if result is None else None)
    scores, labels = result
    checks.assert_shape(scores, (10,), name="scores for 10 segments in batches of 4, 4, 2")
    checks.assert_close(labels, y, name="labels, in the order of the batches")
    if not model.training:
        _fail("the model was in training mode before detection_scores and is in eval mode "
              "after it.", cause="mode")
    with torch.no_grad():
        logits = model.linear(x).squeeze(1)
    if checks.matches(scores, logits, rtol=1e-4, atol=1e-5):
        _fail("the scores are the logits.", cause="logits")
    if scores.requires_grad:
        _fail("the scores carry a graph (requires_grad=True): predict under "
              "torch.no_grad().")
    again = checks.call(detection_scores, model, batches, torch.device("cpu"))
    if isinstance(again, tuple) and not checks.matches(again[0], scores, rtol=1e-6, atol=1e-7):
        _fail("two calls of detection_scores on the same model and batches give different "
              "scores.", cause="dropout")
    checks.assert_close(scores, rtol=1e-4, atol=1e-6,
                        name="scores of a linear model with dropout, 10 segments")


# --------------------------------------------------------------------- hidden-test helpers

def reference_detector(seed: int) -> nn.Module:
    """ChirpNet as an nn.Sequential, for the hidden tests: (N, L) -> (N,) logits."""
    with checks.seeded(seed):
        return nn.Sequential(
            nn.Unflatten(1, (1, -1)),
            nn.Conv1d(1, 8, 16, stride=2), nn.ReLU(), nn.MaxPool1d(4),
            nn.Conv1d(8, 16, 8), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(16, 32, 8), nn.ReLU(),
            nn.AdaptiveMaxPool1d(1), nn.Flatten(), nn.Linear(32, 1), nn.Flatten(0))


def train_reference(model, x, y, *, epochs: int, seed: int, device, lr=3e-3, batch_size=64):
    """A few epochs of Adam on BCEWithLogitsLoss (the hidden tests' fixed recipe)."""
    model.to(device).train()
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = nn.BCEWithLogitsLoss()
    generator = torch.Generator().manual_seed(seed)
    for _ in range(epochs):
        for index in torch.randperm(len(x), generator=generator).split(batch_size):
            xb, yb = x[index].to(device), y[index].to(device)
            optimizer.zero_grad()
            loss_fn(model(xb), yb).backward()
            optimizer.step()
    return model

"""The chirp generator: seeds, shapes, the SNR definition, the noise PSD, glitches, bad input."""

import math

import numpy as np
import pytest
import torch
from scipy import signal as scipy_signal

from course.data import signals

FS, L = 512.0, 1024


def whiten(x, psd, fs):
    return torch.fft.irfft(torch.fft.rfft(x.double()) / torch.sqrt(psd * fs / 2),
                           n=x.shape[-1])


@pytest.fixture(scope="module")
def data():
    return signals.generate(600, 400, snr=(6.0, 12.0), glitch_rate=0.25, seed=3)


def test_same_seed_same_data_other_seed_other_data():
    a = signals.generate(20, 10, seed=1)
    b = signals.generate(20, 10, seed=1)
    c = signals.generate(20, 10, seed=2)
    for field in ("x", "y", "clean", "snr", "mass", "merger_time", "phase", "glitch"):
        assert torch.equal(torch.nan_to_num(getattr(a, field)),
                           torch.nan_to_num(getattr(b, field))), field
    assert not torch.equal(a.x, c.x)


def test_shapes_dtypes_and_labels(data):
    n = 1000
    assert data.x.shape == (n, L) and data.x.dtype == torch.float32
    assert data.y.shape == (n,) and data.y.dtype == torch.float32
    assert data.clean.shape == (n, L) and data.clean.dtype == torch.float32
    assert data.psd.shape == (L // 2 + 1,) and data.psd.dtype == torch.float64
    assert data.fs == FS and len(data) == n and data.length == L
    assert data.frequencies.shape == data.psd.shape and float(data.frequencies[-1]) == FS / 2
    assert data.times.shape == (L,)
    x, y = data.tensors()
    assert x is data.x and y is data.y
    assert int(data.y.sum()) == 600 and set(data.y.tolist()) == {0.0, 1.0}
    signal = data.y == 1
    assert torch.all(data.clean[~signal] == 0) and torch.all(data.clean[signal].abs().amax(1) > 0)
    assert torch.all(data.snr[~signal] == 0) and torch.all(torch.isnan(data.mass[~signal]))
    assert data.snr[signal].min() >= 6.0 and data.snr[signal].max() <= 12.0
    assert data.mass[signal].min() >= 10.0 and data.mass[signal].max() <= 30.0
    assert data.merger_time[signal].min() >= 0.5 * L / FS
    assert data.merger_time[signal].max() <= 0.9 * L / FS
    assert "600 with a chirp" in repr(data)


def test_unshuffled_puts_chirps_first():
    d = signals.generate(5, 3, seed=0, shuffle=False)
    assert d.y.tolist() == [1.0] * 5 + [0.0] * 3


def test_injected_chirps_have_the_requested_optimal_snr(data):
    signal = data.y == 1
    rho = signals.optimal_snr(data.clean[signal], data.psd, data.fs)
    np.testing.assert_allclose(rho, data.snr[signal].numpy(), rtol=1e-4)


def test_a_matched_filter_with_the_exact_template_measures_the_snr():
    """<whitened data, whitened h> / ||whitened h|| has mean rho and std 1 (the definition)."""
    d = signals.generate(2000, 0, snr=8.0, seed=4)
    template = whiten(d.clean, d.psd, d.fs)
    z = (whiten(d.x, d.psd, d.fs) * template).sum(1) / template.norm(dim=1)
    assert abs(float(z.mean()) - 8.0) < 0.1            # 4 standard errors
    assert abs(float(z.std()) - 1.0) < 0.05


def test_whitened_noise_is_white_with_unit_variance():
    noise = signals.noise(500, seed=5)
    white = whiten(noise, signals.noise_psd(), FS)
    assert abs(float(white.var()) - 1.0) < 0.01
    power = torch.fft.rfft(white).abs().pow(2).mean(0)[1:-1] / L     # flat, 1 per bin
    assert abs(float(power.mean()) - 1.0) < 0.02 and float(power.std()) < 0.1


def test_noise_matches_its_psd_by_welch():
    noise = signals.noise(400, seed=6).double().numpy()
    f, estimate = scipy_signal.welch(noise, fs=FS, nperseg=256, axis=-1)
    estimate = estimate.mean(axis=0)
    model = signals.noise_psd(256, FS).numpy()
    band = (f >= 30) & (f <= 250)                      # above the leakage of the wall
    ratio = estimate[band] / model[band]
    assert np.all(np.abs(ratio - 1) < 0.1), ratio
    assert abs(np.median(ratio) - 1) < 0.02
    # the wall: 40 Hz / 20 Hz to the 8th power, 256 times the floor at 20 Hz
    psd = signals.noise_psd(L, FS).numpy()
    assert psd[40] / psd[200] > 100                     # bins at 20 Hz and 100 Hz


def test_chirp_frequency_and_amplitude_rise_towards_the_merger():
    wave = signals.chirp(15.0, merger_time=1.6)[0].double()
    t = np.arange(L) / FS
    crossings = t[np.flatnonzero(np.diff(np.sign(wave.numpy())) != 0)]
    early = crossings[(crossings > 0.4) & (crossings < 0.8)]
    late = crossings[(crossings > 1.4) & (crossings < 1.58)]
    assert np.diff(late).mean() < np.diff(early).mean() / 2      # frequency rises
    assert wave[int(1.55 * FS):int(1.6 * FS)].abs().max() > 2 * wave[200:400].abs().max()
    assert float(wave[int(1.75 * FS):].abs().max()) < 1e-3        # rung down after merging
    # a heavier system merges at a lower frequency
    assert signals.merger_frequency(30.0) < signals.merger_frequency(10.0)


def test_chirp_broadcasts_its_parameters():
    waves = signals.chirp([12.0, 20.0, 28.0], merger_time=1.5, phase=[0.0, 1.0, 2.0])
    assert waves.shape == (3, L) and waves.dtype == torch.float32
    quarter = signals.chirp(20.0, 1.5, math.pi / 2)
    assert not torch.allclose(quarter, signals.chirp(20.0, 1.5, 0.0))


def test_glitches_hit_both_classes_at_the_requested_rate():
    d = signals.generate(2000, 2000, glitch_rate=0.3, seed=8)
    assert abs(float(d.glitch.float().mean()) - 0.3) < 0.03
    for label in (0, 1):
        assert abs(float(d.glitch[d.y == label].float().mean()) - 0.3) < 0.05
    # a glitch is loud: the whitened segment has a much larger peak
    white = whiten(d.x, d.psd, d.fs).abs().amax(1)
    assert float(white[d.glitch].median()) > 2 * float(white[~d.glitch].median())
    bursts = signals.sine_gaussian(3, seed=1)
    assert bursts.shape == (3, L) and bursts.abs().max() <= 1.0


@pytest.mark.parametrize("call, error, words", [
    (lambda: signals.generate(-1, 2), ValueError, "n_signal must be >= 0"),
    (lambda: signals.generate(0, 0), ValueError, "both 0"),
    (lambda: signals.generate(2.5, 2), TypeError, "n_signal must be an integer"),
    (lambda: signals.generate(2, 2, snr=(10.0, 5.0)), ValueError, "low <= high"),
    (lambda: signals.generate(2, 2, snr=(1, 2, 3)), ValueError, "(low, high) pair"),
    (lambda: signals.generate(2, 2, snr=-1.0), ValueError, "snr must be >= 0"),
    (lambda: signals.generate(2, 2, glitch_rate=1.5), ValueError, "glitch_rate must be <= 1"),
    (lambda: signals.generate(2, 2, mass=(2.0, 10.0)), ValueError, "too close to the Nyquist"),
    (lambda: signals.generate(2, 2, merger=(0.0, 0.5)), ValueError, "merger[0] must be >= 0.1"),
    (lambda: signals.generate(2, 2, fs=100.0), ValueError, "fs must be above"),
    (lambda: signals.generate(2, 2, length=10), ValueError, "length must be >= 64"),
    (lambda: signals.generate(2, 2, seed=-3), ValueError, "seed must be >= 0"),
    (lambda: signals.chirp(20.0, merger_time=5.0), ValueError, "merger_time must lie inside"),
    (lambda: signals.chirp([10.0, 20.0], [1.0, 1.2, 1.4]), ValueError, "one common length"),
    (lambda: signals.chirp(-5.0, 1.0), ValueError, "mass must be > 0"),
    (lambda: signals.noise(0), ValueError, "n must be >= 1"),
    (lambda: signals.optimal_snr(torch.zeros(3, 64), torch.ones(10), FS), ValueError,
     "psd must have shape"),
])
def test_bad_arguments_are_refused_with_clear_messages(call, error, words):
    with pytest.raises(error) as failure:
        call()
    assert words in str(failure.value)

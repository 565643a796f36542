"""Gravitational-wave-like chirps in coloured detector noise (notebook 12).

A toy in the spirit of the g2net challenge: short strain segments, some of which hold
the "chirp" of two compact objects spiralling into each other, all of them buried in
noise whose spectrum is far from flat. Everything is numpy, vectorised and seeded; the
results are torch tensors.

Conventions
    A segment has ``length`` samples at ``fs`` samples per second (duration
    T = length / fs). Frequencies are those of ``numpy.fft.rfftfreq(length, 1 / fs)``:
    ``length // 2 + 1`` bins, df = fs / length, from 0 to the Nyquist frequency fs / 2.
    Fourier transforms are numpy's/torch's unnormalised ``rfft``: X_k = sum_n x_n
    exp(-2 pi i k n / length).

Noise
    Stationary Gaussian noise with the *one-sided* power spectral density (PSD)

        S(f) = S0 * [ (f_wall / max(f, f_low))^8 + 1 + (f / f_high)^2 ],

    a steep low-frequency wall (ground motion, below ``f_wall`` = 40 Hz), a white floor
    and a gentle rise at high frequency (photon shot noise): a "bucket" like a real
    interferometer's. S0 = 2 / fs makes the white floor alone have variance 1 per
    sample. One-sided means: the variance of the noise is the integral of S over
    0 <= f <= fs / 2, and E|X_k|^2 = length * fs * S(f_k) / 2 for every bin. The noise
    is drawn in the frequency domain with exactly that variance per bin, so it is
    periodic over the segment (no edge effects when filtering with FFTs).

Chirp (leading-order, "Newtonian" inspiral)
    ``mass`` is the chirp mass in solar masses. With tau the time left before the
    merger, the frequency of the wave is

        f(tau) = (1 / pi) (5 / (256 tau))^(3/8) (G M / c^3)^(-5/8),

    G M_sun / c^3 = 4.925 microseconds, and the amplitude grows as f^(2/3): frequency
    and amplitude rise towards the merger, faster for lighter systems (a heavier one
    spends less time in the band and merges at a lower frequency). The inspiral stops
    at the merger frequency f_merge = 1915 Hz / mass (the innermost stable orbit of
    two equal masses), followed by a short ringdown at f_merge decaying in 1.5 cycles.
    ``merger_time`` (seconds) is when f_merge is reached; ``phase`` is the phase of the
    wave there. The first 10 % of the segment is faded in with a half-Hann ramp.

Signal-to-noise ratio
    The *optimal* (matched-filter) SNR of a waveform h against the noise PSD S,

        rho^2 = 4 * integral_0^{fs/2} |h~(f)|^2 / S(f) df
              = (2 / (length * fs)) * sum_k w_k |H_k|^2 / S(f_k),

    with h~(f) = H_k / fs and w_k = 2 except w = 1 at 0 Hz and at Nyquist (the discrete
    sum is exact for periodic segments). It is the SNR a matched filter with the exact
    template reaches on average: whiten data and template (divide by sqrt(fs S / 2) in
    the frequency domain), then the whitened noise has variance 1 per sample and
    <whitened data, whitened h> / ||whitened h|| is Gaussian with mean rho and
    standard deviation 1. ``generate(..., snr=8)`` scales every chirp to rho = 8.

Glitches
    With ``glitch_rate`` > 0 a fraction of all segments (signal or not, independently
    of the label) also get a sine-Gaussian burst (centre frequency 40-200 Hz, quality
    factor 4-12, optimal SNR drawn from ``glitch_snr``): the loud, short, non-Gaussian
    noise transients real detectors have.

    data = generate(2000, 2000, snr=(6, 12), seed=0)
    x, y = data.tensors()          # (N, L) float32 strain, (N,) float32 labels 0/1
    data.psd, data.fs              # (L // 2 + 1,) float64 tensor, samples per second
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from course import validate

__all__ = ["MSUN_SECONDS", "Signals", "chirp", "frequencies", "generate", "merger_frequency",
           "noise", "noise_psd", "optimal_snr", "sine_gaussian"]

MSUN_SECONDS = 4.925491e-6      # G M_sun / c^3 in seconds
F_WALL, F_LOW, F_HIGH = 40.0, 10.0, 150.0   # Hz: the wall, where it stops rising, shot noise
MERGER_HZ_MSUN = 1915.0         # f_merge * chirp mass (equal masses, innermost stable orbit)
RINGDOWN_CYCLES = 1.5           # e-folding time of the ringdown, in cycles of f_merge
RAMP = 0.1                      # fraction of the segment faded in


# ------------------------------------------------------------------- arguments

def _setup(length, fs) -> tuple[int, float]:
    length = validate.integer("length", length, minimum=64)
    fs = validate.positive("fs", fs)
    if fs / 2 <= 2 * F_WALL:
        raise ValueError(f"fs must be above {4 * F_WALL:g} Hz so that the band above the "
                         f"{F_WALL:g} Hz wall is visible, got {fs}")
    return length, fs


def _range(name: str, value, *, minimum: float, maximum: float | None = None):
    """A number or a (low, high) pair, as the pair (low, high)."""
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(f"{name} must be a number or a (low, high) pair, got {value!r}")
        low = validate.number(f"{name}[0]", value[0], minimum=minimum, maximum=maximum)
        high = validate.number(f"{name}[1]", value[1], minimum=minimum, maximum=maximum)
        if high < low:
            raise ValueError(f"{name} must be (low, high) with low <= high, got {value!r}")
        return low, high
    value = validate.number(name, value, minimum=minimum, maximum=maximum)
    return value, value


def _check_masses(masses: np.ndarray, fs: float) -> None:
    highest = merger_frequency(masses.min())
    if highest > 0.45 * fs:
        raise ValueError(f"a chirp mass of {masses.min():g} merges at {highest:.0f} Hz, too "
                         f"close to the Nyquist frequency {fs / 2:g} Hz; use masses of at "
                         f"least {MERGER_HZ_MSUN / (0.45 * fs):.1f} or a higher fs")


def _as_array(name: str, value, n: int | None = None) -> np.ndarray:
    array = np.asarray(value, dtype=np.float64)
    if array.ndim > 1:
        raise ValueError(f"{name} must be a number or 1-D, got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return array.reshape(-1) if n is None else np.broadcast_to(array.reshape(-1), (n,))


# ------------------------------------------------------------------- spectrum

def frequencies(length: int, fs: float) -> np.ndarray:
    """The ``length // 2 + 1`` frequencies (Hz) of an rfft of ``length`` samples."""
    length, fs = _setup(length, fs)
    return np.fft.rfftfreq(length, 1.0 / fs)


def _psd(f: np.ndarray, fs: float) -> np.ndarray:
    wall = (F_WALL / np.maximum(f, F_LOW)) ** 8
    return (2.0 / fs) * (wall + 1.0 + (f / F_HIGH) ** 2)


def noise_psd(length=1024, fs=512.0):
    """The one-sided noise PSD at the rfft frequencies: a float64 tensor (length//2+1,)."""
    import torch

    length, fs = _setup(length, fs)
    return torch.from_numpy(_psd(np.fft.rfftfreq(length, 1.0 / fs), fs))


def optimal_snr(h, psd, fs):
    """rho = sqrt(4 int |h~(f)|^2 / S(f) df) of each row of ``h`` (..., L) against the
    one-sided ``psd`` (L // 2 + 1,); numpy or torch in, float64 numpy out."""
    h = np.asarray(h.detach().cpu() if hasattr(h, "detach") else h, dtype=np.float64)
    psd = np.asarray(psd.detach().cpu() if hasattr(psd, "detach") else psd, dtype=np.float64)
    fs = validate.positive("fs", fs)
    if h.ndim == 0 or psd.shape != (h.shape[-1] // 2 + 1,):
        raise ValueError(f"psd must have shape (L // 2 + 1,) = ({h.shape[-1] // 2 + 1},) "
                         f"for signals of length L = {h.shape[-1]}, got {psd.shape}")
    return np.sqrt(_snr2(h, psd, fs))


def _weights(length: int) -> np.ndarray:
    w = np.full(length // 2 + 1, 2.0)
    w[0] = 1.0
    if length % 2 == 0:
        w[-1] = 1.0
    return w


def _snr2(h: np.ndarray, psd: np.ndarray, fs: float) -> np.ndarray:
    length = h.shape[-1]
    power = np.abs(np.fft.rfft(h, axis=-1)) ** 2
    return 2.0 / (length * fs) * np.sum(_weights(length) * power / psd, axis=-1)


# ------------------------------------------------------------------- waveforms

def merger_frequency(mass):
    """f_merge in Hz for a chirp mass (solar masses): 1915 Hz / mass."""
    return MERGER_HZ_MSUN / np.asarray(mass, dtype=np.float64)


def _chirp(mass, merger_time, phase, length, fs) -> np.ndarray:
    """Chirps (n, length), float64, peak amplitude about 1."""
    t = np.arange(length) / fs                                         # (L,)
    m, tc, phi = (a[:, None] for a in (mass, merger_time, phase))     # (n, 1)
    k = (5.0 / 256.0) ** 0.375 / math.pi * (m * MSUN_SECONDS) ** -0.625
    f_merge = MERGER_HZ_MSUN / m
    tau_merge = (k / f_merge) ** (8.0 / 3.0)            # f(tau_merge) = f_merge
    tau = np.maximum(tc - t, 0.0) + tau_merge            # time left, >= tau_merge
    inspiral_phase = phi - 3.2 * math.pi * k * (tau ** 0.625 - tau_merge ** 0.625)
    inspiral = (k * tau ** -0.375 / f_merge) ** (2.0 / 3.0) * np.cos(inspiral_phase)
    after = np.maximum(t - tc, 0.0)
    ringdown = np.exp(-after * f_merge / RINGDOWN_CYCLES) * np.cos(
        phi + 2 * math.pi * f_merge * after)
    wave = np.where(t < tc, inspiral, ringdown)
    ramp_n = max(int(RAMP * length), 1)
    ramp = np.ones(length)
    ramp[:ramp_n] = 0.5 - 0.5 * np.cos(np.pi * np.arange(ramp_n) / ramp_n)
    return wave * ramp


def chirp(mass, merger_time, phase=0.0, *, length=1024, fs=512.0):
    """Chirp waveforms, a float32 tensor (n, length) with peak amplitude about 1.

    ``mass`` (chirp mass in solar masses), ``merger_time`` (seconds from the start of
    the segment) and ``phase`` (radians, at the merger) are numbers or 1-D sequences
    of one common length n (numbers are repeated).
    """
    import torch

    length, fs = _setup(length, fs)
    arrays = [_as_array(name, v) for name, v in
              (("mass", mass), ("merger_time", merger_time), ("phase", phase))]
    n = max(a.size for a in arrays)
    if any(a.size not in (1, n) for a in arrays):
        raise ValueError(f"mass, merger_time and phase must be numbers or have one common "
                         f"length; got lengths {[a.size for a in arrays]}")
    masses, times, phases = (np.broadcast_to(a, (n,)) for a in arrays)
    if np.any(masses <= 0):
        raise ValueError(f"mass must be > 0 (solar masses), got {mass!r}")
    _check_masses(masses, fs)
    if np.any(times < 0) or np.any(times > length / fs):
        raise ValueError(f"merger_time must lie inside the segment, 0 to {length / fs:g} s; "
                         f"got {merger_time!r}")
    return torch.from_numpy(_chirp(masses, times, phases, length, fs).astype(np.float32))


def _sine_gaussian(rng, n: int, length: int, fs: float) -> np.ndarray:
    t = np.arange(length) / fs
    f0 = rng.uniform(40.0, 200.0, (n, 1))
    q = rng.uniform(4.0, 12.0, (n, 1))
    t0 = rng.uniform(0.1, 0.9, (n, 1)) * length / fs
    width = q / (2 * math.pi * f0)
    phase = rng.uniform(0, 2 * math.pi, (n, 1))
    return np.exp(-0.5 * ((t - t0) / width) ** 2) * np.cos(2 * math.pi * f0 * (t - t0) + phase)


def sine_gaussian(n=1, *, length=1024, fs=512.0, seed=None):
    """``n`` random sine-Gaussian bursts (the glitches), float32 tensor (n, length)."""
    import torch

    n = validate.positive_int("n", n)
    length, fs = _setup(length, fs)
    rng = np.random.default_rng(None if seed is None else validate.integer("seed", seed,
                                                                           minimum=0))
    return torch.from_numpy(_sine_gaussian(rng, n, length, fs).astype(np.float32))


def _noise(rng, n: int, length: int, fs: float) -> np.ndarray:
    psd = _psd(np.fft.rfftfreq(length, 1.0 / fs), fs)
    scale = np.sqrt(length * fs * psd / (2.0 * _weights(length)))      # per real component
    spectrum = rng.standard_normal((n, psd.size)) + 1j * rng.standard_normal((n, psd.size))
    spectrum[:, 0] = spectrum[:, 0].real                                # 0 Hz is real
    if length % 2 == 0:
        spectrum[:, -1] = spectrum[:, -1].real                          # so is Nyquist
    return np.fft.irfft(spectrum * scale, n=length, axis=-1)


def noise(n=1, *, length=1024, fs=512.0, seed=None):
    """``n`` segments of coloured Gaussian noise with :func:`noise_psd`, float32 (n, L)."""
    import torch

    n = validate.positive_int("n", n)
    length, fs = _setup(length, fs)
    rng = np.random.default_rng(None if seed is None else validate.integer("seed", seed,
                                                                           minimum=0))
    return torch.from_numpy(_noise(rng, n, length, fs).astype(np.float32))


# ------------------------------------------------------------------- data set

@dataclass(frozen=True, repr=False)
class Signals:
    """Strain segments and what was injected into them (torch tensors, N rows).

    x: (N, L) float32 strain (noise + chirp + glitch); y: (N,) float32, 1 = chirp;
    clean: (N, L) float32 chirp alone (zeros without one); snr: (N,) float64 optimal
    SNR of the chirp (0 without); mass, merger_time, phase: (N,) float64 (NaN without a
    chirp); glitch: (N,) bool; psd: (L // 2 + 1,) float64 one-sided noise PSD;
    fs: samples per second.
    """
    x: object
    y: object
    clean: object
    snr: object
    mass: object
    merger_time: object
    phase: object
    glitch: object
    psd: object
    fs: float

    def __len__(self) -> int:
        return int(self.x.shape[0])

    def __repr__(self) -> str:
        n_signal = int(self.y.sum())
        return (f"Signals({len(self)} segments of {self.x.shape[1]} samples at "
                f"{self.fs:g} Hz: {n_signal} with a chirp, {len(self) - n_signal} noise "
                f"only, {int(self.glitch.sum())} with a glitch)")

    @property
    def length(self) -> int:
        return int(self.x.shape[1])

    @property
    def frequencies(self):
        """The rfft frequencies (Hz) of the PSD, a float64 tensor (L // 2 + 1,)."""
        import torch

        return torch.from_numpy(np.fft.rfftfreq(self.length, 1.0 / self.fs))

    @property
    def times(self):
        """The sample times (s), a float64 tensor (L,)."""
        import torch

        return torch.arange(self.length, dtype=torch.float64) / self.fs

    def tensors(self):
        """(x, y): (N, L) float32 strain and (N,) float32 labels."""
        return self.x, self.y


def generate(n_signal, n_noise, *, snr=(6.0, 12.0), mass=(10.0, 30.0), merger=(0.5, 0.9),
             glitch_rate=0.0, glitch_snr=(10.0, 40.0), length=1024, fs=512.0, seed=None,
             shuffle=True):
    """``n_signal`` segments with a chirp and ``n_noise`` without, as :class:`Signals`.

    Each chirp draws its chirp mass uniformly from ``mass`` (solar masses), its merger
    time uniformly from ``merger`` (fractions of the segment), its phase uniformly in
    [0, 2 pi) and its optimal SNR uniformly from ``snr``; a number instead of a
    (low, high) pair fixes the value. ``glitch_rate`` is the fraction of all segments
    that get a glitch of optimal SNR in ``glitch_snr``. Rows are shuffled unless
    ``shuffle=False`` (then the chirps come first). Same seed, same data.
    """
    import torch

    n_signal = validate.integer("n_signal", n_signal, minimum=0)
    n_noise = validate.integer("n_noise", n_noise, minimum=0)
    if n_signal + n_noise == 0:
        raise ValueError("n_signal and n_noise are both 0; ask for at least one segment")
    length, fs = _setup(length, fs)
    snr_range = _range("snr", snr, minimum=0.0)
    mass_range = _range("mass", mass, minimum=1.0)
    merger_range = _range("merger", merger, minimum=RAMP, maximum=1.0)
    glitch_rate = validate.number("glitch_rate", glitch_rate, minimum=0.0, maximum=1.0)
    glitch_range = _range("glitch_snr", glitch_snr, minimum=0.0)
    _check_masses(np.asarray(mass_range), fs)
    rng = np.random.default_rng(None if seed is None else validate.integer("seed", seed,
                                                                           minimum=0))
    n = n_signal + n_noise
    psd = _psd(np.fft.rfftfreq(length, 1.0 / fs), fs)
    duration = length / fs

    masses = rng.uniform(*mass_range, n_signal)
    times = rng.uniform(*merger_range, n_signal) * duration
    phases = rng.uniform(0.0, 2 * math.pi, n_signal)
    snrs = rng.uniform(*snr_range, n_signal)
    clean = np.zeros((n, length))
    if n_signal:
        waves = _chirp(masses, times, phases, length, fs)
        clean[:n_signal] = waves * (snrs / np.sqrt(_snr2(waves, psd, fs)))[:, None]
    x = _noise(rng, n, length, fs) + clean

    glitch = rng.random(n) < glitch_rate
    if glitch.any():
        bursts = _sine_gaussian(rng, int(glitch.sum()), length, fs)
        loudness = rng.uniform(*glitch_range, bursts.shape[0]) / np.sqrt(_snr2(bursts, psd, fs))
        x[glitch] += bursts * loudness[:, None]

    nan = np.full(n_noise, np.nan)
    columns = {"y": np.r_[np.ones(n_signal), np.zeros(n_noise)],
               "snr": np.r_[snrs, np.zeros(n_noise)], "mass": np.r_[masses, nan],
               "merger_time": np.r_[times, nan], "phase": np.r_[phases, nan]}
    order = rng.permutation(n) if shuffle else np.arange(n)
    as32 = lambda a: torch.from_numpy(np.ascontiguousarray(a[order], dtype=np.float32))
    as64 = lambda a: torch.from_numpy(np.ascontiguousarray(a[order]))
    return Signals(x=as32(x), y=as32(columns["y"]), clean=as32(clean),
                   snr=as64(columns["snr"]), mass=as64(columns["mass"]),
                   merger_time=as64(columns["merger_time"]), phase=as64(columns["phase"]),
                   glitch=torch.from_numpy(glitch[order].copy()), psd=torch.from_numpy(psd),
                   fs=fs)

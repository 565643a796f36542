"""The physics toy: a 750 GeV particle decaying into two massless particles.

From the lecture "Introduction to Deep Learning with NumPy and PyTorch", part 3
(DESY, 2018), section "A 'physical' toy model", and the notebook that came with it.

Signal
    A parent of mass ``M`` (no width) moves along the beam: px = py = 0 and
    |pz| follows exp(-|pz| / 500 GeV) truncated to [50, 6500] GeV, with a random
    sign. In its rest frame it decays isotropically (cos theta* uniform in
    [-1, 1], azimuth uniform) into two massless daughters of energy M/2, which
    are boosted along z: E_1,2 = (E + pz cos theta*) / 2 and (E - pz cos theta*) / 2.
    The detector multiplies each daughter's energy by Gauss(1, energy_resolution)
    and each momentum component by its own Gauss(1, momentum_resolution).
    Selection: both measured energies above ``energy_cut``. Every observable is
    computed from the measured (smeared) quantities: energies from the smeared
    energies, everything else from the smeared momenta, so that
    M^2 = 2 E1 E2 (1 - cos phi) peaks at ``M`` with the width the smearing implies:
    dM/M = energy_resolution / sqrt(2) (7.1% at 10%) from the energies, plus in
    quadrature 1/2 cot(phi/2) dphi from the angle (about 2% at 4%).

    Selection bias: a cut above M/2 (the default 400 GeV > 375 GeV) accepts slow
    parents only when their energies fluctuated up, so the measured peak sits
    about 2.5% above M (median 769 GeV at the defaults). With energy_cut <= 200 GeV
    the median is 748 GeV, the 0.3% below M that the smearing itself gives.

    Daughter order: daughter 1 is the one emitted along (theta*, phi*) in the
    rest frame, daughter 2 the other one. As the decay is isotropic this order is
    already random (1 and 2 are exchangeable: the same marginals, 50% chance that
    daughter 1 is the harder one), so no sorting by energy is done. Sorting would
    make E1 > E2 always and change the marginals the lecture compares.

Background, ``background="mix"`` (default, the lecture's description)
    An independent generation with the same generator and selection; then
    particle 2 of event i is replaced by particle 2 of event pi(i), pi a random
    permutation without fixed points. Both particles passed the cut in their own
    events, so the selection still holds and every single-particle distribution
    (E, pT, eta, azimuth, pz of particle 1 or 2) is exactly the signal's, but the
    pair no longer comes from one decay: the mass peak is gone. The opening angle
    is recomputed from the mixed pair's momenta, and therefore its distribution is
    *not* the signal's: in the signal, phi is tied to E1 E2 by the mass
    (1 - cos phi = M^2 / (2 E1 E2)); between unrelated particles it is not.
    Measured with 200k events per class (defaults, cut 400 GeV): signal phi has
    median 1.47 rad, 98% of it in [0.54, 2.99] rad and never below 0.24 rad (the
    smallest opening angle, 2 arcsin(M / E), of the most boosted parents); mixed
    pairs have median 1.57 rad and 1% below 0.17 rad, down to ~0 (two particles
    from different events flying the same way). A KS test rejects equal phi
    distributions (p < 1e-100 already at 20k events per class). So the lecture's
    "identical marginals for E1, E2 and phi" holds here for E1 and E2 (and every
    other single-particle column), not for phi. The lecture's background mixed
    the numbers E1, E2 and phi of different events, which is the "shuffle" mode
    below restricted to those three columns.

Background, ``background="shuffle"`` (reproduces the 2018 notebook)
    An independent generation in which every feature column is permuted
    independently among the background events. Every column's marginal is then
    exactly the signal's (phi included), and all correlations are gone, including
    the ones *inside one particle*: for a real particle pz = pT sinh(eta) and
    E ~ |p| = pT cosh(eta) (up to the resolution), for a shuffled one these fail
    almost always. A classifier given ``FEATURES_2018`` can therefore separate
    signal from background by checking these identities, without learning
    anything about the mass: a leak. With ``FEATURES_3`` (E1, E2, phi) only the
    mass correlation is left, and the classifier has to learn the physics.

    events = generate(20_000, 20_000, seed=0)
    X, y = events.tensors()                     # (N, 3) float32, (N, 1) float32
    loader = DataLoader(events.dataset(FEATURES_2018), batch_size=128, shuffle=True)
"""

from __future__ import annotations

import math
import sys

import numpy as np

from course import validate

__all__ = ["COLUMNS", "FEATURES_3", "FEATURES_2018", "ColumnError", "Events", "generate",
           "invariant_mass"]

COLUMNS = ("E1", "E2", "phi",
           "pT1", "eta1", "phi_azimuth1", "pz1",
           "pT2", "eta2", "phi_azimuth2", "pz2")
FEATURES_3 = ("E1", "E2", "phi")
FEATURES_2018 = ("pT1", "eta1", "phi_azimuth1", "pz1", "E1",
                 "pT2", "eta2", "phi_azimuth2", "pz2", "E2")
BACKGROUNDS = ("mix", "shuffle")

PZ_SCALE = 500.0                 # GeV, slope of the parent's |pz| spectrum
PZ_RANGE = (50.0, 6500.0)        # GeV, truncation of |pz|

_CHUNK_MAX = 1 << 19             # trial decays per vectorised chunk
_MAX_TRIALS = 1_000_000_000     # give up (ValueError) when a request needs more trials,
_MIN_ACCEPTANCE = 1e-6           # or when the cut keeps fewer (after 10 million trials)


# --------------------------------------------------------------------------- API

def invariant_mass(E1, E2, phi):
    """Invariant mass of two massless particles: sqrt(2 E1 E2 (1 - cos phi)).

    Works elementwise on numbers, numpy arrays and torch tensors (then with
    autograd). Computed as 2 sqrt(E1 E2) sin(phi / 2), the same value without the
    cancellation in 1 - cos phi at small angles.
    """
    torch = sys.modules.get("torch")
    if torch is not None and any(isinstance(a, torch.Tensor) for a in (E1, E2, phi)):
        like = next(a for a in (E1, E2, phi) if isinstance(a, torch.Tensor))
        E1, E2, phi = (torch.as_tensor(a, dtype=like.dtype, device=like.device)
                       for a in (E1, E2, phi))
        return 2.0 * torch.sqrt(E1 * E2) * torch.sin(0.5 * phi)
    E1, E2, phi = np.asarray(E1), np.asarray(E2), np.asarray(phi)
    return 2.0 * np.sqrt(E1 * E2) * np.sin(0.5 * phi)


class ColumnError(ValueError, KeyError):
    """Unknown column name (a ``ValueError``, and a ``KeyError`` for ``events[...]``)."""

    __str__ = ValueError.__str__        # KeyError would quote the message


class Events:
    """Labelled toy events: features ``X`` (N, F) float32 with named ``columns``,
    labels ``y`` (N,) int64 (1 signal, 0 background). Made by :func:`generate`.

    ``events["E1"]`` is one column (a 1-D view into ``X``); ``events.mass`` the
    invariant mass from the measured E1, E2 and phi; ``events.params`` the
    arguments of :func:`generate` that made them.
    """

    def __init__(self, X, y, columns=COLUMNS, params=None):
        X = np.asarray(X, dtype=np.float32)
        y = np.asarray(y, dtype=np.int64)
        columns = tuple(columns)
        if X.ndim != 2 or X.shape[1] != len(columns):
            raise ValueError(f"X must have shape (N, {len(columns)}) for columns "
                             f"{columns}, got {X.shape}")
        if y.shape != (X.shape[0],):
            raise ValueError(f"y must have shape ({X.shape[0]},), got {y.shape}")
        self.X = X                                  # (N, F)
        self.y = y                                  # (N,)
        self.columns = columns
        self.params = dict(params or {})

    def __len__(self) -> int:
        return self.X.shape[0]

    def __getitem__(self, name: str) -> np.ndarray:
        return self.X[:, self._indices((name,))[0]]  # (N,) view

    def __repr__(self) -> str:
        return (f"Events(n_signal={self.n_signal}, n_background={self.n_background}, "
                f"columns={self.columns})")

    @property
    def n_signal(self) -> int:
        """Number of signal events (label 1)."""
        return int(np.count_nonzero(self.y == 1))

    @property
    def n_background(self) -> int:
        """Number of background events (label 0)."""
        return len(self) - self.n_signal

    @property
    def mass(self) -> np.ndarray:
        """Invariant mass (N,) float32 from the measured E1, E2 and phi."""
        E1, E2, phi = (self[c].astype(np.float64) for c in FEATURES_3)
        return invariant_mass(E1, E2, phi).astype(np.float32)

    def tensors(self, columns=FEATURES_3):
        """``(X, y)`` as torch tensors: X (N, k) float32 of ``columns``, y (N, 1) float32.

        The target is float and shaped (N, 1) because that is what ``nn.BCELoss``
        needs next to the (N, 1) output of a final ``Sigmoid`` layer.
        """
        import torch

        idx = self._indices(columns)
        X = torch.from_numpy(self.X[:, idx])                              # (N, k) copy
        y = torch.from_numpy(self.y.astype(np.float32)).unsqueeze(1)      # (N, 1)
        return X, y

    def dataset(self, columns=FEATURES_3):
        """A ``torch.utils.data.TensorDataset`` of :meth:`tensors` (for a DataLoader)."""
        from torch.utils.data import TensorDataset

        return TensorDataset(*self.tensors(columns))

    def _indices(self, columns) -> list[int]:
        """Column positions of ``columns`` (a name or a sequence of names)."""
        if isinstance(columns, str):
            columns = (columns,)
        validate.instance("columns", columns, (tuple, list), "a tuple or list of names")
        if not columns:
            raise ValueError(f"columns must name at least one of {self.columns}")
        unknown = [c for c in columns if c not in self.columns]
        if unknown:
            raise ColumnError(f"unknown column(s) {unknown}; available: "
                              f"{', '.join(self.columns)}")
        return [self.columns.index(c) for c in columns]


def generate(n_signal, n_background, *, seed=None, mass=750.0, energy_cut=400.0,
             background="mix", energy_resolution=0.10, momentum_resolution=0.04):
    """:class:`Events` with exactly ``n_signal`` signal and ``n_background``
    background events passing the cut (energies in GeV, angles in radians).

    Events are shuffled (signal and background interleaved at random). The same
    ``seed`` gives identical arrays; ``seed=None`` draws fresh randomness. Signal,
    background and the final shuffle use independent streams of the seed, so the
    signal events do not depend on the background settings. See the module
    docstring for the physics and the two ``background`` modes ("mix", "shuffle").
    """
    n_signal = validate.integer("n_signal", n_signal, minimum=0)
    n_background = validate.integer("n_background", n_background, minimum=0)
    if n_signal + n_background == 0:
        raise ValueError("n_signal and n_background are both 0; ask for at least one event")
    if seed is not None:
        seed = validate.integer("seed", seed, minimum=0)
    mass = validate.positive("mass", mass)
    energy_cut = validate.number("energy_cut", energy_cut, minimum=0.0)
    background = validate.one_of("background", background, BACKGROUNDS)
    energy_resolution = _resolution("energy_resolution", energy_resolution)
    momentum_resolution = _resolution("momentum_resolution", momentum_resolution)
    _check_reachable(mass, energy_cut, energy_resolution)

    physics = dict(mass=mass, energy_cut=energy_cut, energy_resolution=energy_resolution,
                   momentum_resolution=momentum_resolution)
    rng_sig, rng_bkg, rng_order = (np.random.default_rng(s)
                                   for s in np.random.SeedSequence(seed).spawn(3))
    signal = _observables(*_decays(rng_sig, n_signal, **physics))        # (F, Ns)
    noise = _background(rng_bkg, n_background, background, physics)      # (F, Nb)
    slots = rng_order.permutation(n_signal + n_background)  # row of each event
    X = np.empty((slots.size, len(COLUMNS)), np.float32)                 # (N, F)
    X[slots[:n_signal]], X[slots[n_signal:]] = signal.T, noise.T
    y = np.zeros(slots.size, np.int64)                                    # (N,)
    y[slots[:n_signal]] = 1
    params = dict(physics, n_signal=n_signal, n_background=n_background, seed=seed,
                  background=background)
    return Events(X, y, COLUMNS, params)


# --------------------------------------------------------------------- checks

def _resolution(name: str, value) -> float:
    """A relative resolution in [0, 1)."""
    value = validate.number(name, value, minimum=0.0, maximum=1.0)
    if value == 1.0:
        raise ValueError(f"{name} must be < 1 (a relative resolution), got {value}")
    return value


def _check_reachable(mass: float, energy_cut: float, energy_resolution: float) -> None:
    """Fail fast when no decay can put both daughters above ``energy_cut``."""
    # min(E1, E2) is largest at cos theta* = 0: half the heaviest parent's energy.
    top = 0.5 * math.hypot(mass, PZ_RANGE[1]) * (1.0 + 7.0 * energy_resolution)
    if energy_cut >= top:
        raise ValueError(
            f"energy_cut={energy_cut:g} GeV is unreachable: with mass={mass:g} GeV and "
            f"|pz| <= {PZ_RANGE[1]:g} GeV both daughters stay below {top:.0f} GeV "
            f"(including 7 sigma of smearing); choose a smaller energy_cut")


# -------------------------------------------------------------------- physics

def _truncated_exponential(rng, n: int, scale: float, low: float, high: float):
    """``n`` draws of exp(-x / scale) restricted to [low, high], by inverse CDF."""
    u = rng.random(n)                                                     # (n,)
    return low - scale * np.log1p(u * np.expm1(-(high - low) / scale))    # (n,)


def _measured_energies(rng, n: int, mass: float, energy_resolution: float):
    """Stage 1 of ``n`` trial decays: parent |pz|, cos theta* and measured E1, E2.

    The sign of pz is drawn later, for accepted decays only: flipping it flips
    the whole event along z (pz -> -pz, cos theta* -> -cos theta*), which leaves
    both energies, hence the selection, unchanged.
    """
    pz = _truncated_exponential(rng, n, PZ_SCALE, *PZ_RANGE)              # (n,) |pz|
    cos = rng.uniform(-1.0, 1.0, n)                                       # (n,)
    half_E = 0.5 * np.sqrt(mass * mass + pz * pz)                         # (n,)
    half_shift = 0.5 * pz * cos                                           # (n,)
    smear = 1.0 + energy_resolution * rng.standard_normal((2, n))         # (2, n)
    return pz, cos, (half_E + half_shift) * smear[0], (half_E - half_shift) * smear[1]


def _selected(rng, n: int, mass: float, energy_cut: float, energy_resolution: float):
    """Exactly ``n`` accepted decays (stage 1), generated in chunks sized by acceptance."""
    parts, accepted, trials = [], 0, 0
    while accepted < n:
        rate = (accepted + 1) / (trials + 2)        # running acceptance estimate
        remaining = n - accepted
        _check_acceptance(n, accepted, trials, rate, remaining, mass, energy_cut)
        size = int(min(_CHUNK_MAX, max(1024, 1.1 * remaining / rate)))
        chunk = _measured_energies(rng, size, mass, energy_resolution)
        keep = (chunk[2] > energy_cut) & (chunk[3] > energy_cut)          # (size,)
        index = np.flatnonzero(keep)                # faster than 4 boolean masks
        parts.append([a.take(index) for a in chunk])
        accepted += index.size
        trials += size
    return [np.concatenate(a)[:n] for a in zip(*parts)]                   # 4 x (n,)


def _check_acceptance(n, accepted, trials, rate, remaining, mass, energy_cut):
    """Stop a loop that would (almost) never reach ``n`` accepted decays."""
    hopeless = trials >= 10_000_000 and rate < _MIN_ACCEPTANCE
    if hopeless or trials + remaining / rate > _MAX_TRIALS:
        raise ValueError(
            f"energy_cut={energy_cut:g} GeV keeps only {accepted} of {trials} decays "
            f"(mass={mass:g} GeV): {n} events would need about {n / rate:.2g} trial "
            f"decays (limit {_MAX_TRIALS:.0e}, minimum acceptance {_MIN_ACCEPTANCE:g}); "
            f"choose a smaller energy_cut")


def _decays(rng, n: int, *, mass: float, energy_cut: float, energy_resolution: float,
            momentum_resolution: float):
    """``n`` accepted decays: measured E1, E2 (n,) and momenta p1, p2 (3, n).

    The cut uses only energies, so momenta are drawn (and smeared) for accepted
    decays only: the same distribution as smearing all trials, at a fraction of
    the cost.
    """
    if n == 0:
        return np.zeros(0), np.zeros(0), np.zeros((3, 0)), np.zeros((3, 0))
    pz, cos, E1, E2 = _selected(rng, n, mass, energy_cut, energy_resolution)
    sign = np.where(rng.random(n) < 0.5, -1.0, 1.0)                       # (n,)
    pz *= sign                                      # random direction along z
    cos *= sign
    azimuth = rng.uniform(-np.pi, np.pi, n)                               # (n,)
    pT = 0.5 * mass * np.sqrt(1.0 - cos * cos)                            # (n,)
    E_cos = np.sqrt(mass * mass + pz * pz) * cos                          # (n,)
    p1, p2 = np.empty((3, n)), np.empty((3, n))
    p1[0], p1[1], p1[2] = pT * np.cos(azimuth), pT * np.sin(azimuth), 0.5 * (pz + E_cos)
    p2[0], p2[1], p2[2] = -p1[0], -p1[1], 0.5 * (pz - E_cos)
    smear = rng.standard_normal((2, 3, n))                                # (2, 3, n)
    smear *= momentum_resolution
    smear += 1.0
    p1 *= smear[0]
    p2 *= smear[1]
    return E1, E2, p1, p2


def _observables(E1, E2, p1, p2):
    """Features (11, n) float32, rows in ``COLUMNS`` order, from E (n,) and p (3, n)."""
    rows = np.empty((len(COLUMNS), E1.size), np.float32)                  # (F, n)
    rows[0], rows[1], rows[2] = E1, E2, _opening_angle(p1, p2)
    for first, (px, py, pz) in ((3, p1), (7, p2)):
        pT = np.sqrt(px * px + py * py)                                   # (n,)
        rows[first] = pT
        rows[first + 1] = np.arcsinh(pz / pT)                             # eta
        rows[first + 2] = np.arctan2(py, px)                              # azimuth
        rows[first + 3] = pz
    return rows


def _opening_angle(p1, p2):
    """3-D angle (n,) between p1 and p2 (3, n) as atan2(|p1 x p2|, p1 . p2),
    accurate at every angle (arccos is not, near 0 and pi)."""
    (x1, y1, z1), (x2, y2, z2) = p1, p2
    cross = np.sqrt((y1 * z2 - z1 * y2) ** 2 + (z1 * x2 - x1 * z2) ** 2
                    + (x1 * y2 - y1 * x2) ** 2)                           # (n,)
    return np.arctan2(cross, x1 * x2 + y1 * y2 + z1 * z2)                 # (n,)


def _background(rng, n: int, mode: str, physics: dict):
    """Background features (11, n): mixed pairs, or independently shuffled columns."""
    if n == 0:
        return np.zeros((len(COLUMNS), 0), np.float32)
    if mode == "shuffle":
        rows = _observables(*_decays(rng, n, **physics))                  # (F, n)
        return rng.permuted(rows, axis=1)           # each feature on its own
    pool = max(n, 2)                                # mixing needs two events
    E1, E2, p1, p2 = _decays(rng, pool, **physics)
    partner = _derangement(rng, pool)               # particle 2 from another event
    return _observables(E1[:n], E2[partner][:n], p1[:, :n], p2[:, partner][:, :n])


def _derangement(rng, n: int):
    """A random permutation (n,) without fixed points: one random cycle, n >= 2."""
    cycle = rng.permutation(n)
    target = np.empty(n, dtype=np.intp)
    target[cycle] = np.roll(cycle, -1)              # cycle[k] -> cycle[k + 1]
    return target

"""Toy generator: events/s of ``course.data.toy`` against a per-event loop.

The baseline is written the way the 2018 tutorial's generator was: one decay at
a time in a Python loop, each random number its own ``numpy.random`` call (the
legacy ``RandomState`` of 2018), four-vectors as small NumPy arrays and the boost
as a 4x4 matrix product. Physics as in :mod:`course.data.toy`: a 750 GeV parent
with |pz| ~ exp(-|pz|/500) on [50, 6500] GeV (redrawn until inside) and a random
sign, an isotropic two-body decay in its rest frame, a boost along z, smearing of
the energies (10 %) and of each momentum component (4 %), both energies above the
cut. Both sides produce the same per-particle observables for signal events.
"""

from __future__ import annotations

from bench import harness

MASS, CUT, SCALE, PZ_LOW, PZ_HIGH = 750.0, 400.0, 500.0, 50.0, 6500.0
E_RES, P_RES = 0.10, 0.04
TARGET_RATIO, TARGET_RATE = 100.0, 2e6


def _boost_z(beta: float):
    """4x4 Lorentz boost along z for four-vectors (E, px, py, pz)."""
    import numpy as np

    gamma = 1.0 / np.sqrt(1.0 - beta * beta)
    return np.array([[gamma, 0.0, 0.0, gamma * beta], [0.0, 1.0, 0.0, 0.0],
                     [0.0, 0.0, 1.0, 0.0], [gamma * beta, 0.0, 0.0, gamma]])


def _decay(rng):
    """Lab four-vectors of both daughters of one decay, before smearing."""
    import numpy as np

    pz = rng.exponential(SCALE)
    while not PZ_LOW <= pz <= PZ_HIGH:
        pz = rng.exponential(SCALE)
    pz *= rng.choice([-1.0, 1.0])
    parent = np.array([np.sqrt(MASS ** 2 + pz ** 2), 0.0, 0.0, pz])
    cos, azimuth = rng.uniform(-1.0, 1.0), rng.uniform(-np.pi, np.pi)
    sin = np.sqrt(1.0 - cos ** 2)
    half = MASS / 2.0
    rest = np.array([half, half * sin * np.cos(azimuth), half * sin * np.sin(azimuth),
                     half * cos])
    flip = np.array([1.0, -1.0, -1.0, -1.0])          # the back-to-back partner
    boost = _boost_z(parent[3] / parent[0])
    return np.dot(boost, rest), np.dot(boost, rest * flip)


def _particle(p):
    """pT, eta, azimuth and pz of one measured momentum (px, py, pz)."""
    import numpy as np

    pT = np.sqrt(p[0] ** 2 + p[1] ** 2)
    return pT, np.arcsinh(p[2] / pT), np.arctan2(p[1], p[0]), p[2]


def python_loop(n: int, seed: int = 0):
    """``n`` accepted signal events, one at a time: an (n, 11) array of
    E1, E2, phi and pT, eta, azimuth, pz of each particle."""
    import numpy as np

    rng, events = np.random.RandomState(seed), []
    while len(events) < n:
        d1, d2 = _decay(rng)
        e1, e2 = d1[0] * rng.normal(1.0, E_RES), d2[0] * rng.normal(1.0, E_RES)
        if e1 <= CUT or e2 <= CUT:
            continue
        p1 = d1[1:] * rng.normal(1.0, P_RES, 3)
        p2 = d2[1:] * rng.normal(1.0, P_RES, 3)
        cos_phi = np.dot(p1, p2) / (np.linalg.norm(p1) * np.linalg.norm(p2))
        phi = np.arccos(np.clip(cos_phi, -1.0, 1.0))
        events.append((e1, e2, phi) + _particle(p1) + _particle(p2))
    return np.array(events)


def run(smoke: bool) -> list[harness.Result]:
    """Events per second of ``toy.generate`` (signal only) and of :func:`python_loop`."""
    from course.data import toy

    n_fast, n_loop = (2_000, 200) if smoke else (2_000_000, 20_000)
    runs = harness.runs_for(smoke)
    with harness.torch_threads(1):
        fast, loop = harness.medians_each({"course": lambda: toy.generate(n_fast, 0, seed=1),
                                           "loop": lambda: python_loop(n_loop, seed=1)},
                                          runs, harness.warmup_for(smoke)).values()
    rate, base = n_fast / fast, n_loop / loop
    ratio = harness.ratio(rate, base, higher_is_better=True)
    return [harness.Result(
        name="toy_generator", figure=f"course.data.toy.generate, {n_fast:,} signal events, "
        "1 thread", unit="events/s", value=rate,
        baseline_name="per-event loop, numpy.random calls + 4-vector boost (2018 style)",
        baseline_value=base,
        ratio=ratio, target=f">= {TARGET_RATIO:g}x and >= {TARGET_RATE:.0e} events/s",
        met=ratio >= TARGET_RATIO and rate >= TARGET_RATE, runs=runs)]

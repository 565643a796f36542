"""Toy generator: events/s of ``course.data.toy`` against a per-event Python loop.

The loop mirrors the 2018 generator (one decay at a time, ``random`` module): a
750 GeV parent with |pz| ~ exp(-|pz|/500) on [50, 6500] GeV and a random sign,
an isotropic two-body decay in its rest frame, a boost along z, smearing of the
energies (10 %) and of each momentum component (4 %), and both energies above
the cut. Both sides produce the same per-particle observables for signal events.
"""

from __future__ import annotations

import math
import random

from bench import harness

MASS, CUT, SCALE, PZ_LOW, PZ_HIGH = 750.0, 400.0, 500.0, 50.0, 6500.0
E_RES, P_RES = 0.10, 0.04
TARGET_RATIO, TARGET_RATE = 100.0, 2e6


def _parent_pz(rng: random.Random) -> float:
    """Signed |pz| from the truncated exponential, by inverting its CDF."""
    low, high = math.exp(-PZ_LOW / SCALE), math.exp(-PZ_HIGH / SCALE)
    pz = -SCALE * math.log(low - rng.random() * (low - high))
    return pz if rng.random() < 0.5 else -pz


def _daughters(rng: random.Random):
    """Lab energies and momenta of both daughters of one decay, before smearing."""
    pz = _parent_pz(rng)
    energy = math.sqrt(MASS * MASS + pz * pz)
    beta, gamma = pz / energy, energy / MASS
    cos = rng.uniform(-1.0, 1.0)
    azimuth = rng.uniform(-math.pi, math.pi)
    half, sin = 0.5 * MASS, math.sqrt(1.0 - cos * cos)
    px, py = half * sin * math.cos(azimuth), half * sin * math.sin(azimuth)
    out = []
    for sign in (1.0, -1.0):                    # back to back in the rest frame
        pz_rest = sign * half * cos
        out.append((gamma * (half + beta * pz_rest),
                    [sign * px, sign * py, gamma * (pz_rest + beta * half)]))
    return out


def _particle(p):
    """pT, eta, azimuth and pz of one measured momentum."""
    pT = math.hypot(p[0], p[1])
    return pT, math.asinh(p[2] / pT), math.atan2(p[1], p[0]), p[2]


def python_loop(n: int, seed: int = 0) -> list[tuple]:
    """``n`` accepted signal events, one at a time: (E1, E2, phi, 4 + 4 particle columns)."""
    rng, events = random.Random(seed), []
    while len(events) < n:
        (e1, p1), (e2, p2) = _daughters(rng)
        e1 *= rng.gauss(1.0, E_RES)
        e2 *= rng.gauss(1.0, E_RES)
        if e1 <= CUT or e2 <= CUT:
            continue
        p1 = [c * rng.gauss(1.0, P_RES) for c in p1]
        p2 = [c * rng.gauss(1.0, P_RES) for c in p2]
        dot = sum(a * b for a, b in zip(p1, p2))
        phi = math.acos(max(-1.0, min(1.0, dot / (math.hypot(*p1) * math.hypot(*p2)))))
        events.append((e1, e2, phi) + _particle(p1) + _particle(p2))
    return events


def run(smoke: bool) -> list[harness.Result]:
    """Events per second of ``toy.generate`` (signal only) and of :func:`python_loop`."""
    import torch

    from course.data import toy

    torch.set_num_threads(1)
    n_fast, n_loop = (2_000, 200) if smoke else (2_000_000, 20_000)
    runs = harness.runs_for(smoke)
    fast = harness.median(harness.measure(lambda: toy.generate(n_fast, 0, seed=1), runs))
    loop = harness.median(harness.measure(lambda: python_loop(n_loop, seed=1), runs))
    rate, base = n_fast / fast, n_loop / loop
    ratio = harness.ratio(rate, base, higher_is_better=True)
    return [harness.Result(
        name="toy_generator", figure=f"course.data.toy.generate, {n_fast:,} signal events, "
        "1 thread", unit="events/s", value=rate,
        baseline_name="per-event Python loop (2018 generator)", baseline_value=base,
        ratio=ratio, target=f">= {TARGET_RATIO:g}x and >= {TARGET_RATE:.0e} events/s",
        met=ratio >= TARGET_RATIO and rate >= TARGET_RATE, runs=runs)]

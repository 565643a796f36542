"""The physics toy: counts, selection, mass peak, background modes, torch views, bad input."""

import subprocess
import sys

import numpy as np
import pytest
import torch
from scipy import stats

from course.data import toy

N = 20_000                      # events per class in the statistical tests
SINGLE_PARTICLE = [c for c in toy.COLUMNS if c != "phi"]


@pytest.fixture(scope="module")
def mixed():
    return toy.generate(N, N, seed=7)


@pytest.fixture(scope="module")
def shuffled():
    return toy.generate(N, N, seed=7, background="shuffle")


def robust_width(mass, nominal=750.0):
    """Half the 16-84% interval, relative to the nominal mass (sigma for a Gaussian)."""
    lo, hi = np.percentile(mass, [16, 84])
    return (hi - lo) / 2 / nominal


def window_fraction(mass, lo=700.0, hi=800.0):
    return np.mean((mass > lo) & (mass < hi))


def pz_residual(events, i):
    """|pT sinh(eta) - pz| / |p| of particle i (float64): ~0 for a real particle."""
    pT, eta, pz = (events[f"{c}{i}"].astype(np.float64) for c in ("pT", "eta", "pz"))
    return np.abs(pT * np.sinh(eta) - pz) / (pT * np.cosh(eta))


# ----------------------------------------------------------------- counts, shapes

@pytest.mark.parametrize("background", toy.BACKGROUNDS)
@pytest.mark.parametrize("n_sig, n_bkg", [(3000, 5000), (1, 0), (0, 1), (7, 2)])
def test_exact_counts_dtypes_and_shapes(n_sig, n_bkg, background):
    events = toy.generate(n_sig, n_bkg, seed=1, background=background)
    n = n_sig + n_bkg
    assert len(events) == n and events.X.shape == (n, len(toy.COLUMNS))
    assert events.X.dtype == np.float32 and events.y.dtype == np.int64
    assert events.y.shape == (n,) and set(np.unique(events.y)) <= {0, 1}
    assert (events.n_signal, events.n_background) == (n_sig, n_bkg)
    assert int(events.y.sum()) == n_sig
    assert events.columns == toy.COLUMNS and events.mass.shape == (n,)
    assert np.isfinite(events.X).all()


def test_column_names_and_views(mixed):
    assert toy.FEATURES_3 == ("E1", "E2", "phi")
    assert set(toy.FEATURES_2018) <= set(toy.COLUMNS) and len(toy.FEATURES_2018) == 10
    e1 = mixed["E1"]
    assert e1.shape == (2 * N,) and np.shares_memory(e1, mixed.X)
    np.testing.assert_array_equal(e1, mixed.X[:, toy.COLUMNS.index("E1")])


@pytest.mark.parametrize("background", toy.BACKGROUNDS)
@pytest.mark.parametrize("cut", [300.0, 400.0, 600.0])
def test_both_energies_pass_the_cut(cut, background):
    events = toy.generate(2000, 2000, seed=2, energy_cut=cut, background=background)
    assert (events["E1"] > cut).all() and (events["E2"] > cut).all()


def test_signal_and_background_are_interleaved(mixed):
    halves = mixed.y.reshape(2, -1).mean(axis=1)         # signal fraction per half
    np.testing.assert_allclose(halves, 0.5, atol=0.02)
    assert 0.4 < np.mean(mixed.y[1:] != mixed.y[:-1]) < 0.6  # label changes often


# --------------------------------------------------------------------- seeding

def test_same_seed_same_events_other_seed_other_events():
    a, b = toy.generate(500, 500, seed=3), toy.generate(500, 500, seed=3)
    np.testing.assert_array_equal(a.X, b.X)
    np.testing.assert_array_equal(a.y, b.y)
    c = toy.generate(500, 500, seed=4)
    assert not np.array_equal(a.X, c.X)
    d, e = toy.generate(500, 500), toy.generate(500, 500)   # fresh randomness
    assert not np.array_equal(d.X, e.X)


def test_signal_does_not_depend_on_background_settings():
    a = toy.generate(1000, 300, seed=5)
    b = toy.generate(1000, 3000, seed=5, background="shuffle")
    sig_a, sig_b = (np.sort(ev["E1"][ev.y == 1]) for ev in (a, b))
    np.testing.assert_array_equal(sig_a, sig_b)


# ------------------------------------------------------------------ mass peak

@pytest.mark.parametrize("mass", [750.0, 300.0])
def test_without_smearing_the_mass_is_a_delta_peak(mass):
    events = toy.generate(N, 0, seed=6, mass=mass, energy_cut=100.0,
                          energy_resolution=0.0, momentum_resolution=0.0)
    np.testing.assert_allclose(events.mass, mass, rtol=1e-6)   # float32 precision


def test_energy_smearing_alone_gives_its_derived_width():
    # M = 2 sqrt(E1 E2) sin(phi/2): dM/M = (dE1/E1 + dE2/E2) / 2 -> sigma_E / sqrt(2).
    # energy_cut=200 < M/2 keeps the selection from biasing the peak.
    events = toy.generate(N, 0, seed=8, energy_cut=200.0, momentum_resolution=0.0)
    assert abs(np.median(events.mass) - 750.0) < 5.0
    assert robust_width(events.mass) == pytest.approx(0.10 / np.sqrt(2), rel=0.05)


def _angular_width(events, sigma_p):
    """Expected dM/M from momentum smearing alone, derived per event.

    Smearing the components of a unit vector n by sigma_p moves its direction by
    sigma_p^2 (1 - sum n_i^4) in variance, half of it in the plane of the pair;
    two particles add. dM/M = 1/2 cot(phi/2) dphi. Returns the 68% quantile of
    the per-event values (comparable to a half 16-84% interval).
    """
    var = 0.0
    for i in (1, 2):
        pT, azimuth, pz = (events[f"{c}{i}"].astype(np.float64)
                           for c in ("pT", "phi_azimuth", "pz"))
        p = np.stack([pT * np.cos(azimuth), pT * np.sin(azimuth), pz])   # (3, n)
        n = p / np.linalg.norm(p, axis=0)
        var = var + (1.0 - (n ** 4).sum(axis=0)) / 2
    phi = events["phi"].astype(np.float64)
    return np.percentile(0.5 / np.tan(phi / 2) * sigma_p * np.sqrt(var), 68)


def test_momentum_smearing_alone_gives_its_derived_width():
    events = toy.generate(N, 0, seed=9, energy_resolution=0.0)
    expected = _angular_width(events, 0.04)
    assert 0.01 < expected < 0.03                         # "a small angular contribution"
    assert robust_width(events.mass) == pytest.approx(expected, rel=0.1)


def test_default_signal_peak_width_and_selection_bias():
    events = toy.generate(N, 0, seed=10)
    expected = np.hypot(0.10 / np.sqrt(2), _angular_width(events, 0.04))  # ~7.3%
    width = robust_width(events.mass)
    assert 0.95 * expected < width < 1.10 * expected      # the cut adds a few %
    # cut 400 GeV > M/2: accepted slow parents fluctuated up, the peak moves up ~2.5%
    assert 755.0 < np.median(events.mass) < 785.0


@pytest.mark.parametrize("fixture", ["mixed", "shuffled"])
def test_background_has_no_mass_peak(fixture, request):
    events = request.getfixturevalue(fixture)
    sig, bkg = events.mass[events.y == 1], events.mass[events.y == 0]
    assert window_fraction(sig) > 0.5
    assert window_fraction(bkg) < 0.4 * window_fraction(sig)


def test_mass_matches_the_columns(mixed):
    expected = toy.invariant_mass(*(mixed[c].astype(np.float64) for c in toy.FEATURES_3))
    np.testing.assert_allclose(mixed.mass, expected, rtol=1e-6)


# ------------------------------------------------------------ background modes

@pytest.mark.parametrize("column", SINGLE_PARTICLE)
def test_mix_keeps_every_single_particle_marginal(mixed, column):
    sig, bkg = mixed[column][mixed.y == 1], mixed[column][mixed.y == 0]
    assert stats.ks_2samp(sig, bkg).pvalue > 1e-3


def test_mix_changes_the_opening_angle_distribution(mixed):
    # phi is recomputed from the mixed pair, so it is not the signal's (see the docstring)
    sig, bkg = mixed["phi"][mixed.y == 1], mixed["phi"][mixed.y == 0]
    assert stats.ks_2samp(sig, bkg).pvalue < 1e-6
    assert sig.min() > 0.2 and np.mean(bkg < 0.2) > 0.005   # signal has a minimum angle


@pytest.mark.parametrize("column", toy.COLUMNS)
def test_shuffle_keeps_every_column_marginal(shuffled, column):
    sig, bkg = shuffled[column][shuffled.y == 1], shuffled[column][shuffled.y == 0]
    assert stats.ks_2samp(sig, bkg).pvalue > 1e-3


@pytest.mark.parametrize("i", [1, 2])
def test_pz_equals_pt_sinh_eta_except_for_shuffled_background(mixed, shuffled, i):
    for events in (mixed, shuffled):
        assert pz_residual(events, i)[events.y == 1].max() < 1e-5
    assert pz_residual(mixed, i)[mixed.y == 0].max() < 1e-5
    # the leak: a shuffled particle almost never satisfies its own kinematics
    assert np.mean(pz_residual(shuffled, i)[shuffled.y == 0] > 0.05) > 0.9


@pytest.mark.parametrize("n", [2, 3, 10, 1000])
def test_mixing_partner_is_never_the_same_event(n):
    partner = toy._derangement(np.random.default_rng(n), n)
    assert sorted(partner) == list(range(n))
    assert (partner != np.arange(n)).all()


# ------------------------------------------------------------- invariant mass

def direct_mass(E1, E2, phi):
    return np.sqrt(2 * E1 * E2 * (1 - np.cos(phi)))


def test_invariant_mass_numpy_and_scalars():
    rng = np.random.default_rng(0)
    E1, E2 = rng.uniform(100, 3000, (2, 1000))
    phi = rng.uniform(0.1, np.pi, 1000)
    np.testing.assert_allclose(toy.invariant_mass(E1, E2, phi), direct_mass(E1, E2, phi),
                               rtol=1e-10)
    assert toy.invariant_mass(375.0, 375.0, np.pi) == pytest.approx(750.0)


def test_invariant_mass_torch_values_and_gradients():
    rng = np.random.default_rng(1)
    E1, E2 = (torch.tensor(a, requires_grad=True) for a in rng.uniform(100, 3000, (2, 50)))
    phi = torch.tensor(rng.uniform(0.1, np.pi, 50))
    m = toy.invariant_mass(E1, E2, phi)
    assert isinstance(m, torch.Tensor) and m.dtype == torch.float64
    np.testing.assert_allclose(m.detach().numpy(), direct_mass(
        E1.detach().numpy(), E2.detach().numpy(), phi.numpy()), rtol=1e-10)
    m.sum().backward()                                   # dM/dE1 = M / (2 E1)
    torch.testing.assert_close(E1.grad, (m / (2 * E1)).detach())
    assert toy.invariant_mass(E1.float(), 400.0, phi.float()).dtype == torch.float32


# ---------------------------------------------------------------- torch views

def test_tensors_shapes_dtypes_and_values(mixed):
    X, y = mixed.tensors()
    assert X.shape == (2 * N, 3) and X.dtype == torch.float32
    assert y.shape == (2 * N, 1) and y.dtype == torch.float32
    np.testing.assert_array_equal(X[:, 2].numpy(), mixed["phi"])
    np.testing.assert_array_equal(y[:, 0].numpy(), mixed.y)
    loss = torch.nn.BCELoss()(torch.sigmoid(torch.zeros(2 * N, 1)), y)
    assert loss.item() == pytest.approx(np.log(2))       # BCELoss accepts the target
    X10, _ = mixed.tensors(toy.FEATURES_2018)
    assert X10.shape == (2 * N, 10)


def test_dataset_items(mixed):
    ds = mixed.dataset(toy.FEATURES_2018)
    assert isinstance(ds, torch.utils.data.TensorDataset) and len(ds) == 2 * N
    x, y = ds[0]
    assert x.shape == (10,) and y.shape == (1,) and x.dtype == y.dtype == torch.float32


def test_unknown_columns_are_reported_with_the_available_ones(mixed):
    with pytest.raises(ValueError, match=r"nope.*available: E1, E2, phi"):
        mixed.tensors(("E1", "nope"))
    with pytest.raises(ValueError, match="available"):
        mixed.dataset(["mass"])
    with pytest.raises(KeyError):
        mixed["nope"]
    with pytest.raises(TypeError, match="columns"):
        mixed.tensors(3)


def test_import_does_not_load_torch():
    code = "import sys, course.data.toy; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], check=True,
                         capture_output=True, text=True).stdout
    assert out.strip() == "False"


# ------------------------------------------------------------------ bad input

@pytest.mark.parametrize("kwargs, error, name", [
    (dict(n_signal=-1), ValueError, "n_signal"),
    (dict(n_signal=1.5), TypeError, "n_signal"),
    (dict(n_signal=True), TypeError, "n_signal"),
    (dict(n_background="10"), TypeError, "n_background"),
    (dict(n_signal=0, n_background=0), ValueError, "n_background"),
    (dict(mass=0), ValueError, "mass"),
    (dict(mass=-750.0), ValueError, "mass"),
    (dict(mass="750"), TypeError, "mass"),
    (dict(mass=float("nan")), ValueError, "mass"),
    (dict(energy_cut=-1.0), ValueError, "energy_cut"),
    (dict(energy_cut=None), TypeError, "energy_cut"),
    (dict(energy_cut=1e5), ValueError, "energy_cut"),      # beyond the kinematic limit
    (dict(energy_cut=4000.0), ValueError, "energy_cut"),   # reachable, never in practice
    (dict(energy_resolution=1.0), ValueError, "energy_resolution"),
    (dict(energy_resolution=-0.1), ValueError, "energy_resolution"),
    (dict(energy_resolution="10%"), TypeError, "energy_resolution"),
    (dict(momentum_resolution=1.5), ValueError, "momentum_resolution"),
    (dict(background="bogus"), ValueError, "background"),
    (dict(background=None), ValueError, "background"),
    (dict(seed=-1), ValueError, "seed"),
    (dict(seed=1.0), TypeError, "seed"),
    (dict(seed="0"), TypeError, "seed"),
])
def test_bad_input_names_the_argument(kwargs, error, name):
    args = dict(n_signal=10, n_background=10)
    args.update(kwargs)
    with pytest.raises(error, match=name):
        toy.generate(args.pop("n_signal"), args.pop("n_background"), **args)

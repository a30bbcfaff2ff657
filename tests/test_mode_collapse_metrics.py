"""Mode metrics (VEEGAN / PacGAN definitions) against hand-made sample sets."""
import math

import numpy as np
import pytest

from gan_core.mode_collapse.metrics import capture_threshold, mode_report
from gan_core.mode_collapse.targets import grid25, ring8


@pytest.mark.parametrize("target", [ring8(), grid25()], ids=["ring8", "grid25"])
def test_all_samples_on_one_mode_capture_one_mode_with_reverse_kl_log_k(target):
    rng = np.random.default_rng(0)
    samples = target.centres[3] + target.sigma * 0.5 * rng.standard_normal((1000, 2))
    r = mode_report(samples, target.centres, target.sigma)
    assert r.modes_captured == 1 and r.captured[3]
    assert r.high_quality == 1.0
    assert r.reverse_kl == pytest.approx(math.log(target.k))


@pytest.mark.parametrize("target", [ring8(), grid25()], ids=["ring8", "grid25"])
def test_even_spread_over_modes_captures_every_mode_with_zero_reverse_kl(target):
    samples = np.repeat(target.centres, 100, axis=0)
    r = mode_report(samples, target.centres, target.sigma)
    assert r.modes_captured == target.k
    assert (r.counts == 100).all()
    assert r.reverse_kl == pytest.approx(0.0, abs=1e-12)


def test_samples_beyond_three_sigma_are_low_quality_and_capture_nothing():
    t = ring8()
    far = t.centres + np.array([3.5 * t.sigma, 0.0])  # each just outside 3σ of its mode
    near = t.centres + np.array([2.5 * t.sigma, 0.0])
    r = mode_report(np.concatenate([far, near]), t.centres, t.sigma)
    assert r.high_quality == pytest.approx(0.5)
    assert (r.counts == 1).all()
    empty = mode_report(far, t.centres, t.sigma)
    assert empty.modes_captured == 0 and math.isnan(empty.reverse_kl) and empty.high_quality == 0.0


def test_capture_threshold_is_a_quarter_of_the_even_share():
    t = ring8()
    n = 800  # threshold 1/32 of 800 = 25 samples
    assert capture_threshold(8) * n == 25
    counts = [25, 24, 0, 0, 0, 0, 0, 0]
    pts = np.concatenate([np.repeat(t.centres[i : i + 1], c, axis=0) for i, c in enumerate(counts)])
    junk = np.full((n - len(pts), 2), 10.0)  # far from every mode: counted in n, not high quality
    r = mode_report(np.concatenate([pts, junk]), t.centres, t.sigma)
    assert r.captured.tolist() == [True] + [False] * 7
    q = np.array([25, 24]) / 49
    assert r.reverse_kl == pytest.approx(float((q * np.log(8 * q)).sum()))


def test_non_finite_samples_count_as_low_quality():
    t = ring8()
    samples = np.concatenate([np.repeat(t.centres, 10, axis=0), np.full((20, 2), np.nan)])
    r = mode_report(samples, t.centres, t.sigma)
    assert r.high_quality == pytest.approx(80 / 100) and r.modes_captured == 8


def test_targets_sample_around_their_centres():
    for t in (ring8(), grid25()):
        x = t.sample(4000, np.random.default_rng(0))
        r = mode_report(x, t.centres, t.sigma)
        assert r.modes_captured == t.k and r.high_quality > 0.98
    assert np.allclose(np.linalg.norm(ring8().centres, axis=1), 2.0)


def test_top2_share_counts_all_samples_by_nearest_mode():
    centres = ring8().centres
    # One cluster between modes 0 and 1 but nearer mode 1: no sample is high quality, yet all sit near one mode.
    cluster = np.tile(0.4 * centres[0] + 0.6 * centres[1], (100, 1))
    r = mode_report(cluster, centres, 0.02)
    assert r.high_quality == 0 and r.top2_share == 1.0 and r.favourite == 1
    even = np.repeat(centres, 10, axis=0) * 1.1  # off-mode, but spread evenly
    r = mode_report(even, centres, 0.02)
    assert r.top2_share == pytest.approx(0.25)

"""Playground metrics on constructed cases: closed forms, symmetries and bounds."""
import itertools
import math

import numpy as np
import pytest

from gan_core.playground import metrics as M
from gan_core.playground.data import PointSet, preset


def _cloud(seed=0, n=500):
    return np.random.default_rng(seed).uniform(-0.8, 0.8, (n, 2))


def test_identical_sets_score_zero_everywhere():
    a = _cloud()
    kl, js = M.grid_divergences(a, a.copy())
    assert kl == 0.0 and js == 0.0
    assert M.sliced_wasserstein(a, a[::-1]) == pytest.approx(0.0, abs=1e-12)
    assert M.exact_wasserstein(a[:100], a[:100][::-1]) == pytest.approx(0.0, abs=1e-12)
    assert M.coverage_precision(a, a) == (1.0, 1.0)


def test_disjoint_single_cells_match_the_smoothed_closed_form():
    cells, eps = M.GRID_CELLS, M.SMOOTHING
    b = cells * cells + 1
    real = np.full((50, 2), -0.99)  # all in the first cell
    fake = np.full((80, 2), 0.99)  # all in the last inside cell
    kl, js = M.grid_divergences(real, fake)
    hi, lo = 1 - eps + eps / b, eps / b
    assert kl == pytest.approx(hi * math.log(hi / lo) + lo * math.log(lo / hi))
    m_hi = (hi + lo) / 2
    expected_js = hi * math.log(hi / m_hi) + lo * math.log(lo / m_hi)  # both halves equal by symmetry
    assert js == pytest.approx(expected_js)
    assert js < math.log(2) and js > 0.98 * math.log(2)


def test_js_is_symmetric_and_bounded_kl_is_not_symmetric():
    rng = np.random.default_rng(3)
    a = rng.normal(0, 0.2, (800, 2))
    b = rng.normal([0.4, 0.0], 0.05, (300, 2))
    kl_ab, js_ab = M.grid_divergences(a, b)
    kl_ba, js_ba = M.grid_divergences(b, a)
    assert js_ab == pytest.approx(js_ba, rel=1e-12)
    assert 0 < js_ab < math.log(2)
    assert kl_ab != pytest.approx(kl_ba, rel=0.05)
    assert kl_ab > 0 and kl_ba > 0


def test_points_outside_the_view_count_in_their_own_bin():
    h = M.grid_histogram(np.array([[0.0, 0.0], [5.0, 0.0], [np.nan, 1.0], [-1.0, -1.0]]))
    assert h.sum() == 4 and h[-1] == 2  # (5, 0) and the NaN; (-1, -1) is the first cell
    assert h[0] == 1


def test_one_dimensional_w1_closed_forms():
    assert M.wasserstein_1d(np.array([[0.0]]), np.array([[0.0, 1.0]]))[0] == pytest.approx(0.5)
    a = np.array([[0.0, 1.0, 2.0]])
    b = np.array([[0.0, 3.0]])
    # quantile functions: a = 0 | 1 | 2 on thirds, b = 0 | 3 on halves → ∫|F⁻¹−G⁻¹| = 1/6·1 + 1/6·2 + 1/3·1
    assert M.wasserstein_1d(a, b)[0] == pytest.approx(1 / 6 + 2 / 6 + 1 / 3)
    shift = np.array([[0.1, 0.5, 0.9]])
    assert M.wasserstein_1d(shift, shift + 0.25)[0] == pytest.approx(0.25)


def test_sliced_w_of_a_shift_is_the_mean_projected_shift():
    a = _cloud(4, 200)
    v = np.array([0.3, -0.1])
    expected = np.abs(M.directions() @ v).mean()  # each projection is shifted by |v·θ|
    assert M.sliced_wasserstein(a, a + v) == pytest.approx(expected)
    assert expected == pytest.approx(2 / math.pi * np.linalg.norm(v), rel=0.01)


def test_exact_w_of_a_small_shift_is_its_length():
    a = _cloud(5, 60) * 0.5
    v = np.array([0.01, 0.02])  # tiny next to the spacing, so moving every point by v is optimal
    assert M.exact_wasserstein(a, a + v) == pytest.approx(np.linalg.norm(v))


def test_assignment_is_optimal_against_brute_force():
    rng = np.random.default_rng(6)
    for _ in range(25):
        cost = rng.random((6, 6))
        best = min(sum(cost[i, p[i]] for i in range(6)) for p in itertools.permutations(range(6)))
        cols = M.assignment(cost)
        assert sorted(cols) == list(range(6))
        assert cost[np.arange(6), cols].sum() == pytest.approx(best)


def test_exact_w_refuses_what_it_cannot_do():
    with pytest.raises(ValueError):
        M.exact_wasserstein(np.zeros((3, 2)), np.zeros((4, 2)))
    with pytest.raises(ValueError):
        M.exact_wasserstein(np.zeros((M.EXACT_MAX + 1, 2)), np.zeros((M.EXACT_MAX + 1, 2)))


def test_within_radius_agrees_with_brute_force():
    rng = np.random.default_rng(7)
    for _ in range(40):
        a = rng.random((int(rng.integers(1, 200)), 2)) * rng.uniform(0.1, 3)
        b = rng.random((int(rng.integers(1, 200)), 2))
        r = rng.uniform(0.001, 0.4)
        assert np.array_equal(M.within_radius(a, b, r), M.nearest_distance(a, b) <= r)


def test_coverage_and_precision_of_half_a_drawing():
    left = np.stack([np.linspace(-0.9, -0.1, 100), np.zeros(100)], 1)
    right = left + [1.0, 0.0]
    real = np.concatenate([left, right])
    far = np.full((100, 2), 0.9)  # a cluster far from the line
    cov, prec = M.coverage_precision(real, np.concatenate([left, far]))
    assert cov == pytest.approx(0.5) and prec == pytest.approx(0.5)


def test_coverage_radius_is_five_percent_of_the_extent():
    real = np.array([[0.0, 0.0], [1.0, 0.0]])  # extent 1 → radius 0.05
    assert M.coverage_precision(real, np.array([[0.049, 0.0]]))[0] == 0.5
    assert M.coverage_precision(real, np.array([[0.051, 0.0]]))[0] == 0.0


def test_non_finite_samples_lower_precision_and_never_crash():
    real = _cloud(8, 100)
    fake = np.concatenate([real[:50], np.full((50, 2), np.nan)])
    s = M.score(PointSet("d", real), fake)
    assert s.precision == pytest.approx(0.5) and 0.5 <= s.coverage < 1.0  # neighbours of the kept half count too
    assert math.isfinite(s.kl) and math.isfinite(s.sliced_w)


def test_mixture_scores_include_the_mode_metrics():
    ring = preset("ring8")
    on_one = np.repeat(ring.centres[:1], 500, axis=0)
    s = M.score(ring, on_one)
    assert s.modes_captured == 1 and s.modes == 8 and s.reverse_kl == pytest.approx(math.log(8))
    even = M.score(ring, np.repeat(ring.centres, 50, axis=0))
    assert even.modes_captured == 8 and even.reverse_kl == pytest.approx(0.0, abs=1e-12)
    assert even.kl < s.kl and even.coverage > s.coverage
    plain = M.score(PointSet("d", ring.points), on_one)
    assert math.isnan(plain.modes_captured) and plain.to_dict()["modes_captured"] is None


def _score_plain(real: PointSet, fake: np.ndarray) -> M.Scores:
    """The straightforward score (each part from its own function, nothing precomputed) to check the live one."""
    finite = fake[np.isfinite(fake).all(1)]
    kl, js = M.grid_divergences(real.points, fake)
    cov, prec = M.coverage_precision(real.points, fake)
    return M.Scores(kl, js, M.sliced_wasserstein(real.points, finite), cov, prec)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_live_score_with_the_real_side_computed_once_is_the_plain_score(seed):
    rng = np.random.default_rng(seed)
    real = PointSet("d", _cloud(seed, 400))
    side = M.RealSide(real)
    for spread in (0.01, 0.05, 0.3):
        fake = real.points[rng.integers(0, 400, 500)] + rng.normal(0, spread, (500, 2))
        fake[:7] = np.nan  # diverging samples: never within reach, never crash
        got, want = M.score(real, fake, side), _score_plain(real, fake)
        assert got.kl == pytest.approx(want.kl, abs=1e-12) and got.js == pytest.approx(want.js, abs=1e-12)
        assert got.sliced_w == pytest.approx(want.sliced_w, abs=1e-12)
        assert (got.coverage, got.precision) == (want.coverage, want.precision)


def test_the_k_d_tree_counts_the_radius_inclusively_like_the_cell_grid():
    if M.cKDTree is None:
        pytest.skip("scipy is not installed: the cell grid answers")
    b = np.array([[0.0, 0.0], [1.0, 0.0]])
    a = np.array([[0.25, 0.0], [0.2500001, 0.0], [np.inf, 0.0], [0.5, 0.5]])
    tree = M.cKDTree(b)
    assert M.within_radius_tree(a, tree, 0.25).tolist() == M.within_radius(a, b, 0.25).tolist() == [
        True, False, False, False]
    assert not M.within_radius_tree(a, M.cKDTree(np.zeros((0, 2))), 0.25).any()
    assert M.RealSide(PointSet("d", b)).coverage_precision(np.full((3, 2), np.nan)) == (0.0, 0.0)

"""Exact 1-D Wasserstein distance against cases with known answers."""
import numpy as np
import pytest

from gan_core.mapping_1d.metrics import w1_distance, w1_to_target
from gan_core.mapping_1d.targets import parse_target


def test_w1_of_a_shifted_sample_is_the_shift():
    a = np.random.default_rng(0).normal(size=1000)
    assert w1_distance(a, a + 0.37) == pytest.approx(0.37)
    assert w1_distance(a, a) == 0.0


def test_w1_ignores_order_and_is_symmetric():
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=500), rng.uniform(size=500)
    assert w1_distance(a, b) == pytest.approx(w1_distance(rng.permutation(b), a))


def test_w1_between_two_point_masses_is_their_distance():
    assert w1_distance(np.zeros(3), np.full(7, 2.5)) == pytest.approx(2.5)


def test_w1_with_unequal_sizes_is_exact():
    # {0, 1} vs {0, 0, 1.5}: quantile functions differ by 0 on (0, ½), by 1 on (½, ⅔), by ½ on (⅔, 1).
    expected = (2 / 3 - 1 / 2) * 1.0 + (1 - 2 / 3) * 0.5
    assert w1_distance(np.array([1.0, 0.0]), np.array([0.0, 1.5, 0.0])) == pytest.approx(expected)
    # repeating every sample does not change the empirical distribution
    a, b = np.random.default_rng(2).normal(size=(2, 40))
    assert w1_distance(a, np.repeat(b, 3)) == pytest.approx(w1_distance(a, b))


def test_w1_to_target_of_shifted_quantiles_is_the_shift():
    target = parse_target("normal:3,0.7")
    u = (np.arange(5000) + 0.5) / 5000
    assert w1_to_target(target.inverse_cdf(u) + 0.2, target) == pytest.approx(0.2, abs=1e-3)


def test_w1_to_target_of_a_point_mass_at_the_mean_is_the_mean_absolute_deviation():
    # E|X − µ| = σ·√(2/π) for a Gaussian
    target = parse_target("normal:-1,2")
    assert w1_to_target(np.full(10, -1.0), target) == pytest.approx(2 * np.sqrt(2 / np.pi), rel=1e-3)


def test_w1_to_target_of_true_samples_shrinks_like_one_over_root_n():
    target = parse_target("exp:1")
    rng = np.random.default_rng(3)
    small = np.mean([w1_to_target(target.sample(200, rng), target) for _ in range(20)])
    large = np.mean([w1_to_target(target.sample(20_000, rng), target) for _ in range(5)])
    assert large < small / 5
    assert large < 0.02


def test_w1_rejects_empty_input():
    with pytest.raises(ValueError):
        w1_distance(np.array([]), np.array([1.0]))

"""The transformation manifold on maps whose density is known in closed form."""
from statistics import NormalDist

import numpy as np
import pytest

from gan_core.playground import manifold as Mf


def test_identity_on_uniform_noise_has_the_uniform_density():
    m = Mf.warp(lambda z: z, 2, "uniform", n=8)
    assert m.x.shape == (9, 9, 2) and m.size.shape == (8, 8)
    assert np.allclose(m.size, (2 / 8) ** 2)
    assert np.allclose(m.density, 1 / 4)  # U(−1, 1)² has density 1/4


def test_a_linear_map_divides_the_density_by_its_determinant():
    A = np.array([[2.0, 0.5], [0.3, 0.4]])  # det 0.65
    m = Mf.warp(lambda z: z @ A.T + [0.1, -0.2], 2, "uniform", n=6)
    assert np.allclose(m.density, 0.25 / abs(np.linalg.det(A)))


def test_a_fold_squeezes_cells_to_high_density():
    # x = (z1, |z2|·0.1): the z2 half-planes land on top of each other and are squashed 10×
    m = Mf.warp(lambda z: np.stack([z[:, 0], 0.1 * np.abs(z[:, 1])], 1), 2, "uniform", n=4)
    assert np.allclose(m.density, 0.25 / 0.1)


def test_gaussian_cells_hold_equal_probability():
    t = Mf.noise_ticks("gaussian", 10)
    nd = NormalDist()
    masses = np.diff([nd.cdf(v) for v in t])
    assert np.allclose(masses, (1 - 2 * Mf.TAIL) / 10)
    m = Mf.warp(lambda z: z, 2, "gaussian", n=10)
    # identity: density = cell mass / cell area ≈ the Gaussian's density at the cell (middle cells)
    centre = m.density[4:6, 4:6]
    assert np.allclose(centre, nd.pdf(0.0) ** 2, rtol=0.05)


def test_one_dimensional_noise_draws_a_curve_with_density_per_length():
    m = Mf.warp(lambda z: np.concatenate([2 * z, np.zeros_like(z)], 1), 1, "uniform", n=50)
    assert m.x.shape == (51, 2) and np.allclose(m.size, 4 / 50)
    assert np.allclose(m.density, 0.25)  # U(−1, 1) has density 1/2, stretched 2×
    rows = Mf.curve_rows(m)
    assert len(rows["x"]) == 50 and np.allclose(rows["x2"][:-1], rows["x"][1:])


def test_opacity_is_bounded_and_ranks_like_density():
    m = Mf.warp(lambda z: z * np.where(z[:, :1] > 0, 1.0, 0.2), 2, "uniform", n=10)
    op = m.opacity()
    assert op.min() >= 0 and op.max() <= Mf.MAX_OPACITY
    dense, sparse = m.density > m.density.mean(), m.density < m.density.mean()
    assert op[dense].min() >= op[sparse].max()


def test_collapsed_and_exploded_generators_do_not_break_the_view():
    m = Mf.warp(lambda z: np.zeros((len(z), 2)), 2, "uniform", n=5)
    assert np.isfinite(m.opacity()).all()
    bad = Mf.warp(lambda z: np.full((len(z), 2), np.nan), 2, "uniform", n=5)
    assert np.isfinite(bad.opacity()).all()


def test_quad_rows_walk_each_cell_corner_by_corner():
    m = Mf.warp(lambda z: z, 2, "uniform", n=3)
    rows = Mf.quad_rows(m)
    assert len(rows["x"]) == 9 * 4
    first = np.stack([rows["x"][:4], rows["y"][:4]], 1)
    step = 2 / 3
    assert np.allclose(first, [[-1, -1], [-1 + step, -1], [-1 + step, -1 + step], [-1, -1 + step]])


def test_region_noise_samples_the_box():
    z = Mf.region_noise(np.array([0.5, -0.5]), np.array([-0.5, 0.5]), 2, per_axis=5)
    assert z.shape == (25, 2) and z.min() == -0.5 and z.max() == 0.5


def test_only_one_or_two_dimensional_noise_has_a_manifold():
    with pytest.raises(ValueError):
        Mf.warp(lambda z: z[:, :2], 3, "uniform")

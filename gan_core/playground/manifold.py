"""The generator's transformation manifold (GAN Lab's signature view): the noise plane's grid, warped through G.

The noise space is cut into an n×n grid of cells that each hold the SAME probability (uniform noise: equal
squares of U(−1, 1)²; Gaussian noise: the cells between quantiles Φ⁻¹(u), u evenly spaced in [TAIL, 1 − TAIL],
so the far tails are left out). G maps each cell's four corners to a quadrilateral in the data plane. Where G
stretches a cell, its probability is spread thin: the density of G's samples there is
    p_x(G(z)) = p_z(z) / |det J_G(z)|  ≈  cell probability / area of the warped quad,
which the view shows as the quad's opacity. With 1-D noise G maps a segment of the noise line onto a curve and
the density is probability / length of each piece of the curve.
"""
from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

TAIL = 0.01  # Gaussian grid: the quantiles TAIL … 1 − TAIL per axis
UNIFORM_RANGE = (-1.0, 1.0)  # the trainer's uniform noise is U(−1, 1)^k
CELLS_2D = 16
CELLS_1D = 200
MAX_OPACITY = 0.85
MIN_AREA = 1e-12

Generate = Callable[[np.ndarray], np.ndarray]


def noise_ticks(kind: str, n: int) -> np.ndarray:
    """n + 1 cell boundaries per noise axis, each cell holding probability 1/n of what the grid covers."""
    if kind == "uniform":
        return np.linspace(*UNIFORM_RANGE, n + 1)
    if kind == "gaussian":
        nd = NormalDist()
        return np.array([nd.inv_cdf(u) for u in np.linspace(TAIL, 1 - TAIL, n + 1)])
    raise ValueError(f"unknown noise {kind!r}")


def cell_probability(kind: str, n: int, dim: int) -> float:
    covered = 1.0 if kind == "uniform" else (1 - 2 * TAIL)
    return (covered / n) ** dim


@dataclass(frozen=True)
class Manifold:
    dim: int  # noise dimension: 1 (a curve) or 2 (a warped grid)
    n: int  # cells per noise axis
    z: np.ndarray  # noise grid vertices: (n+1, n+1, 2) or (n+1, 1)
    x: np.ndarray  # their images G(z): (n+1, n+1, 2) or (n+1, 2)
    size: np.ndarray  # per cell: area of the warped quad (2-D) or length of the curve piece (1-D): (n, n) or (n,)
    density: np.ndarray  # per cell: cell probability / size

    def opacity(self) -> np.ndarray:
        """Per cell, in [0, MAX_OPACITY]: density relative to the 90th percentile of densities, so the view
        stays readable whatever the scale (the densest 10 % of cells are fully opaque)."""
        finite = self.density[np.isfinite(self.density)]
        if finite.size == 0:
            return np.zeros_like(self.density)
        ref = float(np.quantile(finite, 0.9)) or 1.0
        return MAX_OPACITY * np.clip(np.nan_to_num(self.density / ref, nan=0.0, posinf=1.0), 0.0, 1.0)


def quad_areas(x: np.ndarray) -> np.ndarray:
    """Areas of the quads of a warped (n+1, n+1, 2) grid, ½ |d₁ × d₂| from the two diagonals (exact for any
    simple quadrilateral, the net area for a folded one)."""
    d1 = x[1:, 1:] - x[:-1, :-1]
    d2 = x[:-1, 1:] - x[1:, :-1]
    return 0.5 * np.abs(d1[..., 0] * d2[..., 1] - d1[..., 1] * d2[..., 0])


def warp(generate: Generate, dim: int, kind: str, n: int | None = None) -> Manifold:
    """G's image of the noise grid, with the density of each cell (see the module's docstring)."""
    if dim == 1:
        n = n or CELLS_1D
        z = noise_ticks(kind, n)[:, None]
        x = np.asarray(generate(z), dtype=np.float64)
        size = np.linalg.norm(np.diff(x, axis=0), axis=1)
    elif dim == 2:
        n = n or CELLS_2D
        t = noise_ticks(kind, n)
        zz = np.stack(np.meshgrid(t, t, indexing="ij"), -1)  # zz[i, j] = (t_i, t_j)
        x = np.asarray(generate(zz.reshape(-1, 2)), dtype=np.float64).reshape(n + 1, n + 1, 2)
        z, size = zz, quad_areas(x)
    else:
        raise ValueError("the manifold view needs 1-D or 2-D noise")
    density = cell_probability(kind, n, dim) / np.maximum(size, MIN_AREA)
    return Manifold(dim, n, z, x, size, density)


@functools.lru_cache(maxsize=8)
def _quad_corners(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For an n×n grid: per quad corner row, the index of its vertex in the flattened (n+1)² grid, its cell
    and its place 0..3 (corners (i, j), (i+1, j), (i+1, j+1), (i, j+1)). Shared and read-only."""
    i, j = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    corners = [(0, 0), (1, 0), (1, 1), (0, 1)]
    vertex = np.stack([(i + di) * (n + 1) + (j + dj) for di, dj in corners], -1).ravel()
    cell = np.repeat(np.arange(n * n, dtype=np.int16 if n * n < 2 ** 15 else np.int32), 4)
    order = np.tile(np.arange(4, dtype=np.int8), n * n)
    for a in (vertex, cell, order):
        a.flags.writeable = False
    return vertex, cell, order


def quad_rows(m: Manifold) -> dict[str, np.ndarray]:
    """Columns for drawing the 2-D manifold as closed polygons: one row per quad corner (4 per quad), in order."""
    vertex, cell, order = _quad_corners(m.n)
    xy = m.x.reshape(-1, 2)[vertex]
    return {"cell": cell, "order": order, "x": xy[:, 0], "y": xy[:, 1], "opacity": np.repeat(m.opacity().ravel(), 4)}


def curve_rows(m: Manifold) -> dict[str, np.ndarray]:
    """Columns for drawing the 1-D manifold as segments (x, y) → (x2, y2)."""
    return {"x": m.x[:-1, 0], "y": m.x[:-1, 1], "x2": m.x[1:, 0], "y2": m.x[1:, 1], "opacity": m.opacity()}


def noise_grid_rows(m: Manifold) -> dict[str, np.ndarray]:
    """The same cells in the noise plane (for the noise panel, where the cells are square): corner rows."""
    if m.dim != 2:
        z = m.z[:, 0]
        return {"z1": z[:-1], "z2": np.zeros(m.n), "z1_end": z[1:]}
    sub = Manifold(2, m.n, m.z, m.z, m.size, m.density)
    rows = quad_rows(sub)
    return {"cell": rows["cell"], "order": rows["order"], "z1": rows["x"], "z2": rows["y"], "opacity": rows["opacity"]}


def land(generate: Generate, z: np.ndarray) -> np.ndarray:
    """Where noise points land: G(z), as float64 (M, 2)."""
    return np.asarray(generate(np.atleast_2d(np.asarray(z, dtype=np.float64))), dtype=np.float64)


def region_noise(lo: np.ndarray, hi: np.ndarray, dim: int, per_axis: int = 12) -> np.ndarray:
    """A regular sample of a box [lo, hi] of the noise space (a selected region), (per_axis^dim, dim)."""
    lo, hi = np.minimum(lo, hi), np.maximum(lo, hi)
    axes = [np.linspace(lo[k], hi[k], per_axis) for k in range(dim)]
    return np.stack(np.meshgrid(*axes, indexing="ij"), -1).reshape(-1, dim)

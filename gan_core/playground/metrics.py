"""How close G's samples are to the real (drawn) points: numbers that stay meaningful on any drawing.

- Grid KL and JS (as GAN Lab): both sets are histogrammed on an n×n grid over the view [-1, 1]², plus one
  bin for everything outside it; each histogram is turned into probabilities and mixed with a little of the
  uniform distribution, p̃ = (1 − ε) p + ε / B (B bins, ε = SMOOTHING), so a bin one set leaves empty does not
  make KL infinite. KL is KL(real ‖ generated): large when G misses places where the data is.
  JS = ½ KL(p̃ ‖ m) + ½ KL(q̃ ‖ m), m = (p̃ + q̃) / 2: symmetric, between 0 and log 2 (nats).
- Sliced Wasserstein-1: the mean over N_DIRECTIONS evenly spaced directions θ ∈ [0, π) of the exact 1-D W1
  between the two sets projected on θ (deterministic: no random directions, so a frozen G scores the same).
- Exact 2-D Wasserstein-1 for two equal-size sets of at most EXACT_MAX points: the optimal one-to-one
  matching (Hungarian algorithm, numpy, O(n³)) and its mean distance. For a reported final score, not live.
- Coverage: the share of real points with a generated sample within `radius`; precision: the share of
  generated samples with a real point within `radius`; radius = RADIUS_SHARE × the drawing's extent
  (the longer side of its bounding box).
- For mixture presets, the mode metrics of gan_core/mode_collapse/metrics.py.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

from gan_core.mode_collapse.metrics import mode_report

try:  # installed with scikit-learn (mlxtend's); without it the cell grid below gives the same answers, slower
    from scipy.spatial import cKDTree
except ImportError:  # pragma: no cover
    cKDTree = None
from gan_core.playground.data import VIEW, PointSet, extent_of

GRID_CELLS = 20
SMOOTHING = 1e-3
N_DIRECTIONS = 32
EXACT_MAX = 300
RADIUS_SHARE = 0.05
_CHUNK = 1 << 20  # distance-matrix entries per block (8 MB)


# ---------------------------------------------------------------- grid divergences

def grid_histogram(points: np.ndarray, cells: int = GRID_CELLS, view: float = VIEW) -> np.ndarray:
    """Counts on a cells×cells grid over [-view, view]², then one last bin for points outside (or non-finite)."""
    p = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    finite = np.isfinite(p).all(1)
    idx = np.floor((p[finite] + view) / (2 * view) * cells).astype(np.int64)
    inside = ((idx >= 0) & (idx < cells)).all(1)
    flat = idx[inside, 0] * cells + idx[inside, 1]
    counts = np.bincount(flat, minlength=cells * cells).astype(np.float64)
    return np.append(counts, float(len(p) - inside.sum()))


def smoothed(counts: np.ndarray, eps: float = SMOOTHING) -> np.ndarray:
    total = counts.sum()
    p = counts / total if total > 0 else np.full(len(counts), 1.0 / len(counts))
    return (1 - eps) * p + eps / len(counts)


def _kl(p: np.ndarray, q: np.ndarray) -> float:
    nz = p > 0
    return float(np.sum(p[nz] * np.log(p[nz] / q[nz])))


def grid_divergences(real: np.ndarray, fake: np.ndarray, cells: int = GRID_CELLS,
                     eps: float = SMOOTHING) -> tuple[float, float]:
    """(KL(real ‖ generated), JS) in nats, on the grid (see the module's docstring)."""
    p = smoothed(grid_histogram(real, cells), eps)
    q = smoothed(grid_histogram(fake, cells), eps)
    m = (p + q) / 2
    return _kl(p, q), 0.5 * _kl(p, m) + 0.5 * _kl(q, m)


# ---------------------------------------------------------------- Wasserstein

def directions(n: int = N_DIRECTIONS) -> np.ndarray:
    theta = np.pi * np.arange(n) / n
    return np.stack([np.cos(theta), np.sin(theta)], 1)


def wasserstein_1d(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Exact W1 between the empirical distributions of the rows of a (L, n) and b (L, m), per row:
    ∫₀¹ |F⁻¹(u) − G⁻¹(u)| du with both quantile functions piecewise constant."""
    return w1_sorted(np.sort(a, 1), np.sort(b, 1))


def w1_sorted(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """`wasserstein_1d` of rows already sorted (a fixed set's projections are sorted once)."""
    n, m = a.shape[1], b.shape[1]
    if n == m:
        return np.abs(a - b).mean(1)
    u = np.union1d(np.arange(1, n + 1) / n, np.arange(1, m + 1) / m)
    du = np.diff(np.concatenate([[0.0], u]))
    mid = u - du / 2
    ia = np.minimum((mid * n).astype(np.int64), n - 1)
    ib = np.minimum((mid * m).astype(np.int64), m - 1)
    return (np.abs(a[:, ia] - b[:, ib]) * du).sum(1)


def sliced_wasserstein(real: np.ndarray, fake: np.ndarray, n_directions: int = N_DIRECTIONS) -> float:
    d = directions(n_directions)
    return float(wasserstein_1d(d @ np.asarray(real, float).T, d @ np.asarray(fake, float).T).mean())


def assignment(cost: np.ndarray) -> np.ndarray:
    """The column matched to each row in a minimum-cost perfect matching of a square cost matrix
    (Hungarian algorithm with potentials, shortest augmenting paths; inner loops vectorised)."""
    cost = np.asarray(cost, dtype=np.float64)
    n = cost.shape[0]
    if cost.shape != (n, n):
        raise ValueError("assignment needs a square cost matrix")
    u, v = np.zeros(n + 1), np.zeros(n + 1)
    p = np.zeros(n + 1, dtype=np.int64)  # p[j]: row (1-based) matched to column j; 0 = free
    way = np.zeros(n + 1, dtype=np.int64)
    for i in range(1, n + 1):
        p[0], j0 = i, 0
        minv = np.full(n + 1, np.inf)
        used = np.zeros(n + 1, dtype=bool)
        while True:
            used[j0] = True
            i0 = p[j0]
            free = ~used[1:]
            cur = cost[i0 - 1] - u[i0] - v[1:]
            better = free & (cur < minv[1:])
            minv[1:][better] = cur[better]
            way[1:][better] = j0
            masked = np.where(free, minv[1:], np.inf)
            j1 = int(np.argmin(masked)) + 1
            delta = masked[j1 - 1]
            u[p[used]] += delta
            v[used] -= delta
            minv[1:][free] -= delta
            j0 = j1
            if p[j0] == 0:
                break
        while j0:
            j1 = way[j0]
            p[j0] = p[j1]
            j0 = j1
    rows_to_cols = np.empty(n, dtype=np.int64)
    rows_to_cols[p[1:] - 1] = np.arange(n)
    return rows_to_cols


def exact_wasserstein(a: np.ndarray, b: np.ndarray) -> float:
    """W1 between two equal-size point sets: mean distance of the optimal one-to-one matching."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    if len(a) != len(b):
        raise ValueError("exact_wasserstein needs two sets of the same size")
    if len(a) > EXACT_MAX:
        raise ValueError(f"exact_wasserstein is O(n³): at most {EXACT_MAX} points")
    cost = np.sqrt(((a[:, None, :] - b[None, :, :]) ** 2).sum(-1))
    cols = assignment(cost)
    return float(cost[np.arange(len(a)), cols].mean())


# ---------------------------------------------------------------- coverage and precision

def nearest_distance(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """For each point of a, the distance to its nearest point of b (blocked so memory stays bounded)."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    b = b[np.isfinite(b).all(1)]
    out = np.full(len(a), np.inf)
    if len(b) == 0 or len(a) == 0:
        return out
    bb = (b * b).sum(1)
    step = max(1, _CHUNK // len(b))
    for s in range(0, len(a), step):
        block = a[s:s + step]
        d2 = (block * block).sum(1)[:, None] - 2 * block @ b.T + bb[None, :]
        out[s:s + step] = np.sqrt(np.maximum(d2.min(1), 0.0))
    out[~np.isfinite(a).all(1)] = np.inf
    return out


def within_radius(a: np.ndarray, b: np.ndarray, radius: float) -> np.ndarray:
    """For each point of a, whether some point of b lies within `radius` (inclusive).

    Exact, via a grid of cells of side `radius`: only b's points in the 3×3 cells around a point can be that
    close, so the work is the number of such candidate pairs instead of len(a)·len(b).
    """
    a, b = np.asarray(a, np.float64).reshape(-1, 2), np.asarray(b, np.float64).reshape(-1, 2)
    hit = np.zeros(len(a), dtype=bool)
    ok_a, ok_b = np.isfinite(a).all(1), np.isfinite(b).all(1)
    b = b[ok_b]
    if len(b) == 0 or not ok_a.any() or not radius > 0:
        return hit
    ia = np.flatnonzero(ok_a)
    pa = a[ia]
    origin = np.minimum(pa.min(0), b.min(0)) - radius
    cb = np.floor((b - origin) / radius).astype(np.int64)
    ca = np.floor((pa - origin) / radius).astype(np.int64)
    width = int(max(cb[:, 1].max(), ca[:, 1].max())) + 3
    kb = cb[:, 0] * width + cb[:, 1]
    order = np.argsort(kb, kind="stable")
    kb, bs = kb[order], b[order]
    r2 = radius * radius
    for dx in (-1, 0, 1):
        for dy in (-1, 0, 1):
            todo = ~hit[ia]
            if not todo.any():
                return hit
            idx = ia[todo]
            q = pa[todo]
            key = (ca[todo, 0] + dx) * width + (ca[todo, 1] + dy)
            lo = np.searchsorted(kb, key, "left")
            count = np.searchsorted(kb, key, "right") - lo
            total = int(count.sum())
            if total == 0:
                continue
            rows = np.repeat(np.arange(len(idx)), count)
            cols = np.arange(total) - np.repeat(np.cumsum(count) - count, count) + np.repeat(lo, count)
            d = q[rows] - bs[cols]
            close = (d * d).sum(1) <= r2
            hit[idx[np.unique(rows[close])]] = True
    return hit


def coverage_precision(real: np.ndarray, fake: np.ndarray, radius: float | None = None) -> tuple[float, float]:
    """(coverage, precision) as shares 0..1; radius defaults to RADIUS_SHARE × the real set's extent."""
    r = RADIUS_SHARE * extent_of(real) if radius is None else radius
    cov = float(within_radius(real, fake, r).mean()) if len(real) else float("nan")
    prec = float(within_radius(fake, real, r).mean()) if len(fake) else float("nan")
    return cov, prec


def within_radius_tree(a: np.ndarray, tree, radius: float) -> np.ndarray:
    """`within_radius(a, b, radius)` with b's points in a k-d tree (scipy's cKDTree of b's finite points)."""
    a = np.asarray(a, np.float64).reshape(-1, 2)
    hit = np.zeros(len(a), dtype=bool)
    ok = np.isfinite(a).all(1)
    if tree.n == 0 or not ok.any() or not radius > 0:
        return hit
    dist, _ = tree.query(a[ok], k=1, distance_upper_bound=np.nextafter(radius, np.inf))  # bound: strict <
    hit[ok] = np.isfinite(dist)
    return hit


class RealSide:
    """What `score` needs of the real points, computed once per run (they never change): their grid
    histogram, their sorted projections for the sliced distance, the coverage radius and a k-d tree."""

    def __init__(self, real: PointSet):
        pts = np.asarray(real.points, np.float64)
        self.real = real
        self.p = smoothed(grid_histogram(pts))
        self.sorted_projections = np.sort(directions() @ pts.T, 1)
        self.radius = RADIUS_SHARE * extent_of(pts)
        self.tree = cKDTree(pts[np.isfinite(pts).all(1)]) if cKDTree is not None else None

    def coverage_precision(self, fake: np.ndarray) -> tuple[float, float]:
        real = self.real.points
        if self.tree is None:
            return coverage_precision(real, fake, self.radius)
        finite = fake[np.isfinite(fake).all(1)]
        cov = float(within_radius_tree(real, cKDTree(finite), self.radius).mean()) if len(real) else float("nan")
        prec = float(within_radius_tree(fake, self.tree, self.radius).mean()) if len(fake) else float("nan")
        return cov, prec


# ---------------------------------------------------------------- all together

@dataclass(frozen=True)
class Scores:
    kl: float
    js: float
    sliced_w: float
    coverage: float  # 0..1
    precision: float  # 0..1
    modes_captured: float = float("nan")  # mixture presets only
    modes: float = float("nan")
    high_quality: float = float("nan")  # 0..1
    reverse_kl: float = float("nan")

    def to_dict(self, digits: int = 4) -> dict[str, float | None]:
        return {k: (None if not math.isfinite(v) else round(float(v), digits)) for k, v in asdict(self).items()}


def score(real: PointSet, fake: np.ndarray, side: RealSide | None = None) -> Scores:
    """Every score of `fake` against `real`; `side` (RealSide(real)) saves the real points' share of the work
    when one set is scored many times (a live run)."""
    side = side if side is not None and side.real is real else RealSide(real)
    fake = np.asarray(fake, np.float64)
    finite = fake[np.isfinite(fake).all(1)]
    q = smoothed(grid_histogram(fake))
    m = (side.p + q) / 2
    kl, js = _kl(side.p, q), 0.5 * _kl(side.p, m) + 0.5 * _kl(q, m)
    sw = (float(w1_sorted(side.sorted_projections, np.sort(directions() @ finite.T, 1)).mean())
          if len(finite) else float("inf"))
    cov, prec = side.coverage_precision(fake)
    extra = {}
    if real.is_mixture:
        r = mode_report(fake, real.centres, real.sigma)
        extra = {"modes_captured": r.modes_captured, "modes": len(real.centres), "high_quality": r.high_quality,
                 "reverse_kl": r.reverse_kl}
    return Scores(kl, js, sw, cov, prec, **extra)

"""Real data for the 2-D trainer: anything with `sample(n, rng) -> (n, 2)` float array.

`MixtureTarget` is an equal-weight Gaussian mixture (the ring of 8, the 5×5 grid); `PointsTarget` resamples a
fixed point set (a drawing) with replacement, optionally jittered.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class MixtureTarget:
    centres: np.ndarray  # (K, 2)
    sigma: float

    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        idx = rng.integers(0, len(self.centres), n)
        return self.centres[idx] + self.sigma * rng.standard_normal((n, 2))


@dataclass(frozen=True)
class PointsTarget:
    points: np.ndarray  # (N, 2)
    jitter: float = 0.0

    def __post_init__(self):
        p = np.asarray(self.points, dtype=np.float64)
        if p.ndim != 2 or p.shape[1] != 2 or len(p) == 0:
            raise ValueError(f"points must be a non-empty (N, 2) array (got shape {p.shape})")
        if not np.isfinite(p).all():
            raise ValueError("points must all be finite numbers")
        object.__setattr__(self, "points", p)

    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        out = self.points[rng.integers(0, len(self.points), n)]
        if self.jitter > 0:
            out = out + self.jitter * rng.standard_normal((n, 2))
        return out


def as_target(data):
    """An (N, 2) array becomes a PointsTarget; an object with .sample(n, rng) is used as it is."""
    if hasattr(data, "sample"):
        return data
    return PointsTarget(np.asarray(data, dtype=np.float64))

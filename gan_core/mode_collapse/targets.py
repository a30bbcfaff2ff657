"""2-D Gaussian mixtures with equal weights: the ring of 8 (Metz et al. 2017) and the 5×5 grid (VEEGAN, PacGAN)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Mixture2D:
    name: str
    centres: np.ndarray  # (K, 2)
    sigma: float
    extent: float  # plots show [-extent, extent]²

    @property
    def k(self) -> int:
        return len(self.centres)

    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """n points (n, 2): a mode drawn uniformly, plus N(0, σ²) noise."""
        idx = rng.integers(0, self.k, n)
        return self.centres[idx] + self.sigma * rng.standard_normal((n, 2))


def ring8(radius: float = 2.0, sigma: float = 0.02) -> Mixture2D:
    angles = 2 * np.pi * np.arange(8) / 8
    centres = radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    return Mixture2D("ring8", centres, sigma, extent=3.0)


def grid25(spacing: float = 2.0, sigma: float = 0.05) -> Mixture2D:
    ticks = spacing * (np.arange(5) - 2)
    centres = np.array([(x, y) for x in ticks for y in ticks], dtype=np.float64)
    return Mixture2D("grid25", centres, sigma, extent=5.5)


def make_target(name: str) -> Mixture2D:
    if name == "ring8":
        return ring8()
    if name == "grid25":
        return grid25()
    raise ValueError(f"unknown target {name!r}")

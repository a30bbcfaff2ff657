"""Mode metrics as in VEEGAN / PacGAN, for equal-weight 2-D Gaussian mixtures.

- A generated sample is *high quality* if it lies within 3σ of its nearest mode centre.
- A mode is *captured* if at least 1/(4K) of ALL generated samples are high-quality samples on it
  (ring of 8: ≥ 3.125 %; grid of 25: ≥ 1 %; with uniform coverage each mode would hold 1/K).
- *Top-2 share*: the share of ALL samples whose nearest mode is one of the two most popular modes (0.25 for an
  even spread over 8, 1.0 when G sits near 1-2 modes, also while its cluster is still sliding between modes).
- *Reverse KL over modes*: KL(q ‖ p) with q = share of the high-quality samples per mode and p = 1/K,
  i.e. Σ_k q_k log(K q_k). 0 when G spreads evenly over all modes, log K when it sits on one.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ModeReport:
    counts: np.ndarray  # high-quality samples per mode, (K,)
    captured: np.ndarray  # bool per mode, (K,)
    n: int  # all samples
    high_quality: float  # share of samples that are high quality, 0..1
    reverse_kl: float  # nan when no sample is high quality
    nearest: np.ndarray | None = None  # all finite samples per nearest mode, (K,)

    @property
    def modes_captured(self) -> int:
        return int(self.captured.sum())

    @property
    def top2_share(self) -> float:
        """Share of all samples nearest to the two most popular modes (where G's mass sits, on-mode or not)."""
        if self.nearest is None or self.n == 0:
            return float("nan")
        return float(np.sort(self.nearest)[-2:].sum() / self.n)

    @property
    def favourite(self) -> int:
        """Index of the mode most samples are nearest to."""
        return int(np.argmax(self.nearest)) if self.nearest is not None else -1


def nearest_mode(samples: np.ndarray, centres: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index of the nearest centre and the distance to it, per sample."""
    d2 = ((samples[:, None, :] - centres[None, :, :]) ** 2).sum(-1)
    idx = d2.argmin(1)
    return idx, np.sqrt(d2[np.arange(len(samples)), idx])


def capture_threshold(k: int) -> float:
    """Share of all samples a mode must hold (as high-quality samples) to count as captured."""
    return 1.0 / (4 * k)


def mode_report(samples: np.ndarray, centres: np.ndarray, sigma: float) -> ModeReport:
    samples = np.asarray(samples, dtype=np.float64)
    centres = np.asarray(centres, dtype=np.float64)
    k, n = len(centres), len(samples)
    if n == 0:
        raise ValueError("mode_report needs at least one sample")
    finite = np.isfinite(samples).all(1)
    idx, dist = nearest_mode(np.where(finite[:, None], samples, 1e9), centres)
    hq = finite & (dist <= 3 * sigma)
    counts = np.bincount(idx[hq], minlength=k)
    captured = counts >= capture_threshold(k) * n
    total = counts.sum()
    if total == 0:
        rkl = float("nan")
    else:
        q = counts / total
        nz = q > 0
        rkl = float((q[nz] * np.log(k * q[nz])).sum())
    nearest = np.bincount(idx[finite], minlength=k)
    return ModeReport(counts=counts, captured=captured, n=n, high_quality=float(hq.mean()), reverse_kl=rkl,
                      nearest=nearest)

"""What the live numbers mean right now: the cases where the page must explain a reading.

The lecture's picture is "D(real) and D(G(z)) meet at ½ when G has learnt the data". The converse is
false: a D held smooth (R1), small, or lagging can sit at ½ while the histograms still differ (the
two-bump target shows it). `d_half_but_apart` detects that reading and names its explanation; the
texts are markdown files in `texts/` so the page and the docs say the same thing.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from gan_core.mapping_1d.losses import PROBABILITY_LOSSES

TEXTS = Path(__file__).with_name("texts")
HALF_TOLERANCE = 0.05  # mean D(real) and mean D(G(z)) both within ½ ± this count as "at ½"
APART_W1 = 0.15  # W1/σ above this is "still visibly different" (the good-fit line is 0.1σ)
FLAT_RANGE = 0.1  # D(x) varying less than this over the plotted range counts as "flat"
RECENT_ROWS = 5  # logged rows (10 steps each) averaged for the current reading

KEYS = ("d_flat_but_apart", "d_means_cancel")


@dataclass(frozen=True)
class Diagnosis:
    key: str  # one of KEYS
    d_real: float
    d_fake: float
    w1_over_std: float
    d_range: float  # max − min of D(x) over the plotted range

    @property
    def text(self) -> str:
        return explanation(self.key)


@cache
def explanation(key: str) -> str:
    """The markdown explanation for a diagnosis key."""
    if key not in KEYS:
        raise ValueError(f"unknown diagnosis {key!r}; known: {', '.join(KEYS)}")
    return (TEXTS / f"{key}.md").read_text(encoding="utf-8").strip()


def classify_d_half(d_real: float, d_fake: float, w1_over_std: float, d_range: float,
                    loss: str = "nonsaturating") -> str | None:
    """The explanation key when D reads ½ on both sides while W1 says G is still off; else None.
    Only for the BCE losses, where D is a probability and ½ means "cannot tell"."""
    if loss not in PROBABILITY_LOSSES:
        return None
    values = (d_real, d_fake, w1_over_std, d_range)
    if not all(np.isfinite(v) for v in values):
        return None
    at_half = abs(d_real - 0.5) <= HALF_TOLERANCE and abs(d_fake - 0.5) <= HALF_TOLERANCE
    if not at_half or w1_over_std <= APART_W1:
        return None
    return "d_flat_but_apart" if d_range < FLAT_RANGE else "d_means_cancel"


def d_half_but_apart(trainer) -> Diagnosis | None:
    """Read a Mapping1DTrainer now: a Diagnosis when D sits at ½ but the histograms still differ, else None."""
    if trainer.steps == 0 or len(trainer.history) == 0:
        return None
    d_real = float(np.mean(trainer.history.column("d_real")[-RECENT_ROWS:]))
    d_fake = float(np.mean(trainer.history.column("d_fake")[-RECENT_ROWS:]))
    w1_over_std = trainer.w1() / trainer.target.std
    lo, hi = trainer.target.plot_range()
    curve = trainer.discriminator_curve(np.linspace(lo, hi, 161))
    d_range = float(np.max(curve) - np.min(curve)) if np.all(np.isfinite(curve)) else float("nan")
    key = classify_d_half(d_real, d_fake, w1_over_std, d_range, trainer.config.loss)
    return None if key is None else Diagnosis(key, d_real, d_fake, w1_over_std, d_range)

"""One settings object for a game run: the page's widgets, the CLI and the tests all read it."""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, replace

from gan_core.games.fields import LOSSES, REGULARISERS, Game, make_game
from gan_core.games.rules import METHODS

GAMES = ("xy", "dirac")
ETA_MAX = 2.0  # beyond this every method blows up on the xy game within a handful of steps
MAX_STEPS = 100_000  # a 2-D game needs no more; keeps a CLI run under a few seconds
PAGE_MAX_STEPS = 5_000  # what the page animates (longer runs: the CLI)
START_LIMIT = 100.0
GAMMA_MAX = 10.0
NOISE_MAX = 5.0
DEFAULT_START = {"xy": (2.0, 2.0), "dirac": (1.0, 1.0)}


@dataclass
class GameSettings:
    game: str = "xy"
    loss: str = "standard"  # Dirac-GAN only
    reg: str = "none"  # Dirac-GAN only
    gamma: float = 1.0  # R1 / WGAN-GP strength
    noise_std: float = 1.0  # instance-noise standard deviation
    methods: tuple[str, ...] = ("simultaneous",)
    eta: float = 0.1
    steps: int = 1000
    start: tuple[float, float] = field(default_factory=lambda: DEFAULT_START["xy"])
    momentum: float = 0.0
    consensus: float = 0.5  # weight of the |F|^2/2 term in consensus optimisation

    def validate(self, max_steps: int = MAX_STEPS) -> list[str]:
        """Human-readable problems, empty when the settings can run."""
        errors: list[str] = []
        if self.game not in GAMES:
            errors.append(f"Unknown game '{self.game}': choose xy or dirac.")
        if self.loss not in LOSSES:
            errors.append(f"Unknown loss '{self.loss}': choose one of {', '.join(LOSSES)}.")
        if self.reg not in REGULARISERS:
            errors.append(f"Unknown regulariser '{self.reg}': choose one of {', '.join(REGULARISERS)}.")
        if not self.methods:
            errors.append("Pick at least one update rule.")
        for m in self.methods:
            if m not in METHODS:
                errors.append(f"Unknown method '{m}': choose one of {', '.join(METHODS)}.")
        eta = _as_float(self.eta)
        if eta is None or not math.isfinite(eta):
            errors.append("Step size η must be a finite number.")
        elif eta <= 0:
            errors.append(f"Step size η must be positive (got {eta:g}): with η ≤ 0 nobody moves, or both players walk the wrong way.")
        elif eta > ETA_MAX:
            errors.append(f"Step size η = {eta:g} is too large: use at most {ETA_MAX:g} (every rule explodes within a few steps beyond that).")
        steps = self.steps
        if isinstance(steps, float) and steps.is_integer():
            steps = int(steps)
        if not isinstance(steps, int) or isinstance(steps, bool):
            errors.append("Number of steps must be a whole number.")
        elif steps < 1:
            errors.append(f"Number of steps must be at least 1 (got {steps}).")
        elif steps > max_steps:
            errors.append(f"Number of steps {steps:,} is beyond the cap of {max_steps:,}.")
        start = tuple(self.start) if self.start is not None else ()
        if len(start) != 2:
            errors.append("The start point needs two coordinates.")
        else:
            vals = [_as_float(v) for v in start]
            if any(v is None or not math.isfinite(v) for v in vals):
                errors.append("The start point must be two finite numbers (got NaN or infinity).")
            elif any(abs(v) > START_LIMIT for v in vals):
                errors.append(f"Start coordinates must lie within ±{START_LIMIT:g}.")
        mom = _as_float(self.momentum)
        if mom is None or not math.isfinite(mom) or not -1.0 < mom < 1.0:
            errors.append("Momentum β must lie strictly between -1 and 1.")
        gamma = _as_float(self.gamma)
        if gamma is None or not math.isfinite(gamma) or not 0.0 <= gamma <= GAMMA_MAX:
            errors.append(f"Regulariser strength γ must lie in [0, {GAMMA_MAX:g}].")
        noise = _as_float(self.noise_std)
        if noise is None or not math.isfinite(noise) or not 0.0 <= noise <= NOISE_MAX:
            errors.append(f"Instance-noise σ must lie in [0, {NOISE_MAX:g}].")
        cons = _as_float(self.consensus)
        if cons is None or not math.isfinite(cons) or not 0.0 <= cons <= GAMMA_MAX:
            errors.append(f"Consensus weight must lie in [0, {GAMMA_MAX:g}].")
        return errors

    def make_game(self) -> Game:
        return make_game(self.game, self.loss, self.reg, self.gamma, self.noise_std)

    def with_(self, **changes) -> "GameSettings":
        return replace(self, **changes)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["methods"] = list(self.methods)
        d["start"] = list(self.start)
        return d


def _as_float(value) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None

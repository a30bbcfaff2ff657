"""GameConfig: the settings of one game run, described once (gan_core.settings_spec).

The page's widgets, the CLI (`python -m gan_core game`), the link and the tests read the field
metadata below; `validate()` returns {field: message}.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

from gan_core.games.fields import LOSS_LABELS, REG_LABELS, Game, make_game
from gan_core.games.rules import METHOD_LABELS
from gan_core.settings_spec import check, setting

GAMES = {"xy": "xy game: min_x max_y x·y", "dirac": "Dirac-GAN: one real point, a linear discriminator"}
ETA_MAX = 2.0  # beyond this every method blows up on the xy game within a handful of steps
MAX_STEPS = 100_000  # a 2-D game needs no more; keeps a CLI run under a few seconds
PAGE_MAX_STEPS = 5_000  # what the page animates (longer runs: the CLI)
START_LIMIT = 100.0
GAMMA_MAX = 10.0
NOISE_MAX = 5.0
DEFAULT_START = {"xy": (2.0, 2.0), "dirac": (1.0, 1.0)}


@dataclass
class GameConfig:
    game: str = field(default="xy", metadata=setting(
        "Game", "The bilinear xy game or Dirac-GAN.", choices=GAMES, widget="segmented"))
    loss: str = field(default="standard", metadata=setting(  # Dirac-GAN only
        "Loss", "Dirac-GAN's loss (the xy game has none).", choices=LOSS_LABELS, widget="select"))
    reg: str = field(default="none", metadata=setting(  # Dirac-GAN only
        "Regulariser (on the discriminator)", "Dirac-GAN only.", choices=REG_LABELS, widget="select"))
    gamma: float = field(default=1.0, metadata=setting(  # R1 / WGAN-GP strength
        "γ (R1 / WGAN-GP)", "Penalty strength of the R1 or WGAN-GP regulariser.", min=0.0, max=GAMMA_MAX,
        step=0.1, format="%g"))
    noise_std: float = field(default=1.0, metadata=setting(  # instance-noise standard deviation
        "σ (instance noise)", "Std of the noise added to real and fake samples.", min=0.0, max=NOISE_MAX,
        step=0.1, format="%g"))
    methods: tuple[str, ...] = field(default=("simultaneous",), metadata=setting(
        "Update rules (side by side)", "Each rule starts at the same point on the same field.",
        choices=METHOD_LABELS, cli=False))  # the CLI runs one: --method
    eta: float = field(default=0.1, metadata=setting(
        "Step size η", "Learning rate of both players.", max=ETA_MAX, positive=True, step=0.05, format="%.3f"))
    steps: int = field(default=1000, metadata=setting(
        "Steps", "Number of updates.", min=1, max=MAX_STEPS, step=100))
    start: tuple[float, float] = field(default=DEFAULT_START["xy"], metadata=setting(
        "Start point", "Where both players start (x, y; θ, ψ for Dirac-GAN).", min=-START_LIMIT, max=START_LIMIT,
        step=0.5, format="%.2f"))
    momentum: float = field(default=0.0, metadata=setting(
        "Momentum β", "Heavy ball: adds β·(last move). Negative β damps alternating steps into convergence.",
        min=-1.0, max=1.0, step=0.05, format="%g", advanced=True))
    consensus: float = field(default=0.5, metadata=setting(  # weight of the |F|^2/2 term in consensus optimisation
        "Consensus weight γ", "Weight of the ½|F|² term the consensus rule also descends on.", min=0.0,
        max=GAMMA_MAX, step=0.05, format="%g", advanced=True))

    def validate(self, max_steps: int = MAX_STEPS) -> dict[str, str]:
        """{field: message}, empty when the settings can run; `max_steps` is the caller's cap (the page's is lower)."""
        errors = check(self)
        if "methods" not in errors and not self.methods:
            errors["methods"] = "Pick at least one update rule."
        if "steps" not in errors and self.steps > max_steps:
            errors["steps"] = f"Number of steps {self.steps:,} is beyond the cap of {max_steps:,}."
        if "momentum" not in errors and abs(self.momentum) >= 1:
            errors["momentum"] = f"Momentum β must lie strictly between -1 and 1 (got {self.momentum:g})."
        return errors

    def make_game(self) -> Game:
        return make_game(self.game, self.loss, self.reg, self.gamma, self.noise_std)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["methods"] = list(self.methods)
        d["start"] = list(self.start)
        return d

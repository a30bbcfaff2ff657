"""Settings of one 1-D mapping experiment: defaults, limits and validation in one place.

The page's widgets, the command line and the tests all read these, so a default or a limit
lives here only. `validate()` returns {field: human message}; empty means the settings are usable.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, fields

from gan_core.mapping_1d.targets import parse_target
from gan_core.seeding import MAX_SEED
from gan_core.settings_spec import setting

# value -> label shown to people
LOSSES = {
    "nonsaturating": "Non-saturating (G maximises log D(G(z)))",
    "minimax": "Saturating minimax (G minimises log(1 − D(G(z))))",
    "least_squares": "Least squares (LSGAN)",
    "wgan_gp": "Wasserstein + gradient penalty (WGAN-GP)",
}
NOISES = {
    "uniform": "z ~ U(0, 1)",
    "normal": "z ~ N(0, 1)",
}

# (low, high), inclusive; used by validate() and as widget ranges.
LIMITS: dict[str, tuple[float, float]] = {
    "lr_g": (1e-5, 0.1),
    "lr_d": (1e-5, 0.1),
    "d_steps": (1, 10),
    "width": (4, 256),
    "batch_size": (8, 4096),
    "ema": (0.0, 0.9999),
    "beta1": (0.0, 0.99),
    "beta2": (0.9, 0.9999),
    "gp_weight": (0.0, 100.0),
    "r1": (0.0, 100.0),
    "seed": (0, MAX_SEED),
    "g_start": (-10.0, 10.0),
}

INT_FIELDS = ("d_steps", "width", "batch_size", "seed")


@dataclass
class Mapping1DConfig:
    target: str = "normal:3,0.7"
    noise: str = "uniform"
    loss: str = "nonsaturating"
    # D learns 4× faster than G (two time-scale rule): G then follows a nearly up-to-date D
    # instead of chasing a stale one, which is what makes the run settle rather than circle.
    # 1e-3 (was 5e-4 when G started on the data): G has 3σ to travel from where it starts.
    # (Measured with beta1 = 0.5: lr_g = 1e-3 drifted off the target after ~8,000 steps; with beta1 = 0 it stays.)
    lr_g: float = 1e-3
    lr_d: float = 4e-3
    d_steps: int = 1
    width: int = 32
    # 256 samples per batch: D's verdict is then precise enough for W1 below 0.1 σ (at 128 the
    # batch-to-batch noise alone is about that size).
    batch_size: int = 256
    seed: int = 0
    # Exponential moving average of G's weights: averages out the jitter of the two-player
    # game, so the drawn generator settles instead of wobbling around the target (0 = off).
    ema: float = 0.999
    # Adam's first-moment decay. 0 (no momentum, as in WGAN-GP and StyleGAN): momentum makes each
    # player overshoot the other's last move; measured 0.9 ≫ 0.5 > 0 in how far runs wander off.
    beta1: float = 0.0
    # Adam's second-moment decay.
    beta2: float = 0.999
    # γ of the R1 penalty on D's slope at real data (BCE and least-squares losses; 0 = off).
    # It keeps D from building a cliff around the data that G then overshoots, so the game
    # converges instead of oscillating (measured: the two-mode mixture needs it). It also caps how sure
    # D gets while G is still 3σ away (about 0.65 / 0.35); γ = 1 gives about 0.8 / 0.2 but let the
    # two-mode mixture wander off the target again after it converged (W1 up to 0.8σ between steps
    # 3,000 and 15,000; γ = 2: up to 0.11σ; γ = 3: ≤ 0.07σ), so γ stays 3.
    r1: float = 3.0
    # λ of the WGAN-GP gradient penalty (used by loss="wgan_gp" only). Not the paper's 10: in
    # standardised 1-D units λ = 10 pins D's slope to 1 all the way between real and generated
    # samples, D turns into nearly a straight line that pushes every sample the same way, and G
    # collapsed to a point in every run measured; λ = 0.1 keeps D's slope bounded and still shaped.
    gp_weight: float = 0.1
    # Where G's samples start, in target standard deviations from the target's mean (added to G's
    # output bias at initialisation). Off to one side, as in the lecture's picture: D can tell the
    # fakes apart at first, and the run shows G travelling onto the data. 0 = a spike on the mean.
    g_start: float = field(default=-3.0, metadata=setting(
        "Where G starts (σ from the mean)",
        "G's samples start this many target standard deviations from the data's mean (0: on top of it).",
        min=-10.0, max=10.0, step=0.5, format="%.1f", advanced=True))

    def validate(self) -> dict[str, str]:
        errors: dict[str, str] = {}
        try:
            parse_target(self.target)
        except ValueError as exc:
            errors["target"] = str(exc)
        if self.noise not in NOISES:
            errors["noise"] = f"noise must be one of {', '.join(NOISES)} (got {self.noise!r})"
        if self.loss not in LOSSES:
            errors["loss"] = f"loss must be one of {', '.join(LOSSES)} (got {self.loss!r})"
        for name, (lo, hi) in LIMITS.items():
            value = getattr(self, name)
            label = _LABELS.get(name, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                errors[name] = f"{label} must be a number (got {value!r})"
                continue
            if name in INT_FIELDS and int(value) != value:
                errors[name] = f"{label} must be a whole number (got {value!r})"
                continue
            if not math.isfinite(value):
                errors[name] = f"{label} must be a finite number (got {value!r})"
            elif name in ("lr_g", "lr_d") and value <= 0:
                errors[name] = f"{label} must be greater than 0 (got {value:g}); try {_default(name):g}"
            elif value < lo:
                errors[name] = f"{label} must be at least {lo:g} (got {value:g})"
            elif value > hi:
                hint = " — that large a step makes training blow up" if name in ("lr_g", "lr_d") else ""
                errors[name] = f"{label} must be at most {hi:g} (got {value:g}){hint}"
        return errors

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Mapping1DConfig:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


_LABELS = {
    "lr_g": "Generator learning rate",
    "lr_d": "Discriminator learning rate",
    "d_steps": "D steps per G step",
    "width": "Network width",
    "batch_size": "Batch size",
    "ema": "EMA decay of G's weights",
    "beta1": "Adam β1",
    "beta2": "Adam β2",
    "gp_weight": "Gradient-penalty weight λ",
    "r1": "R1 penalty weight γ",
    "seed": "Seed",
    "g_start": "Where G starts",
}


def _default(name: str) -> float:
    return next(f.default for f in fields(Mapping1DConfig) if f.name == name)

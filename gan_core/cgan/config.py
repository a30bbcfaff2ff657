"""CGANConfig: the one settings object the page, the CLI and the tests share."""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, fields

from gan_core.settings_spec import check, setting

LOSSES = {
    "nonsaturating": "Sigmoid + binary cross-entropy, non-saturating G (the lectures' loss; G maximises log D(G(z, y)))",
    "hinge": "Hinge (D: max(0, 1 − D(real)) + max(0, 1 + D(fake)); G: −D(fake)); D gives scores, not probabilities",
}
PRIORS = {"normal": "N(0, 1)"}
# (low, high) for numeric fields: used by validate() and by the page's widgets.
LIMITS = {
    "latent_dim": (2, 64),
    "width": (8, 256),
    "batch_size": (8, 1024),
    "lr_g": (1e-5, 1e-2),
    "lr_d": (1e-5, 1e-2),
    "beta1": (0.0, 0.99),
    "ema": (0.0, 0.9999),
    "mode_seeking": (0.0, 10.0),
    "seed": (0, 2**31 - 1),
}


@dataclass
class CGANConfig:
    """Defaults are the tuned fast-on-CPU choice (docs/cgan.md shows the accuracy-vs-time curve)."""

    latent_dim: int = 16
    prior: str = "normal"  # z ~ N(0, I); the sliders span ±3 standard deviations
    width: int = 8  # G's base channels: 4·width at 7×7, 2·width at 14×14 (models.architecture_table)
    batch_size: int = 32
    lr_g: float = 3e-3
    lr_d: float = 4e-3
    beta1: float = 0.5
    loss: str = "nonsaturating"
    # An exponential moving average of G's weights: GAN weights keep circling the equilibrium,
    # their average sits closer to it and gives cleaner digits at no training cost. The decay warms
    # up as (1 + step) / (10 + step), so early snapshots are not held back by the random init.
    ema: float = 0.999
    # Random 2-pixel translations of real *and* fake digits before D sees them: with only 4,500
    # training digits D otherwise memorises them and stops teaching G.
    augment: bool = True
    # Shift every digit by its own random offset (True) rather than the whole batch by one offset
    # (False): each batch mixes all 25 offsets, so D overfits far less to the 4,500 digits and stops
    # pushing G towards a few "safe" prototypes per class (shipped model: diversity 0.79 -> 0.92).
    augment_per_digit: bool = True
    # Mode-seeking weight λ (Mao et al. 2019): G also maximises |G(z1, y) - G(z2, y)| / |z1 - z2| for
    # pairs that share a label, so different z's must give visibly different digits of the same class.
    # 0 turns it off.
    mode_seeking: float = 0.05
    seed: int = 0
    d_width: int = field(default=32, metadata=setting(
        "D width", "The discriminator's channels: d_width / 2 after its first conv, d_width after its second.",
        min=8, max=256, step=8, advanced=True))
    batch_norm: bool = field(default=True, metadata=setting(
        "Batch norm in G", "Normalise G's hidden layers over the batch (DCGAN). Off: plain ReLU layers.",
        advanced=True))
    # AC-GAN (Odena et al. 2017): D also names the digit (trained on real digits only) and G is rewarded
    # when D names its digit as the requested one. Cuts the steps to readable labels about in half.
    class_loss: float = field(default=1.0, metadata=setting(
        "Classifier weight (AC-GAN)", "D also learns to name real digits, and G is rewarded when D names its "
        "digit as the one asked for. 0 = a plain conditional GAN.", min=0.0, max=10.0, step=0.1, format="%.2f"))

    def validate(self) -> dict[str, str]:
        """Field name -> human message; empty when every value is usable."""
        problems: dict[str, str] = dict(check(self))
        for name, (low, high) in LIMITS.items():
            value = getattr(self, name)
            if isinstance(value, float) and not math.isfinite(value):
                problems[name] = f"{name} must be a finite number"
            elif not (low <= value <= high):
                problems[name] = f"{name} must be between {low:g} and {high:g} (got {value:g})"
        if isinstance(self.d_width, int) and self.d_width % 2:
            problems["d_width"] = "d_width must be even (D's first conv uses d_width / 2 channels)"
        if self.loss not in LOSSES:
            problems["loss"] = f"loss must be one of {', '.join(LOSSES)} (got {self.loss!r})"
        if self.prior not in PRIORS:
            problems["prior"] = f"prior must be one of {', '.join(PRIORS)} (got {self.prior!r})"
        return problems

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "CGANConfig":
        """Build from a dict, ignoring unknown keys (older/newer JSON) but keeping types."""
        names = {f.name: f.type for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})

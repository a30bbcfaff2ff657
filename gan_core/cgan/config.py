"""CGANConfig: the one settings object the page, the CLI and the tests share, described once
(gan_core.settings_spec): labels, help and limits live in the field metadata below."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

from gan_core.seeding import MAX_SEED
from gan_core.settings_spec import check, setting

LOSSES = {
    "hinge": "Hinge (D: max(0, 1 − D(real)) + max(0, 1 + D(fake)); G: −D(fake))",
    "nonsaturating": "Non-saturating BCE (G maximises log D(G(z, y)))",
}
PRIORS = {"normal": "N(0, 1)"}


@dataclass
class CGANConfig:
    """Defaults are the tuned fast-on-CPU choice (docs/cgan.md shows the accuracy-vs-time curve)."""

    latent_dim: int = field(default=16, metadata=setting(
        "Latent size", "Dimensions of the noise z that carries the style.", min=2, max=64, step=1, advanced=True))
    # z ~ N(0, I); the sliders span ±3 standard deviations
    prior: str = field(default="normal", metadata=setting(
        "Prior of z", "The distribution z is drawn from.", choices=PRIORS, advanced=True))
    width: int = field(default=32, metadata=setting(
        "Network width", "Channels of G's and D's first layer (even: the last layer uses width / 2).",
        min=8, max=256, step=2, advanced=True))
    batch_size: int = field(default=64, metadata=setting(
        "Batch size", "Real and generated digits per step.", min=8, max=1024, step=32))
    lr_g: float = field(default=2e-3, metadata=setting(
        "G learning rate", "Adam step size for the generator.", min=1e-5, max=1e-2, positive=True, step=1e-4,
        format="%.4f"))
    lr_d: float = field(default=2e-3, metadata=setting(
        "D learning rate", "Adam step size for the discriminator.", min=1e-5, max=1e-2, positive=True, step=1e-4,
        format="%.4f"))
    beta1: float = field(default=0.5, metadata=setting(
        "Adam β1", "Momentum of both optimisers.", min=0.0, max=0.99, step=0.05, format="%g", advanced=True))
    loss: str = field(default="hinge", metadata=setting(
        "Loss", "How D is scored and what G tries to minimise.", choices=LOSSES, widget="select"))
    # An exponential moving average of G's weights: GAN weights keep circling the equilibrium,
    # their average sits closer to it and gives cleaner digits at no training cost. The decay warms
    # up as (1 + step) / (10 + step), so early snapshots are not held back by the random init.
    ema: float = field(default=0.999, metadata=setting(
        "EMA decay of G", "0 = show the raw generator; 0.999 averages its last ~1,000 steps once warmed up.",
        min=0.0, max=0.9999, step=0.001, format="%.4f"))
    # Random 2-pixel translations of real *and* fake digits before D sees them: with only 4,500
    # training digits D otherwise memorises them and stops teaching G.
    augment: bool = field(default=True, metadata=setting(
        "Shift digits before D sees them",
        "Shift real and fake digits by ±2 px before D sees them (stops D memorising 4,500 digits).",
        widget="toggle"))
    # Shift every digit by its own random offset (True) rather than the whole batch by one offset
    # (False): each batch mixes all 25 offsets, so D overfits far less to the 4,500 digits and stops
    # pushing G towards a few "safe" prototypes per class (shipped model: diversity 0.79 -> 0.92).
    augment_per_digit: bool = field(default=True, metadata=setting(
        "Shift each digit separately", "Shift each digit by its own random offset rather than the whole batch "
        "at once.", widget="toggle", advanced=True))
    # Mode-seeking weight λ (Mao et al. 2019): G also maximises |G(z1, y) - G(z2, y)| / |z1 - z2| for
    # pairs that share a label, so different z's must give visibly different digits of the same class.
    # 0 turns it off.
    mode_seeking: float = field(default=0.05, metadata=setting(
        "Mode seeking λ", "Penalises G when two different z give near-identical digits (Mao et al. 2019): more "
        "variety within a class. 0 = off; large values trade accuracy for scribbles.", min=0.0, max=10.0,
        step=0.01, format="%.3f"))
    seed: int = field(default=0, metadata=setting(
        "Seed", "Same seed + same settings = the same run.", min=0, max=MAX_SEED, step=1))

    def validate(self) -> dict[str, str]:
        """Field name -> human message; empty when every value is usable."""
        problems = check(self)
        if "width" not in problems and self.width % 2:
            problems["width"] = "Network width must be even (the last layer uses width / 2 channels)."
        return problems

    def to_dict(self) -> dict:
        return asdict(self)

"""Settings of the mode-collapse lesson, described once (gan_core.settings_spec): the page, the CLI,
the link and the tests read the field metadata below."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

from gan_core.seeding import MAX_SEED
from gan_core.settings_spec import check, setting

TARGETS = {
    "ring8": "Ring of 8 Gaussians (radius 2, σ 0.02)",
    "grid25": "5×5 grid of 25 Gaussians (spacing 2, σ 0.05)",
}
LOSSES = {
    "nonsaturating": "Non-saturating: G minimises −log D(G(z))",
    "minimax": "Saturating minimax: G minimises log(1 − D(G(z)))",
}
REMEDIES = {
    "none": "None (plain GAN)",
    "pack": "PacGAN packing (D sees m samples at once)",
    "unrolled": "Unrolled D (G looks k D-steps ahead)",
    "mbstd": "Minibatch standard deviation feature in D",
    "r1": "R1 gradient penalty on D",
}


@dataclass(frozen=True)
class ModeCollapseConfig:
    target: str = field(default="ring8", metadata=setting(
        "Target", "The mixture of Gaussians G must cover.", choices=TARGETS, widget="select"))
    loss: str = field(default="nonsaturating", metadata=setting(
        "G's loss", "What G minimises.", choices=LOSSES, widget="select"))
    remedy: str = field(default="none", metadata=setting(
        "Remedy", "A known cure for mode collapse, or none to watch the plain GAN collapse.", choices=REMEDIES,
        widget="select"))
    # Defaults measured to show the classic collapse (docs/mode_collapse.md): a high-dimensional z, a one-layer
    # D and lr 5e-4 make the plain GAN put nearly all samples near 1-2 modes and rotate between them.
    lr_g: float = field(default=5e-4, metadata=setting(
        "Learning rate of G", "Adam step size for the generator.", min=1e-5, max=0.05, positive=True, step=1e-4,
        format="%g"))
    lr_d: float = field(default=5e-4, metadata=setting(
        "Learning rate of D", "Adam step size for the discriminator.", min=1e-5, max=0.05, positive=True,
        step=1e-4, format="%g"))
    batch_size: int = field(default=128, metadata=setting(
        "Batch size", "Real and generated samples per step.", min=16, max=1024, step=16))
    width: int = field(default=128, metadata=setting(
        "Width of G and D", "Hidden units per layer.", min=8, max=512, step=16, advanced=True))
    z_dim: int = field(default=64, metadata=setting(
        "Noise dimension of z", "Size of the noise vector G is fed.", min=1, max=256, step=1, advanced=True))
    pack: int = field(default=2, metadata=setting(  # PacGAN: samples per pack
        "Pack size m", "PacGAN: samples D judges together (remedy pack only).", min=2, max=4, step=1))
    unroll: int = field(default=3, metadata=setting(  # unrolled D: lookahead steps (differentiated through)
        "Unrolled steps k", "D-steps G looks ahead (remedy unrolled only); each costs about one D step per G "
        "step.", min=1, max=5, step=1))
    # R1: penalty weight γ (loss term γ/2 · E‖∇D(x_real)‖²)
    r1_gamma: float = field(default=1.0, metadata=setting(
        "R1 weight γ", "Penalty γ/2 · E‖∇D(x_real)‖² on D's slope at real data (remedy r1 only).",
        min=1e-4, max=100.0, step=0.5, format="%g"))
    seed: int = field(default=0, metadata=setting(
        "Seed", "Same seed + same settings = the same run.", min=0, max=MAX_SEED, step=1))

    def validate(self) -> dict[str, str]:
        """Field name -> human message for each bad setting (empty dict = valid)."""
        return check(self)

    def to_dict(self) -> dict:
        return asdict(self)

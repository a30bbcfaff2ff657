"""Settings of the mode-collapse lesson: one dataclass shared by the page, the CLI and the tests,
described once with settings_spec metadata. It maps onto the general 2-D core's TwoDConfig (`to_twod`)."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

from gan_core.seeding import MAX_SEED
from gan_core.settings_spec import check, setting
from gan_core.twod.config import UNROLL_ORDERS, TwoDConfig

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
    # Defaults measured in docs/mode_collapse.md (several seeds): the literature's nets (G 2×128 ReLU, D 1×128 ReLU,
    # Adam β₁ = 0.5, z ∈ R⁶⁴, batch 128), with lr 2e-3 and a short EMA of G (0.95) so that the cure shows within a
    # live lesson (~2,000 steps) while the plain GAN still collapses onto 1-2 modes and hops between them.
    lr_g: float = field(default=2e-3, metadata=setting(
        "Learning rate of G", "Adam step size for the generator.", min=1e-5, max=0.05, positive=True, step=1e-4,
        format="%g"))
    lr_d: float = field(default=2e-3, metadata=setting(
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
    unroll: int = field(default=3, metadata=setting(  # unrolled D: lookahead steps
        "Unrolled steps k", "D-steps G looks ahead (remedy unrolled only); each costs about one D step per G "
        "step.", min=1, max=5, step=1))
    unroll_order: str = field(default="first", metadata=setting(
        "Unrolling", "First order: G is scored by the future D. Second order (Metz et al.): G's gradient also flows "
        "through the k steps — exact, several times slower (remedy unrolled only).", choices=UNROLL_ORDERS,
        widget="select", advanced=True))
    # R1: penalty weight γ (loss term γ/2 · E‖∇D(x_real)‖²)
    r1_gamma: float = field(default=1.0, metadata=setting(
        "R1 weight γ", "Penalty γ/2 · E‖∇D(x_real)‖² on D's slope at real data (remedy r1 only).",
        min=1e-4, max=100.0, step=0.5, format="%g"))
    ema: float = field(default=0.95, metadata=setting(
        "EMA of G's weights", "What is drawn and measured is a running average of G's weights (0 = G itself; "
        "0.95 averages over ~20 steps and removes G's step-to-step jitter).", min=0.0, max=0.9999, step=0.01,
        format="%g", advanced=True))
    seed: int = field(default=0, metadata=setting(
        "Seed", "Same seed + same settings = the same run.", min=0, max=MAX_SEED, step=1))

    def validate(self) -> dict[str, str]:
        """Field name -> human message for each bad setting (empty dict = valid)."""
        return check(self)

    def to_dict(self) -> dict:
        return asdict(self)

    def to_twod(self) -> TwoDConfig:
        """The general 2-D core's settings for this lesson run."""
        r = self.remedy
        return TwoDConfig(
            noise_dim=self.z_dim, noise="gaussian", g_layers=2, g_width=self.width, d_layers=1, d_width=self.width,
            activation="relu", optimizer="adam", beta1=0.5, beta2=0.999, lr_g=self.lr_g, lr_d=self.lr_d,
            loss=self.loss, d_steps=1, batch_size=self.batch_size, mbstd=r == "mbstd",
            pack=self.pack if r == "pack" else 1, r1_gamma=self.r1_gamma if r == "r1" else 0.0,
            unroll=self.unroll if r == "unrolled" else 0, unroll_order=self.unroll_order, ema=self.ema, seed=self.seed)

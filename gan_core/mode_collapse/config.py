"""Settings of the mode-collapse lesson: one dataclass shared by the page, the CLI and the tests,
described once with settings_spec metadata. It maps onto the general 2-D core's TwoDConfig (`to_twod`)."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

from gan_core.settings_spec import check, setting, spec_of
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
    target: str = field(default="ring8", metadata=setting("Target", "The mixture G must cover.", choices=TARGETS))
    loss: str = field(default="nonsaturating", metadata=setting("G's loss", choices=LOSSES, advanced=True))
    remedy: str = field(default="none", metadata=setting("Remedy", "What is changed against mode collapse.",
                                                         choices=REMEDIES))
    # Defaults measured in docs/mode_collapse.md (several seeds): the literature's nets (G 2×128 ReLU,
    # D 1×128 ReLU, Adam β₁ = 0.5) with a 64-dimensional z, batch 128; lr 2e-3 and a short EMA of G (0.95)
    # so that the cure shows within a live lesson (~2,000 steps) while the plain GAN still collapses.
    lr_g: float = field(default=2e-3, metadata=setting(
        "Learning rate of G", min=1e-5, max=0.05, positive=True, format="%g", step=1e-4, advanced=True))
    lr_d: float = field(default=2e-3, metadata=setting(
        "Learning rate of D", min=1e-5, max=0.05, positive=True, format="%g", step=1e-4, advanced=True))
    batch_size: int = field(default=128, metadata=setting("Batch size", min=16, max=1024, step=16, advanced=True))
    width: int = field(default=128, metadata=setting(
        "Network width", "Hidden units per layer of G and D.", min=8, max=512, step=8, advanced=True))
    z_dim: int = field(default=64, metadata=setting(
        "Noise dimension", "Size of G's Gaussian noise z.", min=1, max=256, step=1, advanced=True))
    pack: int = field(default=2, metadata=setting(
        "Pack size m", "PacGAN: samples D judges at once.", min=2, max=4, step=1))
    unroll: int = field(default=3, metadata=setting(
        "Unrolled steps k", "Unrolled D: lookahead D steps G is scored against.", min=1, max=5, step=1))
    unroll_order: str = field(default="first", metadata=setting("Unrolling", choices=UNROLL_ORDERS, advanced=True))
    r1_gamma: float = field(default=1.0, metadata=setting(
        "R1 weight γ", "Penalty γ/2·E‖∇D(x_real)‖² on D.", min=1e-4, max=100.0, format="%g", step=0.5))
    ema: float = field(default=0.95, metadata=setting(
        "EMA of G's weights", "Decay of the running average of G's weights that is drawn and measured (0 = off).",
        min=0.0, max=0.9999, format="%g", step=0.001, advanced=True))
    seed: int = field(default=0, metadata=setting("Seed", min=0, max=2**31 - 1, step=1))

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


def _limits() -> dict[str, tuple[float, float]]:
    out = {}
    for name in ("lr_g", "lr_d", "batch_size", "width", "z_dim", "pack", "unroll", "r1_gamma"):
        s = spec_of(ModeCollapseConfig, name).setting
        out[name] = (s.min, s.max)
    return out


LIMITS = _limits()  # kept for the page: (min, max) per numeric setting, read from the metadata

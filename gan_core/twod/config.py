"""Settings of a 2-D GAN: one frozen dataclass, described once with settings_spec metadata.

Defaults are the mode-collapse literature's nets (Metz et al. 2017, VEEGAN): G two hidden layers of 128 ReLU,
D one hidden layer of 128 ReLU, Adam with β₁ = 0.5.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

from gan_core.settings_spec import check, setting

NOISES = {"gaussian": "Gaussian N(0, 1)", "uniform": "Uniform U(−1, 1)"}
ACTIVATIONS = {"relu": "ReLU", "leaky_relu": "LeakyReLU (0.2)", "tanh": "tanh"}
OPTIMIZERS = {"adam": "Adam", "sgd": "SGD (plain gradient descent)"}
LOSSES = {
    "nonsaturating": "Non-saturating: G minimises −log D(G(z))",
    "minimax": "Saturating minimax: G minimises log(1 − D(G(z)))",
    "least_squares": "Least squares (LSGAN): D → 1 on real, 0 on fake",
    "wgan_gp": "Wasserstein with gradient penalty (WGAN-GP)",
}
UNROLL_ORDERS = {
    "first": "First order: G is scored by D after k steps (no gradient through them)",
    "second": "Second order (Metz et al.): G's gradient flows through the k steps (PyTorch)",
}


@dataclass(frozen=True)
class TwoDConfig:
    noise_dim: int = field(default=64, metadata=setting(
        "Noise dimension", "Size of the noise vector z fed to G.", min=1, max=256, step=1))
    noise: str = field(default="gaussian", metadata=setting("Noise", "Distribution of z.", choices=NOISES))
    g_layers: int = field(default=2, metadata=setting("G hidden layers", min=1, max=6, step=1))
    g_width: int = field(default=128, metadata=setting("G neurons per layer", min=2, max=512, step=1))
    d_layers: int = field(default=1, metadata=setting("D hidden layers", min=1, max=6, step=1))
    d_width: int = field(default=128, metadata=setting("D neurons per layer", min=2, max=512, step=1))
    activation: str = field(default="relu", metadata=setting(
        "Activation", "Hidden-layer nonlinearity of both networks.", choices=ACTIVATIONS))
    optimizer: str = field(default="adam", metadata=setting("Optimiser", choices=OPTIMIZERS))
    beta1: float = field(default=0.5, metadata=setting(
        "Adam β₁", "Momentum of Adam's gradient average.", min=0.0, max=0.999, advanced=True))
    beta2: float = field(default=0.999, metadata=setting(
        "Adam β₂", "Decay of Adam's squared-gradient average.", min=0.0, max=0.9999, advanced=True))
    lr_g: float = field(default=5e-4, metadata=setting(
        "G learning rate", "How far G moves per step.", min=1e-6, max=0.1, positive=True, format="%.0e"))
    lr_d: float = field(default=5e-4, metadata=setting(
        "D learning rate", "How far D moves per step.", min=1e-6, max=0.1, positive=True, format="%.0e"))
    loss: str = field(default="nonsaturating", metadata=setting("Loss", choices=LOSSES))
    gp_weight: float = field(default=10.0, metadata=setting(
        "Gradient-penalty weight λ", "WGAN-GP: λ·E(‖∇D(x̂)‖ − 1)².", min=0.0, max=100.0, advanced=True))
    d_steps: int = field(default=1, metadata=setting(
        "D steps per G step", min=1, max=10, step=1))
    batch_size: int = field(default=128, metadata=setting(
        "Batch size", "Samples (packs, with packing) per batch.", min=2, max=2048, step=1))
    mbstd: bool = field(default=False, metadata=setting(
        "Minibatch std feature", "D also sees the batch's spread (Karras et al. 2018).", widget="toggle"))
    pack: int = field(default=1, metadata=setting(
        "Pack size m", "PacGAN: D judges m samples at once (1 = off).", min=1, max=8, step=1))
    r1_gamma: float = field(default=0.0, metadata=setting(
        "R1 weight γ", "γ/2·E‖∇D(x_real)‖² on D (0 = off).", min=0.0, max=100.0))
    unroll: int = field(default=0, metadata=setting(
        "Unrolled D steps k", "G is scored by D advanced k steps (0 = off).", min=0, max=10, step=1))
    unroll_order: str = field(default="first", metadata=setting(
        "Unrolling", choices=UNROLL_ORDERS, advanced=True))
    ema: float = field(default=0.0, metadata=setting(
        "EMA of G's weights", "Decay of the running average of G's weights that is drawn and measured "
        "(0 = off; 0.99 averages over ~100 steps). Training itself uses G's own weights.",
        min=0.0, max=0.9999, advanced=True))
    seed: int = field(default=0, metadata=setting("Seed", min=0, max=2**31 - 1, step=1))

    def validate(self) -> dict[str, str]:
        """Field name -> message for each bad setting (empty = valid)."""
        return check(self)

    def to_dict(self) -> dict:
        return asdict(self)

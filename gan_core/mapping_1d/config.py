"""Settings of one 1-D mapping experiment, described once (gan_core.settings_spec).

The page's widgets, the command line, the link and the tests all read the field metadata below, so a
default, a label or a limit lives here only. `validate()` returns {field: human message}; empty means
the settings are usable.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

from gan_core.mapping_1d.targets import parse_target
from gan_core.seeding import MAX_SEED
from gan_core.settings_spec import check, setting

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
TARGET_HELP = "normal:MU,SIGMA | uniform:A,B | mixture:W,MU,S;W,MU,S | exp:RATE"


@dataclass
class Mapping1DConfig:
    target: str = field(default="normal:3,0.7", metadata=setting(
        "Target distribution", f"The distribution p(x) G must learn to produce: {TARGET_HELP}.", widget="text"))
    noise: str = field(default="uniform", metadata=setting(
        "Noise z", "What G is fed. G is deterministic: all randomness comes from z.", choices=NOISES,
        widget="radio"))
    loss: str = field(default="nonsaturating", metadata=setting(
        "Loss", "How D is scored and what G tries to minimise.", choices=LOSSES, widget="select"))
    # D learns 8× faster than G (two time-scale rule): G then follows a nearly up-to-date D
    # instead of chasing a stale one, which is what makes the run settle rather than circle.
    # (Measured: with lr_g = 1e-3 runs reach the target as fast but drift off it after ~8,000 steps.)
    lr_g: float = field(default=5e-4, metadata=setting(
        "Learning rate of G", "Adam step size for the generator.", min=1e-5, max=0.1, positive=True,
        step=5e-4, format="%g"))
    lr_d: float = field(default=4e-3, metadata=setting(
        "Learning rate of D", "Adam step size for the discriminator.", min=1e-5, max=0.1, positive=True,
        step=5e-4, format="%g"))
    d_steps: int = field(default=1, metadata=setting(
        "D steps per G step", "More D steps = a stronger D.", min=1, max=10, step=1))
    width: int = field(default=32, metadata=setting(
        "Width (units per hidden layer)", "Hidden units per layer of G and D (2 hidden layers each).",
        min=4, max=256, step=8, advanced=True))
    # 256 samples per batch: D's verdict is then precise enough for W1 below 0.1 σ (at 128 the
    # batch-to-batch noise alone is about that size).
    batch_size: int = field(default=256, metadata=setting(
        "Batch size", "Real and generated samples per step.", min=8, max=4096, step=32))
    seed: int = field(default=0, metadata=setting(
        "Seed", "Same seed + same settings = the same run.", min=0, max=MAX_SEED, step=1))
    # Exponential moving average of G's weights: averages out the jitter of the two-player
    # game, so the drawn generator settles instead of wobbling around the target (0 = off).
    ema: float = field(default=0.999, metadata=setting(
        "EMA decay of G's weights", "The drawn G is a running average of G's weights; it smooths the jitter "
        "of the two-player game. 0 turns it off and shows the raw G.", min=0.0, max=0.9999, step=0.001,
        format="%g", advanced=True))
    # Adam's first-moment decay. 0 (no momentum, as in WGAN-GP and StyleGAN): momentum makes each
    # player overshoot the other's last move; measured 0.9 ≫ 0.5 > 0 in how far runs wander off.
    beta1: float = field(default=0.0, metadata=setting(
        "Adam β1", "Momentum of both optimisers. 0 lets each player react to the other's latest move "
        "without overshooting.", min=0.0, max=0.99, step=0.05, format="%g", advanced=True))
    # Adam's second-moment decay.
    beta2: float = field(default=0.999, metadata=setting(
        "Adam β2", "How long Adam remembers gradient sizes.", min=0.9, max=0.9999, step=0.001, format="%g",
        advanced=True))
    # γ of the R1 penalty on D's slope at real data (BCE and least-squares losses; 0 = off).
    # It keeps D from building a cliff around the data that G then overshoots, so the game
    # converges instead of oscillating (measured: the two-mode mixture needs it).
    r1: float = field(default=3.0, metadata=setting(
        "R1 penalty γ on D", "Penalises the steepness of D at real data (BCE and least-squares losses), so D "
        "cannot build a cliff that G overshoots. 0 = off: a sharper, stronger D.", min=0.0, max=100.0,
        step=0.5, format="%g", advanced=True))
    # λ of the WGAN-GP gradient penalty (used by loss="wgan_gp" only). Not the paper's 10: in
    # standardised 1-D units λ = 10 pins D's slope to 1 all the way between real and generated
    # samples, D turns into nearly a straight line that pushes every sample the same way, and G
    # collapsed to a point in every run measured; λ = 0.1 keeps D's slope bounded and still shaped.
    gp_weight: float = field(default=0.1, metadata=setting(
        "Gradient-penalty weight λ", "WGAN-GP (loss wgan_gp only) pulls the critic's slope towards 1 between "
        "real and generated samples; 0.1 suits these standardised 1-D units.", min=0.0, max=100.0,
        step=0.05, format="%g", advanced=True))

    def validate(self) -> dict[str, str]:
        errors = check(self)
        if "target" not in errors:
            try:
                parse_target(self.target)
            except ValueError as exc:
                errors["target"] = str(exc)
        return errors

    def to_dict(self) -> dict:
        return asdict(self)

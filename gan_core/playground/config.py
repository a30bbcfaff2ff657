"""Settings of the 2-D playground: the 2-D trainer's settings (gan_core/twod) with the playground's defaults,
plus what data to learn. One frozen dataclass shared by the page, the CLI, the link and the tests."""
from __future__ import annotations

from dataclasses import dataclass, field

from gan_core.playground.data import PRESETS, DataError, decode_points
from gan_core.settings_spec import setting
from gan_core.twod.config import NOISES, TwoDConfig

TARGETS = {**PRESETS, "drawing": "Your own points (drawn, pasted or uploaded)"}
COMPARE = {  # a second run beside the first: only these settings differ (same data, same seed)
    "none": "No: one run",
    "wgan_gp": "Loss: WGAN-GP",
    "minimax": "Loss: saturating minimax",
    "least_squares": "Loss: least squares",
    "pack": "No packing (m = 1)",
    "mbstd": "Minibatch std feature",
    "d_steps": "5 D steps per G step",
    "noise_1d": "1-D noise",
}


@dataclass(frozen=True)
class PlaygroundConfig(TwoDConfig):
    # The playground draws the noise plane, so noise is 1-D or 2-D; the other defaults were chosen on drawings
    # the benchmark does not use (docs/playground.md, benchmarks/bench_playground.py).
    noise_dim: int = field(default=2, metadata=setting(
        "Noise dimension", "1: G draws a curve; 2: G warps a plane.", min=1, max=2, step=1, widget="segmented"))
    noise: str = field(default="uniform", metadata=setting("Noise", "Distribution of z.", choices=NOISES))
    g_layers: int = field(default=2, metadata=setting("G hidden layers", min=1, max=6, step=1))
    g_width: int = field(default=64, metadata=setting("G neurons per layer", min=2, max=512, step=1))
    d_layers: int = field(default=2, metadata=setting("D hidden layers", min=1, max=6, step=1))
    d_width: int = field(default=64, metadata=setting("D neurons per layer", min=2, max=512, step=1))
    lr_g: float = field(default=1e-3, metadata=setting(
        "G learning rate", "How far G moves per step.", min=1e-6, max=0.1, positive=True, format="%.0e"))
    lr_d: float = field(default=1e-3, metadata=setting(
        "D learning rate", "How far D moves per step.", min=1e-6, max=0.1, positive=True, format="%.0e"))
    batch_size: int = field(default=128, metadata=setting(
        "Batch size", "Samples (packs, with packing) per batch.", min=2, max=2048, step=1))
    ema: float = field(default=0.99, metadata=setting(
        "EMA of G's weights", "Decay of the running average of G's weights that is drawn and measured "
        "(0 = off: the views show G's own weights; 0.99 averages over ~100 steps, which calms the views and the "
        "scores). Training itself uses G's own weights.", min=0.0, max=0.9999, advanced=True))
    pack: int = field(default=2, metadata=setting(
        "Pack size m", "PacGAN: D judges m samples at once (1 = off). Two made the playground's drawings come out "
        "whole (no dropped blob or stroke) in fewer steps.", min=1, max=8, step=1))
    target: str = field(default="ring8", metadata=setting(
        "Data", "What G must learn to draw.", choices=TARGETS, cli=False))
    drawing: str = field(default="", metadata=setting(
        "Drawing", "Your points, encoded for the link (a byte per coordinate on a 256-level grid).",
        cli=False, widget="text", advanced=True))
    compare: str = field(default="none", metadata=setting(
        "Side by side", "Train a second run beside this one on the same data and seed, with one thing changed.",
        choices=COMPARE, cli=False))
    jitter: float = field(default=0.01, metadata=setting(
        "Jitter", "Drawn points are blurred by this σ (view units) each time D sees them, so G learns a "
        "smooth shape rather than exact dots.", min=0.0, max=0.2, step=0.005, format="%.3f", advanced=True))

    def validate(self) -> dict[str, str]:
        errors = super().validate()  # the trainer's own checks and cross-field rules
        if self.target == "drawing" and "drawing" not in errors:
            if not self.drawing:
                errors["drawing"] = "Draw some points first (at least 5), or paste or upload them."
            else:
                try:
                    decode_points(self.drawing)
                except DataError as exc:
                    errors["drawing"] = str(exc)
        return errors

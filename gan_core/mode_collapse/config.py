"""Settings of the mode-collapse lesson: one dataclass shared by the page, the CLI and the tests."""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass

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
LIMITS = {
    "lr_g": (1e-5, 0.05),
    "lr_d": (1e-5, 0.05),
    "batch_size": (16, 1024),
    "width": (8, 512),
    "z_dim": (1, 256),
    "pack": (2, 4),
    "unroll": (1, 5),
    "r1_gamma": (1e-4, 100.0),
}


@dataclass(frozen=True)
class ModeCollapseConfig:
    target: str = "ring8"
    loss: str = "nonsaturating"
    remedy: str = "none"
    # Defaults measured to show the classic collapse (docs/mode_collapse.md): a high-dimensional z, a one-layer
    # D and lr 5e-4 make the plain GAN put nearly all samples near 1-2 modes and rotate between them.
    lr_g: float = 5e-4
    lr_d: float = 5e-4
    batch_size: int = 128
    width: int = 128
    z_dim: int = 64
    pack: int = 2  # PacGAN: samples per pack
    unroll: int = 3  # unrolled D: lookahead steps (differentiated through)
    r1_gamma: float = 1.0  # R1: penalty weight γ (loss term γ/2 · E‖∇D(x_real)‖²)
    seed: int = 0

    def validate(self) -> dict[str, str]:
        """Field name -> human message for each bad setting (empty dict = valid)."""
        errors: dict[str, str] = {}
        if self.target not in TARGETS:
            errors["target"] = f"Unknown target {self.target!r}: choose one of {', '.join(TARGETS)}."
        if self.loss not in LOSSES:
            errors["loss"] = f"Unknown loss {self.loss!r}: choose one of {', '.join(LOSSES)}."
        if self.remedy not in REMEDIES:
            errors["remedy"] = f"Unknown remedy {self.remedy!r}: choose one of {', '.join(REMEDIES)}."
        labels = {
            "lr_g": "The learning rate of G", "lr_d": "The learning rate of D", "batch_size": "The batch size",
            "width": "The network width", "z_dim": "The noise dimension", "pack": "The pack size m",
            "unroll": "The number of unrolled steps k", "r1_gamma": "The R1 weight γ",
        }
        ints = {"batch_size", "width", "z_dim", "pack", "unroll"}
        for name, (lo, hi) in LIMITS.items():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                errors[name] = f"{labels[name]} must be a number."
            elif name in ints and (not float(value).is_integer()):
                errors[name] = f"{labels[name]} must be a whole number (got {value})."
            elif not math.isfinite(value) or not lo <= value <= hi:
                errors[name] = f"{labels[name]} must be between {lo:g} and {hi:g} (got {value:g})."
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            errors["seed"] = f"The seed must be a whole number ≥ 0 (got {self.seed!r})."
        return errors

    def to_dict(self) -> dict:
        return asdict(self)

"""The explorer's latent state, without the page: a generator with its sliders' order and range, and the
z's that the buttons set (seeded, so the same clicks give the same styles)."""
from __future__ import annotations

import copy

import numpy as np

from .explorer import LatentExplorer, latent_influence
from .models import Generator

SLIDER_STEP = 0.05
SLIDER_BOUND = 3.0  # no slider goes beyond ±3 (the prior's range in practice)
TARGET_STREAM = 10_000  # the interpolation target's draws: a stream apart from "Random z"


class LoadedModel:
    """A generator plus what the sliders need: its explorer and the latent dims ranked by influence."""

    def __init__(self, generator: Generator, meta: dict, name: str, model_id: str):
        self.generator = generator
        self.meta = meta
        self.name = name
        self.id = model_id
        self.explorer = LatentExplorer(generator)
        self.influence = latent_influence(generator)
        self.order = np.argsort(-self.influence)
        prior = meta.get("prior", {})
        self.range = float(prior.get("slider_range", 3.0)) * float(prior.get("std", 1.0))

    def split(self, shown: int) -> tuple[list[int], list[int]]:
        """(the `shown` most influential dims, the rest): sliders for the first, fixed values for the rest."""
        return [int(d) for d in self.order[:shown]], [int(d) for d in self.order[shown:]]


def trained_model(trainer) -> LoadedModel:
    """A frozen copy of a trainer's EMA generator for the explorer: training on never changes it."""
    generator = copy.deepcopy(trainer.ema_generator).cpu().eval().requires_grad_(False)
    meta = {"prior": {"name": "normal", "mean": 0.0, "std": 1.0, "slider_range": 3.0},
            "seed": trainer.config.seed, "steps": trainer.steps, "training_seconds": round(trainer.seconds, 1),
            "config": trainer.config.to_dict()}
    name = f"trained on this page (seed {trainer.config.seed}, {trainer.steps} steps, {trainer.epoch:.1f} epochs)"
    return LoadedModel(generator, meta, name, f"session:{id(generator)}")


def on_slider_grid(z: np.ndarray, step: float = SLIDER_STEP, bound: float = SLIDER_BOUND) -> np.ndarray:
    """z rounded to the sliders' step and clipped to their bound (float32): what the sliders can show."""
    return np.clip(np.round(np.asarray(z) / step) * step, -bound, bound).astype(np.float32)


def random_latent(seed: int, clicks: int, latent_dim: int, limit: float) -> np.ndarray:
    """A draw from N(0, 1) clipped to ±limit, from the seed and the click count."""
    rng = np.random.default_rng([int(seed), int(clicks)])
    return np.clip(rng.standard_normal(latent_dim), -limit, limit)


def target_latent(seed: int, clicks: int, latent_dim: int) -> np.ndarray:
    """The interpolation's other end (float32, clipped to ±3), from its own stream of the seed."""
    rng = np.random.default_rng([int(seed), TARGET_STREAM + int(clicks)])
    return np.clip(rng.standard_normal(latent_dim), -SLIDER_BOUND, SLIDER_BOUND).astype(np.float32)


def with_zeros(z: np.ndarray, dims: list[int]) -> np.ndarray:
    """A copy of z with `dims` set to 0."""
    out = np.array(z, copy=True)
    out[list(dims)] = 0.0
    return out

"""One playground run: the 2-D trainer on a point set, with its scores measured live and kept in a capped history.

What the page's tick, the CLI and the benchmark all drive:

    run = PlaygroundRun(PlaygroundConfig(target="moons"), preset("moons"))
    run.tick(0.02)            # train ~20 ms, then score on fixed noise
    run.scores.coverage       # 0..1

Scores use a fixed noise batch (EVAL_SAMPLES, seeded from the config's seed) and a fixed subset of at most
EVAL_REAL real points, so a frozen G always gets the same numbers and the curves are not noise.
"""
from __future__ import annotations

import dataclasses
import math

import numpy as np

from gan_core.history import CappedHistory
from gan_core.playground.config import PlaygroundConfig
from gan_core.playground.data import PointSet, decode_points, preset
from gan_core.playground.metrics import RealSide, Scores, score
from gan_core.twod.config import TwoDConfig
from gan_core.twod.targets import MixtureTarget, PointsTarget
from gan_core.twod.trainer import TwoDTrainer

EVAL_SAMPLES = 1000
EVAL_REAL = 1000
SCORE_SERIES = ("step", "kl", "js", "sliced_w", "coverage", "precision", "modes_captured", "high_quality",
                "reverse_kl")
MIN_SCORE_GAP = 10  # steps between two recorded scores (a tick that trained less is not recorded again)
LIVE_SCORE_GAP = 40  # live ticks re-score only after this many steps (scoring costs more than a tick's training)


def data_for(config: PlaygroundConfig, drawing: PointSet | None = None) -> PointSet:
    """The point set a config asks for: a preset sampled with the config's seed, the given drawing, or the
    drawing encoded in the config (a link's)."""
    if config.target == "drawing":
        if drawing is not None:
            return drawing
        if not config.drawing:
            raise ValueError("target 'drawing' needs a point set")
        return decode_points(config.drawing)
    return preset(config.target, seed=config.seed)


def target_for(config: PlaygroundConfig, data: PointSet):
    """Mixture presets are sampled afresh (unlimited data); other sets are resampled with a little jitter."""
    if data.is_mixture and data.name == config.target:
        return MixtureTarget(np.asarray(data.centres, dtype=np.float64), float(data.sigma))
    return PointsTarget(data.points, jitter=config.jitter)


def trainer_config(config: PlaygroundConfig) -> TwoDConfig:
    """The 2-D trainer's own settings out of the playground's (which add the data and the comparison)."""
    return TwoDConfig(**{f.name: getattr(config, f.name) for f in dataclasses.fields(TwoDConfig)})


class PlaygroundRun:
    def __init__(self, config: PlaygroundConfig, data: PointSet, *, history_capacity: int = 2000):
        errors = {k: v for k, v in config.validate().items() if k != "drawing"}  # `data` is given explicitly
        if errors:
            raise ValueError("; ".join(errors.values()))
        self.config = config
        self.data = data
        self.trainer = TwoDTrainer(trainer_config(config), target_for(config, data), history_capacity=history_capacity)
        rng = np.random.default_rng([config.seed, 7919])
        self.eval_z = self.trainer.sample_noise(EVAL_SAMPLES, rng)
        keep = np.sort(rng.permutation(data.n)[:EVAL_REAL])
        self.eval_real = PointSet(data.name, data.points[keep], data.centres, data.sigma)
        self._real_side = RealSide(self.eval_real)  # the real half of every live score, computed once
        self.history = CappedHistory(SCORE_SERIES, capacity=history_capacity)
        self._last_recorded = -MIN_SCORE_GAP
        self.evaluate()

    # ------------------------------------------------------------------ training

    @property
    def steps(self) -> int:
        return self.trainer.steps

    @property
    def status(self) -> str:
        return self.trainer.status

    @property
    def message(self) -> str:
        return self.trainer.message

    def step(self, n: int = 1) -> int:
        return self.train(n)

    def restore_last_good(self) -> None:
        self.trainer.restore_last_good()
        self.evaluate()

    def tick(self, budget_s: float, max_steps: int | None = None) -> int:
        """Train for about `budget_s` seconds, then score (one live tick). Returns the steps done."""
        done = self.trainer.run_for(budget_s, max_steps)
        self.rescore_if_due()
        return done

    def rescore_if_due(self) -> None:
        """Score when LIVE_SCORE_GAP steps have passed; otherwise only move the drawn samples."""
        if self.steps - self._last_scored >= LIVE_SCORE_GAP or self.status != "ok":
            self.evaluate()
        else:
            self.samples = self.trainer.generate(self.eval_z)  # the points move every tick; the numbers follow

    def train(self, steps: int) -> int:
        done = self.trainer.step(steps)
        self.evaluate()
        return done

    # ------------------------------------------------------------------ scoring

    def evaluate(self) -> Scores:
        """Score G on the fixed noise; record it unless a score was recorded fewer than MIN_SCORE_GAP steps ago."""
        self.samples = self.trainer.generate(self.eval_z)
        self.scores = score(self.eval_real, self.samples, self._real_side)
        self._last_scored = self.steps
        if self.steps - self._last_recorded >= MIN_SCORE_GAP:
            row = {k: v for k, v in self.scores.to_dict(12).items() if v is not None and k in SCORE_SERIES}
            self.history.append({"step": self.steps, **row})
            self._last_recorded = self.steps
        return self.scores

    def final_scores(self, n: int = EVAL_SAMPLES) -> Scores:
        """Scores on a fresh noise batch of n samples against every real point (for reports, not live)."""
        z = self.trainer.sample_noise(n, np.random.default_rng([self.config.seed, 104729]))
        return score(self.data, self.trainer.generate(z))

    def reset_history(self) -> None:
        self.history.clear()
        self._last_recorded = -MIN_SCORE_GAP
        self.evaluate()


def finite_or_none(value: float) -> float | None:
    return None if value is None or not math.isfinite(value) else float(value)

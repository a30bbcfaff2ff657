"""The mode-collapse lesson on the general 2-D core: a Gaussian mixture target, one optional remedy, and the
VEEGAN / PacGAN mode metrics measured every `eval_every` steps on a fixed noise batch.

`step(n)`, `run_for(budget_s, max_steps)` train; `report`, `samples`, `decision_surface(n)`, `history` look.
The training itself is `gan_core.twod.TwoDTrainer` (hand-written NumPy by default, PyTorch for the exact
second-order unrolled D).
"""
from __future__ import annotations

import dataclasses

import numpy as np

from gan_core.history import CappedHistory
from gan_core.mode_collapse.config import ModeCollapseConfig
from gan_core.mode_collapse.metrics import ModeReport, mode_report
from gan_core.mode_collapse.targets import make_target
from gan_core.settings_spec import ensure_valid
from gan_core.twod.trainer import TwoDTrainer

EVAL_SAMPLES = 2500  # as in VEEGAN / PacGAN
EVAL_EVERY = 25  # generator steps between measurements
SERIES = ("step", "d_loss", "g_loss", "modes_captured", "high_quality", "reverse_kl", "top2_share")


class ModeCollapseTrainer:
    def __init__(self, config: ModeCollapseConfig, history_capacity: int = 2000, eval_every: int = EVAL_EVERY,
                 engine: str | None = None, device: str = "cpu"):
        ensure_valid(config)
        self.config = config
        self.target = make_target(config.target)
        self.eval_every = int(eval_every)
        self.history = CappedHistory(SERIES, capacity=history_capacity)
        self.core = TwoDTrainer(config.to_twod(), self.target, history_capacity=8, record_every=self.eval_every,
                                engine=engine, device=device)
        self.reset()

    def reset(self, seed: int | None = None) -> None:
        """Start over from fresh weights (same seed + same settings = the same run); a new seed replaces the
        config (the caller's config object is not changed)."""
        if seed is not None and int(seed) != self.config.seed:
            self.config = dataclasses.replace(self.config, seed=int(seed))
            self.core = TwoDTrainer(self.config.to_twod(), self.target, history_capacity=8,
                                    record_every=self.eval_every, engine=self.core.engine_name, device=self.core.device)
        self.core.reset()
        self.eval_z = self.core.sample_noise(EVAL_SAMPLES, np.random.default_rng([self.config.seed, 4]))
        self.history.clear()
        self.report: ModeReport = self.evaluate()
        self._record()

    # ------------------------------------------------------------------ training

    @property
    def steps(self) -> int:
        return self.core.steps

    @property
    def train_seconds(self) -> float:
        return self.core.seconds

    @property
    def status(self) -> str:
        return self.core.status

    @property
    def message(self) -> str:
        return self.core.message

    def step(self, n: int = 1) -> int:
        """Train up to n generator steps, measuring every `eval_every`; returns how many were done."""
        done = 0
        while done < n and self.status == "ok":
            to_eval = self.eval_every - self.steps % self.eval_every
            got = self.core.step(min(n - done, to_eval))
            done += got
            if got == 0:
                break
            if self.steps % self.eval_every == 0:
                self._measure()
        return done

    def run_for(self, budget_s: float, max_steps: int | None = None) -> int:
        """Train for about `budget_s` seconds (one live tick; at least one step while the run is ok)."""
        before = self.steps
        done = self.core.run_for(budget_s, max_steps)
        if done and (self.steps // self.eval_every) != (before // self.eval_every):
            self._measure()
        return done

    def _measure(self) -> None:
        self.report = self.evaluate()
        s = self._eval_samples
        if self.core.status == "ok" and (not np.isfinite(s).all() or np.abs(s).max() > 1e4):
            self.core._diverged("G's samples ran off to infinity")
        if self.core.status == "ok":
            self._record()

    def _record(self) -> None:
        r, h = self.report, self.core.history
        self.history.append({
            "step": self.steps, "d_loss": h.last("d_loss") if len(h) else float("nan"),
            "g_loss": h.last("g_loss") if len(h) else float("nan"), "modes_captured": r.modes_captured,
            "high_quality": 100 * r.high_quality, "reverse_kl": r.reverse_kl, "top2_share": r.top2_share,
        })

    def restore_last_good(self) -> None:
        self.core.restore_last_good()
        self.report = self.evaluate()

    # ------------------------------------------------------------------ looking at the run

    def evaluate(self) -> ModeReport:
        self.evaluations = getattr(self, "evaluations", 0) + 1  # what a drawing cached per measurement keys on
        self._eval_samples = self.core.generate(self.eval_z)
        return mode_report(self._eval_samples, self.target.centres, self.target.sigma)

    @property
    def samples(self) -> np.ndarray:
        """G's samples on the fixed evaluation noise (as of the last measurement)."""
        return self._eval_samples

    def final_samples(self, n: int = 20_000) -> np.ndarray:
        """n fresh samples of the current generator (own noise stream; the run is not disturbed)."""
        return self.core.generate(self.core.sample_noise(n, np.random.default_rng([self.config.seed, 5])))

    def decision_surface(self, n: int = 40) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """D(x) = sigmoid(logit) on an n×n grid over the plot's domain (a grid point is judged as a pack of m
        copies of itself; with the minibatch-std feature, the feature is that of real data)."""
        e = self.target.extent
        ticks = np.linspace(-e, e, n)
        xx, yy = np.meshgrid(ticks, ticks)
        d = self.core.discriminator(np.stack([xx.ravel(), yy.ravel()], 1))
        return xx.ravel(), yy.ravel(), d

    def real_samples(self, n: int = 500) -> np.ndarray:
        """A fixed sample of the target for drawing (its own random stream; cached, the same every tick)."""
        cached = getattr(self, "_real_cache", None)
        if cached is None or len(cached) != n:
            cached = self._real_cache = self.target.sample(n, np.random.default_rng([self.config.seed, 6]))
        return cached

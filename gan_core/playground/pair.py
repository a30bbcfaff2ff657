"""Two runs side by side on the same data and seed, advanced in lock-step (the same number of steps each).

    pair = RunPair.contrast(PlaygroundConfig(target="ring8"), loss="wgan_gp")
    pair.tick(0.03)        # both runs advance by the same number of steps

Only the settings named in the contrast differ: same data, same seed, hence the same starting noise stream
(and the same initial weights wherever the networks' shapes agree).
"""
from __future__ import annotations

import dataclasses

from gan_core.playground.config import PlaygroundConfig
from gan_core.playground.data import PointSet
from gan_core.playground.session import PlaygroundRun, data_for

# What the right-hand run changes, per PlaygroundConfig.compare choice (labels in config.COMPARE).
CONTRASTS = {
    "wgan_gp": {"loss": "wgan_gp"},
    "minimax": {"loss": "minimax"},
    "least_squares": {"loss": "least_squares"},
    "pack": {"pack": 1},
    "mbstd": {"mbstd": True},
    "d_steps": {"d_steps": 5},
    "noise_1d": {"noise_dim": 1},
}


def build_run(config: PlaygroundConfig, drawing: PointSet | None = None):
    """What the page trains: one run, or a pair when `config.compare` names a contrast."""
    if config.compare in CONTRASTS:
        return RunPair.contrast(config, drawing, **CONTRASTS[config.compare])
    return PlaygroundRun(config, data_for(config, drawing))


class RunPair:
    def __init__(self, left: PlaygroundConfig, right: PlaygroundConfig, data: PointSet):
        if left.seed != right.seed or left.target != right.target:
            raise ValueError("the two runs of a pair share their data and seed")
        self.runs = (PlaygroundRun(left, data), PlaygroundRun(right, data))

    @classmethod
    def contrast(cls, config: PlaygroundConfig, drawing: PointSet | None = None, **changes) -> "RunPair":
        right = dataclasses.replace(config, compare="none", **changes)
        errors = right.validate()
        if errors:
            raise ValueError("; ".join(errors.values()))
        return cls(config, right, data_for(config, drawing))

    @property
    def left(self) -> PlaygroundRun:
        return self.runs[0]

    @property
    def right(self) -> PlaygroundRun:
        return self.runs[1]

    @property
    def config(self) -> PlaygroundConfig:
        return self.left.config

    @property
    def data(self) -> PointSet:
        return self.left.data

    @property
    def steps(self) -> int:
        return min(r.steps for r in self.runs)

    @property
    def status(self) -> str:
        return "ok" if all(r.status == "ok" for r in self.runs) else "diverged"

    @property
    def message(self) -> str:
        return " ".join(f"{side}: {r.message}" for side, r in zip(("Left", "Right"), self.runs) if r.status != "ok")

    def restore_last_good(self) -> None:
        for r in self.runs:
            if r.status != "ok":
                r.restore_last_good()

    def tick(self, budget_s: float) -> int:
        """The left run trains for half the budget; the right run then does the same number of steps."""
        done = self.left.trainer.run_for(budget_s / 2)
        self.right.trainer.step(max(0, self.left.steps - self.right.steps))
        for r in self.runs:
            r.rescore_if_due()
        return done

    def step(self, n: int) -> int:
        done = min(r.trainer.step(n) for r in self.runs)
        for r in self.runs:
            r.evaluate()
        return done

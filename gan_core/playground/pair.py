"""Two runs side by side on the same data and seed, advanced in lock-step (the same number of steps each).

    pair = RunPair.contrast(PlaygroundConfig(target="ring8"), drawing=None, loss="wgan_gp")
    pair.tick(0.03)        # both runs advance by the same number of steps

Only the settings named in the contrast differ: same data, same seed, hence the same starting noise stream
(and the same initial weights wherever the networks' shapes agree).
"""
from __future__ import annotations

import dataclasses

from gan_core.playground.config import PlaygroundConfig
from gan_core.playground.data import PointSet
from gan_core.playground.session import PlaygroundRun, data_for

# Ready-made contrasts for the "two runs" button: label -> changes applied to the right-hand run.
CONTRASTS = {
    "wgan_gp": ("Non-saturating vs WGAN-GP", {"loss": "wgan_gp"}),
    "minimax": ("Non-saturating vs saturating minimax", {"loss": "minimax"}),
    "least_squares": ("Non-saturating vs least squares", {"loss": "least_squares"}),
    "pack": ("Plain vs PacGAN (m = 2)", {"pack": 2}),
    "mbstd": ("Plain vs minibatch std", {"mbstd": True}),
    "d_steps": ("1 vs 5 D steps per G step", {"d_steps": 5}),
    "noise_1d": ("2-D vs 1-D noise", {"noise_dim": 1}),
}


class RunPair:
    def __init__(self, left: PlaygroundConfig, right: PlaygroundConfig, data: PointSet):
        if left.seed != right.seed or left.target != right.target:
            raise ValueError("the two runs of a pair share their data and seed")
        self.runs = (PlaygroundRun(left, data), PlaygroundRun(right, data))

    @classmethod
    def contrast(cls, config: PlaygroundConfig, drawing: PointSet | None = None, **changes) -> "RunPair":
        right = dataclasses.replace(config, **changes)
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
    def steps(self) -> int:
        return min(r.steps for r in self.runs)

    def tick(self, budget_s: float) -> int:
        """The left run trains for half the budget; the right run then does the same number of steps."""
        done = self.left.trainer.run_for(budget_s / 2)
        self.right.trainer.step(max(0, self.left.steps - self.right.steps))
        for r in self.runs:
            r.evaluate()
        return done

    def step(self, n: int) -> int:
        done = min(r.trainer.step(n) for r in self.runs)
        for r in self.runs:
            r.evaluate()
        return done

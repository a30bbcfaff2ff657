"""How often a live tick redraws its costly pictures: the "Now" grid is a forward pass of the EMA
generator plus a PNG (~10 ms), so it follows training progress, not every tick. Pure: no streamlit."""
from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass
class Refresh:
    """`due(steps, train_seconds, now)`: redraw when training moved on and at least `min_wall` s of wall
    time passed, and either `min_train` s of training were added (one user alone: about every `min_wall`)
    or `max_wall` s passed (a full class trains each session a few steps per second: every `max_wall`)."""

    min_wall: float = 0.75
    min_train: float = 0.2
    max_wall: float = 3.0
    steps: int = -1
    train_seconds: float = 0.0
    wall: float = -math.inf

    def due(self, steps: int, train_seconds: float, now: float) -> bool:
        if self.steps < 0:
            return True
        if steps == self.steps:
            return False
        waited = now - self.wall
        if waited < self.min_wall:
            return False
        return train_seconds - self.train_seconds >= self.min_train or waited >= self.max_wall

    def mark(self, steps: int, train_seconds: float, now: float) -> None:
        self.steps, self.train_seconds, self.wall = int(steps), float(train_seconds), float(now)

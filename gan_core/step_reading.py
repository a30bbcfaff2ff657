"""A reading of a live trainer (a caption's numbers, a diagnosis) measured once per step, not once per redraw.

A live page redraws several times a second, most often several times at the same step (paused, or a tick that
trained nothing), and while training runs the class cannot read a number that changes ten times a second
anyway. `StepReading.get` therefore measures again only when the trainer has moved on — another step, another
run (Reset and Apply build a new engine; Restore rewinds the step and clears a fault) — and, while training
runs, at most every `max_age_s`. It returns the step the value was measured at, so the page can say it.
Reading never trains or draws random numbers, so caching it cannot change the run.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

MAX_AGE_S = 0.5  # while running: a reading shown at most this long after a newer step exists


class StepReading:
    """The last `compute(trainer)`, with the step it belongs to."""

    def __init__(self, compute: Callable[[Any], Any], max_age_s: float = MAX_AGE_S,
                 clock: Callable[[], float] = time.monotonic):
        self.compute, self.max_age_s, self.clock = compute, float(max_age_s), clock
        self._run: Any = None  # the trainer's engine: held (not its id) so a new run is never taken for the old
        self._key: tuple | None = None
        self._at = float("-inf")
        self.step: int | None = None
        self.value: Any = None

    def get(self, trainer: Any, *, running: bool = False) -> tuple[int, Any]:
        """(step, value): measured now unless this is still the step measured last, or — while running —
        the last measurement is younger than `max_age_s` and the run has only moved forward."""
        run = getattr(trainer, "engine", trainer)
        key = (int(trainer.steps), getattr(trainer, "status", "ok"))
        same_run = self._run is run and self._key is not None and key[1] == self._key[1]
        if same_run and key == self._key:
            return self.step, self.value
        now = self.clock()
        young = now - self._at < self.max_age_s
        if same_run and running and young and key[0] > self._key[0]:
            return self.step, self.value
        self.value = self.compute(trainer)
        self._run, self._key, self._at, self.step = run, key, now, key[0]
        return self.step, self.value

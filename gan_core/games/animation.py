"""Playing a precomputed run at a fixed speed in wall-clock time, whatever the tick rate.

The games' trajectories are computed once; an animation only chooses which step to show. Advancing a
fixed number of steps per tick makes the run as slow as the slowest tick (a busy server, a slow browser:
812 of 1,000 steps after 50 s was measured); advancing by the time since the last tick keeps the promised
duration and drops frames instead.
"""
from __future__ import annotations

from dataclasses import dataclass

PLAY_SECONDS = 12.0  # a whole run plays in this many seconds (the lesson's goal: 1,000 steps in ≤ 15 s)
MAX_GAP_S = 1.5  # a longer gap between ticks (paused, tab hidden) counts as this much: slow ticks up to
# 1.5 s keep the run's duration, and resuming after a pause jumps at most 1.5 s ahead


@dataclass
class PlayClock:
    """Which step to show next: `advance(now)` moves total × elapsed / play_seconds steps (at least one)."""

    total: int
    play_seconds: float = PLAY_SECONDS
    nominal_tick_s: float = 0.1  # what the first tick after a pause counts as
    position: float = 0.0  # fractional step shown
    _last: float | None = None

    @property
    def step(self) -> int:
        return int(min(self.position, self.total))

    def seek(self, step: int) -> None:
        """Show `step` next. Seeking to the step already shown changes nothing (a slider echoing the
        animation's own position back must not restart its timing)."""
        step = int(min(max(int(step), 0), self.total))
        if step == self.step:
            return
        self.position = float(step)
        self._last = None

    def pause(self) -> None:
        """Forget the last tick's time: the next advance counts as one nominal tick."""
        self._last = None

    def advance(self, now: float) -> int:
        """One animation tick at wall-clock time `now` (seconds, monotonic). Returns the step to show."""
        if self.total <= 0:
            return 0
        elapsed = self.nominal_tick_s if self._last is None else min(max(now - self._last, 0.0), MAX_GAP_S)
        self._last = now
        before = self.step
        self.position = min(self.total, self.position + self.total * elapsed / self.play_seconds)
        if self.step == before and before < self.total:  # always show progress on a tick
            self.position = float(before + 1)
        return self.step

    @property
    def finished(self) -> bool:
        return self.step >= self.total

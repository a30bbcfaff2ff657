"""How much a live page's fragment may train per tick, and how often it ticks — shared by every session
of this server process, so a class shares one core fairly instead of collapsing.

Contract used by the run lifecycle (ui/): each tick of a running session calls `plan_tick(session_id)`
and trains for at most `plan.train_seconds`, and the fragment's `run_every` is `plan.interval`.
`session_stopped(session_id)` when it pauses, resets or leaves. Pure Python (no streamlit import), so it
is unit-testable. This first version is the single-user plan; the classroom work fills in the sharing.
"""
from __future__ import annotations

from dataclasses import dataclass

NOMINAL_INTERVAL = 0.1  # s between ticks for one user alone
NOMINAL_TRAIN_SECONDS = 0.015  # s of training per tick for one user alone


@dataclass(frozen=True)
class TickPlan:
    interval: float
    train_seconds: float


def plan_tick(session_id: str, nominal_interval: float = NOMINAL_INTERVAL,
              nominal_train_seconds: float = NOMINAL_TRAIN_SECONDS) -> TickPlan:
    return TickPlan(nominal_interval, nominal_train_seconds)


def session_stopped(session_id: str) -> None:
    return None

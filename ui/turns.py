"""Live ticks of all sessions take turns at their Python work, one at a time per server process.

Why: every session's script thread runs in one interpreter, so the ticks' Python work is serial anyway (the
GIL). But NumPy and torch release the GIL around each array operation, and with other threads waiting, each
release hands the GIL over: on 2 cores, twelve threads training the 1-D GAN at once spent several times the
CPU per step of one thread alone (benchmarks/bench_turns.py). Taking turns under one lock, the waiting threads
sleep on the lock instead of fighting over the GIL at every operation, and the same work costs what it costs
alone. Training too, even the CGAN's, whose convolutions run mostly outside the GIL: beside another thread's
Python work, each of a step's few hundred operations waits for the GIL to come back, and the step took over
a second (bench_turns.py part 2). Only waiting is done aside (`Turn.aside`).

A turn is waited for at most WAIT_S; past that the tick goes ahead without one (as before this module), so a
stuck session never stalls the class. Only live ticks take turns (ui/lifecycle.py); page runs, clicks and
Step presses do not.
"""
from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

WAIT_S = 1.0
_LOCK = threading.Lock()


class Turn:
    def __init__(self, held: bool) -> None:
        self.held = held

    @contextlib.contextmanager
    def aside(self) -> Iterator[None]:
        """Waiting (for this session's other thread): the others take their turns meanwhile."""
        if not self.held:
            yield
            return
        _LOCK.release()
        self.held = False
        try:
            yield
        finally:
            self.held = _LOCK.acquire(timeout=WAIT_S)


@contextlib.contextmanager
def turn() -> Iterator[Turn]:
    """This thread's turn, for a `with` block (released on the way out, st.rerun's exception included)."""
    t = Turn(_LOCK.acquire(timeout=WAIT_S))
    try:
        yield t
    finally:
        if t.held:
            _LOCK.release()

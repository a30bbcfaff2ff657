"""All sessions' script runs take turns at their Python work, one at a time per server process.

Why: every session's script thread runs in one interpreter, so the runs' Python work is serial anyway (the
GIL). But NumPy and torch release the GIL around each array operation, and with other threads waiting, each
release hands the GIL over: on 2 cores, twelve threads training the 1-D GAN at once spent several times the
CPU per step of one thread alone (benchmarks/bench_turns.py). Taking turns under one lock, the waiting threads
sleep on the lock instead of fighting over the GIL at every operation, and the same work costs what it costs
alone. Training too, even the CGAN's, whose convolutions run mostly outside the GIL: beside another thread's
Python work, each of a step's few hundred operations waits for the GIL to come back, and the step took over
a second (bench_turns.py part 2).

Who takes turns: live ticks (ui/lifecycle.py) and whole page runs (app.py), a student's slider drag or click
included: outside a turn their Python work convoys with the turn holder's training. Two students rerunning
the CGAN page twice a second got their page in a median 96 / 87 ms in their urgent turn against 261 / 125 ms
outside (p90 136 / 118 against 387 / 343; benchmarks/bench_classroom.py --clickers, docs/classroom.md).
A page run draws its fragment inline, so a turn is re-entrant in its thread. Only waiting is done aside: for this session's own lock (`acquire`), and between the pieces of a
long Step the turn goes to whoever waits (`Turn.pass_on`). The turn is handed over in the order asked for,
so nobody waits behind a thread that releases and takes it again — but a student's click or drag (urgent)
goes before the live ticks waiting (measured above: faster than outside the turns).

A turn is waited for at most WAIT_S; past that the run goes ahead without one (as before this module), so a
stuck session never stalls the class.
"""
from __future__ import annotations

import collections
import contextlib
import threading
from collections.abc import Iterator

WAIT_S = 1.0


class _HandOver:
    """A lock given to its waiters first come, first served (threading.Lock favours whoever asks again
    first), the urgent ones (a student's click) before the others (live ticks)."""

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self._held = False
        self._urgent: collections.deque[threading.Lock] = collections.deque()
        self._queue: collections.deque[threading.Lock] = collections.deque()

    def acquire(self, timeout: float, urgent: bool = False) -> bool:
        with self._mutex:
            if not self._held:
                self._held = True
                return True
            ticket = threading.Lock()
            ticket.acquire()
            line = self._urgent if urgent else self._queue
            line.append(ticket)
        if ticket.acquire(timeout=max(timeout, 0.0)):
            return True  # handed over: held on our behalf
        with self._mutex:
            try:
                line.remove(ticket)
                return False
            except ValueError:  # handed over just as the wait ran out: ours now
                return True

    def release(self) -> None:
        with self._mutex:
            line = self._urgent or self._queue
            if line:
                line.popleft().release()  # still held, now by the next in line
            else:
                self._held = False

    def waiting(self) -> int:
        return len(self._urgent) + len(self._queue)

    def locked(self) -> bool:
        return self._held


_LOCK = _HandOver()
_mine = threading.local()  # .turn: the Turn this thread is inside, if any


class Turn:
    def __init__(self, held: bool, urgent: bool = False) -> None:
        self.held, self.urgent = held, urgent

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
            self.held = _LOCK.acquire(WAIT_S, self.urgent)

    def pass_on(self) -> None:
        """Between two pieces of long work (a Step): everyone waiting goes first, then this thread again —
        at the back of the line, even in a page run's urgent turn (a Step is no click)."""
        if self.held and _LOCK.waiting():
            _LOCK.release()
            self.held = _LOCK.acquire(WAIT_S)


@contextlib.contextmanager
def turn(urgent: bool = False) -> Iterator[Turn]:
    """This thread's turn, for a `with` block (released on the way out, st.rerun's exception included).
    Inside another turn of the same thread it is that turn. `urgent`: a student waits for it (a page run,
    a slider drag) — it goes before the live ticks waiting."""
    outer = current()
    if outer is not None:
        yield outer
        return
    t = Turn(_LOCK.acquire(WAIT_S, urgent), urgent)
    _mine.turn = t
    try:
        yield t
    finally:
        _mine.turn = None
        if t.held:
            _LOCK.release()


def current() -> Turn | None:
    return getattr(_mine, "turn", None)


def acquire(lock: threading.Lock | threading.RLock, timeout: float = -1) -> bool:
    """`lock.acquire(timeout=…)` for a session's own lock, waited for outside this thread's turn."""
    if lock.acquire(blocking=False):
        return True
    t = current()
    if t is None:
        return lock.acquire(timeout=timeout)
    with t.aside():
        return lock.acquire(timeout=timeout)


@contextlib.contextmanager
def holding(lock: threading.Lock | threading.RLock) -> Iterator[None]:
    """`with lock:` for a session's own lock, waited for outside this thread's turn."""
    acquire(lock)
    try:
        yield
    finally:
        lock.release()

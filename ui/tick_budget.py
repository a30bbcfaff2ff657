"""How much a live page's fragment may train per tick, and how often it ticks — shared by every session
of this server process, so a class shares one core fairly instead of collapsing.

Contract used by the run lifecycle (ui/): each tick of a running session calls `plan_tick(session_id)`
and trains for at most `plan.train_seconds`, and the fragment's `run_every` is `plan.interval`.
`session_stopped(session_id)` when it pauses, resets or leaves. Optional but recommended:
`tick_done(session_id)` at the end of a tick that drew everything, with `plan_tick(..., reports_done=True)`:
without it a core taken by other programs (or cut-short runs) is not noticed. Pure Python (no streamlit import), so it is unit-testable.

Why: the browser re-requests a `run_every` fragment on a fixed timer without waiting, and a request that
arrives while the fragment still runs makes the server drop that run. All sessions share one interpreter
(one core for Python), so once N running sessions × the CPU cost of a tick exceed the core, every run is
cut short and nobody sees anything (measured: 4 sessions of the 1-D page, 0 updates/s). So:

- the server-wide CPU cost of a tick is measured (process CPU time per tick, an EWMA over ~1 s windows:
  drawing, serialising, Streamlit's own work and training, all included);
- the interval is the same for every running session and grows with load so that
  running sessions × cost per tick / interval stays under CPU_TARGET cores: a run then finishes before
  the browser asks for the next one, and every session gets the same rate (fair);
- with `tick_done`, the wall time of ticks is measured too (an EWMA; a tick that never reports done was
  cut short by the next request and counts as lasting its whole gap), and the interval is kept at
  least RUN_MARGIN⁻¹ × that: this catches a core shared with other programs, which CPU time cannot see,
  and, with `waited`, ticks queueing for their turn (measured: with a CPU target above the one core the
  turns share, 8 CGAN students' ticks ran 70 ms once their turn came but waited ~0.5 s for it; counted from
  the turn, the interval stayed at 0.5 s and 99 % of runs were dropped);
- training shares a server-wide budget: each tick trains min(nominal, TRAIN_SHARE × CPU_TARGET ×
  interval / running sessions) seconds — one user alone keeps the nominal 15 ms per 0.1 s; a lesson that
  trains more than that share alone (the CGAN) keeps its pace only while the class's ticks leave room;
- a tick that arrives late never trains more than planned (that fed the overload); one that arrives early
  (two requests close together) trains less, in proportion to the time since its previous tick;
- a lesson whose update is a training step (the CGAN) gives a floor, one step's CPU time: each of its ticks
  trains at least that, and the interval grows to fit n·(cost besides training + floor) in the target
  (without it most of a full class's ticks trained nothing and drew the same picture again).

Each session's own timer (`TickPlan.run_every`, what the browser gets) is the interval shortened by a fixed
per-session fraction of up to PHASE_SPREAD: browser timers that start together (a class that joins at once,
or the page reruns after a change where the fragment cannot retime itself) would, with one shared value,
bring all ticks at the same moment forever — each waits for all the others (a tick's wall time becomes
N × its CPU time) and the wall-time rule steps the interval up for nothing (measured: N = 32, 20 % of runs
dropped). Slightly different periods drift the phases apart within a few seconds; nobody ticks slower than
the interval, and the planner counts the mean faster pace in its CPU estimate.

The interval moves on a short ladder of values (up at once; down, with a margin, only DOWN_HOLD seconds
after the last change — except a rung chosen on PRIOR_OVERHEAD, before any cost was measured, which goes
down as soon as one is), so it changes rarely. A cost window in which a session started ticking is not
measured: that student's page load and Start press (page runs) are in it, and are no tick's cost.
The lifecycle sends a new `run_every` from each session's own tick (ui/fragment_timer.py); where it
cannot, a change costs a full page rerun of every running session (measured: an oscillating interval then
made every session rerun its page about once a second, which by itself overloaded the server).
"""
from __future__ import annotations

import logging
import os
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass

LOG = logging.getLogger(__name__)
NOMINAL_INTERVAL = 0.1  # s between ticks for one user alone
NOMINAL_TRAIN_SECONDS = 0.015  # s of training per tick for one user alone

CPU_TARGET = 1.0  # cores of process CPU that all ticks together may use (torch computes outside the GIL, so a
# process can use more than its one core of Python; the turns, ui/turns.py, are one core: the wall-time rule,
# which counts a tick's wait for its turn, keeps them from over-filling). Measured, 2 cores, interleaved
# (docs/classroom.md, session 11): 1.0 against 0.85 carried 8 CGAN students at 3.9–4.0 updates/s against 3.3–3.7,
# 32 at 0.8–0.9 against 0.6, 16 on xy / mode collapse at 5.5 / 4.1–4.2 against 4.7 / 3.5, runs dropped ≤ 5 %;
# 1.1–1.3 dropped up to 16 %. (Before the turns, 0.85 dropped 19 % of twelve 1-D sessions' runs.)
# Workers that share the cores (scripts/serve_class.sh, deploy/k8s.yaml) set CPU_TARGET_ENV to 0.75: two at 0.85
# on 2 cores dropped 19–20 % of the runs of 24 and 32 students, at 0.75 0–2 % (docs/classroom.md, session 7).
CPU_TARGET_ENV = "GAN_PLAYGROUND_CPU_TARGET"
CPU_TARGET_RANGE = (0.1, 4.0)
TRAIN_SHARE = 0.3  # share of CPU_TARGET that training gets once the server is full
# A change is one message per session (ui/fragment_timer.py): 10, 6.7, 5.6, 5, 4, 3.3, … updates/s; with the
# phase spread below a session at 0.18 s still gets ≥ 5.5/s, at 0.2 s ≥ 5/s. Above 0.2 s the rungs are at
# most 1.33x apart: with 1.6x (0.25, 0.4, 0.6) a class whose need was just over a rung lost a third of
# its updates (measured: 8 CGAN students needing 0.33 s got 2.6 updates/s at 0.4 s, 3.6 at 0.3 s).
INTERVAL_LADDER = (0.1, 0.15, 0.18, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5, 0.6, 0.8, 1.0, 1.25, 1.5, 2.0, 2.5)
PHASE_SPREAD = 0.1  # a session's timer is the interval × (1 − up to this), fixed per session: phases drift apart
RUN_MARGIN = 0.8  # a tick's wall time may use at most 80 % of the interval
DOWN_MARGIN = 0.95  # step down only to a rung that leaves 5 % headroom over the need (a change is one message
# per session now, ui/fragment_timer.py; with a page rerun per session it had to be 15 %)
UP_MARGIN = 1.15  # the CPU estimate must exceed a rung by 15 % before it steps up (CPU_TARGET already leaves
# headroom; measured: without it cost noise flapped a class of 12 between 0.6 s and 1.0 s, each flap a full
# page rerun of every session and 15 s at the slower rung). Runs that do not finish step up at once.
SETTLE = 2.0  # s (+ 2 intervals) after a change: costs and wall times are not measured (the new pace settles)
DOWN_HOLD = 15.0  # s after any change before a rung down (a student who pauses must not make the class flap)
COST_WINDOW = 1.0  # s of wall time per cost measurement
COST_MIN_TICKS = 4
COST_STALE = 5.0  # s without any tick: the window spans idle time (page loads, nobody running): restart it
PRIOR_OVERHEAD = 0.02  # s of CPU per tick besides training, until measured
MIN_OVERHEAD = 0.001
WALL_MIN_SAMPLES = 4  # ticks measured at a rung before their wall time may move it
WALL_MEMORY = 60.0  # s: a rung whose ticks ran too long on the clock is not tried again with as many running
# (measured: 12 sessions at 0.18 s ran ticks of 160–200 ms, one core's GIL full; without this memory the
# interval went 0.18 → 0.25 → 0.4 → 0.18 every DOWN_HOLD)
FAILED_FLOOR_SHARE = 0.5  # … and as much training a tick: a rung that failed for ticks that each train a step
# (the CGAN's ~25 ms) does not bar a class of ticks with a floor under half of that (students moving on to the
# 1-D page while the CGAN's last runs are still live)
SESSION_TIMEOUT = 2.0  # s: a session silent for max(this, 4 intervals) has left (closed tab)


@dataclass(frozen=True)
class TickPlan:
    interval: float  # the shared rung
    train_seconds: float
    run_every: float = 0.0  # this session's own timer: the interval less its fixed phase spread


def session_pace(session_id: str) -> float:
    """This session's fixed timer factor in (1 − PHASE_SPREAD, 1]: deterministic per id, spread evenly."""
    u = zlib.crc32(session_id.encode("utf-8")) / 2**32
    return 1.0 - PHASE_SPREAD * u


MEAN_PACE = 1.0 - PHASE_SPREAD / 2  # sessions tick 1 / MEAN_PACE times as often as the interval says


@dataclass
class _Session:
    last_tick: float
    open: bool = False  # a tick started and has not reported done
    floor: float = 0.0  # s of training every tick of this session needs at least (one step), 0 if none


class TickBudget:
    """The shared plan. One instance per server process (module-level below); tests make their own with
    fake clocks. Thread-safe: every session's script thread calls it."""

    def __init__(self, clock: Callable[[], float] = time.monotonic,
                 cpu_clock: Callable[[], float] = time.process_time,
                 cpu_target: float | None = None, train_share: float = TRAIN_SHARE):
        self._clock, self._cpu_clock = clock, cpu_clock
        self.cpu_target = configured_cpu_target() if cpu_target is None else float(cpu_target)
        self.train_share = float(train_share)
        self._lock = threading.Lock()
        self._sessions: dict[str, _Session] = {}
        self._rung = 0  # index into INTERVAL_LADDER
        self._last_change = float("-inf")
        self._overhead: float | None = None  # EWMA of CPU s per tick besides training
        self._win_wall = self._win_cpu = None
        self._win_ticks = 0
        self._win_train = 0.0
        self._last_any = float("-inf")
        self._wall: float | None = None  # EWMA of a tick's wall time (only once tick_done is used)
        self._wall_samples = 0  # since the last change: the wall time is measured afresh at each rung
        # (rung, running, when, their mean floor): ticks ran too long at that rung
        self._wall_failed: tuple[int, int, float, float] | None = None
        self._done_seen = False
        self._win_joined = False  # a session started ticking in this cost window (its page runs are in it)
        self._rung_on_prior = False  # the last change was planned on PRIOR_OVERHEAD, not on a measured cost

    # --- the contract --------------------------------------------------------------------
    def plan(self, session_id: str, nominal_interval: float = NOMINAL_INTERVAL,
             nominal_train_seconds: float = NOMINAL_TRAIN_SECONDS, reports_done: bool = False,
             min_train_seconds: float = 0.0, waited: float = 0.0) -> TickPlan:
        """`waited`: seconds this tick's run waited for its turn (ui/turns.py) before it asked: its wall time
        counts from there, as the browser's next request does."""
        with self._lock:
            now = self._clock()
            waited = float(waited)
            begun = now - waited if 0.0 < waited < float("inf") else now  # NaN, negative, infinite: no wait
            self._done_seen = self._done_seen or reports_done
            self._measure(now)
            self._expire(now)
            if not self._sessions:
                self._new_class()
            session = self._sessions.get(session_id)
            gap = None if session is None else begun - session.last_tick
            if session is None:
                session = self._sessions[session_id] = _Session(begun)
                self._win_joined = True
            elif session.open and self._done_seen:
                self._observe_wall(now, begun - session.last_tick)  # cut short: it lasted at least its whole gap
            session.last_tick = begun
            session.open = True
            floor = float(min_train_seconds)
            session.floor = min(floor, float(nominal_train_seconds)) if floor > 0 else 0.0  # NaN: no floor
            n = len(self._sessions)
            total = self._training_budget(nominal_interval, nominal_train_seconds, n)
            mean_floor = sum(s.floor for s in self._sessions.values()) / n
            interval = max(float(nominal_interval), self._interval(now, n, nominal_train_seconds, total, mean_floor))
            budget = total / n  # training s per s for each session
            train = min(float(nominal_train_seconds), budget * interval)
            if gap is not None:
                train = min(train, budget * max(gap, 0.0))  # late: never more; early: less
            train = max(train, session.floor)
            self._win_ticks += 1
            self._win_train += train
            return TickPlan(interval, train, interval * session_pace(session_id))

    def stopped(self, session_id: str) -> None:
        with self._lock:
            self._sessions.pop(session_id, None)

    def done(self, session_id: str) -> None:
        with self._lock:
            session = self._sessions.get(session_id)
            if session is not None and session.open:
                session.open = False
                self._done_seen = True
                now = self._clock()
                self._observe_wall(now, now - session.last_tick)

    # --- for pages (a new run's first run_every) and for the docs/benchmarks -------------
    def interval_now(self, nominal_interval: float = NOMINAL_INTERVAL) -> float:
        with self._lock:
            return max(float(nominal_interval), INTERVAL_LADDER[self._rung])

    def run_every(self, session_id: str, nominal_interval: float = NOMINAL_INTERVAL) -> float:
        return self.interval_now(nominal_interval) * session_pace(session_id)

    def snapshot(self) -> dict:
        with self._lock:
            return {"running": len(self._sessions), "interval": INTERVAL_LADDER[self._rung],
                    "overhead_s": self._overhead, "tick_wall_s": self._wall}

    # --- inside the lock -----------------------------------------------------------------
    def _measure(self, now: float) -> None:
        # The process CPU clock is read only where a window starts or ends, not every tick: it sums over all
        # the process's threads (torch's too), and under the lock every tick read it (measured: 3.5–10 % of
        # the GIL time on the spam page with 8 students)
        if self._win_wall is None:
            self._win_wall, self._win_cpu, self._last_any = now, self._cpu_clock(), now
            return
        idle, self._last_any = now - self._last_any, now
        if idle > COST_STALE:
            self._restart_window(now)
            return
        if now - self._last_change < SETTLE + 2 * INTERVAL_LADDER[self._rung]:
            # right after a change (and where a change costs every running session a page rerun, that burst)
            # is not a tick's steady cost (measured: counting the burst raised the estimate, which stepped the
            # interval up again — a feedback)
            self._restart_window(now)
            return
        if now - self._win_wall < COST_WINDOW or self._win_ticks < COST_MIN_TICKS:
            return
        if self._win_joined:
            # a session that starts ticking has just loaded its page and pressed Start: two page runs (~0.1 s
            # of CPU each) that are no tick's cost (measured: 8 xy students joining read as 34 ms a tick, 12 in
            # the steady state, and the class then ticked a rung or two slower for DOWN_HOLD)
            self._restart_window(now)
            return
        cpu = self._cpu_clock()
        per_tick = (cpu - self._win_cpu) / self._win_ticks
        overhead = max(per_tick - self._win_train / self._win_ticks, MIN_OVERHEAD)
        # smoothed over ~4 windows: one noisy second (a page load, a GC) must not move the class a rung
        self._overhead = overhead if self._overhead is None else 0.75 * self._overhead + 0.25 * overhead
        LOG.debug("cost window: %d ticks, %.1f ms CPU per tick (%.1f of it training, as planned), overhead %.1f ms "
                  "(smoothed), tick wall %s, %d running", self._win_ticks, 1000 * per_tick,
                  1000 * self._win_train / self._win_ticks, 1000 * self._overhead,
                  "unmeasured" if self._wall is None else f"{1000 * self._wall:.0f} ms", len(self._sessions))
        self._restart_window(now, cpu)

    def _new_class(self) -> None:
        """Nobody is running: the wall time of the class that left, and the rung its ticks overran on the
        clock, are not the next class's (measured: 12 1-D students after 12 CGAN students on the same server,
        2 cores, got 1.8–3.1 updates/s in three of four runs against ~6 on a fresh one, held above the CGAN's
        overrun rung for up to WALL_MEMORY). The cost a tick is kept: smoothed over a few windows it adapts to
        another lesson within seconds, and for the same lesson again it is the right guess (forgetting it
        too, 12 students after 32 on the 1-D page got 5.9–6.5 against 7.0–7.4; docs/classroom.md, session 18)."""
        self._wall, self._wall_samples, self._wall_failed = None, 0, None

    def _restart_window(self, now: float, cpu: float | None = None) -> None:
        self._win_wall, self._win_cpu = now, self._cpu_clock() if cpu is None else cpu
        self._win_ticks, self._win_train, self._win_joined = 0, 0.0, False

    def _observe_wall(self, now: float, seconds: float) -> None:
        if now - self._last_change < SETTLE + 2 * INTERVAL_LADDER[self._rung]:
            return  # the burst of page reruns after a change is not the steady cost
        self._wall_samples += 1  # a mean of the first samples at this rung, then an EWMA
        weight = max(1.0 / self._wall_samples, 0.1)
        self._wall = seconds if self._wall is None else (1 - weight) * self._wall + weight * seconds

    def _expire(self, now: float) -> None:
        timeout = max(SESSION_TIMEOUT, 4 * INTERVAL_LADDER[self._rung])
        for sid in [s for s, v in self._sessions.items() if now - v.last_tick > timeout]:
            del self._sessions[sid]

    def _training_budget(self, nominal_interval: float, nominal_train: float, n: int = 1) -> float:
        """Server-wide training s per s: TRAIN_SHARE of the CPU target. A lesson that trains more than that
        alone (the CGAN: 93 ms per 0.2 s) keeps its own pace while n sessions' ticks at the nominal interval
        leave room for it, and gives the rest back to the ticks as the class grows. (It kept its pace for
        any class: 8 CGAN students then had 0.39 cores for everything but training, and two students clicking
        through the page took most of that: 0.5–0.8 updates/s each, 1.3 with this rule; docs/classroom.md.)"""
        interval = max(float(nominal_interval), 1e-9)
        alone = float(nominal_train) / interval
        o = self._overhead if self._overhead is not None else PRIOR_OVERHEAD
        room = self.cpu_target - (n / MEAN_PACE) * o / interval  # what n ticks at the nominal pace leave
        return min(max(self.train_share * self.cpu_target, min(alone, room)), 0.9 * self.cpu_target)

    def _needed(self, n: int, nominal_train: float, budget: float, floor: float = 0.0) -> float:
        """The interval at which n sessions' ticks use cpu_target cores: n·(overhead + train)/interval.
        `floor`: the sessions' mean tick floor (the least training a tick of theirs does)."""
        o = self._overhead if self._overhead is not None else PRIOR_OVERHEAD
        n = n / MEAN_PACE  # the phase spread: sessions tick a little more often than the interval
        full = n * (o + nominal_train) / self.cpu_target
        if budget * full / n >= nominal_train:
            return full  # the training budget is not the limit: every tick trains the nominal time
        # train = budget·I/n, so n·(o + budget·I/n)/I = target  →  I = n·o/(target − budget)
        shared = n * o / max(self.cpu_target - budget, 1e-9)
        if budget * shared / n >= floor:
            return shared
        return n * (o + floor) / self.cpu_target  # every tick trains its floor (one step): n·(o + floor)/I = target

    @staticmethod
    def _rung_for(interval: float) -> int:
        return next((i for i, v in enumerate(INTERVAL_LADDER) if v >= interval), len(INTERVAL_LADDER) - 1)

    def _interval(self, now: float, n: int, nominal_train: float, budget: float, floor: float = 0.0) -> float:
        need = self._needed(n, nominal_train, budget, floor)
        up = need / UP_MARGIN
        cpu_want = self._rung_for(up)
        if self._wall is not None and self._wall_samples >= WALL_MIN_SAMPLES:
            need = max(need, self._wall / RUN_MARGIN)
            up = max(up, self._wall / RUN_MARGIN)
        want = self._rung_for(up)
        old = self._rung
        if want > self._rung:
            if cpu_want <= self._rung:  # the CPU would fit: the ticks took too long on the clock here
                # (only this rung: barring the rungs that wall time would overrun too was tried, and xy at N = 8
                # fell from 5.0 to 3.7 updates/s — a cut-short tick's wall is its whole gap, which bars too much)
                self._wall_failed = (self._rung, n, now, floor)
            self._rung = want
        elif want < self._rung and (now - self._last_change >= DOWN_HOLD
                                    or (self._rung_on_prior and self._overhead is not None)):
            # the hold keeps a measured class from flapping; a rung chosen on the prior guess (a class joining:
            # nothing measured yet) goes down as soon as its cost is measured
            down = next(i for i, v in enumerate(INTERVAL_LADDER) if v >= need / DOWN_MARGIN or i == self._rung)
            failed = self._wall_failed
            if (failed is not None and n >= failed[1] and now - failed[2] < WALL_MEMORY
                    and floor >= FAILED_FLOOR_SHARE * failed[3]):
                down = max(down, failed[0] + 1)  # not back to where ticks ran too long, with as many running
            self._rung = min(down, self._rung)
        if self._rung != old:  # rare; logged with why, for whoever runs the class server
            self._last_change = now
            self._rung_on_prior = self._overhead is None
            self._wall_samples = 0
            LOG.info("tick interval %.2f s -> %.2f s: %d running, %.1f ms CPU per tick besides training, "
                     "tick wall %s", INTERVAL_LADDER[old], INTERVAL_LADDER[self._rung], n,
                     1000 * (self._overhead or PRIOR_OVERHEAD),
                     "unmeasured" if self._wall is None else f"{1000 * self._wall:.0f} ms")
        return INTERVAL_LADDER[self._rung]


def configured_cpu_target(environ=os.environ) -> float:
    """CPU_TARGET, or the server's own value from the environment (a clear log line, never a crash, when
    that value is not a number in CPU_TARGET_RANGE)."""
    raw = environ.get(CPU_TARGET_ENV, "").strip()
    if not raw:
        return CPU_TARGET
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")
    low, high = CPU_TARGET_RANGE
    if not low <= value <= high:  # NaN fails too
        LOG.warning("%s=%r is not a number of cores from %g to %g; using %g", CPU_TARGET_ENV, raw, low, high,
                    CPU_TARGET)
        return CPU_TARGET
    return value


_BUDGET = TickBudget()


def plan_tick(session_id: str, nominal_interval: float = NOMINAL_INTERVAL,
              nominal_train_seconds: float = NOMINAL_TRAIN_SECONDS, reports_done: bool = False,
              min_train_seconds: float = 0.0, waited: float = 0.0) -> TickPlan:
    """`reports_done=True`: this caller calls `tick_done` at the end of every tick that completes, so a
    tick that did not report done was cut short (counted even before any tick ever completed).
    `min_train_seconds`: this session's floor (one step), at most the nominal training.
    `waited`: seconds the tick's run waited for its turn before this call (not the time its own actions took)."""
    return _BUDGET.plan(session_id, nominal_interval, nominal_train_seconds, reports_done, min_train_seconds,
                        waited)


def session_stopped(session_id: str) -> None:
    _BUDGET.stopped(session_id)


def tick_done(session_id: str) -> None:
    """The tick of `session_id` drew everything (call it last in the fragment)."""
    _BUDGET.done(session_id)


def interval_now(nominal_interval: float = NOMINAL_INTERVAL) -> float:
    """The shared interval a run that starts now would get (does not count as a tick)."""
    return _BUDGET.interval_now(nominal_interval)


def run_every(session_id: str, nominal_interval: float = NOMINAL_INTERVAL) -> float:
    """The `run_every` this session's fragment should have now: the interval less its phase spread."""
    return _BUDGET.run_every(session_id, nominal_interval)


def running() -> int:
    """Live runs ticking on this server now, every page's (the class the interval is shared by)."""
    return _BUDGET.snapshot()["running"]

"""The one run lifecycle every live lesson uses.

A page declares a `Lesson` (its config class, how to build a trainer, how to advance it a bounded chunk,
how to draw it) and calls `render(lesson)`. The lifecycle does the rest, in one frame:

    settings widgets (from the config's field metadata) -> validated config
    -> pending / Apply / Revert (a change waits for Apply once the run has started)
    -> Start / Pause / Step / Reset -> one `st.fragment(run_every=…)` tick -> faults with a way out.

Why callbacks only record intents. With Streamlit's `runner.fastReruns` (on by default) a click while the
script runs STOPS that run and starts a new script thread at once; the old thread carries on with whatever
Python it is in (2.5 s of torch for a CGAN "Step ×25") until its next st.* call. A callback that trained
would then train the same trainer from two threads (the "modified by an inplace operation" error, or a
segfault). So buttons only write down what was asked (`Run.intents`, `Run.todo`); the frame carries the
intents out one at a time under the session's lock, in pieces with no st.* call inside a piece: an
interrupted frame leaves a whole number of pieces done, and the next frame finishes the rest.

Why the guard. Every action, tick and drawing goes through `_guarded`: an unexpected exception pauses this
session's run and becomes a message with "Restore last good" / "Reset" / "Dismiss"; no traceback reaches
the page and nothing escapes into Streamlit's server.

Links, export/import and presenter mode live in ui/share.py and are drawn here, once for every lesson: the
frame reads a link's settings before the widgets, writes the URL after them, and puts "Share link" and
"Export / import" in the sidebar. `set_settings()` is how anything outside the widgets (a link, an imported
file, a scenario) changes what the widgets show; `current_config()` / `trainer()` read what runs.
"""
from __future__ import annotations

import dataclasses
import logging
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import streamlit as st

from gan_core.settings_spec import specs
from ui import settings as sidebar
from ui import class_load, compute, fragment_timer, presenter, share, tick_budget, turns, widgets

LOG = logging.getLogger(__name__)
LOCK_WAIT_S = 30.0  # a frame waits this long for another thread's action on the same trainer


def _steps(trainer: Any) -> int:
    return int(getattr(trainer, "steps", 0))


def _fault(trainer: Any) -> str | None:
    """The trainer's own verdict: a message when it diverged (the run pauses), None when fine."""
    if getattr(trainer, "status", "ok") != "ok":
        return str(getattr(trainer, "message", "") or "The run diverged.")
    return None


def _restore(trainer: Any) -> None:
    trainer.restore_last_good()


def _seed_from_sidebar() -> dict[str, Any]:
    return {"seed": sidebar.global_seed()}


@dataclass
class Lesson:
    """What a live page declares; everything else is the lifecycle's."""

    prefix: str  # session-state and widget keys start with it ("m1d", "mc", …)
    config_cls: type  # XxxConfig, with settings_spec metadata
    build: Callable[[Any], Any]  # config -> a fresh trainer
    advance: Callable[[Any, float], Any]  # (trainer, seconds) -> train a bounded chunk; False = finished, pause
    draw: Callable[[Any], None]  # trainer -> the live elements (inside the fragment)
    step: Callable[[Any, int], Any] = lambda trainer, n: trainer.step(n)
    defaults: Any = None  # the settings the widgets start from (None: config_cls())
    check: Callable[[Any], Any] = lambda config: config.validate()  # {field: message}, empty = usable
    step_size: int = 1  # steps per press of Step
    step_piece: int | None = None  # steps per atomic piece of a Step (progress is shown between pieces)
    steps: Callable[[Any], int] = _steps  # how far the run is (0 = not started: changes apply at once)
    fault: Callable[[Any], str | None] = _fault
    restore: Callable[[Any], Any] | None = _restore  # back to the last good state, None when there is none
    reset: Callable[[Any, Any], Any] | None = None  # (trainer, config) -> reset in place; None = build anew
    context: Callable[[], Mapping[str, Any]] = _seed_from_sidebar  # settings that come from the sidebar
    live_fields: frozenset[str] = frozenset()  # applied to the running trainer at once (threshold, …)
    apply_live: Callable[[Any, Any], None] | None = None  # (trainer, config) for the live fields
    apply_at_once: bool = False  # every change restarts at once (cheap demos: the xy game)
    hidden: Callable[[str, Any], bool] = lambda name, wanted: False  # (field, wanted config) -> not relevant now
    custom_widgets: Mapping[str, widgets.Custom] = field(default_factory=dict)
    columns: int = 3
    start_label: str = "Start"
    step_label: str | None = None  # default "Step ×N"
    nominal_interval: float = tick_budget.NOMINAL_INTERVAL
    nominal_train_seconds: float = tick_budget.NOMINAL_TRAIN_SECONDS
    # trainer -> CPU s of one training step, for a lesson whose update is a step (CGAN): every tick trains at
    # least that, and the shared interval grows to fit it (ui/tick_budget.py); None: ticks may train nothing
    tick_floor: Callable[[Any], float] | None = None
    settings_title: str = "Settings"
    settings_open: bool | None = None  # None: open unless running (the charts get the room)
    settings_note: str = ("Before the first step, changes apply at once; once a run has started they wait for "
                          "**Apply & restart**, so a run is never thrown away by accident. The seed is in the "
                          "sidebar: same seed + same settings = the same run.")


class Run:
    """One lesson's run in one browser session (kept in st.session_state)."""

    def __init__(self) -> None:
        self.lock = threading.RLock()  # one action at a time on this session's trainer
        self.trainer: Any = None
        self.config: Any = None  # the settings the trainer runs with
        self.running = False
        self.error: str | None = None  # an unexpected failure, shown until dismissed or reset
        self.notice: str | None = None  # e.g. "press ignored: still busy"
        self.todo = 0  # steps still owed to a Step press
        self.intents: list[tuple[str, Callable[[], Any]]] = []
        self.values: dict[str, Any] = {}  # what the widgets show, by field name
        self.drawn: set[str] = set()  # the settings whose widgets the last frame drew

    @property
    def state(self) -> str:
        """idle (nothing trained yet) · running · paused · diverged · failed."""
        if self.error:
            return "failed"
        if self.trainer is not None and getattr(self.trainer, "status", "ok") != "ok":
            return "diverged"
        if self.running:
            return "running"
        return "paused" if self.trainer is not None and _steps(self.trainer) > 0 else "idle"


# ------------------------------------------------------------------ session state


def run_of(prefix: str) -> Run:
    run = st.session_state.get(f"{prefix}_run")
    if not isinstance(run, Run):
        run = Run()
        st.session_state[f"{prefix}_run"] = run
    return run


def trainer(prefix: str) -> Any:
    return run_of(prefix).trainer


def current_config(prefix: str) -> Any:
    return run_of(prefix).config


def session_key(prefix: str) -> str:
    """A stable id for this browser session and lesson (what ui/tick_budget shares the server by)."""
    sid = st.session_state.get("_lifecycle_session_id")
    if sid is None:
        try:
            from streamlit.runtime.scriptrunner import get_script_run_ctx

            ctx = get_script_run_ctx()
            sid = ctx.session_id if ctx is not None else None
        except Exception:  # noqa: BLE001 - any other Streamlit layout: a random id is as stable
            sid = None
        sid = sid or uuid.uuid4().hex
        st.session_state["_lifecycle_session_id"] = sid
    return f"{sid}/{prefix}"


def _errors(config: Any, lesson: Lesson | None = None) -> dict[str, str]:
    """validate() as {field: message}; older configs that return a list get numbered entries."""
    try:
        found = lesson.check(config) if lesson is not None else config.validate()
    except Exception as exc:  # noqa: BLE001 - a half-typed value must give a message, not a traceback
        return {"settings": f"These settings cannot be checked ({type(exc).__name__}: {exc})."}
    if isinstance(found, Mapping):
        return {str(k): str(v) for k, v in found.items()}
    return {f"_{i}": str(m) for i, m in enumerate(found or ())}


def set_settings(lesson: Lesson, config: Any) -> None:
    """Make the widgets show `config` (a link, an imported file, a scenario). Call it from a callback, or
    before `render()` in the run; the change then follows the usual rules (at once before the first step)."""
    skip = set(lesson.context())
    widgets.show(lesson.prefix, config, run_of(lesson.prefix).values, skip=skip)
    for name, value in lesson.context().items():  # the sidebar's seed, when the config names another
        if name == "seed" and getattr(config, "seed", value) != value:
            st.session_state[sidebar.SEED_KEY] = int(config.seed)


def load(lesson: Lesson, config: Any, what: str = "Loading the settings") -> None:
    """From a callback: show `config` in the widgets and start a fresh run with it (a scenario, an import)."""
    run = run_of(lesson.prefix)
    _stop(lesson, run)
    set_settings(lesson, config)
    run.todo, run.notice = 0, None
    run.intents.append((what, lambda: _build(lesson, run, config)))


def request(lesson: Lesson, what: str, action: Callable[[Any], Any]) -> None:
    """Queue an action on the trainer (from a callback): the frame runs it under the lock."""
    run = run_of(lesson.prefix)
    run.intents.append((what, lambda: action(run.trainer)))


# ------------------------------------------------------------------ the guard


def with_trainer(prefix: str, action: Callable[[Any], Any], what: str) -> Any:
    """Run `action(trainer)` now, under the session's lock and the guard (a page's own button that reads the
    trainer, e.g. "Use this model"). Waits for a tick or step in another thread to finish first."""
    run = run_of(prefix)
    if run.trainer is None:
        return None
    if not turns.acquire(run.lock, LOCK_WAIT_S):
        run.notice = "The server is busy with this session's previous action; try again in a moment."
        return None
    try:
        return _guarded(run, what, lambda: action(run.trainer))
    finally:
        run.lock.release()


def callback(prefix: str, what: str, action: Callable[..., Any]) -> Callable[..., Any]:
    """A button's or widget's on_click / on_change, guarded: a failure pauses that lesson's run and shows in its
    fault box (Streamlit would otherwise print the traceback on the page)."""
    def guarded(*args: Any, **kwargs: Any) -> Any:
        return _guarded(run_of(prefix), what, lambda: action(*args, **kwargs))
    return guarded


def guard_view(what: str, view: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a page's own view (a fragment without a run, e.g. the latent explorer) in the guard: an
    unexpected failure is a message, never a traceback."""
    def guarded(*args: Any, **kwargs: Any) -> Any:
        try:
            with turns.turn(urgent=True):  # a slider drag reruns only the fragment: it takes its turn like a page run
                return view(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - shown to the user
            LOG.exception("%s failed", what)
            st.error(f"{what} failed: {type(exc).__name__}: {exc}", icon=":material/report:")
            return None
    return guarded


def _guarded(run: Run, what: str, action: Callable[[], Any]) -> Any:
    """Run an action; an unexpected failure pauses the run and becomes a message. Streamlit's own
    stop/rerun signals are BaseExceptions and pass through (they end a frame, never a piece)."""
    try:
        return action()
    except Exception as exc:  # noqa: BLE001 - shown to the user with a way out, never a traceback
        LOG.exception("%s failed", what)
        run.running = False
        run.todo = 0
        run.error = f"{what} failed: {type(exc).__name__}: {exc}"
        return None


def _wanted(lesson: Lesson, run: Run) -> Any:
    base = run.config if run.config is not None else _defaults(lesson)
    return widgets.config_from(lesson.config_cls, base, run.values, lesson.context())


def _defaults(lesson: Lesson) -> Any:
    return lesson.defaults if lesson.defaults is not None else lesson.config_cls()


def _build(lesson: Lesson, run: Run, config: Any) -> None:
    fresh = lesson.build(config)
    run.trainer, run.config, run.error, run.todo = fresh, config, None, 0


def _restart(lesson: Lesson, run: Run) -> None:
    """Reset / Apply: a fresh run with the settings the widgets show when valid, else the current ones."""
    wanted = _wanted(lesson, run)
    config = wanted if not _errors(wanted, lesson) else run.config
    if config is None:
        return
    if lesson.reset is not None and run.trainer is not None and config == run.config:
        lesson.reset(run.trainer, config)
        run.error, run.todo = None, 0
    else:
        _build(lesson, run, config)


# ------------------------------------------------------------------ callbacks: intents only


def _stop(lesson: Lesson, run: Run) -> None:
    run.running = False
    tick_budget.session_stopped(session_key(lesson.prefix))


def on_start(lesson: Lesson) -> None:
    run = run_of(lesson.prefix)
    run.running, run.notice = True, None
    if lesson.settings_open is None:
        st.session_state[f"{lesson.prefix}_settings_open"] = False


def on_pause(lesson: Lesson) -> None:
    _stop(lesson, run_of(lesson.prefix))


def on_step(lesson: Lesson) -> None:
    run = run_of(lesson.prefix)
    if run.todo > 0 or run.running:
        run.notice = "Still working on the previous step: that press was ignored."
        return
    run.todo, run.notice = lesson.step_size, None


def on_reset(lesson: Lesson) -> None:
    run = run_of(lesson.prefix)
    _stop(lesson, run)
    run.todo, run.notice = 0, None
    run.intents.append(("Reset", lambda: _restart(lesson, run)))


def on_revert(lesson: Lesson) -> None:
    run = run_of(lesson.prefix)
    if run.config is not None:
        set_settings(lesson, run.config)


def on_restore(lesson: Lesson) -> None:
    run = run_of(lesson.prefix)
    run.intents.append(("Restoring the last good state", lambda: _restore_run(lesson, run)))


def _restore_run(lesson: Lesson, run: Run) -> None:
    if lesson.restore is not None and run.trainer is not None:
        lesson.restore(run.trainer)
    run.error = None


def on_dismiss(lesson: Lesson) -> None:
    run_of(lesson.prefix).error = None


# ------------------------------------------------------------------ the frame


def _carry_out(lesson: Lesson, run: Run, progress: Callable[[int, int], None] | None = None,
               *, steps: bool = True) -> bool:
    """Do what was asked, under the lock, one action at a time. True when something was done.

    The owed steps of a Step press are trained in pieces (`step_piece`) with no st.* call inside a piece;
    `progress` (an st.* call) runs between pieces, where a click may stop this frame: the next frame then
    trains what is still owed, so a press gives its steps exactly once."""
    if not run.intents and (run.todo <= 0 or not steps):
        return False
    if not turns.acquire(run.lock, LOCK_WAIT_S):
        run.notice = "The server is busy with this session's previous action; try again in a moment."
        run.todo = 0  # dropped, not retried forever
        return False
    try:
        while run.intents:
            what, action = run.intents.pop(0)
            _guarded(run, what, action)
        if not steps:
            return True
        total = run.todo
        piece = lesson.step_piece or max(total, 1)
        while run.todo > 0 and run.trainer is not None and run.error is None and lesson.fault(run.trainer) is None:
            n = min(piece, run.todo)
            _guarded(run, "Training step", lambda: compute.run(lambda: lesson.step(run.trainer, n)))
            run.todo = max(0, run.todo - n)
            if (turn := turns.current()) is not None and run.todo > 0:
                turn.pass_on()  # a long Step lets the class's ticks go between its pieces
            if progress is not None and run.todo > 0:
                progress(total - run.todo, total)
        run.todo = 0
        return True
    finally:
        run.lock.release()


def _sync(lesson: Lesson, run: Run, wanted: Any, errors: dict[str, str]) -> list[str]:
    """Create the run, apply changes when nothing is lost by it, return the labels still pending."""
    if errors and run.trainer is not None:
        return _pending(lesson, run, wanted)
    if run.trainer is None:
        config = wanted if not errors else None
        if config is None:
            return []
        with turns.holding(run.lock):
            _guarded(run, "Starting the run", lambda: _build(lesson, run, config))
        return []
    live = {n for n in lesson.live_fields if getattr(wanted, n) != getattr(run.config, n)}
    if live and lesson.apply_live is not None:
        config = dataclasses.replace(run.config, **{n: getattr(wanted, n) for n in live})
        with turns.holding(run.lock):
            _guarded(run, "Applying the setting", lambda: lesson.apply_live(run.trainer, config))
        run.config = config
    pending = _pending(lesson, run, wanted)
    fresh = lesson.steps(run.trainer) == 0 and not run.running and run.todo == 0
    if pending and (lesson.apply_at_once or fresh):
        with turns.holding(run.lock):
            _guarded(run, "Applying the settings", lambda: _build(lesson, run, wanted))
        return []
    return pending


def _pending(lesson: Lesson, run: Run, wanted: Any) -> list[str]:
    if run.config is None:
        return []
    return [s.setting.label for s in specs(lesson.config_cls)
            if s.name not in lesson.live_fields and getattr(wanted, s.name) != getattr(run.config, s.name)]


def _control_bar(lesson: Lesson, run: Run, can_run: bool) -> None:
    p, busy = lesson.prefix, run.todo > 0 or bool(run.intents)
    start, pause, step, reset = st.columns(4)
    start.button(lesson.start_label, key=f"{p}_start", type="primary", icon=":material/play_arrow:",
                 disabled=run.running or not can_run or busy, on_click=callback(p, "Start", on_start), args=(lesson,), width="stretch")
    pause.button("Pause", key=f"{p}_pause", icon=":material/pause:", disabled=not run.running,
                 on_click=callback(p, "Pause", on_pause), args=(lesson,), width="stretch")
    label = lesson.step_label or (f"Step ×{lesson.step_size}" if lesson.step_size > 1 else "Step")
    step.button("Working…" if busy else label, key=f"{p}_step", icon=":material/skip_next:",
                disabled=run.running or not can_run or busy, on_click=callback(p, "Step", on_step), args=(lesson,), width="stretch")
    reset.button("Reset", key=f"{p}_reset", icon=":material/restart_alt:", on_click=callback(p, "Reset", on_reset), args=(lesson,),
                 width="stretch")


def _pending_bar(lesson: Lesson, run: Run, pending: list[str], errors: dict[str, str]) -> None:
    if not pending:
        return
    p = lesson.prefix
    steps = lesson.steps(run.trainer) if run.trainer is not None else 0
    with st.container(border=True, key=f"{p}_pending"):
        text, apply_col, revert_col = st.columns([4, 1, 1], vertical_alignment="center")
        if errors:
            text.warning(f"Changed: {', '.join(pending)}. Fix the settings marked in red; the current run "
                         f"({steps:,} steps) keeps its settings.", icon=":material/edit:")
        else:
            text.info(f"Changed: {', '.join(pending)}. The current run ({steps:,} steps) keeps its settings "
                      "until you apply them — that starts a fresh run.", icon=":material/edit:")
        apply_col.button("Apply & restart", key=f"{p}_apply", type="primary", on_click=callback(p, "Reset", on_reset), args=(lesson,),
                         disabled=bool(errors), icon=":material/restart_alt:", width="stretch")
        revert_col.button("Revert", key=f"{p}_revert", on_click=callback(p, "Revert", on_revert), args=(lesson,),
                          icon=":material/undo:", width="stretch")


def _faults(lesson: Lesson, run: Run) -> None:
    """Divergence or an unexpected failure: the run is paused; say why and offer the way out."""
    p = lesson.prefix
    if run.notice:
        st.caption(f":orange[{run.notice}]")
        run.notice = None
    diverged = lesson.fault(run.trainer) if run.trainer is not None else None
    if not run.error and not diverged:
        return
    with st.container(key=f"{p}_fault"):
        if run.error:
            st.error(f"**Training stopped.** {run.error}", icon=":material/report:")
        if diverged:
            st.warning(f"**The run diverged and has been paused.** {diverged}", icon=":material/warning:")
        a, b, c, _ = st.columns([2, 1, 1, 2])
        if lesson.restore is not None and run.trainer is not None:
            a.button("Restore last good state", key=f"{p}_restore", type="primary", on_click=callback(p, "Restore", on_restore),
                     args=(lesson,), icon=":material/history:", width="stretch")
        b.button("Reset", key=f"{p}_fault_reset", on_click=callback(p, "Reset", on_reset), args=(lesson,), icon=":material/restart_alt:",
                 width="stretch")
        if run.error:
            c.button("Dismiss", key=f"{p}_dismiss", on_click=callback(p, "Dismiss", on_dismiss), args=(lesson,), width="stretch")


def _tick(lesson: Lesson, run: Run) -> None:
    """One fragment run, in this session's turn: an action a widget inside the fragment queued, then train
    a bounded chunk while running, then draw — each under the session's lock."""
    asked = time.monotonic()
    with turns.turn():
        waited = time.monotonic() - asked  # counts in the tick's wall time (ui/tick_budget.py); its actions do not
        _carry_out(lesson, run)
        _tick_in_turn(lesson, run, waited)


def _tick_in_turn(lesson: Lesson, run: Run, waited: float = 0.0) -> None:
    if run.running and run.trainer is not None and (run.error or lesson.fault(run.trainer)):
        _stop(lesson, run)
        st.rerun(scope="app")
    if run.running and run.trainer is not None:
        plan = tick_budget.plan_tick(session_key(lesson.prefix), lesson.nominal_interval,
                                     lesson.nominal_train_seconds, reports_done=True,
                                     min_train_seconds=lesson.tick_floor(run.trainer) if lesson.tick_floor else 0.0,
                                     waited=waited)
        finished = None
        if run.lock.acquire(blocking=False):  # another thread is acting on the trainer: skip this chunk
            try:
                if run.running:  # checked again under the lock: a Reset or Pause may have come in between
                    finished = _guarded(run, "Training", lambda: compute.run(  # ui/compute.py: a warm thread
                        lambda: lesson.advance(run.trainer, plan.train_seconds)))
            finally:
                run.lock.release()
        if finished is False or run.error or lesson.fault(run.trainer):
            _stop(lesson, run)
            st.rerun(scope="app")  # the buttons and the fault box are outside the fragment
    if run.trainer is None:
        return
    if run.running and presenter.is_on():  # the lecturer's panel: a word when the class slows the runs down
        class_load.show(lesson.nominal_interval)  # (ui/class_load.py; on every student's it cost updates)
    if not turns.acquire(run.lock, LOCK_WAIT_S):  # waited for aside: this session's other thread
        st.caption("Busy with the previous action…")
        return
    try:
        _guarded(run, "Drawing", lambda: lesson.draw(run.trainer))
    finally:
        run.lock.release()
    if run.running and not run.error:
        tick_budget.tick_done(session_key(lesson.prefix))
        wanted = tick_budget.run_every(session_key(lesson.prefix), lesson.nominal_interval)
        changed = wanted != st.session_state.get(f"{lesson.prefix}_run_every")
        # Every tick, changed or not: the browser ignores an unchanged interval, and re-arms a timer it lost
        # (a full run replaced before it reached the fragment: docs/classroom.md, session 6's race)
        if fragment_timer.retime(wanted):  # this session's timer only, no page rerun (ui/fragment_timer.py)
            st.session_state[f"{lesson.prefix}_run_every"] = wanted
        elif changed:
            st.rerun(scope="app")  # the page's definition of the fragment sends the new run_every
    if run.error:
        st.error(run.error, icon=":material/report:")
        if run.running:
            _stop(lesson, run)
            st.rerun(scope="app")


STALE_CSS = """<style>.st-key-{p}_live [data-stale="true"] {{ opacity: 1 !important; transition: none !important; }}
</style>"""


def render(lesson: Lesson, *, settings_container: Any = None) -> Run:
    """Draw the lesson's whole frame: settings, buttons, pending changes, faults, the live panel."""
    run = run_of(lesson.prefix)
    try:
        _frame(lesson, run, settings_container)
    except Exception as exc:  # noqa: BLE001 - the last safety net: a message and a way out
        LOG.exception("lesson %s", lesson.prefix)
        _stop(lesson, run)
        run.error = f"Drawing the page failed: {type(exc).__name__}: {exc}"
        st.error(f"Something unexpected went wrong ({type(exc).__name__}: {exc}). Reset usually helps; your "
                 "settings are kept.", icon=":material/report:")
        st.button("Reset", key=f"{lesson.prefix}_safety_reset", on_click=callback(lesson.prefix, "Reset", on_reset), args=(lesson,))
    return run


def render_settings(lesson: Lesson, run: Run) -> tuple[Any, dict[str, str]]:
    widgets.pull(lesson.config_cls, lesson.prefix, run.values, run.drawn)
    wanted = _wanted(lesson, run)
    errors = _errors(wanted, lesson)
    widgets.render(lesson.config_cls, lesson.prefix, run.values, errors, skip=set(lesson.context()),
                   hidden=lambda name: lesson.hidden(name, wanted), custom=lesson.custom_widgets,
                   columns=lesson.columns, drawn=run.drawn, show_advanced=not presenter.is_on())  # ui/presenter.py
    shown = errors
    wanted = _wanted(lesson, run)
    errors = _errors(wanted, lesson)
    names = {s.name for s in specs(lesson.config_cls)}
    for key, message in errors.items():  # cross-field rules, and what a page's own widget changed just now
        if key not in names or key in lesson.context() or shown.get(key) != message:
            st.error(message, icon=":material/error:")
    if lesson.settings_note:
        st.caption(lesson.settings_note)
    return wanted, errors


def _frame(lesson: Lesson, run: Run, settings_container: Any) -> None:
    p = lesson.prefix
    if not run.values:
        widgets.show(p, _defaults(lesson), run.values, skip=set(lesson.context()))
    share.open_link(lesson, run)  # a link's settings, once per session (ui/share.py)
    box = settings_container
    if box is None:
        # Open until a run starts (then folded so the charts fill the projector); the user's own open/close
        # is kept from then on, so the panel never snaps shut while someone edits it.
        st.session_state.setdefault(f"{p}_settings_open", lesson.settings_open is not False and not presenter.is_on())
        box = st.expander(lesson.settings_title, key=f"{p}_settings_open", on_change="rerun", icon=":material/tune:")
    with box:
        wanted, errors = render_settings(lesson, run)
    _carry_out(lesson, run, steps=False)  # Reset, Apply, Restore, the page's own actions
    pending = _sync(lesson, run, wanted, errors)
    can_run = not errors and run.trainer is not None and run.error is None and lesson.fault(run.trainer) is None
    owed = run.todo > 0
    _control_bar(lesson, run, can_run)  # shows "Working…" while a Step is owed
    share.write_link(lesson, run, wanted, errors)  # the URL follows the settings
    share.toolbar(lesson, run)  # "Share link", "Export / import"
    if errors:
        st.caption(":red[Start and Step are disabled until the settings marked in red are fixed.]")
    _pending_bar(lesson, run, pending, errors)
    work = st.empty()

    def progress(done: int, total: int) -> None:
        work.progress(done / total, text=f"Training… {done:,} of {total:,} steps")

    if owed:
        _carry_out(lesson, run, progress)
        work.empty()
        st.rerun(scope="app")  # redraw the buttons: the step is done
    _faults(lesson, run)
    if run.trainer is None:
        return
    interval = None
    if run.running:
        interval = tick_budget.run_every(session_key(lesson.prefix), lesson.nominal_interval)
    st.session_state[f"{p}_run_every"] = interval

    @st.fragment(run_every=interval)
    def live() -> None:
        _tick(lesson, run)

    st.html(STALE_CSS.format(p=p))
    with st.container(key=f"{p}_live"):
        live()



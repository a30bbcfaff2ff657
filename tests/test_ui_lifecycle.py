"""ui/lifecycle.py without a browser: pending / apply / revert, one action at a time, the guard.

A toy lesson (a counter that "trains") keeps these fast; the page tests cover the real lessons."""
from __future__ import annotations

import contextlib
import threading
import time
from dataclasses import dataclass, field

import pytest
from streamlit.testing.v1 import AppTest

from gan_core.settings_spec import check, setting


@dataclass
class ToyConfig:
    rate: float = field(default=1.0, metadata=setting("Rate", "How much one step adds.", min=0.1, max=10.0))
    mode: str = field(default="a", metadata=setting("Mode", "A choice.", choices={"a": "A", "b": "B"}))
    depth: int = field(default=2, metadata=setting("Depth", "An advanced knob.", min=1, max=9, advanced=True))
    seed: int = field(default=0, metadata=setting("Seed", "From the sidebar.", min=0, max=100))

    def validate(self) -> dict[str, str]:
        return check(self)


class ToyTrainer:
    """Counts steps; complains loudly if two threads ever step it at once."""

    def __init__(self, config: ToyConfig):
        self.config, self.steps, self.total = config, 0, 0.0
        self.status, self.message = "ok", ""
        self.inside = False
        self.fail_next = False

    def step(self, n: int) -> None:
        assert not self.inside, "two threads in one trainer"
        self.inside = True
        try:
            time.sleep(0.01)
            if self.fail_next:
                raise RuntimeError("weights went NaN")
            self.steps += n
            self.total += n * self.config.rate
        finally:
            self.inside = False

    def restore_last_good(self) -> None:
        self.status, self.message = "ok", ""


def toy_lesson(**overrides):
    from ui import lifecycle

    options = dict(prefix="toy", config_cls=ToyConfig, build=ToyTrainer, advance=lambda t, s: t.step(1),
                   draw=lambda t: __import__("streamlit").metric("Step", t.steps), step_size=10, step_piece=2)
    options.update(overrides)
    return lifecycle.Lesson(**options)


@contextlib.contextmanager
def held_elsewhere(lock):
    """`lock` held by another thread (this session's long Step, say) until the block ends."""
    held, release = threading.Event(), threading.Event()

    def hold():
        with lock:
            held.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait(5)
    try:
        yield
    finally:
        release.set()
        holder.join()


def _page():
    from tests.test_ui_lifecycle import toy_lesson
    from ui import lifecycle

    lifecycle.render(toy_lesson())


@pytest.fixture
def at():
    at = AppTest.from_function(_page, default_timeout=30).run()
    assert not at.exception, at.exception
    return at


def run(at):
    return at.session_state["toy_run"]


# ------------------------------------------------------------------ pending / apply / revert


def test_widgets_come_from_the_metadata_and_advanced_ones_are_folded(at):
    assert at.number_input(key="toy_rate").label == "Rate"
    assert at.selectbox(key="toy_mode").options == ["A", "B"]
    assert any(e.label == "Advanced" for e in at.expander)
    assert "toy_seed" not in [w.key for w in at.number_input]  # the sidebar's, not the page's


def test_a_change_before_the_first_step_applies_at_once(at):
    first = run(at).trainer
    at.number_input(key="toy_rate").set_value(2.0).run()
    assert run(at).trainer is not first and run(at).config.rate == 2.0 and not at.info


def test_a_change_mid_run_waits_for_apply_and_revert_restores_the_controls(at):
    at.button(key="toy_step").click().run()
    assert run(at).trainer.steps == 10
    at.number_input(key="toy_rate").set_value(3.0).run()
    assert run(at).config.rate == 1.0 and run(at).trainer.steps == 10  # the run is kept
    assert any("Changed: Rate" in i.value for i in at.info)
    at.button(key="toy_revert").click().run()
    assert at.number_input(key="toy_rate").value == 1.0 and not at.info
    at.number_input(key="toy_rate").set_value(3.0).run()
    at.button(key="toy_apply").click().run()
    assert run(at).config.rate == 3.0 and run(at).trainer.steps == 0 and not at.info


def test_bad_settings_show_the_metadata_message_and_disable_training(at):
    at.number_input(key="toy_rate").set_value(50.0).run()
    assert any("Rate must be between 0.1 and 10" in e.value for e in at.error)
    assert at.button(key="toy_start").disabled and at.button(key="toy_step").disabled


# ------------------------------------------------------------------ one action at a time


def test_owed_steps_are_trained_once_even_from_two_threads():
    """Two script threads (fastReruns: a click starts a new one while the old still runs) carry out the
    same owed Step: the lock lets one train, and the steps are given exactly once."""
    from ui import lifecycle

    lesson = toy_lesson()
    r = lifecycle.Run()
    r.trainer, r.config = ToyTrainer(ToyConfig()), ToyConfig()
    r.todo = 10
    threads = [threading.Thread(target=lifecycle._carry_out, args=(lesson, r)) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert r.trainer.steps == 10 and r.todo == 0 and r.error is None


def test_a_tick_skips_training_while_another_thread_holds_the_trainer(monkeypatch):
    from ui import lifecycle

    lesson = toy_lesson(draw=lambda t: None)
    r = lifecycle.Run()
    r.trainer, r.config, r.running = ToyTrainer(ToyConfig()), ToyConfig(), True
    monkeypatch.setattr(lifecycle, "session_key", lambda prefix: "test/toy")
    monkeypatch.setattr(lifecycle, "LOCK_WAIT_S", 0.05)
    monkeypatch.setattr(lifecycle.st, "caption", lambda *a, **k: None)
    with held_elsewhere(r.lock):
        lifecycle._tick(lesson, r)  # cannot get the lock: no training, no waiting forever
        assert r.trainer.steps == 0
    lifecycle._tick(lesson, r)
    assert r.trainer.steps == 1


def test_ticks_and_steps_train_on_the_long_lived_compute_thread_and_draw_on_their_own(monkeypatch):
    """Streamlit gives every run a new thread, where torch's first operations cost more (ui/compute.py):
    the training of every tick and every Step piece goes to one long-lived thread; drawing stays in the run."""
    from ui import compute, lifecycle

    trained, drawn = [], []
    monkeypatch.setattr(compute, "_THREAD", compute.ComputeThread())  # counts of this test only
    monkeypatch.setattr(lifecycle.tick_budget, "_BUDGET", lifecycle.tick_budget.TickBudget())
    monkeypatch.setattr(lifecycle, "session_key", lambda prefix: "test/compute")
    monkeypatch.setattr(lifecycle.fragment_timer, "retime", lambda seconds: True)
    lesson = toy_lesson(advance=lambda t, s: trained.append(threading.get_ident()) or t.step(1),
                        step=lambda t, n: trained.append(threading.get_ident()) or t.step(n),
                        draw=lambda t: drawn.append(threading.get_ident()))
    r = lifecycle.Run()
    r.trainer, r.config, r.running = ToyTrainer(ToyConfig()), ToyConfig(), True
    runs = []

    def one_run(work):  # each on a thread of its own, as Streamlit's script runs are
        th = threading.Thread(target=lambda: runs.append(threading.get_ident()) or work())
        th.start()
        th.join()

    try:
        for _ in range(2):
            one_run(lambda: lifecycle._tick(lesson, r))
    finally:
        lifecycle.tick_budget.session_stopped("test/compute")
    r.running, r.todo = False, 4
    one_run(lambda: lifecycle._carry_out(lesson, r))  # a Step press: two pieces of two steps
    assert r.trainer.steps == 2 + 4 and r.error is None
    assert len(trained) == 4 and len(set(trained)) == 1  # one thread trained everything …
    assert not set(trained) & set(runs)  # … and it was none of the runs' own threads
    assert drawn == runs[:2]  # each tick drew on its own run's thread (st.* calls need the run's context)


def test_every_running_tick_sends_its_timer_so_a_browser_that_lost_it_ticks_again(monkeypatch):
    """The browser drops its fragment timers when a full run starts and sets them again only when that run
    reaches the fragment; a full run replaced before that (a Streamlit race, docs/classroom.md) left the page
    without a timer. So every tick sends its interval, unchanged or not: the browser ignores an unchanged one
    (Streamlit 1.67's handleAutoRerun) and re-arms a lost one."""
    from ui import lifecycle

    sent = []
    monkeypatch.setattr(lifecycle.tick_budget, "_BUDGET", lifecycle.tick_budget.TickBudget())  # not other tests' class
    monkeypatch.setattr(lifecycle, "session_key", lambda prefix: "test/timer")
    monkeypatch.setattr(lifecycle.fragment_timer, "retime", lambda seconds: sent.append(seconds) or True)
    lesson = toy_lesson(draw=lambda t: None)
    r = lifecycle.Run()
    r.trainer, r.config, r.running = ToyTrainer(ToyConfig()), ToyConfig(), True
    try:
        for _ in range(3):
            lifecycle._tick(lesson, r)
    finally:
        lifecycle.tick_budget.session_stopped("test/timer")
    assert len(sent) == 3 and len(set(sent)) == 1  # the same interval, three times
    r.running = False
    lifecycle._tick(lesson, r)  # paused: no timer
    assert len(sent) == 3


def test_a_tick_tells_the_planner_how_long_it_waited_for_its_turn_but_not_its_own_actions(monkeypatch):
    """The browser's next request comes an interval after the run began, so the wait for the turn is part of
    the tick's wall time; an action the tick carries out first (a click inside the fragment) is not a slow tick."""
    import contextlib
    import time

    from ui import lifecycle

    @contextlib.contextmanager
    def slow_turn(*args, **kwargs):  # another session holds the turn for 50 ms
        time.sleep(0.05)
        yield

    asked = []
    monkeypatch.setattr(lifecycle.tick_budget, "_BUDGET", lifecycle.tick_budget.TickBudget())
    real_plan = lifecycle.tick_budget.plan_tick
    monkeypatch.setattr(lifecycle, "session_key", lambda prefix: "test/waited")
    monkeypatch.setattr(lifecycle.turns, "turn", slow_turn)
    monkeypatch.setattr(lifecycle.tick_budget, "plan_tick",
                        lambda *a, **kw: asked.append(kw.get("waited")) or real_plan(*a, **kw))
    monkeypatch.setattr(lifecycle.fragment_timer, "retime", lambda seconds: True)
    lesson = toy_lesson(draw=lambda t: None)
    r = lifecycle.Run()
    r.trainer, r.config, r.running = ToyTrainer(ToyConfig()), ToyConfig(), True
    r.intents.append(("A slow action", lambda: time.sleep(0.2)))
    try:
        lifecycle._tick(lesson, r)
    finally:
        lifecycle.tick_budget.session_stopped("test/waited")
    assert not r.intents
    (waited,) = asked
    assert 0.05 <= waited < 0.2  # the wait is in the tick's wall time, the action is not


def test_a_second_step_press_while_steps_are_owed_is_ignored(at):
    run(at).todo = 10  # a press whose frame was interrupted before it trained
    at.button(key="toy_step").click().run()
    assert run(at).trainer.steps == 10  # not 20


# ------------------------------------------------------------------ the guard


def test_a_failing_step_pauses_the_run_and_offers_a_way_out(at):
    run(at).trainer.fail_next = True
    at.button(key="toy_step").click().run()
    assert not at.exception
    assert any("Training step failed: RuntimeError: weights went NaN" in e.value for e in at.error)
    assert run(at).running is False and run(at).state == "failed"
    at.button(key="toy_fault_reset").click().run()
    assert run(at).error is None and not at.error and run(at).trainer.steps == 0


def test_streamlit_stop_signals_pass_through_the_guard_and_release_the_lock():
    from streamlit.runtime.scriptrunner_utils.exceptions import StopException

    from ui import lifecycle

    def stopped(trainer, n):
        raise StopException()

    lesson = toy_lesson(step=stopped)
    r = lifecycle.Run()
    r.trainer, r.config, r.todo = ToyTrainer(ToyConfig()), ToyConfig(), 10
    with pytest.raises(StopException):
        lifecycle._carry_out(lesson, r)
    assert r.error is None
    assert r.lock.acquire(blocking=False)  # released on the way out
    r.lock.release()


def test_divergence_pauses_and_restore_brings_the_run_back(at):
    t = run(at).trainer
    t.status, t.message = "diverged", "a loss became NaN"
    run(at).running = True
    at.run()
    assert run(at).running is False and run(at).state == "diverged"
    assert any("a loss became NaN" in w.value for w in at.warning)
    at.button(key="toy_restore").click().run()
    assert run(at).state == "idle" and not at.warning


def test_presenter_mode_hides_the_advanced_settings_and_keeps_their_values(at):
    at.session_state["presenter_mode"] = True
    at.run()
    assert not any(e.label == "Advanced" for e in at.expander)
    assert "toy_depth" not in [w.key for w in at.number_input]
    assert run(at).config.depth == 2 and not at.exception

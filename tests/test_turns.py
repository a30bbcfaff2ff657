"""Script runs take turns (ui/turns.py): one session's Python work at a time, its training included, page
runs and slider drags too; turns go in the order asked for, and nobody is held up by a session that waits
for itself or by a long Step."""
from __future__ import annotations

import threading
import time

import pytest

from tests.test_ui_lifecycle import ToyConfig, ToyTrainer, held_elsewhere, toy_lesson
from ui import turns


def test_a_turn_is_one_at_a_time_and_released_on_an_exception():
    inside, overlaps = [], []

    def work():
        with turns.turn() as t:
            assert t.held
            inside.append(1)
            overlaps.append(len(inside))
            time.sleep(0.02)
            inside.pop()

    threads = [threading.Thread(target=work) for _ in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert overlaps == [1, 1, 1, 1]
    with pytest.raises(RuntimeError), turns.turn():  # st.rerun() and st.stop() leave by an exception
        raise RuntimeError("rerun")
    assert not turns._LOCK.locked() and turns.current() is None


def test_work_aside_lets_another_session_take_its_turn_and_the_turn_comes_back():
    other_ran = threading.Event()

    def other():
        with turns.turn() as t:
            assert t.held
            other_ran.set()

    with turns.turn() as mine:
        with mine.aside():
            th = threading.Thread(target=other)
            th.start()
            assert other_ran.wait(2)  # would time out if aside kept the lock
            th.join()
        assert mine.held and turns._LOCK.locked()
    assert not turns._LOCK.locked()


def test_a_turn_not_given_in_time_goes_ahead_without_one(monkeypatch):
    monkeypatch.setattr(turns, "WAIT_S", 0.05)
    turns._LOCK.acquire(0)  # a stuck holder
    try:
        started = time.monotonic()
        with turns.turn() as t:
            assert not t.held
            with t.aside():  # harmless without a turn
                pass
            assert not t.held
        assert time.monotonic() - started < 1.0
    finally:
        turns._LOCK.release()
    assert not turns._LOCK.locked()  # the unheld turn released nothing it did not hold


class _Probe:
    """Records how many sessions are inside training at once."""

    def __init__(self):
        self.lock = threading.Lock()
        self.now, self.most = 0, 0

    def advance(self, trainer, seconds):
        with self.lock:
            self.now += 1
            self.most = max(self.most, self.now)
        time.sleep(0.05)
        with self.lock:
            self.now -= 1
        trainer.steps += 1


def _two_sessions_tick(lesson, monkeypatch) -> list:
    from ui import lifecycle

    monkeypatch.setattr(lifecycle, "session_key", lambda prefix: threading.current_thread().name)
    monkeypatch.setattr(lifecycle.fragment_timer, "retime", lambda seconds: True)
    runs = []
    for _ in range(2):
        r = lifecycle.Run()
        r.trainer, r.config, r.running = ToyTrainer(ToyConfig()), ToyConfig(), True
        runs.append(r)
    threads = [threading.Thread(target=lifecycle._tick, args=(lesson, r), name=f"turns-test-{i}")
               for i, r in enumerate(runs)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    for i in range(2):
        lifecycle.tick_budget.session_stopped(f"turns-test-{i}")
    return runs


def test_training_takes_turns_too(monkeypatch):
    """Even the CGAN's convolutions: training beside another session's Python work waits for the GIL at each
    of its hundreds of operations (benchmarks/bench_turns.py part 2), so no training runs outside a turn."""
    probe = _Probe()
    lesson = toy_lesson(advance=probe.advance, draw=lambda t: None)
    runs = _two_sessions_tick(lesson, monkeypatch)
    assert [r.trainer.steps for r in runs] == [1, 1] and all(r.error is None for r in runs)
    assert probe.most == 1
    assert not turns._LOCK.locked()


def test_a_tick_waiting_for_its_own_sessions_other_thread_does_not_hold_up_the_class(monkeypatch):
    """Session A's trainer is busy with A's other thread (a long Step): A's tick waits for it outside its
    turn, so session B's tick is not held up meanwhile."""
    from ui import lifecycle

    monkeypatch.setattr(lifecycle, "session_key", lambda prefix: threading.current_thread().name)
    monkeypatch.setattr(lifecycle.fragment_timer, "retime", lambda seconds: True)
    lesson = toy_lesson(advance=lambda t, s: None, draw=lambda t: None)
    a, b = lifecycle.Run(), lifecycle.Run()
    for r in (a, b):
        r.trainer, r.config = ToyTrainer(ToyConfig()), ToyConfig()  # paused: the tick only draws
    with held_elsewhere(a.lock):  # A's long Step
        waiting = threading.Thread(target=lifecycle._tick, args=(lesson, a), name="turns-test-a")
        waiting.start()
        time.sleep(0.1)  # A's tick is now waiting for its trainer
        started = time.monotonic()
        lifecycle._tick(lesson, b)
        took = time.monotonic() - started
    waiting.join()
    assert took < turns.WAIT_S / 2
    assert not turns._LOCK.locked()


def _holder_until(release: threading.Event) -> threading.Thread:
    """Another thread that takes its turn and keeps it until `release`."""
    has_it = threading.Event()

    def hold():
        with turns.turn() as t:
            assert t.held
            has_it.set()
            release.wait(5)

    th = threading.Thread(target=hold)
    th.start()
    assert has_it.wait(2)
    return th


def _queue_up(name: str, order: list) -> threading.Thread:
    """A thread that asks for its turn and records when it got it; returns once it is queued."""
    before = turns._LOCK.waiting()

    def wait_for_turn():
        with turns.turn() as t:
            order.append((name, t.held))

    th = threading.Thread(target=wait_for_turn)
    th.start()
    deadline = time.monotonic() + 2
    while turns._LOCK.waiting() == before and time.monotonic() < deadline:
        time.sleep(0.001)
    return th


def test_turns_are_given_in_the_order_asked_for():
    release, order = threading.Event(), []
    holder = _holder_until(release)
    waiters = [_queue_up(name, order) for name in "abcd"]
    release.set()
    for th in [holder, *waiters]:
        th.join()
    assert order == [(name, True) for name in "abcd"]
    assert not turns._LOCK.locked()


def test_a_turn_is_re_entrant_in_its_thread_and_released_once_at_the_outer_end():
    """A page run (app.py) draws its fragment inline, and the fragment's tick takes its turn again."""
    with turns.turn() as page_run:
        with turns.turn() as tick:
            assert tick is page_run and tick.held
            with tick.aside():
                assert not turns._LOCK.locked()  # aside gives up the page run's turn, not a nested count
            assert page_run.held
        assert turns._LOCK.locked() and turns.current() is page_run
    assert not turns._LOCK.locked() and turns.current() is None


def test_pass_on_lets_whoever_waits_go_first_and_only_then():
    order = []
    with turns.turn() as mine:
        mine.pass_on()  # nobody waits: keeps the turn
        assert mine.held and turns._LOCK.locked()
        other = _queue_up("other", order)
        mine.pass_on()
        order.append(("mine", mine.held))
    other.join()
    assert order == [("other", True), ("mine", True)]


def test_a_wait_that_times_out_leaves_no_place_in_the_queue():
    release = threading.Event()
    holder = _holder_until(release)
    try:
        assert not turns._LOCK.acquire(0.05)
        assert turns._LOCK.waiting() == 0
    finally:
        release.set()
        holder.join()
    assert turns._LOCK.acquire(0)  # free again, nobody's ticket left in the way
    turns._LOCK.release()
    assert not turns._LOCK.locked()


def test_waiting_for_the_sessions_own_lock_is_done_aside():
    """A page run waiting for its session's trainer (a tick of its old thread training) holds nobody up."""
    own = threading.RLock()
    order = []
    with held_elsewhere(own):
        with turns.turn():
            other = _queue_up("other", order)
            assert not turns.acquire(own, timeout=0.3)  # the other session had its turn meanwhile
            assert order == [("other", True)]
        other.join()
    assert order == [("other", True)]
    assert turns.acquire(own, timeout=0.1)  # free now
    own.release()
    assert not turns._LOCK.locked()


def test_a_long_step_lets_the_class_go_between_its_pieces():
    """A Step ×N in a page run trains in pieces in its turn; between two pieces a waiting tick goes."""
    from ui import lifecycle

    order = []

    def step(trainer, n):
        order.append(("piece", trainer.steps))
        time.sleep(0.03)
        trainer.steps += n

    lesson = toy_lesson(step=step, step_size=6, step_piece=1)
    run = lifecycle.Run()
    run.trainer, run.config, run.todo = ToyTrainer(ToyConfig()), ToyConfig(), 6
    other = []

    def page_run():
        with turns.turn(urgent=True):  # a page run's turn is urgent; its Step's pieces are not
            lifecycle._carry_out(lesson, run)

    stepping = threading.Thread(target=page_run)
    stepping.start()
    while not order:
        time.sleep(0.001)
    other += [_queue_up("tick a", order), _queue_up("tick b", order)]
    stepping.join()
    for th in other:
        th.join()
    assert run.trainer.steps == 6
    a, b = order.index(("tick a", True)), order.index(("tick b", True))
    assert b == a + 1 and b < len(order) - 1  # both between two pieces, not after the Step's last piece
    assert not turns._LOCK.locked()


def test_a_page_run_takes_its_turn(monkeypatch):
    """app.py runs the page in a turn: a student's click or slider drag is Python work like a tick's."""
    from streamlit.testing.v1 import AppTest

    from tests.app_paths import APP

    seen = []
    import ui.settings

    real = ui.settings.render_sidebar

    def probe(*args, **kwargs):
        t = turns.current()
        seen.append(t is not None and t.held and t.urgent)
        return real(*args, **kwargs)

    monkeypatch.setattr(ui.settings, "render_sidebar", probe)
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception
    assert seen and all(seen)
    assert not turns._LOCK.locked()


def test_a_latent_explorer_view_takes_its_turn():
    """A view without a run (the CGAN's latent sliders rerun only their fragment) takes its turn too."""
    from ui import lifecycle

    seen = []
    lifecycle.guard_view("probe", lambda: seen.append(turns.current() is not None and turns.current().held))()
    assert seen == [True]
    assert not turns._LOCK.locked()


def test_a_students_click_goes_before_the_live_ticks_waiting():
    """Urgent turns (a page run, a slider drag) are handed over before the ticks that asked earlier."""
    release, order = threading.Event(), []
    holder = _holder_until(release)
    ticks = [_queue_up(f"tick{i}", order) for i in range(3)]
    before = turns._LOCK.waiting()

    def click():
        with turns.turn(urgent=True) as t:
            order.append(("click", t.held))

    clicking = threading.Thread(target=click)
    clicking.start()
    while turns._LOCK.waiting() == before:
        time.sleep(0.001)
    release.set()
    for th in [holder, *ticks, clicking]:
        th.join()
    assert order == [("click", True), ("tick0", True), ("tick1", True), ("tick2", True)]
    assert not turns._LOCK.locked()

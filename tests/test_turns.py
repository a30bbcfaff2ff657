"""Live ticks take turns (ui/turns.py): one session's Python work at a time, its training included, and
nobody held up by a session that waits for itself."""
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
    assert turns._LOCK.acquire(blocking=False)
    turns._LOCK.release()


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
    turns._LOCK.acquire()  # a stuck holder
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

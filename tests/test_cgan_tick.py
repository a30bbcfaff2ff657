"""run_within: a live tick's training stays within its share of the server's budget (a fake clock, so the
figures are exact), and what is left over or overshot carries to the next tick."""
import types

import numpy as np
import pytest
import torch

import gan_core.cgan.trainer as trainer_module
from gan_core.cgan.config import CGANConfig
from gan_core.cgan.mnist import Digits, load_split
from gan_core.cgan.trainer import CGANTrainer


@pytest.fixture(scope="module")
def trainer():
    torch.set_num_threads(1)
    train, _ = load_split()
    idx = np.arange(0, len(train), 9)
    return CGANTrainer(CGANConfig(), data=Digits(train.images[idx], train.labels[idx], train.source))


@pytest.fixture
def clocked(trainer, monkeypatch):
    """The trainer with a fake clock: each step takes `durations` seconds in turn (no real training)."""
    clock = types.SimpleNamespace(now=0.0, durations=[0.03], calls=0)

    def fake_step(n=1):
        clock.now += clock.durations[clock.calls % len(clock.durations)]
        clock.calls += 1
        trainer.steps += 1
        return 1

    now = lambda: clock.now  # noqa: E731 - steps take CPU time; no other thread competes here: wall = CPU
    monkeypatch.setattr(trainer_module, "time", types.SimpleNamespace(perf_counter=now, thread_time=now))
    monkeypatch.setattr(trainer, "step", fake_step)
    trainer._step_seconds, trainer._carry, trainer._recent_rate = 0.0, 0.0, 0.0
    return trainer, clock


def test_a_tick_stops_before_the_step_that_would_overrun_its_share(clocked):
    trainer, clock = clocked
    assert trainer.run_within(0.1) == 3  # 0.03 + 0.03 + 0.03; a fourth would end at 0.12
    assert clock.now == pytest.approx(0.09)
    assert trainer.steps_per_second == pytest.approx(1 / 0.03)


def test_over_many_ticks_training_time_is_the_sum_of_the_shares(clocked):
    trainer, clock = clocked
    for _ in range(100):
        before = clock.now
        trainer.run_within(0.1)
        assert clock.now - before <= 0.1 + 0.03 + 1e-9  # never more than its share plus the carried step
    assert clock.now == pytest.approx(10.0, abs=0.03)


def test_shares_shorter_than_one_step_still_train_at_their_rate(clocked):
    trainer, clock = clocked
    trainer.run_within(0.03)  # learns the step time
    steps = [trainer.run_within(0.01) for _ in range(300)]
    assert set(steps) <= {0, 1}
    assert sum(steps) == pytest.approx(100, abs=1)  # 3 s of shares / 0.03 s per step


def test_an_overrun_is_repaid_by_the_next_tick(clocked):
    trainer, clock = clocked
    clock.durations = [0.03, 0.03, 0.03, 0.09, 0.03]  # one slow step (a snapshot, a busy core)
    for _ in range(50):
        trainer.run_within(0.1)
    assert clock.now == pytest.approx(5.0, abs=0.1)


def test_one_very_slow_step_does_not_stall_a_session_with_a_small_share(clocked):
    trainer, clock = clocked
    trainer.run_within(0.03)  # learns 0.03 s per step
    clock.durations = [2.0] + [0.03] * 1000  # the next step is stalled for 2 s (a burst of page reruns)
    clock.calls = 0
    trainer.run_within(0.03)
    steps = [trainer.run_within(0.01) for _ in range(30)]
    assert sum(steps) >= 8  # ~10 at 0.01 s per tick; an estimate of ~0.4 s would give none for 40 ticks


def test_a_live_tick_trains_one_step_even_on_a_share_below_it_and_the_overshoot_is_repaid(clocked):
    trainer, clock = clocked
    trainer.run_within(0.03)  # learns the step time
    assert trainer.step_seconds == pytest.approx(0.03)
    assert [trainer.run_within(0.01, min_steps=1) for _ in range(20)] == [1] * 20  # every tick an update
    assert [trainer.run_within(0.01) for _ in range(3)] == [0, 0, 0]  # the overshoot (capped) is repaid first
    assert trainer.run_within(0.1, min_steps=1) == 3  # a share that holds more trains more


def test_a_diverged_run_trains_nothing(trainer):
    status = trainer.status
    trainer.status = "diverged"
    try:
        assert trainer.run_within(0.5) == 0
    finally:
        trainer.status = status


def test_a_share_is_cpu_time_so_waiting_for_other_sessions_does_not_starve_training(trainer, monkeypatch):
    # a class on one server: each step takes 0.03 s of this thread's CPU but 0.12 s on the wall clock
    clock = types.SimpleNamespace(cpu=0.0, wall=0.0)

    def fake_step(n=1):
        clock.cpu += 0.03
        clock.wall += 0.12
        trainer.steps += 1
        return 1

    monkeypatch.setattr(trainer_module, "time", types.SimpleNamespace(perf_counter=lambda: clock.wall,
                                                                      thread_time=lambda: clock.cpu))
    monkeypatch.setattr(trainer, "step", fake_step)
    trainer._step_seconds, trainer._carry, trainer._recent_rate = 0.0, 0.0, 0.0
    assert trainer.run_within(0.1) == 3  # the 0.1 s share holds three 0.03-s steps, not one 0.12-s step
    assert sum(trainer.run_within(0.01) for _ in range(300)) == pytest.approx(100, abs=1)  # 3 s of shares
    assert trainer.steps_per_second == pytest.approx(1 / 0.12)  # the rate shown is per wall second

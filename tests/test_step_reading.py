"""StepReading: a trainer reading measured once per step (and, while training runs, at most every max_age_s)."""
from types import SimpleNamespace

from gan_core.mapping_1d.config import Mapping1DConfig
from gan_core.mapping_1d.trainer import Mapping1DTrainer
from gan_core.step_reading import StepReading


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def counting(trainer):
    counting.calls += 1
    return trainer.steps * 10


def make(max_age_s=0.5):
    counting.calls = 0
    clock = Clock()
    return StepReading(counting, max_age_s=max_age_s, clock=clock), clock


def fake(steps=0, status="ok"):
    return SimpleNamespace(steps=steps, status=status, engine=object())


def test_the_same_step_is_measured_once_and_a_new_step_again_when_paused():
    cache, _ = make()
    t = fake(3)
    assert cache.get(t) == (3, 30) and cache.get(t) == (3, 30) and counting.calls == 1
    t.steps = 4
    assert cache.get(t) == (4, 40) and counting.calls == 2  # paused: every new step at once


def test_while_running_a_reading_is_kept_at_most_max_age_and_says_its_step():
    cache, clock = make(0.5)
    t = fake(10)
    cache.get(t, running=True)
    t.steps = 20
    clock.now += 0.2
    assert cache.get(t, running=True) == (10, 100)  # young: the old value, with the step it belongs to
    clock.now += 0.4
    assert cache.get(t, running=True) == (20, 200) and counting.calls == 2  # older than 0.5 s: refreshed


def test_a_new_run_a_rewind_or_a_fault_is_measured_again_at_once():
    cache, _ = make(60.0)
    t = fake(10)
    cache.get(t, running=True)
    t.engine = object()  # Reset / Apply: another engine, maybe at the very same step
    assert cache.get(t, running=True) == (10, 100) and counting.calls == 2
    t.steps = 5  # Restore rewinds
    assert cache.get(t, running=True) == (5, 50) and counting.calls == 3
    t.status = "diverged"
    cache.get(t, running=True)
    assert counting.calls == 4


def test_a_real_trainer_reading_is_refreshed_when_the_step_changes():
    trainer = Mapping1DTrainer(Mapping1DConfig(seed=2))
    cache = StepReading(lambda t: t.generator_gradient("minimax", n=256))
    step, first = cache.get(trainer)
    assert step == 0 and first == trainer.generator_gradient("minimax", n=256)
    trainer.step(50)
    step, later = cache.get(trainer)
    assert step == 50 and later == trainer.generator_gradient("minimax", n=256) and later != first
    trainer.reset()  # back at step 0 with a new engine: measured afresh, not the step-50 value
    assert cache.get(trainer) == (0, first)  # same seed and settings: the step-0 reading again
    assert cache._run is trainer.engine

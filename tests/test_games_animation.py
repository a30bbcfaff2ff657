"""PlayClock: a run plays in its wall-clock time whatever the tick rate, and never stalls."""
import pytest

from gan_core.games.animation import MAX_GAP_S, PlayClock


@pytest.mark.parametrize("tick_s", [0.05, 0.1, 0.25, 0.45])
def test_a_run_of_1000_steps_plays_in_its_seconds_at_any_tick_rate(tick_s):
    clock = PlayClock(total=1000, play_seconds=12.0)
    now, ticks = 0.0, 0
    while not clock.finished:
        now += tick_s
        clock.advance(now)
        ticks += 1
    # the first tick counts as one nominal 0.1 s tick, every later one as the time since the last
    assert now == pytest.approx(12.0 - 0.1 + tick_s, abs=tick_s + 1e-9)
    assert clock.step == 1000 and ticks == pytest.approx(12.0 / tick_s, abs=2)


def test_every_tick_moves_at_least_one_step_and_never_past_the_end():
    clock = PlayClock(total=3, play_seconds=1000.0)  # far less than a step per tick by time
    assert [clock.advance(t) for t in (0.1, 0.2, 0.3, 0.4)] == [1, 2, 3, 3]


def test_a_pause_or_a_hidden_tab_does_not_jump_the_animation():
    clock = PlayClock(total=1000, play_seconds=10.0)
    clock.advance(0.0)
    at = clock.advance(0.1)
    assert clock.advance(100.0) - at == pytest.approx(1000 * MAX_GAP_S / 10.0, abs=1)
    clock.pause()
    before = clock.step
    assert clock.advance(500.0) - before == pytest.approx(1000 * 0.1 / 10.0, abs=1)
    clock.seek(-5)
    assert clock.step == 0
    clock.seek(5000)
    assert clock.finished


def test_seeking_to_the_step_already_shown_keeps_the_timing():
    """The page's slider echoes the animation's position back each tick; that must not reset the clock
    (it did: every tick then counted as a first one, 8 steps instead of the seconds' worth)."""
    clock = PlayClock(total=1200, play_seconds=12.0)
    clock.advance(0.0)
    clock.advance(1.0)
    at = clock.step
    clock.seek(at)
    assert clock.advance(2.0) - at == 100  # a whole second's worth, not one nominal tick's 10

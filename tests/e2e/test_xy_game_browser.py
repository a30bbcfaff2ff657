"""The xy-game page in Chromium: Play animates (the step indicator advances), Pause stops, no exception."""
import re
import time

import pytest

from tests.e2e.conftest import assert_no_exception, open_lesson, wait_idle

pytestmark = pytest.mark.e2e



def _step_shown(page) -> int:
    text = page.locator(".st-key-xy_step_indicator").inner_text()
    return int(re.search(r"Step ([\d,]+) of", text).group(1).replace(",", ""))


def test_play_animates_the_trajectories_and_pause_stops_them(page, app_url):
    open_lesson(page, app_url, "xy-game")
    page.locator(".st-key-xy_plane canvas, .st-key-xy_plane svg.marks").first.wait_for()
    assert _step_shown(page) == 0

    page.locator(".st-key-xy_start button").click()
    deadline = time.monotonic() + 20
    while _step_shown(page) < 20 and time.monotonic() < deadline:
        time.sleep(0.3)
    first = _step_shown(page)
    assert first >= 20, "the animation did not advance"
    time.sleep(1.0)
    assert _step_shown(page) > first, "the animation stopped advancing"

    page.locator(".st-key-xy_pause button").click()
    wait_idle(page)
    time.sleep(0.5)
    paused_at = _step_shown(page)
    time.sleep(1.0)
    assert _step_shown(page) == paused_at
    assert_no_exception(page)


def test_dirac_gan_tab_renders_its_field_and_regulariser_table(page, app_url):
    open_lesson(page, app_url, "xy-game")
    page.get_by_role("tab", name="Dirac-GAN").click()
    page.locator(".st-key-dirac_plane canvas, .st-key-dirac_plane svg.marks").first.wait_for()
    wait_idle(page)
    assert page.get_by_text("Which regularisers converge?").count() == 1
    assert_no_exception(page)

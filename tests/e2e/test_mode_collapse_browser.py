"""The mode-collapse page in Chromium: Start trains live (the step counter advances), Pause stops it."""
import time

import pytest

from tests.e2e.conftest import assert_no_exception, open_lesson, step_counter, wait_for_steps, wait_idle

pytestmark = pytest.mark.e2e

CHART = "[data-testid='stVegaLiteChart']"


def test_start_trains_live_and_pause_stops(page, app_url):
    open_lesson(page, app_url, "mode-collapse")
    page.wait_for_function(f"document.querySelectorAll(\"{CHART}\").length >= 6")
    assert step_counter(page) == 0

    page.locator(".st-key-mc_start button").click()
    first = wait_for_steps(page, 0)
    later = wait_for_steps(page, first)
    assert later > first
    assert_no_exception(page)

    page.locator(".st-key-mc_pause button").click()
    wait_idle(page)
    time.sleep(1.0)  # a tick already on its way may still land
    paused_at = step_counter(page)
    time.sleep(1.5)
    assert step_counter(page) == paused_at
    assert page.locator(".st-key-mc_start button").is_enabled()
    assert_no_exception(page)

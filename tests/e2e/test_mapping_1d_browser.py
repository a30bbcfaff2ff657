"""The 1-D page in Chromium: Start really trains live (counter and charts advance), Pause really stops."""
import time

import pytest

from tests.e2e.conftest import assert_no_exception, open_lesson, step_counter, wait_for_steps, wait_idle

pytestmark = pytest.mark.e2e

CHART = "[data-testid='stVegaLiteChart']"


def density_picture(page) -> str:
    """The first chart's pixels (canvas renderer), to see it redraw."""
    return page.locator(f"{CHART} canvas").first.evaluate("c => c.toDataURL()")


def test_start_trains_live_and_pause_stops(page, app_url):
    open_lesson(page, app_url, "")  # the 1-D page is the app's first lesson
    page.wait_for_function(f"document.querySelectorAll(\"{CHART} canvas\").length >= 7")
    assert step_counter(page) == 0
    picture_before = density_picture(page)

    page.locator(".st-key-m1d_start button").click()
    first = wait_for_steps(page, 0)
    later = wait_for_steps(page, first)  # still advancing on later ticks
    assert later > first
    assert density_picture(page) != picture_before  # the histogram of G(z) was redrawn
    assert_no_exception(page)

    page.locator(".st-key-m1d_pause button").click()
    wait_idle(page)
    time.sleep(1.0)  # a tick already on its way may still land
    paused_at = step_counter(page)
    time.sleep(1.5)
    assert step_counter(page) == paused_at
    assert page.locator(".st-key-m1d_start button").is_enabled()
    assert_no_exception(page)


def test_the_vanishing_gradient_scenario_loads_in_one_click(page, app_url):
    open_lesson(page, app_url, "")
    page.wait_for_function(f"document.querySelectorAll(\"{CHART} canvas\").length >= 7")
    page.locator(".st-key-m1d_scenario").click()
    page.get_by_role("option", name="Vanishing gradient (saturating minimax vs a strong D)").click()
    page.get_by_text("What to watch: D trains alone first").wait_for()  # the choice has reached the server
    wait_idle(page)
    page.locator(".st-key-m1d_load button").click()
    page.get_by_text("Against D right now").first.wait_for()
    page.get_by_text("5 D step(s) per G step", exact=False).first.wait_for()
    wait_idle(page)
    text = page.locator("[data-testid='stMain']").inner_text()
    assert "Saturating minimax (G minimises" in text and "5 D step(s) per G step" in text  # the run summary
    assert step_counter(page) == 0
    page.locator(".st-key-m1d_step button").click()
    assert wait_for_steps(page, 0) == 50
    assert_no_exception(page)

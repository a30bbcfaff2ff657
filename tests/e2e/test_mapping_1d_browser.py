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


def test_presenter_mode_shows_the_histograms_and_the_gradient_evidence_above_the_fold(browser, app_url):
    """On a 1920×1080 projector (?present=1) the first screen holds the key visual (histograms and D(x))
    and the vanishing-gradient evidence, without scrolling."""
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        page.goto(f"{app_url}/?present=1&scenario=vanishing")
        page.locator(".st-key-m1d_live").wait_for()
        page.wait_for_function("() => getComputedStyle(document.documentElement).fontSize === '20px'")
        page.wait_for_function(f"document.querySelectorAll(\"{CHART} canvas\").length >= 7")
        evidence = page.get_by_text("Against D right now").first
        evidence.wait_for()
        wait_idle(page)
        page.evaluate("window.scrollTo(0, 0)")
        scroll_y = page.evaluate("window.scrollY")  # boxes are in viewport units: add the scroll for page y
        density, said = page.locator(CHART).first.bounding_box(), evidence.bounding_box()
        assert density["height"] > 200  # the real chart, drawn
        assert scroll_y + density["y"] + density["height"] <= 1080, density
        assert scroll_y + said["y"] + said["height"] <= 1080, said
        assert_no_exception(page)
    finally:
        context.close()

"""The spam page in Chromium: play rounds by hand and with Run; the round counter advances, no exception."""
import pytest

from tests.e2e.conftest import assert_no_exception, open_lesson, wait_idle

pytestmark = pytest.mark.e2e


ROUND_JS = ("[...document.querySelectorAll(\"[data-testid='stMetric']\")].find(m => m.querySelector("
            "\"[data-testid='stMetricLabel']\")?.innerText.trim() === 'Round')"
            "?.querySelector(\"[data-testid='stMetricValue']\")?.innerText.trim()")


def round_number(page) -> int:
    """The metric labelled Round (by label: the page's other metrics read — until the first round)."""
    return int(page.evaluate(f"() => {ROUND_JS}"))


def close_dialog(page) -> None:
    # A server that has not yet seen this URL may greet it with a "page not found" notice before rendering it.
    if page.locator("[role='dialog']").count():
        page.keyboard.press("Escape")


def test_play_rounds_by_hand_then_run_and_pause(page, app_url):
    open_lesson(page, app_url, "spam-filter")
    close_dialog(page)
    page.wait_for_selector("text=Spammer vs spam filter")
    page.wait_for_function(f"() => {ROUND_JS} === '0'")

    for expected in (1, 2):
        page.locator(".st-key-spam_step button").first.click()
        page.wait_for_function(
            f"() => {ROUND_JS} === '{expected}'")
        wait_idle(page)
    page.wait_for_selector("text=TP · spam caught")  # the heat map's labels are drawn
    assert page.locator("[data-testid='stVegaLiteChart']").count() == 4
    page.wait_for_selector("text=nothing left to go on")  # the curves' note on why the game reaches a coin toss

    page.locator(".st-key-spam_start button").first.click()
    page.wait_for_function(
        f"() => Number({ROUND_JS}) >= 5", timeout=60_000)
    page.locator(".st-key-spam_pause button").first.click()
    page.wait_for_selector(".st-key-spam_start button:not([disabled])")  # the page reran with the game paused
    wait_idle(page)
    page.wait_for_timeout(700)  # a tick already in flight when Pause was pressed may still land
    wait_idle(page)
    paused_at = round_number(page)
    page.wait_for_timeout(1500)
    assert round_number(page) == paused_at, "Pause stops the rounds"
    assert_no_exception(page)

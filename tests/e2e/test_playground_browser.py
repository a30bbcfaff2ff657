"""The 2-D playground in a real browser: draw points by clicking on the plane, train, see the views move."""
import math
import time

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.e2e.conftest import assert_no_exception, open_lesson, step_counter, wait_for_steps, wait_idle

pytestmark = pytest.mark.e2e
URL = "playground-2d"


def _choose_own_points(page) -> None:
    """Settings → Data → Your own points (the generated select box of PlaygroundConfig.target)."""
    target = page.locator(".st-key-pg_target")
    target.wait_for(state="attached")
    if not target.is_visible():
        page.locator("[data-testid='stExpander'] summary", has_text="Settings").first.click()
    target.locator("input").click()
    page.get_by_role("option", name="Your own points (drawn, pasted or uploaded)").click()
    wait_idle(page)


def _drawn(page) -> int:
    text = page.locator(".st-key-pgx_count").inner_text()
    return int(text.split()[0])


def _wait_for_count(page, n: int, timeout_s: float = 20.0) -> None:
    """A click reruns the page: wait until the drawing holds n points (a click may land during a rerun)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        wait_idle(page)
        try:
            if _drawn(page) >= n:
                return
        except ValueError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"the drawing holds {_drawn(page)} points, {n} expected")


def _plot_area(chart):
    """The Vega plot's own canvas/svg box inside the chart element."""
    box = chart.locator("canvas, svg.marks").first.bounding_box()
    assert box, "the chart has no drawing surface"
    return box


def test_draw_by_clicking_then_train_and_watch(page, app_url):
    open_lesson(page, app_url, URL)
    _choose_own_points(page)
    board = page.locator(".st-key-pgx_board")
    board.wait_for()
    box = _plot_area(board)
    # the plot area of a 420×420 spec starts after the y axis; click well inside it, along a ring
    cx, cy, r = box["x"] + box["width"] * 0.55, box["y"] + box["height"] * 0.45, box["height"] * 0.25
    clicks = 12
    for i in range(clicks):
        a = 2 * math.pi * i / clicks
        page.mouse.click(cx + r * math.cos(a), cy + r * math.sin(a))
        _wait_for_count(page, i + 1)
    assert_no_exception(page)

    plane = page.locator(".st-key-pgx_plane_box")
    plane.wait_for()
    before = plane.screenshot()
    page.locator(".st-key-pg_start button").click()
    wait_for_steps(page, 150, timeout_s=60)
    time.sleep(1.0)
    after = plane.screenshot()
    assert before != after, "the plane (manifold and generated points) did not change while training"
    page.locator(".st-key-pg_pause button").click()
    wait_idle(page)
    assert_no_exception(page)
    assert step_counter(page) > 150


def test_bad_pasted_points_show_a_message(page, app_url):
    open_lesson(page, app_url, URL)
    _choose_own_points(page)
    page.get_by_text("Paste or upload points").click()
    page.locator(".st-key-pgx_paste textarea").fill("0, 0\n1, oops\n")
    page.locator(".st-key-pgx_paste textarea").press("Control+Enter")
    wait_idle(page)
    message = page.get_by_text("Line 2: 'oops' is not a number")
    page.locator(".st-key-pgx_use_paste button").click()
    try:
        message.wait_for(timeout=10_000)
    except PlaywrightTimeoutError:
        # seen once in three full suites, never alone: the message had not come 30 s after the click (cause
        # not found). A second click tells a lost click from a message that never comes (that still fails).
        wait_idle(page)
        page.locator(".st-key-pgx_use_paste button").click()
        message.wait_for(timeout=30_000)
    assert_no_exception(page)


def _updates(page, n: int, timeout_s: float = 60.0) -> None:
    """Wait until the step counter has shown n more values (n redraws of the live panel)."""
    seen, deadline = {step_counter(page)}, time.monotonic() + timeout_s
    while len(seen) <= n:
        assert time.monotonic() < deadline, f"only {len(seen) - 1} redraws in {timeout_s} s"
        seen.add(step_counter(page))
        time.sleep(0.05)


def test_the_page_does_not_pile_up_in_the_browser_while_it_trains(page, app_url):
    """A class trains for an hour: the page must stay the same size. Vega's SVG renderer kept a <clipPath>
    per clipped item of every dataset it was ever sent (~700 DOM nodes more a redraw here, past 25,000 within
    a minute, and the browser slowed to 2 redraws a second); the live charts are drawn on a canvas."""
    open_lesson(page, app_url, URL)
    page.locator(".st-key-pg_start button").click()
    wait_for_steps(page, 20, timeout_s=60)
    nodes = "() => document.querySelectorAll('*').length"
    _updates(page, 3)
    before = page.evaluate(nodes)
    _updates(page, 10)
    after = page.evaluate(nodes)
    page.locator(".st-key-pg_pause button").click()
    wait_idle(page)
    assert_no_exception(page)
    assert after - before < 200, f"the page grew by {after - before} DOM nodes in 10 redraws"

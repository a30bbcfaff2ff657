"""A class on one server, in Chromium: students' sessions never touch each other.

Two browser contexts are two students (separate cookies, separate Streamlit sessions) on the same server.
- training with different settings, neither sees the other's run;
- a tab that loses its connection mid-training and comes back, or is closed, disturbs nobody;
- a run that diverges pauses only its own session.
"""
from __future__ import annotations

import re
import time

import pytest

from tests.e2e.conftest import assert_no_exception, open_lesson, step_counter, wait_for_steps, wait_idle

pytestmark = pytest.mark.e2e

CHART = "[data-testid='stVegaLiteChart']"
START, PAUSE = ".st-key-m1d_start button", ".st-key-m1d_pause button"


@pytest.fixture
def student(browser, warmed_app):
    contexts = []

    def new_student():
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(60_000)
        open_lesson(page, warmed_app, "")  # the 1-D lesson is the app's first page
        page.wait_for_selector(START)
        return page

    yield new_student
    for context in contexts:
        context.close()


def run_summary(page) -> str:
    return page.locator("[data-testid='stMarkdown']", has_text="This run:").last.inner_text()  # a caption or markdown


def set_target_mean(page, value: float) -> None:
    box = page.locator(".st-key-m1d_mu input")
    box.fill(str(value))
    box.press("Enter")
    page.get_by_text(f"p(x) = N({value:g}").first.wait_for()
    wait_idle(page)


def test_two_students_with_different_settings_never_see_each_others_run(student):
    a, b = student(), student()
    set_target_mean(b, -2)  # B's target: N(-2, 0.7²); A keeps the default N(3, 0.7²)
    assert "N(3" in run_summary(a) and "N(-2" in run_summary(b)

    a.locator(START).click()
    first_a = wait_for_steps(a, 0)
    assert step_counter(b) == 0  # A's Start did not start B
    b.locator(START).click()
    wait_for_steps(b, 0)
    wait_for_steps(a, first_a)  # both train at once

    b.locator(PAUSE).click()
    wait_idle(b)
    time.sleep(1.0)
    b_paused = step_counter(b)
    later_a = wait_for_steps(a, step_counter(a))  # B's Pause did not pause A
    time.sleep(1.0)
    assert step_counter(b) == b_paused
    assert later_a > first_a
    assert "N(3" in run_summary(a) and "N(-2" in run_summary(b)  # settings never crossed over
    assert_no_exception(a)
    assert_no_exception(b)


def test_a_tab_that_drops_out_mid_training_or_closes_disturbs_nobody(student):
    a, b = student(), student()
    a.locator(START).click()
    b.locator(START).click()
    wait_for_steps(a, 0)
    wait_for_steps(b, 0)

    b.context.set_offline(True)  # B's wifi drops mid-training
    before = step_counter(a)
    wait_for_steps(a, before)  # A goes on meanwhile
    time.sleep(2.0)
    b.context.set_offline(False)  # B comes back: Streamlit reconnects to the same session
    b_back = step_counter(b)
    wait_for_steps(b, b_back, timeout_s=60)  # ... and B's run goes on from where it was

    b.context.close()  # B closes the tab mid-training
    before = step_counter(a)
    wait_for_steps(a, before)
    later = wait_for_steps(a, step_counter(a))
    assert later > before

    c = student()  # a new tab starts its own fresh run, at step 0
    assert step_counter(c) == 0
    c.locator(START).click()
    wait_for_steps(c, 0)
    wait_for_steps(a, step_counter(a))
    assert_no_exception(a)
    assert_no_exception(c)


def test_a_diverging_run_pauses_only_its_own_session(student):
    a, b = student(), student()
    a.locator(START).click()
    wait_for_steps(a, 0)

    b.locator(".st-key-m1d_scenario").click()
    b.get_by_role("option", name="Make it diverge").click()
    wait_idle(b)
    b.locator(".st-key-m1d_load button").click()
    wait_idle(b)
    b.locator(START).click()
    try:
        b.get_by_text(re.compile("run diverged", re.I)).first.wait_for(timeout=240_000)
    except Exception:
        text = b.locator("[data-testid='stMain']").inner_text()
        raise AssertionError(text[text.find("Steps / second"):][:1500])

    assert a.get_by_text("The run diverged").count() == 0
    later = wait_for_steps(a, step_counter(a))  # A still trains
    assert wait_for_steps(a, later) > later
    assert a.locator(PAUSE).is_enabled()  # A is still running
    assert_no_exception(a)
    assert_no_exception(b)

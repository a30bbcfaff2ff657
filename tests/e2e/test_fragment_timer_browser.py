"""ui/fragment_timer.py in a real browser: a fragment retimed from inside its own run ticks at the new
interval, with one timer (not two), and the page is not rerun. This is what lets the shared tick planner
change a class's interval without a page rerun per student (ui/lifecycle.py)."""
from __future__ import annotations

import re
import time

import pytest

from tests.e2e.conftest import ROOT, start_server, stop_server

TOY = ROOT / "tests" / "fragment_timer_toy_app.py"


@pytest.fixture(scope="module")
def toy_url(tmp_path_factory):
    proc, url, log = start_server(tmp_path_factory.mktemp("toy") / "streamlit.log", TOY)
    yield url
    stop_server(proc, log)


def _ticks(page) -> int:
    text = page.get_by_text(re.compile(r"ticks: \d+")).inner_text()
    return int(re.search(r"ticks: (\d+)", text).group(1))


def test_a_fragment_retimed_from_its_own_run_ticks_at_the_new_interval(browser, toy_url):
    context = browser.new_context(viewport={"width": 1000, "height": 700})
    try:
        page = context.new_page()
        page.goto(toy_url)
        page.get_by_text("outside a fragment: retime → False").wait_for(timeout=60_000)  # not in a fragment
        page.get_by_text(re.compile(r"ticks: [2-9]")).wait_for(timeout=30_000)  # the slow timer fired once
        assert "retimed: True" in page.get_by_text(re.compile(r"ticks: \d+")).inner_text()
        start, t0 = _ticks(page), time.monotonic()
        time.sleep(4.0)
        ticks, seconds = _ticks(page) - start, time.monotonic() - t0
        # The slow timer would give 2 in 4 s; the new one 20 (a loaded machine delays some, never adds).
        assert ticks >= 8, ticks
        assert ticks <= seconds / 0.2 + 3, ticks  # one timer, not the old one beside the new
        assert page.get_by_text("full runs: 1").is_visible()  # no page rerun
    finally:
        context.close()

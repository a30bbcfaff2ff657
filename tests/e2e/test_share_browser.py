"""Links, export/import and presenter mode in Chromium, on every live lesson.

- Change a setting: the URL follows; that URL opened in a new browser context shows the same setting.
- Same seed + settings from a link = the same run (1-D: the same W1 after one Step).
- Garbage in a link (seed=banana, eta=-5, digit=42, a script tag): notes naming the parameters, no exception,
  no script run.
- Export (a real download), import it in a new context: same settings and step count; a refused import
  keeps the current run.
- Presenter mode from ?present=1: no exception, advanced settings hidden, the larger layout applied.
"""
from __future__ import annotations

import re
import time
import urllib.parse

import pytest

from tests.e2e.conftest import assert_no_exception, wait_idle

pytestmark = pytest.mark.e2e

LESSONS = {  # prefix: (url path, tab to open first, a number setting, a new value, its parameter)
    "m1d": ("", None, "m1d_lr_g", "0.002", "lr_g"),
    "cgan": ("cgan", "Train from scratch", "cgan_lr_g", "0.001", "lr_g"),
    "xy": ("xy-game", None, "xy_eta", "0.2", "eta"),
    "spam": ("spam-filter", None, "spam_filter_lr", "0.04", "filter_lr"),
    "mc": ("mode-collapse", None, "mc_lr_g", "0.001", "lr_g"),
}
GARBAGE = {"seed": "banana", "eta": "-5", "lr_g": "-5", "filter_lr": "-5", "digit": "42",
           "loss": "<script>alert(1)</script>", "remedy": "<img src=x onerror=alert(2)>"}


def _open(page, url: str, prefix: str) -> None:
    page.goto(url)
    page.wait_for_selector("h1", timeout=60_000)
    tab = LESSONS[prefix][1]
    if tab:
        page.get_by_role("tab", name=tab).click()
    page.locator(f".st-key-{prefix}_live").wait_for(timeout=60_000)
    wait_idle(page, 60_000)


def _box(page, prefix: str):
    """The setting's number box, opening the Settings panel only when it is really closed (a box is briefly
    hidden while a rerun redraws it)."""
    box = page.locator(f".st-key-{LESSONS[prefix][2]} input")
    try:
        box.wait_for(state="visible", timeout=8_000)
    except Exception:  # noqa: BLE001 - folded away: open the panel
        page.locator("[data-testid='stExpander'] summary", has_text="Settings").first.click()
        box.wait_for(state="visible", timeout=30_000)
    return box


def _href(page) -> str:
    """The address bar. (Playwright's page.url misses history.replaceState until the next navigation event.)"""
    return page.evaluate("() => window.location.href")


def _wait_url(page, needle: str, timeout_s: float = 30.0) -> str:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if needle in _href(page):
            return _href(page)
        time.sleep(0.2)
    raise AssertionError(f"the URL never showed {needle!r}: {_href(page)}")


def _fresh(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.on("dialog", lambda d: (_ for _ in ()).throw(AssertionError(f"a script ran: {d.message}")))
    return context, page


@pytest.mark.parametrize("prefix", list(LESSONS))
def test_a_changed_setting_travels_in_the_link_to_a_fresh_browser(page, browser, app_url, prefix):
    path, _, key, value, param = LESSONS[prefix]
    _open(page, f"{app_url}/{path}", prefix)
    box = _box(page, prefix)
    box.fill(value)
    box.press("Enter")
    url = _wait_url(page, f"{param}=")
    shown = box.input_value()
    assert float(urllib.parse.parse_qs(urllib.parse.urlparse(url).query)[param][0]) == float(value)
    page.locator("[data-testid='stSidebar']").get_by_role("button", name="Share link").click()
    copied = page.locator("[data-testid='stPopoverBody'] [data-testid='stCode']").inner_text().strip()
    assert copied == url, (copied, url)

    context, other = _fresh(browser)
    try:
        _open(other, copied, prefix)
        box = _box(other, prefix)
        deadline = time.monotonic() + 20
        while box.input_value() != shown and time.monotonic() < deadline:  # a rerun may still be drawing
            time.sleep(0.3)
        assert box.input_value() == shown
        assert_no_exception(other)
    finally:
        context.close()


def test_the_same_link_gives_the_same_run(browser, app_url):
    runs = []
    for _ in range(2):
        context, page = _fresh(browser)
        try:
            _open(page, f"{app_url}/?seed=7&lr_g=0.002", "m1d")
            page.get_by_role("button", name=re.compile("Step")).first.click()
            page.wait_for_function("() => document.querySelector(\".st-key-m1d_live [data-testid='stMetricValue']\")"
                                   "?.innerText === '50'", timeout=60_000)
            wait_idle(page, 60_000)
            page.wait_for_function(  # the measures of step 50 are drawn (not the placeholders of step 0)
                "() => [...document.querySelectorAll(\".st-key-m1d_live [data-testid='stMetricValue']\")]"
                ".every(e => e.innerText !== '—')", timeout=60_000)
            metrics = page.locator(".st-key-m1d_live [data-testid='stMetricValue']").all_inner_texts()
            runs.append(metrics)
        finally:
            context.close()
    assert runs[0] == runs[1] and runs[0][0] == "50", runs


@pytest.mark.parametrize("prefix", list(LESSONS))
def test_garbage_in_a_link_gives_notes_and_defaults_never_a_crash(browser, app_url, prefix):
    path = LESSONS[prefix][0]
    context, page = _fresh(browser)
    try:
        _open(page, f"{app_url}/{path}?{urllib.parse.urlencode(GARBAGE)}", prefix)
        notes = " ".join(page.locator("[data-testid='stAlert']").all_inner_texts())
        assert "Link parameter seed" in notes.replace("`", "") or "Link parameter `seed`" in notes, notes
        assert "Seed must be a whole number" in notes
        assert_no_exception(page)
        assert page.locator("img[src='x']").count() == 0  # shown as text, never as markup
        assert page.locator("[data-testid='stSidebar'] input[aria-label='Seed']").input_value() == "0"
    finally:
        context.close()


def test_export_then_import_in_a_fresh_browser_restores_the_run(browser, app_url, tmp_path):
    context, page = _fresh(browser)
    try:
        _open(page, f"{app_url}/mode-collapse?seed=3&remedy=mbstd", "mc")
        page.get_by_role("button", name=re.compile("Step")).first.click()
        page.wait_for_function("() => document.querySelector(\".st-key-mc_live [data-testid='stMetricValue']\")"
                               "?.innerText === '50'", timeout=60_000)
        wait_idle(page, 60_000)
        before = page.locator(".st-key-mc_live [data-testid='stMetricValue']").all_inner_texts()
        page.locator("[data-testid='stSidebar']").get_by_role("button", name="Export / import").click()
        with page.expect_download() as info:
            page.get_by_role("button", name="Export run (.zip)").click()
        path = tmp_path / info.value.suggested_filename
        info.value.save_as(path)
        assert path.name.startswith("gan-playground-mc-step50-") and path.stat().st_size > 1000
    finally:
        context.close()

    context, page = _fresh(browser)
    try:
        _open(page, f"{app_url}/mode-collapse", "mc")
        page.locator("[data-testid='stSidebar']").get_by_role("button", name="Export / import").click()
        page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(path))
        page.get_by_text("Imported the run exported").wait_for(timeout=60_000)
        wait_idle(page, 60_000)
        assert page.locator(".st-key-mc_live [data-testid='stMetricValue']").all_inner_texts() == before
        assert "remedy=mbstd" in _href(page) and "seed=3" in _href(page)
        assert_no_exception(page)

        junk = tmp_path / "junk.zip"
        junk.write_bytes(b"not a zip")
        page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(junk))
        page.get_by_text("Import refused").wait_for(timeout=30_000)
        assert "current run is kept" in page.locator("[data-testid='stAlert']", has_text="Import refused").inner_text()
        assert page.locator(".st-key-mc_live [data-testid='stMetricValue']").all_inner_texts() == before
        assert_no_exception(page)
    finally:
        context.close()


@pytest.mark.parametrize("prefix", list(LESSONS))
def test_presenter_mode_renders_every_lesson(browser, app_url, prefix):
    path = LESSONS[prefix][0]
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    try:
        _open(page, f"{app_url}/{path}?present=1", prefix)
        page.wait_for_function("() => getComputedStyle(document.documentElement).fontSize === '20px'",
                               timeout=30_000)  # the presenter layout's larger type
        assert page.locator("[data-testid='stExpander'] summary", has_text="Advanced").count() == 0
        assert page.locator("[data-testid='stSidebar'] input[role='switch']").first.is_checked()
        assert "present=1" in _href(page)
        assert_no_exception(page)
    finally:
        context.close()

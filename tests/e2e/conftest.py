"""Real-browser fixtures: one `streamlit run app.py` server per test session, Debian's chromium via Playwright.

Chromium comes from `apt-get install chromium` (scripts/test.sh); Playwright never downloads a browser.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from benchmarks.bench_classroom import chromium_path, wait_healthy

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(log_path: Path, script: Path = ROOT / "app.py"):
    """`streamlit run app.py` (or another page script of this repo) on a free loopback port; returns
    (process, url, log file) once it is healthy."""
    port = _free_port()
    log = open(log_path, "w")
    proc = subprocess.Popen(
        [
            sys.executable, "-m", "streamlit", "run", str(script),
            "--server.headless", "true",
            "--server.port", str(port),
            "--server.address", "127.0.0.1",
            "--browser.gatherUsageStats", "false",
            "--server.fileWatcherType", "none",
        ],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, 60, proc)
    except RuntimeError:
        proc.kill()
        pytest.fail(f"streamlit server did not start:\n{log_path.read_text()[-3000:]}")
    return proc, url, log


def stop_server(proc, log) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture(scope="session")
def app_url(tmp_path_factory):
    proc, url, log = start_server(tmp_path_factory.mktemp("server") / "streamlit.log")
    yield url
    stop_server(proc, log)


@pytest.fixture(scope="session")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    executable = chromium_path()
    if executable is None:
        pytest.fail("Debian's chromium is not installed: run scripts/test.sh (apt-get install chromium)")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def warmed_app(app_url):
    """The server, as every test uses it. (It once had to be opened at the root first: Streamlit ran a
    server's first session in legacy pages/-folder mode. The lessons live in lessons/ since, and
    tests/e2e/test_lifecycle_browser.py checks that a deep link works as the very first request.)"""
    return app_url


@pytest.fixture
def page(browser, warmed_app):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


def open_lesson(page, app_url: str, url_path: str = ""):
    """Open a lesson page and wait until Streamlit has rendered it and finished running."""
    page.goto(f"{app_url}/{url_path}")
    page.wait_for_selector("[data-testid='stApp']")
    page.wait_for_selector("h1")
    wait_idle(page)
    return page


def wait_idle(page, timeout_ms: int = 30_000) -> None:
    """Wait until the script is not running (Streamlit shows a status widget while it runs)."""
    page.wait_for_function(
        "() => !document.querySelector(\"[data-testid='stStatusWidget'] [data-testid='stStatusWidgetRunningIcon']\")"
        " && document.querySelector(\"[data-testid='stApp']\")",
        timeout=timeout_ms,
    )


def assert_no_exception(page) -> None:
    boxes = page.locator("[data-testid='stException']")
    assert boxes.count() == 0, boxes.first.inner_text()


def step_counter(page) -> int:
    """The page's first st.metric, which every live lesson uses for its step counter."""
    return int(page.locator("[data-testid='stMetricValue']").first.inner_text().replace(",", ""))


def wait_for_steps(page, more_than: int, timeout_s: float = 30.0) -> int:
    """Poll the step counter until it passes `more_than` (live training really advances)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        steps = step_counter(page)
        if steps > more_than:
            return steps
        time.sleep(0.5)
    raise AssertionError(f"the step counter stayed at {step_counter(page)} for {timeout_s} s")

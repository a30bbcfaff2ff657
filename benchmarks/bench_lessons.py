"""Each lesson's time from pressing Start to its key moment, measured in a real browser on one session.

    python benchmarks/bench_lessons.py                  # every lesson, once
    python benchmarks/bench_lessons.py --only 1d,xy     # some of them
    python benchmarks/bench_lessons.py --timeout 120    # give up on a lesson after this many seconds

Starts `streamlit run app.py` on a free loopback port, drives Debian's chromium through Playwright
(nothing is downloaded), presses each lesson's Start/Play/Run button and polls the numbers the page
itself shows until its key moment (the goals of issue 11):

    1-D mapping      W1 ≤ 0.1·σ (the page's "W1 / σ" metric)            goal ≤ 10 s
    CGAN             judge accuracy ≥ 90 % (the page's judge metric)      goal ≤ 60 s
    xy game          1,000 steps played ("Step k of 1,000")               goal ≤ 15 s
    mode collapse    minibatch-std: ≥ 6 of 8 modes and ≥ 50 % high quality goal ≤ 30 s

Times are wall-clock seconds from the click to the first poll (every 0.25 s) that shows the moment, so
they include the page's own ticking and the browser's drawing; they depend on the machine's load, which
is printed beside them. A benchmark script, not a test: it prints figures and never asserts.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from bench_classroom import wait_healthy  # this folder: the script's own (python benchmarks/bench_lessons.py)

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-dev-shm-usage"]
POLL_S = 0.25


def number(text: str) -> float | None:
    """The first number in a metric's text ("0.083", "1,000", "92%", "6/8" -> 6)."""
    m = re.search(r"-?\d[\d,]*\.?\d*(?:e-?\d+)?", text.replace("\u2212", "-"))
    return float(m.group(0).replace(",", "")) if m else None


def metrics(page) -> dict[str, str]:
    """Every st.metric on the page: label -> value text."""
    return page.evaluate("""() => {
        const out = {};
        for (const m of document.querySelectorAll("[data-testid='stMetric']")) {
            const label = m.querySelector("[data-testid='stMetricLabel']");
            const value = m.querySelector("[data-testid='stMetricValue']");
            if (label && value) out[label.innerText.trim()] = value.innerText.trim();
        }
        return out;
    }""")


def metric_value(page, *label_parts: str) -> float | None:
    """The number shown by the first metric whose label contains all of `label_parts` (case-insensitive)."""
    for label, value in metrics(page).items():
        if all(p.lower() in label.lower() for p in label_parts):
            return number(value)
    return None


def page_text(page) -> str:
    return page.evaluate("() => document.querySelector(\"[data-testid='stMain']\")?.innerText || ''")


@dataclass
class Lesson:
    key: str
    title: str
    url_path: str
    start_labels: tuple[str, ...]  # the first visible button with one of these labels is pressed
    goal: str
    goal_s: float
    reading: Callable  # page -> (reached: bool, what the page shows now: str)
    prepare: Callable | None = None  # page -> None, before Start (pick a remedy, a scenario, ...)
    start_keys: tuple[str, ...] = ()  # Streamlit keys of the Start button (ui/lifecycle: "<prefix>_start")


def _w1(page):
    v = metric_value(page, "W1", "σ")
    return (v is not None and v <= 0.1), f"W1/σ = {v}"


def _judge(page):
    v = metric_value(page, "judge")
    if v is not None and v <= 1.0:
        v *= 100  # shown as a fraction
    return (v is not None and v >= 90), f"judge {v}%"


def _xy(page):
    m = re.search(r"Step\s+([\d,]+)\s+of\s+([\d,]+)", page_text(page))
    if not m:
        return False, "no step indicator"
    k, n = (int(g.replace(",", "")) for g in m.groups())
    return k >= 1000, f"step {k} of {n}"


def _modes(page):
    modes = metric_value(page, "modes captured")
    hq = metric_value(page, "high", "quality")
    return (modes is not None and hq is not None and modes >= 6 and hq >= 50), f"modes {modes}, HQ {hq}%"


def _pick_mbstd(page):
    """Set the mode-collapse page's remedy to minibatch std (the lifecycle's select, keyed mc_remedy)."""
    box = page.locator(".st-key-mc_remedy [data-testid='stSelectbox']")
    if not box.count():
        box = page.locator("[data-testid='stSelectbox']").filter(has_text=re.compile("remedy", re.I))
    if box.count():
        box.first.click()
        page.get_by_role("option", name=re.compile("minibatch", re.I)).first.click()
        time.sleep(1.0)
        wait_idle(page)


def _train_tab(page):
    """The CGAN page trains in its "Train from scratch" tab (wait: the tabs come after the model loads)."""
    tab = page.get_by_text("Train from scratch", exact=True).first
    tab.wait_for(timeout=60_000)
    tab.click()
    time.sleep(1.0)
    wait_idle(page)


LESSONS = {
    "1d": Lesson("1d", "1-D mapping", "", ("Start",), "W1 ≤ 0.1·σ", 10, _w1, start_keys=("m1d_start",)),
    "cgan": Lesson("cgan", "CGAN (train from scratch)", "cgan", ("Start", "Train"), "judge ≥ 90 %", 60, _judge,
                   prepare=_train_tab, start_keys=("cgan_start", "cgan_train_start")),
    "xy": Lesson("xy", "xy game", "xy-game", ("Play", "Start"), "1,000 steps played", 15, _xy, start_keys=("xy_start",)),
    "modes": Lesson("modes", "Mode collapse (minibatch std)", "mode-collapse", ("Start",),
                    "≥ 6/8 modes and ≥ 50 % HQ", 30, _modes, prepare=_pick_mbstd, start_keys=("mc_start",)),
}


# ---------------------------------------------------------------------------------------------
# server and browser

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, log_path: Path) -> subprocess.Popen:
    log = open(log_path, "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        wait_healthy(f"http://127.0.0.1:{port}", 90, proc)
        return proc
    except RuntimeError:
        proc.kill()
    raise SystemExit(f"streamlit did not start; log:\n{log_path.read_text()[-3000:]}")


def wait_idle(page, timeout_ms: int = 60_000) -> None:
    page.wait_for_function(
        "() => !document.querySelector(\"[data-testid='stStatusWidget'] [data-testid='stStatusWidgetRunningIcon']\")"
        " && document.querySelector(\"[data-testid='stApp']\")", timeout=timeout_ms)


def press_start(page, lesson: "Lesson") -> str:
    """The lifecycle's Start button (keyed `<prefix>_start`), else the first button named like a Start."""
    if lesson.start_keys:  # the live panel may still be drawing: wait for one of the keyed buttons
        selector = ", ".join(f".st-key-{key} button:not([disabled]):visible" for key in lesson.start_keys)
        try:
            page.wait_for_selector(selector, timeout=60_000)
        except Exception:  # noqa: BLE001 - fall back to the labels below
            pass
    for key in lesson.start_keys:
        button = page.locator(f".st-key-{key} button:visible")  # a page may hold a lesson per tab
        if button.count():
            button.first.click()
            return key
    for label in lesson.start_labels:
        button = page.get_by_role("button", name=re.compile(rf"\b{label}\b"))
        if button.count():
            button.first.click()
            return label
    raise RuntimeError(f"no Start button ({', '.join(lesson.start_keys + lesson.start_labels)})")


def run_lesson(browser, url: str, lesson: Lesson, timeout_s: float) -> dict:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        page.goto(f"{url}/{lesson.url_path}")
        page.wait_for_selector("h1")
        wait_idle(page)
        if lesson.prepare:
            lesson.prepare(page)
        before = lesson.reading(page)[1]
        press_start(page, lesson)
        t0 = time.monotonic()
        shown = before
        while time.monotonic() - t0 < timeout_s:
            try:
                reached, shown = lesson.reading(page)
            except Exception as exc:  # a rerun replaced the element mid-read: read again
                reached, shown = False, f"({type(exc).__name__})"
            if reached:
                return {"seconds": time.monotonic() - t0, "shown": shown, "before": before}
            time.sleep(POLL_S)
        return {"seconds": None, "shown": shown, "before": before}
    finally:
        context.close()


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} / {five:.1f} (1 / 5 min) on {os.cpu_count()} cores"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", default=",".join(LESSONS), help=f"comma list of {', '.join(LESSONS)}")
    parser.add_argument("--timeout", type=float, default=150.0, help="seconds per lesson before giving up")
    args = parser.parse_args()
    chosen = [k.strip() for k in args.only.split(",") if k.strip()]
    unknown = [k for k in chosen if k not in LESSONS]
    if unknown:
        raise SystemExit(f"unknown lesson(s) {', '.join(unknown)}; choose from {', '.join(LESSONS)}")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise SystemExit("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    port = free_port()
    log_path = Path(os.environ.get("TMPDIR", "/tmp")) / f"bench_lessons_{port}.log"
    server = start_server(port, log_path)
    url = f"http://127.0.0.1:{port}"
    print(f"bench_lessons  {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}  server {url}  {load()}")
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
            warm = browser.new_page()
            warm.goto(url)  # the first visit of a server opens the root (see tests/e2e/conftest.py)
            warm.wait_for_selector("h1", timeout=90_000)
            warm.close()
            print(f"{'lesson':32s} {'key moment':28s} {'goal':>6s} {'seconds':>8s}  shown at the moment (before Start)")
            for key in chosen:
                lesson = LESSONS[key]
                try:
                    r = run_lesson(browser, url, lesson, args.timeout)
                except Exception as exc:
                    print(f"{lesson.title:32s} {lesson.goal:28s} {lesson.goal_s:5.0f}s {'error':>8s}  {type(exc).__name__}: {exc}")
                    continue
                secs = "—" if r["seconds"] is None else f"{r['seconds']:.1f}"
                note = "" if r["seconds"] is not None else f"  (not reached in {args.timeout:g} s)"
                print(f"{lesson.title:32s} {lesson.goal:28s} {lesson.goal_s:5.0f}s {secs:>8s}  {r['shown']} "
                      f"({r['before']}){note}   [{load()}]")
            browser.close()
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


if __name__ == "__main__":
    main()

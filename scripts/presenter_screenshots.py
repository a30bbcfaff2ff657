"""1920×1080 screenshots of every lesson in presenter mode (?present=1), for docs/presenter_*.png.

    python scripts/presenter_screenshots.py http://127.0.0.1:8600 docs/
    python scripts/presenter_screenshots.py http://127.0.0.1:8600 docs/ 3_xy_game   # only these lessons

Against a running `streamlit run app.py`; drives Debian's chromium through Playwright. Each live lesson is
trained a little first (Step, or Start then Pause), so the pictures show a run, not an empty page.
"""
from __future__ import annotations

import re
import sys
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

LESSONS = [  # (file name, url path, prefix, what to press, seconds to let it run)
    ("1_mapping_1d", "", "m1d", "Start", 6),
    ("2_cgan_explorer", "cgan", None, None, 0),
    ("3_xy_game", "xy-game", "xy", "Play", 8),
    ("4_spam_filter", "spam-filter", "spam", "Run", 10),
    ("5_mode_collapse", "mode-collapse", "mc", "Start", 25),
]


def idle(page) -> None:
    page.wait_for_function("() => !document.querySelector(\"[data-testid='stStatusWidget'] "
                           "[data-testid='stStatusWidgetRunningIcon']\")", timeout=120_000)


def main(base: str, out: Path, only: list[str] | None = None) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium",
                                    args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
        warm = browser.new_page()
        warm.goto(base)
        warm.wait_for_selector("h1", timeout=120_000)
        for name, path, prefix, press, seconds in LESSONS:
            if only and name not in only:
                continue
            context = browser.new_context(viewport={"width": 1920, "height": 1080})
            page = context.new_page()
            page.goto(f"{base}/{path}?present=1")
            page.wait_for_selector("h1", timeout=120_000)
            if prefix:
                page.locator(f".st-key-{prefix}_live").wait_for(timeout=120_000)
            idle(page)
            if press:
                page.get_by_role("button", name=re.compile(f"^{press}")).first.click()
                time.sleep(seconds)
                page.get_by_role("button", name="Pause").first.click()
                time.sleep(2)
            else:
                page.locator("[data-testid='stImage']").first.wait_for(timeout=120_000)
            page.locator("[data-testid='stSidebar']").get_by_role("button", name="Share link").wait_for(timeout=120_000)
            idle(page)
            time.sleep(2)  # charts finish drawing
            target = out / f"presenter_{name}.png"
            page.screenshot(path=str(target))
            print(target, "exceptions:", page.locator("[data-testid='stException']").count())
            context.close()
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1].rstrip("/"), Path(sys.argv[2] if len(sys.argv) > 2 else "docs"), sys.argv[3:])

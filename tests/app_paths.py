"""Paths of the app and its pages, and how page tests open a lesson with AppTest (from any working directory)."""
from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
PAGES = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "lessons").glob("[0-9]_*.py"))


def open_lesson(page: str, timeout: float = 60) -> AppTest:
    """Run the app, switch to `page` (e.g. "lessons/3_xy_game.py") and check it rendered without an exception."""
    at = AppTest.from_file(APP, default_timeout=timeout).run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at

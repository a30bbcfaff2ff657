"""The whole app in a real browser: every lesson is reachable and renders without an exception box."""
import pytest

from tests.e2e.conftest import assert_no_exception, open_lesson

pytestmark = pytest.mark.e2e

LESSON_URLS = ["", "cgan", "xy-game", "spam-filter", "mode-collapse"]


@pytest.mark.parametrize("url_path", LESSON_URLS)
def test_lesson_page_renders_in_chromium(page, app_url, url_path):
    open_lesson(page, app_url, url_path)
    assert page.locator("[data-testid='stSidebar']").count() == 1
    assert_no_exception(page)

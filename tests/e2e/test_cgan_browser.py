"""The CGAN page in Chromium: moving a latent slider with the keyboard redraws the generated digit."""
import pytest

from tests.e2e.conftest import assert_no_exception, open_lesson, wait_idle

pytestmark = pytest.mark.e2e


def big_digit_src(page) -> str:
    return page.locator("[data-testid='stImage'] img").first.get_attribute("src")


def test_dragging_a_latent_slider_changes_the_digit(page, app_url):
    open_lesson(page, app_url, "cgan")
    page.keyboard.press("Escape")  # dismiss any start-up toast/dialog
    page.wait_for_selector("[data-testid='stImage'] img")
    assert_no_exception(page)
    before = big_digit_src(page)

    slider = page.locator("[class*='st-key-cgan_z_']").first
    thumb = slider.locator("input[type='range']")
    thumb.focus()
    for _ in range(20):  # 20 x 0.05 = one unit of z
        page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "(before) => { const img = document.querySelector(\"[data-testid='stImage'] img\");"
        " return img && img.getAttribute('src') !== before; }",
        arg=before,
        timeout=30_000,
    )
    wait_idle(page)
    assert float(slider.get_by_test_id("stSliderThumbValue").inner_text()) == pytest.approx(1.0)
    assert big_digit_src(page) != before
    assert_no_exception(page)


def test_training_tab_advances_when_started(page, app_url):
    open_lesson(page, app_url, "cgan")
    page.keyboard.press("Escape")
    page.get_by_role("tab", name="Train from scratch").click()
    page.locator(".st-key-cgan_start button").click()
    progress = page.get_by_text("· step ", exact=False).first
    progress.wait_for()
    page.wait_for_function(
        "() => { const m = document.body.innerText.match(/step (\\d+) ·/); return m && Number(m[1]) > 0; }",
        timeout=30_000,
    )
    page.locator(".st-key-cgan_pause button").click()
    wait_idle(page)
    assert_no_exception(page)

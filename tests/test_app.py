"""The entry point: navigation over every lesson page and the shared sidebar."""
from streamlit.testing.v1 import AppTest

from tests import app_paths


def test_app_starts_on_the_first_lesson_with_the_shared_sidebar():
    at = AppTest.from_file(app_paths.APP, default_timeout=60).run()
    assert not at.exception
    assert at.sidebar.number_input(key="global_seed").value == 0
    assert at.sidebar.selectbox(key="global_device").value == "cpu"


def test_every_lesson_page_renders_without_exception():
    at = AppTest.from_file(app_paths.APP, default_timeout=60).run()
    for path in app_paths.PAGES:
        at.switch_page(path).run()
        assert not at.exception, f"{path}: {at.exception}"
        assert at.title, f"{path} shows no title"

"""ui/presenter.py: `?present=1` or the toggle; advanced settings hidden; the larger layout; no exception."""
from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from ui import presenter

TOY = str(Path(__file__).with_name("links_toy_app.py"))


def _open(**params: str) -> AppTest:
    at = AppTest.from_file(TOY, default_timeout=30)
    for k, v in params.items():
        at.query_params[k] = v
    return at.run()


def _styled(at: AppTest) -> bool:
    return any("font-size: 20px" in h.proto.body for h in at.get("html"))


def test_present_1_in_the_link_turns_presenter_mode_on_and_hides_advanced_settings():
    at = _open(present="1")
    assert not at.exception
    assert at.toggle(key=presenter.PRESENT_KEY).value is True
    assert _styled(at)
    assert not [w for w in at.number_input if w.key == "toy_width"]  # width is advanced=True
    assert dict(at.query_params) == {"present": "1"}  # and the link keeps saying so


def test_the_toggle_turns_it_on_and_off_and_the_url_follows():
    at = _open()
    assert at.toggle(key=presenter.PRESENT_KEY).value is False and not _styled(at)
    assert [w for w in at.number_input if w.key == "toy_width"]
    at.toggle(key=presenter.PRESENT_KEY).set_value(True).run()
    assert _styled(at) and dict(at.query_params) == {"present": "1"} and not at.exception
    at.toggle(key=presenter.PRESENT_KEY).set_value(False).run()
    assert not _styled(at) and dict(at.query_params) == {}


def test_a_garbage_present_value_means_off():
    at = _open(present="<script>")
    assert not at.exception and at.toggle(key=presenter.PRESENT_KEY).value is False

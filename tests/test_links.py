"""ui/links.py on a toy page (tests/links_toy_app.py): settings ↔ the URL, and bad links never crash."""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.links_toy import ToyConfig
from ui import links

TOY = str(Path(__file__).with_name("links_toy_app.py"))


def _open(**params: str) -> AppTest:
    at = AppTest.from_file(TOY, default_timeout=30)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, at.exception
    return at


def _texts(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown]


def _warnings(at: AppTest) -> list[str]:
    return [w.value for w in at.warning]


def test_defaults_make_a_clean_link():
    at = _open()
    assert dict(at.query_params) == {}
    assert "config={}" in _texts(at)


def test_changing_a_control_updates_the_url():
    at = _open()
    at.selectbox(key="toy_loss").set_value("mm").run()
    at.number_input(key="toy_seed").set_value(5).run()
    assert dict(at.query_params) == {"loss": "mm", "seed": "5"}


def test_a_link_opened_in_a_fresh_session_shows_the_same_settings_and_the_same_run():
    first = _open()
    first.number_input(key="toy_eta").set_value(0.25).run()
    first.number_input(key="toy_digit").set_value(7).run()
    first.number_input(key="toy_seed").set_value(11).run()
    first.button(key="toy_step").click().run()
    shared = dict(first.query_params)
    assert shared == {"eta": "0.25", "digit": "7", "seed": "11"}

    second = _open(**shared)
    assert second.number_input(key="toy_eta").value == 0.25
    assert second.number_input(key="toy_digit").value == 7
    assert second.number_input(key="toy_seed").value == 11
    second.button(key="toy_step").click().run()
    run_line = [t for t in _texts(first) if t.startswith("seed=")]
    assert run_line == [t for t in _texts(second) if t.startswith("seed=")]  # same seed + settings = same run


def test_the_link_sets_the_start_and_the_controls_own_the_settings_afterwards():
    at = _open(digit="7")
    at.number_input(key="toy_digit").set_value(2).run()
    assert at.number_input(key="toy_digit").value == 2 and dict(at.query_params) == {"digit": "2"}


@pytest.mark.parametrize("name,value,words", [
    ("seed", "banana", "Seed must be a whole number"),
    ("eta", "-5", "Step size η must be greater than 0"),
    ("digit", "42", "Digit must be between 0 and 9"),
    ("loss", "<script>alert(1)</script>", "is not one of ns, mm"),
    ("digit", "1e999", "Digit must be"),
])
def test_a_bad_value_names_the_parameter_and_the_default_is_used(name, value, words):
    at = _open(**{name: value, "loss": "mm"} if name != "loss" else {name: value})
    notes = " ".join(_warnings(at))
    assert f"`{name}`" in notes and words in notes.replace("\\", "")  # shown with markdown escaped
    assert "default is used" in notes
    defaults = ToyConfig()
    key = {"seed": "toy_seed"}.get(name, f"toy_{name}")
    widget = at.selectbox(key=key) if name == "loss" else at.number_input(key=key)
    assert widget.value == (0 if name == "seed" else getattr(defaults, name))
    if name != "loss":  # the good parameter next to the bad one still applies
        assert at.selectbox(key="toy_loss").value == "mm"


def test_a_script_tag_is_shown_as_text_never_as_markup():
    at = _open(loss="<script>alert(1)</script>")
    assert all("<script>" not in w for w in _warnings(at))  # escaped: \<script\> renders as literal text
    assert not at.exception


def test_unknown_parameters_are_ignored_and_repeated_ones_take_the_last_value():
    at = _open(utm_source="mail", width="16")
    assert not _warnings(at)
    assert links.link_params(ToyConfig(width=16)) == {"width": "16"}


def test_copy_link_shows_the_url_with_the_settings():
    at = _open(eta="0.5", seed="3")
    codes = [c.value for c in at.code]
    assert any(c.startswith("?") and "eta=0.5" in c and "seed=3" in c for c in codes), codes


def test_link_params_leave_defaults_out_and_shared_params_last():
    assert links.link_params(ToyConfig()) == {}
    assert links.link_params(ToyConfig(loss="mm"), seed=4, present=True) == {"loss": "mm", "seed": "4", "present": "1"}


def test_parse_seed_refuses_what_is_not_a_seed():
    assert links.parse_seed("12") == (12, None)
    assert links.parse_seed("12.0") == (12, None)
    for bad in ("banana", "-1", "1.5", "nan", "1e999", str(2**40)):
        seed, note = links.parse_seed(bad)
        assert seed is None and note.startswith("Seed must be")


def test_plain_escapes_markdown_and_html():
    assert links.plain("<b>[x](javascript:alert)</b>") == "\\<b\\>\\[x\\]\\(javascript:alert\\)\\</b\\>"


def test_links_are_relative_to_the_pages_own_defaults_and_skip_what_does_not_travel():
    page_defaults = ToyConfig(eta=0.5, loss="mm")  # a page may start from other values than the class
    back_to_class_default = ToyConfig(eta=0.1, loss="mm")
    params = links.link_params(back_to_class_default, base=page_defaults, skip={"digit"})
    assert params == {"eta": "0.1"}
    config, notes = links.link_config(ToyConfig, {**params, "digit": "5"}, base=page_defaults, skip={"digit"})
    assert config == back_to_class_default and notes == []

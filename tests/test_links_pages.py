"""Links, export/import and presenter mode on every lesson page, through the run lifecycle (AppTest).

The browser versions (real URLs, a real download) are in tests/e2e/test_share_browser.py.
"""
from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from gan_core import run_bundle
from gan_core.run_adapters import ADAPTERS
from tests.app_paths import APP

LESSONS = {  # prefix: (page, a number setting's field, a new value)
    "m1d": ("lessons/1_mapping_1d.py", "lr_g", 0.002),
    "cgan": ("lessons/2_cgan_explorer.py", "lr_g", 0.001),
    "xy": ("lessons/3_xy_game.py", "eta", 0.2),
    "spam": ("lessons/4_spam_filter.py", "filter_lr", 0.04),
    "mc": ("lessons/5_mode_collapse.py", "lr_g", 0.001),
    "pg": ("lessons/6_playground_2d.py", "lr_g", 0.002),
}
DEFAULT_PAGE = "m1d"
GARBAGE = {"eta": "-5", "lr_g": "-5", "filter_lr": "-5", "digit": "42", "loss": "<script>alert(1)</script>"}


def _open(prefix: str, params: dict[str, str] | None = None, first: dict[str, str] | None = None) -> AppTest:
    """The app's first run with `first` in the URL, then the lesson's page with `params` in it. The first run
    shows the default page (the 1-D lesson), so its link is all in the first run."""
    at = AppTest.from_file(APP, default_timeout=120)
    for k, v in {**(first or {}), **(params or {} if prefix == DEFAULT_PAGE else {})}.items():
        at.query_params[k] = v
    at.run()
    if prefix != DEFAULT_PAGE:
        at.query_params.clear()
        for k, v in (params or {}).items():
            at.query_params[k] = v
        at.switch_page(LESSONS[prefix][0]).run()
    assert not at.exception, at.exception
    return at


def _value(at: AppTest, prefix: str, name: str):
    return at.number_input(key=f"{prefix}_{name}").value


def _run(at: AppTest, prefix: str):
    return at.session_state[f"{prefix}_run"]


@pytest.mark.parametrize("prefix", list(LESSONS))
def test_a_changed_setting_is_in_the_url_and_a_fresh_session_opens_it(prefix):
    _, name, value = LESSONS[prefix]
    at = _open(prefix)
    at.number_input(key=f"{prefix}_{name}").set_value(value).run()
    assert not at.exception, at.exception
    link = dict(at.query_params)
    assert float(link[name]) == value
    assert any(c.value.endswith("?" + "&".join(f"{k}={v}" for k, v in link.items())) for c in at.code)
    fresh = _open(prefix, link)
    assert _value(fresh, prefix, name) == value
    assert _run(fresh, prefix).config == _run(at, prefix).config  # the same settings run


@pytest.mark.parametrize("prefix", list(LESSONS))
def test_garbage_in_a_link_names_the_parameter_and_uses_the_default(prefix):
    _, name, _ = LESSONS[prefix]
    at = _open(prefix, GARBAGE)
    notes = " ".join(w.value for w in at.warning)
    assert f"Link parameter `{name}`" in notes and "The default is used" in notes, notes
    assert _run(at, prefix).config == _open(prefix).session_state[f"{prefix}_run"].config  # all defaults


def test_a_bad_seed_in_a_link_is_named_and_the_default_seed_used():
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["seed"] = "banana"
    at.run()
    assert not at.exception, at.exception
    assert any("Link parameter `seed`" in w.value for w in at.warning), [w.value for w in at.warning]
    assert at.session_state["global_seed"] == 0


def test_the_seed_travels_in_the_link():
    at = _open("mc", first={"seed": "12"})
    assert at.session_state["global_seed"] == 12 and _run(at, "mc").config.seed == 12
    assert dict(at.query_params)["seed"] == "12"


@pytest.mark.parametrize("prefix", list(LESSONS))
def test_presenter_mode_renders_every_page_with_advanced_settings_hidden(prefix):
    at = _open(prefix, {"present": "1"}, first={"present": "1"})
    assert at.toggle(key="presenter_mode").value is True
    assert "Advanced" not in [e.label for e in at.expander]
    assert any("font-size: 20px" in h.proto.body for h in at.get("html"))
    assert dict(at.query_params).get("present") == "1"


def _step_and_export(prefix: str) -> tuple[AppTest, bytes]:
    at = _open(prefix)
    at.button(key=f"{prefix}_step").click().run()
    assert not at.exception, at.exception
    run = _run(at, prefix)
    adapter = ADAPTERS[prefix]
    assert adapter.step_count(run.trainer) > 0
    seed = getattr(run.config, "seed", at.session_state["global_seed"])
    return at, run_bundle.export_run(adapter, run.trainer, run.config, seed)  # what "Export run" hands out


@pytest.mark.parametrize("prefix", ["m1d", "xy", "spam", "mc", "pg"])
def test_export_then_import_in_a_fresh_session_restores_settings_and_step(prefix):
    source, data = _step_and_export(prefix)
    fresh = _open(prefix)
    fresh.file_uploader(key=f"{prefix}_import").upload("run.zip", data, "application/zip").run()
    assert not fresh.exception, fresh.exception
    assert [s.value for s in fresh.success if "Imported the run" in s.value]
    a, b = _run(source, prefix), _run(fresh, prefix)
    assert b.config == a.config
    adapter = ADAPTERS[prefix]
    assert adapter.step_count(b.trainer) == adapter.step_count(a.trainer)
    _, name, _ = LESSONS[prefix]
    assert _value(fresh, prefix, name) == getattr(a.config, name)


@pytest.mark.parametrize("prefix", ["m1d", "mc"])
def test_refused_imports_keep_the_current_run(prefix):
    at, _ = _step_and_export(prefix)
    other = "mc" if prefix == "m1d" else "m1d"
    _, foreign = _step_and_export(other)
    run_before = _run(at, prefix).trainer
    steps = ADAPTERS[prefix].step_count(run_before)
    for data, words in [(b"garbage", "not a zip"), (foreign, "belongs to the")]:
        at.file_uploader(key=f"{prefix}_import").set_value(("x.zip", data, "application/zip")).run()
        assert not at.exception, at.exception
        errors = [e.value.replace("\\", "") for e in at.error]
        assert any(words in e and "current run is kept" in e for e in errors), errors
        assert _run(at, prefix).trainer is run_before and ADAPTERS[prefix].step_count(run_before) == steps


def test_an_imported_playground_run_brings_its_drawing_and_its_side_by_side_pair():
    source = _open("pg")
    source.selectbox(key="pg_target").set_value("drawing").run()
    source.text_area(key="pgx_paste").input("0, 0\n1, 0\n1, 1\n0, 1\n0.5, 0.5\n").run()
    source.button(key="pgx_use_paste").click().run()
    source.selectbox(key="pg_compare").set_value("wgan_gp").run()
    source.button(key="pg_step").click().run()
    assert not source.exception, source.exception
    run = _run(source, "pg")
    data = run_bundle.export_run(ADAPTERS["pg"], run.trainer, run.config, run.config.seed)
    fresh = _open("pg")  # where someone was drawing something else
    fresh.selectbox(key="pg_target").set_value("drawing").run()
    fresh.text_area(key="pgx_paste").input("0, 0\n1, 0\n0, 1\n").run()
    fresh.button(key="pgx_use_paste").click().run()
    fresh.file_uploader(key="pg_import").upload("run.zip", data, "application/zip").run()
    assert not fresh.exception, fresh.exception
    got = _run(fresh, "pg")
    assert got.config == run.config and got.trainer.steps == run.trainer.steps > 0
    assert [r.config.loss for r in got.trainer.runs] == [r.config.loss for r in run.trainer.runs]
    from gan_core.playground.data import decode_points

    drawn = decode_points(run.config.drawing).points.tolist()
    assert fresh.session_state["pgx_points"] == drawn and len(drawn) == 5  # the board shows the run's drawing
    assert "5 points" in " ".join(m.value for m in fresh.markdown)


def test_a_dirac_link_opens_the_dirac_tab_with_its_settings():
    at = _open("xy", {"game": "dirac", "eta": "0.3"})
    assert _run(at, "dirac").config.eta == 0.3 and _run(at, "dirac").config.game == "dirac"
    assert dict(at.query_params) == {"game": "dirac", "eta": "0.3"}
    assert "xy_run" not in at.session_state or _run(at, "xy").trainer is None  # the xy tab did not run


def test_the_cgan_explorers_digit_and_z_travel_in_the_link_and_bad_ones_are_named():
    at = _open("cgan", {"digit": "7", "z": ",".join(["0.5"] + ["0"] * 15)})
    assert at.session_state["cgan_digit"] == 7 and float(at.session_state["cgan_z"][0]) == 0.5
    assert dict(at.query_params)["digit"] == "7" and dict(at.query_params)["z"].startswith("0.5,0,")
    bad = _open("cgan", {"digit": "42", "z": "1,2,<script>"})
    notes = " ".join(w.value for w in bad.warning)
    assert "Link parameter `digit`" in notes and "Link parameter `z`" in notes, notes
    assert bad.session_state["cgan_digit"] == 3 and not bad.exception

"""ui/export_bar.py on the toy page: export then import restores the run; a refused import keeps the current one."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

from streamlit.testing.v1 import AppTest

from gan_core import run_bundle
from tests.links_toy import ADAPTER

TOY = str(Path(__file__).with_name("links_toy_app.py"))


def _open() -> AppTest:
    at = AppTest.from_file(TOY, default_timeout=30).run()
    assert not at.exception, at.exception
    return at


def _run_line(at: AppTest) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("seed="))


def _trained_page() -> AppTest:
    at = _open()
    at.number_input(key="toy_eta").set_value(0.3).run()
    at.number_input(key="toy_seed").set_value(9).run()
    for _ in range(3):
        at.button(key="toy_step").click().run()
    return at


def _bundle_of(at: AppTest) -> bytes:
    """What the page's download button hands out (the same call the button makes)."""
    s = at.session_state
    config = ADAPTER.config_cls(**dict(s["toy_run_key"][0]))
    return run_bundle.export_run(ADAPTER, s["toy_run"], config, s["toy_seed"])


def test_the_page_offers_a_download_and_an_upload():
    at = _open()
    assert at.download_button(key="toy_export").label == "Export run (.zip)"
    assert at.file_uploader(key="toy_import").allowed_type == [".zip"]


def test_export_then_import_in_a_fresh_session_restores_settings_seed_weights_and_step():
    source = _trained_page()
    data = _bundle_of(source)
    fresh = _open()
    assert _run_line(fresh) != _run_line(source)
    fresh.file_uploader(key="toy_import").upload("run.zip", data, "application/zip").run()
    assert not fresh.exception, fresh.exception
    assert [s.value for s in fresh.success][0].startswith("Imported the run from")
    assert _run_line(fresh) == _run_line(source) == "seed=9 step=3 w0=" + _run_line(source).split("w0=")[1]
    assert fresh.number_input(key="toy_eta").value == 0.3 and dict(fresh.query_params) == {"eta": "0.3", "seed": "9"}


def test_refused_imports_keep_the_current_run_and_say_why():
    at = _trained_page()
    before = _run_line(at)
    other_page = run_bundle.write_bundle("xy-game", ADAPTER.config_cls(), seed=0, step=0, tensors={})
    good = _bundle_of(at)
    broken = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as src, zipfile.ZipFile(broken, "w") as dst:
        for name in src.namelist():
            dst.writestr(name, b"junk" if name == "weights.safetensors" else src.read(name))
    for data, words in [(b"not a zip at all", "not a zip"), (other_page, "“xy-game” lesson"),
                        (broken.getvalue(), "weights.safetensors in this export is corrupt")]:
        at.file_uploader(key="toy_import").set_value(("x.zip", data, "application/zip")).run()
        assert not at.exception, at.exception
        errors = [e.value.replace("\\", "") for e in at.error]
        assert errors and words in errors[0] and "current run is kept" in errors[0], errors
        assert _run_line(at) == before


def test_the_same_upload_is_applied_once_not_on_every_rerun():
    source = _trained_page()
    data = _bundle_of(source)
    at = _open()
    at.file_uploader(key="toy_import").upload("run.zip", data, "application/zip").run()
    at.button(key="toy_step").click().run()  # training goes on from the imported run
    assert "step=4" in _run_line(at)

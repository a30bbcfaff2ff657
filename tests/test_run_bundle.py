"""gan_core/run_bundle.py: one export format; every refusal says why, and a refused import changes nothing."""
from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass, field

import numpy as np
import pytest

from gan_core import __version__
from gan_core import run_bundle as rb
from gan_core.settings_spec import check, setting


@dataclass(frozen=True)
class ToyConfig:
    lr: float = field(default=1e-3, metadata=setting("Learning rate", min=1e-5, max=0.1, positive=True))
    width: int = field(default=4, metadata=setting("Width", min=1, max=64))
    loss: str = field(default="ns", metadata=setting("Loss", choices={"ns": "non-saturating", "mm": "minimax"}))

    def validate(self) -> dict[str, str]:
        return check(self)


class ToyTrainer:
    def __init__(self, config: ToyConfig, seed: int):
        rng = np.random.default_rng(seed)
        self.config, self.step = config, 0
        self.w = rng.normal(size=(config.width, 2)).astype(np.float32)
        self.b = np.zeros(config.width, dtype=np.float32)
        self.losses: list[float] = []

    def train(self, n: int) -> None:
        for _ in range(n):
            self.w *= 0.9
            self.step += 1
            self.losses.append(float(np.abs(self.w).sum()))


class ToyAdapter:
    lesson = "toy"
    config_cls = ToyConfig

    def step_count(self, trainer):
        return trainer.step

    def export_tensors(self, trainer):
        return {"G.w": trainer.w, "G.b": trainer.b}

    def import_tensors(self, trainer, tensors):
        trainer.w, trainer.b = tensors["G.w"].copy(), tensors["G.b"].copy()

    def history_rows(self, trainer):
        return {"step": list(range(1, trainer.step + 1)), "loss": trainer.losses}

    def import_history(self, trainer, history, step):
        trainer.step = step
        trainer.losses = [float(v) for v in history.get("loss", [])]


def _trained(config=ToyConfig(lr=0.01, width=6, loss="mm"), seed=7, steps=5) -> ToyTrainer:
    t = ToyTrainer(config, seed)
    t.train(steps)
    return t


def _export(trainer=None, **kw) -> bytes:
    trainer = trainer or _trained()
    return rb.export_run(ToyAdapter(), trainer, trainer.config, seed=7, **kw)


def _rezip(data: bytes, **replace: bytes | str | None) -> bytes:
    """The same bundle with some members replaced (None = removed)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in src.namelist():
            key = name.replace(".", "_")
            if key in replace:
                if replace[key] is not None:
                    zf.writestr(name, replace[key])
            else:
                zf.writestr(name, src.read(name))
    return out.getvalue()


def _manifest(data: bytes) -> dict:
    return json.loads(zipfile.ZipFile(io.BytesIO(data)).read("manifest.json"))


def _refused(data: bytes, lesson: str = "toy") -> str:
    with pytest.raises(rb.BundleError) as info:
        rb.import_run(ToyAdapter(), data, ToyTrainer)
    return str(info.value)


# ---------------------------------------------------------------- round trip

def test_export_then_import_restores_settings_weights_history_and_step():
    trainer = _trained()
    restored, bundle = rb.import_run(ToyAdapter(), _export(trainer), ToyTrainer)
    assert restored.config == trainer.config == bundle.config
    assert restored.step == trainer.step == bundle.step == 5
    assert np.array_equal(restored.w, trainer.w) and restored.w.dtype == np.float32
    assert restored.losses == trainer.losses
    assert bundle.seed == 7 and bundle.lesson == "toy" and bundle.app_version == __version__


def test_manifest_is_stamped_with_app_lesson_version_and_settings():
    m = _manifest(_export(extra={"scenario": "vanishing"}))
    assert m["app"] == "gan-playground" and m["app_version"] == __version__
    assert m["format_version"] == rb.FORMAT_VERSION and m["lesson"] == "toy"
    assert m["settings"] == {"lr": 0.01, "width": 6, "loss": "mm"}
    assert m["step"] == 5 and m["seed"] == 7 and m["extra"] == {"scenario": "vanishing"}
    assert m["tensors"]["G.w"] == {"shape": [6, 2], "dtype": "float32"}
    assert m["created"].endswith("+00:00")


def test_history_csv_has_one_column_per_measure():
    text = zipfile.ZipFile(io.BytesIO(_export())).read("history.csv").decode()
    lines = text.splitlines()
    assert lines[0] == "step,loss" and len(lines) == 6 and lines[1].startswith("1.0,")


def test_history_keeps_nan_for_measures_not_taken():
    data = rb.write_bundle("toy", ToyConfig(), seed=0, step=2, tensors={"G.w": np.ones((4, 2), np.float32),
                           "G.b": np.zeros(4, np.float32)}, history={"w1": [float("nan"), 0.5]})
    bundle = rb.read_bundle(data, "toy", ToyConfig)
    assert np.isnan(bundle.history["w1"][0]) and bundle.history["w1"][1] == 0.5


def test_file_name_names_the_lesson_and_step():
    assert rb.bundle_file_name("xy-game", 70).startswith("gan-playground-xy-game-step70-")


# ---------------------------------------------------------------- refusals

def test_not_a_zip_is_refused():
    assert "not a zip" in _refused(b"hello, I am a text file")
    assert "not a zip" in _refused(b"")


def test_oversized_file_is_refused_before_unzipping(monkeypatch):
    monkeypatch.setattr(rb, "MAX_BUNDLE_BYTES", 100)
    assert "at most" in _refused(_export())


def test_zip_bomb_member_is_refused_without_inflating_it_all(monkeypatch):
    monkeypatch.setitem(rb.MAX_MEMBER_BYTES, rb.HISTORY, 1000)
    bomb = _rezip(_export(), history_csv="step\n" + "0\n" * 100_000)  # ~200 kB of zeros, compresses to ~1 kB
    assert len(bomb) < 10_000
    assert "larger than" in _refused(bomb)


def test_missing_manifest_is_refused():
    assert "no manifest.json" in _refused(_rezip(_export(), manifest_json=None))


def test_corrupt_manifest_is_refused():
    assert "corrupt" in _refused(_rezip(_export(), manifest_json="{not json"))
    assert "corrupt" in _refused(_rezip(_export(), manifest_json="[1, 2]"))
    bad_step = dict(_manifest(_export()), step=-3)
    assert "step" in _refused(_rezip(_export(), manifest_json=json.dumps(bad_step)))


def test_another_apps_zip_is_refused():
    other = dict(_manifest(_export()), app="something-else")
    assert "not exported by GAN Playground" in _refused(_rezip(_export(), manifest_json=json.dumps(other)))


def test_another_pages_bundle_is_refused_and_names_that_page():
    data = rb.write_bundle("xy", ToyConfig(), seed=0, step=0, tensors={}, title="xy game")
    message = _refused(data)
    assert "“xy game” lesson" in message and "not this one" in message


def test_incompatible_format_or_app_version_is_refused():
    newer_format = dict(_manifest(_export()), format_version=rb.FORMAT_VERSION + 1)
    assert "not compatible" in _refused(_rezip(_export(), manifest_json=json.dumps(newer_format)))
    major = int(__version__.split(".")[0])
    other_major = dict(_manifest(_export()), app_version=f"{major + 1}.0.0")
    assert "not compatible" in _refused(_rezip(_export(), manifest_json=json.dumps(other_major)))


def test_corrupt_safetensors_is_refused():
    assert "weights.safetensors in this export is corrupt" in _refused(_rezip(_export(), weights_safetensors=b"\x00" * 64))


def test_missing_weights_is_refused():
    assert "weights.safetensors is missing" in _refused(_rezip(_export(), weights_safetensors=None))


def test_settings_out_of_range_are_refused_with_the_settings_message():
    m = _manifest(_export())
    m["settings"]["lr"] = -5
    message = _refused(_rezip(_export(), manifest_json=json.dumps(m)))
    assert "Learning rate must be greater than 0" in message
    m["settings"]["lr"], m["settings"]["loss"] = 0.01, "<script>alert(1)</script>"
    assert "Loss" in _refused(_rezip(_export(), manifest_json=json.dumps(m)))


def test_non_finite_weights_are_refused_naming_the_array():
    trainer = _trained()
    trainer.w[0, 0] = np.nan
    assert "'G.w'" in _refused(_export(trainer)) and "not finite" in _refused(_export(trainer))


def test_wrong_shapes_are_refused_by_the_lessons_model():
    trainer = _trained()
    trainer.w = np.ones((3, 2), np.float32)  # the settings say width 6
    message = _refused(_export(trainer))
    assert "'G.w' has shape (3, 2)" in message and "(6, 2)" in message


def test_missing_or_extra_arrays_are_refused():
    data = rb.write_bundle("toy", ToyConfig(), seed=0, step=0, tensors={"G.w": np.ones((4, 2), np.float32)})
    assert "'G.b' is missing" in _refused(data)
    data = rb.write_bundle("toy", ToyConfig(), seed=0, step=0, tensors={
        "G.w": np.ones((4, 2), np.float32), "G.b": np.zeros(4, np.float32), "D.w": np.zeros(1, np.float32)})
    assert "unexpected 'D.w'" in _refused(data)


def test_corrupt_history_is_refused():
    assert "history.csv" in _refused(_rezip(_export(), history_csv="step,loss\n1,banana\n"))


def test_a_refused_import_leaves_the_current_run_untouched():
    current = _trained(steps=3)
    before = current.w.copy()
    with pytest.raises(rb.BundleError):
        rb.import_run(ToyAdapter(), _rezip(_export(), weights_safetensors=b"junk"), ToyTrainer)
    assert np.array_equal(current.w, before) and current.step == 3

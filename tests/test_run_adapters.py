"""gan_core/run_adapters.py: for every lesson, export then import gives the same weights, step and history,
and a bundle from one lesson is refused by another."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from gan_core import run_bundle
from gan_core.run_adapters import ADAPTERS


def _mapping_1d(seed):
    from gan_core.mapping_1d.config import Mapping1DConfig
    from gan_core.mapping_1d.trainer import Mapping1DTrainer

    return Mapping1DTrainer(Mapping1DConfig(seed=seed))


def _mapping_1d_torch(seed):
    from gan_core.mapping_1d.config import Mapping1DConfig
    from gan_core.mapping_1d.trainer import Mapping1DTrainer

    return Mapping1DTrainer(Mapping1DConfig(seed=seed), engine="torch")


def _mode_collapse(seed):
    from gan_core.mode_collapse.config import ModeCollapseConfig
    from gan_core.mode_collapse.trainer import ModeCollapseTrainer

    return ModeCollapseTrainer(ModeCollapseConfig(seed=seed, batch_size=32, width=16, z_dim=4))


def _spam(seed):
    from gan_core.spam.config import SpamConfig
    from gan_core.spam.game import SpamGame

    return SpamGame(SpamConfig(), seed=seed)


def _cgan(seed):
    from gan_core.cgan.config import CGANConfig
    from gan_core.cgan.trainer import CGANTrainer

    return CGANTrainer(CGANConfig(seed=seed, batch_size=16))


def _mode_collapse_torch(seed):
    from gan_core.mode_collapse.config import ModeCollapseConfig
    from gan_core.mode_collapse.trainer import ModeCollapseTrainer

    return ModeCollapseTrainer(ModeCollapseConfig(seed=seed, batch_size=32, width=16, z_dim=4), engine="torch")


SMALL_PLAYGROUND = {"g_width": 16, "d_width": 16, "batch_size": 32}


def _playground(seed, **changes):
    from gan_core.playground.config import PlaygroundConfig
    from gan_core.playground.pair import build_run

    return build_run(PlaygroundConfig(seed=seed, **SMALL_PLAYGROUND, **changes))


def _playground_pair(seed):
    return _playground(seed, compare="wgan_gp")


MAKERS = {"m1d": _mapping_1d, "mc": _mode_collapse, "spam": _spam, "cgan": _cgan, "pg": _playground}
STEPS = {"m1d": 60, "mc": 3, "spam": 2, "cgan": 2, "pg": 60}


def _seed_of(trainer) -> int:
    return int(getattr(trainer.config, "seed", getattr(trainer, "seed", 0)))


def _round_trip(lesson: str, make, steps: int):
    adapter = ADAPTERS[lesson]
    trainer = make(5)
    trainer.step(steps)
    data = run_bundle.export_run(adapter, trainer, trainer.config, _seed_of(trainer))
    restored, bundle = run_bundle.import_run(adapter, data, lambda config, seed: make(seed))
    return adapter, trainer, restored, bundle


@pytest.mark.parametrize("lesson", sorted(MAKERS))
def test_export_then_import_restores_weights_step_and_history(lesson):
    adapter, trainer, restored, bundle = _round_trip(lesson, MAKERS[lesson], STEPS[lesson])
    assert adapter.step_count(restored) == adapter.step_count(trainer) == bundle.step > 0
    assert bundle.seed == 5
    before, after = adapter.export_tensors(trainer), adapter.export_tensors(restored)
    assert before.keys() == after.keys() and before
    for name in before:
        assert np.array_equal(before[name], after[name]), name
    h0, h1 = adapter.history_rows(trainer), adapter.history_rows(restored)
    for name in h0:
        np.testing.assert_array_equal(np.asarray(h0[name], float), np.asarray(h1[name], float), err_msg=name)


def test_the_1d_torch_engine_round_trips_too():
    _, trainer, restored, _ = _round_trip("m1d", _mapping_1d_torch, 20)
    z = np.linspace(0.01, 0.99, 7)
    np.testing.assert_array_equal(trainer.generator_map(z), restored.generator_map(z))


def test_the_imported_1d_run_draws_the_same_map_as_the_exported_one():
    _, trainer, restored, _ = _round_trip("m1d", _mapping_1d, 80)
    z = np.linspace(0.01, 0.99, 11)
    np.testing.assert_array_equal(trainer.generator_map(z), restored.generator_map(z))


def test_the_mode_collapse_run_round_trips_on_both_2d_engines_and_shows_the_same_samples():
    for make in (_mode_collapse, _mode_collapse_torch):
        _, trainer, restored, _ = _round_trip("mc", make, 50)  # two measurements (every 25 steps), the last now
        assert restored.core.engine_name == trainer.core.engine_name
        assert len(restored.history) == len(trainer.history) == 3
        np.testing.assert_array_equal(restored.samples, trainer.samples)
        np.testing.assert_array_equal(restored.report.counts, trainer.report.counts)
        assert restored.core.last_good_step == 50  # "Restore last good state" stays in the imported run


def test_a_side_by_side_playground_pair_carries_both_runs():
    adapter, trainer, restored, bundle = _round_trip("pg", _playground_pair, 60)
    assert type(restored).__name__ == "RunPair" and restored.right.config.loss == "wgan_gp"
    before, after = adapter.export_tensors(trainer), adapter.export_tensors(restored)
    assert {k.split(".", 1)[0] for k in before} == {"left", "right"}
    for name in before:
        assert np.array_equal(before[name], after[name]), name
    assert not np.array_equal(before["left.D"], before["right.D"])  # two runs, not one twice
    for old, new in zip(trainer.runs, restored.runs):
        assert new.steps == old.steps == 60
        np.testing.assert_array_equal(new.samples, old.samples)
        for a, b in ((old.history, new.history), (old.trainer.history, new.trainer.history)):
            assert len(a) == len(b) > 0
            for name in a.names:
                np.testing.assert_array_equal(a.column(name), b.column(name), err_msg=name)


def test_a_single_playground_run_is_not_imported_as_a_pair():
    trainer = _playground(0)
    trainer.step(30)
    data = run_bundle.export_run(ADAPTERS["pg"], trainer, trainer.config, 0)
    pair_config = dataclasses.replace(trainer.config, compare="wgan_gp")
    forged = run_bundle.export_run(ADAPTERS["pg"], trainer, pair_config, 0)  # the settings say a pair
    from gan_core.playground.pair import build_run

    with pytest.raises(run_bundle.BundleError, match="do not fit"):
        run_bundle.import_run(ADAPTERS["pg"], forged, lambda config, seed: build_run(config))
    restored, _ = run_bundle.import_run(ADAPTERS["pg"], data, lambda config, seed: build_run(config))
    assert not hasattr(restored, "runs") and restored.steps == 30


def test_a_bundle_from_another_lesson_is_refused():
    trainer = _mapping_1d(0)
    data = run_bundle.export_run(ADAPTERS["m1d"], trainer, trainer.config, 0)
    with pytest.raises(run_bundle.BundleError, match="belongs to"):
        run_bundle.import_run(ADAPTERS["mc"], data, lambda config, seed: _mode_collapse(seed))


def test_weights_that_do_not_fit_the_settings_are_refused():
    from gan_core.mapping_1d.config import Mapping1DConfig
    from gan_core.mapping_1d.trainer import Mapping1DTrainer

    adapter = ADAPTERS["m1d"]
    trainer = _mapping_1d(0)
    wider = dataclasses.replace(trainer.config, width=trainer.config.width * 2)
    data = run_bundle.export_run(adapter, trainer, wider, 0)  # settings say twice as wide as the weights
    with pytest.raises(run_bundle.BundleError, match="do not fit"):
        run_bundle.import_run(adapter, data, lambda config, seed: Mapping1DTrainer(config))
    assert Mapping1DConfig  # the settings class the adapter names is the lesson's
    assert adapter.config_cls is Mapping1DConfig


def test_the_games_carry_settings_and_the_step_shown_only():
    class Shown:
        def __init__(self, config):
            self.config, self.steps = config, 0

        def seek(self, k):
            self.steps = k

    adapter = ADAPTERS["xy"]
    view = Shown(adapter.config_cls())
    view.seek(40)
    data = run_bundle.export_run(adapter, view, view.config, 0)
    restored, bundle = run_bundle.import_run(adapter, data, lambda config, seed: Shown(config))
    assert restored.steps == 40 and bundle.tensors == {}
    with pytest.raises(run_bundle.BundleError, match="belongs to"):
        run_bundle.import_run(ADAPTERS["dirac"], data, lambda config, seed: Shown(config))


# ---------------------------------------------------------------- going on after an import

ENGINES = {**MAKERS, "m1d-torch": _mapping_1d_torch, "mc-torch": _mode_collapse_torch, "pg-pair": _playground_pair}


@pytest.mark.parametrize("name", sorted(ENGINES))
def test_an_imported_run_goes_on_exactly_as_the_exported_one_would_have(name):
    """Random streams and optimiser moments travel too: the next steps give the same weights, bit for bit."""
    lesson = name.split("-")[0]
    adapter, trainer, restored, _ = _round_trip(lesson, ENGINES[name], STEPS[lesson])
    trainer.step(STEPS[lesson])
    restored.step(STEPS[lesson])
    before, after = adapter.export_tensors(trainer), adapter.export_tensors(restored)
    assert adapter.step_count(restored) == adapter.step_count(trainer)
    differ = [k for k in before if not np.array_equal(before[k], after[k])]
    assert not differ, differ


def _rewritten(data: bytes, manifest_change=None, array_change=None) -> bytes:
    """The same bundle with its manifest and/or its arrays changed (a hand-edited or damaged file)."""
    import io
    import json
    import zipfile

    from safetensors.numpy import load, save

    members = {}
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for name in zf.namelist():
            members[name] = zf.read(name)
    manifest = json.loads(members["manifest.json"])
    arrays = load(members["weights.safetensors"])
    if manifest_change:
        manifest_change(manifest)
    if array_change:
        array_change(arrays)
    members["manifest.json"] = json.dumps(manifest).encode()
    members["weights.safetensors"] = save(arrays)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name, raw in members.items():
            zf.writestr(name, raw)
    return out.getvalue()


def _exported_1d():
    trainer = _mapping_1d(5)
    trainer.step(60)
    adapter = ADAPTERS["m1d"]
    return adapter, trainer, run_bundle.export_run(adapter, trainer, trainer.config, 5)


def test_a_damaged_training_state_is_refused_with_a_message():
    adapter, _, data = _exported_1d()
    build = lambda config, seed: _mapping_1d(seed)  # noqa: E731

    def garbage(manifest):
        manifest["resume"] = {"exec": "import os"}

    def wrong_block(arrays):  # the data stream's drawn block cut short
        name = max((k for k in arrays if k.startswith("resume.")), key=lambda k: arrays[k].size)
        arrays[name] = arrays[name][:3].copy()

    for damaged in (_rewritten(data, manifest_change=garbage), _rewritten(data, array_change=wrong_block)):
        with pytest.raises(run_bundle.BundleError, match="cannot be continued"):
            run_bundle.import_run(adapter, damaged, build)


def test_an_export_without_a_training_state_still_imports_its_weights():
    """Exports of app 1.0.0 carry weights, history and step only: they still load, and train on."""
    adapter, trainer, data = _exported_1d()

    def drop_state(manifest):
        del manifest["resume"]
        manifest["app_version"] = "1.0.0"

    old = _rewritten(data, manifest_change=drop_state,
                     array_change=lambda arrays: [arrays.pop(k) for k in list(arrays) if k.startswith("resume.")])
    restored, bundle = run_bundle.import_run(adapter, old, lambda config, seed: _mapping_1d(seed))
    assert bundle.resume is None and restored.steps == trainer.steps
    assert np.array_equal(adapter.export_tensors(restored)["G"], adapter.export_tensors(trainer)["G"])
    restored.step(10)
    assert restored.status == "ok"


def test_a_stream_position_inside_blocks_that_were_never_drawn_is_refused():
    """No blocks in the state but a position inside them: the next batch would read nothing."""
    from gan_core import resume_state as rs
    from gan_core.mapping_1d.config import Mapping1DConfig
    from gan_core.mapping_1d.trainer import Mapping1DTrainer

    trainer = Mapping1DTrainer(Mapping1DConfig(seed=1))
    state = ADAPTERS["m1d"].resume_state(trainer)
    rng_state = state["stream"][0]
    state["stream"] = (rng_state, 0, None, None, None)
    with pytest.raises(rs.StateError, match="position"):
        ADAPTERS["m1d"].load_resume_state(trainer, state)

"""AppTest of the CGAN page: sliders, digit choice, Random z, bad checkpoints, training steps."""
import sys

import numpy as np
import pytest

from gan_core.cgan import checkpoint
from tests import app_paths

PAGE = "lessons/2_cgan_explorer.py"


@pytest.fixture
def at():
    return app_paths.open_lesson(PAGE, timeout=120)


def digest(at) -> str:
    return at.session_state["cgan_render_digest"]


def test_sliders_digit_and_random_z_change_the_generated_digit(at):
    sliders = [s for s in at.slider if s.key.startswith("cgan_z_")]
    assert 8 <= len(sliders) <= 16
    assert all(s.min == -3.0 and s.max == 3.0 and s.value == 0.0 for s in sliders)
    first = digest(at)

    at.slider(key=sliders[0].key).set_value(2.5).run()
    assert not at.exception
    moved = digest(at)
    assert moved != first
    assert at.session_state["cgan_z"][int(sliders[0].key.split("_")[-1])] == pytest.approx(2.5)

    at.session_state["cgan_digit"] = 8
    at.run()
    assert digest(at) != moved

    at.button(key="cgan_random").click().run()
    z = np.asarray(at.session_state["cgan_z"])
    assert np.abs(z).max() > 0 and np.abs(z).max() <= 3.0
    assert at.slider(key=sliders[1].key).value == pytest.approx(float(z[int(sliders[1].key.split("_")[-1])]))

    at.button(key="cgan_zero").click().run()
    assert not np.asarray(at.session_state["cgan_z"]).any()
    assert all(at.slider(key=s.key).value == 0.0 for s in sliders)


def test_bad_checkpoint_shows_a_message_and_training_still_works(at, tmp_path):
    bad = tmp_path / "broken.safetensors"
    bad.write_bytes(b"not a checkpoint")
    checkpoint.metadata_path(bad).write_text('{"kind": "cgan_generator", "format_version": 1, "architecture": {}}')
    at.text_input(key="cgan_checkpoint").set_value(str(bad)).run()
    assert not at.exception
    errors = " ".join(e.value for e in at.error)
    assert "Could not load the generator" in errors and "broken.safetensors" in errors
    assert not [s for s in at.slider if s.key.startswith("cgan_z_")]  # no explorer without a model

    at.button(key="cgan_step").click().run()
    assert not at.exception
    trainer = at.session_state["cgan_run"].trainer
    assert trainer.steps == 25 and len(trainer.history) == 25

    at.button(key="cgan_use_trained").click().run()
    assert not at.exception
    assert any("trained on this page" in c.value for c in at.caption)
    assert [s for s in at.slider if s.key.startswith("cgan_z_")]  # the explorer is back, on the new model


def test_changed_settings_and_sidebar_seed_wait_for_apply_once_trained(at):
    at.button(key="cgan_step").click().run()
    assert at.session_state["cgan_run"].trainer.steps == 25
    at.selectbox(key="cgan_loss").set_value("hinge").run()
    at.sidebar.number_input(key="global_seed").set_value(5).run()
    assert any("Changed: Loss, Seed" in i.value for i in at.info)
    assert at.session_state["cgan_run"].trainer.steps == 25  # nothing lost
    at.button(key="cgan_apply").click().run()
    trainer = at.session_state["cgan_run"].trainer
    assert trainer.steps == 0 and trainer.config.loss == "hinge" and trainer.config.seed == 5
    assert not at.exception


def test_a_step_is_trained_in_atomic_pieces_exactly_once(at, monkeypatch):
    """Step ×25 runs as five pieces of 5 steps (no Streamlit call inside a piece, progress between them);
    a second press while steps are still owed adds nothing."""
    from gan_core.cgan.trainer import CGANTrainer

    pieces = []
    original = CGANTrainer.step
    monkeypatch.setattr(CGANTrainer, "step", lambda self, n=1: pieces.append(n) or original(self, n))
    run = at.session_state["cgan_run"]
    run.todo = 25  # as if Step had just been pressed and the frame was interrupted before training
    at.button(key="cgan_step").click().run()  # the second press: ignored, the owed 25 are trained once
    assert pieces == [5, 5, 5, 5, 5]
    assert run.trainer.steps == 25 and run.todo == 0 and not at.exception


def test_the_z_sliders_do_not_copy_the_session_state_each(at, monkeypatch):
    # Streamlit builds a filtered copy of the whole session state for a slider given no value (to guess single
    # vs range): 12 sliders, 12 copies per drag. Each slider passes its own state instead.
    from streamlit.runtime.state.session_state import SessionState

    copies = []
    real = SessionState.filtered_state

    def counted(self):
        copies.append(sys._getframe(2).f_code.co_filename)  # who asked (through SafeSessionState)
        return real.fget(self)

    monkeypatch.setattr(SessionState, "filtered_state", property(counted))
    sliders = [s for s in at.slider if s.key.startswith("cgan_z_")]
    at.slider(key=sliders[0].key).set_value(1.5).run()
    assert not at.exception and at.slider(key=sliders[0].key).value == pytest.approx(1.5)
    assert at.slider(key=sliders[1].key).value == pytest.approx(0.0)
    assert copies and not [f for f in copies if f.endswith("slider.py")]  # radios and number inputs still do


def test_memorisation_panel_shows_the_nearest_training_digit_and_follows_the_sliders(at):
    near = at.session_state["cgan_neighbour"]
    assert 0 <= near["index"] < 4500 and near["distance"] > 0
    assert any("Is G copying?" in c.value for c in at.caption)
    slider = [s for s in at.slider if s.key.startswith("cgan_z_")][0]
    at.slider(key=slider.key).set_value(-2.5).run()
    assert at.session_state["cgan_neighbour"]["distance"] != near["distance"]
    assert not at.exception


def test_a_page_rerun_draws_the_architecture_without_building_the_networks_again(monkeypatch):
    import ui.cgan_training as training

    built = []
    real = training.architecture_table
    monkeypatch.setattr(training, "architecture_table", lambda *a: built.append(a) or real(*a))
    training._architecture.cache_clear()
    at = app_paths.open_lesson(PAGE, timeout=120)
    for _ in range(2):
        at.run()
    assert not at.exception and len(built) == 1  # three runs, one build (it was one per run: ~20 ms each)
    table = next(df.value for df in at.dataframe if "what" in df.value)
    assert table["what"].str.contains("transposed conv").any()
    specs = [c.proto.spec for c in at.get("arrow_vega_lite_chart") + at.get("vega_lite_chart")]
    assert any("feature-map side" in s for s in specs)  # the drawing, sent with its cached spec


def test_training_shows_d_as_a_probability_the_judge_and_the_architecture(at):
    assert any(df.value["what"].str.contains("transposed conv").any() for df in at.dataframe)  # the architecture
    at.button(key="cgan_step").click().run()
    assert not at.exception
    trainer = at.session_state["cgan_run"].trainer
    assert trainer.shows_probability and 0 < trainer.history.last("d_real") < 1
    assert any("probability that x is a real digit" in c.value for c in at.caption)
    judge = [m for m in at.metric if "Judge reads" in m.label]
    assert judge and judge[0].value.endswith("%")


def live_images(at) -> list[list]:
    """The ImageList elements of the training tab's live panel, each as its list of images."""
    found = []

    def walk(node):
        for child in (getattr(node, "children", None) or {}).values():
            if getattr(child, "type", "") == "image" and any(i.caption.startswith(("Now:", "step "))
                                                              for i in child.proto.imgs):
                found.append(list(child.proto.imgs))
            walk(child)

    walk(at._tree)
    return found


def test_the_live_panel_sends_png_as_is_and_all_snapshots_as_one_element(at):
    at.button(key="cgan_step").click().run()
    at.button(key="cgan_step").click().run()
    assert not at.exception
    now, snapshots = live_images(at)
    assert now[0].url.endswith(".png")  # PNG bytes as they are, not re-encoded as JPEG every run
    assert [i.caption.split(" · ")[0] for i in snapshots] == ["step 0", "step 25", "step 50"]
    assert all(i.url.endswith(".png") for i in snapshots)
    before = now[0].url
    at.button(key="cgan_step").click().run()  # paused: the "Now" grid always shows the latest step
    assert live_images(at)[0][0].url != before

"""The mode-collapse page, driven through AppTest (run_every does not tick here: Step drives training).

Every test opens its own session, so each passes alone and in any order."""
import pytest
from streamlit.testing.v1 import AppTest

from tests import app_paths
from ui.numbers import read_numbers

PAGE = "lessons/5_mode_collapse.py"
STEP_CHUNK = 50  # generator steps per press of Step (lessons/5_mode_collapse.py)


def shown_numbers(at) -> dict[str, str]:
    """The numbers beside the step counter (one element, ui/numbers.py)."""
    return {k: v for md in at.markdown for k, v in read_numbers(md.value).items()}


def step_counter(at: AppTest) -> int:
    return int(str(at.metric[0].value).replace(",", ""))


def trainer(at: AppTest):
    return at.session_state["mc_run"].trainer


@pytest.fixture
def at():
    return app_paths.open_lesson(PAGE)


def test_page_renders_title_metrics_and_charts(at):
    assert at.title[0].value == "Mode collapse"
    assert step_counter(at) == 0
    assert at.metric[0].label == "Step"
    assert list(shown_numbers(at))[:3] == ["Near top-2 modes", "Modes captured", "High quality"]
    assert not at.error
    assert not at.button(key="mc_start").disabled and not at.button(key="mc_step").disabled


def test_step_advances_and_reset_clears(at):
    at.button(key="mc_step").click().run()
    at.button(key="mc_step").click().run()
    assert step_counter(at) == 2 * STEP_CHUNK == trainer(at).steps
    at.button(key="mc_reset").click().run()
    assert step_counter(at) == 0 and not at.exception


def test_remedy_change_before_the_first_step_applies_at_once(at):
    at.selectbox(key="mc_remedy").set_value("pack").run()
    assert trainer(at).config.remedy == "pack"
    at.number_input(key="mc_pack").set_value(3).run()
    assert trainer(at).config.pack == 3 and trainer(at).core.engine.D.sizes[0] == 6
    at.button(key="mc_step").click().run()
    assert step_counter(at) == STEP_CHUNK and not at.exception


def test_remedy_change_mid_run_waits_for_apply(at):
    at.selectbox(key="mc_remedy").set_value("pack").run()
    at.button(key="mc_step").click().run()
    assert trainer(at).steps > 0
    at.selectbox(key="mc_remedy").set_value("r1").run()
    assert trainer(at).config.remedy == "pack"  # the running run is kept
    assert any("Changed: Remedy" in i.value for i in at.info)
    at.button(key="mc_apply").click().run()
    assert trainer(at).config.remedy == "r1" and step_counter(at) == 0


def test_revert_brings_the_controls_back_to_the_running_settings(at):
    at.button(key="mc_step").click().run()
    at.selectbox(key="mc_remedy").set_value("mbstd").run()
    at.button(key="mc_revert").click().run()
    assert at.selectbox(key="mc_remedy").value == "none"
    assert not at.info and trainer(at).steps == STEP_CHUNK


def test_bad_input_shows_a_message_and_disables_training(at):
    at.number_input(key="mc_lr_g").set_value(0.5).run()
    assert any("Learning rate of G" in e.value for e in at.error)
    assert at.button(key="mc_start").disabled and at.button(key="mc_step").disabled
    assert not at.exception
    at.number_input(key="mc_lr_g").set_value(1e-3).run()
    assert not at.error and not at.button(key="mc_step").disabled


def test_divergence_pauses_explains_and_restores(at):
    at.button(key="mc_step").click().run()
    t = trainer(at)
    t.core.engine.G.flat[-2:] = float("nan")  # G's output bias
    at.button(key="mc_step").click().run()
    assert t.status == "diverged"
    assert any("diverged" in w.value for w in at.warning)
    assert at.button(key="mc_step").disabled
    at.button(key="mc_restore").click().run()
    assert trainer(at).status == "ok" and not at.warning and not at.exception


def test_unrolling_order_is_shown_only_with_the_unrolled_remedy(at):
    assert not any(s.key == "mc_unroll_order" for s in at.selectbox)
    at.selectbox(key="mc_remedy").set_value("unrolled").run()
    assert at.selectbox(key="mc_unroll_order").value == "first"
    at.selectbox(key="mc_unroll_order").set_value("second").run()
    assert trainer(at).config.unroll_order == "second" and trainer(at).core.engine_name == "torch"
    assert not at.exception


def test_the_cure_shows_in_the_metrics_after_a_few_thousand_steps(at):
    # What a student sees after ~30 s live (docs/mode_collapse.md): the plain run near 1-2 modes, the mbstd run
    # spread over the ring with most modes captured. The trainer is driven directly (fast); the page shows it.
    at.button(key="mc_step").click().run()
    trainer(at).step(950)
    at.run()
    assert int(shown_numbers(at)["Near top-2 modes"].rstrip(" %")) >= 75
    at.selectbox(key="mc_remedy").set_value("mbstd").run()
    at.button(key="mc_apply").click().run()
    at.button(key="mc_step").click().run()
    trainer(at).step(2500 - STEP_CHUNK)
    at.run()
    r = trainer(at).report
    assert trainer(at).config.remedy == "mbstd" and step_counter(at) == 2500
    assert r.top2_share < 0.4 and r.modes_captured >= 6 and r.high_quality >= 0.5
    shown = shown_numbers(at)
    assert shown["Modes captured"] == f"{r.modes_captured} / 8" and int(shown["Near top-2 modes"].rstrip(" %")) < 40

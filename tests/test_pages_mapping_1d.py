"""The 1-D mapping page, driven through AppTest (run_every does not tick here: Step drives training)."""

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from tests import app_paths
from ui.numbers import read_numbers

PAGE = "lessons/1_mapping_1d.py"
STEP_CHUNK = 50  # generator steps per press of Step (lessons/1_mapping_1d.py)


def open_page() -> AppTest:
    return app_paths.open_lesson(PAGE)


def step_counter(at: AppTest) -> int:
    return int(str(at.metric[0].value).replace(",", ""))


def shown_numbers(at: AppTest) -> dict[str, str]:
    """The live row's numbers beside the step counter (one element, ui/numbers.py)."""
    return {k: v for md in at.markdown for k, v in read_numbers(md.value).items()}


def trainer(at: AppTest):
    return at.session_state["m1d_run"].trainer


def errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


@pytest.fixture
def at():
    return open_page()


def test_page_renders_its_charts_and_numbers_at_step_zero(at):
    assert at.title[0].value.startswith("1-D mapping")
    assert step_counter(at) == 0
    labels = set(shown_numbers(at))
    assert {"Steps / second", "W1 to target", "W1 / σ", "mean D(real)", "mean D(G(z))"} <= labels
    assert not errors(at)
    assert not at.button(key="m1d_start").disabled and not at.button(key="m1d_step").disabled


def test_step_advances_the_counter_and_reset_clears_it(at):
    at.button(key="m1d_step").click().run()
    at.button(key="m1d_step").click().run()
    assert step_counter(at) == 2 * STEP_CHUNK == trainer(at).steps
    assert shown_numbers(at)["W1 to target"] != "—"  # W1 has been measured by now
    at.button(key="m1d_reset").click().run()
    assert step_counter(at) == 0 and trainer(at).steps == 0
    assert not at.exception


def test_same_seed_and_settings_give_the_same_run_after_reset(at):
    at.button(key="m1d_step").click().run()
    first = trainer(at).history.column("d_loss").copy()
    at.button(key="m1d_reset").click().run()
    at.button(key="m1d_step").click().run()
    assert (trainer(at).history.column("d_loss") == first).all()


def test_changing_a_control_before_the_first_step_applies_it_at_once(at):
    at.selectbox(key="m1d_kind").set_value("exp").run()
    at.number_input(key="m1d_rate").set_value(2.0).run()
    at.radio(key="m1d_noise").set_value("normal").run()
    assert trainer(at).config.target == "exp:2"
    assert trainer(at).config.noise == "normal"
    at.button(key="m1d_step").click().run()
    assert step_counter(at) == STEP_CHUNK and not at.exception


def test_changing_a_control_mid_run_waits_for_apply_and_can_be_reverted(at):
    at.button(key="m1d_step").click().run()
    at.selectbox(key="m1d_loss").set_value("minimax").run()
    assert trainer(at).config.loss == "nonsaturating" and trainer(at).steps == STEP_CHUNK  # nothing lost
    assert any("Changed: Loss" in i.value for i in at.info)
    at.button(key="m1d_revert").click().run()
    assert at.selectbox(key="m1d_loss").value == "nonsaturating"
    assert not any("Changed" in i.value for i in at.info)
    at.selectbox(key="m1d_loss").set_value("least_squares").run()
    at.button(key="m1d_apply").click().run()
    assert trainer(at).config.loss == "least_squares" and step_counter(at) == 0


def test_invalid_settings_show_a_message_and_disable_start_and_step(at):
    at.number_input(key="m1d_sigma").set_value(-0.5).run()
    assert any("greater than 0" in e for e in errors(at)), errors(at)
    assert at.button(key="m1d_start").disabled and at.button(key="m1d_step").disabled
    at.number_input(key="m1d_lr_d").set_value(0.0).run()
    assert any("Learning rate of D" in e for e in errors(at))
    at.number_input(key="m1d_sigma").set_value(0.5).run()
    at.number_input(key="m1d_lr_d").set_value(0.001).run()
    assert not errors(at)
    assert not at.button(key="m1d_start").disabled
    assert trainer(at).config.target == "normal:3,0.5" and not at.exception


def test_divergence_pauses_explains_and_restore_brings_back_the_last_good_state(at):
    at.button(key="m1d_step").click().run()
    run = trainer(at)
    run.status, run.message = "diverged", "Training diverged at step 50: a loss became NaN or infinite."
    at.session_state["m1d_run"].running = True
    at.run()
    assert any("diverged" in w.value for w in at.warning)
    assert at.session_state["m1d_run"].running is False  # paused
    assert at.button(key="m1d_start").disabled and at.button(key="m1d_step").disabled
    at.button(key="m1d_restore").click().run()
    assert trainer(at).status == "ok" and not any("diverged" in w.value for w in at.warning)
    at.button(key="m1d_step").click().run()
    assert not at.exception and trainer(at).status == "ok"


def test_a_failure_inside_training_becomes_a_message_not_a_traceback(at):
    def broken(n):
        raise RuntimeError("simulated fault")

    trainer(at).step = broken
    at.button(key="m1d_step").click().run()
    assert not at.exception
    assert any("simulated fault" in e for e in errors(at))
    at.button(key="m1d_reset").click().run()  # a fresh run clears the message
    assert not any("simulated fault" in e for e in errors(at))


def test_controls_and_run_survive_a_visit_to_another_lesson(at):
    at.number_input(key="m1d_sigma").set_value(0.4).run()
    at.button(key="m1d_step").click().run()
    at.switch_page(app_paths.PAGES[-1]).run()
    at.switch_page(PAGE).run()
    assert not at.exception
    assert at.number_input(key="m1d_sigma").value == 0.4
    assert step_counter(at) == STEP_CHUNK
    assert not any("Changed" in i.value for i in at.info)  # no spurious "settings changed" banner


def test_an_emptied_target_box_is_a_message_not_a_crash(at):
    at.selectbox(key="m1d_kind").set_value("mixture").run()
    at.session_state["m1d_w1"] = None  # what an emptied number box reports
    at.run()
    assert not at.exception
    assert errors(at) and at.button(key="m1d_step").disabled


def test_a_new_seed_in_the_sidebar_waits_for_apply_mid_run(at):
    at.button(key="m1d_step").click().run()
    at.sidebar.number_input(key="global_seed").set_value(7).run()
    assert trainer(at).config.seed == 0 and any("Changed: Seed" in i.value for i in at.info)
    at.button(key="m1d_apply").click().run()
    assert trainer(at).config.seed == 7 and step_counter(at) == 0


def test_a_failure_while_drawing_is_caught_too(at, monkeypatch):
    from gan_core.mapping_1d import figures

    def broken(trainer):
        raise ValueError("simulated drawing fault")

    monkeypatch.setattr(figures, "live_numbers", broken)
    at.button(key="m1d_step").click().run()
    assert not at.exception
    assert any("simulated drawing fault" in e for e in errors(at))


def _load(at: AppTest, key: str) -> AppTest:
    at.selectbox(key="m1d_scenario").set_value(key).run()
    at.button(key="m1d_load").click().run()
    assert not at.exception, at.exception
    return at


def test_loading_the_vanishing_gradient_scenario_sets_the_controls_and_starts_afresh(at):
    at.button(key="m1d_step").click().run()
    _load(at, "vanishing")
    state = at.session_state
    assert state["m1d_loss"] == "minimax" and state["m1d_r1"] == 0.0 and state["m1d_d_steps"] == 5
    assert state["m1d_kind"] == "mixture" and state["m1d_mu1"] == -4.0 and state["m1d_lr_d"] == 0.01
    run = trainer(at)
    assert run.steps == 0 and run.config.loss == "minimax" and run.config.r1 == 0.0
    assert not at.info  # the controls show exactly the run: nothing pending
    assert any("Vanishing gradient" in c.value for c in at.caption)
    # A few Steps: the gradient reaching G stays far below what the non-saturating fix gets.
    for _ in range(2):
        at.button(key="m1d_step").click().run()
    minimax = float(np.mean(trainer(at).history.column("g_grad")))
    _load(at, "fix")
    assert at.session_state["m1d_loss"] == "nonsaturating" and trainer(at).steps == 0
    for _ in range(2):
        at.button(key="m1d_step").click().run()
    nonsat = float(np.mean(trainer(at).history.column("g_grad")))
    assert minimax < nonsat / 3, (minimax, nonsat)
    assert not errors(at)


def test_every_setting_that_matters_is_a_control_and_listed_in_the_run_summary(at):
    at.number_input(key="m1d_r1").set_value(0.5).run()
    at.number_input(key="m1d_beta2").set_value(0.99).run()
    run = trainer(at)
    assert run.config.r1 == 0.5 and run.config.beta2 == 0.99  # before the first step: applied at once
    summary = " ".join(c.value for c in at.caption)
    for text in ("R1 γ 0.5", "EMA 0.999", "β1 0", "β2 0.99", "batch 256", "D step"):
        assert text in summary, text
    at.number_input(key="m1d_r1").set_value(-1.0).run()
    assert any("R1" in e for e in errors(at)) and at.button(key="m1d_step").disabled


def test_step_zero_shows_g_off_to_one_side_of_the_data(at):
    run = trainer(at)
    assert run.steps == 0 and run.w1() >= run.target.std
    w1_over_sigma = shown_numbers(at)["W1 / σ"]
    assert float(w1_over_sigma) >= 1.0  # shown at step 0, before Start
    assert "G starts -3σ from the mean" in " ".join(c.value for c in at.caption)


def test_the_lessons_index_links_the_three_named_failures():
    at = open_page()
    links = [e.proto for e in at.get("page_link")]
    labels = [p.label for p in links]
    for failure in ("Diminished gradient", "Non-convergence", "Mode collapse"):
        assert any(failure in label for label in labels), labels
    vanishing = next(p for p in links if "Diminished gradient" in p.label)
    assert vanishing.page_script_hash and vanishing.query_string == "scenario=vanishing"
    pages = {p.page_script_hash for p in links}
    assert len(pages) == 3  # three different lessons


def test_a_scenario_link_loads_that_scenario_once():
    at = AppTest.from_file(app_paths.APP, default_timeout=60)
    at.query_params["scenario"] = "vanishing"
    at.run()
    assert not at.exception
    assert at.session_state["m1d_scenario"] == "vanishing"
    run = trainer(at)
    assert run.config.loss == "minimax" and run.config.r1 == 0.0 and run.steps == 0
    assert "scenario" not in at.query_params  # dropped, so the next click on the link loads it again
    at.query_params["scenario"] = "no_such_thing"
    at.run()
    assert any("does not have" in w.value for w in at.warning) and not at.exception


def test_a_scenario_link_with_a_setting_loads_the_scenario_and_that_setting():
    at = AppTest.from_file(app_paths.APP, default_timeout=60)
    at.query_params["scenario"] = "vanishing"
    at.query_params["lr_g"] = "0.0005"
    at.run()
    assert not at.exception
    run = trainer(at)
    assert run.config.loss == "minimax" and run.config.r1 == 0.0  # the scenario's
    assert run.config.lr_g == 0.0005 and at.number_input(key="m1d_lr_g").value == 0.0005  # the link's


def test_d_at_one_half_with_histograms_apart_is_explained_on_the_page(at):
    _load(at, "mixture")
    for _ in range(6):  # 300 steps: D flat at ½, W1 still well above 0.15σ (measured)
        at.button(key="m1d_step").click().run()
    assert any(i.value.startswith("**D says ½") for i in at.info), [i.value[:40] for i in at.info]


def test_where_the_metrics_are_the_page_says_a_gan_gives_no_likelihood(at):
    text = " ".join(md.value for md in at.markdown)
    assert "no likelihood" in text and "W1" in text


def test_presenter_mode_puts_the_gradient_evidence_beside_a_lower_histogram():
    """On a projector the key visual and the evidence share the first screen (the browser test measures it)."""
    import json

    at = open_page()
    at.session_state["presenter_mode"] = True
    at.run()
    assert not at.exception
    density = json.loads(at.get("vega_lite_chart")[0].proto.spec)
    assert density["height"] == 300 and "Real vs generated" in density["title"]["text"]
    assert any(c.value.startswith("**Against D right now** (step 0):") for c in at.caption)
    at.session_state["presenter_mode"] = False
    at.run()
    assert json.loads(at.get("vega_lite_chart")[0].proto.spec)["height"] == 360


def test_the_gradient_evidence_is_measured_at_the_step_it_names(at):
    """The caption is cached per step (gan_core/step_reading.py): after a Step it names the new step and
    shows what D gives G's samples at that step, not the cached step-0 numbers."""
    _load(at, "vanishing")
    evidence = [c.value for c in at.caption if c.value.startswith("**Against D right now**")]
    assert len(evidence) == 1 and "(step 0)" in evidence[0]
    at.button(key="m1d_step").click().run()
    evidence = next(c.value for c in at.caption if c.value.startswith("**Against D right now**"))
    run = trainer(at)
    assert f"(step {run.steps:,})" in evidence and run.steps == STEP_CHUNK
    assert f"**{run.generator_gradient('minimax', n=256):.2g}**" in evidence


def test_the_curves_captions_are_drawn_once_under_the_live_panel(at):
    """Texts that change only with the settings are outside the fragment (not re-sent every tick), but still
    on the page and following the run's loss."""
    from ui import notes

    text = notes.sections("mapping_1d_captions")
    captions = [c.value for c in at.caption]
    for key in ("loss_nonsaturating", "verdict_probability", "w1", "g_grad"):
        assert captions.count(text[key]) == 1, key
    _load(at, "diverge")  # WGAN-GP: a critic
    captions = [c.value for c in at.caption]
    assert text["loss_wgan_gp"] in captions and text["verdict_critic"] in captions
    assert text["loss_nonsaturating"] not in captions

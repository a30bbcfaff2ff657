"""The 2-D playground page, driven through AppTest (run_every does not tick here: Step drives training).

Every test opens its own session, so each passes alone and in any order."""
import pytest

from gan_core.playground.pair import RunPair
from tests import app_paths

PAGE = "lessons/6_playground_2d.py"
STEP_SIZE = 100  # steps per press of Step (lessons/6_playground_2d.py)
SQUARE = "0, 0\n1, 0\n1, 1\n0, 1\n0.5, 0.5\n0.2, 0.8\n"


def step_counter(at) -> int:
    return int(str(at.metric[0].value).replace(",", ""))


def trainer(at):
    return at.session_state["pg_run"].trainer


@pytest.fixture
def at():
    return app_paths.open_lesson(PAGE)


def _draw_by_paste(at, text=SQUARE):
    at.selectbox(key="pg_target").set_value("drawing").run()
    at.text_area(key="pgx_paste").input(text).run()
    at.button(key="pgx_use_paste").click().run()
    return at


def test_page_renders_with_a_preset_and_steps(at):
    assert "2-D playground" in at.title[0].value
    assert step_counter(at) == 0 and not at.error and not at.exception
    labels = [m.label for m in at.metric]
    assert labels[:3] == ["Step", "Coverage", "Precision"] and "Modes" in labels  # ring of 8 by default
    at.button(key="pg_step").click().run()
    assert step_counter(at) == STEP_SIZE == trainer(at).steps


def test_an_empty_drawing_gets_a_message_and_disables_training(at):
    at.selectbox(key="pg_target").set_value("drawing").run()
    assert not at.exception
    assert any("empty" in w.value for w in at.warning)
    assert at.button(key="pg_start").disabled and at.button(key="pg_step").disabled


def test_pasted_points_become_the_data(at):
    _draw_by_paste(at)
    assert not at.exception and not at.error
    run = trainer(at)
    assert run.data.n == 6 and run.config.target == "drawing" and run.config.drawing
    at.button(key="pg_step").click().run()
    assert step_counter(at) == STEP_SIZE
    assert "Modes" not in [m.label for m in at.metric]


@pytest.mark.parametrize("text, words", [
    ("1, 2", "single point"),
    ("0,0\n1,x\n2,2\n3,3\n4,4", "Line 2: 'x' is not a number"),
    ("0,0\n1,nan\n2,2\n3,3\n4,4", "finite"),
])
def test_bad_pasted_points_get_a_clear_message(at, text, words):
    at.selectbox(key="pg_target").set_value("drawing").run()
    at.text_area(key="pgx_paste").input(text).run()
    at.button(key="pgx_use_paste").click().run()
    assert not at.exception
    shown = [e.value for e in at.error] + [w.value for w in at.warning]
    assert any(words in m for m in shown), shown


def test_slow_motion_walks_one_step_through_its_stages(at):
    at.button(key="pg_step").click().run()
    stages = []
    for _ in range(5):
        at.button(key="pgx_slow").click().run()
        stages.append(next(i.value for i in at.info if "Slow motion" in i.value))
    assert [s.split("—")[1].split(".")[0].strip() for s in stages] == [
        "sample", "g forward", "d judges", "d update", "g update"]
    assert trainer(at).slowmo.walk.walked == 1 and not at.exception


def test_step_d_only_and_g_only_move_one_player(at):
    import numpy as np

    run = trainer(at)
    z = run.eval_z[:50]
    g_before = run.trainer.generate(z, raw=True)
    d_before = run.trainer.discriminator(z)
    at.button(key="pgx_step_d").click().run()
    assert np.array_equal(run.trainer.generate(z, raw=True), g_before)
    assert not np.array_equal(run.trainer.discriminator(z), d_before)
    at.button(key="pgx_step_g").click().run()
    assert not np.array_equal(run.trainer.generate(z, raw=True), g_before) and not at.exception


def test_side_by_side_trains_two_runs_in_lock_step(at):
    at.selectbox(key="pg_compare").set_value("least_squares").run()
    pair = trainer(at)
    assert isinstance(pair, RunPair) and pair.right.config.loss == "least_squares"
    at.button(key="pg_step").click().run()
    assert pair.left.steps == pair.right.steps == STEP_SIZE and not at.exception


def test_a_bad_setting_shows_its_message(at):
    at.number_input(key="pg_lr_g").set_value(0.5).run()
    assert any("G learning rate" in e.value for e in at.error)
    assert at.button(key="pg_step").disabled and not at.exception


def _curve_steps(at) -> list[float]:
    """The steps in the score curves' datasets the charts were sent (decoded from the Arrow bytes)."""
    import pyarrow as pa

    found = []
    for chart in at.get("vega_lite_chart"):
        for ds in chart.proto.datasets:
            if ds.name in ("divergence", "wasserstein", "coverage"):
                found.append(pa.ipc.open_stream(ds.data.data).read_all().column("step").to_pylist())
    assert len(found) == 3 and all(f == found[0] for f in found)  # every score chart reads the same rows
    return found[0]


def test_the_curves_follow_the_run_after_each_step(at):
    before = _curve_steps(at)
    at.button(key="pg_step").click().run()
    after = _curve_steps(at)
    assert max(after) == trainer(at).steps == STEP_SIZE and len(after) > len(before)
    assert _curve_steps(at.run()) == after  # a redraw with nothing trained ships the same rows
    at.button(key="pg_step").click().run()
    assert max(_curve_steps(at)) == trainer(at).steps == 2 * STEP_SIZE

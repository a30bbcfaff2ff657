"""AppTest of the xy-game page: controls, step slider, Step button, eigenvalues, bad input, Dirac-GAN tab."""
import math

import pytest

from tests import app_paths

PAGE = "lessons/3_xy_game.py"


@pytest.fixture
def at():
    return app_paths.open_lesson(PAGE)


def indicator(at) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("**Step "))


def eigen_rows(at) -> dict:
    table = next(d.value for d in at.dataframe if "largest |λ|" in d.value.columns and "method" in d.value.columns)
    return table.set_index("method")["largest |λ|"].to_dict()


def heads(at):
    return next(d.value for d in at.dataframe if "distance" in d.value.columns and "status" in d.value.columns)


def test_page_renders_field_trajectories_and_eigenvalues(at):
    assert "xy game" in at.title[0].value
    assert indicator(at).startswith("**Step 0 of 1,000")
    charts = at.get("vega_lite_chart")
    assert len(charts) >= 4  # plane, distance, two eigenvalue views (+ radius curve)
    rows = eigen_rows(at)
    assert rows["simultaneous"] == pytest.approx(math.sqrt(1 + 0.1**2), abs=1e-6)
    assert rows["alternating"] == pytest.approx(1.0, abs=1e-6)
    assert not at.error


def test_step_button_and_slider_move_the_animation(at):
    at.button(key="xy_step").click().run()
    assert not at.exception
    stride = at.slider(key="xy_at_step").value
    assert stride > 0 and indicator(at).startswith(f"**Step {stride} of")
    at.slider(key="xy_at_step").set_value(600).run()
    assert indicator(at).startswith("**Step 600 of")
    h = heads(at).set_index("method")
    assert h.loc["extragradient", "distance"] < h.loc["alternating", "distance"] < h.loc["simultaneous", "distance"]


def test_changing_eta_updates_the_eigenvalues(at):
    at.number_input(key="xy_eta").set_value(0.5).run()
    assert not at.exception
    rows = eigen_rows(at)
    assert rows["simultaneous"] == pytest.approx(math.sqrt(1.25), abs=1e-6)
    assert rows["extragradient"] == pytest.approx(math.sqrt(1 - 0.25 + 0.0625), abs=1e-6)


def test_changing_method_and_start_redraws_from_the_new_start(at):
    at.multiselect(key="xy_methods").set_value(["optimistic", "consensus"]).run()
    at.number_input(key="xy_start_0").set_value(-1.0).run()
    at.number_input(key="xy_start_1").set_value(0.5).run()
    assert not at.exception
    h = heads(at)
    assert list(h["method"]) == ["optimistic", "consensus"]
    assert list(h.iloc[0][["x", "y"]]) == [-1.0, 0.5]


def test_play_sets_the_page_running_and_pause_stops_it(at):
    at.slider(key="xy_at_step").set_value(1000).run()
    at.button(key="xy_start").click().run()
    assert at.session_state["xy_run"].running is True
    assert not at.exception
    # Play at the end replays from the start (the run itself already advanced one stride)
    assert int(indicator(at).split()[1].replace(",", "")) <= 10
    at.button(key="xy_pause").click().run()
    assert at.session_state["xy_run"].running is False


@pytest.mark.parametrize(
    "key, value, message",
    [("xy_eta", 0.0, "greater than 0"), ("xy_eta", 40.0, "at most 2"), ("xy_steps", 9_999, "cap of 5,000"),
     ("xy_start_0", 1e6, "between -100 and 100")],
)
def test_bad_input_shows_a_message_and_keeps_the_last_plots(at, key, value, message):
    at.number_input(key=key).set_value(value).run()
    assert not at.exception
    assert any(message in e.value for e in at.error)
    assert at.button(key="xy_start").disabled
    assert len(at.get("vega_lite_chart")) >= 2  # last valid settings still drawn


def test_diverging_step_size_is_drawn_not_crashed(at):
    at.number_input(key="xy_eta").set_value(1.9).run()
    at.slider(key="xy_at_step").set_value(1000).run()
    assert not at.exception
    assert heads(at).set_index("method").loc["simultaneous", "status"].startswith("diverged at step")


def test_dirac_tab_shows_which_regularisers_converge(at):
    at.session_state["xy_tab"] = "Dirac-GAN"
    at.run()
    assert not at.exception
    at.selectbox(key="dirac_reg").set_value("r1").run()
    assert not at.exception
    assert all(v < 1 for v in eigen_rows(at).values())
    summary = next(d.value for d in at.dataframe if "regulariser" in d.value.columns)
    r1 = summary[(summary["regulariser"] == "R1 gradient penalty")]
    assert set(r1["run"]) == {"converges"}
    plain = summary[(summary["regulariser"] == "none")]
    assert "converges" not in set(plain["run"])
    at.selectbox(key="dirac_reg").set_value("wgan-gp").run()
    assert not at.exception
    assert any("kink" in i.value for i in at.info)


def test_reset_while_playing_puts_slider_heading_and_table_back_at_step_zero(at):
    at.slider(key="xy_at_step").set_value(700).run()
    at.button(key="xy_start").click().run()
    assert at.session_state["xy_run"].running
    at.button(key="xy_reset").click().run()
    assert not at.session_state["xy_run"].running
    assert at.slider(key="xy_at_step").value == 0 and indicator(at).startswith("**Step 0 of")
    h = heads(at)
    assert list(h.iloc[0][["x", "y"]]) == [2.0, 2.0]  # every head back at the start


def _saddle(at):
    charts = at.get("plotly_chart")
    assert len(charts) == 1
    import json

    return json.loads(charts[0].proto.spec)


def test_the_saddle_is_drawn_in_3d_with_the_paths_up_to_the_shown_step(at):
    fig = _saddle(at)
    assert fig["data"][0]["type"] == "surface" and fig["layout"]["uirevision"]
    names = {t["name"] for t in fig["data"] if t.get("mode") == "lines"}
    assert {"simultaneous", "alternating", "extragradient", "optimistic"} <= names
    at.slider(key="xy_at_step").set_value(500).run()
    fig = _saddle(at)
    alt = next(t for t in fig["data"] if t.get("name") == "alternating" and t.get("mode") == "lines")
    run = at.session_state["xy_run"].trainer
    assert alt["x"][-1] == pytest.approx(run.bundle["tables"].heads["alternating"][500][0], abs=1e-4)
    at.toggle(key="xy_saddle_on").set_value(False).run()
    assert len(at.get("plotly_chart")) == 0



def _radius_curve(at):
    """The spectral-radius chart's data as sent (Arrow bytes): its curves and the η marked on it."""
    import pyarrow as pa

    for chart in at.get("vega_lite_chart"):
        data = {ds.name: pa.ipc.open_stream(ds.data.data).read_all().to_pandas() for ds in chart.proto.datasets}
        if "curves" in data:
            return data
    raise AssertionError("no spectral-radius chart")


def test_the_eigen_charts_built_once_per_run_follow_a_changed_step_size(at):
    first = _radius_curve(at)
    assert first["now"]["eta"].tolist() == [pytest.approx(at.session_state["xy_run"].config.eta)]
    assert _radius_curve(at.run())["curves"].equals(first["curves"])  # a rerun ships the same data
    at.number_input(key="xy_eta").set_value(0.5).run()
    assert _radius_curve(at)["now"]["eta"].tolist() == [pytest.approx(0.5)]

"""A playground run, two runs in lock-step, slow motion, the figures, and `python -m gan_core train-2d`."""
import dataclasses
import json

import numpy as np
import pytest

from gan_core.__main__ import main
from gan_core.playground import figures as F
from gan_core.playground.config import PlaygroundConfig
from gan_core.playground.data import preset
from gan_core.playground.pair import CONTRASTS, RunPair
from gan_core.playground.session import PlaygroundRun, data_for
from gan_core.playground.shapes import draw, strokes_of
from gan_core.playground.slowmo import STAGES, SlowMotion, graph_datasets
from gan_core.vega import read_arrow

SMALL = dict(g_width=16, d_width=16, batch_size=32)


def _run(**changes):
    cfg = dataclasses.replace(PlaygroundConfig(target="moons"), **{**SMALL, **changes})
    return PlaygroundRun(cfg, data_for(cfg))


def test_same_seed_same_run_and_scores():
    a, b = _run(seed=3), _run(seed=3)
    a.train(40)
    b.train(40)
    assert np.array_equal(a.samples, b.samples) and a.scores == b.scores
    c = _run(seed=4)
    c.train(40)
    assert not np.array_equal(a.samples, c.samples)


def test_scores_are_recorded_at_most_every_few_steps_and_capped():
    cfg = dataclasses.replace(PlaygroundConfig(target="moons"), **SMALL)
    run = PlaygroundRun(cfg, data_for(cfg), history_capacity=5)
    for _ in range(3):
        run.train(1)  # too close together: only the step-0 score is kept
    assert len(run.history) == 1
    for _ in range(10):
        run.train(12)
    assert len(run.history) == 5 and run.history.last("step") == run.steps


@pytest.mark.slow
def test_the_defaults_learn_a_drawn_ring():
    cfg = dataclasses.replace(PlaygroundConfig(target="drawing"), seed=1)
    run = PlaygroundRun(cfg, draw(strokes_of("O"), 200, seed=5))
    before = run.scores
    run.train(2500)  # measured: covered from about step 2,000 on (seed 1)
    assert before.coverage < 0.5 and run.scores.coverage > 0.9 and run.scores.precision > 0.9


def test_a_drawing_target_needs_points():
    with pytest.raises(ValueError):
        data_for(PlaygroundConfig(target="drawing"))


def test_pair_advances_in_lock_step_on_the_same_data():
    pair = RunPair.contrast(dataclasses.replace(PlaygroundConfig(target="ring8"), **SMALL), loss="least_squares")
    for _ in range(3):
        pair.tick(0.02)
    assert pair.left.steps == pair.right.steps >= 3
    assert pair.left.data is pair.right.data
    assert pair.right.config.loss == "least_squares" and pair.left.config.loss == "nonsaturating"
    assert np.array_equal(pair.left.eval_z, pair.right.eval_z)  # the same noise judged on both sides


@pytest.mark.parametrize("key", list(CONTRASTS))
def test_every_ready_made_contrast_is_valid(key):
    changes = CONTRASTS[key]
    assert dataclasses.replace(PlaygroundConfig(), **changes).validate() == {}


def test_slow_motion_walks_the_stages_on_one_batch():
    run = _run()
    slow = SlowMotion(run.trainer)
    seen = [slow.advance() for _ in STAGES]
    assert seen == list(STAGES)
    w = slow.walk
    n = 32 * run.config.pack  # a batch of 32 packs of m points
    assert w.real.shape == (n, 2) and w.fake.shape == (n, 2) and w.d_fake.shape == (n,)
    assert np.isfinite([w.d_loss, w.g_loss]).all() and w.walked == 1
    # G's update moved the very points shown at the G-forward stage
    assert not np.allclose(w.moved, w.fake)
    assert slow.advance() == "sample" and slow.walk.walked == 1 and slow.walk.fake is None


def test_slow_motion_finish_completes_the_step_under_way():
    slow = SlowMotion(_run().trainer)
    slow.advance()
    slow.advance()
    slow.finish()
    assert slow.stage == "g_update" and slow.walk.walked == 1


def test_model_graph_highlights_the_active_stage():
    nodes = graph_datasets("d_update")["graph_nodes"].set_index("node")["active"]
    assert nodes["D"] and nodes["loss"] and not nodes["z"]
    assert not graph_datasets("idle")["graph_nodes"]["active"].any()


def _names(spec):
    out = set()
    if isinstance(spec, dict):
        if "data" in spec and "name" in spec["data"]:
            out.add(spec["data"]["name"])
        for v in spec.values():
            out |= _names(v)
    elif isinstance(spec, list):
        for v in spec:
            out |= _names(v)
    return out


@pytest.mark.parametrize("noise_dim", [1, 2])
@pytest.mark.parametrize("loss", ["nonsaturating", "wgan_gp"])
def test_plane_spec_is_stable_and_every_dataset_it_names_is_built(noise_dim, loss):
    run = _run(noise_dim=noise_dim, loss=loss)
    views = F.Views(gradients=True)
    spec = F.plane_spec(views, noise_dim=noise_dim, d_kind=run.trainer.d_output_kind)
    before = json.dumps(spec, sort_keys=True)
    ds1 = F.plane_datasets(run, views, selected_z=np.zeros((1, noise_dim)))
    run.tick(0.02)
    ds2 = F.plane_datasets(run, views)
    assert json.dumps(F.plane_spec(views, noise_dim=noise_dim, d_kind=run.trainer.d_output_kind), sort_keys=True) == before
    assert _names(spec) == set(ds1) == set(ds2)
    assert all(isinstance(v, bytes) for v in ds1.values())  # Arrow built from NumPy, never a DataFrame
    assert len(read_arrow(ds1["landing"])) == 1 and len(read_arrow(ds2["landing"])) == 0
    assert len(read_arrow(ds1["arrows"])) == F.N_ARROWS
    assert not read_arrow(ds1["manifold"]).equals(read_arrow(ds2["manifold"]))  # G moved


def test_views_can_be_switched_off():
    run = _run()
    views = F.Views(real=False, fake=False, surface=False, manifold=False, gradients=False, landing=False)
    spec = F.plane_spec(views)
    assert _names(spec) == set() and F.plane_datasets(run, views) == {}
    only = F.Views(real=False, fake=True, surface=False, manifold=True, gradients=False, landing=False)
    assert _names(F.plane_spec(only)) == {"points", "manifold"}
    assert set(read_arrow(F.plane_datasets(run, only)["points"])["kind"]) == {F.FAKE}
    both = read_arrow(F.plane_datasets(run, F.Views())["points"])
    assert both["kind"].tolist() == [F.REAL] * min(run.data.n, F.N_REAL_DRAWN) + [F.FAKE] * F.N_FAKE_DRAWN
    assert np.allclose(both[["x", "y"]].to_numpy()[-F.N_FAKE_DRAWN:], run.samples[:F.N_FAKE_DRAWN], atol=1e-6)


def test_datasets_are_float32_with_non_finite_values_as_nulls():
    table = read_arrow(F.frame(x=np.array([0.5, np.nan, np.inf]), n=np.arange(3)))
    assert table["x"].dtype == np.float32 and table["x"].isna().tolist() == [False, True, True]
    assert table["x"][0] == 0.5 and table["n"].tolist() == [0, 1, 2]


def test_the_heat_map_ships_d_per_cell_and_the_spec_places_the_cells():
    run = _run()
    n = F.N_SURFACE
    table = read_arrow(F.plane_datasets(run, F.Views(real=False, fake=False, manifold=False, landing=False))["surface"])
    assert len(table) == n * n and table["i"].dtype == np.int8
    centre = -1 + 2 / n * (table[["i", "j"]].to_numpy() + 0.5)  # the formulas in plane_spec, by hand
    assert np.allclose(table["D"], run.trainer.discriminator(centre), atol=1e-6)
    layer = F.plane_spec(F.Views())["layer"][0]
    formulas = {t["as"]: t["calculate"] for t in layer["transform"]}
    assert formulas["x1"] == f"-1.0 + {2 / n} * (datum.i + 1)" and formulas["y0"] == f"-1.0 + {2 / n} * (datum.j)"


def test_arrows_point_down_the_loss_gradient_and_share_one_scale():
    pts = np.zeros((2, 2))
    a = F.arrows(pts, np.array([[-2.0, 0.0], [0.0, 1.0]]))
    assert np.allclose(np.stack([a["x2"], a["y2"]], 1), [[F.ARROW_LENGTH, 0], [0, -F.ARROW_LENGTH / 2]])
    assert np.allclose(a["angle"], [90, 180])


def test_curve_specs_name_their_datasets():
    run = _run()
    run.train(30)  # the losses are recorded every 25 steps
    ds = F.curve_datasets(run)
    for name, spec in F.curve_specs(is_mixture=False).items():
        assert _names(spec) == {name} <= set(ds)
        table = read_arrow(ds[name])  # the step and only the series this chart draws
        assert list(table.columns) == ["step", *F.CURVES[name][0]] and len(table) >= 1
    assert "modes" in F.curve_specs(is_mixture=True, n_modes=8) and "modes" not in F.curve_specs(is_mixture=False)
    cov = read_arrow(ds["coverage"])
    assert np.allclose(cov["coverage"], 100 * run.history.view(F.MAX_HISTORY_POINTS)["coverage"], atol=1e-4)


def test_noise_panel_datasets_match_its_spec():
    for dim in (1, 2):
        spec = F.noise_spec(dim, "gaussian")
        assert _names(spec) == set(F.noise_datasets(dim, "gaussian", np.zeros((1, dim))))


@pytest.mark.parametrize("dim, cells", [(1, 20), (2, 16)])
def test_noise_grid_cells_hold_equal_probability(dim, cells):
    from statistics import NormalDist

    grid = read_arrow(F.noise_datasets(dim, "gaussian")["noise_grid"])
    assert len(grid) == cells ** dim
    cdf = np.vectorize(NormalDist().cdf)
    widths = cdf(grid["z1_end"]) - cdf(grid["z1"])  # the same probability mass per cell along each axis
    assert np.allclose(widths, widths[0], atol=1e-6)
    if dim == 2:
        assert (grid["z2_end"] > grid["z2"]).all()


# ---------------------------------------------------------------- the command line

def _last_json(capsys) -> dict:
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def test_cli_json_on_a_preset(capsys):
    assert main(["train-2d", "--target", "ring8", "--steps", "30", "--g-width", "16", "--d-width", "16",
                 "--seed", "2", "--json"]) == 0
    r = _last_json(capsys)
    assert r["steps"] == 30 and r["modes"] == 8 and r["status"] == "ok"
    assert set(r) >= {"steps", "seconds", "kl", "js", "sliced_w", "wasserstein", "coverage", "precision",
                      "modes_captured", "high_quality", "reverse_kl"}
    assert 0 <= r["js"] <= np.log(2) and 0 <= r["coverage"] <= 1
    assert r["config"]["g_width"] == 16 and r["config"]["target"] == "ring8"


def test_cli_on_points_writes_samples_in_the_files_units(capsys, tmp_path):
    pts = draw(strokes_of("L"), 150, seed=2).points * 50 + 100  # far outside the view
    src = tmp_path / "drawing.npy"
    np.save(src, pts)
    out = tmp_path / "out" / "samples.npy"
    assert main(["train-2d", "--target", f"points:{src}", "--seconds", "0.3", "--samples-out", str(out), "--json"]) == 0
    r = _last_json(capsys)
    assert r["steps"] >= 1 and "modes" not in r and r["fitted"]["scale"] < 0.1
    samples = np.load(out)
    assert samples.shape == (20_000, 2) and samples.dtype == np.float64
    assert 40 < np.median(samples[:, 0]) < 160  # back in the file's units


@pytest.mark.parametrize("argv, key", [
    (["--target", "nowhere"], "target"),
    (["--target", "points:/no/such/file.npy"], "target"),
    (["--steps", "-1"], "steps"),
    (["--seconds", "0"], "seconds"),
    (["--lr-g", "0"], "lr_g"),
    (["--noise-dim", "3"], "noise_dim"),
    (["--loss", "hinge"], "loss"),
    (["--samples-out", "out.txt"], "samples_out"),
])
def test_cli_bad_input_exits_2_with_a_message(capsys, argv, key):
    assert main(["train-2d", *argv, "--json"]) == 2
    r = _last_json(capsys)
    assert r["status"] == "invalid" and key in r["errors"]


def test_cli_points_file_with_nan_is_refused(capsys, tmp_path):
    src = tmp_path / "bad.npy"
    np.save(src, np.array([[0.0, 0.0], [np.nan, 1.0], [1, 1], [2, 2], [3, 3]]))
    assert main(["train-2d", "--target", f"points:{src}", "--json"]) == 2
    assert "not finite" in _last_json(capsys)["errors"]["target"]


def test_preset_points_are_in_the_view_for_the_cli():
    assert np.abs(preset("spiral").points).max() < 1


def test_a_drawing_travels_in_the_config_and_gets_checked():
    from gan_core.playground.data import encode_points

    pts = draw(strokes_of("T"), 120, seed=4).points
    cfg = dataclasses.replace(PlaygroundConfig(target="drawing", drawing=encode_points(pts)), **SMALL)
    assert cfg.validate() == {}
    run = PlaygroundRun(cfg, data_for(cfg))
    assert run.data.n == 120 and run.data.name == "link"
    assert "Draw some points" in PlaygroundConfig(target="drawing").validate()["drawing"]
    assert "damaged" in PlaygroundConfig(target="drawing", drawing="%%%").validate()["drawing"]
    assert PlaygroundConfig(target="ring8", drawing="").validate() == {}  # only checked when it is used


def test_build_run_makes_a_pair_when_asked_and_the_pair_behaves_like_a_run():
    from gan_core.playground.pair import build_run

    cfg = dataclasses.replace(PlaygroundConfig(target="moons", compare="d_steps"), **SMALL)
    pair = build_run(cfg)
    assert isinstance(pair, RunPair) and pair.right.config.d_steps == 5 and pair.right.config.compare == "none"
    assert pair.step(3) == 3 and pair.steps == 3 and pair.status == "ok" and pair.message == ""
    assert isinstance(build_run(dataclasses.replace(cfg, compare="none")), PlaygroundRun)


def test_drawing_board_datasets_match_its_spec():
    spec = F.drawing_spec()
    ds = F.drawing_datasets(np.array([[0.1, 0.2], [0.3, -0.4]]))
    assert _names(spec) == set(ds) and len(read_arrow(ds["drawn"])) == 2
    canvas = spec["layer"][1]  # generated in the browser: 81 × 81 points, -1 … 1 in steps of 0.025
    assert canvas["data"] == {"sequence": {"start": 0, "stop": 81 * 81, "as": "i"}}
    assert [t["calculate"] for t in canvas["transform"]] == [
        "round((-1.0 + 0.025 * (datum.i % 81)) * 1e6) / 1e6", "round((-1.0 + 0.025 * floor(datum.i / 81)) * 1e6) / 1e6"]
    line = F.grid_data(2.0, 0.5, dims=1)
    assert line["data"]["sequence"]["stop"] == 9 and line["transform"][1]["calculate"] == "0"



def test_with_datasets_ships_only_what_the_spec_reads():
    spec = F.curve_specs(is_mixture=False)["coverage"]
    out = F.with_datasets(spec, {"coverage": b"c", "losses": b"l"})
    assert out["datasets"] == {"coverage": b"c"} and "datasets" not in spec
    plane = F.plane_spec(F.Views(gradients=True))
    assert F.dataset_names(plane) == {"surface", "manifold", "points", "arrows", "landing"}


@pytest.mark.parametrize("dim", [1, 2])
def test_the_noise_grid_is_built_once_and_the_selection_fresh(dim):
    z = np.full((1, dim), 0.25)
    live = F.noise_datasets(dim, "gaussian", z)
    assert F.noise_datasets(dim, "gaussian")["noise_grid"] is live["noise_grid"]  # built once
    assert read_arrow(live["noise_selected"])["z1"].tolist() == [0.25]
    assert len(read_arrow(F.noise_datasets(dim, "gaussian")["noise_selected"])) == 0
    assert F.noise_datasets(dim, "uniform")["noise_grid"] != live["noise_grid"]  # another noise, another grid
    canvas = F.noise_spec(dim, "gaussian")["layer"][-1]  # the click canvas spans the noise's extent
    e = F.noise_extent("gaussian")
    assert canvas["data"]["sequence"]["stop"] == (F.NOISE_CANVAS_CELLS + 1) ** dim
    assert canvas["transform"][0]["calculate"].startswith(f"round(({-e} + ")
    assert canvas["encoding"]["y"]["field"] == "y"


def test_all_curves_are_one_chart_three_a_row_each_on_its_own_dataset():
    run = _run()
    run.train(30)
    chart = F.curves_chart(is_mixture=False)
    names = set(F.curve_specs(is_mixture=False))
    assert chart["columns"] == 3 and len(chart["concat"]) == len(names) == 4
    assert F.dataset_names(chart) == names and {"modes", "quality"} <= F.dataset_names(F.curves_chart(True, 8))
    before = json.dumps(chart, sort_keys=True)
    shipped = F.with_datasets(chart, F.curve_datasets(run))
    assert set(shipped["datasets"]) == names and json.dumps(chart, sort_keys=True) == before  # cached spec untouched
    assert all(part["width"] == F.CURVE_WIDTH for part in chart["concat"])

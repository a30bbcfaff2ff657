"""Figures for the games page: finite data even for diverging runs, a spec that stays put between steps."""
import json

import numpy as np
import pytest

from gan_core.games import make_game, simulate
from gan_core.games.analysis import analyse
from gan_core.games.figures import (
    TrajectoryTables,
    arrow_grid,
    distance_spec,
    eigen_spec,
    exits_at,
    plane_spec,
    view_extent,
)

METHODS = ("simultaneous", "alternating", "extragradient", "optimistic")


def build(eta=0.1, steps=1000, start=(2.0, 2.0)):
    game = make_game("xy")
    trajs = {m: simulate(game, m, eta, steps, start) for m in METHODS}
    extent = view_extent(start)
    return game, TrajectoryTables.build(trajs, extent), arrow_grid(game, extent)


def without_data(spec: dict) -> str:
    return json.dumps({k: v for k, v in spec.items() if k != "datasets"}, sort_keys=True)


def test_spec_is_identical_between_steps_only_the_data_moves():
    game, tables, arrows = build()
    a, b = plane_spec(tables, arrows, 10, (2, 2), game.axis_labels), plane_spec(tables, arrows, 700, (2, 2), game.axis_labels)
    assert without_data(a) == without_data(b)
    assert without_data(distance_spec(tables, 3)) == without_data(distance_spec(tables, 999))
    assert a["datasets"]["cursor"]["now"].item() == 10 and b["datasets"]["cursor"]["now"].item() == 700


def test_diverging_runs_are_clipped_for_drawing_never_infinite():
    game, tables, arrows = build(eta=1.9, steps=2000)
    assert tables.diverged_at["simultaneous"] is not None
    spec = plane_spec(tables, arrows, 2000, (2, 2), game.axis_labels)
    for name, df in spec["datasets"].items():
        numeric = df.select_dtypes("number").to_numpy(dtype=float)
        assert np.all(np.isfinite(numeric)), name
    limit = 20 * tables.extent
    assert tables.paths[["x", "y"]].abs().to_numpy().max() <= limit
    heads = tables.heads_at(2000)
    assert "diverged at step" in heads.loc[heads.method == "simultaneous", "status"].item()


def test_heads_follow_the_trajectory_and_paths_are_cut_at_the_step():
    game, tables, arrows = build()
    traj = simulate(game, "extragradient", 0.1, 1000, (2.0, 2.0))
    heads = tables.heads_at(250).set_index("method")
    np.testing.assert_allclose(heads.loc["extragradient", ["x", "y"]].to_numpy(dtype=float), traj.points[250])
    assert tables.visible_paths(250)["step"].max() == 250


def test_arrows_point_along_the_flow():
    game = make_game("xy")
    arrows = arrow_grid(game, 3.0, n=5)
    flow = -game.field(arrows[["x", "y"]].to_numpy(dtype=float))
    shaft = arrows[["x2", "y2"]].to_numpy(dtype=float) - arrows[["x", "y"]].to_numpy(dtype=float)
    cos = np.sum(flow * shaft, axis=1) / (np.linalg.norm(flow, axis=1) * np.linalg.norm(shaft, axis=1))
    np.testing.assert_allclose(cos, 1.0, atol=1e-5)


def test_eigen_figure_carries_every_eigenvalue_and_the_unit_circle():
    game = make_game("xy")
    analyses = {m: analyse(game, m, 0.3) for m in METHODS}
    spec = eigen_spec(analyses)
    eig = spec["datasets"]["eigenvalues"]
    assert len(eig) == 2 + 2 + 2 + 4  # optimistic acts on (z_t, z_{t-1})
    np.testing.assert_allclose(np.hypot(spec["datasets"]["circle"]["re"], spec["datasets"]["circle"]["im"]), 1.0)


def test_a_path_that_leaves_the_plane_gets_an_edge_marker_saying_where_and_how_far():
    game, tables, arrows = build()  # simultaneous spirals out of the ±3 square within ~100 steps
    e = tables.extent
    assert len(exits_at(tables, 0)) == 0
    spec = plane_spec(tables, arrows, 1000, (2, 2), game.axis_labels)
    exits = spec["datasets"]["exits"]
    assert list(exits["method"]) == ["simultaneous"]  # the others stay inside
    x, y = float(exits["x"].iloc[0]), float(exits["y"].iloc[0])
    head = tables.heads["simultaneous"][1000]
    assert max(abs(x), abs(y)) == np.float64(e)  # on the square's edge ...
    assert np.isclose(np.arctan2(y, x), np.arctan2(head[1], head[0]))  # ... in the direction it went
    assert f"distance {head[2]:.3g}" in exits["label"].iloc[0]
    assert abs(exits["label_x"].iloc[0]) <= e and abs(exits["label_y"].iloc[0]) <= e
    assert any(layer.get("data", {}).get("name") == "exits" for layer in spec["layer"])
    # the spec itself does not change while the marker appears: only the data moves
    assert without_data(spec) == without_data(plane_spec(tables, arrows, 5, (2, 2), game.axis_labels))


def test_clip_path_to_square_inserts_edge_crossings_and_gaps():
    from gan_core.games.figures import clip_path_to_square

    x, y = clip_path_to_square(np.array([[0, 0], [2, 0], [5, 0], [6, 1], [2, 1], [0, 0]], float), 3.0)
    assert np.allclose(x[:3], [0, 2, 3]) and np.isnan(x[3]) and np.isnan(y[3])
    assert np.allclose(x[4:], [3, 2, 0]) and np.allclose(y[4:], [1, 1, 0])  # back in along (6,1)→(2,1) at x = 3
    assert np.nanmax(np.abs(x)) <= 3 and np.nanmax(np.abs(y)) <= 3


def test_saddle_figure_is_a_valid_rotatable_plotly_figure_with_paths_on_the_surface():
    import plotly.graph_objects as go

    from gan_core.games.figures import saddle_figure

    game, tables, _ = build()
    fig = saddle_figure(tables, 400, game.value, game.axis_labels)
    go.Figure(fig)  # plotly's own schema check
    surface = fig["data"][0]
    assert surface["type"] == "surface"
    grid = np.array(surface["x"])
    assert np.allclose(np.array(surface["z"]), np.outer(grid, grid).T)  # V(x, y) = x·y, rows are y
    lines = {t["name"]: t for t in fig["data"] if t["type"] == "scatter3d" and t["mode"] == "lines"}
    assert set(lines) == set(METHODS)
    for t in lines.values():
        px, py, pz = (np.array([np.nan if v is None else v for v in t[k]], float) for k in "xyz")
        ok = np.isfinite(px)
        assert np.nanmax(np.abs(px)) <= tables.extent + 1e-9 and np.nanmax(np.abs(py)) <= tables.extent + 1e-9
        assert np.all(pz[ok] >= px[ok] * py[ok])  # drawn on (just above) the surface
    assert fig["layout"]["uirevision"]  # the viewer's rotation survives redraws
    alt = lines["alternating"]
    assert alt["x"][-1] == pytest.approx(tables.heads["alternating"][400][0], abs=1e-4)  # ends at the current step


def _decode(data: bytes):
    import pyarrow as pa

    return pa.ipc.open_stream(data).read_all().to_pandas()


def test_arrow_datasets_carry_the_same_data_and_the_static_ones_are_built_once():
    """What a playing page sends (as_arrow) is what the plain spec holds: same rows, paths within 1/10 px."""
    from gan_core.games.figures import FIELD_SIZE, PATH_QUANT

    game, tables, arrows = build(eta=1.9, steps=2000)  # a diverging run too
    plain = plane_spec(tables, arrows, 700, (2, 2), game.axis_labels)
    fast = plane_spec(tables, arrows, 700, (2, 2), game.axis_labels, as_arrow=True)
    assert without_data(plain) == without_data(fast)
    for name in ("cursor", "marks", "heads", "exits", "arrows"):
        a, b = plain["datasets"][name], _decode(fast["datasets"][name])
        assert list(a.columns) == list(b.columns), name
        np.testing.assert_allclose(a.select_dtypes("number").to_numpy(float), b.select_dtypes("number").to_numpy(float),
                                   rtol=1e-6, err_msg=name)
    paths = _decode(fast["datasets"]["paths"])
    unq = tables.clamp / PATH_QUANT
    drawn = paths[["qx", "qy"]].to_numpy(float) * unq
    px_per_unit = FIELD_SIZE / (2 * tables.extent)
    assert np.max(np.abs(drawn - tables.paths[["x", "y"]].to_numpy(float))) * px_per_unit < 0.1
    # the spec turns the levels back into x, y before drawing
    assert any(t.get("calculate") == f"datum.qx * {unq!r}" for layer in fast["layer"] for t in layer.get("transform", []))
    # fixed for the setting: the very same bytes at every step
    later = plane_spec(tables, arrows, 900, (2, 2), game.axis_labels, as_arrow=True)
    for name in ("paths", "arrows", "marks"):
        assert later["datasets"][name] is fast["datasets"][name]
    assert distance_spec(tables, 5, as_arrow=True)["datasets"]["distances"] is distance_spec(tables, 9, as_arrow=True)["datasets"]["distances"]
    # the heads the table shows are the heads the plane draws
    table = tables.heads_table(700).to_pandas()
    np.testing.assert_allclose(table[["x", "y"]].to_numpy(float), plain["datasets"]["heads"][["x", "y"]].to_numpy(float))


def test_saddle_paths_are_decimated_the_same_way_at_every_step():
    from gan_core.games.figures import MAX_SADDLE_POINTS, saddle_figure

    game, tables, _ = build(steps=3000)
    early, late = (saddle_figure(tables, k, game.value) for k in (1200, 3000))
    for a, b in zip(early["data"], late["data"]):
        if a.get("mode") == "lines":
            assert len(b["x"]) <= MAX_SADDLE_POINTS + 8  # + edge crossings and gaps
            # the early path is a prefix of the late one (points do not shimmer while playing)
            n = len(a["x"]) - 1  # its last point is the head at step 1200
            assert a["x"][:n - 2] == b["x"][:n - 2]


def _arrow(data: bytes):
    import pyarrow as pa

    return pa.ipc.open_stream(data).read_all().to_pandas()


def test_a_frames_small_datasets_are_built_once_per_step_and_follow_the_step():
    game, tables, arrows = build()
    start, labels = (2, 2), game.axis_labels
    plane = plane_spec(tables, arrows, 40, start, labels, as_arrow=True)["datasets"]
    again = plane_spec(tables, arrows, 40, start, labels, as_arrow=True)["datasets"]
    distance = distance_spec(tables, 40, as_arrow=True)["datasets"]
    assert all(again[k] is plane[k] for k in plane)  # a paused animation's redraw rebuilds nothing
    assert distance["now_points"] is plane["heads"] and distance["now_step"] is plane["cursor"]
    moved = plane_spec(tables, arrows, 41, start, labels, as_arrow=True)["datasets"]
    assert moved["heads"] != plane["heads"] and moved["arrows"] is plane["arrows"]
    assert _arrow(moved["cursor"])["now"].tolist() == [41]
    heads = _arrow(moved["heads"]).set_index("method")
    expected = tables.heads_at(41).set_index("method")
    assert np.allclose(heads[["x", "y", "distance"]].to_numpy(), expected[["x", "y", "distance"]].to_numpy())
    assert (heads["step"] == 41).all()
    other_start = plane_spec(tables, arrows, 41, (1, -1), labels, as_arrow=True)["datasets"]
    assert _arrow(other_start["marks"])["label"][0] == "start (1, -1)"  # the marks follow the start


def test_the_saddles_surface_is_built_once_and_its_paths_follow_the_step():
    from gan_core.games.figures import saddle_figure

    game, tables, _ = build()
    early, late = saddle_figure(tables, 100, game.value), saddle_figure(tables, 900, game.value)
    assert early["data"][0] is late["data"][0] and early["data"][0]["type"] == "surface"
    assert early["layout"]["scene"]["zaxis"]["range"] == late["layout"]["scene"]["zaxis"]["range"]
    path = lambda fig: [t for t in fig["data"] if t["name"] == "extragradient"][0]  # noqa: E731
    assert len(path(late)["x"]) > len(path(early)["x"])

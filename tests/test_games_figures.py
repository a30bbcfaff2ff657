"""Figures for the games page: finite data even for diverging runs, a spec that stays put between steps."""
import json

import numpy as np

from gan_core.games import make_game, simulate
from gan_core.games.analysis import analyse
from gan_core.games.figures import (
    TrajectoryTables,
    arrow_grid,
    distance_spec,
    eigen_spec,
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

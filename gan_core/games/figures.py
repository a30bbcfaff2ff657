"""Vega-Lite figures for the games page: vector field + trajectories, distance vs step, eigenvalues.

Data that changes per redraw (the visible part of each trajectory, the current step) lives in small
named datasets; everything expensive (trajectories, the arrow grid, long-form tables) is computed once
per setting in `TrajectoryTables` and only sliced per redraw, so a slider move costs a mask and a few
small DataFrames.

While an animation plays every frame re-sends each chart whole (Streamlit has no partial update), so the
per-frame cost is kept low: the static datasets are serialised to Arrow once per setting (`as_arrow=True`;
Streamlit passes bytes through), the plane's paths travel as int16 (7 bytes a point instead of 13), the
distance lines are decimated to what a ~450 px chart shows, and the 3-D saddle is a cached plain dict.
"""
from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from gan_core.games.analysis import LocalAnalysis
from gan_core.games.fields import Game
from gan_core.games.rules import METHOD_LABELS, Trajectory
from gan_core.vega import table_bytes

METHOD_DASHES = {
    "simultaneous": [1, 0],
    "alternating": [1, 0],
    "extragradient": [1, 0],
    "optimistic": [6, 4],
    "consensus": [2, 3],
}
METHOD_COLORS = {
    "simultaneous": "#d62728",
    "alternating": "#ff7f0e",
    "extragradient": "#2ca02c",
    "optimistic": "#1f77b4",
    "consensus": "#9467bd",
}
DISTANCE_FLOOR = 1e-8  # log-scale plots draw anything closer to the equilibrium at this height
MAX_LINE_POINTS = 300  # per method on the distance chart (~450 px wide): more is invisible at this size
MAX_PATH_POINTS = 1000  # per method on the plane (enough for 16 smooth turns of a 1,000-step orbit)
FIELD_SIZE = 470  # the plane is drawn square so arrow heads point the right way
PATH_QUANT = 32767  # the plane's paths as int16: ±clamp in 65,535 levels (0.002 units on a ±3 square)


def view_extent(start: Sequence[float]) -> float:
    """Half-width of the drawn square: the start point well inside, never smaller than 3."""
    reach = max(abs(float(start[0])), abs(float(start[1])))
    return float(np.ceil(max(3.0, 1.5 * reach)))


def _color(methods: Sequence[str], legend: str | None = "bottom") -> dict:
    # a legend that wraps to a second row eats the fixed plot height in Streamlit: one row or the side
    labels = [METHOD_LABELS[m] for m in methods]
    return {
        "field": "method",
        "type": "nominal",
        "title": None,
        "scale": {"domain": labels, "range": [METHOD_COLORS[m] for m in methods]},
        "legend": None if legend is None else {
            "orient": legend, "direction": "horizontal" if legend in ("top", "bottom") else "vertical",
            "labelFontSize": 12, "symbolOpacity": 1, "symbolType": "circle", "title": None,
        },
    }


def arrow_ipc(frame: "pd.DataFrame | pa.Table") -> bytes:
    """A table as Arrow IPC stream bytes, as Streamlit would serialise it (it ships bytes as they are):
    once per setting for the static datasets; the small per-frame ones are built as Arrow directly, which
    skips pandas' conversion (~0.4 ms a dataset, eight of them a frame)."""
    return table_bytes(frame if isinstance(frame, pa.Table) else pa.Table.from_pandas(frame))


def _decimate_index(n: int, max_points: int) -> np.ndarray:
    if n <= max_points:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, max_points).round().astype(int))


def arrow_grid(game: Game, extent: float, n: int = 17) -> pd.DataFrame:
    """Arrows of the flow -F over an n x n grid: shaft from (x, y) to (x2, y2), head angle in degrees."""
    axis = np.linspace(-extent, extent, n)
    gx, gy = np.meshgrid(axis, axis)
    z = np.stack([gx.ravel(), gy.ravel()], axis=-1)
    with np.errstate(all="ignore"):
        flow = -game.field(z)
    mag = np.hypot(flow[:, 0], flow[:, 1])
    top = np.nanmax(mag) if np.any(mag > 0) else 1.0
    spacing = axis[1] - axis[0]
    # length grows with the speed (square root keeps slow regions readable); direction is exact
    length = 0.85 * spacing * np.clip(np.sqrt(mag / top), 0.3, 1.0)
    unit = np.divide(flow, mag[:, None], out=np.zeros_like(flow), where=mag[:, None] > 0)
    x2 = z[:, 0] + unit[:, 0] * length
    y2 = z[:, 1] + unit[:, 1] * length
    angle = np.degrees(np.arctan2(unit[:, 0], unit[:, 1])) % 360.0  # clockwise from "up", as Vega rotates
    keep = mag > 0
    cols = {"x": z[keep, 0], "y": z[keep, 1], "x2": x2[keep], "y2": y2[keep], "angle": angle[keep], "speed": mag[keep]}
    return pd.DataFrame({k: v.astype(np.float32) for k, v in cols.items()})


def click_layer(extent: float, n: int = 33) -> dict:
    """Invisible n x n grid generated inside Vega (no data shipped); a click selects the nearest point,
    which the page turns into the new start."""
    step = 2 * extent / (n - 1)
    return {
        "data": {"sequence": {"start": 0, "stop": n * n, "as": "i"}},
        "transform": [
            {"calculate": f"round(({-extent} + (datum.i % {n}) * {step}) * 1000) / 1000", "as": "px"},
            {"calculate": f"round(({-extent} + floor(datum.i / {n}) * {step}) * 1000) / 1000", "as": "py"},
        ],
        "params": [{"name": "pick", "select": {"type": "point", "on": "click", "nearest": True, "fields": ["px", "py"], "clear": False}}],
        "mark": {"type": "point", "opacity": 0, "size": 10},
    }


@dataclass
class TrajectoryTables:
    """Long-form tables of several methods' trajectories, built once per setting.

    The drawn paths are sent whole on every redraw and cut at the current step inside Vega (a one-row
    `cursor` dataset is joined in), so a redraw ships one copy of each path, not a growing and a full one.
    Columns are float32 and the method a categorical: a redraw's payload stays small at 10 ticks/s.
    """

    methods: tuple[str, ...]
    steps: int
    extent: float
    paths: pd.DataFrame  # method, step, x, y (clamped for drawing); decimated
    heads: dict[str, np.ndarray]  # method -> (steps+1, 3): x, y, distance per step (held after divergence)
    diverged_at: dict[str, int | None]
    distances: pd.DataFrame  # method, step, distance (floored); decimated

    @classmethod
    def build(cls, trajectories: Mapping[str, Trajectory], extent: float) -> "TrajectoryTables":
        methods = tuple(trajectories)
        steps = len(next(iter(trajectories.values())).points) - 1 if methods else 0
        clamp = 20.0 * extent  # beyond the drawn square: keeps line directions right, numbers sane
        labels = [METHOD_LABELS[m] for m in methods]
        path_parts, dist_parts, heads, diverged = [], [], {}, {}
        for m, traj in trajectories.items():
            pts = traj.points
            dist = np.linalg.norm(pts, axis=1)
            last = traj.last_finite_index
            heads[m] = np.column_stack([np.clip(pts[:, 0], -clamp, clamp), np.clip(pts[:, 1], -clamp, clamp), dist])
            # hold the last finite point so a diverged run's marker stays where it left the plot
            if last < steps:
                heads[m][last + 1 :] = heads[m][last]
            diverged[m] = traj.diverged_at
            idx = _decimate_index(last + 1, MAX_PATH_POINTS)
            path_parts.append(pd.DataFrame({
                "method": METHOD_LABELS[m],
                "step": idx.astype(np.int32),
                "x": np.clip(pts[idx, 0], -clamp, clamp).astype(np.float32),
                "y": np.clip(pts[idx, 1], -clamp, clamp).astype(np.float32),
            }))
            didx = _decimate_index(last + 1, MAX_LINE_POINTS)
            dist_parts.append(pd.DataFrame({
                "method": METHOD_LABELS[m],
                "step": didx.astype(np.int16 if steps <= 32767 else np.int32),
                "distance": np.maximum(dist[didx], DISTANCE_FLOOR).astype(np.float32),
            }))
        paths = pd.concat(path_parts, ignore_index=True) if path_parts else pd.DataFrame({"method": [], "step": [], "x": [], "y": []})
        distances = pd.concat(dist_parts, ignore_index=True) if dist_parts else pd.DataFrame({"method": [], "step": [], "distance": []})
        paths["method"] = pd.Categorical(paths["method"], categories=labels)
        distances["method"] = pd.Categorical(distances["method"], categories=labels)
        return cls(methods, steps, extent, paths, heads, diverged, distances)

    @property
    def clamp(self) -> float:
        return 20.0 * self.extent

    def drawing_paths(self) -> pd.DataFrame:
        """`paths` for the plane: x, y as int16 levels of ±clamp (`qx`, `qy`; the spec scales them back),
        step as int16; cached. Half the bytes of float32, far below a pixel."""
        cache = self.__dict__.setdefault("_cache", {})
        if "drawing_paths" not in cache:
            q = PATH_QUANT / self.clamp
            cache["drawing_paths"] = pd.DataFrame({
                "method": self.paths["method"],
                "step": self.paths["step"].astype(np.int16 if self.steps <= 32767 else np.int32),
                "qx": np.round(self.paths["x"].to_numpy(dtype=float) * q).clip(-PATH_QUANT, PATH_QUANT).astype(np.int16),
                "qy": np.round(self.paths["y"].to_numpy(dtype=float) * q).clip(-PATH_QUANT, PATH_QUANT).astype(np.int16),
            })
        return cache["drawing_paths"]

    def arrow_once(self, name: str, frame: pd.DataFrame) -> bytes:
        """Arrow bytes of a dataset that is fixed for this setting (paths, distances, the arrow grid)."""
        cache = self.__dict__.setdefault("_cache", {})
        if ("arrow", name) not in cache:
            cache[("arrow", name)] = arrow_ipc(frame)
        return cache[("arrow", name)]

    def path_arrays(self, method: str) -> tuple[np.ndarray, np.ndarray]:
        """One method's drawn path as (steps, (n, 2) float64 points), sorted by step; cached per method."""
        cache = self.__dict__.setdefault("_path_cache", {})
        if method not in cache:
            rows = self.paths[(self.paths["method"] == METHOD_LABELS[method]).to_numpy()]
            cache[method] = (rows["step"].to_numpy(), rows[["x", "y"]].to_numpy(dtype=float))
        return cache[method]

    def visible_paths(self, step: int) -> pd.DataFrame:
        """The part of each path up to `step` (what the plane shows; Vega does the same cut itself)."""
        return self.paths[self.paths["step"].to_numpy() <= step]

    def heads_at(self, step: int) -> pd.DataFrame:
        """The current point of each method (the plane, the distance chart and the table all draw it)."""
        step = int(np.clip(step, 0, self.steps))
        cache = self.__dict__.setdefault("_heads", {})
        if step not in cache:
            if len(cache) > 8:
                cache.clear()
            cache[step] = self._heads_at(step)
        return cache[step].copy()

    def heads_arrow(self, step: int) -> bytes:
        """`heads_at` as Arrow bytes, without pandas (drawn twice a frame: built once per step)."""
        return self.per_step("heads", step, lambda k: _rows_arrow(self._head_rows(k), HEAD_COLUMNS))

    def per_step(self, name: str, step: int, build) -> bytes:
        """`build(step)` for the shown step, cached until the step changes: the plane and the distance chart
        share the frame's small datasets, and a paused animation's redraws rebuild nothing."""
        step = int(np.clip(step, 0, self.steps))
        cache = self.__dict__.setdefault("_per_step", {})
        hit = cache.get(name)
        if hit is None or hit[0] != step:
            hit = cache[name] = (step, build(step))
        return hit[1]

    def heads_table(self, step: int, x_name: str = "x", y_name: str = "y") -> pa.Table:
        """The page's table of current points (method, x, y, distance, status) as Arrow, without pandas."""
        rows = self._head_rows(int(np.clip(step, 0, self.steps)))
        return pa.table({"method": [r[0] for r in rows], x_name: [r[2] for r in rows], y_name: [r[3] for r in rows],
                         "distance": [r[4] for r in rows], "status": [r[6] for r in rows]})

    def _heads_at(self, step: int) -> pd.DataFrame:
        return pd.DataFrame(self._head_rows(step), columns=HEAD_COLUMNS)

    def _head_rows(self, step: int) -> list[tuple]:
        rows = []
        for m in self.methods:
            x, y, d = self.heads[m][step]
            div = self.diverged_at[m]
            status = f"diverged at step {div}" if div is not None and step >= div else ""
            rows.append((METHOD_LABELS[m], step, float(x), float(y), float(d), float(max(d, DISTANCE_FLOOR)), status))
        return rows


HEAD_COLUMNS = ["method", "step", "x", "y", "distance", "distance_drawn", "status"]
EXIT_COLUMNS = ["method", "x", "y", "angle", "label", "label_x", "label_y"]


def exits_at(tables: "TrajectoryTables", step: int) -> pd.DataFrame:
    frame = pd.DataFrame(_exit_rows(tables, step), columns=EXIT_COLUMNS)
    frame["method"] = pd.Categorical(frame["method"], categories=[METHOD_LABELS[m] for m in tables.methods])
    return frame


_EMPTY: dict[tuple[str, ...], bytes] = {}


def _rows_arrow(rows: list[tuple], columns: Sequence[str]) -> bytes:
    if rows:
        return arrow_ipc(pa.table({c: [r[i] for r in rows] for i, c in enumerate(columns)}))
    key = tuple(columns)
    if key not in _EMPTY:  # no path off the plot is the usual frame: the same bytes every time
        _EMPTY[key] = arrow_ipc(pa.table({c: pa.array([], pa.string() if c in ("method", "label", "status")
                                                      else pa.float64()) for c in columns}))
    return _EMPTY[key]


def _exit_rows(tables: "TrajectoryTables", step: int) -> list[tuple]:
    """For each path whose current point lies outside the drawn square: where it left, as a marker on the
    square's edge in the direction of the point (radial projection), an outward angle (degrees clockwise
    from "up", as Vega rotates) and a label saying how far off it is."""
    step = int(np.clip(step, 0, tables.steps))
    e = tables.extent
    rows = []
    for m in tables.methods:
        x, y, d = tables.heads[m][step]
        reach = max(abs(x), abs(y))
        if not reach > e:
            continue
        ex, ey = x * e / reach, y * e / reach
        angle = float(np.degrees(np.arctan2(x, y)) % 360.0)
        div = tables.diverged_at[m]
        where = f"diverged at step {div}" if div is not None and step >= div else f"distance {d:.3g}"
        # label just inside the edge, shifted towards the middle so it never leaves the plot
        lx, ly = ex - np.sign(ex) * 0.04 * e, ey - (np.sign(ey) or 1.0) * 0.12 * e
        rows.append((METHOD_LABELS[m], float(ex), float(ey), angle, f"{METHOD_LABELS[m]} off the plot: {where}",
                     float(lx), float(ly)))
    return rows


def _cursor(step: int, as_arrow: bool = False) -> "pd.DataFrame | bytes":
    if as_arrow:
        return arrow_ipc(pa.table({"one": [1], "now": [int(step)]}))
    return pd.DataFrame({"one": [1], "now": [int(step)]})


def _cursor_arrow(tables: "TrajectoryTables", step: int) -> bytes:
    """The cursor of the step as given (not clipped: a step past the end shows the whole path), per step."""
    cache = tables.__dict__.setdefault("_per_step", {})
    hit = cache.get("cursor")
    if hit is None or hit[0] != int(step):
        hit = cache["cursor"] = (int(step), _cursor(step, True))
    return hit[1]


def plane_spec(tables: TrajectoryTables, arrows: pd.DataFrame, step: int, start: Sequence[float],
               axis_labels: Sequence[str], **options) -> dict:
    """The plane: flow arrows, each method's path up to `step`, its current point, start and equilibrium.
    `options` as `plane_parts` (`as_arrow`: the datasets as Arrow bytes, for a page that redraws every frame)."""
    spec, datasets = plane_parts(tables, arrows, step, start, axis_labels, **options)
    return {**spec, "datasets": datasets}


def plane_parts(
    tables: TrajectoryTables,
    arrows: pd.DataFrame,
    step: int,
    start: Sequence[float],
    axis_labels: Sequence[str],
    *,
    show_future: bool = True,
    equilibrium_label: str = "Nash equilibrium (0, 0)",
    size: int = FIELD_SIZE,
    legend: str = "bottom",
    as_arrow: bool = False,
    autosize: dict | None = None,
) -> tuple[dict, dict]:
    """`plane_spec` as (the spec without its data, the datasets). The spec depends only on the settings, so
    it is built once per setting and the same object comes back (a live page then sends only new data:
    ui/charts.vega_chart); the caller must not mutate it."""
    key = ("plane", id(arrows), tuple(axis_labels), bool(show_future), int(size), legend,
           json.dumps(autosize, sort_keys=True))
    cache = tables.__dict__.setdefault("_specs", {})
    if key not in cache:
        if len(cache) > 16:
            cache.clear()
        cache[key] = _plane_layout(tables, arrows, axis_labels, show_future, size, legend, autosize)
    marks_key = ("marks", float(start[0]), float(start[1]), equilibrium_label)
    cached_marks = tables.__dict__.setdefault("_cache", {}).get(("arrow", marks_key))
    marks = None if as_arrow and cached_marks is not None else pd.DataFrame({
        "x": [float(start[0]), 0.0], "y": [float(start[1]), 0.0],
        "shape": ["start", "equilibrium"],
        "label": [f"start ({float(start[0]):g}, {float(start[1]):g})", equilibrium_label],
    })
    datasets = {
        "arrows": tables.arrow_once("arrows", arrows) if as_arrow else arrows,
        "paths": tables.arrow_once("paths", tables.drawing_paths()) if as_arrow else tables.drawing_paths(),
        "cursor": _cursor_arrow(tables, step) if as_arrow else _cursor(step),
        "marks": tables.arrow_once(marks_key, marks) if as_arrow else marks,
        "heads": tables.heads_arrow(step) if as_arrow else tables.heads_at(step),
        "exits": (tables.per_step("exits", step, lambda k: _rows_arrow(_exit_rows(tables, k), EXIT_COLUMNS))
                  if as_arrow else exits_at(tables, step)),
    }
    return cache[key], datasets


def _plane_layout(tables: TrajectoryTables, arrows: pd.DataFrame, axis_labels: Sequence[str], show_future: bool,
                  size: int, legend: str, autosize: dict | None) -> dict:
    e = tables.extent
    scale = {"domain": [-e, e], "nice": False, "zero": False}
    x_enc = {"field": "x", "type": "quantitative", "scale": scale, "title": axis_labels[0]}
    y_enc = {"field": "y", "type": "quantitative", "scale": scale, "title": axis_labels[1]}
    color = _color(tables.methods, legend=legend)
    # optimistic and extragradient paths nearly coincide on xy: a dash keeps both visible
    dash = {"field": "method", "type": "nominal", "legend": None,
            "scale": {"domain": color["scale"]["domain"], "range": [METHOD_DASHES[m] for m in tables.methods]}}
    click = click_layer(e)
    unq = tables.clamp / PATH_QUANT
    dequantise = [{"calculate": f"datum.qx * {unq!r}", "as": "x"}, {"calculate": f"datum.qy * {unq!r}", "as": "y"}]
    # faster flow = darker arrow (opacity, so the colour channel stays free for the methods)
    top_speed = float(arrows["speed"].max()) if len(arrows) else 1.0
    speed_opacity = {"field": "speed", "type": "quantitative", "scale": {"domain": [0, top_speed or 1.0], "range": [0.25, 0.85]}, "legend": None}
    layers = [
        {
            "data": {"name": "arrows"},
            "mark": {"type": "rule", "strokeWidth": 1.3, "clip": True},
            "encoding": {
                "x": x_enc, "y": y_enc,
                "x2": {"field": "x2"}, "y2": {"field": "y2"},
                "color": {"value": "#7a7a7a"},
                "opacity": speed_opacity,
            },
        },
        {
            "data": {"name": "arrows"},
            "mark": {"type": "point", "shape": "triangle", "filled": True, "size": 28, "clip": True},
            "encoding": {
                "x": {**x_enc, "field": "x2"}, "y": {**y_enc, "field": "y2"},
                "angle": {"field": "angle", "type": "quantitative", "scale": {"domain": [0, 360], "range": [0, 360]}},
                "color": {"value": "#7a7a7a"},
                "opacity": speed_opacity,
            },
        },
        {**click, "encoding": {"x": {**x_enc, "field": "px"}, "y": {**y_enc, "field": "py"}}},
    ]
    if show_future:
        layers.append({
            "data": {"name": "paths"},
            "transform": dequantise,
            "mark": {"type": "line", "clip": True, "strokeWidth": 1, "opacity": 0.15},
            "encoding": {"x": x_enc, "y": y_enc, "order": {"field": "step", "type": "quantitative"}, "color": color, "detail": {"field": "method"}},
        })
    layers += [
        {
            "data": {"name": "paths"},
            "transform": [
                {"calculate": "1", "as": "one"},
                {"lookup": "one", "from": {"data": {"name": "cursor"}, "key": "one", "fields": ["now"]}},
                {"filter": "datum.step <= datum.now"},
                *dequantise,
            ],
            "mark": {"type": "line", "clip": True, "strokeWidth": 2.2, "opacity": 0.9},
            "encoding": {"x": x_enc, "y": y_enc, "order": {"field": "step", "type": "quantitative"}, "color": color, "strokeDash": dash},
        },
        {
            "data": {"name": "marks"},
            "mark": {"type": "point", "filled": True, "clip": True, "stroke": "black", "strokeWidth": 1.2, "size": 140},
            "encoding": {
                "x": x_enc, "y": y_enc,
                "shape": {"field": "shape", "type": "nominal", "scale": {"domain": ["start", "equilibrium"], "range": ["diamond", "cross"]}, "legend": None},
                "color": {"value": "white"},
                "tooltip": [{"field": "label", "title": "point"}],
            },
        },
        {
            "data": {"name": "marks"},
            "mark": {"type": "text", "align": "left", "dx": 9, "dy": -9, "fontSize": 12, "color": "#333", "clip": True},
            "encoding": {"x": x_enc, "y": y_enc, "text": {"field": "label"}},
        },
        {
            "data": {"name": "heads"},
            "mark": {"type": "point", "filled": True, "clip": True, "size": 150, "stroke": "white", "strokeWidth": 1.5, "opacity": 1},
            "encoding": {
                "x": x_enc, "y": y_enc, "color": color,
                "tooltip": [
                    {"field": "method"}, {"field": "step"},
                    {"field": "x", "format": ".4g", "title": axis_labels[0]},
                    {"field": "y", "format": ".4g", "title": axis_labels[1]},
                    {"field": "distance", "format": ".3g"}, {"field": "status"},
                ],
            },
        },
    ]
    # A path that has left the square: an outward arrow head on the edge where it went, and how far.
    layers += [
        {
            "data": {"name": "exits"},
            "mark": {"type": "point", "shape": "triangle", "filled": True, "size": 260, "stroke": "black",
                     "strokeWidth": 1, "opacity": 1},
            "encoding": {
                "x": x_enc, "y": y_enc, "color": color,
                "angle": {"field": "angle", "type": "quantitative", "scale": {"domain": [0, 360], "range": [0, 360]}},
                "tooltip": [{"field": "method"}, {"field": "label", "title": "where"}],
            },
        },
    ] + [
        {  # the label sits inside the square next to its marker: right-aligned on the right half
            "data": {"name": "exits"},
            "transform": [{"filter": f"datum.x {op} 0"}],
            "mark": {"type": "text", "fontSize": 12, "fontWeight": "bold", "color": "#222", "align": align},
            "encoding": {"x": {**x_enc, "field": "label_x"}, "y": {**y_enc, "field": "label_y"}, "text": {"field": "label"}},
        }
        for op, align in ((">", "right"), ("<=", "left"))
    ]
    spec = {
        "width": int(size),
        "height": int(size),
        "layer": layers,
        "config": {"axis": {"grid": False, "titleFontSize": 14, "labelFontSize": 11}, "view": {"stroke": "#ccc"}},
    }
    if autosize is not None:
        spec["autosize"] = autosize
    return spec


def distance_spec(tables: TrajectoryTables, step: int, height: int = 240, as_arrow: bool = False) -> dict:
    """Distance to the equilibrium against step, log scale, with the current step marked."""
    spec, datasets = distance_parts(tables, step, height, as_arrow)
    return {**spec, "datasets": datasets}


def distance_parts(tables: TrajectoryTables, step: int, height: int = 240, as_arrow: bool = False) -> tuple[dict, dict]:
    """`distance_spec` as (the spec without its data: the same object per height, not to be mutated; the datasets)."""
    cache = tables.__dict__.setdefault("_specs", {})
    key = ("distance", int(height))
    if key not in cache:
        cache[key] = _distance_layout(tables, height)
    datasets = {"distances": tables.arrow_once("distances", tables.distances) if as_arrow else tables.distances,
                "now_points": tables.heads_arrow(step) if as_arrow else tables.heads_at(step),
                "now_step": _cursor_arrow(tables, step) if as_arrow else _cursor(step)}
    return cache[key], datasets


def _distance_layout(tables: TrajectoryTables, height: int) -> dict:
    color = _color(tables.methods, legend=None)  # the plane beside it carries the legend
    return {
        "height": height,
        "layer": [
            {
                "data": {"name": "distances"},
                "mark": {"type": "line", "clip": True, "strokeWidth": 2},
                "encoding": {
                    "x": {"field": "step", "type": "quantitative", "title": "step", "scale": {"domain": [0, max(tables.steps, 1)], "nice": False}},
                    "y": {"field": "distance", "type": "quantitative", "title": "distance to equilibrium (log)", "scale": {"type": "log"}},
                    "color": color,
                },
            },
            {"data": {"name": "now_step"}, "mark": {"type": "rule", "color": "#888", "strokeDash": [4, 3]}, "encoding": {"x": {"field": "now", "type": "quantitative"}}},
            {
                "data": {"name": "now_points"},
                "mark": {"type": "point", "filled": True, "size": 70, "clip": True},
                "encoding": {
                    "x": {"field": "step", "type": "quantitative"},
                    "y": {"field": "distance_drawn", "type": "quantitative"},
                    "color": color,
                    "tooltip": [{"field": "method"}, {"field": "step"}, {"field": "distance", "format": ".3g"}],
                },
            },
        ],
    }


def eigen_spec(analyses: Mapping[str, LocalAnalysis | None], size: int = 290, zoom: bool = False, legend: bool = False) -> dict:
    """Eigenvalues of each method's update Jacobian in the complex plane, with the unit circle.

    `zoom=True` frames the neighbourhood of 1, where small step sizes put the eigenvalues that decide the
    fate of a run: there a hair's width inside or outside the circle is visible.
    """
    methods = [m for m, a in analyses.items() if a is not None]
    rows = []
    for m in methods:
        a = analyses[m]
        for lam in a.eigenvalues:
            rows.append((METHOD_LABELS[m], float(lam.real), float(lam.imag), float(abs(lam))))
    eig = pd.DataFrame(rows, columns=["method", "re", "im", "modulus"])
    if zoom:
        # frame the upper dominant eigenvalues so that a hair inside or outside the circle shows
        upper = eig[(eig["modulus"] > 0.5) & (eig["im"] >= 0)]
        if len(upper):
            c_re, c_im = float(upper["re"].mean()), float(upper["im"].mean())
            spread = float(np.max(np.hypot(upper["re"] - c_re, upper["im"] - c_im)))
            off_circle = float(np.max(np.abs(upper["modulus"] - 1)))
            half = float(np.clip(max(2.0 * spread, 2.5 * off_circle, 0.01), 0.01, 1.0))
        else:
            c_re, c_im, half = 1.0, 0.0, 0.1
        x_domain, y_domain = [c_re - half, c_re + half], [c_im - half, c_im + half]
        title = "zoom: outside the circle = spiral out"
    else:
        reach = max(1.25, float(eig["modulus"].max()) * 1.1 if len(eig) else 1.25)
        reach = float(np.ceil(reach * 4) / 4)
        x_domain = y_domain = [-reach, reach]
        title = "eigenvalues λ and the unit circle"
    t = np.linspace(0, 2 * np.pi, 721)
    circle = pd.DataFrame({"re": np.cos(t), "im": np.sin(t), "order": np.arange(len(t))})
    xs = {"domain": x_domain, "nice": False}
    ys = {"domain": y_domain, "nice": False}
    return {
        "title": {"text": title, "fontSize": 12, "fontWeight": "normal"},
        "width": size,
        "height": size,
        "datasets": {"circle": circle, "eigenvalues": eig},
        "layer": [
            {
                "data": {"name": "circle"},
                "mark": {"type": "line", "color": "#555", "strokeWidth": 1.2, "clip": True},
                "encoding": {
                    "x": {"field": "re", "type": "quantitative", "scale": xs, "title": "Re λ"},
                    "y": {"field": "im", "type": "quantitative", "scale": ys, "title": "Im λ"},
                    "order": {"field": "order", "type": "quantitative"},
                },
            },
            {
                "data": {"name": "eigenvalues"},
                "mark": {"type": "point", "filled": True, "size": 90, "opacity": 0.85, "stroke": "white", "clip": True},
                "encoding": {
                    "x": {"field": "re", "type": "quantitative", "scale": xs},
                    "y": {"field": "im", "type": "quantitative", "scale": ys},
                    "color": _color(methods, legend="right" if legend else None) if methods else {"value": "#888"},
                    "tooltip": [{"field": "method"}, {"field": "re", "format": ".5f"}, {"field": "im", "format": ".5f"}, {"field": "modulus", "title": "|λ|", "format": ".6f"}],
                },
            },
        ],
        "config": {"axis": {"grid": True, "gridOpacity": 0.4}},
    }


def radius_curve_spec(curves: pd.DataFrame, methods: Sequence[str], eta: float, height: int = 240) -> dict:
    """Spectral radius of each method's update at the equilibrium against η; 1 is the stability line."""
    # frame the neighbourhood of the stability line |λ| = 1, where the methods part ways
    low = float(np.nanmin(curves["radius"])) if len(curves) else 0.9
    low = max(0.0, min(0.9, np.floor(low * 20) / 20))
    top = 1.3
    return {
        "height": height,
        "datasets": {"curves": curves, "now": pd.DataFrame({"eta": [float(eta)]}), "one": pd.DataFrame({"radius": [1.0]})},
        "layer": [
            {"data": {"name": "one"}, "mark": {"type": "rule", "color": "#555", "strokeDash": [5, 3]},
             "encoding": {"y": {"field": "radius", "type": "quantitative", "scale": {"domain": [low, top], "nice": False}}}},
            {
                "data": {"name": "curves"},
                "mark": {"type": "line", "clip": True, "strokeWidth": 2},
                "encoding": {
                    "x": {"field": "eta", "type": "quantitative", "title": "step size η"},
                    "y": {"field": "radius", "type": "quantitative", "title": "largest |λ|", "scale": {"domain": [low, top], "nice": False}},
                    "color": _color(methods, legend="right"),
                    "tooltip": [{"field": "method"}, {"field": "eta", "format": ".3f"}, {"field": "radius", "format": ".5f"}],
                },
            },
            {"data": {"name": "now"}, "mark": {"type": "rule", "color": "#888", "strokeDash": [2, 2]}, "encoding": {"x": {"field": "eta", "type": "quantitative"}}},
        ],
    }


# ---------------------------------------------------------------------------------------------
# The value surface in 3-D (Plotly): V(x, y) = x·y is a saddle, and each path is drawn on it.

SURFACE_GRID = 25  # per side: V = x·y is bilinear, so the surface is exact on any grid; this keeps the
# contour lines smooth at ~600 numbers per redraw (41 per side sent 1,700 every animation frame)
MAX_SADDLE_POINTS = 400  # per method on the 3-D view (a ~500 px view; 25 points a turn of a 16-turn orbit)
SURFACE_LIFT = 0.02  # paths float this share of the z-range above the surface so it never hides them


def clip_path_to_square(points: np.ndarray, extent: float) -> tuple[np.ndarray, np.ndarray]:
    """A polyline cut at the square [-extent, extent]²: where a segment crosses the edge the crossing point
    is inserted, and outside stretches become NaN gaps. Returns (x, y) with NaN breaks. Vectorised over
    the inside stretches (a path crosses the edge a few times at most)."""
    pts = np.asarray(points, dtype=float)
    pts = pts[np.all(np.isfinite(pts), axis=1)]
    if len(pts) == 0:
        return np.array([]), np.array([])
    inside = np.all(np.abs(pts) <= extent, axis=1)
    flips = np.flatnonzero(inside[1:] != inside[:-1]) + 1  # index of the first point after each crossing
    parts = []
    bounds = np.concatenate([[0], flips, [len(pts)]])
    for lo, hi in zip(bounds[:-1], bounds[1:]):
        if not inside[lo]:
            continue
        stretch = [pts[lo:hi]]
        if lo > 0:  # came back in: start on the edge
            stretch.insert(0, _crossing(pts[lo], pts[lo - 1], extent)[None])
        if hi < len(pts):  # leaves: end on the edge, then a gap
            stretch += [_crossing(pts[hi - 1], pts[hi], extent)[None], np.full((1, 2), np.nan)]
        parts += stretch
    if not parts:
        return np.array([]), np.array([])
    out = np.concatenate(parts)
    return out[:, 0], out[:, 1]


def _crossing(a: np.ndarray, b: np.ndarray, extent: float) -> np.ndarray:
    return a + _exit_fraction(a, b, extent) * (b - a)


def _exit_fraction(a: np.ndarray, b: np.ndarray, extent: float) -> float:
    """Largest t in [0, 1] with a + t(b − a) still inside the square (a inside, b outside)."""
    t = 1.0
    for k in range(2):
        d = b[k] - a[k]
        if d > 0 and b[k] > extent:
            t = min(t, (extent - a[k]) / d)
        elif d < 0 and b[k] < -extent:
            t = min(t, (-extent - a[k]) / d)
    return float(max(0.0, t))


def _none_gaps(values: np.ndarray) -> list:
    """JSON-ready list: NaN (a gap in the line) becomes None."""
    values = np.round(np.asarray(values, dtype=float), 4)
    return np.where(np.isfinite(values), values, None).tolist()


def saddle_figure(tables: TrajectoryTables, step: int, value=None, axis_labels: Sequence[str] = ("x", "y"),
                  *, height: int = 520, value_label: str = "V(x, y) = x·y") -> dict:
    """A Plotly figure (plain dict, for st.plotly_chart) of the value surface V over the drawn square, with
    each method's path up to `step` drawn on it, its current point, and the saddle point at the origin.
    Rotatable; `uirevision` keeps the camera where the viewer turned it while the animation plays.
    `value` maps (..., 2) points to V; default x·y (the xy game). It is the game of `tables`, so the surface
    is cached on them (built on the first frame, shared by the following ones)."""
    value = value or (lambda z: z[..., 0] * z[..., 1])
    e = tables.extent
    # The surface is the game's, so it is built once per tables (one game's runs) and label, not per frame.
    cache = tables.__dict__.setdefault("_saddle_cache", {})
    key = (value_label, tuple(axis_labels))
    if key not in cache:
        axis = np.linspace(-e, e, SURFACE_GRID)
        gx, gy = np.meshgrid(axis, axis)
        gz = value(np.stack([gx, gy], axis=-1))
        z_span = float(np.nanmax(gz) - np.nanmin(gz)) or 1.0
        cache[key] = ({
            "type": "surface", "x": axis.round(4).tolist(), "y": axis.round(4).tolist(), "z": gz.round(4).tolist(),
            "colorscale": "RdBu", "reversescale": True, "opacity": 0.8, "showscale": False, "name": value_label,
            "hovertemplate": f"{axis_labels[0]} %{{x:.2f}}<br>{axis_labels[1]} %{{y:.2f}}<br>V %{{z:.2f}}<extra></extra>",
            "contours": {"z": {"show": True, "usecolormap": True, "width": 1, "start": -e * e, "end": e * e,
                               "size": max(e * e / 6, 1e-6)}},
        }, SURFACE_LIFT * z_span, float(np.nanmin(gz)), float(np.nanmax(gz)))
    surface, lift, z_min, z_max = cache[key]
    step = int(np.clip(step, 0, tables.steps))
    data: list[dict] = [surface]
    for m in tables.methods:
        label = METHOD_LABELS[m]
        if ("path", m) not in cache:
            steps_m, xy_m = tables.path_arrays(m)
            keep = _decimate_index(len(steps_m), MAX_SADDLE_POINTS)  # the same points at every step: no shimmer
            cache[("path", m)] = (steps_m[keep], xy_m[keep])
        steps_m, xy_m = cache[("path", m)]
        pts = xy_m[: int(np.searchsorted(steps_m, step, side="right"))]
        head = tables.heads[m][step, :2]
        if len(pts) and not np.array_equal(pts[-1], head):
            pts = np.vstack([pts, head])  # the decimated path ends exactly at the current point
        px, py = clip_path_to_square(pts, e)
        pz = value(np.stack([px, py], axis=-1)) + lift if len(px) else np.array([])
        color = METHOD_COLORS[m]
        data.append({"type": "scatter3d", "mode": "lines", "name": label, "legendgroup": label,
                     "x": _none_gaps(px), "y": _none_gaps(py), "z": _none_gaps(pz), "connectgaps": False,
                     "line": {"color": color, "width": 6}, "hoverinfo": "skip"})
        inside = bool(np.all(np.abs(head) <= e))
        if inside:
            hz = float(value(head)) + lift
            data.append({"type": "scatter3d", "mode": "markers", "name": f"{label} now", "legendgroup": label,
                         "showlegend": False, "x": [float(head[0])], "y": [float(head[1])], "z": [hz],
                         "marker": {"size": 6, "color": color, "line": {"color": "white", "width": 2}},
                         "hovertemplate": f"{label}: step {step}<br>({head[0]:.3g}, {head[1]:.3g})<extra></extra>"})
    data.append({"type": "scatter3d", "mode": "markers+text", "name": "saddle point (0, 0)", "x": [0.0], "y": [0.0],
                 "z": [float(value(np.zeros(2))) + lift], "text": ["saddle (0, 0)"], "textposition": "top center",
                 "marker": {"size": 5, "color": "black", "symbol": "cross"}, "hoverinfo": "name"})
    axis_style = {"range": [-e, e], "autorange": False}
    return {
        "data": data,
        "layout": {
            "height": height,
            "margin": {"l": 0, "r": 0, "t": 30, "b": 0},
            "uirevision": "saddle",  # keep the viewer's rotation across redraws
            "legend": {"orientation": "h", "y": 1.02, "x": 0},
            "scene": {
                "xaxis": {**axis_style, "title": {"text": axis_labels[0]}},
                "yaxis": {**axis_style, "title": {"text": axis_labels[1]}},
                "zaxis": {"title": {"text": value_label}, "range": [z_min - lift, z_max + 2 * lift],
                          "autorange": False},
                "aspectmode": "manual", "aspectratio": {"x": 1, "y": 1, "z": 0.7},
                "camera": {"eye": {"x": 1.5, "y": -1.5, "z": 1.1}},
            },
        },
    }

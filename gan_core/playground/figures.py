"""Vega-Lite figures of the 2-D playground: plain dicts with named `datasets` (see gan_core/vega.py).

A spec depends only on settings (which views are on, the noise's dimension and kind, whether D outputs a
probability or a score), never on the training state: between ticks only the datasets change and the browser
redraws in place. Each view is one layer and can be switched off (`Views`).

Every dataset is Arrow IPC bytes built straight from NumPy (`frame`): Streamlit ships bytes as they are, while
a DataFrame goes through pandas' Arrow conversion on every tick (1-7 ms a dataset under a class's load, the
largest cost of a tick). What the browser can compute itself (the clickable canvases, the heat map's cell
positions) is not shipped at all.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from gan_core.playground.data import VIEW
from gan_core.playground.manifold import Manifold, curve_rows, land, noise_ticks, quad_rows, region_noise, warp
from gan_core.vega import PALETTE, curves_spec, on_canvas, table_bytes

_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
N_SURFACE = 30  # D's decision surface: 30×30 cells
N_FAKE_DRAWN = 600
N_REAL_DRAWN = 600
N_ARROWS = 60
ARROW_LENGTH = 0.12  # the longest arrow, in view units
CANVAS_STEP = 0.025  # a click lands on this grid (the invisible points that make the plane clickable)
REAL, FAKE = "real data", "generated G(z)"
MANIFOLD_COLOR = "#7b4fb3"
LANDING_COLOR = "#d62728"
MAX_HISTORY_POINTS = 300


def frame(**columns: np.ndarray | pa.Array) -> bytes:
    """Equal-length columns as one dataset's Arrow IPC bytes. Floats go as float32 (half the bytes, far below
    what a screen can show) with non-finite values as nulls (Vega skips them); a `kinds` column stays
    dictionary-encoded (a byte a row)."""
    arrays = {}
    for name, values in columns.items():
        if isinstance(values, pa.Array):
            arrays[name] = values
            continue
        arr = np.asarray(values)
        if arr.dtype.kind == "f":
            arr = arr.astype(np.float32)
            finite = np.isfinite(arr)
            arrays[name] = pa.array(arr) if finite.all() else pa.array(arr, mask=~finite)
        else:
            arrays[name] = pa.array(arr)
    return table_bytes(pa.table(arrays) if arrays else pa.table({}))


@functools.lru_cache(maxsize=8)
def empty(*names: str) -> bytes:
    """A dataset with no rows (no selection, nothing landing): the same bytes every tick, built once."""
    return frame(**{name: np.zeros(0) for name in names})


def kinds(values: list[str], counts: list[int]) -> pa.DictionaryArray:
    """A categorical column: counts[k] rows of values[k], in order (int8 codes and the labels once)."""
    return _kinds(tuple(values), tuple(int(c) for c in counts))


@functools.lru_cache(maxsize=32)
def _kinds(values: tuple[str, ...], counts: tuple[int, ...]) -> pa.DictionaryArray:  # Arrow arrays are immutable
    codes = np.repeat(np.arange(len(values), dtype=np.int8), counts)
    return pa.DictionaryArray.from_arrays(pa.array(codes), pa.array(values, pa.string()))


@dataclass(frozen=True)
class Views:
    real: bool = True
    fake: bool = True
    surface: bool = True
    manifold: bool = True
    gradients: bool = False
    landing: bool = True  # where the selected noise point / region lands


def _axis(field: str, title: str, extent: float = VIEW) -> dict:
    return {"field": field, "type": "quantitative", "title": title,
            "scale": {"domain": [-extent, extent], "nice": False, "zero": False}}


def grid_data(extent: float = VIEW, step: float = CANVAS_STEP, dims: int = 2) -> dict:
    """A regular grid of points over [-extent, extent]^dims (y = 0 for one dimension), generated in the browser
    (a Vega sequence and two formulas): the invisible points that make a plane clickable cost no bytes."""
    k = int(round(2 * extent / step)) + 1  # points per axis, both ends included
    at = "round(({lo} + {step} * {i}) * 1e6) / 1e6"
    return {"data": {"sequence": {"start": 0, "stop": k ** dims, "as": "i"}},
            "transform": [{"calculate": at.format(lo=-extent, step=step, i=f"(datum.i % {k})"), "as": "x"},
                          {"calculate": at.format(lo=-extent, step=step, i=f"floor(datum.i / {k})")
                           if dims == 2 else "0", "as": "y"}]}


def _canvas_layer(param: str, select: str = "point") -> dict:
    """Invisible points that make a chart clickable: a click selects the nearest ("point"), a drag selects a
    box ("interval"; Streamlit reports {param: {"x": [lo, hi], "y": [lo, hi]}})."""
    how = ({"type": "point", "on": "click", "nearest": True, "fields": ["x", "y"], "clear": False}
           if select == "point" else {"type": "interval", "encodings": ["x", "y"], "clear": "dblclick"})
    return {
        **grid_data(),
        "params": [{"name": param, "select": how}],
        "mark": {"type": "point", "opacity": 0, "size": 40, "tooltip": False},
        "encoding": {"x": _axis("x", "x₁"), "y": _axis("y", "x₂")},
    }


def plane_spec(views: Views = Views(), *, noise_dim: int = 2, d_kind: str = "probability",
               drawable: bool = False, height: int = 460) -> dict:
    """The data plane: D's surface, G's manifold, real and generated points, gradient arrows, landing points."""
    x, y = _axis("x", "x₁"), _axis("y", "x₂")
    layers: list[dict] = []
    if views.surface:
        cell = 2 * VIEW / N_SURFACE
        color = ({"field": "D", "type": "quantitative", "title": "D(x)", "scale": {"domain": [0, 1], "scheme": "greens"}}
                 if d_kind == "probability" else
                 {"field": "D", "type": "quantitative", "title": "D score", "scale": {"scheme": "greens"}})
        color["legend"] = {"orient": "right", "gradientLength": 120}
        edge = "{lo} + {cell} * ({f})"  # the surface ships D and the cell's (i, j), a byte each, not positions
        layers.append({
            "data": {"name": "surface"},
            "transform": [{"calculate": edge.format(lo=-VIEW, cell=cell, f=f), "as": a}
                          for f, a in (("datum.i", "x0"), ("datum.i + 1", "x1"), ("datum.j", "y0"), ("datum.j + 1", "y1"))],
            "mark": {"type": "rect", "opacity": 0.5},
            "encoding": {"x": _axis("x0", "x₁"), "x2": {"field": "x1"}, "y": _axis("y0", "x₂"), "y2": {"field": "y1"},
                         "color": color},
        })
    if views.manifold:
        if noise_dim == 2:
            layers.append({  # each warped noise cell as a closed, filled polygon; opacity ∝ density
                "data": {"name": "manifold"},
                "mark": {"type": "line", "interpolate": "linear-closed", "fill": MANIFOLD_COLOR,
                         "stroke": MANIFOLD_COLOR, "strokeWidth": 0.4, "strokeOpacity": 0.5, "clip": True},
                "encoding": {"x": x, "y": y, "detail": {"field": "cell", "type": "nominal"},
                             "order": {"field": "order", "type": "quantitative"},
                             "fillOpacity": {"field": "opacity", "type": "quantitative", "scale": None, "legend": None}},
            })
        else:
            layers.append({
                "data": {"name": "manifold"},
                "mark": {"type": "rule", "color": MANIFOLD_COLOR, "strokeWidth": 3, "clip": True},
                "encoding": {"x": x, "y": y, "x2": {"field": "x2"}, "y2": {"field": "y2"},
                             "opacity": {"field": "opacity", "type": "quantitative", "scale": None, "legend": None}},
            })
    if views.real or views.fake:
        domain = [k for k, on in ((REAL, views.real), (FAKE, views.fake)) if on]
        rng = [PALETTE["real"] if k == REAL else PALETTE["fake"] for k in domain]
        layers.append({
            "data": {"name": "points"},
            "mark": {"type": "circle", "size": 12, "clip": True},
            "encoding": {"x": x, "y": y, "opacity": {"value": 0.75},
                         "color": {"field": "kind", "type": "nominal", "title": None,
                                   "scale": {"domain": domain, "range": rng}, "legend": {"orient": "bottom"}}},
        })
    if views.gradients:
        layers.append({
            "data": {"name": "arrows"},
            "layer": [
                {"mark": {"type": "rule", "color": "#222", "strokeWidth": 1.2, "clip": True},
                 "encoding": {"x": x, "y": y, "x2": {"field": "x2"}, "y2": {"field": "y2"}}},
                {"mark": {"type": "point", "shape": "triangle-up", "filled": True, "color": "#222", "size": 22, "clip": True},
                 "encoding": {"x": _axis("x2", "x₁"), "y": _axis("y2", "x₂"),
                              "angle": {"field": "angle", "type": "quantitative", "scale": None}}},
            ],
        })
    if views.landing:
        layers.append({
            "data": {"name": "landing"},
            "mark": {"type": "point", "shape": "diamond", "filled": True, "color": LANDING_COLOR, "size": 50, "clip": True},
            "encoding": {"x": x, "y": y},
        })
    if drawable:
        layers.append(_canvas_layer("plane_click"))
    if not layers:
        layers.append({"data": {"values": [{"x": 0, "y": 0}]}, "mark": {"type": "point", "opacity": 0},
                       "encoding": {"x": x, "y": y}})
    return {"$schema": _SCHEMA, "title": "The data plane", "height": height, "width": height,
            "layer": layers, "resolve": {"scale": {"color": "independent", "opacity": "independent"}}}


def drawing_spec(select: str = "point", height: int = 420) -> dict:
    """The drawing board: the points drawn so far (dataset "drawn") over a clickable plane (the canvas;
    a click is the selection parameter "plane_click", a dragged box "plane_box")."""
    x, y = _axis("x", "x₁"), _axis("y", "x₂")
    return {"$schema": _SCHEMA, "title": "Your data: click to draw", "height": height, "width": height,
            "layer": [{"data": {"name": "drawn"}, "mark": {"type": "circle", "size": 30, "color": PALETTE["real"],
                                                           "opacity": 0.8, "clip": True},
                       "encoding": {"x": x, "y": y}},
                      _canvas_layer("plane_click" if select == "point" else "plane_box", select)]}


def drawing_datasets(points: np.ndarray) -> dict[str, bytes]:
    p = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    return {"drawn": frame(x=p[:, 0], y=p[:, 1])}


def noise_extent(noise_kind: str) -> float:
    return float(abs(noise_ticks(noise_kind, 2)[0]))


NOISE_CANVAS_CELLS = 60  # a click in the noise panel lands on this grid (cells per axis)


def noise_spec(noise_dim: int = 2, noise_kind: str = "uniform", *, drawable: bool = True, select: str = "point",
               height: int = 240) -> dict:
    """The noise plane z (or line): its grid of equal-probability cells and the selected point or region."""
    e = noise_extent(noise_kind)
    z1 = _axis("z1", "z₁", e)
    if noise_dim == 2:
        z2 = _axis("z2", "z₂", e)
        grid = {"data": {"name": "noise_grid"},  # one rectangle per cell (the cells are squares here)
                "mark": {"type": "rect", "fill": MANIFOLD_COLOR, "stroke": MANIFOLD_COLOR, "strokeWidth": 0.4,
                         "fillOpacity": 0.15},
                "encoding": {"x": z1, "x2": {"field": "z1_end"}, "y": z2, "y2": {"field": "z2_end"}}}
    else:
        z2 = {"field": "z2", "type": "quantitative", "title": None, "axis": None, "scale": {"domain": [-1, 1]}}
        grid = {"data": {"name": "noise_grid"}, "mark": {"type": "rule", "color": MANIFOLD_COLOR, "strokeWidth": 3},
                "encoding": {"x": z1, "x2": {"field": "z1_end"}, "y": z2}}
    layers = [grid, {"data": {"name": "noise_selected"},
                     "mark": {"type": "point", "shape": "diamond", "filled": True, "color": LANDING_COLOR, "size": 50},
                     "encoding": {"x": z1, "y": z2}}]
    if drawable:
        canvas = _canvas_layer("noise_click" if select == "point" else "noise_box", select)
        canvas.update(grid_data(e, 2 * e / NOISE_CANVAS_CELLS, noise_dim))
        canvas["encoding"] = {"x": _axis("x", "z₁", e), "y": _axis("y", "z₂", e) if noise_dim == 2 else {**z2, "field": "y"}}
        layers.append(canvas)
    return {"$schema": _SCHEMA, "title": "The noise " + ("plane" if noise_dim == 2 else "line") + " z",
            "height": height if noise_dim == 2 else 60, "width": height, "layer": layers}


# ---------------------------------------------------------------- datasets of one tick

def arrows(points: np.ndarray, grad: np.ndarray, length: float = ARROW_LENGTH) -> dict[str, np.ndarray]:
    """Arrows along −∇ℓ_G (where G's loss pushes each sample), scaled together so the longest is `length`:
    the columns x, y → x2, y2 and the arrowhead's angle."""
    step = -np.asarray(grad, dtype=np.float64)
    norms = np.linalg.norm(step, axis=1)
    biggest = float(np.nanmax(norms)) if len(norms) and np.isfinite(norms).any() else 0.0
    step = step * (length / biggest) if biggest > 0 else np.zeros_like(step)
    end = points + step
    # a triangle-up points along +y; Vega's angle turns it clockwise in degrees (screen y points down)
    angle = (90 - np.degrees(np.arctan2(step[:, 1], step[:, 0]))) % 360
    return {"x": points[:, 0], "y": points[:, 1], "x2": end[:, 0], "y2": end[:, 1], "angle": angle}


@functools.lru_cache(maxsize=4)
def _surface_grid(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The heat map's cell centres (n², 2) and each cell's (i, j) as int8 (shared, read-only)."""
    cell = 2 * VIEW / n
    t = -VIEW + cell * (np.arange(n) + 0.5)
    xx, yy = np.meshgrid(t, t)
    ii, jj = np.meshgrid(np.arange(n, dtype=np.int8), np.arange(n, dtype=np.int8))
    out = np.stack([xx.ravel(), yy.ravel()], 1), ii.ravel(), jj.ravel()
    for a in out:
        a.flags.writeable = False
    return out


def surface(discriminator, n: int = N_SURFACE) -> dict[str, np.ndarray]:
    """D on the centres of an n×n grid of cells over the view: columns i, j (the cell) and D."""
    pts, i, j = _surface_grid(n)
    return {"i": i, "j": j, "D": np.asarray(discriminator(pts), dtype=np.float64)}


def plane_datasets(run, views: Views = Views(), *, selected_z: np.ndarray | None = None,
                   manifold: Manifold | None = None) -> dict[str, bytes]:
    """Every dataset `plane_spec(views, …)` names, for a PlaygroundRun (its trainer, data and eval samples)."""
    t, cfg = run.trainer, run.config
    out: dict[str, bytes] = {}
    if views.surface:
        out["surface"] = frame(**surface(t.discriminator))
    if views.manifold:
        m = manifold or warp(t.generate, cfg.noise_dim, cfg.noise)
        out["manifold"] = frame(**(quad_rows(m) if m.dim == 2 else curve_rows(m)))
    if views.real or views.fake:
        sets = ([(REAL, run.data.points[:N_REAL_DRAWN])] if views.real else []) + \
               ([(FAKE, run.samples[:N_FAKE_DRAWN])] if views.fake else [])
        pts = np.concatenate([p for _, p in sets])
        out["points"] = frame(x=pts[:, 0], y=pts[:, 1], kind=kinds([k for k, _ in sets], [len(p) for _, p in sets]))
    if views.gradients:
        pts = run.samples[:N_ARROWS]
        out["arrows"] = frame(**arrows(pts, t.g_loss_gradient(pts)))
    if views.landing:
        if selected_z is None or not np.size(selected_z):
            out["landing"] = empty("x", "y")
        else:
            xs = land(t.generate, np.atleast_2d(selected_z))
            out["landing"] = frame(x=xs[:, 0], y=xs[:, 1])
    return out


def noise_grid(noise_dim: int, noise_kind: str, cells: int | None = None) -> dict[str, np.ndarray]:
    """The noise space's cells of equal probability: rectangles z1…z1_end × z2…z2_end (segments in 1-D)."""
    from gan_core.playground.manifold import CELLS_1D, CELLS_2D
    n = cells or (CELLS_2D if noise_dim == 2 else CELLS_1D // 10)
    t = noise_ticks(noise_kind, n)
    if noise_dim == 1:
        return {"z1": t[:-1], "z2": np.zeros(n), "z1_end": t[1:]}
    lo, hi = np.meshgrid(t[:-1], t[:-1], indexing="ij"), np.meshgrid(t[1:], t[1:], indexing="ij")
    return {"z1": lo[0].ravel(), "z2": lo[1].ravel(), "z1_end": hi[0].ravel(), "z2_end": hi[1].ravel()}


def _selected(noise_dim: int, selected_z: np.ndarray | None) -> bytes:
    if selected_z is None or not np.size(selected_z):
        return empty("z1", "z2")
    sel = np.atleast_2d(selected_z)
    return frame(z1=sel[:, 0], z2=sel[:, 1] if noise_dim == 2 else np.zeros(len(sel)))


@functools.lru_cache(maxsize=16)
def _noise_grid_bytes(noise_dim: int, noise_kind: str) -> bytes:
    """The noise grid is a function of the noise settings alone: built once per server (immutable bytes,
    so every session shares them)."""
    return frame(**noise_grid(noise_dim, noise_kind))


def noise_datasets(noise_dim: int, noise_kind: str, selected_z: np.ndarray | None = None) -> dict[str, bytes]:
    """Every dataset `noise_spec` names: the (cached) grid and the selected noise points."""
    return {"noise_grid": _noise_grid_bytes(int(noise_dim), str(noise_kind)),
            "noise_selected": _selected(noise_dim, selected_z)}


def selection_noise(point: tuple[float, ...] | None = None, region: tuple[np.ndarray, np.ndarray] | None = None,
                    noise_dim: int = 2) -> np.ndarray | None:
    """The noise points a selection stands for: one point, or a regular sample of a box."""
    if region is not None:
        return region_noise(np.asarray(region[0], float), np.asarray(region[1], float), noise_dim)
    if point is not None:
        return np.asarray(point, dtype=np.float64)[:noise_dim].reshape(1, noise_dim)
    return None


# ---------------------------------------------------------------- curves

CURVES = {  # chart (and its dataset): the series it draws, its title, the y axis
    "divergence": (("kl", "js"), "Grid KL(real ‖ G) and JS", "nats"),
    "wasserstein": (("sliced_w",), "Sliced Wasserstein distance", "view units"),
    "coverage": (("coverage", "precision"), "Coverage and precision (within 5 % of the extent)", "%"),
    "modes": (("modes_captured",), "Modes captured", "modes"),
    "quality": (("high_quality",), "% high quality (≤ 3σ from a mode)", "%"),
    "reverse_kl": (("reverse_kl",), "Reverse KL over modes", "nats"),
    "losses": (("d_loss", "g_loss"), "Losses", "loss"),
}
PERCENT = ("coverage", "precision", "high_quality")  # recorded as shares 0..1, drawn in %


def curve_specs(is_mixture: bool, n_modes: int = 0) -> dict[str, dict]:
    """Line charts of the run's history; each reads its own dataset, named as the chart (the step and only
    the series it draws, so a tick does not ship the whole score table once per chart)."""
    out = {}
    for name, (series, title, y_title) in CURVES.items():
        if name in ("modes", "quality", "reverse_kl") and not is_mixture:
            continue
        spec = curves_spec(name, "step", list(series), title=title, y_title=y_title, height=150)
        if len(series) == 1:
            spec["encoding"]["color"]["legend"] = None
        if name == "coverage" or name == "quality":
            spec["encoding"]["y"]["scale"] = {"domain": [0, 100]}
        if name == "modes":
            spec["encoding"]["y"]["scale"] = {"domain": [0, max(1, n_modes)]}
        spec["$schema"] = _SCHEMA
        out[name] = spec
    return out


CURVE_WIDTH = 210  # px per curve: three a row (with their axes) fit the main column beside the sidebar at 1280 px


@functools.lru_cache(maxsize=4)
def curves_chart(is_mixture: bool, n_modes: int = 0, width: int = CURVE_WIDTH) -> dict:
    """Every curve in ONE chart, three a row (`concat`): a single element a tick instead of a chart per curve
    plus the columns around them; each curve keeps its own scales and legend. Cached: treat as read-only."""
    charts = []
    for spec in curve_specs(is_mixture, n_modes).values():
        part = {k: v for k, v in spec.items() if k != "$schema"}
        part["width"] = width
        if part["encoding"]["color"].get("legend", {}) is not None:  # below: the row stays narrow, titles aligned
            part["encoding"]["color"]["legend"] = {"orient": "bottom", "title": None}
        charts.append(part)
    return {"$schema": _SCHEMA, "columns": 3, "concat": charts, "spacing": 16,
            "resolve": {"scale": {"x": "independent", "y": "independent", "color": "independent"},
                        "legend": {"color": "independent"}}}


def curve_datasets(run) -> dict[str, bytes]:
    """One dataset per chart of `curve_specs`: the scores' and the losses' histories, at most
    MAX_HISTORY_POINTS rows each."""
    scores = run.history.view(MAX_HISTORY_POINTS)
    losses = run.trainer.history.view(MAX_HISTORY_POINTS)
    out = {}
    for name, (series, _, _) in CURVES.items():
        table = losses if name == "losses" else scores
        out[name] = frame(step=table["step"].astype(np.int32),
                          **{k: 100 * table[k] if k in PERCENT else table[k] for k in series})
    return out


def dataset_names(spec) -> set[str]:
    """The named datasets a spec's layers read."""
    found: set[str] = set()
    if isinstance(spec, dict):
        data = spec.get("data")
        if isinstance(data, dict) and "name" in data:
            found.add(data["name"])
        for key, value in spec.items():
            if key != "datasets":
                found |= dataset_names(value)
    elif isinstance(spec, list):
        for value in spec:
            found |= dataset_names(value)
    return found


def with_datasets(spec: dict, datasets: dict[str, bytes]) -> dict:
    """A copy of `spec` carrying the datasets it names, and only those: Streamlit 1.67 stops updating a chart
    in place when it is sent a dataset its spec does not read (seen in the browser: the curves froze)."""
    names = dataset_names(spec)
    # on a canvas: Vega's SVG renderer piled up a <clipPath> per clipped item and redraw (gan_core/vega.py)
    return {**on_canvas(spec), "datasets": {k: v for k, v in datasets.items() if k in names}}

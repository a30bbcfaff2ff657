"""Vega-Lite figures of the 2-D playground: plain dicts with named `datasets` (see gan_core/vega.py).

A spec depends only on settings (which views are on, the noise's dimension and kind, whether D outputs a
probability or a score), never on the training state: between ticks only the datasets change and the browser
redraws in place. Each view is one layer and can be switched off (`Views`).
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from gan_core.playground.data import VIEW
from gan_core.playground.manifold import (
    Manifold, curve_rows, land, noise_grid_rows, noise_ticks, quad_rows, region_noise, warp,
)
from gan_core.vega import PALETTE, curves_spec, frame_bytes
from gan_core.vega import frame as _frame

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


def frame(**columns) -> pd.DataFrame:
    """vega.frame with float32 columns: half the bytes shipped per tick, far below what a screen can show."""
    return _frame(**{k: (np.asarray(v, dtype=np.float32) if np.asarray(v).dtype.kind == "f" else v)
                     for k, v in columns.items()})


def _kinds(values: list[str], counts: list[int]) -> pd.Categorical:
    return pd.Categorical.from_codes(np.repeat(np.arange(len(values)), counts).astype(np.int8), categories=values)


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


def canvas_points(step: float = CANVAS_STEP, extent: float = VIEW) -> pd.DataFrame:
    """An invisible grid of points over the plane: a click selects the nearest one, i.e. where to add a point."""
    t = np.round(np.arange(-extent, extent + step / 2, step), 6)
    xx, yy = np.meshgrid(t, t)
    return frame(x=xx.ravel(), y=yy.ravel())


def _canvas_layer(param: str, select: str = "point") -> dict:
    """Invisible points that make a chart clickable: a click selects the nearest ("point"), a drag selects a
    box ("interval"; Streamlit reports {param: {"x": [lo, hi], "y": [lo, hi]}})."""
    how = ({"type": "point", "on": "click", "nearest": True, "fields": ["x", "y"], "clear": False}
           if select == "point" else {"type": "interval", "encodings": ["x", "y"], "clear": "dblclick"})
    return {
        "data": {"name": "canvas"},
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
        layers.append({
            "data": {"name": "surface"},
            "transform": [{"calculate": f"datum.x - {cell / 2}", "as": "x0"}, {"calculate": f"datum.x + {cell / 2}", "as": "x1"},
                          {"calculate": f"datum.y - {cell / 2}", "as": "y0"}, {"calculate": f"datum.y + {cell / 2}", "as": "y1"}],
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
    """The drawing board: the points drawn so far over a clickable plane (datasets "drawn" and "canvas";
    a click is the selection parameter "plane_click", a dragged box "plane_box")."""
    x, y = _axis("x", "x₁"), _axis("y", "x₂")
    return {"$schema": _SCHEMA, "title": "Your data: click to draw", "height": height, "width": height,
            "layer": [{"data": {"name": "drawn"}, "mark": {"type": "circle", "size": 30, "color": PALETTE["real"],
                                                           "opacity": 0.8, "clip": True},
                       "encoding": {"x": x, "y": y}},
                      _canvas_layer("plane_click" if select == "point" else "plane_box", select)]}


def drawing_datasets(points: np.ndarray) -> dict[str, pd.DataFrame]:
    p = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    return {"drawn": frame(x=p[:, 0], y=p[:, 1]), "canvas": canvas_points()}


def noise_extent(noise_kind: str) -> float:
    return float(abs(noise_ticks(noise_kind, 2)[0]))


def noise_spec(noise_dim: int = 2, noise_kind: str = "uniform", *, drawable: bool = True, select: str = "point",
               height: int = 240) -> dict:
    """The noise plane z (or line): its grid of equal-probability cells and the selected point or region."""
    e = noise_extent(noise_kind)
    z1 = _axis("z1", "z₁", e)
    if noise_dim == 2:
        z2 = _axis("z2", "z₂", e)
        grid = {"data": {"name": "noise_grid"},
                "mark": {"type": "line", "interpolate": "linear-closed", "fill": MANIFOLD_COLOR,
                         "stroke": MANIFOLD_COLOR, "strokeWidth": 0.4, "fillOpacity": 0.15},
                "encoding": {"x": z1, "y": z2, "detail": {"field": "cell", "type": "nominal"},
                             "order": {"field": "order", "type": "quantitative"}}}
    else:
        z2 = {"field": "z2", "type": "quantitative", "title": None, "axis": None, "scale": {"domain": [-1, 1]}}
        grid = {"data": {"name": "noise_grid"}, "mark": {"type": "rule", "color": MANIFOLD_COLOR, "strokeWidth": 3},
                "encoding": {"x": z1, "x2": {"field": "z1_end"}, "y": z2}}
    layers = [grid, {"data": {"name": "noise_selected"},
                     "mark": {"type": "point", "shape": "diamond", "filled": True, "color": LANDING_COLOR, "size": 50},
                     "encoding": {"x": z1, "y": z2}}]
    if drawable:
        canvas = _canvas_layer("noise_click" if select == "point" else "noise_box", select)
        canvas["data"] = {"name": "noise_canvas"}
        canvas["encoding"] = {"x": _axis("x", "z₁", e), "y": _axis("y", "z₂", e) if noise_dim == 2 else z2}
        layers.append(canvas)
    return {"$schema": _SCHEMA, "title": "The noise " + ("plane" if noise_dim == 2 else "line") + " z",
            "height": height if noise_dim == 2 else 60, "width": height, "layer": layers}


def noise_canvas(noise_dim: int, noise_kind: str, cells: int = 60) -> pd.DataFrame:
    e = noise_extent(noise_kind)
    t = np.round(np.linspace(-e, e, cells + 1), 6)
    if noise_dim == 1:
        return frame(x=t, y=np.zeros_like(t))
    xx, yy = np.meshgrid(t, t)
    return frame(x=xx.ravel(), y=yy.ravel())


# ---------------------------------------------------------------- datasets of one tick

def arrows(points: np.ndarray, grad: np.ndarray, length: float = ARROW_LENGTH) -> pd.DataFrame:
    """Arrows along −∇ℓ_G (where G's loss pushes each sample), scaled together so the longest is `length`."""
    step = -np.asarray(grad, dtype=np.float64)
    norms = np.linalg.norm(step, axis=1)
    biggest = float(np.nanmax(norms)) if len(norms) and np.isfinite(norms).any() else 0.0
    step = step * (length / biggest) if biggest > 0 else np.zeros_like(step)
    end = points + step
    # a triangle-up points along +y; Vega's angle turns it clockwise in degrees (screen y points down)
    angle = (90 - np.degrees(np.arctan2(step[:, 1], step[:, 0]))) % 360
    return frame(x=points[:, 0], y=points[:, 1], x2=end[:, 0], y2=end[:, 1], angle=angle)


def surface(discriminator, n: int = N_SURFACE) -> pd.DataFrame:
    cell = 2 * VIEW / n
    t = -VIEW + cell * (np.arange(n) + 0.5)
    xx, yy = np.meshgrid(t, t)
    pts = np.stack([xx.ravel(), yy.ravel()], 1)
    return frame(x=pts[:, 0], y=pts[:, 1], D=np.asarray(discriminator(pts), dtype=np.float64))


def plane_datasets(run, views: Views = Views(), *, selected_z: np.ndarray | None = None,
                   manifold: Manifold | None = None) -> dict[str, pd.DataFrame]:
    """Every dataset `plane_spec(views, …)` names, for a PlaygroundRun (its trainer, data and eval samples)."""
    t, cfg = run.trainer, run.config
    out: dict[str, pd.DataFrame] = {}
    if views.surface:
        out["surface"] = surface(t.discriminator)
    if views.manifold:
        m = manifold or warp(t.generate, cfg.noise_dim, cfg.noise)
        out["manifold"] = frame(**(quad_rows(m) if m.dim == 2 else curve_rows(m)))
    if views.real or views.fake:
        sets = ([(REAL, run.data.points[:N_REAL_DRAWN])] if views.real else []) + \
               ([(FAKE, run.samples[:N_FAKE_DRAWN])] if views.fake else [])
        pts = np.concatenate([p for _, p in sets])
        out["points"] = frame(x=pts[:, 0], y=pts[:, 1]).assign(
            kind=_kinds([k for k, _ in sets], [len(p) for _, p in sets]))
    if views.gradients:
        pts = run.samples[:N_ARROWS]
        out["arrows"] = arrows(pts, t.g_loss_gradient(pts))
    if views.landing:
        lz = np.zeros((0, cfg.noise_dim)) if selected_z is None else np.atleast_2d(selected_z)
        xs = land(t.generate, lz) if len(lz) else np.zeros((0, 2))
        out["landing"] = frame(x=xs[:, 0], y=xs[:, 1])
    return out


def noise_datasets(noise_dim: int, noise_kind: str, selected_z: np.ndarray | None = None,
                   drawable: bool = True, cells: int | None = None) -> dict[str, pd.DataFrame]:
    from gan_core.playground.manifold import CELLS_1D, CELLS_2D
    n = cells or (CELLS_2D if noise_dim == 2 else CELLS_1D // 10)
    t = noise_ticks(noise_kind, n)
    if noise_dim == 2:
        zz = np.stack(np.meshgrid(t, t, indexing="ij"), -1)
        grid = noise_grid_rows(Manifold(2, n, zz, zz, np.ones((n, n)), np.ones((n, n))))
    else:
        grid = {"z1": t[:-1], "z2": np.zeros(n), "z1_end": t[1:]}
    sel = np.zeros((0, noise_dim)) if selected_z is None else np.atleast_2d(selected_z)
    out = {"noise_grid": frame(**grid),
           "noise_selected": frame(z1=sel[:, 0], z2=sel[:, 1] if noise_dim == 2 else np.zeros(len(sel)))}
    if drawable:
        out["noise_canvas"] = noise_canvas(noise_dim, noise_kind)
    return out


@functools.lru_cache(maxsize=16)
def _noise_static_arrow(noise_dim: int, noise_kind: str) -> dict[str, bytes]:
    """The noise chart's grid and click canvas, a function of the noise settings alone: Arrow bytes built
    once per server (immutable, so every session shares them)."""
    full = noise_datasets(noise_dim, noise_kind)
    return {k: frame_bytes(v) for k, v in full.items() if k != "noise_selected"}


def noise_datasets_arrow(noise_dim: int, noise_kind: str, selected_z: np.ndarray | None = None) -> dict:
    """`noise_datasets` for the live page: the static grid and canvas cached as bytes, the selection fresh."""
    sel = np.zeros((0, noise_dim)) if selected_z is None else np.atleast_2d(selected_z)
    return {**_noise_static_arrow(int(noise_dim), str(noise_kind)),
            "noise_selected": frame(z1=sel[:, 0], z2=sel[:, 1] if noise_dim == 2 else np.zeros(len(sel)))}


def selection_noise(point: tuple[float, ...] | None = None, region: tuple[np.ndarray, np.ndarray] | None = None,
                    noise_dim: int = 2) -> np.ndarray | None:
    """The noise points a selection stands for: one point, or a regular sample of a box."""
    if region is not None:
        return region_noise(np.asarray(region[0], float), np.asarray(region[1], float), noise_dim)
    if point is not None:
        return np.asarray(point, dtype=np.float64)[:noise_dim].reshape(1, noise_dim)
    return None


# ---------------------------------------------------------------- curves

CURVES = {
    "divergence": (("kl", "js"), "Grid KL(real ‖ G) and JS", "nats"),
    "wasserstein": (("sliced_w",), "Sliced Wasserstein distance", "view units"),
    "coverage": (("coverage", "precision"), "Coverage and precision (within 5 % of the extent)", "%"),
    "modes": (("modes_captured",), "Modes captured", "modes"),
    "quality": (("high_quality",), "% high quality (≤ 3σ from a mode)", "%"),
    "reverse_kl": (("reverse_kl",), "Reverse KL over modes", "nats"),
    "losses": (("d_loss", "g_loss"), "Losses", "loss"),
}


def curve_specs(is_mixture: bool, n_modes: int = 0) -> dict[str, dict]:
    """Line charts of the run's history (datasets: "scores", and "losses" for the loss curves)."""
    out = {}
    for name, (series, title, y_title) in CURVES.items():
        if name in ("modes", "quality", "reverse_kl") and not is_mixture:
            continue
        dataset = "losses" if name == "losses" else "scores"
        spec = curves_spec(dataset, "step", list(series), title=title, y_title=y_title, height=150)
        if len(series) == 1:
            spec["encoding"]["color"]["legend"] = None
        if name == "coverage" or name == "quality":
            spec["encoding"]["y"]["scale"] = {"domain": [0, 100]}
        if name == "modes":
            spec["encoding"]["y"]["scale"] = {"domain": [0, max(1, n_modes)]}
        spec["$schema"] = _SCHEMA
        out[name] = spec
    return out


def curve_datasets(run) -> dict[str, pd.DataFrame]:
    scores = pd.DataFrame(run.history.view(MAX_HISTORY_POINTS))
    for col in ("coverage", "precision", "high_quality"):
        scores[col] = 100 * scores[col]
    h = run.trainer.history
    losses = pd.DataFrame({k: v for k, v in h.view(MAX_HISTORY_POINTS).items() if k in ("step", "d_loss", "g_loss")})
    return {"scores": scores, "losses": losses}


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


def with_datasets(spec: dict, datasets: dict[str, pd.DataFrame]) -> dict:
    """A copy of `spec` carrying the datasets it names, and only those: Streamlit 1.67 stops updating a chart
    in place when it is sent a dataset its spec does not read (seen in the browser: the curves froze)."""
    names = dataset_names(spec)
    out = dict(spec)
    out["datasets"] = {k: v for k, v in datasets.items() if k in names}
    return out

"""Vega-Lite figures of the mode-collapse page (plain dicts with named `datasets`, no streamlit).

Specs depend only on the target (domain, number of modes), never on the training state, so between
ticks only the datasets change and the browser redraws in place (see gan_core/vega.py).
Drawing never touches the trainer's random streams (fixed eval noise, fixed real sample).

A tick redraws every chart, so the datasets are Arrow bytes built from NumPy (no pandas), and what changes
only with a measurement (the samples, the mode counts, the curves: every `eval_every` steps) is built once
per measurement and reused by the ticks in between; only D's surface is new every step.
"""
from __future__ import annotations

import numpy as np

from gan_core.mode_collapse.metrics import capture_threshold
from gan_core.vega import PALETTE, arrow_bytes, curves_spec

_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
N_SURFACE = 24  # D's decision surface: a coarse grid (measured: lighter figures, more ticks per second)
N_FAKE_DRAWN = 500
N_REAL_DRAWN = 400
MAX_POINTS = 120
REAL, FAKE = "real data", "generated G(z)"


def scatter_spec(extent: float, height: int = 400) -> dict:
    scale = {"domain": [-extent, extent], "nice": False}
    x = {"field": "x", "type": "quantitative", "scale": scale, "title": "x₁"}
    y = {"field": "y", "type": "quantitative", "scale": scale, "title": "x₂"}
    cell = 2 * extent / N_SURFACE
    return {
        "$schema": _SCHEMA,
        "title": "Real vs generated samples, over D's belief D(x) that x is real",
        "height": height,
        "layer": [
            {
                "data": {"name": "surface"},
                "transform": [
                    {"calculate": f"datum.x - {cell / 2}", "as": "x0"}, {"calculate": f"datum.x + {cell / 2}", "as": "x1"},
                    {"calculate": f"datum.y - {cell / 2}", "as": "y0"}, {"calculate": f"datum.y + {cell / 2}", "as": "y1"},
                ],
                "mark": {"type": "rect", "opacity": 0.55},
                "encoding": {
                    "x": {"field": "x0", "type": "quantitative", "scale": scale, "title": "x₁"},
                    "x2": {"field": "x1"},
                    "y": {"field": "y0", "type": "quantitative", "scale": scale, "title": "x₂"},
                    "y2": {"field": "y1"},
                    "color": {"field": "D", "type": "quantitative", "title": "D(x)",
                              "scale": {"domain": [0, 1], "scheme": "greens"},
                              "legend": {"orient": "right", "gradientLength": 120}},
                },
            },
            {
                "data": {"name": "points"},
                "mark": {"type": "circle", "size": 9, "clip": True},
                "encoding": {
                    "x": x, "y": y,
                    "color": {"field": "kind", "type": "nominal", "title": None,
                              "scale": {"domain": [REAL, FAKE], "range": [PALETTE["real"], PALETTE["fake"]]},
                              "legend": {"orient": "right"}},
                    "opacity": {"value": 0.7},
                },
            },
            {
                "data": {"name": "modes"},
                "mark": {"type": "point", "shape": "circle", "size": 260, "strokeWidth": 2, "filled": False},
                "encoding": {
                    "x": x, "y": y,
                    "color": {"field": "status", "type": "nominal", "title": "mode",
                               "scale": {"domain": ["captured", "missed"], "range": ["#111111", "#d62728"]},
                              "legend": None},  # the caption under the chart explains the rings
                    "tooltip": [{"field": "mode", "type": "ordinal"}, {"field": "count", "type": "quantitative"}],
                },
            },
        ],
        "resolve": {"scale": {"color": "independent"}},
    }


def per_mode_spec(k: int, n: int) -> dict:
    return {
        "$schema": _SCHEMA,
        "title": "High-quality generated samples per mode",
        "height": 200,
        "layer": [
            {
                "data": {"name": "per_mode"},
                "mark": {"type": "bar"},
                "encoding": {
                    "x": {"field": "mode", "type": "ordinal", "title": "mode", "axis": {"labelAngle": 0}},
                    "y": {"field": "count", "type": "quantitative", "title": "samples",
                          "scale": {"domain": [0, 3 * n / k], "clamp": True}},
                    "color": {"field": "status", "type": "nominal", "title": None,
                              "scale": {"domain": ["captured", "missed"], "range": [PALETTE["fake"], "#d62728"]}},
                },
            },
            {
                "data": {"values": [{"t": capture_threshold(k) * n, "u": n / k}]},
                "layer": [
                    {"mark": {"type": "rule", "strokeDash": [4, 3], "color": "#444"},
                     "encoding": {"y": {"field": "t", "type": "quantitative"}}},
                    {"mark": {"type": "rule", "color": PALETTE["real"]},
                     "encoding": {"y": {"field": "u", "type": "quantitative"}}},
                ],
            },
        ],
    }


CURVES = (  # name, series, title, y title
    ("modes", ("modes_captured",), "Modes captured (of {k})", "modes"),
    ("quality", ("high_quality",), "% high quality (≤ 3σ from a mode)", "%"),
    ("rkl", ("reverse_kl",), "Reverse KL over modes", "nats"),
    ("losses", ("d_loss", "g_loss"), "Losses", "loss"),
)


def _specs(k: int, n: int, extent: float) -> dict[str, dict]:
    """The charts without their data: a function of the target alone."""
    out = {"scatter": scatter_spec(extent), "per_mode": per_mode_spec(k, n)}
    for name, series, title, y_title in CURVES:
        spec = curves_spec("history", "step", list(series), title=title.format(k=k), y_title=y_title, height=170)
        if len(series) == 1:
            spec["encoding"]["color"]["legend"] = None
        if name == "modes":
            spec["encoding"]["y"]["scale"] = {"domain": [0, k]}
        elif name == "quality":
            spec["encoding"]["y"]["scale"] = {"domain": [0, 100]}
        elif name == "rkl":
            spec["encoding"]["y"]["scale"] = {"domain": [0, float(np.log(k))], "clamp": True}
        out[name] = spec
    return out


def _measured(trainer) -> dict[str, bytes]:
    """The datasets that change only with a measurement: the points, the mode rings and bars, the curves."""
    t, report = trainer.target, trainer.report
    k = t.k
    fake = trainer.samples[:N_FAKE_DRAWN]
    real = trainer.real_samples(N_REAL_DRAWN)
    status = np.where(report.captured, "captured", "missed")
    kind = np.array([REAL] * len(real) + [FAKE] * len(fake), dtype=object)
    hist = trainer.history.view(MAX_POINTS)
    data = {
        "points": arrow_bytes(x=np.concatenate([real[:, 0], fake[:, 0]]), y=np.concatenate([real[:, 1], fake[:, 1]]),
                              kind=kind),
        "modes": arrow_bytes(x=t.centres[:, 0], y=t.centres[:, 1], mode=np.arange(1, k + 1), count=report.counts,
                             status=status),
        "per_mode": arrow_bytes(mode=np.arange(1, k + 1), count=report.counts, status=status),
    }
    for name, series, _, _ in CURVES:  # each chart ships the columns it draws, not the whole history
        data[name] = arrow_bytes(step=hist["step"], **{c: hist[c] for c in series})
    return data


def live_charts(trainer) -> dict[str, tuple[dict, dict[str, bytes]]]:
    """Every chart of one tick: name -> (spec without data, its datasets as Arrow bytes). The specs are built
    once per target and shared (never mutate them: the app caches their JSON by identity, ui/charts.py), the
    measured datasets once per measurement, D's surface once per step (cached on the trainer: a paused run's
    redraws, and the ticks between two measurements, reuse them)."""
    t = trainer.target
    cache = trainer.__dict__.setdefault("_figure_cache", {})
    if cache.get("specs_for") is not t:
        cache.clear()
        cache["specs_for"], cache["specs"] = t, _specs(t.k, trainer.report.n, t.extent)
    measured = (getattr(trainer, "evaluations", 0), trainer.history.total_recorded)
    if cache.get("measured_at") != measured:
        cache["measured_at"], cache["measured"] = measured, _measured(trainer)
    surface_at = (trainer.steps, measured)
    if cache.get("surface_at") != surface_at:
        xs, ys, d = trainer.decision_surface(N_SURFACE)
        cache["surface_at"], cache["surface"] = surface_at, arrow_bytes(x=xs, y=ys, D=d)
    data = cache["measured"]
    datasets = {
        "scatter": {"surface": cache["surface"], "points": data["points"], "modes": data["modes"]},
        "per_mode": {"per_mode": data["per_mode"]},
        **{name: {"history": data[name]} for name, *_ in CURVES},
    }
    return {name: (spec, datasets[name]) for name, spec in cache["specs"].items()}


def build_live_figures(trainer) -> dict[str, dict]:
    """`live_charts` as one spec per chart with its `datasets` attached (a fresh top-level dict per chart:
    Streamlit pops `datasets` off the spec it is given)."""
    return {name: {**spec, "datasets": data} for name, (spec, data) in live_charts(trainer).items()}

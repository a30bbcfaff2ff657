"""Vega-Lite figures of the mode-collapse page (plain dicts with named `datasets`, no streamlit).

Specs depend only on the target (domain, number of modes), never on the training state, so between
ticks only the datasets change and the browser redraws in place (see gan_core/vega.py).
Drawing never touches the trainer's random streams (fixed eval noise, fixed real sample).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from gan_core.mode_collapse.metrics import capture_threshold
from gan_core.vega import PALETTE, curves_spec, frame

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


def build_live_figures(trainer) -> dict[str, dict]:
    """Every chart of one tick: name -> (spec, datasets) merged into a spec with `datasets`."""
    t = trainer.target
    k = t.k
    report = trainer.report
    fake = trainer.samples[:N_FAKE_DRAWN]
    real = trainer.real_samples(N_REAL_DRAWN)
    points = pd.concat([
        frame(x=real[:, 0], y=real[:, 1]).assign(kind=REAL),
        frame(x=fake[:, 0], y=fake[:, 1]).assign(kind=FAKE),
    ], ignore_index=True)
    xs, ys, d = trainer.decision_surface(N_SURFACE)
    status = np.where(report.captured, "captured", "missed")
    modes = frame(x=t.centres[:, 0], y=t.centres[:, 1], mode=np.arange(1, k + 1), count=report.counts).assign(status=status)
    scatter = scatter_spec(t.extent)
    scatter["datasets"] = {"surface": frame(x=xs, y=ys, D=d), "points": points, "modes": modes}

    bars = per_mode_spec(k, report.n)
    bars["datasets"] = {"per_mode": frame(mode=np.arange(1, k + 1), count=report.counts).assign(status=status)}

    hist = pd.DataFrame(trainer.history.view(MAX_POINTS))
    out = {"scatter": scatter, "per_mode": bars}
    for name, series, title, y_title in (
        ("modes", ["modes_captured"], f"Modes captured (of {k})", "modes"),
        ("quality", ["high_quality"], "% high quality (≤ 3σ from a mode)", "%"),
        ("rkl", ["reverse_kl"], "Reverse KL over modes", "nats"),
        ("losses", ["d_loss", "g_loss"], "Losses", "loss"),
    ):
        spec = curves_spec("history", "step", series, title=title, y_title=y_title, height=170)
        if len(series) == 1:
            spec["encoding"]["color"]["legend"] = None
        if name == "modes":
            spec["encoding"]["y"]["scale"] = {"domain": [0, k]}
        elif name == "quality":
            spec["encoding"]["y"]["scale"] = {"domain": [0, 100]}
        elif name == "rkl":
            spec["encoding"]["y"]["scale"] = {"domain": [0, float(np.log(k))], "clamp": True}
        spec["datasets"] = {"history": hist}
        out[name] = spec
    return out

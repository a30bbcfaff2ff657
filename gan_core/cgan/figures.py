"""Vega-Lite specs for the CGAN page (plain dicts, data in named `datasets`; see gan_core/vega.py). The two
live curves carry Arrow bytes built from NumPy (redrawn every tick); the rest carry DataFrames."""
from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from gan_core.vega import PALETTE, arrow_bytes, curves_spec

from .trainer import CGANTrainer


def _live_columns(trainer: CGANTrainer, max_points: int, **names: str) -> bytes:
    """Arrow bytes of the step and some history series: steps as int32, values as float32 (half the bytes a
    tick sends; a chart needs no more than float32's 7 digits)."""
    cols = trainer.history.view(max_points)
    return arrow_bytes(step=cols["step"].astype(np.int32),
                       **{label: cols[name].astype(np.float32) for label, name in names.items()})


def _losses_spec() -> dict:
    return curves_spec("cgan_losses", "step", ["D loss", "G loss"], title="Losses (a tug of war, not a descent)",
                       y_title="loss", height=200, colors=[PALETTE["discriminator"], PALETTE["fake"]])


def _scores_spec(shows_probability: bool) -> dict:
    names = ["D(real)", "D(G(z))"]
    if shows_probability:
        spec = curves_spec("cgan_scores", "step", names, title="D's probability that a digit is real",
                           y_title="mean D(x, y) = P(real)", height=200, colors=[PALETTE["real"], PALETTE["fake"]])
        spec["encoding"]["y"]["scale"] = {"domain": [0, 1]}  # ½: D cannot tell real from generated
        return spec
    return curves_spec("cgan_scores", "step", names, title="Discriminator scores (hinge: raw scores, not probabilities)",
                       y_title="mean D(x, y)", height=200, colors=[PALETTE["real"], PALETTE["fake"]])


def loss_curves(trainer: CGANTrainer, max_points: int = 300) -> dict:
    """D and G losses against training step."""
    spec = _losses_spec()
    spec["datasets"] = {"cgan_losses": _live_columns(trainer, max_points,
                                                     **{"D loss": "d_loss", "G loss": "g_loss"})}
    return spec


def discriminator_scores(trainer: CGANTrainer, max_points: int = 300) -> dict:
    """D's mean output on real and on generated digits: the gap is what G is trying to close. With the
    sigmoid + BCE loss these are probabilities ("how sure D is that this is a real digit of class y"),
    drawn on [0, 1] (½: D can no longer tell); with hinge they are raw scores."""
    spec = _scores_spec(trainer.shows_probability)
    spec["datasets"] = {"cgan_scores": _live_columns(trainer, max_points, **{"D(real)": "d_real", "D(G(z))": "d_fake"})}
    return spec


LIVE_DATASET = "cgan_live"
LIVE_SERIES = {"D(real)": "d_real", "D(G(z))": "d_fake", "D loss": "d_loss", "G loss": "g_loss"}


@lru_cache(maxsize=2)
def live_curves_spec(shows_probability: bool) -> dict:
    """The live chart without its data: D's scores above the losses over one dataset. One object per loss
    kind (never mutate it): ui/charts.py JSON-encodes it once, each tick only attaches `live_curves_data`."""
    scores, losses = _scores_spec(shows_probability), _losses_spec()
    for view in (scores, losses):
        view["data"] = {"name": LIVE_DATASET}
    return {"vconcat": [scores, losses], "spacing": 24, "resolve": {"scale": {"color": "independent"}}}


def live_curves_data(trainer: CGANTrainer, max_points: int = 300) -> dict[str, bytes]:
    """The live chart's one dataset (Arrow bytes of the last `max_points` history rows)."""
    return {LIVE_DATASET: _live_columns(trainer, max_points, **LIVE_SERIES)}


def live_curves(trainer: CGANTrainer, max_points: int = 300) -> dict:
    """D's scores above the losses as one chart (one element a tick instead of two) over one dataset."""
    return {**live_curves_spec(trainer.shows_probability), "datasets": live_curves_data(trainer, max_points)}


def accuracy_vs_time(curve: list[dict], title: str = "Conditional accuracy while training") -> dict:
    """Judge's conditional accuracy against training seconds (from a checkpoint's JSON)."""
    data = pd.DataFrame([{"seconds": c["seconds"], "accuracy": c["conditional_accuracy"]} for c in curve])
    return {
        "title": title,
        "height": 200,
        "data": {"name": "cgan_curve"},
        "datasets": {"cgan_curve": data},
        "mark": {"type": "line", "point": True},
        "encoding": {
            "x": {"field": "seconds", "type": "quantitative", "title": "training seconds"},
            "y": {"field": "accuracy", "type": "quantitative", "title": "judge accuracy", "scale": {"domain": [0, 1]},
                  "axis": {"format": "%"}},
        },
    }


def per_class_quality(per_class: list[dict]) -> dict:
    """Three small panels per digit: accuracy, diversity (generated vs real) and Fréchet distance
    (generated vs real, and real vs real as the floor)."""
    rows = []
    for c in per_class:
        d = str(c["digit"])
        rows.append({"digit": d, "metric": "judge accuracy", "who": "generated", "value": c["accuracy"]})
        rows.append({"digit": d, "metric": "diversity", "who": "generated", "value": c["diversity"]})
        rows.append({"digit": d, "metric": "diversity", "who": "real", "value": c["real_diversity"]})
        rows.append({"digit": d, "metric": "Fréchet distance", "who": "generated", "value": c["frechet"]})
        rows.append({"digit": d, "metric": "Fréchet distance", "who": "real", "value": c["real_frechet"]})
    return {
        "data": {"name": "cgan_quality"},
        "datasets": {"cgan_quality": pd.DataFrame(rows)},
        "facet": {"column": {"field": "metric", "type": "nominal", "title": None,
                             "sort": ["judge accuracy", "diversity", "Fréchet distance"]}},
        "resolve": {"scale": {"y": "independent"}},
        "spec": {
            "width": 230,
            "height": 170,
            "mark": {"type": "bar"},
            "encoding": {
                "x": {"field": "digit", "type": "nominal", "title": "digit"},
                "xOffset": {"field": "who"},
                "y": {"field": "value", "type": "quantitative", "title": None},
                "color": {"field": "who", "type": "nominal", "title": None,
                          "scale": {"domain": ["generated", "real"], "range": [PALETTE["fake"], PALETTE["real"]]}},
                "tooltip": [{"field": "digit"}, {"field": "who"}, {"field": "value", "format": ".3f"}],
            },
        },
    }


def architecture_spec(rows: list[dict]) -> dict:
    """The two networks drawn left to right as blocks (models.architecture_table rows): a block's height
    is the feature map's side (28, 14, 7; 1 for vectors), its label the layer and shape. G on top, D below."""
    data = []
    for order, r in enumerate(rows):
        shape = r["shape"]
        side = shape[1] if len(shape) == 3 else 1
        data.append({"network": "generator G(z, y)" if r["network"] == "G" else "discriminator D(x, y)",
                     "order": order if r["network"] == "G" else order - sum(1 for q in rows if q["network"] == "G"),
                     "layer": r["layer"], "kind": r["kind"], "side": side,
                     "shape": " × ".join(str(v) for v in shape), "params": r["params"]})
    tooltip = [{"field": "layer"}, {"field": "kind"}, {"field": "shape"}, {"field": "params", "format": ","}]
    return {
        "data": {"name": "cgan_arch"},
        "datasets": {"cgan_arch": pd.DataFrame(data)},
        "facet": {"row": {"field": "network", "type": "nominal", "title": None, "sort": ["generator G(z, y)"]}},
        "spec": {
            "width": 640, "height": 110,
            "layer": [
                {"mark": {"type": "bar", "width": 46, "cornerRadius": 3, "opacity": 0.8},
                 "encoding": {"x": {"field": "order", "type": "ordinal", "axis": None},
                              "y": {"field": "side", "type": "quantitative", "scale": {"domain": [0, 30]},
                                    "title": "feature-map side (px)"},
                              "color": {"field": "network", "type": "nominal", "legend": None,
                                        "scale": {"range": [PALETTE["discriminator"], PALETTE["fake"]]}},
                              "tooltip": tooltip}},
                {"mark": {"type": "text", "dy": -18, "fontWeight": "bold"},
                 "encoding": {"x": {"field": "order", "type": "ordinal"}, "y": {"field": "side", "type": "quantitative"},
                              "text": {"field": "layer"}}},
                {"mark": {"type": "text", "dy": -6, "fontSize": 10},
                 "encoding": {"x": {"field": "order", "type": "ordinal"}, "y": {"field": "side", "type": "quantitative"},
                              "text": {"field": "shape"}}},
            ],
        },
        "resolve": {"scale": {"x": "independent"}},
    }

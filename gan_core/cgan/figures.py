"""Vega-Lite specs for the CGAN page (plain dicts, data in named `datasets`; see gan_core/vega.py)."""
from __future__ import annotations

import pandas as pd

from gan_core.vega import PALETTE, curves_spec, frame

from .trainer import CGANTrainer


def loss_curves(trainer: CGANTrainer, max_points: int = 300) -> dict:
    """D and G losses against training step."""
    cols = trainer.history.view(max_points)
    spec = curves_spec("cgan_losses", "step", ["D loss", "G loss"], title="Losses (a tug of war, not a descent)",
                       y_title="loss", height=200, colors=[PALETTE["discriminator"], PALETTE["fake"]])
    spec["datasets"] = {"cgan_losses": frame(step=cols["step"], **{"D loss": cols["d_loss"], "G loss": cols["g_loss"]})}
    return spec


def discriminator_scores(trainer: CGANTrainer, max_points: int = 300) -> dict:
    """Mean raw D score on real and on generated digits: the gap is what G is trying to close."""
    cols = trainer.history.view(max_points)
    spec = curves_spec("cgan_scores", "step", ["D(real)", "D(fake)"], title="Discriminator scores",
                       y_title="mean D(x, y)", height=200, colors=[PALETTE["real"], PALETTE["fake"]])
    spec["datasets"] = {"cgan_scores": frame(step=cols["step"], **{"D(real)": cols["d_real"], "D(fake)": cols["d_fake"]})}
    return spec


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

"""Slow motion: one training step walked through its stages, one `advance()` per stage.

    sample z → G forward → D judges real and fake → D update → G update → (back to the start)

The walk uses ONE batch throughout (the trainer's next batch from its own stream), so what is shown at each
stage is what the update then uses. With d_steps > 1 the walk shows the first D update; the others follow
at the "D update" stage on the stream's next batches, as in a normal step. Nothing here draws: `frame()`
gives the numbers, `graph_datasets()` the model graph with the active stage highlighted.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from gan_core.vega import PALETTE, frame

STAGES = ("sample", "g_forward", "d_judges", "d_update", "g_update")
STAGE_TEXT = {
    "idle": "Ready: the next press samples a batch.",
    "sample": "Sample a batch of noise z (and a batch of real points).",
    "g_forward": "G maps each z to a point G(z): the generated batch.",
    "d_judges": "D scores the real points and the generated ones.",
    "d_update": "D takes one step: up on real points, down on generated ones.",
    "g_update": "G takes one step along −∇ of its loss: its points move where D scores higher.",
}
N_SHOWN = 64  # points of the batch shown at each stage


@dataclass
class Walk:
    stage: str = "idle"
    real: np.ndarray | None = None
    z: np.ndarray | None = None
    fake: np.ndarray | None = None
    d_real: np.ndarray | None = None
    d_fake: np.ndarray | None = None
    d_loss: float = float("nan")
    g_loss: float = float("nan")
    moved: np.ndarray | None = None  # G(z) after the G update
    walked: int = 0  # steps completed in slow motion
    batch: object = field(default=None, repr=False)


def _own(trainer, z: np.ndarray) -> np.ndarray:
    """G's own current weights (not their running average): what the step trains and D judges."""
    try:
        return trainer.generate(z, raw=True)
    except TypeError:  # a trainer without a weight average
        return trainer.generate(z)


class SlowMotion:
    """Drives a TwoDTrainer (or anything with sample_batch / generate / discriminator / step_discriminator /
    step_generator) one stage at a time."""

    def __init__(self, trainer):
        self.trainer = trainer
        self.walk = Walk()

    @property
    def stage(self) -> str:
        return self.walk.stage

    @property
    def next_stage(self) -> str:
        return STAGES[0] if self.walk.stage in ("idle", STAGES[-1]) else STAGES[STAGES.index(self.walk.stage) + 1]

    def advance(self) -> str:
        """Do the next stage's work; returns the stage now shown."""
        t, w = self.trainer, self.walk
        stage = self.next_stage
        if stage == "sample":
            walked = w.walked
            w = self.walk = Walk(walked=walked)
            w.batch = t.sample_batch()
            w.real, w.z = np.asarray(w.batch.real, float), np.asarray(w.batch.z, float)
        elif stage == "g_forward":
            w.fake = _own(t, w.z)
        elif stage == "d_judges":
            w.d_real, w.d_fake = t.discriminator(w.real), t.discriminator(w.fake)
        elif stage == "d_update":
            w.d_loss = t.step_discriminator(w.batch)
            for _ in range(getattr(t.config, "d_steps", 1) - 1):
                t.step_discriminator()
        elif stage == "g_update":
            w.g_loss = t.step_generator(w.batch.z)
            w.moved = _own(t, w.z)
            w.walked += 1
        w.stage = stage
        return stage

    def finish(self) -> None:
        """Complete the step under way (so leaving slow motion never leaves D updated and G not)."""
        while self.walk.stage not in ("idle", STAGES[-1]):
            self.advance()

    def points(self, n: int = N_SHOWN) -> pd.DataFrame:
        """The batch as the stage shows it: real points, G(z) (with D's scores once judged), and after the
        G update where each G(z) moved to."""
        w = self.walk
        parts = []
        if w.real is not None:
            r = w.real[:n]
            parts.append(frame(x=r[:, 0], y=r[:, 1], D=(w.d_real[:n] if w.d_real is not None else np.full(len(r), np.nan)),
                               x2=np.full(len(r), np.nan), y2=np.full(len(r), np.nan)).assign(kind="real"))
        if w.fake is not None:
            f = w.fake[:n]
            moved = w.moved[:n] if w.moved is not None else np.full_like(f, np.nan)
            parts.append(frame(x=f[:, 0], y=f[:, 1], D=(w.d_fake[:n] if w.d_fake is not None else np.full(len(f), np.nan)),
                               x2=moved[:, 0], y2=moved[:, 1]).assign(kind="generated"))
        if not parts:
            return pd.DataFrame({"x": [], "y": [], "D": [], "x2": [], "y2": [], "kind": []})
        return pd.concat(parts, ignore_index=True)


# ---------------------------------------------------------------- the model graph

_NODES = {  # name: (x, y, label, stages where it is active)
    "z": (0, 1, "noise z", ("sample",)),
    "G": (1, 1, "G", ("g_forward", "g_update")),
    "fake": (2, 1, "G(z)", ("g_forward", "d_judges")),
    "real": (2, 0, "real x", ("sample", "d_judges")),
    "D": (3, 0.5, "D", ("d_judges", "d_update")),
    "loss": (4, 0.5, "losses", ("d_update", "g_update")),
}
_EDGES = [("z", "G", ("g_forward",)), ("G", "fake", ("g_forward",)), ("fake", "D", ("d_judges",)),
          ("real", "D", ("d_judges",)), ("D", "loss", ("d_update", "g_update")),
          ("loss", "D", ("d_update",)), ("loss", "G", ("g_update",))]


def graph_datasets(stage: str) -> dict[str, pd.DataFrame]:
    nodes = pd.DataFrame([{"node": k, "x": x, "y": y, "label": lab, "active": stage in act}
                          for k, (x, y, lab, act) in _NODES.items()])
    rows = []
    for i, (a, b, act) in enumerate(_EDGES):
        (xa, ya), (xb, yb) = _NODES[a][:2], _NODES[b][:2]
        back = (a, b) in (("loss", "D"), ("loss", "G"))
        rows.append({"edge": i, "x": xa, "y": ya - (0.12 if back else 0), "x2": xb, "y2": yb - (0.12 if back else 0),
                     "active": stage in act, "kind": "update" if back else "forward"})
    return {"graph_nodes": nodes, "graph_edges": pd.DataFrame(rows)}


def graph_spec(height: int = 150) -> dict:
    x = {"field": "x", "type": "quantitative", "axis": None, "scale": {"domain": [-0.5, 4.5]}}
    y = {"field": "y", "type": "quantitative", "axis": None, "scale": {"domain": [-0.5, 1.5]}}
    on = {"condition": {"test": "datum.active", "value": PALETTE["fake"]}, "value": "#bbbbbb"}
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "height": height, "width": 460, "title": "One training step",
        "layer": [
            {"data": {"name": "graph_edges"}, "mark": {"type": "rule", "strokeWidth": 2},
             "encoding": {"x": x, "y": y, "x2": {"field": "x2"}, "y2": {"field": "y2"}, "color": on,
                          "strokeDash": {"field": "kind", "type": "nominal", "legend": None,
                                         "scale": {"domain": ["forward", "update"], "range": [[1, 0], [4, 3]]}}}},
            {"data": {"name": "graph_nodes"}, "mark": {"type": "square", "size": 1400, "opacity": 1},
             "encoding": {"x": x, "y": y, "color": on}},
            {"data": {"name": "graph_nodes"}, "mark": {"type": "text", "fontSize": 12, "fontWeight": "bold"},
             "encoding": {"x": x, "y": y, "text": {"field": "label"}}},
        ],
    }


def batch_spec(height: int = 300) -> dict:
    """The walked batch on the plane: real (blue) and generated (orange) points, sized by D's score once
    judged, and after the G update a line from each G(z) to where it moved (dataset "batch")."""
    scale = {"domain": [-1, 1], "nice": False}
    x = {"field": "x", "type": "quantitative", "scale": scale, "title": "x₁"}
    y = {"field": "y", "type": "quantitative", "scale": scale, "title": "x₂"}
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "height": height, "width": height, "title": "The batch of this step",
        "layer": [
            {"data": {"name": "batch"}, "transform": [{"filter": "isValid(datum.x2)"}],
             "mark": {"type": "rule", "color": "#222", "strokeWidth": 1.2},
             "encoding": {"x": x, "y": y, "x2": {"field": "x2"}, "y2": {"field": "y2"}}},
            {"data": {"name": "batch"}, "mark": {"type": "circle", "opacity": 0.8, "clip": True},
             "encoding": {"x": x, "y": y,
                          "color": {"field": "kind", "type": "nominal", "title": None,
                                    "scale": {"domain": ["real", "generated"], "range": [PALETTE["real"], PALETTE["fake"]]}},
                          "size": {"condition": {"test": "isValid(datum.D)", "field": "D", "type": "quantitative",
                                                 "scale": {"range": [10, 160]}, "title": "D"},
                                   "value": 30},
                          "tooltip": [{"field": "kind"}, {"field": "D", "format": ".2f"}]}},
        ],
    }

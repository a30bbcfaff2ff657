"""A toy config and a toy "trainer" (one array that shrinks each step) for testing ui/links.py,
ui/presenter.py and ui/export_bar.py on their own, page-agnostic (tests/links_toy_app.py is the page)."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from gan_core.settings_spec import check, setting


@dataclass(frozen=True)
class ToyConfig:
    eta: float = field(default=0.1, metadata=setting("Step size η", min=0.001, max=1.0, positive=True))
    digit: int = field(default=3, metadata=setting("Digit", min=0, max=9))
    loss: str = field(default="ns", metadata=setting("Loss", choices={"ns": "non-saturating", "mm": "minimax"}))
    width: int = field(default=8, metadata=setting("Width", min=2, max=64, advanced=True))

    def validate(self) -> dict[str, str]:
        return check(self)


def build(config, seed):
    rng = np.random.default_rng(seed)
    return {"w": rng.normal(size=(config.width,)), "step": 0, "loss": []}


class ToyAdapter:
    lesson = "toy"
    config_cls = ToyConfig

    def step_count(self, run):
        return run["step"]

    def export_tensors(self, run):
        return {"G.w": run["w"]}

    def import_tensors(self, run, tensors):
        run["w"] = tensors["G.w"].copy()

    def history_rows(self, run):
        return {"loss": run["loss"]}

    def import_history(self, run, history, step):
        run["step"], run["loss"] = step, [float(v) for v in history.get("loss", [])]


ADAPTER = ToyAdapter()

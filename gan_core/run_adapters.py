"""Each lesson's trainer ↔ a run bundle (gan_core/run_bundle.py): which arrays, curves and step count.

What an export restores: the settings, the seed, the networks' weights (and for the 1-D NumPy engine its
Adam moments), the step count and the capped history, so the page shows the same run. What it does not
carry: the random streams (data order, noise draws) and torch optimisers' moments, so training on after an
import is a fresh continuation, not bit for bit the original one.

Keyed by the lesson's id (the run lifecycle's prefix): `ADAPTERS["mc"]`.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from gan_core.history import CappedHistory
from gan_core.run_bundle import BundleError


# ---------------------------------------------------------------- shared pieces

def scalar(value: float | int, dtype=np.int64) -> np.ndarray:
    """A number as a 1-element array (safetensors stores 0-d arrays as shape (1,))."""
    return np.array([value], dtype=dtype)


def module_tensors(name: str, module: Any) -> dict[str, np.ndarray]:
    """A torch module's state (weights, batch-norm statistics) as named NumPy arrays."""
    return {f"{name}.{k}": v.detach().cpu().numpy().reshape(v.shape or (1,)).copy()
            for k, v in module.state_dict().items()}


def load_module_tensors(name: str, module: Any, tensors: dict[str, np.ndarray]) -> None:
    import torch

    own = module.state_dict()
    state = {k: torch.from_numpy(np.ascontiguousarray(tensors[f"{name}.{k}"]).reshape(own[k].shape))
             .to(own[k].device, own[k].dtype) for k in own}
    module.load_state_dict(state, strict=True)


def history_columns(history: CappedHistory) -> dict[str, np.ndarray]:
    """Every kept row, oldest first."""
    if len(history) == 0:
        return {name: np.zeros(0) for name in history.names}
    return {name: history.column(name) for name in history.names}


def load_history(history: CappedHistory, columns: dict[str, np.ndarray]) -> None:
    """Refill a capped history from a bundle's columns (columns this version does not record are dropped)."""
    known = [n for n in history.names if n in columns]
    history.clear()
    if not known:
        return
    n = min(len(columns[k]) for k in known)
    for i in range(max(0, n - history.capacity), n):
        history.append({k: float(columns[k][i]) for k in known})


@dataclass(frozen=True)
class TorchRun:
    """A trainer whose state is torch modules held as attributes, a `steps` counter and a `history`.

    modules: the attribute names of the modules to carry ("G", "D", …)
    after: what to do once loaded (re-measure, a new last-good snapshot …)
    """

    lesson: str
    config_cls: type
    modules: Sequence[str]
    after: Callable[[Any], None] | None = None
    step_attr: str = "steps"
    title: str = ""

    def step_count(self, trainer: Any) -> int:
        return int(getattr(trainer, self.step_attr))

    def export_tensors(self, trainer: Any) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        for name in self.modules:
            out.update(module_tensors(name, getattr(trainer, name)))
        return out

    def import_tensors(self, trainer: Any, tensors: dict[str, np.ndarray]) -> None:
        for name in self.modules:
            load_module_tensors(name, getattr(trainer, name), tensors)

    def history_rows(self, trainer: Any) -> dict[str, np.ndarray]:
        return history_columns(trainer.history)

    def import_history(self, trainer: Any, history: dict[str, np.ndarray], step: int) -> None:
        load_history(trainer.history, history)
        setattr(trainer, self.step_attr, int(step))
        if self.after is not None:
            self.after(trainer)


# ---------------------------------------------------------------- lessons

class Mapping1DRun:
    """The 1-D lesson: the NumPy engine's flat vectors (G, D, G's EMA, Adam moments), or the torch engine's
    modules on a GPU."""

    lesson, title = "m1d", "1-D mapping"

    @property
    def config_cls(self) -> type:
        from gan_core.mapping_1d.config import Mapping1DConfig

        return Mapping1DConfig

    def step_count(self, trainer: Any) -> int:
        return int(trainer.steps)

    def export_tensors(self, trainer: Any) -> dict[str, np.ndarray]:
        e = trainer.engine
        if trainer.engine_name == "torch":
            return {**module_tensors("G", e.G), **module_tensors("D", e.D), **module_tensors("G_ema", e.G_ema),
                    "g_updates": scalar(e.g_updates)}
        out = {"G": e.G.flat.copy(), "D": e.D.flat.copy(), "G_ema": e.ema_flat.copy(),
               "g_updates": scalar(e.g_updates)}
        for net, (m, v, t) in e._adam.items():
            out.update({f"adam.{net}.m": m.copy(), f"adam.{net}.v": v.copy(), f"adam.{net}.t": scalar(t)})
        return out

    def import_tensors(self, trainer: Any, tensors: dict[str, np.ndarray]) -> None:
        e = trainer.engine
        e.g_updates = int(tensors["g_updates"][0])
        if trainer.engine_name == "torch":
            for name in ("G", "D", "G_ema"):
                load_module_tensors(name, getattr(e, name), tensors)
            return
        e.G.flat[...] = tensors["G"]
        e.D.flat[...] = tensors["D"]
        e.ema_flat[...] = tensors["G_ema"]
        for net, state in e._adam.items():
            state[0][...] = tensors[f"adam.{net}.m"]
            state[1][...] = tensors[f"adam.{net}.v"]
            state[2] = int(tensors[f"adam.{net}.t"][0])

    def history_rows(self, trainer: Any) -> dict[str, np.ndarray]:
        return history_columns(trainer.history)

    def import_history(self, trainer: Any, history: dict[str, np.ndarray], step: int) -> None:
        load_history(trainer.history, history)
        trainer.steps = int(step)
        if not trainer.engine.finite():
            raise BundleError("The weights in this export do not give a finite generator.")
        trainer._take_snapshot()  # "Restore last good state" goes back to the imported run


class SteppedView:
    """A lesson whose run is computed from its settings alone (the xy and Dirac games): the bundle carries
    the settings and the step shown; there are no weights."""

    def __init__(self, lesson: str, title: str):
        self.lesson, self.title = lesson, title

    @property
    def config_cls(self) -> type:
        from gan_core.games.config import GameConfig

        return GameConfig

    def step_count(self, trainer: Any) -> int:
        return int(trainer.steps)

    def export_tensors(self, trainer: Any) -> dict[str, np.ndarray]:
        return {}

    def import_tensors(self, trainer: Any, tensors: dict[str, np.ndarray]) -> None:
        return None

    def history_rows(self, trainer: Any) -> dict[str, np.ndarray]:
        return {}

    def import_history(self, trainer: Any, history: dict[str, np.ndarray], step: int) -> None:
        trainer.seek(int(step))


class _Lazy:
    """A TorchRun whose config class is imported on first use (so importing this module stays cheap)."""

    def __init__(self, lesson: str, config: str, **options: Any):
        self.lesson, self._config, self._options, self._run = lesson, config, options, None

    def _get(self) -> TorchRun:
        if self._run is None:
            module, name = self._config.rsplit(".", 1)
            cls = getattr(__import__(module, fromlist=[name]), name)
            self._run = TorchRun(self.lesson, cls, **self._options)
        return self._run

    @property
    def config_cls(self) -> type:
        return self._get().config_cls

    def __getattr__(self, name: str) -> Any:
        return getattr(self._get(), name)


def _after_cgan(t: Any) -> None:
    t.snapshots.clear()
    t._take_snapshot()


def _after_mode_collapse(t: Any) -> None:
    t.report = t.evaluate()
    t._snapshot()


ADAPTERS: dict[str, Any] = {
    "m1d": Mapping1DRun(),
    "cgan": _Lazy("cgan", "gan_core.cgan.config.CGANConfig", title="CGAN training",
                  modules=("generator", "discriminator", "ema_generator"), after=_after_cgan),
    "xy": SteppedView("xy", "xy game"),
    "dirac": SteppedView("dirac", "Dirac-GAN"),
    "spam": _Lazy("spam", "gan_core.spam.config.SpamConfig", modules=("spammer", "filter"), step_attr="round",
                  title="Spammer vs spam filter"),
    "mc": _Lazy("mc", "gan_core.mode_collapse.config.ModeCollapseConfig", modules=("G", "D"), title="Mode collapse",
                after=_after_mode_collapse),
}

"""Each lesson's trainer ↔ a run bundle (gan_core/run_bundle.py): which arrays, curves and step count.

What an export restores: the settings, the seed, the networks' weights (and for the 1-D NumPy engine its
Adam moments), the step count and the capped history, so the page shows the same run. What it does not
carry: the random streams (data order, noise draws) and torch optimisers' moments, so training on after an
import is a fresh continuation, not bit for bit the original one.

Keyed by the lesson's id (the run lifecycle's prefix): `ADAPTERS["mc"]`. The mode-collapse lesson and the 2-D
playground share the 2-D core's state (`TwoDState`); the playground's side-by-side pair carries both runs.
"""
from __future__ import annotations

import importlib
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


GAN_MODULES = ("G", "D", "G_ema")  # a torch engine's modules (the 1-D lesson's and the 2-D core's)


def gan_module_tensors(engine: Any) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    for name in GAN_MODULES:
        out.update(module_tensors(name, getattr(engine, name)))
    return out


def load_gan_modules(engine: Any, tensors: dict[str, np.ndarray]) -> None:
    for name in GAN_MODULES:
        load_module_tensors(name, getattr(engine, name), tensors)


def imported(path: str) -> Any:
    """"package.module.Name" imported on first use (so importing this module stays cheap)."""
    module, name = path.rsplit(".", 1)
    return getattr(importlib.import_module(module), name)


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

class LessonRun:
    """What the lessons' adapters share: the settings class (by its import path), a `steps` counter and a
    `history` of curves."""

    lesson = title = config_path = ""

    @property
    def config_cls(self) -> type:
        return imported(self.config_path)

    def step_count(self, trainer: Any) -> int:
        return int(trainer.steps)

    def history_rows(self, trainer: Any) -> dict[str, np.ndarray]:
        return history_columns(trainer.history)


class Mapping1DRun(LessonRun):
    """The 1-D lesson: the NumPy engine's flat vectors (G, D, G's EMA, Adam moments), or the torch engine's
    modules on a GPU."""

    lesson, title, config_path = "m1d", "1-D mapping", "gan_core.mapping_1d.config.Mapping1DConfig"

    def export_tensors(self, trainer: Any) -> dict[str, np.ndarray]:
        e = trainer.engine
        if trainer.engine_name == "torch":
            return {**gan_module_tensors(e), "g_updates": scalar(e.g_updates)}
        out = {"G": e.G.flat.copy(), "D": e.D.flat.copy(), "G_ema": e.ema_flat.copy(),
               "g_updates": scalar(e.g_updates)}
        for net, (m, v, t) in e._adam.items():
            out.update({f"adam.{net}.m": m.copy(), f"adam.{net}.v": v.copy(), f"adam.{net}.t": scalar(t)})
        return out

    def import_tensors(self, trainer: Any, tensors: dict[str, np.ndarray]) -> None:
        e = trainer.engine
        e.g_updates = int(tensors["g_updates"][0])
        if trainer.engine_name == "torch":
            load_gan_modules(e, tensors)
            return
        e.G.flat[...] = tensors["G"]
        e.D.flat[...] = tensors["D"]
        e.ema_flat[...] = tensors["G_ema"]
        for net, state in e._adam.items():
            state[0][...] = tensors[f"adam.{net}.m"]
            state[1][...] = tensors[f"adam.{net}.v"]
            state[2] = int(tensors[f"adam.{net}.t"][0])

    def import_history(self, trainer: Any, history: dict[str, np.ndarray], step: int) -> None:
        load_history(trainer.history, history)
        trainer.steps = int(step)
        if not trainer.engine.finite():
            raise BundleError("The weights in this export do not give a finite generator.")
        trainer._take_snapshot()  # "Restore last good state" goes back to the imported run


class TwoDState:
    """One `gan_core.twod.TwoDTrainer` ↔ named arrays: the NumPy engine's flat vectors (G, D, G's EMA, both
    optimisers' moments), or the torch engine's modules (its optimisers' moments are not carried)."""

    @staticmethod
    def export(core: Any, prefix: str = "") -> dict[str, np.ndarray]:
        e = core.engine
        out = {"steps": scalar(core.steps), "g_updates": scalar(e.g_updates)}
        if core.engine_name == "torch":
            out.update(gan_module_tensors(e))
        else:
            out.update({"G": e.G.flat.copy(), "D": e.D.flat.copy(), "G_ema": e.G_ema.flat.copy()})
            for name, opt in (("opt_g", e.opt_g), ("opt_d", e.opt_d)):
                out.update({f"{name}.m": opt.m.copy(), f"{name}.v": opt.v.copy(), f"{name}.t": scalar(opt.t)})
        return {prefix + k: v for k, v in out.items()}

    @staticmethod
    def load(core: Any, tensors: dict[str, np.ndarray], prefix: str = "") -> None:
        t = {k[len(prefix):]: v for k, v in tensors.items() if k.startswith(prefix)}
        e = core.engine
        e.g_updates = int(t["g_updates"][0])
        if core.engine_name == "torch":
            load_gan_modules(e, t)
        else:
            e.G.flat[...] = t["G"]
            e.D.flat[...] = t["D"]
            e.G_ema.flat[...] = t["G_ema"]
            for name, opt in (("opt_g", e.opt_g), ("opt_d", e.opt_d)):
                opt.load((t[f"{name}.m"], t[f"{name}.v"], int(t[f"{name}.t"][0])))
        core.steps = int(t["steps"][0])
        core.status, core.message = "ok", ""
        core.history.clear()
        core._last_good = core.snapshot()  # "Restore last good state" goes back to the imported run


def _finite_or_refuse(samples: np.ndarray) -> None:
    if not np.isfinite(samples).all():
        raise BundleError("The weights in this export do not give a finite generator.")


class ModeCollapseRun(LessonRun):
    """The mode-collapse lesson: its 2-D core's state and the lesson's measured curves."""

    lesson, title, config_path = "mc", "Mode collapse", "gan_core.mode_collapse.config.ModeCollapseConfig"

    def export_tensors(self, trainer: Any) -> dict[str, np.ndarray]:
        return TwoDState.export(trainer.core)

    def import_tensors(self, trainer: Any, tensors: dict[str, np.ndarray]) -> None:
        TwoDState.load(trainer.core, tensors)

    def import_history(self, trainer: Any, history: dict[str, np.ndarray], step: int) -> None:
        load_history(trainer.history, history)
        trainer.core.steps = int(step)
        trainer.report = trainer.evaluate()
        _finite_or_refuse(trainer.samples)


class PlaygroundRunAdapter(LessonRun):
    """The 2-D playground: one PlaygroundRun, or a RunPair side by side (both runs are carried, as "left." and
    "right."). Curves: the run's scores and its trainer's losses ("loss." columns), padded to one length."""

    lesson, title, config_path = "pg", "2-D playground", "gan_core.playground.config.PlaygroundConfig"

    @staticmethod
    def _runs(trainer: Any) -> dict[str, Any]:
        runs = getattr(trainer, "runs", None)
        return {"": trainer} if runs is None else {"left.": runs[0], "right.": runs[1]}

    def export_tensors(self, trainer: Any) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        for prefix, run in self._runs(trainer).items():
            out.update(TwoDState.export(run.trainer, prefix))
        return out

    def import_tensors(self, trainer: Any, tensors: dict[str, np.ndarray]) -> None:
        for prefix, run in self._runs(trainer).items():
            TwoDState.load(run.trainer, tensors, prefix)

    def history_rows(self, trainer: Any) -> dict[str, np.ndarray]:
        parts = {}
        for prefix, run in self._runs(trainer).items():
            parts[prefix] = history_columns(run.history)
            parts[prefix + "loss."] = history_columns(run.trainer.history)
        return padded_columns(parts)

    def import_history(self, trainer: Any, history: dict[str, np.ndarray], step: int) -> None:
        for prefix, run in self._runs(trainer).items():
            load_history(run.history, unpadded_columns(history, prefix))
            load_history(run.trainer.history, unpadded_columns(history, prefix + "loss."))
            run._last_recorded = run.steps  # evaluate() below re-scores without adding a row
            run.evaluate()
            _finite_or_refuse(run.samples)


def padded_columns(parts: dict[str, dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """Several histories in one table (a bundle's history.csv has columns of one length): each column named
    with its history's prefix, the shorter ones padded with NaN (their `step` is NaN there)."""
    n = max((len(c) for cols in parts.values() for c in cols.values()), default=0)
    return {prefix + name: np.concatenate([c, np.full(n - len(c), np.nan)])
            for prefix, cols in parts.items() for name, c in cols.items()}


def unpadded_columns(columns: dict[str, np.ndarray], prefix: str) -> dict[str, np.ndarray]:
    """One history back out of `padded_columns`' table: its prefix's columns (not a longer prefix's), without
    the padding rows."""
    own = {k[len(prefix):]: v for k, v in columns.items() if k.startswith(prefix) and "." not in k[len(prefix):]}
    if "step" not in own:
        return {}
    keep = np.isfinite(own["step"])
    return {k: v[keep] for k, v in own.items()}


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
            self._run = TorchRun(self.lesson, imported(self._config), **self._options)
        return self._run

    @property
    def config_cls(self) -> type:
        return self._get().config_cls

    def __getattr__(self, name: str) -> Any:
        return getattr(self._get(), name)


def _after_cgan(t: Any) -> None:
    t.snapshots.clear()
    t._take_snapshot()


ADAPTERS: dict[str, Any] = {
    "m1d": Mapping1DRun(),
    "cgan": _Lazy("cgan", "gan_core.cgan.config.CGANConfig", title="CGAN training",
                  modules=("generator", "discriminator", "ema_generator"), after=_after_cgan),
    "xy": SteppedView("xy", "xy game"),
    "dirac": SteppedView("dirac", "Dirac-GAN"),
    "spam": _Lazy("spam", "gan_core.spam.config.SpamConfig", modules=("spammer", "filter"), step_attr="round",
                  title="Spammer vs spam filter"),
    "mc": ModeCollapseRun(),
    "pg": PlaygroundRunAdapter(),
}

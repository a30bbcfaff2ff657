"""Each lesson's trainer ↔ a run bundle (gan_core/run_bundle.py): which arrays, curves and step count.

What an export restores: the settings, the seed, the networks' weights, the step count and the capped
history, so the page shows the same run; and its resume state (`resume_state` / `load_resume_state`: the data
stream's position and random generator, every other random generator training draws from, the optimisers'
moments), so that training on after an import gives the same steps as the exported run would have, bit for
bit (tests/test_run_adapters.py). Each loader checks the state fits the fresh trainer it goes into.

Keyed by the lesson's id (the run lifecycle's prefix): `ADAPTERS["mc"]`. The mode-collapse lesson and the 2-D
playground share the 2-D core's state (`TwoDState`); the playground's side-by-side pair carries both runs.
"""
from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from gan_core import resume_state as rs
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


def checked_blocks(blocks: Any, shapes: Sequence[tuple], what: str) -> Any:
    """A stream's drawn blocks (real, noise, mixing weights), None before the first draw; shapes checked."""
    if blocks is None:
        return None
    rs.need(isinstance(blocks, tuple) and len(blocks) == len(shapes), what)
    if all(b is None for b in blocks):  # the 1-D stream keeps its three blocks apart: none drawn yet
        return None  # (then the position must say "draw first", checked by the callers)
    for i, (block, shape) in enumerate(zip(blocks, shapes)):
        rs.check_array(block, shape, "f", f"{what} block {i}")
    return blocks


def block_shapes(stream: Any, batch: int, noise_dim: int, data_dim: int) -> list[tuple]:
    return [(stream.BLOCK, batch, data_dim), (stream.BLOCK, batch, noise_dim), (stream.BLOCK, batch, 1)]


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
    resume: Callable[[Any], Any] | None = None  # trainer -> its resume state
    load_resume: Callable[[Any, Any], None] | None = None  # (trainer, state): checks it, then loads it

    def resume_state(self, trainer: Any) -> Any:
        return None if self.resume is None else self.resume(trainer)

    def load_resume_state(self, trainer: Any, state: Any) -> None:
        if self.load_resume is not None:
            self.load_resume(trainer, state)

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

    def resume_state(self, trainer: Any) -> dict:
        state = {"stream": trainer.stream.state(), "acc": list(trainer._acc), "acc_n": trainer._acc_n}
        if trainer.engine_name == "torch":
            state.update(opt_g=trainer.engine.opt_g.state_dict(), opt_d=trainer.engine.opt_d.state_dict())
        return state

    def load_resume_state(self, trainer: Any, state: Any) -> None:
        torch_engine = trainer.engine_name == "torch"
        keys = {"stream", "acc", "acc_n"} | ({"opt_g", "opt_d"} if torch_engine else set())
        rs.need(isinstance(state, dict) and set(state) == keys, "another engine's state")
        stream = trainer.stream
        rs.need(isinstance(state["stream"], tuple) and len(state["stream"]) == 5, "the data stream")
        rng_state, pos, *blocks = state["stream"]
        blocks = checked_blocks(tuple(blocks), block_shapes(stream, stream.batch, 1, 1), "the data stream")
        rs.check_int(pos, 0 if blocks is not None else stream.BLOCK, stream.BLOCK, "the data stream's position")
        acc = state["acc"]
        rs.need(isinstance(acc, list) and len(acc) == len(trainer._acc)
                and all(isinstance(v, float) for v in acc), "the running sums")
        acc_n = rs.check_int(state["acc_n"], 0, trainer.log_every, "the running count")
        if torch_engine:
            rs.load_optimizer(trainer.engine.opt_g, state["opt_g"], "G's optimiser")
            rs.load_optimizer(trainer.engine.opt_d, state["opt_d"], "D's optimiser")
        rs.numpy_rng_state(stream.rng, rng_state, "the data stream's generator")
        blocks = (None,) * 3 if blocks is None else tuple(b.astype(stream.dtype) for b in blocks)
        stream.load((stream.rng.bit_generator.state, pos, *blocks))
        trainer._acc[:] = acc  # in place: the training loop holds this list
        trainer._acc_n = acc_n
        trainer._take_snapshot()  # "Restore last good state" goes back to the imported run, streams included

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

    @staticmethod
    def resume(core: Any) -> dict:
        state = {"stream": core.stream.state(), "sample_rng": core._sample_rng.bit_generator.state,
                 "sums": core._sums.copy(), "count": core._count}
        if core.engine_name == "torch":
            state.update(opt_g=core.engine.opt_g.state_dict(), opt_d=core.engine.opt_d.state_dict())
        return state

    @staticmethod
    def load_resume(core: Any, state: Any) -> None:
        torch_engine = core.engine_name == "torch"
        keys = {"stream", "sample_rng", "sums", "count"} | ({"opt_g", "opt_d"} if torch_engine else set())
        rs.need(isinstance(state, dict) and set(state) == keys, "another engine's state")
        stream = core.stream
        rs.need(isinstance(state["stream"], tuple) and len(state["stream"]) == 3, "the data stream")
        rng_state, pos, blocks = state["stream"]
        blocks = checked_blocks(blocks, block_shapes(stream, stream.n, core.config.noise_dim, 2), "the data stream")
        rs.check_int(pos, 0 if blocks is not None else stream.BLOCK, stream.BLOCK, "the data stream's position")
        sums = rs.check_array(state["sums"], core._sums.shape, "f", "the running sums")
        count = rs.check_int(state["count"], 0, core.record_every, "the running count")
        if torch_engine:
            rs.load_optimizer(core.engine.opt_g, state["opt_g"], "G's optimiser")
            rs.load_optimizer(core.engine.opt_d, state["opt_d"], "D's optimiser")
        rs.numpy_rng_state(core._sample_rng, state["sample_rng"], "the sampling generator")
        rs.numpy_rng_state(stream.rng, rng_state, "the data stream's generator")
        stream.load((stream.rng.bit_generator.state, pos,
                     None if blocks is None else tuple(b.astype(stream.dtype) for b in blocks)))
        core._sums[...] = sums
        core._count = count
        core._last_good = core.snapshot()


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

    def resume_state(self, trainer: Any) -> dict:
        return TwoDState.resume(trainer.core)

    def load_resume_state(self, trainer: Any, state: Any) -> None:
        TwoDState.load_resume(trainer.core, state)

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

    def resume_state(self, trainer: Any) -> dict:
        return {prefix: TwoDState.resume(run.trainer) for prefix, run in self._runs(trainer).items()}

    def load_resume_state(self, trainer: Any, state: Any) -> None:
        runs = self._runs(trainer)
        rs.need(isinstance(state, dict) and set(state) == set(runs), "a single run and a pair mixed up")
        for prefix, run in runs.items():
            TwoDState.load_resume(run.trainer, state[prefix])

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


def _cgan_resume(t: Any) -> dict:
    return {"gen": t._gen.get_state(), "perm": t._perm.cpu(), "cursor": t._cursor, "seconds": t.seconds,
            "opt_g": t.opt_g.state_dict(), "opt_d": t.opt_d.state_dict()}


def _cgan_load_resume(t: Any, state: Any) -> None:
    import torch

    rs.need(isinstance(state, dict) and set(state) == {"gen", "perm", "cursor", "seconds", "opt_g", "opt_d"},
            "not a CGAN state")
    perm, n = state["perm"], len(t._labels)
    rs.need(isinstance(perm, torch.Tensor) and perm.dtype == torch.int64 and perm.ndim == 1
            and len(perm) in (0, n) and bool(((perm >= 0) & (perm < n)).all()), "the data order")
    cursor = rs.check_int(state["cursor"], 0, len(perm), "the position in the data order")
    rs.need(isinstance(state["seconds"], float) and state["seconds"] >= 0, "the training time")
    rs.load_optimizer(t.opt_g, state["opt_g"], "G's optimiser")
    rs.load_optimizer(t.opt_d, state["opt_d"], "D's optimiser")
    rs.torch_rng_state(t._gen, state["gen"], "the training generator")
    t._perm, t._cursor, t.seconds = perm.to(t.device), cursor, state["seconds"]
    t._last_good = t._snapshot_state()


def _spam_resume(game: Any) -> dict:
    return {"gen": game.gen.get_state(), "spammer_opt": game.spammer_opt.state_dict(),
            "filter_opt": game.filter_opt.state_dict()}


def _spam_load_resume(game: Any, state: Any) -> None:
    rs.need(isinstance(state, dict) and set(state) == {"gen", "spammer_opt", "filter_opt"}, "not a spam game's state")
    rs.load_optimizer(game.spammer_opt, state["spammer_opt"], "the spammer's optimiser")
    rs.load_optimizer(game.filter_opt, state["filter_opt"], "the filter's optimiser")
    rs.torch_rng_state(game.gen, state["gen"], "the game's generator")


ADAPTERS: dict[str, Any] = {
    "m1d": Mapping1DRun(),
    "cgan": _Lazy("cgan", "gan_core.cgan.config.CGANConfig", title="CGAN training",
                  modules=("generator", "discriminator", "ema_generator"), after=_after_cgan,
                  resume=_cgan_resume, load_resume=_cgan_load_resume),
    "xy": SteppedView("xy", "xy game"),
    "dirac": SteppedView("dirac", "Dirac-GAN"),
    "spam": _Lazy("spam", "gan_core.spam.config.SpamConfig", modules=("spammer", "filter"), step_attr="round",
                  title="Spammer vs spam filter", resume=_spam_resume, load_resume=_spam_load_resume),
    "mc": ModeCollapseRun(),
    "pg": PlaygroundRunAdapter(),
}

"""A trainer's resume state (random streams, optimiser moments, counters) ↔ JSON + named arrays, never pickle.

The weights alone do not let an imported run go on as the exported one would have: the next batch, the next
noise and Adam's next step depend on the data stream's position, the random generators' states and the
optimisers' moments. `pack(obj)` turns such a state — nested dicts (str or int keys), lists, tuples,
numbers, strings, None, NumPy arrays and torch tensors — into a JSON skeleton and a dict of arrays, which
the export bundle stores in its manifest and its safetensors file; `unpack` rebuilds it, accepting nothing
but those forms (a hostile file cannot make it run code). Checking that the values fit a trainer is the
lesson adapter's business (gan_core/run_adapters.py).
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

PREFIX = "resume."  # the arrays' names in the bundle
MAX_DEPTH = 12
MAX_NODES = 20_000


class StateError(ValueError):
    """The resume state is not one this app wrote."""


def pack(obj: Any) -> tuple[Any, dict[str, np.ndarray]]:
    """(skeleton, {name: array}) of `obj`; names start with PREFIX."""
    arrays: dict[str, np.ndarray] = {}

    def enc(x: Any) -> Any:
        if x is None or isinstance(x, (bool, str)):
            return x
        if isinstance(x, (int, np.integer)):
            return int(x)
        if isinstance(x, (float, np.floating)):
            return float(x) if math.isfinite(x) else {"f": repr(float(x))}
        if isinstance(x, np.ndarray) or _is_tensor(x):
            kind = "a" if isinstance(x, np.ndarray) else "t"
            array = x if kind == "a" else x.detach().cpu().numpy()
            name = f"{PREFIX}{len(arrays)}"
            arrays[name] = np.ascontiguousarray(array).reshape(array.shape or (1,)).copy()
            return {kind + ("0" if array.ndim == 0 else ""): name}  # safetensors keeps no 0-d arrays
        if isinstance(x, dict):
            return {"d": [[enc(k), enc(v)] for k, v in x.items()]}
        if isinstance(x, tuple):
            return {"u": [enc(v) for v in x]}
        if isinstance(x, list):
            return {"l": [enc(v) for v in x]}
        raise TypeError(f"cannot store a {type(x).__name__} in a resume state")

    return enc(obj), arrays


def unpack(skeleton: Any, arrays: dict[str, np.ndarray]) -> Any:
    """The state `pack` made; StateError for anything else (unknown forms, missing arrays, too deep or big)."""
    count = [0]

    def dec(x: Any, depth: int) -> Any:
        count[0] += 1
        if depth > MAX_DEPTH or count[0] > MAX_NODES:
            raise StateError("the training state in this export is nested too deeply or too big")
        if x is None or isinstance(x, (bool, int, float, str)):
            return x
        if isinstance(x, dict) and len(x) == 1:
            (kind, value), = x.items()
            if kind == "f" and value in ("nan", "inf", "-inf"):
                return float(value)
            if kind in ("a", "t", "a0", "t0") and isinstance(value, str):
                if value not in arrays:
                    raise StateError(f"the training state in this export lacks the array {value!r}")
                array = np.array(arrays[value])  # a writable copy
                if kind.endswith("0"):
                    if array.size != 1:
                        raise StateError("the training state in this export is corrupt")
                    array = array.reshape(())
                return _tensor(array) if kind.startswith("t") else array
            if kind == "d" and isinstance(value, list):
                out = {}
                for pair in value:
                    if not (isinstance(pair, list) and len(pair) == 2):
                        raise StateError("the training state in this export is corrupt")
                    key = dec(pair[0], depth + 1)
                    if not isinstance(key, (str, int)):
                        raise StateError("the training state in this export is corrupt")
                    out[key] = dec(pair[1], depth + 1)
                return out
            if kind in ("l", "u") and isinstance(value, list):
                items = [dec(v, depth + 1) for v in value]
                return tuple(items) if kind == "u" else items
        raise StateError("the training state in this export is corrupt")

    return dec(skeleton, 0)


def _is_tensor(x: Any) -> bool:
    return type(x).__module__.startswith("torch") and hasattr(x, "detach")


def _tensor(array: np.ndarray):
    import torch

    return torch.from_numpy(array)


# ---------------------------------------------------------------- checks the adapters share

def need(ok: bool, what: str) -> None:
    if not ok:
        raise StateError(f"the training state in this export does not fit these settings ({what})")


def check_array(value: Any, shape: tuple, kind: str, what: str) -> np.ndarray:
    """`value` is an array of `shape` (None: any length on that axis) and dtype kind `kind` ('f', 'i', 'u')."""
    need(isinstance(value, np.ndarray), f"{what} is not an array")
    need(value.ndim == len(shape) and all(s is None or s == v for s, v in zip(shape, value.shape)),
         f"{what} has shape {value.shape}")
    need(value.dtype.kind == kind, f"{what} holds {value.dtype}")
    if kind == "f":
        need(bool(np.all(np.isfinite(value))), f"{what} is not finite")
    return value


def check_int(value: Any, low: int, high: int, what: str) -> int:
    need(isinstance(value, int) and not isinstance(value, bool) and low <= value <= high, f"{what} = {value!r}")
    return int(value)


def numpy_rng_state(rng: np.random.Generator, state: Any, what: str) -> None:
    """Set a NumPy generator's state, refusing one of another kind of generator."""
    need(isinstance(state, dict) and state.get("bit_generator") == type(rng.bit_generator).__name__,
         f"{what} is not a {type(rng.bit_generator).__name__} state")
    try:
        rng.bit_generator.state = state
    except (TypeError, ValueError, KeyError) as exc:
        raise StateError(f"the training state in this export does not fit these settings ({what}: {exc})") from None


def torch_rng_state(gen: Any, state: Any, what: str) -> None:
    import torch

    need(isinstance(state, torch.Tensor) and state.dtype == torch.uint8 and state.ndim == 1, f"{what}")
    try:
        gen.set_state(state)
    except (RuntimeError, ValueError) as exc:
        raise StateError(f"the training state in this export does not fit these settings ({what}: {exc})") from None


def load_optimizer(opt: Any, state: Any, what: str) -> None:
    """A torch optimiser's state_dict back, after checking every moment has its parameter's shape."""
    import torch

    need(isinstance(state, dict) and isinstance(state.get("state"), dict)
         and isinstance(state.get("param_groups"), list), f"{what} is not an optimiser state")
    params = [p for group in opt.param_groups for p in group["params"]]
    for index, moments in state["state"].items():
        need(isinstance(index, int) and 0 <= index < len(params) and isinstance(moments, dict), f"{what}")
        for name, value in moments.items():
            need(isinstance(value, torch.Tensor), f"{what}.{name}")
            if name != "step":
                need(tuple(value.shape) == tuple(params[index].shape) and value.dtype == params[index].dtype,
                     f"{what}.{name} of parameter {index}")
                need(bool(torch.isfinite(value).all()), f"{what}.{name} is not finite")
    try:  # the moments from the file; learning rates and betas stay the ones these settings give
        opt.load_state_dict({"state": state["state"], "param_groups": opt.state_dict()["param_groups"]})
    except (ValueError, KeyError, TypeError, RuntimeError) as exc:
        raise StateError(f"the training state in this export does not fit these settings ({what}: {exc})") from None

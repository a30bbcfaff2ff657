"""Compute device choice: CUDA when present and asked for, CPU otherwise; and how many threads compute."""
from __future__ import annotations

import contextlib

import torch

try:  # installed with scikit-learn (via mlxtend); without it BLAS keeps its own thread count
    from threadpoolctl import ThreadpoolController
except ImportError:  # pragma: no cover
    ThreadpoolController = None

_BLAS = None  # the BLAS libraries NumPy and torch loaded (threadpoolctl), False without threadpoolctl
_BLAS_PINNED = None  # the process-wide limit once the app set it (kept: dropping it would restore the old count)


def available_devices() -> list[str]:
    return ["cpu", "cuda"] if torch.cuda.is_available() else ["cpu"]


def resolve_device(name: str | None) -> torch.device:
    """The device to use for `name`; falls back to CPU when CUDA is absent."""
    if name == "cuda" and torch.cuda.is_available():
        return torch.device("cuda")
    return torch.device("cpu")


def use_one_thread_per_session() -> None:
    """Run torch ops on one thread in this process.

    The app's nets are tiny: waking extra intra-op threads costs more than it saves, and a
    classroom server runs many sessions at once, so sessions share cores rather than each
    grabbing all of them (measured on 2 cores: a spam round went from ~600 ms to ~45 ms).
    """
    if torch.get_num_threads() != 1:
        torch.set_num_threads(1)
    pin_blas_to_one_thread()


def _blas():
    global _BLAS
    if _BLAS is None:
        _BLAS = ThreadpoolController().select(internal_api=["openblas", "mkl", "blis"]) if ThreadpoolController else False
    return _BLAS


def pin_blas_to_one_thread() -> None:
    """NumPy's (and torch's) BLAS on one thread for the rest of the process: the server's choice, made once.
    After it `one_blas_thread()` has nothing left to do: a limit per call asked every library for its thread
    count and set it twice (measured: 3.8 % of the server's GIL time with twelve 1-D students)."""
    global _BLAS_PINNED
    if _BLAS_PINNED is None:
        blas = _blas()
        _BLAS_PINNED = blas.limit(limits=1) if blas else False


def one_blas_thread():
    """Context: NumPy's BLAS on one thread. For the lessons' small matrices (128×32, 128×128) waking a second
    thread costs more than it saves (measured: a 1-D step takes about half the time on one thread). Used
    around the NumPy trainers' work, for the CLI and tests; a no-op once the process is pinned."""
    if _BLAS_PINNED is not None:
        return contextlib.nullcontext()
    blas = _blas()
    return blas.limit(limits=1) if blas else contextlib.nullcontext()

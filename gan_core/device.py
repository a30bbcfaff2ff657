"""Compute device choice: CUDA when present and asked for, CPU otherwise."""
from __future__ import annotations

import torch


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

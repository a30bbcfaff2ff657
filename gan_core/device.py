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

"""Weights on disk: safetensors (tensors only, no code) + a JSON file beside it with the config,
data, seed, training time, command and measured quality. Loading validates both and raises a
CheckpointError subclass whose message a person can act on.
"""
from __future__ import annotations

import json
import math
import sys
import time
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file

from .judge import Judge
from .models import ARCHITECTURE, Generator, architecture_table

ASSETS = Path(__file__).resolve().parents[2] / "assets"
DEFAULT_GENERATOR = ASSETS / "cgan_mnist.safetensors"
DEFAULT_JUDGE = ASSETS / "judge_mnist.safetensors"
FORMAT_VERSION = 1


class CheckpointError(Exception):
    """A checkpoint that cannot be used; str(error) is a message for a person."""


class CheckpointMissing(CheckpointError):
    pass


class CheckpointCorrupt(CheckpointError):
    pass


class CheckpointMismatch(CheckpointError):
    pass


def metadata_path(weights: str | Path) -> Path:
    return Path(weights).with_suffix(".json")


def _save(module: torch.nn.Module, meta: dict, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tensors = {k: v.detach().cpu().contiguous() for k, v in module.state_dict().items()}
    save_file(tensors, str(path), metadata={"kind": meta["kind"], "format_version": str(FORMAT_VERSION)})
    path.chmod(0o644)
    metadata_path(path).write_text(json.dumps(meta, indent=2, sort_keys=False) + "\n")
    return path


def save_generator(generator: Generator, meta: dict, path: str | Path = DEFAULT_GENERATOR) -> Path:
    """Write weights + JSON. `meta` is completed with kind, format and architecture."""
    meta = {
        "kind": "cgan_generator",
        "format_version": FORMAT_VERSION,
        "architecture": {"name": ARCHITECTURE, "latent_dim": generator.latent_dim, "width": generator.width,
                         "batch_norm": generator.batch_norm, "num_classes": 10,
                         "layers": [r for r in architecture_table(generator.latent_dim, generator.width,
                                                                  batch_norm=generator.batch_norm) if r["network"] == "G"]},
        "prior": {"name": "normal", "mean": 0.0, "std": 1.0, "slider_range": 3.0},
        "output": "tanh in [-1, 1]; images = (G + 1) / 2, 0 = background (MNIST polarity)",
        **meta,
    }
    return _save(generator, meta, path)


def save_judge(judge: Judge, info: dict, path: str | Path = DEFAULT_JUDGE) -> Path:
    meta = {"kind": "judge_classifier", "format_version": FORMAT_VERSION,
            "architecture": {"name": "Judge", "feature_dim": judge.feature_dim, "num_classes": 10}, **info}
    return _save(judge, meta, path)


def _read(path: str | Path, kind: str, what: str) -> tuple[dict[str, torch.Tensor], dict]:
    path = Path(path)
    meta_file = metadata_path(path)
    if not path.exists():
        raise CheckpointMissing(f"The {what} weights file {path} does not exist.")
    if not meta_file.exists():
        raise CheckpointMissing(f"The {what} metadata {meta_file} is missing (it must sit beside {path.name}).")
    try:
        meta = json.loads(meta_file.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CheckpointCorrupt(f"The {what} metadata {meta_file.name} is not valid JSON ({exc}).") from exc
    if not isinstance(meta, dict) or meta.get("kind") != kind:
        raise CheckpointMismatch(f"{meta_file.name} describes a {meta.get('kind') if isinstance(meta, dict) else 'non-object'!r}, not a {kind!r}.")
    if meta.get("format_version") != FORMAT_VERSION:
        raise CheckpointMismatch(f"{meta_file.name} has format version {meta.get('format_version')!r}; this app reads version {FORMAT_VERSION}.")
    if not isinstance(meta.get("architecture"), dict):
        raise CheckpointCorrupt(f"{meta_file.name} has no 'architecture' section.")
    try:
        tensors = load_file(str(path))
    except Exception as exc:  # safetensors raises its own error types for bad headers / truncation
        raise CheckpointCorrupt(f"The {what} weights file {path.name} is not a readable safetensors file ({exc}).") from exc
    return tensors, meta


def _fill(module: torch.nn.Module, tensors: dict[str, torch.Tensor], name: str) -> None:
    expected = module.state_dict()
    missing = sorted(set(expected) - set(tensors))
    unexpected = sorted(set(tensors) - set(expected))
    if missing or unexpected:
        raise CheckpointMismatch(
            f"{name} does not match the architecture in its JSON: "
            + (f"missing tensors {missing[:4]}" if missing else "")
            + ("; " if missing and unexpected else "")
            + (f"unexpected tensors {unexpected[:4]}" if unexpected else "")
        )
    for key, value in expected.items():
        if tuple(tensors[key].shape) != tuple(value.shape):
            raise CheckpointMismatch(
                f"{name}: tensor {key} has shape {tuple(tensors[key].shape)}, the architecture needs {tuple(value.shape)}."
            )
        if not torch.isfinite(tensors[key]).all():
            raise CheckpointCorrupt(f"{name}: tensor {key} holds NaN or infinite values.")
    module.load_state_dict({k: v.to(value.dtype) for k, v in tensors.items()})


def _int_field(arch: dict, key: str, meta_name: str, low: int, high: int) -> int:
    value = arch.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or not (low <= value <= high):
        raise CheckpointCorrupt(f"{meta_name}: architecture.{key} must be an integer in [{low}, {high}], found {value!r}.")
    return value


def load_generator(path: str | Path = DEFAULT_GENERATOR) -> tuple[Generator, dict]:
    """(generator in eval mode, metadata). Raises CheckpointError with a human message."""
    tensors, meta = _read(path, "cgan_generator", "generator")
    arch = meta["architecture"]
    name = Path(path).name
    if arch.get("name") != ARCHITECTURE:
        raise CheckpointMismatch(
            f"{name} holds a {arch.get('name')!r} generator, made by an earlier version of this app (hinge loss, "
            f"no batch norm); this version's generator is the convolutional {ARCHITECTURE!r}. Retrain it with "
            "`python -m gan_core cgan-train --out PATH` or use the shipped assets/cgan_mnist.safetensors.")
    latent = _int_field(arch, "latent_dim", name, 1, 512)
    width = _int_field(arch, "width", name, 1, 1024)
    batch_norm = arch.get("batch_norm", True)
    if not isinstance(batch_norm, bool):
        raise CheckpointCorrupt(f"{name}: architecture.batch_norm must be true or false, found {batch_norm!r}.")
    prior = meta.get("prior", {})
    if prior.get("name") != "normal" or not math.isfinite(float(prior.get("slider_range", 3.0))):
        raise CheckpointMismatch(f"{name}: unsupported latent prior {prior!r} (this app samples z ~ N(0, 1)).")
    generator = Generator(latent, width, batch_norm)
    _fill(generator, tensors, name)
    return generator.eval().requires_grad_(False), meta


def load_judge(path: str | Path = DEFAULT_JUDGE) -> tuple[Judge, dict]:
    tensors, meta = _read(path, "judge_classifier", "judge")
    name = Path(path).name
    judge = Judge(_int_field(meta["architecture"], "feature_dim", name, 1, 4096))
    _fill(judge, tensors, name)
    return judge.eval().requires_grad_(False), meta


def stderr_progress(label: str, width: int = 30):
    """A `progress(done, total)` callback drawing a text progress bar on stderr."""
    started = time.perf_counter()
    last = [-1.0]

    def progress(done: float, total: float, extra: str = "") -> None:
        frac = min(1.0, done / total) if total else 1.0
        now = time.perf_counter()
        if frac < 1.0 and now - last[0] < 0.5:  # redraw at most twice a second
            return
        last[0] = now
        bar = "#" * int(frac * width)
        sys.stderr.write(f"\r{label} [{bar:<{width}}] {frac:6.1%} {time.perf_counter() - started:6.1f}s {extra}")
        if frac >= 1.0:
            sys.stderr.write("\n")
        sys.stderr.flush()

    return progress

"""One export format for every lesson: a run as a zip a student can download, keep and import again.

    manifest.json        app name and version, lesson id, time made, seed, step count, format version, settings
    weights.safetensors  the run's named arrays (never pickle)
    history.csv          the run's curves, one column per measure

`write_bundle(...) -> bytes` makes one; `read_bundle(data, lesson, config_cls) -> Bundle` reads one back and
refuses anything it cannot trust with a `BundleError` whose message says why in plain words: not a zip,
too big, missing or corrupt manifest, another lesson's run, an incompatible version, corrupt weights,
settings out of range, non-finite weights. Shapes are the lesson's business: `import_run` builds a fresh
trainer from the bundle's settings, checks every array against that trainer's own and only then loads them,
so a refused import never touches the current run.

A lesson plugs in with an adapter (see `RunAdapter`): it says how to move arrays and curves in and out of
its trainer; the page's own `build` makes the fresh trainer they go into. Plain Python + NumPy: no streamlit, no torch import here.
"""
from __future__ import annotations

import csv
import io
import json
import zipfile
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Protocol

import numpy as np

from gan_core import __version__, resume_state
from gan_core.settings_spec import from_mapping, to_mapping

APP_NAME = "gan-playground"
FORMAT_VERSION = 1
MANIFEST, WEIGHTS, HISTORY = "manifest.json", "weights.safetensors", "history.csv"
MEMBERS = (MANIFEST, WEIGHTS, HISTORY)

# Bounds, so a hostile upload cannot exhaust a shared classroom server (a zip bomb inflates on read).
MAX_BUNDLE_BYTES = 64 * 2**20  # the zip itself
MAX_MEMBER_BYTES = {MANIFEST: 1 * 2**20, WEIGHTS: 256 * 2**20, HISTORY: 32 * 2**20}
MAX_HISTORY_ROWS = 200_000
MAX_TENSORS = 512


class BundleError(ValueError):
    """A bundle that cannot be imported; the message is meant for the person who chose the file."""


@dataclass(frozen=True)
class Bundle:
    lesson: str
    app_version: str
    format_version: int
    created: str  # ISO 8601, UTC
    seed: int
    step: int
    config: Any  # the lesson's validated config
    tensors: dict[str, np.ndarray]
    history: dict[str, np.ndarray]  # column -> values (NaN where a measure was not taken)
    extra: dict[str, Any] = field(default_factory=dict)  # small lesson-specific JSON (e.g. scenario name)
    resume: Any = None  # the training state to go on from exactly (gan_core/resume_state.py), None if absent


def _major(version: str) -> str:
    return str(version).split(".", 1)[0]


# ---------------------------------------------------------------- writing

def write_bundle(
    lesson: str,
    config: Any,
    *,
    seed: int,
    step: int,
    tensors: Mapping[str, Any],
    history: Mapping[str, Sequence[float]] | None = None,
    extra: Mapping[str, Any] | None = None,
    created: datetime | None = None,
    title: str | None = None,
    resume: Any = None,
) -> bytes:
    """The zip's bytes. `tensors` values may be NumPy arrays or anything `np.asarray` takes (torch: pass
    `t.detach().cpu().numpy()`). `resume`: the trainer's resume state (random streams, optimiser moments),
    stored as a JSON skeleton in the manifest and arrays named resume.* beside the weights."""
    from safetensors.numpy import save

    arrays = {str(name): np.ascontiguousarray(np.asarray(value)) for name, value in tensors.items()}
    skeleton = None
    if resume is not None:
        skeleton, resume_arrays = resume_state.pack(resume)
        arrays.update(resume_arrays)
    manifest = {
        "app": APP_NAME,
        "app_version": __version__,
        "format_version": FORMAT_VERSION,
        "lesson": lesson,
        "lesson_title": title or lesson,
        "created": (created or datetime.now(timezone.utc)).isoformat(timespec="seconds"),
        "seed": int(seed),
        "step": int(step),
        "settings": to_mapping(config),
        "extra": dict(extra or {}),
        "tensors": {name: {"shape": list(a.shape), "dtype": str(a.dtype)} for name, a in arrays.items()},
    }
    if skeleton is not None:
        manifest["resume"] = skeleton
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(MANIFEST, json.dumps(manifest, indent=2, allow_nan=False))
        zf.writestr(WEIGHTS, save(arrays, metadata={"app": APP_NAME, "lesson": lesson}))
        zf.writestr(HISTORY, _history_csv(history or {}))
    return buffer.getvalue()


def _history_csv(history: Mapping[str, Sequence[float]]) -> str:
    columns = list(history)
    lengths = {len(history[c]) for c in columns}
    if len(lengths) > 1:
        raise ValueError(f"history columns have different lengths: {sorted(lengths)}")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in zip(*(history[c] for c in columns)):
        writer.writerow(repr(float(v)) for v in row)
    return out.getvalue()


def bundle_file_name(lesson: str, step: int, created: datetime | None = None) -> str:
    stamp = (created or datetime.now(timezone.utc)).strftime("%Y%m%d-%H%M%S")
    return f"{APP_NAME}-{lesson}-step{int(step)}-{stamp}.zip"


# ---------------------------------------------------------------- reading

def read_bundle(data: bytes, expected_lesson: str, config_cls: type) -> Bundle:
    """A checked bundle, or BundleError saying why not. Shapes are checked by `import_run` (the lesson's)."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise BundleError("This is not a file's contents.")
    data = bytes(data)
    if len(data) > MAX_BUNDLE_BYTES:
        raise BundleError(f"This file is {len(data) / 2**20:.0f} MB; a GAN Playground export is at most "
                          f"{MAX_BUNDLE_BYTES // 2**20} MB.")
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise BundleError("This is not a GAN Playground export: it is not a zip file.") from None
    with zf:
        names = [i.filename for i in infos]
        if len(names) != len(set(names)) or len(names) > 16:
            raise BundleError("This zip is not a GAN Playground export (unexpected or repeated entries).")
        if MANIFEST not in names:
            raise BundleError("This zip is not a GAN Playground export: it has no manifest.json.")
        manifest = _read_manifest(_read_member(zf, MANIFEST))
        _check_identity(manifest, expected_lesson)
        for member in (WEIGHTS, HISTORY):
            if member not in names:
                raise BundleError(f"This export is incomplete: {member} is missing.")
        config = _read_settings(manifest, config_cls)
        tensors = _read_weights(_read_member(zf, WEIGHTS))
        history = _read_history(_read_member(zf, HISTORY))
    resume_arrays = {k: tensors.pop(k) for k in [k for k in tensors if k.startswith(resume_state.PREFIX)]}
    resume = None
    if "resume" in manifest:  # exports from 1.0.0 carry weights only
        try:
            resume = resume_state.unpack(manifest["resume"], resume_arrays)
        except resume_state.StateError as exc:
            raise BundleError(f"This export cannot be continued: {exc}.") from None
    return Bundle(
        lesson=manifest["lesson"], app_version=str(manifest["app_version"]),
        format_version=manifest["format_version"], created=str(manifest.get("created", "")),
        seed=manifest["seed"], step=manifest["step"], config=config, tensors=tensors, history=history,
        resume=resume,
        extra=manifest.get("extra") if isinstance(manifest.get("extra"), dict) else {},
    )


def _read_member(zf: zipfile.ZipFile, name: str) -> bytes:
    """Read at most the member's limit, whatever its header claims (headers of a zip bomb lie)."""
    limit = MAX_MEMBER_BYTES[name]
    try:
        with zf.open(name) as f:
            content = f.read(limit + 1)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, RuntimeError, NotImplementedError):
        # RuntimeError: an encrypted entry; NotImplementedError: a compression method zipfile lacks
        raise BundleError(f"{name} inside this zip is damaged and cannot be read.") from None
    if len(content) > limit:
        raise BundleError(f"{name} inside this zip is larger than {limit // 2**20} MB when unpacked: refused.")
    return content


def _read_manifest(raw: bytes) -> dict:
    try:
        manifest = json.loads(raw.decode("utf-8"), parse_constant=_no_constant)
    except (UnicodeDecodeError, json.JSONDecodeError, ValueError):
        raise BundleError("manifest.json in this export is corrupt (not valid JSON).") from None
    if not isinstance(manifest, dict):
        raise BundleError("manifest.json in this export is corrupt (not a table of fields).")
    return manifest


def _no_constant(name: str):
    raise ValueError(name)


def _check_identity(manifest: dict, expected_lesson: str) -> None:
    if manifest.get("app") != APP_NAME:
        raise BundleError("This zip was not exported by GAN Playground (its manifest names another app).")
    fmt = manifest.get("format_version")
    if not isinstance(fmt, int) or isinstance(fmt, bool):
        raise BundleError("manifest.json in this export is corrupt (no format version).")
    version = manifest.get("app_version")
    if fmt > FORMAT_VERSION or (isinstance(version, str) and _major(version) != _major(__version__)):
        raise BundleError(f"This export was made by GAN Playground {version} (export format {fmt}); this is "
                          f"version {__version__}, which reads format {FORMAT_VERSION}: they are not compatible.")
    if fmt < 1:
        raise BundleError(f"This export has an unknown format version ({fmt}).")
    lesson = manifest.get("lesson")
    if lesson != expected_lesson:
        title = manifest.get("lesson_title", lesson)
        shown = f"“{title}”" if isinstance(title, str) and len(title) <= 40 else "another"
        raise BundleError(f"This export belongs to the {shown} lesson, not this one: open it there.")
    for key in ("seed", "step"):
        value = manifest.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise BundleError(f"manifest.json in this export is corrupt ({key} is not a whole number ≥ 0).")


def _read_settings(manifest: dict, config_cls: type) -> Any:
    settings = manifest.get("settings")
    if not isinstance(settings, dict):
        raise BundleError("manifest.json in this export is corrupt (no settings).")
    config, errors = from_mapping(config_cls, settings)
    if errors:
        listed = " ".join(errors.values())
        raise BundleError(f"The settings in this export are not valid here: {listed}")
    return config


def _read_weights(raw: bytes) -> dict[str, np.ndarray]:
    from safetensors.numpy import load

    try:
        tensors = load(raw)
    except Exception:  # noqa: BLE001 - safetensors raises its own error types for every kind of damage
        raise BundleError("weights.safetensors in this export is corrupt.") from None
    if len(tensors) > MAX_TENSORS:
        raise BundleError("weights.safetensors in this export holds too many arrays.")
    for name, array in tensors.items():
        if array.dtype.kind in "fc" and not np.all(np.isfinite(array)):
            raise BundleError(f"The weights in this export are not finite (NaN or infinity in {name!r}): "
                              "the run had diverged.")
    return tensors


def _read_history(raw: bytes) -> dict[str, np.ndarray]:
    try:
        rows = list(csv.reader(io.StringIO(raw.decode("utf-8"))))
    except (UnicodeDecodeError, csv.Error):
        raise BundleError("history.csv in this export is corrupt.") from None
    if not rows or not rows[0]:
        return {}
    header, body = rows[0], rows[1:]
    if len(body) > MAX_HISTORY_ROWS:
        raise BundleError(f"history.csv in this export has more than {MAX_HISTORY_ROWS} rows.")
    if len(set(header)) != len(header):
        raise BundleError("history.csv in this export is corrupt (repeated column names).")
    try:
        values = np.array([[float(v) for v in row] for row in body if row], dtype=float).reshape(-1, len(header))
    except ValueError:
        raise BundleError("history.csv in this export is corrupt (a value is not a number, or a row is short).") from None
    return {name: values[:, i].copy() for i, name in enumerate(header)}


# ---------------------------------------------------------------- lessons

class RunAdapter(Protocol):
    """How one lesson's trainer moves in and out of a bundle. Small on purpose; building a trainer stays the
    page's (`import_run` takes its `build`), so an adapter only moves arrays and curves:

    lesson        the lesson's id (the run lifecycle's prefix, e.g. "m1d")
    title         optional: the lesson's name people read, for "belongs to the … lesson"
    config_cls    the lesson's settings dataclass (settings_spec metadata)
    step_count(trainer) -> int
    export_tensors(trainer) -> {name: array}        what the run's state needs (NumPy arrays)
    import_tensors(trainer, {name: array})          load them (names, shapes and dtypes already checked)
    history_rows(trainer) -> {column: values}       the curves, equal lengths
    import_history(trainer, {column: values}, step) the curves and the step counter back
    optional: resume_state(trainer) -> state and load_resume_state(trainer, state): random streams and
    optimiser moments, so that the imported run goes on exactly as the exported one would have
    """

    lesson: str
    config_cls: type

    def step_count(self, trainer: Any) -> int: ...
    def export_tensors(self, trainer: Any) -> dict[str, np.ndarray]: ...
    def import_tensors(self, trainer: Any, tensors: dict[str, np.ndarray]) -> None: ...
    def history_rows(self, trainer: Any) -> dict[str, Sequence[float]]: ...
    def import_history(self, trainer: Any, history: dict[str, np.ndarray], step: int) -> None: ...


def export_run(adapter: RunAdapter, trainer: Any, config: Any, seed: int,
               extra: Mapping[str, Any] | None = None) -> bytes:
    resume = adapter.resume_state(trainer) if hasattr(adapter, "resume_state") else None
    return write_bundle(adapter.lesson, config, seed=seed, step=adapter.step_count(trainer),
                        tensors=adapter.export_tensors(trainer), history=adapter.history_rows(trainer), extra=extra,
                        title=getattr(adapter, "title", None), resume=resume)


def check_tensors(expected: Mapping[str, np.ndarray], got: Mapping[str, np.ndarray]) -> None:
    """Same names, shapes and kinds of number as a fresh run of this lesson, or BundleError naming the first
    difference."""
    missing = [n for n in expected if n not in got]
    unknown = [n for n in got if n not in expected]
    if missing:
        raise BundleError(f"The weights in this export do not fit this page's model: {missing[0]!r} is missing.")
    if unknown:
        raise BundleError(f"The weights in this export do not fit this page's model: unexpected {unknown[0]!r}.")
    for name, want in expected.items():
        have = got[name]
        if tuple(have.shape) != tuple(np.shape(want)):
            raise BundleError(f"The weights in this export do not fit this page's model: {name!r} has shape "
                              f"{tuple(have.shape)}, the model needs {tuple(np.shape(want))}.")
        if have.dtype.kind != np.asarray(want).dtype.kind:
            raise BundleError(f"The weights in this export do not fit this page's model: {name!r} holds "
                              f"{have.dtype} numbers, the model needs {np.asarray(want).dtype}.")


def import_run(adapter: RunAdapter, data: bytes, build: Callable[[Any, int], Any]) -> tuple[Any, Bundle]:
    """(a new trainer holding the exported run, the bundle). `build(config, seed)` makes a fresh trainer as
    the page's Reset would. BundleError leaves nothing changed: the caller keeps its current run, since the
    new one is only handed over when everything loaded."""
    bundle = read_bundle(data, adapter.lesson, adapter.config_cls)
    trainer = build(bundle.config, bundle.seed)
    check_tensors(adapter.export_tensors(trainer), bundle.tensors)
    try:
        adapter.import_tensors(trainer, bundle.tensors)
        adapter.import_history(trainer, bundle.history, bundle.step)
        if bundle.resume is not None and hasattr(adapter, "load_resume_state"):
            adapter.load_resume_state(trainer, bundle.resume)  # from here the run goes on as the exported one
    except BundleError:
        raise
    except resume_state.StateError as exc:
        raise BundleError(f"This export cannot be continued: {exc}.") from None
    except (ValueError, KeyError, TypeError, RuntimeError) as exc:
        raise BundleError(f"This export could not be loaded into this page's model ({type(exc).__name__}: {exc}).") from None
    return trainer, bundle


def finite_or_nan(values: Sequence[float]) -> list[float]:
    """History values as plain floats (None → NaN), for `history_rows`."""
    return [float("nan") if v is None else float(v) for v in values]


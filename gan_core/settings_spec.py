"""Settings described once: label, help, limits and choices live in a config dataclass's field metadata.

Every face of an experiment's settings reads that one description: the page's widgets (`ui/`), the
command line (`add_arguments` / `from_arguments`), the link's query string (`to_query` / `from_query`),
exported runs (`to_mapping` / `from_mapping`) and the tests. So a limit or a message lives in one place
and a bad value gets the same clear message wherever it came from.

    @dataclass(frozen=True)
    class ToyConfig:
        lr_g: float = field(default=5e-4, metadata=setting("G learning rate", "How far G moves per step.",
                                                            min=1e-5, max=0.1, positive=True, format="%.0e"))
        loss: str = field(default="nonsaturating", metadata=setting("Loss", choices=LOSSES))

        def validate(self) -> dict[str, str]:
            return check(self)          # plus any cross-field rules

Kinds are read from the annotation: bool, int, float, str, tuple of floats or ints (fixed length, the
default's), tuple of str (a multi-choice). A field without `setting(...)` metadata is not a setting.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import math
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SETTING_KEY = "setting"


@dataclass(frozen=True)
class Setting:
    label: str
    help: str = ""
    min: float | None = None
    max: float | None = None
    positive: bool = False  # strictly greater than 0 (a learning rate), on top of min
    step: float | None = None  # widget step
    format: str | None = None  # printf-style number format for widgets, e.g. "%.0e"
    choices: Mapping[str, str] | None = None  # value -> label people read
    advanced: bool = False  # folded away by default and hidden in presenter mode
    widget: str | None = None  # a hint for ui/: "slider", "number", "select", "radio", "segmented", "toggle", "text"
    url: bool = True  # travels in the page's link
    cli: bool = True  # has a --flag


def setting(label: str, help: str = "", **options: Any) -> dict[str, Setting]:
    """Field metadata for one setting: `field(default=…, metadata=setting("Label", "help", min=…))`."""
    return {SETTING_KEY: Setting(label, help, **options)}


@dataclass(frozen=True)
class FieldSpec:
    name: str
    kind: str  # "bool" | "int" | "float" | "str" | "floats" | "ints" | "strs"
    default: Any
    setting: Setting

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")


def specs(config_or_cls: Any) -> list[FieldSpec]:
    """The settings of a config dataclass (class or instance), in declaration order."""
    cls = config_or_cls if isinstance(config_or_cls, type) else type(config_or_cls)
    hints = typing.get_type_hints(cls)
    out = []
    for f in dataclasses.fields(cls):
        meta = f.metadata.get(SETTING_KEY)
        if meta is None:
            continue
        default = f.default if f.default is not dataclasses.MISSING else f.default_factory()  # type: ignore[misc]
        out.append(FieldSpec(f.name, _kind(hints[f.name], default), default, meta))
    return out


def spec_of(config_or_cls: Any, name: str) -> FieldSpec:
    for s in specs(config_or_cls):
        if s.name == name:
            return s
    raise KeyError(name)


def _kind(annotation: Any, default: Any) -> str:
    origin = typing.get_origin(annotation)
    if origin is tuple or isinstance(default, tuple):
        args = [a for a in typing.get_args(annotation) if a is not Ellipsis]
        inner = args[0] if args else type(default[0]) if default else float
        return {str: "strs", int: "ints"}.get(inner, "floats")
    if annotation is bool:
        return "bool"
    if annotation is int:
        return "int"
    if annotation is float:
        return "float"
    return "str"


# ---------------------------------------------------------------- checking

def _number_text(value: float) -> str:
    """A number as people read it: whole numbers in full (a seed's limit is 2147483647, not 2.14748e+09)."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return f"{value:g}" if isinstance(value, float) else str(value)


def short_repr(value: Any, limit: int = 40) -> str:
    """repr(value), cut short: a message must stay readable whatever was typed or pasted into a link."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def check_value(spec: FieldSpec, value: Any) -> str | None:
    """The message for a bad value of one setting, or None when it is fine."""
    s, label = spec.setting, spec.setting.label
    if spec.kind == "bool":
        return None if isinstance(value, bool) else f"{label} must be on or off (got {short_repr(value)})."
    if spec.kind == "str":
        if not isinstance(value, str):
            return f"{label} must be text (got {short_repr(value)})."
        if s.choices is not None and value not in s.choices:
            return f"{label}: {short_repr(value)} is not one of {', '.join(s.choices)}."
        return None
    if spec.kind == "strs":
        if not isinstance(value, (tuple, list)) or not all(isinstance(v, str) for v in value):
            return f"{label} must be a list of names (got {short_repr(value)})."
        bad = [v for v in value if s.choices is not None and v not in s.choices]
        if bad:
            return f"{label}: {', '.join(map(short_repr, bad))} not among {', '.join(s.choices or ())}."
        return None
    if spec.kind in ("floats", "ints"):
        if not isinstance(value, (tuple, list)) or len(value) != len(spec.default):
            return f"{label} needs {len(spec.default)} numbers (got {short_repr(value)})."
        for v in value:
            problem = _check_number(spec, v, integer=spec.kind == "ints")
            if problem:
                return problem
        return None
    return _check_number(spec, value, integer=spec.kind == "int")


def _check_number(spec: FieldSpec, value: Any, *, integer: bool) -> str | None:
    s, label = spec.setting, spec.setting.label
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return f"{label} must be a number (got {short_repr(value)})."
    if isinstance(value, float) and not math.isfinite(value):
        return f"{label} must be a finite number (got {short_repr(value)})."
    if integer and not isinstance(value, int) and not float(value).is_integer():
        return f"{label} must be a whole number (got {_number_text(value)})."
    if s.positive and value <= 0:
        return f"{label} must be greater than 0 (got {_number_text(value)})."
    lo, hi = s.min, s.max
    got = _number_text(value)
    got = got if len(got) <= 40 else got[:39] + "…"
    if lo is not None and hi is not None and not lo <= value <= hi:
        return f"{label} must be between {_number_text(lo)} and {_number_text(hi)} (got {got})."
    if lo is not None and value < lo:
        return f"{label} must be at least {_number_text(lo)} (got {got})."
    if hi is not None and value > hi:
        return f"{label} must be at most {_number_text(hi)} (got {got})."
    return None


def check(config: Any) -> dict[str, str]:
    """{field: message} for every setting whose value breaks its own limits (empty = all fine).

    A config's `validate()` returns this, plus its cross-field rules, so every face shows the same words.
    """
    errors = {}
    for spec in specs(config):
        problem = check_value(spec, getattr(config, spec.name))
        if problem:
            errors[spec.name] = problem
    return errors


class InvalidSettings(ValueError):
    """Raised by a trainer given settings that `validate()` refuses; `.errors` is {field: message}."""

    def __init__(self, errors: Mapping[str, str]):
        self.errors = dict(errors)
        super().__init__("invalid settings: " + "; ".join(f"{k}: {v}" for k, v in self.errors.items()))


def ensure_valid(config: Any) -> None:
    """Raise InvalidSettings unless `config.validate()` is empty (what every trainer does first)."""
    errors = config.validate()
    if errors:
        raise InvalidSettings(errors)


# ---------------------------------------------------------------- parsing text (URL, CLI)

def parse_text(spec: FieldSpec, text: str) -> Any:
    """A value of this setting from text, as typed on a command line or found in a URL. ValueError says why."""
    label = spec.setting.label
    text = str(text).strip()
    try:
        if spec.kind == "bool":
            low = text.lower()
            if low in ("1", "true", "yes", "on"):
                return True
            if low in ("0", "false", "no", "off"):
                return False
            raise ValueError
        if spec.kind == "int":
            number = float(text)
            if not math.isfinite(number) or number != int(number):
                raise ValueError
            return int(number)
        if spec.kind == "float":
            return float(text)
        if spec.kind == "str":
            return text
        parts = [p for p in text.replace(";", ",").split(",") if p.strip()]
        if spec.kind == "strs":
            return tuple(p.strip() for p in parts)
        numbers = [float(p) for p in parts]
        if spec.kind == "ints":
            if any(n != int(n) for n in numbers):
                raise ValueError
            return tuple(int(n) for n in numbers)
        return tuple(numbers)
    except (ValueError, OverflowError):
        shown = text if len(text) <= 40 else text[:37] + "…"
        n = len(spec.default) if isinstance(spec.default, tuple) else 0
        expected = {
            "bool": "on or off (1/0)", "int": "a whole number", "float": "a number",
            "floats": f"{n} numbers separated by commas", "ints": f"{n} whole numbers separated by commas",
        }.get(spec.kind, "text")
        raise ValueError(f"{label} must be {expected} (got {shown!r}).") from None


def format_text(spec: FieldSpec, value: Any) -> str:
    """The inverse of `parse_text`: how a value is written in a URL."""
    if spec.kind == "bool":
        return "1" if value else "0"
    if spec.kind in ("floats", "ints", "strs"):
        return ",".join(_number_or_text(v) for v in value)
    return _number_or_text(value)


def _number_or_text(value: Any) -> str:
    if isinstance(value, float):
        whole = math.isfinite(value) and value.is_integer() and abs(value) < 1e16
        return str(int(value)) if whole else repr(value)
    return str(value)


# ---------------------------------------------------------------- mappings (exports, JSON, URL)

def _json_ready(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def to_mapping(config: Any) -> dict[str, Any]:
    """Every setting of `config` as JSON-ready values (tuples become lists)."""
    return {spec.name: _json_ready(getattr(config, spec.name)) for spec in specs(config)}


def _as_kind(value: Any, integer: bool) -> Any:
    """A JSON number as the field's type: 4.0 -> 4 for an int, 1 -> 1.0 for a float (anything else unchanged)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return value
    if integer:
        return int(value) if isinstance(value, float) and value.is_integer() else value
    return float(value) if isinstance(value, int) else value


def _from_json_value(spec: FieldSpec, value: Any) -> Any:
    if isinstance(value, str) and spec.kind not in ("str",):
        return parse_text(spec, value)
    if spec.kind in ("floats", "ints", "strs") and isinstance(value, list):
        value = tuple(value)
    if spec.kind in ("floats", "ints") and isinstance(value, tuple):
        return tuple(_as_kind(v, spec.kind == "ints") for v in value)
    if spec.kind in ("int", "float"):
        return _as_kind(value, spec.kind == "int")
    return value


def from_mapping(
    cls: type, data: Mapping[str, Any], *, base: Any = None, ignore: typing.Iterable[str] = ()
) -> tuple[Any, dict[str, str]]:
    """A config from {name: value} (JSON values or text), and {name: message} for what was refused.

    Bad or unknown entries are reported and skipped: those settings keep `base`'s value (the defaults when
    no base is given), so the result is always usable. Cross-field rules (`validate()`) are checked too;
    when they fail, the result is `base` itself.
    """
    base = base if base is not None else cls()
    by_name = {s.name: s for s in specs(cls)}
    skip = set(ignore)
    changes, errors = {}, {}
    if not isinstance(data, Mapping):
        return base, {"settings": f"Settings must be a table of name → value (got {type(data).__name__})."}
    for name, raw in data.items():
        if name in skip:
            continue
        spec = by_name.get(name)
        if spec is None:
            shown = str(name) if len(str(name)) <= 40 else str(name)[:37] + "…"
            errors[str(name)] = f"Unknown setting {shown!r}."
            continue
        try:
            value = _from_json_value(spec, raw)
        except ValueError as exc:
            errors[name] = str(exc)
            continue
        problem = check_value(spec, value)
        if problem:
            errors[name] = problem
            continue
        changes[name] = value
    config = dataclasses.replace(base, **changes)
    cross = {k: v for k, v in config.validate().items() if k not in errors}
    if cross:
        errors.update(cross)
        return base, errors
    return config, errors


def to_query(config: Any) -> dict[str, str]:
    """The settings that differ from the defaults, as URL query parameters."""
    out = {}
    for spec in specs(config):
        value = getattr(config, spec.name)
        if spec.setting.url and _json_ready(value) != _json_ready(spec.default):
            out[spec.name] = format_text(spec, value)
    return out


def from_query(cls: type, params: Mapping[str, str], *, ignore: typing.Iterable[str] = ()) -> tuple[Any, dict[str, str]]:
    """A config from a link's query parameters; parameters that are not this config's settings are ignored."""
    names = {s.name for s in specs(cls) if s.setting.url}
    wanted = {k: v for k, v in params.items() if k in names and k not in set(ignore)}
    return from_mapping(cls, wanted)


# ---------------------------------------------------------------- command line

def add_arguments(parser: argparse.ArgumentParser, cls: type, *, skip: typing.Iterable[str] = ()) -> None:
    """One --flag per setting, help and limits from the metadata; values are parsed by `from_arguments`
    so that a bad one gets the same message as on the page. Adds --config PATH.json too."""
    skipped = set(skip)
    parser.add_argument("--config", metavar="PATH.json", default=None,
                        help="start from the settings in this JSON file (a page's export); flags override it")
    for spec in specs(cls):
        if not spec.setting.cli or spec.name in skipped:
            continue
        s = spec.setting
        parts = [s.help.rstrip(".")] if s.help else [s.label]
        if s.choices:
            parts.append("one of " + ", ".join(s.choices) if spec.kind == "str" else "comma-separated, from " + ", ".join(s.choices))
        if s.min is not None or s.max is not None:
            parts.append(f"range {'' if s.min is None else _number_text(s.min)}..{'' if s.max is None else _number_text(s.max)}")
        shown = ("on" if spec.default else "off") if spec.kind == "bool" else format_text(spec, spec.default)
        parts.append(f"default {shown}")
        text = "; ".join(p.replace("%", "%%") for p in parts if p)
        if spec.kind == "bool":  # --flag / --no-flag
            parser.add_argument(spec.flag, dest=spec.name, default=None, action=argparse.BooleanOptionalAction,
                                help=text)
        elif spec.kind in ("floats", "ints"):  # --start 1 2 (or --start 1,2)
            parser.add_argument(spec.flag, dest=spec.name, default=None, nargs="+", metavar=spec.name.upper(),
                                help=text)
        else:
            parser.add_argument(spec.flag, dest=spec.name, default=None, metavar=spec.name.upper(), help=text)


def from_arguments(cls: type, namespace: argparse.Namespace) -> tuple[Any, dict[str, str]]:
    """The config a command line asks for: --config's file first, then each flag given."""
    base, errors = cls(), {}
    path = getattr(namespace, "config", None)
    if path:
        base, errors = load_settings_file(cls, path)
    given = {}
    for spec in specs(cls):
        value = getattr(namespace, spec.name, None)
        if value is not None:  # nargs="+" gives a list of words: parse them as one text
            given[spec.name] = ",".join(map(str, value)) if isinstance(value, list) else value
    config, flag_errors = from_mapping(cls, given, base=base)
    errors.update(flag_errors)
    return config, errors


def load_settings_file(cls: type, path: str | Path) -> tuple[Any, dict[str, str]]:
    """Settings from a JSON file: either a bare {name: value} table or an export {"settings": {...}, ...}."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return cls(), {"config": f"No settings file at {path}."}
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        return cls(), {"config": f"{path} is not a readable JSON settings file ({type(exc).__name__})."}
    if isinstance(data, Mapping) and isinstance(data.get("settings"), Mapping):
        data = data["settings"]
    return from_mapping(cls, data)

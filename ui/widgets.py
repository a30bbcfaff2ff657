"""A page's settings widgets, generated from its config's field metadata (gan_core.settings_spec).

No page lists its fields: label, help, limits, step, format, choices and `advanced` come from
`specs(cls)`. Widget keys are `f"{prefix}_{name}"`. What the widgets show is also kept in a plain dict
(`values`) so that a widget Streamlit did not draw this run (another page, a hidden setting) keeps its
value instead of falling back to the default.

Number boxes get no min/max: an out-of-range value reaches `validate()` and is shown as that message
under the widget, the same words as on the command line, instead of being silently clamped.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import streamlit as st

from gan_core.settings_spec import FieldSpec, specs

# A field drawn by the page itself: (spec, widget key, current value) -> nothing; it writes the value
# into st.session_state[key] (like any keyed widget does).
Custom = Callable[[FieldSpec, str, Any], None]


def key_of(prefix: str, name: str, index: int | None = None) -> str:
    return f"{prefix}_{name}" if index is None else f"{prefix}_{name}_{index}"


def _widget_keys(prefix: str, spec: FieldSpec) -> list[str]:
    if spec.kind in ("floats", "ints"):
        return [key_of(prefix, spec.name, i) for i in range(len(spec.default))]
    return [key_of(prefix, spec.name)]


def _to_widget(spec: FieldSpec, value: Any) -> list[Any]:
    if spec.kind in ("floats", "ints"):
        return list(value)
    if spec.kind == "strs":
        return [list(value)]
    return [value]


def _from_widget(spec: FieldSpec, parts: list[Any]) -> Any:
    if spec.kind in ("floats", "ints"):
        cast = int if spec.kind == "ints" else float
        return tuple(cast(v) if isinstance(v, (int, float)) else v for v in parts)
    if spec.kind == "strs":
        return tuple(parts[0] or ())
    value = parts[0]
    if spec.kind == "int" and isinstance(value, float) and value.is_integer():
        return int(value)
    if spec.kind == "float" and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def show(prefix: str, config: Any, values: dict[str, Any], skip: Iterable[str] = ()) -> None:
    """Make the widgets show `config` (for Revert, a scenario, a link). Call from a callback or before the
    widgets are drawn in this run."""
    skipped = set(skip)
    for spec in specs(config):
        if spec.name in skipped:
            continue
        value = getattr(config, spec.name)
        values[spec.name] = value
        for key, part in zip(_widget_keys(prefix, spec), _to_widget(spec, value)):
            st.session_state[key] = part


def _restore(prefix: str, spec: FieldSpec, value: Any, force: bool) -> None:
    for key, part in zip(_widget_keys(prefix, spec), _to_widget(spec, value)):
        if force or key not in st.session_state:
            st.session_state[key] = part


def pull(cls: type, prefix: str, values: dict[str, Any], drawn: set[str]) -> None:
    """Take the values of the widgets drawn last run (a change the user just made) into `values`. A widget
    that was not drawn (hidden, another page) may hold Streamlit's default instead of its value: skip it."""
    for spec in specs(cls):
        if spec.name in drawn and all(k in st.session_state for k in _widget_keys(prefix, spec)):
            values[spec.name] = _read(prefix, spec)


def _read(prefix: str, spec: FieldSpec) -> Any:
    return _from_widget(spec, [st.session_state.get(k) for k in _widget_keys(prefix, spec)])


def _number(spec: FieldSpec, key: str, label: str, disabled: bool) -> None:
    s = spec.setting
    integer = spec.kind in ("int", "ints")
    limits = ""
    if s.min is not None or s.max is not None:
        lo = "" if s.min is None else f"{s.min:g}"
        hi = "" if s.max is None else f"{s.max:g}"
        limits = f" Allowed: {lo} … {hi}."
    help_text = (s.help + limits).strip() or None
    if s.widget == "slider" and s.min is not None and s.max is not None:
        cast = int if integer else float
        st.slider(label, cast(s.min), cast(s.max), step=cast(s.step) if s.step else None, format=s.format,
                  key=key, help=help_text, disabled=disabled)
        return
    step = s.step if s.step is not None else (1 if integer else None)
    if integer:
        step = int(step)
    elif step is not None:
        step = float(step)
    st.number_input(label, step=step, format=s.format if not integer else None, key=key, help=help_text,
                    disabled=disabled)


def draw_widget(prefix: str, spec: FieldSpec, disabled: bool = False) -> None:
    s = spec.setting
    key = key_of(prefix, spec.name)
    help_text = s.help or None
    choices = dict(s.choices) if s.choices is not None else None
    if spec.kind == "bool":
        (st.checkbox if s.widget == "checkbox" else st.toggle)(s.label, key=key, help=help_text, disabled=disabled)
    elif spec.kind == "str" and choices is not None:
        options = list(choices)
        fmt = lambda v: choices.get(v, str(v))  # noqa: E731
        if s.widget == "radio":
            st.radio(s.label, options, format_func=fmt, key=key, help=help_text, horizontal=True, disabled=disabled)
        elif s.widget == "segmented":
            st.segmented_control(s.label, options, format_func=fmt, key=key, help=help_text, disabled=disabled,
                                 required=True)
        else:
            st.selectbox(s.label, options, format_func=fmt, key=key, help=help_text, disabled=disabled)
    elif spec.kind == "str":
        st.text_input(s.label, key=key, help=help_text, disabled=disabled)
    elif spec.kind == "strs":
        options = list(choices or ())
        st.multiselect(s.label, options, format_func=lambda v: (choices or {}).get(v, str(v)), key=key,
                       help=help_text, disabled=disabled)
    elif spec.kind in ("floats", "ints"):
        cols = st.columns(len(spec.default))
        for i, col in enumerate(cols):
            with col:
                _number(spec, key_of(prefix, spec.name, i), f"{s.label} ({i + 1})", disabled)
    else:
        _number(spec, key, s.label, disabled)


def render(
    cls: type,
    prefix: str,
    values: dict[str, Any],
    errors: Mapping[str, str],
    *,
    skip: Iterable[str] = (),
    hidden: Callable[[str], bool] = lambda name: False,
    custom: Mapping[str, Custom] | None = None,
    columns: int = 3,
    disabled: bool = False,
    drawn: set[str] | None = None,
    show_advanced: bool = True,
) -> None:
    """Draw one widget per setting (non-advanced first, in `columns` columns; advanced ones folded into an
    "Advanced" expander, or not drawn at all when `show_advanced` is off: presenter mode), each followed by
    its message from `errors`. `drawn`: the fields drawn last run;
    it is updated to this run's."""
    skipped, custom = set(skip), dict(custom or {})
    shown = [s for s in specs(cls) if s.name not in skipped and not hidden(s.name)
             and (show_advanced or not s.setting.advanced)]
    before = set(drawn) if drawn is not None else set()
    for spec in shown:
        _restore(prefix, spec, values.get(spec.name, spec.default), force=spec.name not in before)

    def draw(group: list[FieldSpec]) -> None:
        # A multi-choice setting with several options gets a row of its own: its chips need the width
        # (in one of five columns at 1400 px the xy game's fourth update rule was hidden).
        wide = [s for s in group if s.kind == "strs" and len(s.setting.choices or ()) > 3 and s.name not in custom]
        for spec in wide:
            draw_widget(prefix, spec, disabled)
            if spec.name in errors:
                st.error(errors[spec.name], icon=":material/error:")
        group = [s for s in group if s not in wide]
        if not group:
            return
        cols = st.columns(min(columns, len(group)), gap="medium")
        for i, spec in enumerate(group):
            with cols[i % len(cols)]:
                if spec.name in custom:
                    custom[spec.name](spec, key_of(prefix, spec.name), values.get(spec.name, spec.default))
                else:
                    draw_widget(prefix, spec, disabled)
                if spec.name in errors:
                    st.error(errors[spec.name], icon=":material/error:")

    draw([s for s in shown if not s.setting.advanced])
    advanced = [s for s in shown if s.setting.advanced]
    if advanced and show_advanced:
        with st.expander("Advanced", icon=":material/settings:"):
            draw(advanced)
    for spec in shown:
        values[spec.name] = _read(prefix, spec)
    if drawn is not None:
        drawn.clear()
        drawn.update(s.name for s in shown)


def config_from(cls: type, base: Any, values: Mapping[str, Any], extra: Mapping[str, Any] | None = None) -> Any:
    """The config the widgets ask for (not necessarily valid: validate() says what is wrong)."""
    names = {s.name for s in specs(cls)}
    changes = {k: v for k, v in values.items() if k in names}
    changes.update(extra or {})
    return dataclasses.replace(base, **changes)

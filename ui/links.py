"""A page's settings live in its link: `st.query_params` ↔ the config, for any config class (settings_spec).

    config, notes = links.read_link(Mapping1DConfig, "mapping-1d")   # once per session: the link's settings
    ...widgets...
    links.write_link(config, seed=global_seed())                      # every full rerun: the URL follows
    links.copy_link()                                                  # the link, with a copy button

Only settings that differ from the defaults are written, so a link stays short. Shared parameters:
`seed` (the sidebar's seed) and `present` (presenter mode, ui/presenter.py). A bad value in a link
(`seed=banana`, `eta=-5`, `digit=42`, a script tag) becomes a note naming the parameter; the default is
used and nothing else is affected. Parameters that are not settings of the page are ignored.
"""
from __future__ import annotations

import urllib.parse
from collections.abc import Iterable, Mapping
from typing import Any

import streamlit as st

from gan_core.seeding import MAX_SEED
from gan_core.settings_spec import format_text, from_mapping, specs

SEED_PARAM, PRESENT_PARAM = "seed", "present"
SHARED_PARAMS = (SEED_PARAM, PRESENT_PARAM)
_READ_KEY = "_link_read_{}"  # session_state: this lesson's link was read (once per session)
_NOTES_KEY = "_link_notes_{}"  # session_state: notes about the link's bad values, shown until settings change
PAGE_PARAMS_KEY = "_link_page_params"  # session_state: parameters a page writes itself (the CGAN digit and z)
_MD_SPECIAL = "\\`*_{}[]()<>#+-.!|~$"


def plain(text: str) -> str:
    """Text shown literally in markdown (a link's value is typed by anyone: no markup, no HTML)."""
    return "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in str(text))


def _params() -> dict[str, str]:
    # A repeated key (?eta=1&eta=2) reads as its last value, as in st.query_params[key].
    return {k: st.query_params[k] for k in st.query_params.keys()}


def to_mapping_value(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def parse_seed(text: str) -> tuple[int | None, str | None]:
    """(seed, None), or (None, note) when the link's seed is not a whole number in range."""
    try:
        number = float(str(text).strip())
        if number != int(number) or not 0 <= number <= MAX_SEED:
            raise ValueError
        return int(number), None
    except (ValueError, OverflowError):
        shown = str(text) if len(str(text)) <= 40 else str(text)[:37] + "…"
        return None, f"Seed must be a whole number between 0 and {MAX_SEED} (got {shown!r})."


def _url_names(cls: type, skip: Iterable[str]) -> set[str]:
    skipped = set(skip) | set(SHARED_PARAMS)
    return {s.name for s in specs(cls) if s.setting.url and s.name not in skipped}


def link_config(cls: type, params: Mapping[str, str], *, base: Any = None,
                skip: Iterable[str] = ()) -> tuple[Any, list[str]]:
    """The config a link asks for (starting from `base`, the page's defaults) and one note per refused
    parameter ("`eta`: …; the default is used"). `skip`: settings that do not travel in the link."""
    names = _url_names(cls, skip)
    config, errors = from_mapping(cls, {k: v for k, v in params.items() if k in names}, base=base)
    # Only the names of settings get here (other parameters are ignored), so a name is safe in a code span,
    # where markdown escapes would show; the message quotes what was typed, so it is escaped.
    notes = [f"Link parameter `{name}`: {plain(message)} The default is used." for name, message in errors.items()]
    return config, notes


def read_link(cls: type, lesson: str, *, base: Any = None, skip: Iterable[str] = ()) -> tuple[Any | None, list[str]]:
    """Once per session and lesson: (the link's config, notes), or (None, notes so far) on later reruns, so a
    link sets the starting point and the controls own the settings from then on."""
    key = _READ_KEY.format(lesson)
    if st.session_state.get(key):
        return None, list(st.session_state.get(_NOTES_KEY.format(lesson), []))
    st.session_state[key] = True
    config, notes = link_config(cls, _params(), base=base, skip=skip)
    if notes:
        st.session_state[_NOTES_KEY.format(lesson)] = notes
    return config, notes


def read_seed() -> tuple[int | None, str | None]:
    """The link's `seed`, when there is one: (seed, None), (None, note) or (None, None)."""
    if SEED_PARAM not in st.query_params:
        return None, None
    seed, problem = parse_seed(st.query_params[SEED_PARAM])
    return seed, (f"Link parameter `seed`: {plain(problem)} The default is used." if problem else None)


def link_params(config: Any, *, base: Any = None, skip: Iterable[str] = (), seed: int = 0,
                present: bool = False) -> dict[str, str]:
    """The query parameters that reproduce this page: settings that differ from `base` (the page's defaults),
    then the shared ones."""
    params: dict[str, str] = {}
    if config is not None:
        base = base if base is not None else type(config)()
        names = _url_names(type(config), skip)
        for spec in specs(config):
            value = getattr(config, spec.name)
            if spec.name in names and to_mapping_value(value) != to_mapping_value(getattr(base, spec.name)):
                params[spec.name] = format_text(spec, value)
    if seed:
        params[SEED_PARAM] = str(int(seed))
    if present:
        params[PRESENT_PARAM] = "1"
    return params


def write_link(config: Any, *, base: Any = None, skip: Iterable[str] = (), seed: int = 0, present: bool = False,
               lesson: str | None = None) -> dict[str, str]:
    """Make the browser's URL show these settings (only when it differs: no needless history entries).
    Notes about a link's bad values are dropped once the settings in the URL have been rewritten."""
    params = link_params(config, base=base, skip=skip, seed=seed, present=present)
    if _params() != params:
        st.query_params.from_dict(params)
        if lesson is not None:
            st.session_state.pop(_NOTES_KEY.format(lesson), None)
    return params


def set_page_params(params: Mapping[str, str | None]) -> None:
    """Parameters a page owns outside any lesson's settings (None removes one). They stay in the link when the
    lifecycle rewrites it (`with_page_params`), and may be set from a fragment's rerun."""
    kept = dict(st.session_state.get(PAGE_PARAMS_KEY, {}))
    for name, value in params.items():
        if value is None:
            kept.pop(name, None)
            if name in st.query_params:
                del st.query_params[name]
        else:
            kept[name] = value
            if st.query_params.get(name) != value:
                st.query_params[name] = value
    st.session_state[PAGE_PARAMS_KEY] = kept


def with_page_params(params: dict[str, str]) -> dict[str, str]:
    return {**params, **st.session_state.get(PAGE_PARAMS_KEY, {})}


def show_notes(lesson: str) -> None:
    for note in st.session_state.get(_NOTES_KEY.format(lesson), []):
        st.warning(note, icon=":material/link_off:")


def page_url(params: Mapping[str, str]) -> str:
    base = st.context.url or ""  # scheme, host, port and the page's path; None outside a browser (tests)
    if base and not urllib.parse.urlsplit(base).path:
        base += "/"  # the default page's address: as the browser writes it
    query = urllib.parse.urlencode(dict(params))
    return f"{base}?{query}" if query else base or "?"


def copy_link(params: Mapping[str, str] | None = None) -> str:
    """The page's link in a code box; Streamlit's code box has a copy button (no external script)."""
    url = page_url(params if params is not None else _params())
    with st.popover("Share link", icon=":material/link:", width="stretch",
                    help="A link to this page with these settings and seed, to copy and share."):
        st.caption("This link opens this page with these settings and seed (same seed + settings = same run).")
        st.code(url, language=None, wrap_lines=True)
    return url


def settings_names(cls: type, skip: Iterable[str] = ()) -> list[str]:
    """Parameters a link may carry for this config (for docs and tests)."""
    return sorted(_url_names(cls, skip)) + list(SHARED_PARAMS)

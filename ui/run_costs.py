"""Streamlit's own per-run costs that a live class pays on every tick, cut where they repeat the same work.

Every script run — each fragment tick too — starts with a NewSession message carrying the theme. Streamlit
builds its six theme sections by scanning all ~200 config options once per section (measured: 4.5 % of
the server's GIL time with twelve 1-D students, the largest single Streamlit cost left per tick). The
theme only changes when the config does, so each section is built once and copied after; any config
change (a re-parsed config file, a set option) builds it again.

`install()` is idempotent and does nothing if the internals moved (re-check on a Streamlit upgrade:
tests/test_run_costs.py compares the cached messages with Streamlit's own).
"""
from __future__ import annotations

import threading

_lock = threading.Lock()
_built: dict[str, bytes] = {}  # section -> the CustomThemeConfig message Streamlit would fill, serialised
_installed = False
_undo: list = []


def _forget(*_args) -> None:
    with _lock:
        _built.clear()


def install() -> bool:
    """Patch the theme part of Streamlit's NewSession message to a cached copy. True once installed."""
    global _installed
    if _installed:
        return True
    try:
        from streamlit import config
        from streamlit.runtime import app_session
        original = app_session._populate_theme_msg  # noqa: SLF001
        set_option = config._set_option  # noqa: SLF001
    except (ImportError, AttributeError):
        return False

    def populate_theme_msg(msg, section: str = "theme") -> None:
        with _lock:
            blob = _built.get(section)
        if blob is None:
            fresh = type(msg)()
            original(fresh, section)
            blob = fresh.SerializeToString()
            with _lock:
                _built[section] = blob
        msg.MergeFromString(blob)

    def set_option_and_forget(*args, **kwargs):
        try:
            return set_option(*args, **kwargs)
        finally:
            _forget()

    populate_theme_msg.original = original
    app_session._populate_theme_msg = populate_theme_msg  # noqa: SLF001
    config._set_option = set_option_and_forget  # noqa: SLF001
    disconnect = config.on_config_parsed(_forget, force_connect=True)  # a re-parsed config file

    def uninstall() -> None:
        app_session._populate_theme_msg = original  # noqa: SLF001
        config._set_option = set_option  # noqa: SLF001
        disconnect()

    _undo.append(uninstall)
    _installed = True
    return True


def uninstall() -> None:
    """Streamlit's own functions back (for tests)."""
    global _installed
    while _undo:
        _undo.pop()()
    _forget()
    _installed = False

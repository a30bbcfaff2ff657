"""Streamlit's own per-run costs that a live class pays on every tick, cut where they repeat the same work.

Every script run — each fragment tick too — starts with a NewSession message carrying the theme. Streamlit
builds its six theme sections by scanning all ~200 config options once per section (measured: 4.5 % of
the server's GIL time with twelve 1-D students, the largest single Streamlit cost left per tick). The
theme only changes when the config does, so each section is built once and copied after; any config
change (a re-parsed config file, a set option) builds it again.

`install()` is idempotent and does nothing if the internals moved (re-check on a Streamlit upgrade:
tests/test_run_costs.py compares the cached messages with Streamlit's own).

Python's own cycle collector (Streamlit's post-run `gc.collect()` is off, .streamlit/config.toml) still runs
a full collection now and then, and a full collection walks every object the process holds: with torch,
pandas, plotly and Altair imported, ~400,000. Measured in the server (a gc callback, 2 cores): a 170–250 ms
pause of the whole server's Python about once a minute or two with 8 CGAN or 12 1-D students; every tick
waiting behind it runs long on the clock, which the tick planner reads as load. `freeze_long_lived()`, once
at the first page run, imports the app's modules and what their first use imports (LAZY_IMPORTS), then moves
everything alive into the permanent generation (`gc.freeze()`): those objects live as long as the process
anyway. Frozen without the lazy imports, a full collection still took 80–94 ms (66,000 objects, most of them
torch._dynamo's and sympy's, imported by torch's first optimizer); with them none ran in two minutes of
8 CGAN students. Cycles made later are collected as before; what is frozen is never freed, so it runs once.
The server's first page run waits for it (measured: 5.8 s, 2.3 s of it torch._dynamo's import, which the
first Start of a torch lesson paid before).
"""
from __future__ import annotations

import gc
import importlib
import logging
import pkgutil
import threading

_lock = threading.Lock()
_built: dict[str, bytes] = {}  # section -> the CustomThemeConfig message Streamlit would fill, serialised
_installed = False
_undo: list = []
_frozen = False
LOG = logging.getLogger(__name__)
LONG_LIVED_PACKAGES = ("ui", "gan_core")  # imported in full before the freeze: every page needs most of them
# ... and what they import only when first used: torch's first optimizer imports torch._dynamo and with it
# sympy (~45,000 objects, measured: most of what a full collection still walked after a freeze without them);
# PNG encoding imports Pillow's modules
LAZY_IMPORTS = ("torch._dynamo", "PIL.Image", "PIL.PngImagePlugin")


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


def freeze_long_lived() -> int:
    """Import the app's packages, collect, and freeze what is alive (once per process; see the module
    docstring). Returns how many objects were frozen, 0 on every later call."""
    global _frozen
    with _lock:
        if _frozen:
            return 0
        _frozen = True
    for name in LAZY_IMPORTS:
        _import_before_freeze(name)
    for name in LONG_LIVED_PACKAGES:
        package = importlib.import_module(name)
        for module in pkgutil.walk_packages(package.__path__, prefix=f"{name}."):
            if module.name.rsplit(".", 1)[-1] != "__main__":  # the CLI's entry point runs when imported
                _import_before_freeze(module.name)
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


def _import_before_freeze(name: str) -> None:
    try:
        importlib.import_module(name)
    except Exception:  # noqa: BLE001 - a module that cannot import is one less frozen (and its page's problem)
        LOG.warning("not imported before the GC freeze: %s", name, exc_info=True)

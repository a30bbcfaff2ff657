"""Export a run as one zip (gan_core/run_bundle.py) and import one back, on any page.

    export_bar.render("mapping-1d", make_bundle=lambda: run_bundle.export_run(...), on_import=apply_bundle)

`make_bundle()` is called only when the button is pressed (a callable download), so a running page does
not zip its weights on every rerun. `on_import(data)` either applies the run (and returns a line to show)
or raises `BundleError`: its message is shown and the current run is kept. Each uploaded file is handled
once (in the uploader's callback), however often the page reruns afterwards.
"""
from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from gan_core.run_bundle import MAX_BUNDLE_BYTES, BundleError, bundle_file_name
from ui.links import plain

_RESULT_KEY = "_import_result_{}"  # ("ok" | "refused", message) of the last import


def render(
    lesson: str,
    *,
    make_bundle: Callable[[], bytes],
    on_import: Callable[[bytes], str],
    step: int = 0,
    disabled: bool = False,
) -> None:
    """A download button above a file uploader (put it in a popover, an expander or the sidebar)."""
    left, right = st.container(), st.container()
    with left:
        st.download_button(
            "Export run (.zip)", data=make_bundle, file_name=bundle_file_name(lesson, step),
            mime="application/zip", key=f"{lesson}_export", icon=":material/download:", disabled=disabled,
            on_click="ignore",
            help="Settings (JSON), weights (safetensors) and history (CSV) in one zip, stamped with the app's "
                 "version. Import it here later, or pass its settings to the command line with --config.",
        )
    with right:
        # Imports run in the uploader's callback, before the page is drawn, so on_import may set widget values.
        st.file_uploader(
            "Import a run", type=["zip"], key=f"{lesson}_import", max_upload_size=max(1, MAX_BUNDLE_BYTES // 2**20),
            on_change=_on_upload, args=(lesson, on_import),
            help="A zip exported from this page. Anything else is refused and the current run is kept.",
        )
    show_result(lesson)


def _on_upload(lesson: str, on_import: Callable[[bytes], str]) -> None:
    upload = st.session_state.get(f"{lesson}_import")
    if upload is None:
        st.session_state.pop(_RESULT_KEY.format(lesson), None)
        return
    st.session_state[_RESULT_KEY.format(lesson)] = import_bytes(upload.getvalue(), on_import)


def import_bytes(data: bytes, on_import: Callable[[bytes], str]) -> tuple[str, str]:
    """("ok", what was loaded) or ("refused", why): never an exception."""
    try:
        return "ok", on_import(data)
    except BundleError as exc:
        return "refused", f"Import refused: {exc} The current run is kept."
    except Exception as exc:  # noqa: BLE001 - a page's loader failing is shown, the current run is kept
        return "refused", f"Import failed ({type(exc).__name__}: {exc}). The current run is kept."


def show_result(lesson: str) -> None:
    result = st.session_state.get(_RESULT_KEY.format(lesson))
    if not result:
        return
    kind, message = result
    # The message may quote the file (a lesson name, a setting): shown literally, never as markup.
    if kind == "ok":
        st.success(plain(message), icon=":material/upload_file:")
    else:
        st.error(plain(message), icon=":material/block:")

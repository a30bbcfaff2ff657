"""Presenter mode: for a projector at 1920×1080. A sidebar toggle, or `?present=1` in the link.

Larger type and charts (CSS only, so no page changes its figures), advanced settings hidden (ui/lifecycle.py
reads the same session key: `presenter_mode()`), every settings panel folded when it is switched on, and
less chrome above the page so its key visual is above the fold. UI only; nothing here changes a run.
"""
from __future__ import annotations

import streamlit as st

PRESENT_KEY = "presenter_mode"
PRESENT_PARAM = "present"
SETTINGS_OPEN_SUFFIX = "_settings_open"

# Streamlit 1.67's layout uses rem for text, so one root size scales type everywhere; the top padding
# (6rem by default) and the toolbar are what push a page's first chart below the fold on a projector.
_CSS = """
<style>
html { font-size: 20px; }
[data-testid="stMainBlockContainer"], .block-container { padding-top: 1.2rem !important; padding-bottom: 1rem !important;
  max-width: 100% !important; padding-left: 2rem !important; padding-right: 2rem !important; }
[data-testid="stHeader"] { background: transparent; }
[data-testid="stDecoration"], [data-testid="stMainMenu"], [data-testid="stAppDeployButton"] { display: none; }
h1 { font-size: 2.1rem !important; padding-top: 0 !important; padding-bottom: 0.3rem !important; }
[data-testid="stMarkdownContainer"] p, [data-testid="stMarkdownContainer"] li { font-size: 1.05rem; }
[data-testid="stMetricValue"], [data-testid="stMetricValue"] * { font-size: 2.1rem !important; }
/* Charts: Vega draws its text at fixed pixel sizes, so scale the whole chart and give it 1/zoom of the width
   (it still fills its column, and the page's own specs need no change). */
[data-testid="stVegaLiteChart"] { zoom: 1.25; width: 80% !important; }
[data-testid="stCaptionContainer"] { font-size: 0.95rem; }
</style>
"""


def init_from_link() -> None:
    """Presenter mode from `?present=1` (before the toggle is drawn, once per session)."""
    if PRESENT_KEY in st.session_state:
        return
    raw = st.query_params.get(PRESENT_PARAM)
    st.session_state[PRESENT_KEY] = str(raw).strip().lower() in ("1", "true", "yes", "on") if raw is not None else False


def toggle() -> bool:
    """The sidebar switch; call inside `with st.sidebar:`."""
    init_from_link()
    return st.toggle("Presenter mode", key=PRESENT_KEY, on_change=_changed,
                     help="For a projector: larger type and charts, advanced settings hidden, settings folded. "
                          "Add ?present=1 to a link to open it this way.")


def _changed() -> None:
    if is_on():  # fold every lesson's settings panel (ui/lifecycle.py's `<prefix>_settings_open`)
        for key in [k for k in st.session_state if isinstance(k, str) and k.endswith(SETTINGS_OPEN_SUFFIX)]:
            st.session_state[key] = False


def is_on() -> bool:
    return bool(st.session_state.get(PRESENT_KEY, False))


def apply_style() -> None:
    """The larger layout, when presenter mode is on (call once per full run, anywhere on the page)."""
    if is_on():
        st.html(_CSS)

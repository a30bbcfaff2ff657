"""A live fragment's `run_every`, changed from inside its own run: no page rerun.

Streamlit tells the browser a fragment's interval (an AutoRerun message) only when the page script defines
the fragment, so the plain way to change it is `st.rerun(scope="app")` — a full page run of every running
session whenever the shared interval (ui/tick_budget.py) moves: with 32 students about 5 s of server CPU at
once, and every browser timer restarted at the same moment. The browser keeps one timer per fragment id and
replaces it when an AutoRerun message with another interval arrives (Streamlit 1.67's `handleAutoRerun`; a
full page run drops all timers and the page's definition sets them again), so the same message sent from
the fragment's own run retimes just this session, at its own phase.
"""
from __future__ import annotations

import logging

LOG = logging.getLogger(__name__)


def retime(interval: float) -> bool:
    """Send this fragment's new `run_every` to the browser from inside its run. False where it cannot (not
    inside a fragment, or a Streamlit without these internals): the caller then reruns the page instead."""
    try:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
        from streamlit.runtime.scriptrunner_utils.script_run_context import ThreadState, get_script_run_ctx
    except ImportError:
        return False
    try:
        ctx = get_script_run_ctx(suppress_warning=True)
        fragment_id = ThreadState.get().fragment_id
        if ctx is None or not fragment_id:
            return False
        msg = ForwardMsg()
        msg.auto_rerun.interval = float(interval)
        msg.auto_rerun.fragment_id = fragment_id
        ctx.enqueue(msg)
        return True
    except Exception:  # noqa: BLE001 - an internal that moved: fall back to the page rerun, never break a tick
        LOG.warning("could not retime the fragment in place; rerunning the page", exc_info=True)
        return False

"""Start / Pause / Step / Reset for a live-training fragment.

Buttons live outside the fragment and use on_click callbacks, so a click reruns the whole
page and the fragment is redefined with the new `run_every` (ticking only while running).
"""
from __future__ import annotations

from collections.abc import Callable

import streamlit as st

TICK_SECONDS = 0.1


def running_key(prefix: str) -> str:
    return f"{prefix}_running"


def is_running(prefix: str) -> bool:
    return bool(st.session_state.get(running_key(prefix), False))


def set_running(prefix: str, value: bool) -> None:
    st.session_state[running_key(prefix)] = value


def tick_interval(prefix: str, seconds: float = TICK_SECONDS) -> float | None:
    """`run_every` for the page's fragment: tick only while running."""
    return seconds if is_running(prefix) else None


def stop_from_fragment(prefix: str) -> None:
    """Pause from inside a running fragment (e.g. on divergence): rerun the page so ticking stops."""
    set_running(prefix, False)
    st.rerun(scope="app")


def control_bar(
    prefix: str,
    *,
    on_step: Callable[[], None],
    on_reset: Callable[[], None],
    can_run: bool = True,
    step_label: str = "Step",
    start_label: str = "Start",
) -> None:
    """Four buttons in a row. `can_run=False` (e.g. invalid settings) disables Start and Step."""
    running = is_running(prefix)
    start, pause, step, reset = st.columns(4)
    start.button(
        start_label,
        key=f"{prefix}_start",
        type="primary",
        icon=":material/play_arrow:",
        disabled=running or not can_run,
        on_click=set_running,
        args=(prefix, True),
        width="stretch",
    )
    pause.button(
        "Pause",
        key=f"{prefix}_pause",
        icon=":material/pause:",
        disabled=not running,
        on_click=set_running,
        args=(prefix, False),
        width="stretch",
    )
    step.button(
        step_label,
        key=f"{prefix}_step",
        icon=":material/skip_next:",
        disabled=running or not can_run,
        on_click=on_step,
        width="stretch",
    )

    def _reset() -> None:
        set_running(prefix, False)
        on_reset()

    reset.button("Reset", key=f"{prefix}_reset", icon=":material/restart_alt:", on_click=_reset, width="stretch")


def run_guarded(prefix: str, error_key: str, action: Callable[[], object], what: str) -> None:
    """Run a training action from a button callback. An unexpected failure pauses the run and is kept
    under `error_key` for the page to show with a way out — never a traceback."""
    try:
        action()
    except Exception as exc:  # noqa: BLE001 - shown to the user, the run is paused
        set_running(prefix, False)
        st.session_state[error_key] = f"{what} failed: {type(exc).__name__}: {exc}"

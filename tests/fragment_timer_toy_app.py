"""A toy page for tests/e2e/test_fragment_timer_browser.py: a fragment that starts with a slow timer and, on
its first timed run, retimes itself (ui/fragment_timer.py) to a fast one without rerunning the page."""
import streamlit as st

from ui import fragment_timer

state = st.session_state
state["full_runs"] = state.get("full_runs", 0) + 1
st.markdown(f"full runs: {state['full_runs']}")
SLOW, FAST = 2.0, 0.2


@st.fragment(run_every=SLOW)
def live() -> None:
    state["ticks"] = state.get("ticks", 0) + 1
    if state["ticks"] == 2:  # the first run the timer asked for (the first ran inside the page run)
        state["retimed"] = fragment_timer.retime(FAST)
    st.markdown(f"ticks: {state['ticks']} · retimed: {state.get('retimed')}")


live()
st.markdown(f"outside a fragment: retime → {fragment_timer.retime(FAST)}")

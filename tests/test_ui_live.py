"""ui/live.py: a failing training action pauses the run and leaves a message, never a traceback."""
from streamlit.testing.v1 import AppTest


def _page():
    import streamlit as st

    from ui import live

    live.set_running("demo", True)

    def explode():
        raise RuntimeError("weights went NaN")

    live.run_guarded("demo", "demo_error", explode, "Training step")
    st.write(st.session_state["demo_error"])
    st.write(f"running={live.is_running('demo')}")


def test_a_failing_action_pauses_the_run_and_becomes_a_message():
    at = AppTest.from_function(_page).run()
    assert not at.exception
    texts = [m.value for m in at.markdown]
    assert "Training step failed: RuntimeError: weights went NaN" in texts
    assert "running=False" in texts

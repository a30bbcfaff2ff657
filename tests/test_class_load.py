"""ui/class_load.py: the word on the lecturer's live panel (presenter mode) when the class slows the runs
down, and the hint to serve it on every core."""
from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from ui import class_load


def test_nothing_to_say_alone_or_at_the_pages_own_pace():
    assert class_load.note(1, 0.6, 0.1, 4, 1) is None  # one run: nobody shares it
    assert class_load.note(12, 0.1, 0.1, 4, 1) is None  # a class the server carries at full pace
    assert class_load.note(12, 0.14, 0.1, 4, 1) is None  # just under SHOW_AT
    assert class_load.note(12, float("nan"), 0.1, 4, 1) is None


def test_a_slowed_class_is_told_why_and_the_lecturer_how_to_use_all_cores():
    text = class_load.note(24, 0.6, 0.1, 4, 1)
    assert "24 live runs" in text and "every 0.6 s" in text and "0.1 s alone" in text
    assert "serve_class.sh --workers 4" in text
    spam = class_load.note(8, 0.3, 0.2, 2, 1)  # a page whose own pace is 0.2 s
    assert "every 0.3 s (0.2 s alone)" in spam


@pytest.mark.parametrize("n_cores, n_workers", [(1, 1), (2, 2), (4, 8), (4, None)])
def test_no_hint_where_more_workers_would_not_help_or_are_not_ours_to_give(n_cores, n_workers):
    text = class_load.note(24, 0.6, 0.1, n_cores, n_workers)
    assert "24 live runs" in text and "serve_class" not in text


@pytest.mark.parametrize("raw, expected", [("", 1), ("  ", 1), ("2", 2), ("replicas", None), ("0", None),
                                           ("-1", None), ("2.5", None)])
def test_workers_from_the_environment(raw, expected):
    assert class_load.workers({class_load.WORKERS_ENV: raw}) == expected
    assert class_load.workers({}) == 1


def test_serve_class_and_the_cluster_manifest_tell_their_workers():
    """The scripts that spread a class out set the variable the hint reads (a renamed variable would bring
    the hint back to classes that already use every core)."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    assert f'export {class_load.WORKERS_ENV}="$WORKERS"' in (root / "scripts/serve_class.sh").read_text()
    assert f"name: {class_load.WORKERS_ENV}, value: \"replicas\"" in (root / "deploy/k8s.yaml").read_text()


def _toy_page():
    from tests.test_ui_lifecycle import toy_lesson
    from ui import lifecycle

    lifecycle.render(toy_lesson())


def _captions(at) -> list[str]:
    return [c.value for c in at.caption]


@pytest.mark.parametrize("running, interval, presenting, shown", [
    (24, 0.6, True, True), (1, 0.1, True, False), (12, 0.1, True, False), (24, 0.6, False, False)])
def test_the_lecturers_live_panel_says_so_only_while_the_class_slows_it(monkeypatch, running, interval, presenting,
                                                                         shown):
    """Presenter mode (the lecturer's projector) only: on every student's panel the note cost updates."""
    from ui import lifecycle, tick_budget

    monkeypatch.setattr(tick_budget, "_BUDGET", tick_budget.TickBudget())  # not other tests' class
    monkeypatch.setattr(tick_budget, "running", lambda: running)
    monkeypatch.setattr(tick_budget, "interval_now", lambda nominal=tick_budget.NOMINAL_INTERVAL: max(nominal, interval))
    monkeypatch.setattr(class_load, "cores", lambda: 4)
    monkeypatch.delenv(class_load.WORKERS_ENV, raising=False)
    monkeypatch.setattr(lifecycle.fragment_timer, "retime", lambda seconds: True)
    at = AppTest.from_function(_toy_page, default_timeout=30)
    at.session_state["presenter_mode"] = presenting
    at.run()
    assert not any("live runs share" in c for c in _captions(at))  # not running: nothing to explain
    at.button(key="toy_start").click().run()
    assert not at.exception, at.exception
    notes = [c for c in _captions(at) if "live runs share" in c]
    assert bool(notes) == shown, _captions(at)
    if shown:
        assert "24 live runs" in notes[0] and "--workers 4" in notes[0]

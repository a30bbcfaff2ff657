"""Teaching texts: the evaluation note for every lesson with metrics, and the index of named failures."""
from pathlib import Path

import pytest

from gan_core.mapping_1d.scenarios import SCENARIOS
from gan_core.texts import EVALUATION_LESSONS, evaluation_note, lessons_index, load

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("lesson", EVALUATION_LESSONS)
def test_evaluation_note_says_there_is_no_likelihood_and_what_is_measured_instead(lesson):
    note = evaluation_note(lesson)
    assert "no likelihood" in note
    measure = {"mapping_1d": "W1", "cgan": "judge classifier", "mode_collapse": "modes"}[lesson]
    assert measure in note


def test_unknown_names_get_a_clear_error():
    with pytest.raises(ValueError, match="no evaluation note"):
        evaluation_note("nope")
    with pytest.raises(ValueError, match="no text named"):
        load("nope")


def test_index_names_the_lectures_three_failures_each_one_click_from_a_real_page():
    _, entries = lessons_index()
    assert [e.failure for e in entries] == ["Diminished gradient", "Non-convergence", "Mode collapse"]
    for entry in entries:
        assert (ROOT / entry.page).is_file(), entry.page
        assert entry.label and entry.text
    vanishing = entries[0]
    assert vanishing.page == "lessons/1_mapping_1d.py" and vanishing.query == {"scenario": "vanishing"}
    assert vanishing.query["scenario"] in SCENARIOS and vanishing.url_query == "scenario=vanishing"

"""The spam page in AppTest: rounds advance, the threshold moves the matrix, blocking words, bad input."""
import pytest

from tests import app_paths

PAGE = "lessons/4_spam_filter.py"


@pytest.fixture
def at():
    return app_paths.open_lesson(PAGE)


def next_round(at, n=1):
    for _ in range(n):
        at.button(key="spam_step").click().run()
        assert not at.exception


def metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


def test_page_opens_at_round_zero_with_its_controls(at):
    assert at.title[0].value == "Spammer vs spam filter"
    assert metric(at, "Round") == "0"
    assert at.button(key="spam_step").label == "Next round"
    assert at.button(key="spam_start").label == "Run"
    assert at.slider(key="spam_threshold").value == 0.5


def test_next_round_advances_and_shows_the_confusion_matrix(at):
    next_round(at, 2)
    game = at.session_state["spam_run"].trainer
    assert game.round == 2 and metric(at, "Round") == "2"
    cm = game.confusion(game.config.threshold).to_dict()
    assert cm == game.log[-1]["confusion"]
    assert any("TP = " in md.value for md in at.markdown)
    assert len(at.get("vega_lite_chart")) == 4


def test_threshold_changes_the_matrix_without_a_new_round(at):
    next_round(at, 3)
    at.slider(key="spam_threshold").set_value(0.02).run()
    low = at.session_state["spam_run"].trainer.confusion().to_dict()
    at.slider(key="spam_threshold").set_value(0.98).run()
    high = at.session_state["spam_run"].trainer.confusion().to_dict()
    assert at.session_state["spam_run"].trainer.round == 3
    assert low["tp"] + low["fp"] > high["tp"] + high["fp"]


def test_threshold_at_the_ends_gets_a_clear_message(at):
    next_round(at)
    at.slider(key="spam_threshold").set_value(1.0).run()
    assert not at.exception
    assert any("strictly between 0 and 1" in e.value for e in at.error)
    assert at.session_state["spam_run"].trainer.config.threshold == 0.5


def test_be_the_filter_blocks_words_and_the_spammer_sees_only_your_verdicts(at):
    at.radio(key="spam_human_filter").set_value(True).run()
    assert any("No word is blocked yet" in i.value for i in at.info)
    at.button(key="spam_block_top").click().run()
    blocked = at.multiselect(key="spam_blocked_words").value
    assert len(blocked) == 5
    game = at.session_state["spam_run"].trainer
    assert game.config.human_filter and set(game.config.blocked_words) == set(blocked)
    next_round(at)
    assert not at.exception and game.round == 1


def test_blocking_every_word_is_refused_with_a_message(at):
    at.radio(key="spam_human_filter").set_value(True).run()
    words = at.multiselect(key="spam_blocked_words").options
    at.multiselect(key="spam_blocked_words").set_value(list(words)).run()
    assert not at.exception
    assert any("Every word is blocked" in e.value for e in at.error)
    assert at.button(key="spam_step").disabled and at.button(key="spam_start").disabled


def test_empty_vocabulary_gets_a_clear_message_and_reset_waits_for_a_fix(at):
    at.number_input(key="spam_real_vocab_size").set_value(0).run()
    assert any("vocabulary of real mail is empty" in e.value for e in at.error)
    at.button(key="spam_reset").click().run()
    assert not at.exception
    assert at.session_state["spam_run"].trainer.corpus.size == 300 + 40  # the last valid game is kept
    assert at.button(key="spam_step").disabled
    at.number_input(key="spam_real_vocab_size").set_value(100).run()
    at.button(key="spam_reset").click().run()
    assert at.session_state["spam_run"].trainer.corpus.size == 100 + 40


def test_reset_starts_over_with_the_sidebar_seed(at):
    next_round(at, 2)
    at.sidebar.number_input(key="global_seed").set_value(4).run()
    at.button(key="spam_reset").click().run()
    game = at.session_state["spam_run"].trainer
    assert game.round == 0 and game.seed == 4


def test_the_blocklist_survives_a_visit_to_the_learned_filter(at):
    at.radio(key="spam_human_filter").set_value(True).run()
    at.multiselect(key="spam_blocked_words").set_value(["cash", "prize"]).run()
    at.radio(key="spam_human_filter").set_value(False).run()
    assert not at.session_state["spam_run"].trainer.config.human_filter
    at.radio(key="spam_human_filter").set_value(True).run()
    assert at.multiselect(key="spam_blocked_words").value == ["cash", "prize"]
    assert at.session_state["spam_run"].trainer.config.blocked_words == ("cash", "prize")

"""board_view: the spam page's matrix, shares and sentences come from one computation and agree."""
import numpy as np
import pytest

from gan_core.spam.board import LITTLE, board_view, spammer_shares
from gan_core.spam.game import SpamGame, confusion_matrix


@pytest.fixture(scope="module")
def game():
    g = SpamGame(seed=0)
    g.step(40)  # mid-game: every cell populated at the default threshold
    return g


def test_nothing_to_show_before_the_first_round():
    assert board_view(SpamGame(seed=1), 0.5, human=False) is None


@pytest.mark.parametrize("threshold", [0.05, 0.3, 0.5, 0.7, 0.95])
def test_learned_filter_matrix_is_the_rounds_matrix_at_this_threshold(game, threshold):
    view = board_view(game, threshold, human=False)
    assert view.confusion == game.confusion(threshold)
    assert view.threshold == threshold
    assert np.allclose(view.spam_p, game.last.spam_p) and np.allclose(view.ham_p, game.last.ham_p)
    assert sum(view.filter_shares.values()) == pytest.approx(1.0)


@pytest.mark.parametrize("threshold", np.linspace(0.02, 0.98, 25))
def test_the_words_match_the_numbers_at_every_threshold(game, threshold):
    view = board_view(game, float(threshold), human=False)
    counts = view.confusion.to_dict()
    for key, cell in view.cells.items():
        share = view.filter_shares[key]
        assert cell.count == counts[key] and f"**{key.upper()} = {counts[key]}**" in cell.line
        assert cell.share == f"{100 * share:.0f}% of the filter's push"
        if "nobody learns much" in cell.learner:
            assert share < LITTLE and view.spammer_shares[key] < LITTLE
        if counts[key] and share >= LITTLE:
            assert "the filter" in cell.learner, (key, share, cell.learner)
        assert cell.line in view.explanation
    errors = view.filter_shares["fn"] + view.filter_shares["fp"]
    assert f"**{100 * errors:.0f}%**" in view.explanation


def test_an_unsure_filter_is_not_told_it_learns_nothing_from_its_right_answers():
    """Early on the filter passes real mail at P(spam) ≈ 0.3–0.5: those TN emails carry a large share of its
    push, so the TN cell must name the filter, not say "nobody learns much"."""
    g = SpamGame(seed=0)
    g.step(3)
    view = board_view(g, 0.5, human=False)
    assert view.filter_shares["tn"] >= LITTLE
    assert "the filter" in view.cells["tn"].learner and "nobody" not in view.cells["tn"].learner


def test_empty_blocklist_passes_everything_and_says_so(game):
    view = board_view(game, 0.5, human=True, blocked=())
    assert view.confusion.tp == 0 and view.confusion.fp == 0
    assert view.confusion.fn == len(game.last.spam_p) and view.confusion.tn == len(game.last.ham_p)
    assert "every email passes" in view.notice
    assert all(s == 0 for s in view.filter_shares.values())


def test_blocklist_verdicts_are_the_blocked_words_and_ignore_the_threshold(game):
    blocked = [w for w, _ in game.spammer_top_words(3)]
    idx = set(game.corpus.indices(blocked))
    uses = np.array([bool(idx & set(row)) for row in game.last.spam_words])
    views = [board_view(game, t, human=True, blocked=blocked) for t in (0.1, 0.5, 0.9)]
    assert all(v.confusion == views[0].confusion for v in views)
    assert views[0].confusion.tp == int(uses.sum())
    assert "every email passes" not in (views[0].notice or "")


def test_switching_back_to_the_learned_filter_shows_its_matrix_again(game):
    before = board_view(game, 0.5, human=False).confusion
    board_view(game, 0.5, human=True, blocked=["free"])
    assert board_view(game, 0.5, human=False).confusion == before


def test_spammer_push_splits_between_caught_and_passed_by_advantage():
    p = np.array([0.9, 0.9, 0.1, 0.1])  # two caught, two passed, symmetric advantages
    shares = spammer_shares(p, 0.5)
    assert shares["tp"] == pytest.approx(shares["fn"]) and shares["tp"] + shares["fn"] == pytest.approx(1.0)
    assert spammer_shares(np.full(4, 0.3), 0.5) == {"tp": 0.0, "fn": 0.0, "fp": 0.0, "tn": 0.0}
    assert confusion_matrix(p, p, 0.5).tp == 2


def test_the_heat_map_shows_the_views_counts_and_words(game):
    from gan_core.spam.figures import board_spec

    view = board_view(game, 0.4, human=False)
    frame = board_spec(view)["datasets"]["confusion"].set_index("cell")
    for key, cell in view.cells.items():
        assert frame.loc[key, "count"] == cell.count
        assert frame.loc[key, "learner"] == cell.learner and frame.loc[key, "share"] == cell.share

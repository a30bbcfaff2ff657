"""What the spam page shows about the latest round, computed in one place from what is current.

`board_view(game, threshold, human, blocked)` re-scores the latest test batch with the judge in charge
*now* (the learned filter at `threshold`, or the student's blocklist), and from those verdicts builds the
confusion matrix, how much of each player's push each cell carries, and every sentence the page prints
about them. The page draws only this object, so the matrix, the shares and the words can never disagree
(a sentence such as "nobody learns much" is chosen from the share it sits next to).

Shares. The filter's BCE gradient from an email is (P(spam) − label) × its words, so a cell's share of the
filter's push is Σ|P(spam) − label| over its emails, normalised over the four cells. The spammer's
REINFORCE gradient from an email is its advantage log P(pass) − batch mean, so its push is split between
caught (TP) and passed (FN) emails by Σ|advantage|.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from gan_core.spam.game import BLOCK_LOGIT, ConfusionMatrix, SpamGame, confusion_matrix, filter_lesson_shares

CELL_ORDER = ("tp", "fn", "fp", "tn")
CELL_LABELS = {
    "tp": "TP · spam caught",
    "fn": "FN · spam let through",
    "fp": "FP · good mail flagged",
    "tn": "TN · good mail passed",
}
LITTLE = 0.10  # a cell with less than this share of a player's push "teaches little"
HUMAN_THRESHOLD = 0.5  # the blocklist's verdict is yes/no (P(spam) = 0.02 or 0.98): any line between works


@dataclass(frozen=True)
class Cell:
    key: str
    label: str
    count: int
    learner: str  # short, on the heat map: "→ the filter learns"
    share: str  # short, on the heat map: "35% of the filter's push" ("" in 'be the filter' mode)
    line: str  # one markdown bullet for "who learns from what"


@dataclass(frozen=True)
class BoardView:
    round: int
    human: bool
    threshold: float  # the line actually used (HUMAN_THRESHOLD for a blocklist)
    blocked: tuple[str, ...]
    spam_p: np.ndarray  # current judge's P(spam) for the round's spam
    ham_p: np.ndarray  # and for the round's real mail
    confusion: ConfusionMatrix
    filter_shares: dict[str, float]  # of the filter's push (all zero in 'be the filter' mode)
    spammer_shares: dict[str, float]  # of the spammer's push: tp and fn (fp, tn: 0)
    cells: dict[str, Cell]
    explanation: str  # markdown: the four bullets plus a summary line
    notice: str | None  # a note above the matrix (e.g. an empty blocklist), or None

    @property
    def max_count(self) -> int:
        return max(len(self.spam_p), len(self.ham_p), 1)


def current_verdicts(game: SpamGame, human: bool, blocked: tuple[str, ...] | list[str]) -> tuple[np.ndarray, np.ndarray]:
    """P(spam) for the latest round's spam and real mail, from the judge in charge now."""
    last = game.last
    tf_spam = _spam_tf(game, last.spam_words)
    tf_ham = torch.as_tensor(game.corpus.ham_tf[np.asarray(last.ham_rows)], device=game.device)
    if human:
        mask = np.zeros(game.corpus.size, dtype=bool)
        idx = game.corpus.indices(tuple(blocked))
        if idx:
            mask[np.asarray(idx)] = True
        logit_spam = np.where(mask[last.spam_words].any(axis=1), BLOCK_LOGIT, -BLOCK_LOGIT)
        logit_ham = np.where((tf_ham.cpu().numpy()[:, mask] > 0).any(axis=1), BLOCK_LOGIT, -BLOCK_LOGIT)
        return _sigmoid(logit_spam), _sigmoid(logit_ham)
    with torch.no_grad():
        spam_p = torch.sigmoid(game.filter(tf_spam)).cpu().numpy().astype(float)
        ham_p = torch.sigmoid(game.filter(tf_ham)).cpu().numpy().astype(float)
    return spam_p, ham_p


def spammer_shares(spam_p: np.ndarray, threshold: float) -> dict[str, float]:
    """How the spammer's REINFORCE push splits between its caught (TP) and passed (FN) emails."""
    spam_p = np.clip(np.asarray(spam_p, float), 1e-12, 1 - 1e-12)
    reward = np.log1p(-spam_p)  # log P(pass)
    advantage = np.abs(reward - reward.mean())
    caught = spam_p >= threshold
    total = float(advantage.sum())
    tp = float(advantage[caught].sum() / total) if total > 0 else 0.0
    fn = float(advantage[~caught].sum() / total) if total > 0 else 0.0
    return {"tp": tp, "fn": fn, "fp": 0.0, "tn": 0.0}


def board_view(game: SpamGame, threshold: float, human: bool, blocked: tuple[str, ...] | list[str] = ()) -> BoardView | None:
    """Everything the page shows about the latest round, for this threshold and mode. None before round 1.
    In 'be the filter' mode the blocklist decides (flagged iff the email uses a blocked word) and the
    threshold plays no part."""
    if game.last is None:
        return None
    blocked = tuple(blocked) if human else ()
    line = HUMAN_THRESHOLD if human else float(threshold)
    spam_p, ham_p = current_verdicts(game, human, blocked)
    cm = confusion_matrix(spam_p, ham_p, line)
    f_shares = {k: 0.0 for k in CELL_ORDER} if human else filter_lesson_shares(spam_p, ham_p, line)
    s_shares = spammer_shares(spam_p, line)
    counts = cm.to_dict()
    cells = {k: _cell(k, counts[k], f_shares, s_shares, human) for k in CELL_ORDER}
    return BoardView(
        round=game.round, human=human, threshold=line, blocked=blocked, spam_p=spam_p, ham_p=ham_p,
        confusion=cm, filter_shares=f_shares, spammer_shares=s_shares, cells=cells,
        explanation=_explanation(cells, f_shares, cm, human), notice=_notice(cm, human, blocked),
    )


# ---------------------------------------------------------------------------------------------
# The words, chosen from the numbers


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


# what each player takes from a cell, as the end of "→ X learns: ..."
WHY = {
    ("tp", "spammer"): "its caught emails' words become rarer",
    ("tp", "filter"): "it grows surer that these words mean spam",
    ("fn", "filter"): "that spam looked too much like real mail",
    ("fn", "you"): "that spam used none of your blocked words",
    ("fn", "spammer"): "its passed emails' words become more common",
    ("fp", "filter"): "those words are not a sign of spam",
    ("fp", "you"): "a word you blocked is used by real mail too",
    ("tn", "filter"): "it passed them without being sure they are real mail",
}


def _cell(key: str, count: int, f: dict[str, float], s: dict[str, float], human: bool) -> Cell:
    learners: list[tuple[str, str]] = []  # (who, share text)
    if count:
        if human and key in ("fn", "fp"):
            learners.append(("you", ""))
        if not human and f[key] >= LITTLE:
            learners.append(("filter", f"{_pct(f[key])} of the filter's push"))
        if key in ("tp", "fn") and s[key] >= LITTLE:
            learners.append(("spammer", f"{_pct(s[key])} of the spammer's push"))
        if key == "tp":
            learners.reverse()  # the spammer first: TP is the lesson the spammer gets
    names = {"you": "you", "filter": "the filter", "spammer": "the spammer"}
    if count == 0:
        learner = "→ nobody (no email here)"
    elif not learners:
        learner = "→ nobody learns much"
    else:
        who = [names[w] for w, _ in learners]
        verb = "learns" if len(who) == 1 and who[0] != "you" else "learn"
        learner = "→ " + " and ".join(who) + " " + verb
    share = "" if human else f"{_pct(f[key])} of the filter's push"
    reasons = [WHY[(key, w)] + (f" ({t})" if t else "") for w, t in learners]
    quiet = "" if human or not count or learners else f" ({_pct(f[key])} of the filter's push)"
    bullet = f"- **{key.upper()} = {count}** {CELL_LABELS[key].split(' · ')[1]} {learner}"
    if len(reasons) == 1:
        bullet += f": {reasons[0]}."
    elif reasons:
        bullet += " — " + "; ".join(f"{names[w]}: {r}" for (w, _), r in zip(learners, reasons)) + "."
    else:
        bullet += quiet + "."
    return Cell(key, CELL_LABELS[key], count, learner, share, bullet)


def _explanation(cells: dict[str, Cell], f: dict[str, float], cm: ConfusionMatrix, human: bool) -> str:
    lines = [cells[k].line for k in CELL_ORDER]
    if human:
        lines.append("\nYou are the filter: an email is flagged when it uses a word you blocked (no threshold "
                     "involved). The spammer learns from your verdicts alone.")
    else:
        errors = f["fn"] + f["fp"]
        lines.append(
            "\nEach email pulls on the filter with |P(spam) − truth|, so confident right answers barely move it: "
            f"this round its errors (FN + FP) carry **{_pct(errors)}** of the push"
            + (", its right answers the rest — the filter is unsure of them." if errors < 0.5 else ".")
        )
    return "\n".join(lines)


def _notice(cm: ConfusionMatrix, human: bool, blocked: tuple[str, ...]) -> str | None:
    if not human:
        return None
    if not blocked:
        # With an empty blocklist nothing is flagged, so TP and FP are 0 by construction.
        return "No word is blocked yet, so every email passes. Block the words that give spam away."
    if cm.tp == 0 and cm.fn > 0:
        return "None of this round's spam uses a blocked word: it all gets through."
    return None


def _spam_tf(game: SpamGame, words: np.ndarray) -> torch.Tensor:
    from gan_core.spam.game import word_frequencies

    return word_frequencies(torch.as_tensor(np.asarray(words), device=game.device), game.corpus.size)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(x, float)))

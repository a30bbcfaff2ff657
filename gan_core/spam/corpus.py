"""Real mail: the shipped corpus of legitimate emails, its vocabulary and bag-of-words vectors.

The corpus (`data/ham_emails.txt`) was written for this project: short everyday messages about
work, family, school, appointments, orders, clubs and friends. Spam never comes from data; it is
whatever the spammer writes. The vocabulary is the most frequent content words of real mail plus a
fixed list of obvious spam words, which real mail rarely uses — that is where the spammer starts.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

import numpy as np

HAM_PATH = Path(__file__).resolve().parent / "data" / "ham_emails.txt"

# The spammer's starting point: words of obvious spam. They are in the vocabulary from the start,
# but real mail almost never uses them, so a filter learns them within a round or two.
SPAM_WORDS: tuple[str, ...] = (
    "free", "winner", "prize", "cash", "click", "offer", "urgent", "guaranteed", "money", "credit",
    "loan", "discount", "deal", "bonus", "casino", "lottery", "claim", "congratulations", "exclusive",
    "cheap", "earn", "income", "investment", "selected", "unsubscribe", "million", "dollars", "rich",
    "instant", "risk", "limited", "buy", "sale", "luxury", "pills", "miracle", "win", "amazing",
    "password", "account",
)

# Function words carry no topic; dropping them keeps the filter's weights readable and the
# spammer's emails made of words that mean something.
STOPWORDS = frozenset(
    """
    a about after again all also am an and any are as at be been before being both but by can
    could did do does doing don't down during each even for from had has have having he her here
    hers him his how i i'd i'll i'm if in into is it it's its just let's me more most my no nor
    not of off on once only or other our ours out over own same she should so some such than
    that that's the their them then there these they this those through to too under until up
    us very was we were what when where which while who whom why will with would you you'd your
    yours s t one
    """.split()
)

_TOKEN = re.compile(r"[a-z]+(?:'[a-z]+)?")


def tokenize(text: str) -> list[str]:
    """Lower-case content words of `text` (function words dropped)."""
    return [t for t in _TOKEN.findall(text.lower()) if t not in STOPWORDS]


@lru_cache(maxsize=1)
def load_ham_texts(path: str | Path = HAM_PATH) -> tuple[str, ...]:
    """The shipped legitimate emails, one per non-comment line."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return tuple(line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#"))


def ham_word_counts(texts: tuple[str, ...] | list[str]) -> Counter:
    return Counter(word for text in texts for word in tokenize(text))


def real_mail_word_ranking(texts: tuple[str, ...] | list[str]) -> list[str]:
    """Content words of real mail (spam words excluded), most frequent first, ties alphabetical;
    only words seen at least twice, so every vocabulary word is a habit of real mail, not a one-off."""
    counts = ham_word_counts(texts)
    spam = set(SPAM_WORDS)
    words = [w for w, n in counts.items() if n >= 2 and w not in spam]
    return sorted(words, key=lambda w: (-counts[w], w))


@dataclass(frozen=True)
class Corpus:
    """Vocabulary + real mail as word-frequency vectors (rows sum to 1) over that vocabulary."""

    words: tuple[str, ...]  # the vocabulary; index i <-> column i
    spam_mask: np.ndarray  # bool per word: is it one of SPAM_WORDS
    ham_texts: tuple[str, ...]  # the emails kept (each has at least one vocabulary word)
    ham_tf: np.ndarray  # (n_emails, V) float32 word frequencies

    @property
    def size(self) -> int:
        return len(self.words)

    # Built once per corpus (the page reads them every round); cached_property works on a frozen dataclass.
    @cached_property
    def vocabulary(self) -> frozenset[str]:
        return frozenset(self.words)

    @cached_property
    def spam_words_set(self) -> frozenset[str]:
        """The vocabulary's obvious spam words (spam_mask as a set)."""
        return frozenset(w for w, m in zip(self.words, self.spam_mask) if m)

    @cached_property
    def _lookup(self) -> dict[str, int]:
        return {w: i for i, w in enumerate(self.words)}

    def index(self, word: str) -> int:
        return self.words.index(word)

    def indices(self, words) -> list[int]:
        return [self._lookup[w] for w in words if w in self._lookup]


def build_corpus(texts, real_vocab_size: int, spam_words=SPAM_WORDS) -> Corpus:
    """Vocabulary = the `real_vocab_size` most frequent real-mail words + `spam_words`."""
    texts = tuple(texts)
    ranking = real_mail_word_ranking(texts)
    if real_vocab_size < 1 or not ranking:
        raise ValueError(
            "The vocabulary of real mail is empty: the filter has no words to learn what good mail looks like. "
            "Keep at least a few dozen real-mail words."
        )
    real_words = ranking[: int(real_vocab_size)]
    words = tuple(real_words) + tuple(w for w in spam_words if w not in set(real_words))
    lookup = {w: i for i, w in enumerate(words)}
    rows, kept = [], []
    for text in texts:
        idx = [lookup[t] for t in tokenize(text) if t in lookup]
        if not idx:
            continue
        row = np.bincount(idx, minlength=len(words)).astype(np.float32)
        rows.append(row / row.sum())
        kept.append(text)
    if not rows:
        raise ValueError("No real email uses any vocabulary word: the vocabulary is effectively empty.")
    spam_set = set(spam_words)
    return Corpus(
        words=words,
        spam_mask=np.array([w in spam_set for w in words]),
        ham_texts=tuple(kept),
        ham_tf=np.stack(rows),
    )


def max_real_vocab_size() -> int:
    return len(real_mail_word_ranking(load_ham_texts()))


@lru_cache(maxsize=8)
def load_corpus(real_vocab_size: int = 300) -> Corpus:
    """The shipped corpus over a vocabulary of `real_vocab_size` real-mail words + the spam words (cached, read-only)."""
    return build_corpus(load_ham_texts(), real_vocab_size)

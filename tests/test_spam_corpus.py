"""The built-in real mail: big enough, varied, over a few hundred words, and free of obvious spam."""
from collections import Counter

import numpy as np
import pytest

from gan_core.spam.corpus import (
    SPAM_WORDS,
    build_corpus,
    load_corpus,
    load_ham_texts,
    max_real_vocab_size,
    tokenize,
)


def test_corpus_has_a_few_hundred_distinct_short_messages():
    texts = load_ham_texts()
    assert 250 <= len(texts) <= 1000
    assert len(set(texts)) == len(texts), "every message is written once"
    lengths = [len(t.split()) for t in texts]
    assert 8 <= np.mean(lengths) <= 30 and max(lengths) <= 40


def test_vocabulary_is_a_few_hundred_words_with_the_spam_words_added():
    corpus = load_corpus()
    assert 200 <= corpus.size <= 700
    assert set(SPAM_WORDS) <= set(corpus.words)
    assert corpus.spam_mask.sum() == len(SPAM_WORDS)
    assert len(set(corpus.words)) == corpus.size
    assert 300 <= max_real_vocab_size() <= 700


def test_word_frequency_rows_sum_to_one_and_every_email_keeps_words():
    corpus = load_corpus()
    assert corpus.ham_tf.shape == (len(corpus.ham_texts), corpus.size)
    np.testing.assert_allclose(corpus.ham_tf.sum(axis=1), 1.0, rtol=1e-5)
    assert len(corpus.ham_texts) >= 0.95 * len(load_ham_texts())


def test_spam_words_are_rare_in_real_mail():
    counts = Counter(w for t in load_ham_texts() for w in tokenize(t))
    total = sum(counts.values())
    spam_uses = sum(counts[w] for w in SPAM_WORDS)
    assert spam_uses / total < 0.01
    top_50 = {w for w, _ in counts.most_common(50)}
    assert not top_50 & set(SPAM_WORDS)


def test_tokenize_keeps_content_words_and_drops_function_words():
    assert tokenize("Hi mom, the dinner is at SIX on Friday!") == ["hi", "mom", "dinner", "six", "friday"]


def test_empty_vocabulary_is_refused_with_a_clear_message():
    with pytest.raises(ValueError, match="vocabulary of real mail is empty"):
        build_corpus(load_ham_texts(), real_vocab_size=0)
    with pytest.raises(ValueError, match="empty"):
        build_corpus(["the and of", "a to"], real_vocab_size=50)


def test_a_smaller_vocabulary_keeps_the_most_frequent_real_mail_words():
    small, full = load_corpus(30), load_corpus()
    real_small = [w for w, m in zip(small.words, small.spam_mask) if not m]
    assert len(real_small) == 30
    assert real_small == [w for w, m in zip(full.words, full.spam_mask) if not m][:30]

"""Spammer vs spam filter: the lecture's GAN analogy as a real, playable game.

The spammer (generator) writes bag-of-words emails from noise; the filter (discriminator) is a
logistic regression over words trained on real mail vs the spammer's output. A round is the
lecture's alternation: filter update(s), then spammer update(s), then a confusion matrix on a
fresh batch. `python -m gan_core spam --help` runs it headless.
"""
from gan_core.spam.corpus import SPAM_WORDS, Corpus, load_corpus
from gan_core.spam.game import ConfusionMatrix, SpamGame, confusion_matrix
from gan_core.spam.config import SpamConfig

__all__ = [
    "SPAM_WORDS",
    "ConfusionMatrix",
    "Corpus",
    "SpamConfig",
    "SpamGame",
    "confusion_matrix",
    "load_corpus",
]

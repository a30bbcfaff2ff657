"""SpamConfig: the settings of one spam game, described once (gan_core.settings_spec): the page's
widgets, the command line, the link and the tests read the field metadata below."""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

from gan_core.settings_spec import check, setting, spec_of


@dataclass(frozen=True)
class SpamConfig:
    """How the spammer and the filter are built and trained. Defaults give a game a class can watch in a minute."""

    # most frequent real-mail words in the vocabulary (the spam words are always added)
    real_vocab_size: int = field(default=300, metadata=setting(
        "Real-mail words in the vocabulary", "The most frequent words of real mail the filter reads (the spam "
        "words are always added).", min=20, max=1000, step=20))
    words_per_email: int = field(default=12, metadata=setting(  # the spammer writes this many words per email
        "Words per spam email", "How many words the spammer writes per email.", min=3, max=40, step=1))
    latent_dim: int = field(default=8, metadata=setting(  # noise z fed to the spammer, so each email differs
        "Noise size", "Size of the noise z fed to the spammer, so each email differs.", min=1, max=64, step=1,
        advanced=True))
    hidden: int = field(default=32, metadata=setting(  # the spammer's hidden layer
        "Spammer hidden units", "Width of the spammer's hidden layer.", min=4, max=256, step=4, advanced=True))
    # fresh spam emails per update (the filter also reads all its real mail every update)
    batch_size: int = field(default=256, metadata=setting(
        "Batch size", "Fresh spam emails per update (the filter also reads all its real mail every update).",
        min=4, max=1024, step=32, advanced=True))
    eval_size: int = field(default=50, metadata=setting(  # emails per side in each round's fresh test batch
        "Test emails per round", "Emails per side in each round's fresh test batch.", min=4, max=500, step=10,
        advanced=True))
    filter_steps: int = field(default=3, metadata=setting(  # filter updates per round (0 = a fixed filter)
        "Filter updates per round", "0 = a fixed filter.", min=0, max=50, step=1))
    spammer_steps: int = field(default=1, metadata=setting(  # spammer updates per round (0 = a fixed spammer)
        "Spammer updates per round", "0 = a fixed spammer.", min=0, max=50, step=1))
    filter_lr: float = field(default=0.05, metadata=setting(
        "Filter learning rate", "Adam step size of the filter.", max=1.0, positive=True, step=0.005, format="%g"))
    spammer_lr: float = field(default=0.015, metadata=setting(
        "Spammer learning rate", "Adam step size of the spammer.", max=1.0, positive=True, step=0.005,
        format="%g"))
    filter_l2: float = field(default=0.03, metadata=setting(  # keeps the filter's word weights small and readable
        "Filter L2 penalty", "Keeps the filter's word weights small and readable.", min=0.0, max=1.0, step=0.01,
        format="%g", advanced=True))
    # share of the spammer's first word choices that are obvious spam words
    spam_start_mass: float = field(default=0.9, metadata=setting(
        "Spam start mass", "Share of the spammer's first word choices that are obvious spam words (below 1).",
        min=0.0, max=1.0, step=0.05, format="%g", advanced=True))
    threshold: float = field(default=0.5, metadata=setting(  # flag as spam when P(spam) >= threshold
        "Filter threshold", "Flag an email as spam when P(spam) ≥ this (strictly between 0 and 1).", min=0.0,
        max=1.0, step=0.05, format="%.2f"))
    # rounds kept for the curves and the JSON log; the CLI raises it to the rounds it plays
    history_capacity: int = field(default=500, metadata=setting(
        "History length", "Rounds kept for the curves and the JSON log.", min=10, max=100_000, advanced=True,
        url=False, cli=False))
    # "be the filter": your blocked words decide, the learned filter rests (CLI: --block WORD ...)
    human_filter: bool = field(default=False, metadata=setting(
        "Be the filter", "Your blocked words decide; the learned filter rests.", widget="toggle", cli=False))
    blocked_words: tuple[str, ...] = field(default=(), metadata=setting(
        "Blocked words", "Any email that uses one of these words is flagged.", cli=False))

    def validate(self) -> dict[str, str]:
        """{field: message}; empty when the settings are usable."""
        problems = check(self)
        if isinstance(self.real_vocab_size, int) and self.real_vocab_size < 1:
            problems["real_vocab_size"] = (
                "The vocabulary of real mail is empty: the filter would have no words to learn what good mail "
                f"looks like. Use at least {spec_of(self, 'real_vocab_size').setting.min:g} words.")
        if "spam_start_mass" not in problems and self.spam_start_mass >= 1:
            problems["spam_start_mass"] = f"Spam start mass must be below 1 (got {self.spam_start_mass:g})."
        for message in threshold_problems(self.threshold):
            problems["threshold"] = message
        return problems

    def to_dict(self) -> dict:
        out = asdict(self)
        out["blocked_words"] = list(self.blocked_words)
        return out


def threshold_problems(threshold: float) -> list[str]:
    if not (isinstance(threshold, (int, float)) and math.isfinite(threshold) and 0 < threshold < 1):
        return [
            f"The filter's threshold must lie strictly between 0 and 1 (got {threshold}): at 0 every email, "
            "good or bad, would be flagged; at 1 nothing would be."
        ]
    return []


def blocklist_problems(blocked: tuple[str, ...] | list[str], vocabulary: tuple[str, ...]) -> list[str]:
    """What is wrong with a student's blocklist for this vocabulary."""
    vocab = set(vocabulary)
    unknown = sorted(set(blocked) - vocab)
    problems = []
    if unknown:
        problems.append(f"Not in the vocabulary, so they cannot be blocked: {', '.join(unknown[:10])}.")
    if vocab and vocab <= set(blocked):
        problems.append(
            "Every word is blocked, so every email — real mail included — would be flagged and the spammer has "
            "nothing left to write. Unblock some words."
        )
    return problems

"""One settings object for the spam game: the page's widgets, the command line and the tests all use it."""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, replace

# Bounds in one place, so the page's widgets and the messages agree.
LIMITS = {
    "real_vocab_size": (20, 1000),
    "words_per_email": (3, 40),
    "latent_dim": (1, 64),
    "hidden": (4, 256),
    "batch_size": (4, 1024),
    "eval_size": (4, 500),
    "filter_steps": (0, 50),
    "spammer_steps": (0, 50),
    "history_capacity": (10, 100_000),
}


@dataclass(frozen=True)
class SpamSettings:
    """How the spammer and the filter are built and trained. Defaults give a game a class can watch in a minute."""

    real_vocab_size: int = 300  # most frequent real-mail words in the vocabulary (the spam words are always added)
    words_per_email: int = 12  # the spammer writes this many words per email
    latent_dim: int = 8  # noise z fed to the spammer, so each email differs
    hidden: int = 32  # the spammer's hidden layer
    batch_size: int = 256  # fresh spam emails per update (the filter also reads all its real mail every update)
    eval_size: int = 50  # emails per side in each round's fresh test batch
    filter_steps: int = 3  # filter updates per round (0 = a fixed filter)
    spammer_steps: int = 1  # spammer updates per round (0 = a fixed spammer)
    filter_lr: float = 0.05
    spammer_lr: float = 0.015
    filter_l2: float = 0.03  # keeps the filter's word weights small and readable
    spam_start_mass: float = 0.9  # share of the spammer's first word choices that are obvious spam words
    threshold: float = 0.5  # flag as spam when P(spam) >= threshold
    history_capacity: int = 500  # rounds kept for the curves and the JSON log
    human_filter: bool = False  # "be the filter": your blocked words decide, the learned filter rests
    blocked_words: tuple[str, ...] = field(default=())

    def validate(self) -> list[str]:
        """Human-readable problems; empty when the settings are usable."""
        problems: list[str] = []
        if self.real_vocab_size < 1:
            problems.append(
                "The vocabulary of real mail is empty: the filter would have no words to learn what good mail "
                f"looks like. Use at least {LIMITS['real_vocab_size'][0]} words."
            )
        for name, (lo, hi) in LIMITS.items():
            value = getattr(self, name)
            if name == "real_vocab_size" and value < 1:
                continue
            if not lo <= value <= hi:
                problems.append(f"{_label(name)} must be between {lo} and {hi} (got {value}).")
        for name in ("filter_lr", "spammer_lr"):
            value = getattr(self, name)
            if not (math.isfinite(value) and 0 < value <= 1):
                problems.append(f"{_label(name)} must be above 0 and at most 1 (got {value}).")
        if not (math.isfinite(self.filter_l2) and 0 <= self.filter_l2 <= 1):
            problems.append(f"Filter L2 penalty must be between 0 and 1 (got {self.filter_l2}).")
        if not (math.isfinite(self.spam_start_mass) and 0 <= self.spam_start_mass < 1):
            problems.append(f"Spam start mass must be at least 0 and below 1 (got {self.spam_start_mass}).")
        problems += threshold_problems(self.threshold)
        return problems

    def replace(self, **changes) -> "SpamSettings":
        return replace(self, **changes)

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


def _label(name: str) -> str:
    return {
        "real_vocab_size": "Real-mail words in the vocabulary",
        "words_per_email": "Words per spam email",
        "latent_dim": "Noise size",
        "hidden": "Spammer hidden units",
        "batch_size": "Batch size",
        "eval_size": "Test emails per round",
        "filter_steps": "Filter updates per round",
        "spammer_steps": "Spammer updates per round",
        "history_capacity": "History length",
        "filter_lr": "Filter learning rate",
        "spammer_lr": "Spammer learning rate",
    }.get(name, name)

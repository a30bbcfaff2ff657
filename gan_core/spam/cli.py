"""`python -m gan_core spam --rounds N [--seed S] [--json]`: play the spam game headless.

Prints one line per round (its confusion matrix); with --json the last line is one JSON object
holding every round's record (`rounds`, capped at the history length) and the final matrix (`final`).
"""
from __future__ import annotations

import json
import sys
from dataclasses import replace

import torch

from gan_core import settings_spec
from gan_core.cli_support import fail_invalid
from gan_core.seeding import MAX_SEED
from gan_core.settings_spec import InvalidSettings
from gan_core.spam.config import SpamConfig

MAX_ROUNDS = 100_000


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "spam",
        help="spammer (generator) vs spam filter (discriminator), played in rounds",
        description="Play the spam game: each round the filter updates, then the spammer, then both are "
        "scored on a fresh batch (positive = flagged as spam: TP spam caught, FN spam let through, "
        "FP good mail flagged, TN good mail passed). Every setting has a --flag; --config PATH.json starts "
        "from a page's export.",
    )
    settings_spec.add_arguments(p, SpamConfig)
    p.add_argument("--rounds", type=int, default=100, help="rounds to play (default 100)")
    p.add_argument("--seed", type=int, default=0, help="same seed + same settings = same game (default 0)")
    p.add_argument("--block", nargs="*", default=None, metavar="WORD",
                   help="be the filter: these words decide (any email using one is flagged); the learned filter rests")
    p.add_argument("--json", action="store_true", help="last line of stdout: one JSON object with every round")
    p.set_defaults(func=run)


def settings_from_args(args) -> tuple[SpamConfig, dict[str, str]]:
    settings, problems = settings_spec.from_arguments(SpamConfig, args)
    changes = {"history_capacity": max(settings.history_capacity, min(args.rounds, MAX_ROUNDS))}
    if args.block:
        changes |= {"human_filter": True, "blocked_words": tuple(args.block)}
    return replace(settings, **changes), problems


def run(args) -> int:
    from gan_core.spam.game import SpamGame  # torch-heavy; imported only when the command runs

    torch.set_num_threads(1)  # tiny nets: thread overhead would dominate
    settings, problems = settings_from_args(args)
    if not 1 <= args.rounds <= MAX_ROUNDS:
        problems["rounds"] = f"--rounds must be between 1 and {MAX_ROUNDS} (got {args.rounds})."
    if not 0 <= args.seed <= MAX_SEED:
        problems["seed"] = f"--seed must be between 0 and {MAX_SEED} (got {args.seed})."
    game = None
    if not problems:
        try:
            game = SpamGame(settings, seed=args.seed)
        except InvalidSettings as err:
            problems = err.errors
        except ValueError as err:  # a blocklist the vocabulary does not allow
            problems["blocked_words"] = str(err)
    if problems:
        return fail_invalid(problems, as_json=args.json)

    for _ in range(args.rounds):
        game.step(1)
        if game.diverged:
            print(f"stopped: {game.diverged}", file=sys.stderr)
            break
        e = game.log[-1]
        c = e["confusion"]
        print(f"round {e['round']:5d}  TP {c['tp']:3d}  FN {c['fn']:3d}  FP {c['fp']:3d}  TN {c['tn']:3d}  "
              f"accuracy {e['accuracy']:.2f}  spam through {e['spam_through']:.2f}  "
              f"spammer writes: {' '.join(e['spammer_words'][:4])}")
    final = game.confusion()
    summary = {
        "ok": game.diverged is None,
        "seed": args.seed,
        "rounds_played": game.round,
        "settings": settings.to_dict(),
        "rounds": list(game.log),
        "final": {**final.to_dict(), "accuracy": round(final.accuracy, 4),
                  "spam_through": round(final.spam_through, 4), "ham_flagged": round(final.ham_flagged, 4)},
    }
    if args.json:
        print(json.dumps(summary))
    else:
        print(f"final: TP {final.tp}  FN {final.fn}  FP {final.fp}  TN {final.tn}  accuracy {final.accuracy:.2f}")
    return 0 if game.diverged is None else 1

"""Spam game figures: speed of the spammer's writing and of a whole round against a straightforward
PyTorch reference (measured in the same run), and how close the game gets to a coin toss.

    python3 benchmarks/bench_spam.py [--seeds 5] [--seed0 0] [--rounds 300]
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from anywhere

from gan_core.spam.game import SpamGame, draw_distinct_words, sequence_log_prob  # noqa: E402
from gan_core.spam.config import SpamConfig  # noqa: E402


def reference_write(log_probs: torch.Tensor, k: int, gen: torch.Generator):
    """Textbook version: torch.multinomial without replacement, then the log-prob of the ordered draw
    by renormalising over the words still left, one position at a time."""
    words = torch.multinomial(log_probs.exp(), k, replacement=False, generator=gen)
    mask = torch.zeros_like(log_probs, dtype=torch.bool)
    total = torch.zeros(log_probs.shape[0])
    for i in range(k):
        masked = log_probs.masked_fill(mask, float("-inf"))
        total = total + torch.log_softmax(masked, dim=1).gather(1, words[:, i:i + 1]).squeeze(1)
        mask = mask.scatter(1, words[:, i:i + 1], True)
    return words, total


def ours_write(log_probs: torch.Tensor, k: int, gen: torch.Generator):
    words = draw_distinct_words(log_probs, k, gen)
    return words, sequence_log_prob(log_probs, words)


def timeit(fn, repeat: int) -> float:
    fn()
    best = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        for _ in range(repeat):
            fn()
        best = min(best, (time.perf_counter() - t) / repeat)
    return best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--seed0", type=int, default=0, help="first seed")
    args = parser.parse_args()
    torch.set_num_threads(1)

    game = SpamGame(SpamConfig(), seed=0)
    z = torch.randn(64, game.spammer.latent_dim)
    log_probs = F.log_softmax(game.spammer(z), dim=1).detach()
    gen = torch.Generator().manual_seed(0)
    t_ref = timeit(lambda: reference_write(log_probs, 12, gen), 50)
    t_ours = timeit(lambda: ours_write(log_probs, 12, gen), 50)
    print(f"write 64 emails (12 distinct words, + log-prob): reference {t_ref * 1e3:.2f} ms, "
          f"Gumbel-top-k {t_ours * 1e3:.2f} ms, speed-up x{t_ref / t_ours:.1f}")

    # The draw alone, 256 emails (one update's batch): textbook Gumbel-top-k (torch.topk on the keys) vs
    # the game's threshold selection, from the same random numbers (so the same words, checked).
    wide = F.log_softmax(game.spammer(torch.randn(256, game.spammer.latent_dim)), dim=1).detach()

    def gumbel_topk(gen):
        u = torch.rand(wide.shape, generator=gen).clamp_(1e-12, 1 - 1e-7)
        return (wide - torch.log(-torch.log(u))).topk(12, dim=1).indices

    same = torch.equal(gumbel_topk(torch.Generator().manual_seed(5)),
                       draw_distinct_words(wide, 12, torch.Generator().manual_seed(5)))
    t_topk = timeit(lambda: gumbel_topk(gen), 50)
    t_draw = timeit(lambda: draw_distinct_words(wide, 12, gen), 50)
    print(f"draw 256 emails (12 distinct words): Gumbel-top-k with torch.topk {t_topk * 1e3:.2f} ms, ours "
          f"{t_draw * 1e3:.2f} ms, speed-up x{t_topk / t_draw:.1f} (same words: {same})")

    t_round = timeit(lambda: game.step(1), 20)
    print(f"one round (3 filter + 1 spammer updates of {game.config.batch_size} spam emails + test batch): {t_round * 1e3:.1f} ms "
          f"= {1 / t_round:.0f} rounds/s on one CPU thread")

    checkpoints = [c for c in (25, 50, 100, 150, 200, 300, 500) if c <= args.rounds]
    accs, throughs, gaps = [], [], []
    for seed in range(args.seed0, args.seed0 + args.seeds):
        g = SpamGame(SpamConfig(eval_size=100), seed=seed)
        gap = []
        for c in checkpoints:
            g.step(c - g.round)
            gap.append(g.word_frequency_gap())
        acc, thr = g.history.column("accuracy"), g.history.column("spam_through")
        accs.append([acc[max(0, c - 10):c].mean() for c in checkpoints])
        throughs.append([thr[max(0, c - 10):c].mean() for c in checkpoints])
        gaps.append(gap)
    print(f"seeds {args.seed0}..{args.seed0 + args.seeds - 1}, mean of 10 rounds ending at round r "
          "(accuracy 0.5 = coin toss; word gap = total variation between spam's and real mail's word frequencies):")
    for c, a, t, w, lo, hi in zip(checkpoints, np.mean(accs, 0), np.mean(throughs, 0), np.mean(gaps, 0),
                                  np.min(accs, 0), np.max(accs, 0)):
        print(f"  round {c:4d}: accuracy {a:.3f} (seeds {lo:.2f}-{hi:.2f})   spam getting through {t:.2f}   "
              f"word gap {w:.3f}")

if __name__ == "__main__":
    main()

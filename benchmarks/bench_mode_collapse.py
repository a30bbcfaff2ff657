"""Mode-collapse lesson: step time per remedy and the headline table (seeds × remedy → modes captured, % high quality).

    nice -n 5 python3 benchmarks/bench_mode_collapse.py --steps 3000 --seeds 0 1 2 --targets ring8 grid25

No step was hand-optimised (the trainer is a plain PyTorch loop), so step time is reported as a ratio
to the plain GAN ("none"), timed round-robin in the same run. Besides the final numbers, the table shows the
mean number of modes captured over the second half of training, which is steadier than the last
measurement while G hops between modes.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from anywhere

from gan_core.mode_collapse.config import REMEDIES, ModeCollapseConfig  # noqa: E402
from gan_core.mode_collapse.trainer import ModeCollapseTrainer  # noqa: E402


def run(target: str, remedy: str, seed: int, steps: int, **extra) -> dict:
    t = ModeCollapseTrainer(ModeCollapseConfig(target=target, remedy=remedy, seed=seed, **extra))
    chunk = max(1, steps // 30)
    traj, top2, fav = [], [], []
    started = time.perf_counter()
    while t.steps < steps and t.status == "ok":
        t.step(min(chunk, steps - t.steps))
        traj.append(t.report.modes_captured)
        top2.append(t.report.top2_share)
        fav.append(t.report.favourite)
    wall = time.perf_counter() - started
    r = t.evaluate()
    return {
        "modes": r.modes_captured, "k": t.target.k, "hq": 100 * r.high_quality, "rkl": r.reverse_kl,
        "mean_modes_2nd_half": float(np.mean(traj[len(traj) // 2:])), "ms_per_step": 1000 * wall / max(1, t.steps),
        "status": t.status, "top2_2nd_half": float(np.mean(top2[len(top2) // 2:])),
        "favourites": len(set(fav[len(fav) // 2:])),
    }


def step_times(target: str, remedies: list[str], steps: int = 100, rounds: int = 5) -> dict[str, float]:
    """ms per generator step, remedies timed round-robin (median over rounds) so a busy machine affects all alike."""
    trainers = {r: ModeCollapseTrainer(ModeCollapseConfig(target=target, remedy=r)) for r in remedies}
    for t in trainers.values():
        t.step(20)  # warm-up
    times: dict[str, list[float]] = {r: [] for r in remedies}
    for _ in range(rounds):
        for r, t in trainers.items():
            started = time.perf_counter()
            t.step(steps)
            times[r].append(1000 * (time.perf_counter() - started) / steps)
    return {r: float(np.median(v)) for r, v in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=3000)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--targets", nargs="+", default=["ring8", "grid25"])
    parser.add_argument("--remedies", nargs="+", default=list(REMEDIES))
    parser.add_argument("--pack", type=int, default=ModeCollapseConfig().pack)
    parser.add_argument("--unroll", type=int, default=ModeCollapseConfig().unroll)
    parser.add_argument("--timing-only", action="store_true", help="only the interleaved step-time table")
    args = parser.parse_args()
    torch.set_num_threads(1)
    print(f"torch {torch.__version__}, 1 thread; step time per remedy, timed round-robin (median of 5 × 100 steps)\n")
    print("| target | " + " | ".join(args.remedies) + " |")
    print("|---|" + "---|" * len(args.remedies))
    for target in args.targets:
        ms = step_times(target, args.remedies)
        base = ms.get("none")
        cells = [f"{ms[r]:.2f} ms" + (f" ({ms[r] / base:.1f}×)" if base else "") for r in args.remedies]
        print(f"| {target} | " + " | ".join(cells) + " |", flush=True)
    if args.timing_only:
        return
    print(f"\n{args.steps} generator steps per run, seeds {args.seeds}")
    for target in args.targets:
        print(f"\n## {target}\n")
        print("| remedy | modes captured per seed (final) | mean modes, 2nd half | % high quality | reverse KL "
              "| top-2 share, 2nd half | favourite modes seen, 2nd half |")
        print("|---|---|---|---|---|---|---|")
        for remedy in args.remedies:
            rows = [run(target, remedy, seed, args.steps, pack=args.pack, unroll=args.unroll) for seed in args.seeds]
            k = rows[0]["k"]
            finals = ", ".join(f"{r['modes']}" for r in rows)
            rkl = np.nanmean([r["rkl"] for r in rows]) if any(np.isfinite(r["rkl"]) for r in rows) else float("nan")
            bad = sum(r["status"] != "ok" for r in rows)
            note = f" ({bad} diverged)" if bad else ""
            print(f"| {remedy}{note} | {finals} (of {k}) | {np.mean([r['mean_modes_2nd_half'] for r in rows]):.1f} | "
                  f"{np.mean([r['hq'] for r in rows]):.0f} | {rkl:.2f} | "
                  f"{', '.join(format(r['top2_2nd_half'], '.2f') for r in rows)} | "
                  f"{', '.join(str(r['favourites']) for r in rows)} |", flush=True)


if __name__ == "__main__":
    main()

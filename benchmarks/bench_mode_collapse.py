"""Mode-collapse lesson: the papers' table (ring of 8 and grid of 25, several seeds, per remedy: modes captured,
% high-quality samples, reverse KL) beside the published figures, and the step time of the hand-written NumPy
step against the straightforward PyTorch autograd loop, timed round-robin in the same run.

    nice -n 5 python3 benchmarks/bench_mode_collapse.py                 # default: 5 seeds, ~5 min on a quiet core
    python3 benchmarks/bench_mode_collapse.py --timing-only
    python3 benchmarks/bench_mode_collapse.py --steps 8000 --seeds 0 1 2 --targets ring8 --remedies none mbstd

Published (after their full training runs, not a live lesson): VEEGAN (Srivastava et al. 2017) Table 1 and
PacGAN (Lin et al. 2018) Table 1 — modes captured / % high quality (and reverse KL where given).
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from anywhere

from gan_core.mode_collapse.config import ModeCollapseConfig  # noqa: E402
from gan_core.mode_collapse.trainer import ModeCollapseTrainer  # noqa: E402

REMEDIES = ["none", "pack", "unrolled", "mbstd", "r1"]
PUBLISHED = {
    "ring8": [("VEEGAN T1: GAN", "1", "99.3"), ("VEEGAN T1: Unrolled GAN", "7.6", "35.6"),
              ("VEEGAN T1: VEEGAN", "8", "52.9"), ("PacGAN T1: GAN", "6.3", "98.2"),
              ("PacGAN T1: PacGAN2", "7.9", "95.6")],
    "grid25": [("VEEGAN T1: GAN", "3.3", "0.5"), ("VEEGAN T1: Unrolled GAN", "23.6", "16"),
               ("VEEGAN T1: VEEGAN", "24.6", "40"), ("PacGAN T1: GAN", "17.3", "94.8"),
               ("PacGAN T1: PacGAN4", "24.8", "93.6")],
}


def run(target: str, remedy: str, seed: int, steps: int, **extra) -> dict:
    t = ModeCollapseTrainer(ModeCollapseConfig(target=target, remedy=remedy, seed=seed, **extra), eval_every=250)
    top2 = []
    while t.steps < steps and t.status == "ok":
        t.step(min(250, steps - t.steps))
        top2.append(t.report.top2_share)
    r = t.evaluate()
    return {"modes": r.modes_captured, "k": t.target.k, "hq": 100 * r.high_quality, "rkl": r.reverse_kl,
            "top2": float(np.mean(top2[len(top2) // 2:])) if top2 else float("nan"), "status": t.status,
            "ms": 1000 * t.train_seconds / max(1, t.steps)}


def step_times(target: str, remedies: list[str], steps: int = 60, rounds: int = 5, **extra) -> dict:
    """ms per training step for (remedy, engine), all timed round-robin (median over rounds)."""
    trainers = {}
    for r in remedies:
        cfg = ModeCollapseConfig(target=target, remedy=r, **extra)
        for engine in ("numpy", "torch"):
            trainers[(r, engine)] = ModeCollapseTrainer(cfg, engine=engine, eval_every=10**9)
    for t in trainers.values():
        t.step(5)  # warm-up
    times: dict = {key: [] for key in trainers}
    for _ in range(rounds):
        for key, t in trainers.items():
            started = time.perf_counter()
            t.step(steps)
            times[key].append(1000 * (time.perf_counter() - started) / steps)
    return {key: float(np.median(v)) for key, v in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=2500, help="training steps per run (default %(default)s)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--targets", nargs="+", default=["ring8", "grid25"])
    parser.add_argument("--remedies", nargs="+", default=REMEDIES)
    parser.add_argument("--pack", type=int, default=ModeCollapseConfig().pack)
    parser.add_argument("--unroll", type=int, default=ModeCollapseConfig().unroll)
    parser.add_argument("--timing-only", action="store_true", help="only the step-time table")
    args = parser.parse_args()
    torch.set_num_threads(1)
    extra = {"pack": args.pack, "unroll": args.unroll}
    print(f"torch {torch.__version__} (1 thread), numpy {np.__version__}; load average {os.getloadavg()[0]:.2f} "
          f"on {os.cpu_count()} CPUs")
    print("\nStep time (ms per G step incl. its D step), NumPy hand-written vs PyTorch autograd, round-robin, "
          "median of 5 × 60 steps:\n")
    print("| target | remedy | numpy | torch | torch / numpy |")
    print("|---|---|---|---|---|")
    for target in args.targets:
        ms = step_times(target, args.remedies, **extra)
        for r in args.remedies:
            a, b = ms[(r, "numpy")], ms[(r, "torch")]
            print(f"| {target} | {r} | {a:.2f} | {b:.2f} | {b / a:.1f}× |", flush=True)
    if args.timing_only:
        return
    print(f"\n{args.steps} steps per run, seeds {args.seeds}, pack m = {args.pack}, unrolled k = {args.unroll} "
          f"(first order). Mean over seeds; per-seed modes in brackets.")
    for target in args.targets:
        print(f"\n## {target}\n")
        print("| run | modes captured | % high quality | reverse KL | near top-2 modes, 2nd half | ms/step |")
        print("|---|---|---|---|---|---|")
        for remedy in args.remedies:
            rows = [run(target, remedy, seed, args.steps, **extra) for seed in args.seeds]
            k = rows[0]["k"]
            rkls = [r["rkl"] for r in rows if np.isfinite(r["rkl"])]
            rkl_text = "— (no high-quality sample)" if not rkls else f"{np.mean(rkls):.2f}" + (
                "" if len(rkls) == len(rows) else f" ({len(rkls)} seeds)")
            bad = sum(r["status"] != "ok" for r in rows)
            note = f" ({bad} diverged)" if bad else ""
            print(f"| ours: {remedy}{note} | {np.mean([r['modes'] for r in rows]):.1f} of {k} "
                  f"({', '.join(str(r['modes']) for r in rows)}) | {np.mean([r['hq'] for r in rows]):.1f} | "
                  f"{rkl_text} | "
                  f"{np.mean([r['top2'] for r in rows]):.2f} | {np.mean([r['ms'] for r in rows]):.2f} |", flush=True)
        for name, modes, hq in PUBLISHED[target]:
            print(f"| published, {name} | {modes} | {hq} | | | |")
    print(f"\nload average at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()

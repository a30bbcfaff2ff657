"""1-D mapping benchmark: speed of the training step, convergence, and the cost of one live tick.

    nice -n 5 python3 benchmarks/bench_1d.py            # everything (~4 minutes)
    python3 benchmarks/bench_1d.py --quick              # fewer seeds/targets (~1 minute)

(a) step time of the project's trainer (hand-written NumPy step) against a straightforward PyTorch
    reference: the same networks, losses and data, autograd + torch.optim.Adam, one thread.
    Both are timed in interleaved rounds, so both see the same machine load; medians reported.
(b) convergence: for seeds × targets, the steps and training seconds until W1 ≤ 0.1·σ_target, and
    W1 after exactly --seconds of training (what `python -m gan_core train-1d --seconds 3` reports).
(c) one live tick on the server: trainer.run_for(...) + figures.build_live_figures(trainer) +
    serialising what Streamlit sends (spec JSON without data, each dataset as Arrow bytes).
Timings on a shared machine are pessimistic; the load average is printed next to them.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
import torch  # noqa: E402

from gan_core.mapping_1d.config import LOSSES, Mapping1DConfig  # noqa: E402
from gan_core.mapping_1d.trainer import Mapping1DTrainer  # noqa: E402

TARGETS = ["normal:3,0.7", "normal:-5,3", "uniform:-1,2", "mixture:0.5,-2,0.5;0.5,2,0.5", "exp:1"]
# Live tick as the page runs it (pages/1_mapping_1d.py): 15 ms training budget, at most 1000 steps.
TICK_BUDGET_S = 0.015
TICK_MAX_STEPS = 1000


def load() -> str:
    try:
        one, five, _ = os.getloadavg()
        return f"load average {one:.1f} (1 min), {five:.1f} (5 min) on {os.cpu_count()} cores"
    except OSError:
        return "load average unknown"


def step_times(config: Mapping1DConfig, rounds: int, steps: int) -> dict:
    """Interleaved rounds: project, reference, project, ... (wall and CPU seconds per step)."""
    project = Mapping1DTrainer(config)
    reference = Mapping1DTrainer(config, engine="torch")
    project.step(50)
    reference.step(20)  # warm-up (allocations, first-call costs)
    out = {"project": [], "reference": [], "project_cpu": [], "reference_cpu": []}
    for _ in range(rounds):
        for name, trainer, n in (("project", project, steps), ("reference", reference, max(steps // 4, 10))):
            w0, c0 = time.perf_counter(), time.thread_time()
            trainer.step(n)
            out[name].append((time.perf_counter() - w0) / n)
            out[name + "_cpu"].append((time.thread_time() - c0) / n)
    return {k: statistics.median(v) for k, v in out.items()}


def bench_speed(rounds: int) -> None:
    print(f"\n(a) training step, project (NumPy, hand-written backward) vs PyTorch reference (autograd + "
          f"torch.optim.Adam), {torch.get_num_threads()} torch thread; {load()}")
    print(f"{'loss':15s} {'project µs':>11s} {'reference µs':>13s} {'ratio':>6s}   {'CPU ratio':>9s}")
    for loss in LOSSES:
        t = step_times(Mapping1DConfig(loss=loss), rounds, 400)
        print(f"{loss:15s} {t['project'] * 1e6:11.0f} {t['reference'] * 1e6:13.0f} "
              f"{t['reference'] / t['project']:6.1f}×   {t['reference_cpu'] / t['project_cpu']:8.1f}×")
    cfg = Mapping1DConfig()
    print(f"(defaults: width {cfg.width}, batch {cfg.batch_size}, d_steps {cfg.d_steps}, lr_g {cfg.lr_g:g}, lr_d {cfg.lr_d:g}, "
          f"beta1 {cfg.beta1:g}, r1 {cfg.r1:g}, ema {cfg.ema:g}; "
          "ratio = wall time, CPU ratio = thread CPU time, less sensitive to other load)")


def converge(target: str, seed: int, seconds: float, check_every: int = 50) -> dict:
    trainer = Mapping1DTrainer(Mapping1DConfig(target=target, seed=seed))
    goal = 0.1 * trainer.target.std
    reached_steps = reached_seconds = None
    while trainer.train_seconds < seconds and trainer.status == "ok":
        trainer.step(check_every)
        if reached_steps is None and trainer.train_seconds <= seconds and trainer.w1() <= goal:
            reached_steps, reached_seconds = trainer.steps, trainer.train_seconds
    w1 = trainer.w1()
    return {"reached_steps": reached_steps, "reached_seconds": reached_seconds, "final": w1 / trainer.target.std,
            "steps": trainer.steps, "ok_at_end": trainer.status == "ok" and w1 <= goal}


def bench_convergence(targets: list[str], seeds: int, seconds: float) -> None:
    print(f"\n(b) convergence with the defaults, one thread: W1 ≤ 0.1·σ_target within {seconds:g} s of training; {load()}")
    print(f"{'target':32s} {'reached':>8s} {'at end':>7s}  {'median steps':>12s} {'median s':>9s} {'worst s':>8s}"
          f"  {'W1/σ at end: median, worst':>27s}  {'steps in budget':>15s}")
    for target in targets:
        runs = [converge(target, seed, seconds) for seed in range(seeds)]
        hit = [r for r in runs if r["reached_steps"] is not None]
        at_end = sum(r["ok_at_end"] for r in runs)
        med_steps = statistics.median(r["reached_steps"] for r in hit) if hit else float("nan")
        med_s = statistics.median(r["reached_seconds"] for r in hit) if hit else float("nan")
        worst_s = max(r["reached_seconds"] for r in hit) if hit else float("nan")
        finals = [r["final"] for r in runs]
        print(f"{target:32s} {len(hit):>4d}/{seeds:<3d} {at_end:>3d}/{seeds:<3d}  {med_steps:12.0f} {med_s:9.2f} {worst_s:8.2f}"
              f"  {statistics.median(finals):13.3f}, {max(finals):.3f}  {statistics.median(r['steps'] for r in runs):15.0f}")
    print("(reached = W1 ≤ 0.1σ at some check within the budget; at end = still ≤ 0.1σ when the budget ran out)")


def bench_other_losses(seeds: int, seconds: float) -> None:
    print(f"\n(b2) the other losses with the same defaults (target normal:3,0.7), W1/σ after {seconds:g} s; {load()}")
    for loss in LOSSES:
        if loss == Mapping1DConfig().loss:
            continue
        finals = []
        for seed in range(seeds):
            trainer = Mapping1DTrainer(Mapping1DConfig(loss=loss, seed=seed))
            while trainer.train_seconds < seconds and trainer.status == "ok":
                trainer.step(100)
            finals.append(trainer.w1() / trainer.target.std if trainer.status == "ok" else float("inf"))
        ok = sum(f <= 0.1 for f in finals)
        print(f"  {loss:15s} ≤ 0.1σ at end: {ok}/{seeds}   W1/σ: " + ", ".join(f"{f:.3f}" for f in finals))


def bench_tick(ticks: int) -> None:
    print(f"\n(c) one live tick on the server (run_for({TICK_BUDGET_S * 1e3:.0f} ms, ≤{TICK_MAX_STEPS} steps) + "
          f"build_live_figures + serialising); {load()}")
    try:
        from gan_core.mapping_1d import figures
    except ImportError as exc:
        print(f"skipped: gan_core.mapping_1d.figures is not importable yet ({exc})")
        return
    try:
        from streamlit.dataframe_util import convert_anything_to_arrow_bytes
    except ImportError as exc:
        print(f"skipped: streamlit's Arrow serialiser is not importable ({exc})")
        return
    trainer = Mapping1DTrainer(Mapping1DConfig())
    trainer.step(500)  # a run in progress, with history to draw
    parts = {"train": [], "figures": [], "serialise": []}
    steps = []
    for _ in range(ticks):
        t0 = time.perf_counter()
        steps.append(trainer.run_for(TICK_BUDGET_S, TICK_MAX_STEPS))
        t1 = time.perf_counter()
        specs = figures.build_live_figures(trainer)
        t2 = time.perf_counter()
        for spec in specs.values():
            datasets = spec.get("datasets", {})
            json.dumps({k: v for k, v in spec.items() if k != "datasets"})
            for frame in datasets.values():
                convert_anything_to_arrow_bytes(frame)
        t3 = time.perf_counter()
        parts["train"].append(t1 - t0)
        parts["figures"].append(t2 - t1)
        parts["serialise"].append(t3 - t2)
    med = {k: statistics.median(v) * 1e3 for k, v in parts.items()}
    p90 = {k: float(np.percentile(v, 90)) * 1e3 for k, v in parts.items()}
    total = [sum(x) * 1e3 for x in zip(*parts.values())]
    print(f"  training   median {med['train']:5.1f} ms  p90 {p90['train']:5.1f} ms  ({statistics.median(steps):.0f} steps per tick)")
    print(f"  figures    median {med['figures']:5.1f} ms  p90 {p90['figures']:5.1f} ms  ({len(specs)} charts)")
    print(f"  serialise  median {med['serialise']:5.1f} ms  p90 {p90['serialise']:5.1f} ms")
    print(f"  tick total median {statistics.median(total):5.1f} ms  p90 {float(np.percentile(total, 90)):5.1f} ms  "
          f"(goal ≤ 25 ms; at 10 ticks/s that is {statistics.median(total) / 100 * 100:.0f}% of one core)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="3 seeds, 3 targets, fewer rounds")
    parser.add_argument("--seconds", type=float, default=3.0, help="training budget per convergence run")
    parser.add_argument("--seeds", type=int, default=None)
    parser.add_argument("--skip", default="", help="comma list of parts to skip: speed,convergence,losses,tick")
    args = parser.parse_args()
    torch.set_num_threads(1)
    skip = set(filter(None, args.skip.split(",")))
    print(f"bench_1d  {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}  {platform.processor() or platform.machine()}  "
          f"python {platform.python_version()}  torch {torch.__version__}  numpy {np.__version__}")
    if "speed" not in skip:
        bench_speed(rounds=5 if args.quick else 15)
    if "convergence" not in skip:
        targets = TARGETS[:1] + TARGETS[3:] if args.quick else TARGETS
        bench_convergence(targets, args.seeds or (3 if args.quick else 10), args.seconds)
    if "losses" not in skip:
        bench_other_losses(2 if args.quick else 3, args.seconds)
    if "tick" not in skip:
        bench_tick(ticks=30 if args.quick else 100)


if __name__ == "__main__":
    main()

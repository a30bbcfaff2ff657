"""2-D playground: do the defaults learn drawings they were not tuned on, and what does one live tick cost?

    python benchmarks/bench_playground.py            # quality on 12 drawings (30 s each) + tick cost
    python benchmarks/bench_playground.py --quick    # 4 drawings, 15 s each
    python benchmarks/bench_playground.py --tick     # only the tick cost

Quality: each drawing (a few hundred points, made procedurally with seeds and shapes the defaults were NOT
tuned on — tuning used A, O, X, heart, scribble 1, polygon 1, blobs 1) is trained with the page's defaults for
30 s of training time on one thread; coverage = share of drawn points with a generated sample within 5 % of the
drawing's extent, precision = share of generated samples that close to the drawing (1,000 samples on fresh
noise). Goal: both ≥ 90 %.

Tick: the page's live tick with the manifold and the heat map on — train for the nominal budget, score,
build every dataset of the plane and the curves, as the Arrow bytes the page ships. Compared with the
straightforward reference for the scores (brute-force nearest neighbours instead of the cell grid).
"""
from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from gan_core.playground import figures as F  # noqa: E402
from gan_core.playground import metrics as M  # noqa: E402
from gan_core.playground.config import PlaygroundConfig  # noqa: E402
from gan_core.playground.session import PlaygroundRun  # noqa: E402
from gan_core.playground.shapes import draw, random_strokes, strokes_of  # noqa: E402

BENCH = [  # (name, strokes, points, drawing seed)
    ("E", strokes_of("E"), 300, 11), ("K", strokes_of("K"), 250, 12), ("M", strokes_of("M"), 350, 13),
    ("S", strokes_of("S"), 300, 14), ("W", strokes_of("W"), 400, 15), ("Z", strokes_of("Z"), 200, 16),
    ("C", strokes_of("C"), 250, 17), ("smiley", strokes_of("smiley"), 400, 18),
    ("polygon 101", random_strokes(101, "polygon"), 300, 19), ("scribble 102", random_strokes(102, "scribble"), 300, 20),
    ("blobs 103", random_strokes(103, "blobs"), 300, 21), ("blobs 104", random_strokes(104, "blobs"), 200, 22),
]
QUICK = ["E", "S", "smiley", "blobs 103"]


def quality(budget: float, names: list[str] | None, seed: int) -> None:
    marks = (budget / 3, 2 * budget / 3, budget)
    print(f"Quality: page defaults, seed {seed}, {budget:g} s of training per drawing (one thread); "
          "coverage / precision in % after " + ", ".join(f"{m:g} s" for m in marks))
    print(f"{'drawing':14s} {'points':>6s} " + " ".join(f"{f'{m:g} s':>18s}" for m in marks) + f" {'steps':>7s}  goal")
    passed = 0
    rows = [b for b in BENCH if names is None or b[0] in names]
    for name, strokes, n, dseed in rows:
        run = PlaygroundRun(dataclasses.replace(PlaygroundConfig(target="drawing"), seed=seed), draw(strokes, n, seed=dseed))
        t = run.trainer
        cells = []
        for mark in marks:
            while t.seconds < mark and t.status == "ok":
                t.run_for(min(0.5, mark - t.seconds))
            s = run.final_scores()
            cells.append(f"{100 * s.coverage:6.1f} / {100 * s.precision:5.1f}")
        ok = s.coverage >= 0.9 and s.precision >= 0.9
        passed += ok
        print(f"{name:14s} {n:6d} " + " ".join(f"{c:>18s}" for c in cells) + f" {t.steps:7d}  {'yes' if ok else 'NO'}"
              + ("" if t.status == "ok" else f" ({t.status})"), flush=True)
    print(f"{passed}/{len(rows)} drawings reach ≥ 90 % coverage and precision at {budget:g} s.")


def _arrow_bytes(datasets) -> int:
    """Bytes shipped: the figures' datasets are Arrow IPC bytes already (gan_core/playground/figures.py)."""
    return sum(len(v) for v in datasets.values())


def tick_cost(ticks: int = 60, train_s: float = 0.015) -> None:
    from gan_core.playground.slowmo import graph_datasets  # noqa: F401  (imported like the page)

    cfg = PlaygroundConfig(target="drawing")
    run = PlaygroundRun(cfg, draw(strokes_of("smiley"), 400, seed=3))
    run.trainer.step(300)
    views = F.Views(real=True, fake=True, surface=True, manifold=True, gradients=False, landing=True)
    parts = {"train+score": [], "plane": [], "curves": [], "arrow": []}
    z_sel = np.zeros((1, cfg.noise_dim))
    wall = []
    for _ in range(ticks):
        w0 = time.perf_counter()
        c = [time.process_time()]
        run.tick(train_s)  # trains for the budget (wall time), then re-scores every LIVE_SCORE_GAP steps
        c.append(time.process_time())
        plane = F.plane_datasets(run, views, selected_z=z_sel)
        c.append(time.process_time())
        curves = F.curve_datasets(run)
        c.append(time.process_time())
        size = _arrow_bytes(plane) + _arrow_bytes(curves)
        c.append(time.process_time())
        wall.append(1000 * (time.perf_counter() - w0))
        for k, a, b in zip(("train+score", "plane", "curves", "arrow"), c[:-1], c[1:]):
            parts[k].append(1000 * (b - a))
    med = {k: float(np.mean(v)) for k, v in parts.items()}
    total = sum(med.values())
    print(f"\nLive tick (mean of {ticks}; manifold {F.Manifold.__name__} 16×16 quads + heat map 30×30 + 600+600 "
          f"points + landing; curves), train budget {1000 * train_s:.0f} ms; CPU time of this process per part:")
    for k, v in med.items():
        print(f"  {k:12s} {v:6.1f} ms")
    print(f"  {'total':12s} {total:6.1f} ms CPU (wall {np.mean(wall):.1f} ms under this load) → at most "
          f"{1000 / total:.0f} ticks/s of one core; {size / 1024:.0f} KiB of Arrow per tick")

    real, fake = run.eval_real.points, run.samples
    for label, fn in (("cell grid (shipped)", lambda: M.coverage_precision(real, fake)),
                      ("brute force (reference)", lambda: (
                          float((M.nearest_distance(real, fake) <= M.RADIUS_SHARE * run.data.extent).mean()),
                          float((M.nearest_distance(fake, real) <= M.RADIUS_SHARE * run.data.extent).mean())))):
        ts = []
        for _ in range(20):
            s = time.perf_counter()
            out = fn()
            ts.append(1000 * (time.perf_counter() - s))
        print(f"  coverage + precision, {label:24s} {np.median(ts):6.2f} ms  {out}")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true")
    p.add_argument("--tick", action="store_true", help="only the tick cost")
    p.add_argument("--seconds", type=float, default=None)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args()
    with open("/proc/loadavg") as f:
        print("load average at start:", f.read().split()[:3])
    if not args.tick:
        budget = args.seconds or (15.0 if args.quick else 30.0)
        quality(budget, QUICK if args.quick else None, args.seed)
    tick_cost()
    with open("/proc/loadavg") as f:
        print("load average at end:", f.read().split()[:3])


if __name__ == "__main__":
    main()

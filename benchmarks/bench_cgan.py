"""CGAN speed, two parts.

1. Training from scratch: judge conditional accuracy against seconds of training (1 torch thread), for
   three seeds nobody tuned on (101, 202, 303), with the defaults and, in the same run, the plain
   conditional GAN reference (the same nets without the AC-GAN classifier term, class_loss 0).

    python benchmarks/bench_cgan.py --train-seconds 30 [--seeds 101 202 303] [--skip-sliders]

2. Server compute per slider move (the chosen digit large, the same z for all ten
digits, and the 9-frame interpolation strip), optimised path vs a straightforward PyTorch reference,
measured in the same run.

    python benchmarks/bench_cgan.py [--checkpoint assets/cgan_mnist.safetensors] [--repeats 200] [--skip-training]

3. The live page's training pace alone: one headless student (benchmarks/bench_classroom.py's client) on a
fresh server presses Start on "Train from scratch"; the step counter the client sees, against wall time.

    python benchmarks/bench_cgan.py --live-pace 20 [--warmup 30]

Optimised (gan_core.cgan.explorer.LatentExplorer.render): one batched forward of 10 in inference
mode, uint8 conversion and nearest-neighbour upscaling in NumPy.
Reference: 20 separate forward calls (the big digit, each of the ten, each of the nine interpolation
frames) with autograd on, each image converted through PIL and resized — the way one would first write it.
Both include PNG encoding of what the page sends (Streamlit encodes st.image arrays as PNG).
"""
from __future__ import annotations

import argparse
import io
import math
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from gan_core.cgan import checkpoint  # noqa: E402
from gan_core.cgan.config import CGANConfig  # noqa: E402
from gan_core.cgan.explorer import LatentExplorer, latent_influence  # noqa: E402
from gan_core.cgan.metrics import evaluate, real_baseline  # noqa: E402
from gan_core.cgan.trainer import CGANTrainer  # noqa: E402

MARKS = (2.5, 5, 7.5, 10, 15, 20, 25, 30, 45, 60)


def training_curve(config: CGANConfig, judge, baseline, seconds: float, every: float = 1.0, samples: int = 100) -> dict:
    """Train for `seconds` of training time, checking the EMA generator with the judge every `every` s
    (checks not counted). Returns the curve and the first training second / CPU second at >= 90 %."""
    trainer = CGANTrainer(config)
    curve, cpu, hit = [], 0.0, None
    while True:
        acc = evaluate(trainer.ema_generator, judge, samples, seed=1, baseline=baseline)["conditional_accuracy"]
        curve.append((trainer.seconds, trainer.steps, acc))
        if hit is None and acc >= 0.9:
            hit = (trainer.seconds, cpu, trainer.steps)
        if trainer.seconds >= seconds:
            break
        goal = min(seconds, trainer.seconds + every)
        c0 = time.process_time()
        while trainer.seconds < goal and trainer.status == "ok":
            trainer.run_for(goal - trainer.seconds, max_steps=50)
        cpu += time.process_time() - c0
    return {"curve": curve, "hit": hit, "steps": trainer.steps, "cpu": cpu}


def accuracy_at(curve, mark: float) -> float:
    """Accuracy of the last check at or before `mark` training seconds."""
    before = [acc for sec, _, acc in curve if sec <= mark + 1e-9]
    return before[-1] if before else float("nan")


def train_report(seconds: float, seeds: list[int]) -> None:
    judge, _ = checkpoint.load_judge()
    baseline = real_baseline(judge)
    marks = [m for m in MARKS if m <= seconds]
    print(f"\nTraining from scratch: judge accuracy (100 samples per digit) after t seconds of training, 1 thread; "
          f"load average {os.getloadavg()}")
    print(f"{'run':<34}" + "".join(f"{f'{m:g} s':>8}" for m in marks) + "   first >= 90 % (train s / CPU s / steps)")
    hits: dict[str, list] = {"defaults": [], "plain CGAN (class_loss 0)": []}
    for seed in seeds:
        for name, cfg in (("defaults", CGANConfig(seed=seed)), ("plain CGAN (class_loss 0)", CGANConfig(seed=seed, class_loss=0.0))):
            r = training_curve(cfg, judge, baseline, seconds)
            hit = r["hit"]
            hits[name].append(hit[0] if hit else float("inf"))
            where = f"{hit[0]:.1f} / {hit[1]:.1f} / {hit[2]}" if hit else f"not within {seconds:g} s ({r['steps']} steps)"
            print(f"{name + f', seed {seed}':<34}" + "".join(f"{accuracy_at(r['curve'], m):>8.1%}" for m in marks) + "   " + where)
    d, p = statistics.median(hits["defaults"]), statistics.median(hits["plain CGAN (class_loss 0)"])
    print(f"median training seconds to 90 %: defaults {d:.1f} s, plain CGAN {p:.1f} s"
          + (f" (defaults {p / d:.1f}x faster)" if math.isfinite(p) and d > 0 else ""))


def png(image: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(image).save(buf, format="PNG")
    return buf.getvalue()


def reference_move(generator, z: np.ndarray, digit: int, target: np.ndarray) -> list[bytes]:
    zt = torch.tensor(z, dtype=torch.float32).unsqueeze(0)
    out = []
    for t in np.linspace(0, 1, 9):
        x = generator(zt * (1 - float(t)) + float(t) * torch.tensor(target).unsqueeze(0), torch.tensor([digit]))
        img = Image.fromarray(((x.detach()[0, 0].numpy() + 1) / 2 * 255).clip(0, 255).astype(np.uint8))
        buf = io.BytesIO()
        img.resize((84, 84), Image.NEAREST).save(buf, format="PNG")
        out.append(buf.getvalue())
    for label in [digit] + list(range(10)):
        x = generator(zt, torch.tensor([label]))  # autograd on, one image per call
        img = Image.fromarray(((x.detach()[0, 0].numpy() + 1) / 2 * 255).clip(0, 255).astype(np.uint8))
        img = img.resize((280, 280) if label == digit and len(out) == 0 else (84, 84), Image.NEAREST)
        buf = io.BytesIO()
        img.save(buf, format="PNG")
        out.append(buf.getvalue())
    return out


def optimised_move(explorer: LatentExplorer, z: np.ndarray, digit: int, target: np.ndarray) -> list[bytes]:
    big, row = explorer.render(z, digit)
    strip = explorer.interpolate(z, target, digit, digit)
    return [png(big), png(row), png(strip)]


def timeit(fn, zs, repeats: int) -> list[float]:
    times = []
    for i in range(repeats):
        t0 = time.perf_counter()
        fn(zs[i % len(zs)], i % 10)
        times.append((time.perf_counter() - t0) * 1000)
    return times


def live_pace(seconds: float, warmup: float, settle: float = 5.0) -> None:
    """Training steps per wall-clock second of one user alone, read from the step counter that reaches the
    client (what the student sees), plus that client's updates per second: from `settle` s after Start was
    pressed to the end of `warmup` (page load and Start included) + `seconds`."""
    import asyncio
    import re

    import bench_classroom as bc

    step_text = re.compile(r"· step (\d[\d,]*) ·")  # the progress bar: "epoch 1.2 of 10 · step 340 · …"

    class Watcher(bc.Student):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.seen: list[tuple[float, int]] = []  # (time, step) at each completed fragment run
            self.started: float | None = None  # when Start was pressed (the page load before it can be slow)

        async def _press_start(self):
            pressed = await super()._press_start()
            if pressed and self.started is None:
                self.started = time.monotonic()
            return pressed

        def _on_msg(self, msg, size=0):
            super()._on_msg(msg, size)
            if msg.WhichOneof("type") == "script_finished":
                for text in self.counter_now:
                    hit = step_text.search(text)
                    if hit:
                        self.seen.append((time.monotonic(), int(hit.group(1).replace(",", ""))))
                        break

    server = bc.Server({})
    try:
        asyncio.run(bc.warm_up(server.url))
        student = Watcher(server.url, bc.PAGES["cgan"])
        t0 = time.monotonic()
        cpu0 = bc.cpu_seconds(server.pids)
        asyncio.run(student.attend(t0, t0 + warmup, t0 + warmup + seconds))
        cpu1 = bc.cpu_seconds(server.pids)
    finally:
        server.close()
    inside = [(t, s) for t, s in student.seen if student.started and t >= student.started + settle]
    if len(inside) < 2:
        print(f"live pace: too few updates seen ({len(student.seen)}); errors {student.stats.errors}")
        return
    (ta, sa), (tb, sb) = inside[0], inside[-1]
    changes = sum(1 for (_, a), (_, b) in zip(inside, inside[1:]) if b != a)
    print(f"load average (1/5/15 min) on {os.cpu_count()} cores: {os.getloadavg()}")
    print(f"live pace alone: {(sb - sa) / (tb - ta):.1f} training steps per wall second over {tb - ta:.1f} s "
          f"(steps {sa} -> {sb}), {changes / (tb - ta):.1f} updates/s, server CPU {cpu1 - cpu0:.1f} s "
          f"in {time.monotonic() - t0:.0f} s including the page load")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--live-pace", type=float, metavar="SECONDS",
                        help="instead: one student on the live page, training steps per wall second")
    parser.add_argument("--warmup", type=float, default=30.0,
                        help="with --live-pace: seconds for the page load and Start (counting starts 5 s after Start)")
    parser.add_argument("--checkpoint", default=str(checkpoint.DEFAULT_GENERATOR))
    parser.add_argument("--repeats", type=int, default=200)
    parser.add_argument("--train-seconds", type=float, default=30.0)
    parser.add_argument("--seeds", type=int, nargs="+", default=[101, 202, 303])
    parser.add_argument("--skip-training", action="store_true")
    parser.add_argument("--skip-sliders", action="store_true")
    args = parser.parse_args()
    if args.live_pace:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        live_pace(args.live_pace, args.warmup)
        return 0
    torch.set_num_threads(1)
    if not args.skip_training:
        train_report(args.train_seconds, args.seeds)
    if args.skip_sliders:
        return 0
    generator, meta = checkpoint.load_generator(args.checkpoint)
    generator.requires_grad_(True)  # the reference path runs with autograd as a first version would
    explorer = LatentExplorer(generator)
    rng = np.random.default_rng(0)
    zs = rng.standard_normal((50, generator.latent_dim)).astype(np.float32)
    target = zs[-1]
    for _ in range(10):  # warm-up
        reference_move(generator, zs[0], 3, target)
        optimised_move(explorer, zs[0], 3, target)
    ref = timeit(lambda z, d: reference_move(generator, z, d, target), zs, args.repeats)
    opt = timeit(lambda z, d: optimised_move(explorer, z, d, target), zs, args.repeats)
    # image only (no PNG), the part gan_core owns
    core = timeit(lambda z, d: explorer.render(z, d), zs, args.repeats)
    t0 = time.perf_counter()
    latent_influence(generator)
    influence_ms = (time.perf_counter() - t0) * 1000

    def summary(name, xs):
        xs = sorted(xs)
        return (f"{name:<36} median {statistics.median(xs):6.2f} ms   min {xs[0]:6.2f} ms   "
                f"p90 {xs[int(0.9 * len(xs))]:6.2f} ms")

    print(f"load average (1/5/15 min) on {os.cpu_count()} cores: {os.getloadavg()}")
    print(f"checkpoint: {args.checkpoint} (latent {generator.latent_dim}, width {generator.width}); torch threads 1")
    print(summary("reference (20 calls, autograd, PIL)", ref))
    print(summary("optimised (2 batched calls + PNG)", opt))
    print(summary("optimised, digit + ten only, no PNG", core))
    print(f"speed-up (median): {statistics.median(ref) / statistics.median(opt):.1f}x")
    print(f"slider budget 20 ms: optimised median {'within' if statistics.median(opt) <= 20 else 'OVER'} budget")
    print(f"latent influence ranking (once per model): {influence_ms:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())

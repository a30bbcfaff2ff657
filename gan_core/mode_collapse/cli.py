"""`python -m gan_core mode-collapse`: train the 2-D GAN headless and count the modes it captures.

    python -m gan_core mode-collapse --target ring8 --remedy pack --steps 3000 --seed 1 --json

With --json the last line of stdout is one JSON object (modes_captured, modes, high_quality,
reverse_kl, steps, ...). Exit status: 0 trained, 1 training diverged, 2 invalid settings.
"""
from __future__ import annotations

import json
from dataclasses import fields

from gan_core.cli_support import fail_invalid
from gan_core.mode_collapse.config import LOSSES, REMEDIES, TARGETS, ModeCollapseConfig

DEFAULT_STEPS = 3000


def register(subparsers) -> None:
    d = ModeCollapseConfig()
    p = subparsers.add_parser(
        "mode-collapse",
        help="train a 2-D GAN on a ring/grid of Gaussians and count the modes it captures",
        description="Train the mode-collapse lesson's GAN headless. Defaults are the page's defaults.",
    )
    p.add_argument("--target", default=d.target, choices=list(TARGETS), help="target mixture (default %(default)s)")
    p.add_argument("--remedy", default=d.remedy, choices=list(REMEDIES), help="remedy (default %(default)s)")
    p.add_argument("--loss", default=d.loss, choices=list(LOSSES), help="G's loss (default %(default)s)")
    p.add_argument("--steps", type=int, default=DEFAULT_STEPS, help="generator steps (default %(default)s)")
    p.add_argument("--seed", type=int, default=d.seed, help="seed (default %(default)s)")
    p.add_argument("--lr-g", type=float, default=d.lr_g, help="G's learning rate (default %(default)g)")
    p.add_argument("--lr-d", type=float, default=d.lr_d, help="D's learning rate (default %(default)g)")
    p.add_argument("--batch-size", type=int, default=d.batch_size, help="batch size (default %(default)s)")
    p.add_argument("--width", type=int, default=d.width, help="hidden width of G and D (default %(default)s)")
    p.add_argument("--z-dim", type=int, default=d.z_dim, help="noise dimension (default %(default)s)")
    p.add_argument("--pack", type=int, default=d.pack, help="PacGAN pack size m (default %(default)s)")
    p.add_argument("--unroll", type=int, default=d.unroll, help="unrolled D lookahead steps k (default %(default)s)")
    p.add_argument("--r1-gamma", type=float, default=d.r1_gamma, help="R1 weight γ (default %(default)g)")
    p.add_argument("--json", action="store_true", help="print one JSON object on the last line")
    p.set_defaults(func=run)


def config_from_args(args) -> ModeCollapseConfig:
    names = {f.name for f in fields(ModeCollapseConfig)}
    return ModeCollapseConfig(**{k: v for k, v in vars(args).items() if k in names})


def run(args) -> int:
    import torch

    from gan_core.mode_collapse.trainer import ModeCollapseTrainer

    torch.set_num_threads(1)
    config = config_from_args(args)
    errors = config.validate()
    if args.steps < 0:
        errors["steps"] = f"--steps must be 0 or more (got {args.steps})"
    if errors:
        return fail_invalid(errors, as_json=args.json)
    trainer = ModeCollapseTrainer(config)
    trainer.step(args.steps)
    r = trainer.evaluate()
    result = {
        "steps": trainer.steps,
        "modes_captured": r.modes_captured,
        "modes": trainer.target.k,
        "high_quality": round(100 * r.high_quality, 2),
        "reverse_kl": None if r.reverse_kl != r.reverse_kl else round(r.reverse_kl, 4),
        "samples_per_mode": r.counts.tolist(),
        "seconds": round(trainer.train_seconds, 3),
        "status": trainer.status,
        "config": config.to_dict(),
    }
    if trainer.status != "ok":
        result["message"] = trainer.message
    if args.json:
        print(json.dumps(result))
    else:
        print(f"{config.target}  remedy {config.remedy}  seed {config.seed}: {trainer.steps} steps in "
              f"{trainer.train_seconds:.1f} s")
        print(f"modes captured {r.modes_captured}/{trainer.target.k}, high quality {100 * r.high_quality:.1f} %, "
              f"reverse KL {r.reverse_kl:.3f}")
        if trainer.status != "ok":
            print(trainer.message)
    return 0 if trainer.status == "ok" else 1

"""`python -m gan_core mode-collapse`: train the 2-D GAN headless and count the modes it captures.

    python -m gan_core mode-collapse --target ring8 --remedy pack --steps 3000 --seed 1 --json

With --json the last line of stdout is one JSON object (modes_captured, modes, high_quality,
reverse_kl, steps, ...). Exit status: 0 trained, 1 training diverged, 2 invalid settings.
"""
from __future__ import annotations

import json

from gan_core import settings_spec
from gan_core.cli_support import fail_invalid
from gan_core.mode_collapse.config import ModeCollapseConfig

DEFAULT_STEPS = 3000


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "mode-collapse",
        help="train a 2-D GAN on a ring/grid of Gaussians and count the modes it captures",
        description="Train the mode-collapse lesson's GAN headless. Defaults are the page's defaults; every "
                    "setting has a --flag, and --config PATH.json starts from a page's export.",
    )
    settings_spec.add_arguments(p, ModeCollapseConfig)
    p.add_argument("--steps", type=int, default=DEFAULT_STEPS, help="generator steps (default %(default)s)")
    p.add_argument("--json", action="store_true", help="print one JSON object on the last line")
    p.set_defaults(func=run)


def run(args) -> int:
    import torch

    from gan_core.mode_collapse.trainer import ModeCollapseTrainer

    torch.set_num_threads(1)
    config, errors = settings_spec.from_arguments(ModeCollapseConfig, args)
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

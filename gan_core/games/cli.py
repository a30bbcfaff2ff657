"""`python -m gan_core game ...`: run one update rule on the xy game or Dirac-GAN, headless.

Example:
    python -m gan_core game --game xy --method simultaneous --eta 0.1 --steps 1000 --json
    python -m gan_core game --game dirac --loss nonsaturating --reg r1 --gamma 1 --method simultaneous \
        --eta 0.1 --steps 500 --start 1 1 --json --trajectory-out run.npy
"""
from __future__ import annotations

import argparse
import json
import math
from dataclasses import replace
from pathlib import Path

import numpy as np

from gan_core import settings_spec
from gan_core.cli_support import fail_invalid
from gan_core.games.analysis import analyse
from gan_core.games.config import DEFAULT_START, GameConfig
from gan_core.games.rules import METHODS, simulate


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "game",
        help="xy game / Dirac-GAN: run an update rule, report distance to the equilibrium and eigenvalues",
        description="Run one update rule on the bilinear xy game or on Dirac-GAN and report where it ends. "
                    "Every setting has a --flag; --config PATH.json starts from a page's export.",
    )
    settings_spec.add_arguments(p, GameConfig)
    p.add_argument("--method", default=None, metavar="METHOD",
                   help=f"the update rule to run: one of {', '.join(METHODS)} "
                        "(default: the first of the settings' rules, simultaneous)")
    p.add_argument("--json", action="store_true", help="print one JSON object on the last line")
    p.add_argument("--trajectory-out", type=Path, default=None, metavar="PATH.npy",
                   help="save the iterates (steps+1 rows of x, y; cut at a divergence) as a .npy array")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    settings, errors = settings_spec.from_arguments(GameConfig, args)
    if settings.game == "xy" and (args.loss is not None or args.reg is not None):
        errors["loss" if args.loss is not None else "reg"] = (
            "--loss and --reg apply to --game dirac only (the xy game has no loss to choose).")
    if args.start is None and settings.start == GameConfig.start:
        # No start asked for: each game's own default start (a file's start equal to xy's default counts as none).
        settings = replace(settings, start=DEFAULT_START[settings.game])
    if args.method is not None and args.method not in METHODS:
        errors["method"] = f"Unknown update rule {args.method!r}: choose one of {', '.join(METHODS)}."
    elif args.method is not None:
        settings = replace(settings, methods=(args.method,))
    method = settings.methods[0] if settings.methods else "simultaneous"
    if args.trajectory_out is not None and args.trajectory_out.suffix != ".npy":
        errors["trajectory_out"] = f"--trajectory-out must end in .npy (got {args.trajectory_out})."
    if errors:
        return fail_invalid(errors, as_json=args.json)

    game = settings.make_game()
    traj = simulate(game, method, settings.eta, settings.steps, settings.start, settings.momentum, settings.consensus)
    x, y = (float(v) for v in traj.final)
    local = analyse(game, method, settings.eta, settings.momentum, settings.consensus)
    result = {
        "ok": True,
        "game": settings.game,
        "loss": settings.loss if settings.game == "dirac" else None,
        "reg": settings.reg if settings.game == "dirac" else None,
        "method": method,
        "eta": settings.eta,
        "steps": settings.steps,
        "start": list(settings.start),
        "x": x,
        "y": y,
        "distance": math.hypot(x, y),
        "start_distance": math.hypot(*settings.start),
        "diverged": traj.diverged_at is not None,
        "diverged_at_step": traj.diverged_at,
        "steps_done": traj.last_finite_index,
        "spectral_radius": local.spectral_radius if local else None,
        "verdict": local.verdict if local else "no Jacobian at the equilibrium",
        "eigenvalues": [[float(v.real), float(v.imag)] for v in local.eigenvalues] if local else None,
    }
    if args.trajectory_out is not None:
        args.trajectory_out.parent.mkdir(parents=True, exist_ok=True)
        np.save(args.trajectory_out, traj.points[: traj.last_finite_index + 1], allow_pickle=False)
        result["trajectory_out"] = str(args.trajectory_out)

    if not args.json:
        print(game.describe())
        print(f"{method}, η = {settings.eta:g}, {settings.steps} steps from {tuple(settings.start)}")
        if traj.diverged_at is not None:
            print(f"diverged at step {traj.diverged_at} (distance passed 1e6); last finite point below")
        print(f"final: x = {x:.6g}, y = {y:.6g}, distance to equilibrium = {result['distance']:.6g}")
        if local:
            print(f"update Jacobian at the equilibrium: spectral radius {local.spectral_radius:.6f} → {local.verdict}")
    if args.json:
        print(json.dumps(result))
    return 0

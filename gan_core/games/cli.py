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
from pathlib import Path

import numpy as np

from gan_core.cli_support import fail_invalid
from gan_core.games.analysis import analyse
from gan_core.games.fields import LOSSES, REGULARISERS
from gan_core.games.rules import METHODS, simulate
from gan_core.games.settings import DEFAULT_START, GAMES, MAX_STEPS, GameSettings


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "game",
        help="xy game / Dirac-GAN: run an update rule, report distance to the equilibrium and eigenvalues",
        description="Run one update rule on the bilinear xy game or on Dirac-GAN and report where it ends.",
    )
    p.add_argument("--game", choices=GAMES, default="xy")
    p.add_argument("--loss", choices=LOSSES, default=None, help="Dirac-GAN loss (default standard)")
    p.add_argument("--reg", choices=REGULARISERS, default=None, help="Dirac-GAN regulariser (default none)")
    p.add_argument("--gamma", type=float, default=1.0, help="R1 / WGAN-GP strength γ (default 1)")
    p.add_argument("--noise-std", type=float, default=1.0, help="instance-noise σ (default 1)")
    p.add_argument("--method", choices=METHODS, default="simultaneous")
    p.add_argument("--eta", type=float, default=0.1, help="step size η (0 < η ≤ 2)")
    p.add_argument("--steps", type=int, default=1000, help=f"number of updates (1..{MAX_STEPS:,})")
    p.add_argument("--start", type=float, nargs=2, metavar=("X", "Y"), default=None,
                   help="start point (default 2 2 for xy, 1 1 for dirac: θ ψ)")
    p.add_argument("--momentum", type=float, default=0.0, help="heavy-ball momentum β in (-1, 1); negative damps")
    p.add_argument("--consensus", type=float, default=0.5, help="consensus-optimisation weight γ (default 0.5)")
    p.add_argument("--json", action="store_true", help="print one JSON object on the last line")
    p.add_argument("--trajectory-out", type=Path, default=None, metavar="PATH.npy",
                   help="save the iterates (steps+1 rows of x, y; cut at a divergence) as a .npy array")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    errors = []
    if args.game == "xy" and (args.loss is not None or args.reg is not None):
        errors.append("--loss and --reg apply to --game dirac only (the xy game has no loss to choose).")
    settings = GameSettings(
        game=args.game,
        loss=args.loss or "standard",
        reg=args.reg or "none",
        gamma=args.gamma,
        noise_std=args.noise_std,
        methods=(args.method,),
        eta=args.eta,
        steps=args.steps,
        start=tuple(args.start) if args.start is not None else DEFAULT_START.get(args.game, (2.0, 2.0)),
        momentum=args.momentum,
        consensus=args.consensus,
    )
    errors += settings.validate()
    if args.trajectory_out is not None and args.trajectory_out.suffix != ".npy":
        errors.append(f"--trajectory-out must end in .npy (got {args.trajectory_out}).")
    if errors:
        return fail_invalid(errors, as_json=args.json)

    game = settings.make_game()
    traj = simulate(game, args.method, settings.eta, settings.steps, settings.start, settings.momentum, settings.consensus)
    x, y = (float(v) for v in traj.final)
    local = analyse(game, args.method, settings.eta, settings.momentum, settings.consensus)
    result = {
        "ok": True,
        "game": settings.game,
        "loss": settings.loss if settings.game == "dirac" else None,
        "reg": settings.reg if settings.game == "dirac" else None,
        "method": args.method,
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
        print(f"{args.method}, η = {settings.eta:g}, {settings.steps} steps from {tuple(settings.start)}")
        if traj.diverged_at is not None:
            print(f"diverged at step {traj.diverged_at} (distance passed 1e6); last finite point below")
        print(f"final: x = {x:.6g}, y = {y:.6g}, distance to equilibrium = {result['distance']:.6g}")
        if local:
            print(f"update Jacobian at the equilibrium: spectral radius {local.spectral_radius:.6f} → {local.verdict}")
    if args.json:
        print(json.dumps(result))
    return 0

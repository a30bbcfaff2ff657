"""`python -m gan_core train-2d`: train the 2-D playground's GAN headless on a preset or on your own points.

    python -m gan_core train-2d --target moons --steps 4000 --seed 1 --json
    python -m gan_core train-2d --target points:drawing.npy --seconds 30 --samples-out samples.npy --json

--target points:PATH reads an (N, 2) array from a .npy file (or a CSV / text file of x, y rows); points outside
the plane [-1, 1]² are fitted into it for training, and --samples-out writes the samples back in the file's units.
With --json the last line of stdout is one JSON object (steps, seconds, kl, js, sliced_w, wasserstein,
coverage, precision, and for mixtures the mode metrics). Exit status: 0 trained, 1 diverged, 2 invalid input.
"""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from gan_core.cli_support import fail_invalid
from gan_core.playground.config import PlaygroundConfig
from gan_core.playground.data import (
    PRESETS, VIEW, DataError, PointSet, check_points, encode_points, fit_to_view, parse_csv, parse_point_text,
)
from gan_core.settings_spec import add_arguments, from_arguments, to_mapping

DEFAULT_STEPS = 5000
SAMPLES_OUT = 20_000
MAX_STEPS = 10_000_000
MAX_SECONDS = 24 * 3600


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "train-2d",
        help="train the 2-D playground's GAN on a preset or on your own points (.npy)",
        description="Train the 2-D playground's GAN headless. Defaults are the page's defaults.",
    )
    p.add_argument("--target", dest="target_spec", default="ring8", metavar="TARGET",
                   help=f"one of {', '.join(PRESETS)}, or points:PATH.npy (an (N, 2) array; .csv/.txt too); default ring8")
    budget = p.add_mutually_exclusive_group()
    budget.add_argument("--steps", type=int, default=None, help=f"training steps (default {DEFAULT_STEPS})")
    budget.add_argument("--seconds", type=float, default=None, help="train for this many seconds instead")
    p.add_argument("--samples-out", metavar="PATH.npy", default=None,
                   help=f"write {SAMPLES_OUT:,} samples of the final generator to this .npy file")
    p.add_argument("--json", action="store_true", help="print one JSON object on the last line")
    add_arguments(p, PlaygroundConfig)
    p.set_defaults(func=run)


def load_points(path: str) -> tuple[PointSet, float, np.ndarray]:
    """Points from a file, fitted into the view when they do not lie in it: (set, scale, centre)."""
    file = Path(path)
    if not file.is_file():
        raise DataError(f"No file at {path}.")
    if file.suffix.lower() == ".npy":
        try:
            arr = np.load(file, allow_pickle=False)
        except (ValueError, OSError) as exc:
            raise DataError(f"{path} is not a readable .npy array ({exc}).") from None
        arr = check_points(arr, what=f"The array in {file.name}")
    elif file.suffix.lower() == ".csv":
        arr = parse_csv(file.read_bytes(), name=file.name).points
    else:
        arr = parse_point_text(file.read_bytes()).points
    if (np.abs(arr) <= VIEW).all():
        return PointSet("drawing", arr, note=f"{len(arr)} points from {file.name}."), 1.0, np.zeros(2)
    fitted, scale, centre = fit_to_view(arr)
    return PointSet("drawing", fitted, note=f"{len(arr)} points from {file.name}, fitted into the view."), scale, centre


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None or not math.isfinite(value) else round(float(value), digits)


def run(args) -> int:
    config, errors = from_arguments(PlaygroundConfig, args)
    drawing, scale, centre = None, 1.0, np.zeros(2)
    target = str(args.target_spec)
    if target.startswith("points:"):
        try:
            drawing, scale, centre = load_points(target[len("points:"):])
            # trained on the full-precision points; the link's encoding is kept in the config for the record
            config = _replace(config, target="drawing", drawing=encode_points(drawing.points))
        except DataError as exc:
            errors["target"] = str(exc)
    elif target in PRESETS:
        config = _replace(config, target=target)
    else:
        errors["target"] = f"Unknown target {target!r}: choose one of {', '.join(PRESETS)}, or points:PATH.npy."
    if args.steps is not None and not 0 <= args.steps <= MAX_STEPS:
        errors["steps"] = f"--steps must be between 0 and {MAX_STEPS:,} (got {args.steps})."
    if args.seconds is not None and not (math.isfinite(args.seconds) and 0 < args.seconds <= MAX_SECONDS):
        errors["seconds"] = f"--seconds must be more than 0 and at most {MAX_SECONDS} (got {args.seconds:g})."
    if args.samples_out is not None and not str(args.samples_out).endswith(".npy"):
        errors["samples_out"] = f"--samples-out must name a .npy file (got {args.samples_out})."
    if errors:
        return fail_invalid(errors, as_json=args.json)

    from gan_core.playground.metrics import EXACT_MAX, exact_wasserstein
    from gan_core.playground.session import PlaygroundRun, data_for

    run_ = PlaygroundRun(config, data_for(config, drawing))  # the CLI trains one run (compare is for the page)
    t = run_.trainer
    if args.seconds is not None:
        while t.status == "ok" and t.seconds < args.seconds:
            t.run_for(min(1.0, args.seconds - t.seconds))
    else:
        t.step(DEFAULT_STEPS if args.steps is None else args.steps)
    s = run_.final_scores()
    rng = np.random.default_rng([config.seed, 15485863])
    k = min(EXACT_MAX, run_.data.n)
    real_k = run_.data.points[rng.permutation(run_.data.n)[:k]]
    fake_k = t.generate(t.sample_noise(k, rng))
    w_exact = exact_wasserstein(real_k, fake_k) if np.isfinite(fake_k).all() else float("nan")
    result = {
        "steps": t.steps, "seconds": round(t.seconds, 3), "target": target, "status": t.status,
        "kl": _round(s.kl), "js": _round(s.js), "sliced_w": _round(s.sliced_w), "wasserstein": _round(w_exact),
        "wasserstein_points": k, "coverage": _round(s.coverage), "precision": _round(s.precision),
    }
    if run_.data.is_mixture:
        result.update(modes_captured=int(s.modes_captured), modes=int(s.modes),
                      high_quality=_round(s.high_quality), reverse_kl=_round(s.reverse_kl))
    if scale != 1.0:
        result["fitted"] = {"scale": scale, "centre": centre.tolist()}
    if args.samples_out:
        samples = t.generate(t.sample_noise(SAMPLES_OUT, np.random.default_rng([config.seed, 32452843])))
        samples = samples / scale + centre
        try:
            Path(args.samples_out).parent.mkdir(parents=True, exist_ok=True)
            np.save(args.samples_out, samples.astype(np.float64), allow_pickle=False)
        except OSError as exc:
            return fail_invalid({"samples_out": f"Cannot write {args.samples_out} ({exc.strerror})."}, as_json=args.json)
        result["samples_out"] = str(args.samples_out)
    if t.status != "ok":
        result["message"] = t.message
    result["config"] = to_mapping(config)
    if args.json:
        print(json.dumps(result))
    else:
        print(f"{target}: {t.steps} steps in {t.seconds:.1f} s ({t.status})")
        print(f"grid KL {s.kl:.3f}  JS {s.js:.3f}  sliced W {s.sliced_w:.4f}  W {w_exact:.4f} ({k} points)")
        print(f"coverage {100 * s.coverage:.1f} %  precision {100 * s.precision:.1f} %")
        if run_.data.is_mixture:
            print(f"modes captured {int(s.modes_captured)}/{int(s.modes)}, high quality {100 * s.high_quality:.1f} %")
        if t.status != "ok":
            print(t.message)
    return 0 if t.status == "ok" else 1


def _replace(config: PlaygroundConfig, **changes) -> PlaygroundConfig:
    import dataclasses

    return dataclasses.replace(config, **changes)

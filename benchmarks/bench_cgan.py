"""CGAN page speed: server compute per slider move (the chosen digit large, the same z for all ten
digits, and the 9-frame interpolation strip), optimised path vs a straightforward PyTorch reference,
measured in the same run.

    python benchmarks/bench_cgan.py [--checkpoint assets/cgan_mnist.safetensors] [--repeats 200]

Optimised (gan_core.cgan.explorer.LatentExplorer.render): one batched forward of 10 in inference
mode, uint8 conversion and nearest-neighbour upscaling in NumPy.
Reference: 20 separate forward calls (the big digit, each of the ten, each of the nine interpolation
frames) with autograd on, each image converted through PIL and resized — the way one would first write it.
Both include PNG encoding of what the page sends (Streamlit encodes st.image arrays as PNG).
"""
from __future__ import annotations

import argparse
import io
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
from gan_core.cgan.explorer import LatentExplorer, latent_influence  # noqa: E402


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


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--checkpoint", default=str(checkpoint.DEFAULT_GENERATOR))
    parser.add_argument("--repeats", type=int, default=200)
    args = parser.parse_args()
    torch.set_num_threads(1)
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

"""One CGAN training step's cost alone, CGANTrainer against the plain loop (gan_core/cgan/reference.py), in
the same run, interleaved in blocks so that load from elsewhere hits both alike.

    python benchmarks/bench_cgan_step.py [--threads 1 2] [--rounds 8] [--block 10] [--variants]

Per step: wall time, this thread's CPU time and the process's CPU time (with 2 intra-op threads the
process's time includes torch's worker thread). --variants also times options that change the numbers
(float rounding, not the maths) and prints how far 100 steps of each drift from the default trainer:
fused Adam, oneDNN (mkldnn) off, channels_last convolutions.
"""
from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from gan_core.cgan.config import CGANConfig  # noqa: E402
from gan_core.cgan.reference import ReferenceTrainer  # noqa: E402
from gan_core.cgan.trainer import CGANTrainer  # noqa: E402


class FusedAdam(CGANTrainer):
    def reset(self, seed=None):
        super().reset(seed)
        betas = (self.config.beta1, 0.999)
        self.opt_g = torch.optim.Adam(self.generator.parameters(), lr=self.config.lr_g, betas=betas, fused=True)
        self.opt_d = torch.optim.Adam(self.discriminator.parameters(), lr=self.config.lr_d, betas=betas, fused=True)


class ChannelsLast(CGANTrainer):
    def reset(self, seed=None):
        super().reset(seed)
        for net in (self.generator, self.discriminator, self.ema_generator):
            net.to(memory_format=torch.channels_last)


@contextlib.contextmanager
def mkldnn(enabled: bool):
    with torch.backends.mkldnn.flags(enabled=enabled):
        yield


def block(trainer, steps: int, context) -> tuple[float, float, float]:
    with context():
        w, p, t = time.perf_counter(), time.process_time(), time.thread_time()
        trainer.step(steps)
        return ((time.perf_counter() - w) / steps, (time.process_time() - p) / steps, (time.thread_time() - t) / steps)


def drift(a, b) -> float:
    sa, sb = a.generator.state_dict(), b.generator.state_dict()
    return max((sa[k].double() - sb[k].double()).abs().max().item() for k in sa)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--block", type=int, default=10)
    parser.add_argument("--variants", action="store_true")
    args = parser.parse_args()
    plain = contextlib.nullcontext
    runs = {"reference (plain loop)": (ReferenceTrainer, plain), "CGANTrainer": (CGANTrainer, plain)}
    if args.variants:
        runs.update({"  + fused Adam": (FusedAdam, plain), "  + mkldnn off": (CGANTrainer, lambda: mkldnn(False)),
                     "  + channels_last": (ChannelsLast, plain)})
    with open("/proc/loadavg") as f:
        print(f"load average before: {f.read().split()[:3]}")
    for threads in args.threads:
        torch.set_num_threads(threads)
        trainers = {name: (cls(CGANConfig()), ctx) for name, (cls, ctx) in runs.items()}
        times: dict[str, list] = {name: [] for name in runs}
        for name, (t, ctx) in trainers.items():
            block(t, 20, ctx)  # warm-up (first calls allocate, oneDNN picks kernels)
        for _ in range(args.rounds):
            for name, (t, ctx) in trainers.items():
                times[name].append(block(t, args.block, ctx))
        print(f"\n{threads} torch thread(s), {args.rounds} x {args.block} steps each, median per step:")
        print(f"{'':26s} {'wall ms':>8s} {'thread CPU ms':>14s} {'process CPU ms':>15s}")
        base = statistics.median(x[1] for x in times["reference (plain loop)"])
        for name, rows in times.items():
            wall, proc, thread = (statistics.median(x[i] for x in rows) * 1000 for i in range(3))
            print(f"{name:26s} {wall:8.2f} {thread:14.2f} {proc:15.2f}   x{base * 1000 / proc:.2f} process CPU vs reference")
    if args.variants:
        torch.set_num_threads(1)
        print("\ndrift of G's weights from CGANTrainer after 100 steps (same seed), max |difference|:")
        base_t = CGANTrainer(CGANConfig())
        base_t.step(100)
        for name, (cls, ctx) in runs.items():
            t = cls(CGANConfig())
            with ctx():
                t.step(100)
            print(f"  {name:26s} {drift(t, base_t):.3g}")
    with open("/proc/loadavg") as f:
        print(f"load average after: {f.read().split()[:3]}")


if __name__ == "__main__":
    main()

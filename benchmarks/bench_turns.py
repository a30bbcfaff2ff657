"""Why live ticks take turns (ui/turns.py), their training included.

    python benchmarks/bench_turns.py [--seconds 3] [--threads 4 12]

1. The convoy: k threads train their own 1-D GAN at once, as k students' ticks do in one server process.
   NumPy releases the GIL around each array operation, and with others waiting every release hands the GIL
   over; the same steps then cost several times their CPU alone. Printed: steps/s of all threads together
   and CPU per step, each thread on its own, then taking turns under one lock (chunks of 8 steps).
2. Training outside a turn: each lesson's training alone, beside a second trainer (~2x the steps of both
   together for training that mostly runs outside the GIL, on 2 cores or more), and beside a thread busy in
   Python, as another session's drawing is while it has its turn. There a thread that releases the GIL at
   each operation waits for it to come back each time (up to the switch interval, 5 ms), so even the CGAN,
   whose two trainers run side by side at 1.5-2x, gets a small fraction of its steps: no training is done
   outside a turn.
3. Which thread trains: Streamlit runs each tick on a thread made for it, and torch's first operations on a
   new thread cost more. k trainers, one step each in turn as k students' ticks come, each step on a fresh
   thread or handed to one long-lived thread (ui/compute.py, what the server does): CPU per step of each.

Ratios within one run; torch on one thread per training thread, as on the server (gan_core/device.py).
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch  # noqa: E402

from gan_core.cgan.config import CGANConfig  # noqa: E402
from gan_core.cgan.trainer import CGANTrainer  # noqa: E402
from gan_core.mapping_1d.config import Mapping1DConfig  # noqa: E402
from gan_core.mapping_1d.trainer import Mapping1DTrainer  # noqa: E402
from gan_core.mode_collapse.config import ModeCollapseConfig  # noqa: E402
from gan_core.mode_collapse.trainer import ModeCollapseTrainer  # noqa: E402
from gan_core.spam.config import SpamConfig  # noqa: E402
from gan_core.spam.game import SpamGame  # noqa: E402
from ui.compute import ComputeThread  # noqa: E402

TRAINERS = {
    "1-D mapping": lambda: Mapping1DTrainer(Mapping1DConfig()),
    "CGAN": lambda: CGANTrainer(CGANConfig()),
    "mode collapse": lambda: ModeCollapseTrainer(ModeCollapseConfig()),
    "spam": lambda: SpamGame(SpamConfig()),
}


def train(trainer, seconds: float, chunk: int, lock: threading.Lock | None, out: list) -> None:
    torch.set_num_threads(1)
    trainer.step(chunk)  # warm-up
    steps, started, cpu = 0, time.perf_counter(), time.thread_time()
    while time.perf_counter() - started < seconds:
        if lock is None:
            trainer.step(chunk)
        else:
            with lock:
                trainer.step(chunk)
        steps += chunk
    out.append((steps / (time.perf_counter() - started), (time.thread_time() - cpu) / steps))


def together(make, k: int, seconds: float, chunk: int = 1, lock: threading.Lock | None = None) -> tuple[float, float]:
    """(steps/s of k threads together, mean CPU s per step)."""
    out: list = []
    trainers = [make() for _ in range(k)]
    threads = [threading.Thread(target=train, args=(t, seconds, chunk, lock, out)) for t in trainers]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return sum(r for r, _ in out), sum(c for _, c in out) / len(out)


def beside_python(make, seconds: float) -> tuple[float, float]:
    """(steps/s, mean wall s per step) of one trainer while another thread runs pure Python."""
    stop = threading.Event()

    def busy() -> None:
        while not stop.is_set():
            sum(i * i for i in range(1000))

    other = threading.Thread(target=busy)
    other.start()
    try:
        rate, _ = together(make, 1, seconds)
    finally:
        stop.set()
        other.join()
    return rate, 1 / rate if rate else float("inf")


def thread_per_step(make, k: int, rounds: int) -> tuple[float, float]:
    """(median CPU s per step on a fresh thread, on one long-lived thread): k trainers round-robin, the two
    ways interleaved round by round so that load from elsewhere hits both alike."""
    trainers = [make() for _ in range(k)]
    for t in trainers:
        t.step(2)  # warm-up: lazy allocations of the trainer itself
    fresh: list[float] = []
    warm: list[float] = []
    compute = ComputeThread()

    def timed(trainer, out: list) -> None:
        started = time.thread_time()
        trainer.step(1)
        out.append(time.thread_time() - started)

    for _ in range(rounds):
        for t in trainers:
            th = threading.Thread(target=timed, args=(t, fresh))
            th.start()
            th.join()
        for t in trainers:
            compute.run(lambda t=t: timed(t, warm))
    return statistics.median(fresh), statistics.median(warm)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--threads", type=int, nargs="+", default=[4, 12])
    ap.add_argument("--students", type=int, default=8, help="part 3: trainers stepped in turn")
    ap.add_argument("--rounds", type=int, default=12, help="part 3: steps of each trainer each way")
    ap.add_argument("--parts", type=int, nargs="+", default=[1, 2, 3])
    args = ap.parse_args()
    torch.set_num_threads(1)
    print(f"# bench_turns · {len(os.sched_getaffinity(0))} CPUs · OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')} · "
          f"loadavg {open('/proc/loadavg').read().split()[:3]}")
    if 1 in args.parts:
        make = TRAINERS["1-D mapping"]
        alone, cpu_alone = together(make, 1, args.seconds)
        print("\n1. 1-D GAN training in k threads at once (steps/s of all together; CPU per step)")
        print(f"| threads | each on its own | taking turns (8 steps a turn) |\n|---|---|---|\n"
              f"| 1 | {alone:.0f}/s, {cpu_alone * 1e6:.0f} µs | |")
        for k in args.threads:
            free, cpu_free = together(make, k, args.seconds, chunk=8)
            turns, cpu_turns = together(make, k, args.seconds, chunk=8, lock=threading.Lock())
            print(f"| {k} | {free:.0f}/s, {cpu_free * 1e6:.0f} µs | {turns:.0f}/s, {cpu_turns * 1e6:.0f} µs "
                  f"(x{turns / free:.2f} the steps) |")
    if 2 in args.parts:
        print("\n2. training outside a turn: steps/s over one trainer alone (wall per step)")
        print("| training | alone | beside a second trainer (both together) | beside a thread busy in Python |\n"
              "|---|---|---|---|")
        for name, make in TRAINERS.items():
            one, _ = together(make, 1, args.seconds)
            two, _ = together(make, 2, args.seconds)
            busy, wall = beside_python(make, args.seconds)
            print(f"| {name} | 1 ({1e3 / one:.2f} ms) | x{two / one:.2f} | x{busy / one:.3f} ({1e3 * wall:.1f} ms) |")
    if 3 in args.parts:
        print(f"\n3. which thread trains: CPU per step, {args.students} trainers round-robin, {args.rounds} rounds (median)")
        print("| training | a fresh thread per step | one long-lived thread | ratio |\n|---|---|---|---|")
        for name, make in TRAINERS.items():
            fresh, warm = thread_per_step(make, args.students, args.rounds)
            print(f"| {name} | {1e3 * fresh:.2f} ms | {1e3 * warm:.2f} ms | x{warm / fresh:.2f} |")


if __name__ == "__main__":
    main()

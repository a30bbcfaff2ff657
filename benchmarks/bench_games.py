"""Speed of the games page: trajectories (numpy vs a plain PyTorch autograd loop) and one redraw.

    python benchmarks/bench_games.py

A redraw is what a slider move or an animation tick costs the server: slice the cached trajectories
at the step, build the plane and distance figures, and serialise them the way st.vega_lite_chart does
(datasets to Arrow, spec to JSON). Target: well under 100 ms for 4 methods x 1,000 steps.
"""
from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
import torch  # noqa: E402

from gan_core.games.fields import make_game  # noqa: E402
from gan_core.games.figures import TrajectoryTables, arrow_grid, distance_spec, plane_spec, view_extent  # noqa: E402
from gan_core.games.rules import simulate  # noqa: E402


def timed(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def torch_reference_xy(eta: float, steps: int) -> np.ndarray:
    """The textbook way: two scalar parameters, autograd for each player's gradient, simultaneous GDA."""
    x = torch.tensor(2.0, dtype=torch.float64, requires_grad=True)
    y = torch.tensor(2.0, dtype=torch.float64, requires_grad=True)
    out = [(2.0, 2.0)]
    for _ in range(steps):
        f = x * y
        gx, gy = torch.autograd.grad(f, (x, y))
        with torch.no_grad():
            x -= eta * gx
            y += eta * gy
        out.append((x.item(), y.item()))
    return np.array(out)


def torch_reference_dirac(eta: float, steps: int) -> np.ndarray:
    """Dirac-GAN, standard loss + R1, simultaneous GDA, with autograd (R1 via create_graph)."""
    theta = torch.tensor(1.0, dtype=torch.float64, requires_grad=True)
    psi = torch.tensor(1.0, dtype=torch.float64, requires_grad=True)
    out = [(1.0, 1.0)]
    for _ in range(steps):
        real = torch.zeros((), dtype=torch.float64, requires_grad=True)
        d_real, d_fake = psi * real, psi * theta
        v = torch.nn.functional.logsigmoid(d_real) + torch.nn.functional.logsigmoid(-d_fake)
        (grad_real,) = torch.autograd.grad(d_real, real, create_graph=True)
        d_obj = v - 0.5 * grad_real**2
        g_theta = torch.autograd.grad(v, theta, retain_graph=True)[0]
        g_psi = torch.autograd.grad(d_obj, psi)[0]
        with torch.no_grad():
            theta -= eta * g_theta
            psi += eta * g_psi
        out.append((theta.item(), psi.item()))
    return np.array(out)


def serialise(spec: dict) -> int:
    """Bytes st.vega_lite_chart would send: datasets as Arrow IPC, the rest as JSON."""
    try:
        from streamlit.elements.vega_charts import _marshall_chart_data
        from streamlit.proto.VegaLiteChart_pb2 import VegaLiteChart

        proto = VegaLiteChart()
        spec = dict(spec)
        _marshall_chart_data(proto, spec)
        text = json.dumps(spec)
        return len(text) + sum(len(d.data.data) for d in proto.datasets)
    except ImportError:  # fall back to pyarrow directly
        import pyarrow as pa

        size = 0
        for df in spec["datasets"].values():
            sink = pa.BufferOutputStream()
            table = pa.Table.from_pandas(df)
            with pa.ipc.new_stream(sink, table.schema) as w:
                w.write_table(table)
            size += sink.getvalue().size
        rest = {k: v for k, v in spec.items() if k != "datasets"}
        return size + len(json.dumps(rest))


def main() -> None:
    torch.set_num_threads(1)
    eta, steps = 0.1, 1000
    print(f"# games benchmark (η = {eta}, {steps} steps)\n")

    xy = make_game("xy")
    t_np = timed(lambda: simulate(xy, "simultaneous", eta, steps), 5)
    t_torch = timed(lambda: torch_reference_xy(eta, steps), 3)
    ours, ref = simulate(xy, "simultaneous", eta, steps).points, torch_reference_xy(eta, steps)
    print(f"xy simultaneous trajectory: numpy {t_np * 1e3:.1f} ms, PyTorch autograd loop {t_torch * 1e3:.1f} ms "
          f"-> {t_torch / t_np:.1f}x faster; max |difference| {np.max(np.abs(ours - ref)):.2e}")

    dirac = make_game("dirac", "standard", "r1", 1.0)
    t_np = timed(lambda: simulate(dirac, "simultaneous", eta, steps, (1.0, 1.0)), 5)
    t_torch = timed(lambda: torch_reference_dirac(eta, steps), 3)
    ours, ref = simulate(dirac, "simultaneous", eta, steps, (1.0, 1.0)).points, torch_reference_dirac(eta, steps)
    print(f"Dirac-GAN standard+R1 trajectory: numpy {t_np * 1e3:.1f} ms, PyTorch autograd loop {t_torch * 1e3:.1f} ms "
          f"-> {t_torch / t_np:.1f}x faster; max |difference| {np.max(np.abs(ours - ref)):.2e}")

    for name, game, start in (("xy", xy, (2.0, 2.0)), ("Dirac-GAN instance noise", make_game("dirac", reg="instance-noise"), (1.0, 1.0))):
        methods = ("simultaneous", "alternating", "extragradient", "optimistic")
        t0 = time.perf_counter()
        trajs = {m: simulate(game, m, eta, steps, start) for m in methods}
        extent = view_extent(start)
        tables = TrajectoryTables.build(trajs, extent)
        arrows = arrow_grid(game, extent)
        t_setup = time.perf_counter() - t0

        serialise(plane_spec(tables, arrows, 0, start, game.axis_labels))  # warm-up (imports)
        rng = np.random.default_rng(0)
        redraw_times, sizes = [], []
        for k in rng.integers(0, steps + 1, 60):
            t = time.perf_counter()
            plane = plane_spec(tables, arrows, int(k), start, game.axis_labels)
            dist = distance_spec(tables, int(k))
            size = serialise(plane) + serialise(dist)
            redraw_times.append(time.perf_counter() - t)
            sizes.append(size)
        ms = np.array(redraw_times) * 1e3
        print(f"\n{name}: 4 methods x {steps} steps")
        print(f"  once per setting (cached): trajectories + tables + arrow grid {t_setup * 1e3:.0f} ms")
        print(f"  per redraw (slice + 2 figures + serialise): median {np.median(ms):.1f} ms, "
              f"p95 {np.percentile(ms, 95):.1f} ms, max {ms.max():.1f} ms; payload {np.median(sizes) / 1024:.0f} KiB")


def page_rerun_benchmark(repeats: int = 15) -> None:
    """Whole-page server time for a slider move, through Streamlit's AppTest (an upper bound for the
    fragment rerun a slider move actually triggers in the browser)."""
    from streamlit.testing.v1 import AppTest

    root = Path(__file__).resolve().parents[1]
    at = AppTest.from_file(str(root / "app.py"), default_timeout=60).run()
    at.switch_page("lessons/3_xy_game.py").run()
    times = []
    for k in np.random.default_rng(1).integers(0, 1001, repeats):
        slider = at.slider(key="xy_at_step").set_value(int(k))
        t = time.perf_counter()
        slider.run()
        times.append(time.perf_counter() - t)
    ms = np.array(times) * 1e3
    print(f"\nwhole page rerun on a slider move (AppTest, 4 methods x 1000 steps, cached trajectories): "
          f"median {np.median(ms):.0f} ms, max {ms.max():.0f} ms")


if __name__ == "__main__":
    main()
    page_rerun_benchmark()

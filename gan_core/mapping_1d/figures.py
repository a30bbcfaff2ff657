"""Vega-Lite figures of the live 1-D mapping page (plain dicts, no streamlit).

`build_live_figures(trainer)` returns every chart the page draws in one tick. Each spec keeps
its data in named `datasets` (pandas DataFrames; with `arrow=True`, Arrow IPC bytes built straight
from NumPy, which is what the live page uses: pandas was a fifth of the server's time per tick);
everything else in the spec depends only on the run's settings (target, noise, loss), never on the
training state, so between two ticks only the datasets change and the browser updates the charts
in place (see gan_core/vega.py). Datasets hold numbers only: text drawn from them (the off-chart
labels, the arrow heads) is computed in Vega, since string columns cost more than all the numbers.

Drawing never touches the trainer's random streams: generated samples are G applied to fixed,
evenly spread noise quantiles, and the real histogram is a fixed sample per target. So pausing,
redrawing or ticking faster does not change the run (same seed + same settings = same run).
"""
from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import pandas as pd

from gan_core.mapping_1d.targets import ideal_map, noise_cdf, noise_quantile
from gan_core.vega import PALETTE

# Bounded work per tick, whatever the run's length.
N_DRAWN = 2000  # generator outputs behind the histogram
N_BINS = 60  # histogram bins over target.plot_range()
N_GRID = 160  # points of the pdf, D(x) and G(z) curves
N_LINKS = 20  # z -> x correspondence lines, each carrying 1/N_LINKS of the noise's probability
MAX_POINTS = 300  # points per training curve (CappedHistory decimates)
ARROW_MAX = 0.06  # longest push arrow, as a share of the x-range
LOG_FLOOR = 1e-8  # values drawn on log axes are clipped up to this
NORMAL_Z_SPAN = 3.0  # z ~ N(0,1) is drawn over [-3, 3] (99.7 % of the mass)

COLORS = {
    "real": PALETTE["real"],
    "fake": PALETTE["fake"],
    "discriminator": PALETTE["discriminator"],
    "ideal": PALETTE["ideal"],
    "pdf": "#0b3c6b",
    "mirror": "#b8b8b8",
    "d_loss": PALETTE["discriminator"],
    "g_loss": PALETTE["fake"],
    "g_grad": "#9467bd",
    "w1": "#d62728",
}

# Legend labels (Vega-Lite folds columns into series named like this).
REAL, FAKE, PDF, DX = "real data", "generated G(z)", "target pdf", "D(x)"
LEARNED, IDEAL, MIRROR = "learned G(z)", "ideal map", "its mirror"

_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
_AXIS_FONT = {"labelFontSize": 12, "titleFontSize": 13}
# Fixed y-axis widths, so the density chart and the transport panel under it share the same plot
# width and their x positions line up.
_Y_AXIS_LEFT = {"orient": "left", "minExtent": 44, "maxExtent": 44}
_Y_AXIS_RIGHT = {"orient": "right", "minExtent": 44, "maxExtent": 44}
# The off-chart mass as text, in Vega (offchart_label says the same in Python).
OFFCHART_LABEL = ("datum.share >= 0.005 ? (datum.side < 0.5 ? '◀ ' + format(datum.share, '.0%') + ' of G(z) left of view'"
                  " : format(datum.share, '.0%') + ' of G(z) right of view ▶') : ''")
_INVISIBLE = {"labels": False, "ticks": False, "domain": False, "grid": False, "titleColor": "transparent"}


# ---------------------------------------------------------------- noise helpers


def noise_range(noise: str) -> tuple[float, float]:
    """The z-interval drawn for this noise."""
    return (0.0, 1.0) if noise == "uniform" else (-NORMAL_Z_SPAN, NORMAL_Z_SPAN)


def noise_quantiles(noise: str, n: int) -> np.ndarray:
    """n evenly spread quantiles of the noise, (i + ½)/n: a noiseless stand-in for n draws of z."""
    return noise_quantile((np.arange(n, dtype=np.float64) + 0.5) / n, noise)


@lru_cache(maxsize=16)
def _real_histogram(target_spec: str, lo: float, hi: float, bins: int, n: int) -> np.ndarray:
    """Density histogram of a fixed real sample (fixed seed: it must not flicker between ticks)."""
    from gan_core.mapping_1d.targets import parse_target

    sample = parse_target(target_spec).sample(n, np.random.default_rng(20240601))
    counts, _ = np.histogram(sample, bins=bins, range=(lo, hi))
    return counts / (n * (hi - lo) / bins)


def _columns(**columns) -> dict[str, np.ndarray]:
    """Equal-length float columns, non-finite values turned into NaN (Vega skips them), as gan_core.vega.frame."""
    out = {}
    for name, values in columns.items():
        arr = np.asarray(values)
        out[name] = np.where(np.isfinite(arr), arr, np.nan) if arr.dtype.kind == "f" else arr
    return out


def _finite_last(values: np.ndarray) -> float:
    finite = values[np.isfinite(values)]
    return float(finite[-1]) if finite.size else float("nan")


# ---------------------------------------------------------------- the numbers beside the charts


def live_numbers(trainer) -> dict[str, float]:
    """Step, throughput and the latest recorded metrics (NaN when not recorded yet)."""
    hist = trainer.history
    out = {"step": int(trainer.steps), "steps_per_second": float(trainer.steps_per_second or 0.0)}
    for name in ("d_loss", "g_loss", "d_real", "d_fake", "g_grad"):
        out[name] = hist.last(name) if len(hist) else float("nan")
    # Before the first recorded W1 (step 0: the untrained G, off to one side) measure it now.
    w1 = _finite_last(hist.column("w1")) if len(hist) else float("nan")
    out["w1"] = w1 if math.isfinite(w1) else float(trainer.w1())
    out["w1_over_sigma"] = out["w1"] / trainer.target.std if trainer.target.std > 0 else float("nan")
    return out


# ---------------------------------------------------------------- data of one tick


def live_data(trainer, *, n_drawn: int = N_DRAWN, bins: int = N_BINS, max_points: int = MAX_POINTS) -> dict:
    """All DataFrames of one tick (bounded sizes), keyed by dataset name."""
    return {name: pd.DataFrame(cols) for name, cols in
            live_columns(trainer, n_drawn=n_drawn, bins=bins, max_points=max_points).items()}


def live_columns(trainer, *, n_drawn: int = N_DRAWN, bins: int = N_BINS, max_points: int = MAX_POINTS) -> dict:
    """The data of one tick as {dataset name: {column: NumPy array}} (bounded sizes, no pandas)."""
    target, noise = trainer.target, trainer.config.noise
    fixed = static_columns(target, noise, n_drawn, bins)  # what depends on the settings only: once per run
    lo, hi, edges, width = fixed["lo"], fixed["hi"], fixed["edges"], fixed["width"]
    z_grid, z_links = fixed["z_grid"], fixed["z_links"]
    # One forward pass of G for everything drawn: evenly spread z quantiles (a smooth, flicker-free
    # histogram of G's output), the z grid of the map chart, and the z of the transport lines.
    g_all = np.asarray(trainer.generator_map(fixed["z_all"]), dtype=np.float64)
    drawn, learned, gx = g_all[:n_drawn], g_all[n_drawn:n_drawn + N_GRID], g_all[n_drawn + N_GRID:]

    finite = drawn[np.isfinite(drawn)]
    counts, _ = np.histogram(finite, bins=edges)
    fake_density = counts / (max(len(drawn), 1) * width)
    below = float(np.mean(finite < lo)) if finite.size else 0.0
    above = float(np.mean(finite > hi)) if finite.size else 0.0
    hist = _columns(lo=edges[:-1], hi=edges[1:], real=fixed["real"], fake=fake_density)

    x = fixed["x"]
    curves = _columns(x=x, pdf=fixed["pdf"], d=np.asarray(trainer.discriminator_curve(x), dtype=np.float64).ravel())

    # Mass of G(z) beyond the chart's edges, written at the edge (the text is made in Vega: OFFCHART_LABEL).
    offchart = _columns(x=np.array([lo, hi]), share=np.array([below, above]), side=np.array([0.0, 1.0]))

    map_df = _columns(
        z=z_grid,
        learned=learned,
        ideal=fixed["ideal"],
        mirror=fixed["mirror"],  # F⁻¹ of the mirrored noise: the decreasing perfect map
    )
    push = generator_push(trainer, gx)
    # Arrow length grows with the order of magnitude of the push (in units of 1/σ): 1e-3 → none, 1 → full.
    # A log scale keeps small-but-alive pushes visible and makes a vanished gradient obvious.
    with np.errstate(divide="ignore", invalid="ignore"):
        magnitude = np.clip((np.log10(np.abs(push) * target.std) + 3.0) / 3.0, 0.0, 1.0)
    arrow = (hi - lo) * ARROW_MAX * np.nan_to_num(magnitude) * np.sign(push)
    arrow = np.where(np.abs(arrow) < 2e-3 * (hi - lo), np.nan, arrow)  # no arrow where there is no push
    arrow[1::2] = np.nan  # every other sample: neighbouring arrows would overlap
    links = _columns(
        z=z_links,
        zpos=fixed["zpos"],
        gx=gx,
        ideal=fixed["ideal_links"],
        rank=np.arange(N_LINKS, dtype=np.float64),
        push=push,
        tip=gx + arrow,
    )

    view = trainer.history.view(max_points) if len(trainer.history) else {
        name: np.empty(0) for name in trainer.history.names
    }
    # One small dataset per chart, float32: a quarter of the bytes of four copies of the whole history.
    step = view["step"]
    # A saturated G gets a gradient of exactly 0, which a log axis cannot show: draw it on the floor.
    g_grad = np.where(view["g_grad"] < LOG_FLOOR, LOG_FLOOR, view["g_grad"])
    w1 = np.where(view["w1"] < LOG_FLOOR, LOG_FLOOR, view["w1"])
    measured = np.isfinite(w1)  # W1 is measured every few steps only
    history = {
        "m1d_losses": _f32(step=step, d_loss=view["d_loss"], g_loss=view["g_loss"]),
        "m1d_verdict": _f32(step=step, d_real=view["d_real"], d_fake=view["d_fake"]),
        "m1d_w1": _f32(step=step[measured], w1=w1[measured]),
        "m1d_g_grad": _f32(step=step, g_grad=g_grad),
    }
    return {
        "m1d_hist": hist,
        "m1d_curve": curves,
        "m1d_offchart": offchart,
        "m1d_map": map_df,
        "m1d_links": links,
        **history,
    }


def generator_push(trainer, x: np.ndarray) -> np.ndarray:
    """−∂L_G/∂x at generated samples x: which way, and how hard, D's verdict pushes each one (the gradient
    that trains G, per sample, in data units). Exact: the trainer backpropagates G's loss through D."""
    return np.asarray(trainer.generator_push(np.asarray(x, dtype=np.float64)), dtype=np.float64)


def _f32(**columns) -> dict[str, np.ndarray]:
    return _columns(**{k: np.asarray(v, dtype=np.float32) for k, v in columns.items()})


def offchart_label(share: float, side: float) -> str:
    """What OFFCHART_LABEL writes in the browser, for the same numbers (Python's .0% = d3's .0%)."""
    if not share >= 0.005:
        return ""
    return f"◀ {share:.0%} of G(z) left of view" if side < 0.5 else f"{share:.0%} of G(z) right of view ▶"


def _float32(values: np.ndarray) -> np.ndarray:
    """float32 is all a chart needs: half the bytes to send on every tick (beyond its range: NaN, as frame())."""
    if values.dtype.kind != "f":
        return values
    with np.errstate(over="ignore", invalid="ignore"):
        out = values.astype(np.float32)
    out[~np.isfinite(out)] = np.nan
    return out


_IPC_EOS = b"\xff\xff\xff\xff\x00\x00\x00\x00"  # the Arrow IPC stream's end-of-stream marker
_SCHEMA_BYTES: dict[tuple, bytes] = {}  # a dataset's schema message, serialised once (a handful per process)
_BATCH_HEADERS: dict[tuple, bytes] = {}  # (columns, rows) -> a float32 batch message's metadata part
_BATCH_HEADERS_MAX = 4096  # rows change as the history fills: a few hundred keys per lesson, bounded anyway


def arrow_bytes(columns: dict[str, np.ndarray]) -> bytes:
    """One dataset as Arrow IPC stream bytes, as Streamlit makes them from a table (it ships bytes as they
    are), straight from the NumPy columns (floats as float32): no DataFrame on the way. The same bytes as
    pyarrow's stream writer (tests/test_mapping_1d_figures.py), assembled from cached parts: the schema
    message, and for equal-length float32 columns (every live dataset) the batch message's metadata, which
    depends on the names and the row count only; the body is then the columns' own bytes, each padded to
    8 bytes. pyarrow's writer set-up was most of the cost of these small tables, and building its arrays
    most of the rest (arrow_bytes was 8 % of the server's GIL time with 12 students, py-spy)."""
    values = [_float32(np.asarray(v)) for v in columns.values()]
    names = tuple(columns)
    if values and all(v.dtype == np.float32 and v.ndim == 1 for v in values) and len({len(v) for v in values}) == 1:
        rows = len(values[0])
        header = _BATCH_HEADERS.get((names, rows))
        if header is None:
            message = _batch_message(names, [np.zeros(rows, np.float32) for _ in names])
            header = message[:len(message) - _body_size(rows, len(names))]
            if len(_BATCH_HEADERS) >= _BATCH_HEADERS_MAX:
                _BATCH_HEADERS.clear()
            _BATCH_HEADERS[(names, rows)] = header
        pad = b"\0" * (-4 * rows % 8)
        return _schema_bytes(names, values) + header + b"".join(v.tobytes() + pad for v in values) + _IPC_EOS
    return _schema_bytes(names, values) + _batch_message(names, values) + _IPC_EOS


def _body_size(rows: int, n_columns: int) -> int:
    return n_columns * ((4 * rows + 7) // 8 * 8)  # float32 columns, no nulls: one data buffer each, 8-byte aligned


def _batch_message(names: tuple[str, ...], values: list[np.ndarray]) -> bytes:
    import pyarrow as pa  # a Streamlit dependency; only the live page asks for bytes

    return pa.record_batch([pa.array(v) for v in values], names=list(names)).serialize().to_pybytes()


def _schema_bytes(names: tuple[str, ...], values: list[np.ndarray]) -> bytes:
    key = tuple((name, v.dtype.str) for name, v in zip(names, values))
    schema = _SCHEMA_BYTES.get(key)
    if schema is None:
        import pyarrow as pa

        schema = pa.record_batch([pa.array(v) for v in values], names=list(names)).schema.serialize().to_pybytes()
        _SCHEMA_BYTES[key] = schema
    return schema


@lru_cache(maxsize=32)
def static_columns(target, noise: str, n_drawn: int = N_DRAWN, bins: int = N_BINS) -> dict:
    """Every drawn number that depends on the settings only (target, noise, sizes), not on the training:
    grids, the real histogram, the target pdf, the ideal maps. Computed once per run, read-only."""
    lo, hi = (float(v) for v in target.plot_range())
    zlo, zhi = noise_range(noise)
    z_grid = np.linspace(zlo, zhi, N_GRID)
    z_links = noise_quantiles(noise, N_LINKS)
    x = np.linspace(lo, hi, N_GRID)
    ideal_all = _ideal(target, np.concatenate([z_grid, (zlo + zhi) - z_grid, z_links]), noise)
    out = {
        "edges": np.linspace(lo, hi, bins + 1),
        "z_grid": z_grid,
        "z_links": z_links,
        "z_all": np.concatenate([noise_quantiles(noise, n_drawn), z_grid, z_links]),
        "real": _real_histogram(target.spec, lo, hi, bins, 4000),
        "x": x,
        "pdf": np.asarray(target.pdf(x), dtype=np.float64),
        "ideal": ideal_all[:N_GRID],
        "mirror": ideal_all[N_GRID:2 * N_GRID],
        "ideal_links": ideal_all[2 * N_GRID:],
        "zpos": lo + (z_links - zlo) / (zhi - zlo) * (hi - lo),
    }
    for arr in out.values():
        arr.setflags(write=False)  # shared by every session drawing this target
    return {**out, "lo": lo, "hi": hi, "width": (hi - lo) / bins}


def _ideal(target, z: np.ndarray, noise: str) -> np.ndarray:
    # The ideal map, kept finite at the ends of an unbounded target.
    u = np.clip(noise_cdf(z, noise), 1e-4, 1 - 1e-4)
    return np.asarray(ideal_map(target, noise_quantile(u, noise), noise), dtype=np.float64).ravel()


# ---------------------------------------------------------------- specs (depend on settings only)


def _base(title: str | dict, height: int) -> dict:
    return {
        "$schema": _SCHEMA,
        "title": title,
        "height": height,
        "config": {
            "axis": _AXIS_FONT,
            "legend": {"labelFontSize": 12, "orient": "top", "title": None, "symbolStrokeWidth": 3},
            "title": {"anchor": "start", "fontSize": 15, "subtitleFontSize": 12, "subtitleColor": "#666"},
        },
        # Canvas redraws many marks ten times a second more cheaply than SVG.
        "usermeta": {"embedOptions": {"renderer": "canvas"}},
    }


def _d_title(probability: bool) -> str:
    return "D(x) = P(real)" if probability else "critic score D(x)"


def density_spec(target, *, probability: bool, height: int = 360) -> dict:
    """Real vs generated histograms, the target pdf, and D(x) on a second y-axis."""
    lo, hi = (float(v) for v in target.plot_range())
    x_grid = np.linspace(lo, hi, 400)
    peak = float(np.nanmax(target.pdf(x_grid)))
    y_max = 1.6 * peak if math.isfinite(peak) and peak > 0 else 1.0
    x_enc = {"field": "lo", "type": "quantitative", "scale": {"domain": [lo, hi], "nice": False}, "title": "x"}
    y_density = {"type": "quantitative", "scale": {"domain": [0, y_max], "nice": False}, "stack": None,
                 "axis": {**_Y_AXIS_LEFT, "title": "density"}}
    color_scale = {"domain": [REAL, FAKE, PDF, DX],
                   "range": [COLORS["real"], COLORS["fake"], COLORS["pdf"], COLORS["discriminator"]]}
    d_scale = {"domain": [0, 1], "nice": False} if probability else {"zero": False}
    density_layers = {
        "layer": [
            {
                "data": {"name": "m1d_hist"},
                "mark": {"type": "rect", "opacity": 0.35, "clip": True},
                "encoding": {
                    "x": x_enc,
                    "x2": {"field": "hi"},
                    "y": {**y_density, "field": "real"},
                    "y2": {"datum": 0},
                    "color": {"datum": REAL, "scale": color_scale},
                    "tooltip": [{"field": "real", "format": ".3f", "title": "real density"}],
                },
            },
            {
                "data": {"name": "m1d_hist"},
                "mark": {"type": "rect", "opacity": 0.55, "clip": True},
                "encoding": {
                    "x": x_enc,
                    "x2": {"field": "hi"},
                    "y": {**y_density, "field": "fake"},
                    "y2": {"datum": 0},
                    "color": {"datum": FAKE, "scale": color_scale},
                    "tooltip": [{"field": "fake", "format": ".3f", "title": "generated density"}],
                },
            },
            {
                "data": {"name": "m1d_curve"},
                "mark": {"type": "line", "strokeWidth": 2, "clip": True},
                "encoding": {
                    "x": {**x_enc, "field": "x"},
                    "y": {**y_density, "field": "pdf"},
                    "color": {"datum": PDF, "scale": color_scale},
                },
            },
            {
                "data": {"name": "m1d_offchart"},
                "transform": [{"calculate": OFFCHART_LABEL, "as": "label"},
                              {"calculate": "datum.side < 0.5 ? 'left' : 'right'", "as": "align"}],
                "mark": {"type": "text", "baseline": "top", "dy": 6, "fontSize": 12, "fontWeight": "bold",
                         "color": COLORS["fake"]},
                "encoding": {
                    "x": {**x_enc, "field": "x"},
                    "y": {"value": 0},
                    "text": {"field": "label"},
                    "align": {"field": "align", "type": "nominal", "scale": None},
                },
            },
        ]
    }
    d_layers = [
        {
            "data": {"name": "m1d_curve"},
            "mark": {"type": "line", "strokeWidth": 3, "clip": True},
            "encoding": {
                "x": {**x_enc, "field": "x"},
                "y": {
                    "field": "d",
                    "type": "quantitative",
                    "scale": d_scale,
                    "axis": {**_Y_AXIS_RIGHT, "title": _d_title(probability), "titleColor": COLORS["discriminator"],
                             "grid": False},
                },
                "color": {"datum": DX, "scale": color_scale},
                "tooltip": [{"field": "x", "format": ".2f"}, {"field": "d", "format": ".3f", "title": "D(x)"}],
            },
        }
    ]
    if probability:
        # D can do no better than 0.5 everywhere once the generated density equals the real one.
        d_layers.append(
            {
                "data": {"values": [{"y": 0.5}]},
                "mark": {"type": "rule", "strokeDash": [4, 4], "color": COLORS["discriminator"], "opacity": 0.7},
                "encoding": {"y": {"field": "y", "type": "quantitative", "scale": d_scale}},
            }
        )
    spec = _base({"text": f"Real vs generated samples · target {target.label}",
                  "subtitle": "bars: histograms · dark line: the target's density · green: D's verdict"}, height)
    spec["layer"] = [density_layers, {"layer": d_layers}]
    spec["resolve"] = {"scale": {"y": "independent"}}
    return spec


def transport_spec(target, noise: str, *, probability: bool = True, height: int = 185) -> dict:
    """Noise on the bottom line, data space on the top line, one line per equal-probability slice of z.

    Where lines bunch up on top, G puts a lot of probability; where they spread, little. The grey
    ticks show where the ideal (monotone) map would send the same z. Invisible y-axes as wide as the
    density chart's keep the x positions of the two charts aligned.
    """
    lo, hi = (float(v) for v in target.plot_range())
    zlo, zhi = noise_range(noise)
    x_scale = {"domain": [lo, hi], "nice": False}
    y_scale = {"domain": [-0.22, 1.22], "nice": False}
    z_color = {"field": "rank", "type": "quantitative", "scale": {"scheme": "viridis"}, "legend": None}
    tick_z = np.linspace(zlo, zhi, 5)
    z_ticks = [{"zpos": lo + (t - zlo) / (zhi - zlo) * (hi - lo), "label": f"z = {t:g}"} for t in tick_z]
    hidden_x = {"field": "zpos", "type": "quantitative", "scale": x_scale, "axis": None}
    y_at = lambda v: {"datum": v, "type": "quantitative", "scale": y_scale, "axis": None}  # noqa: E731
    spec = _base(
        {
            "text": "Noise is transported: z (bottom line) → x = G(z) (top line)",
            "subtitle": f"each line carries 1/{N_LINKS} of the noise · grey ticks: the ideal map · "
                        "red arrows: D's push on each sample",
        },
        height,
    )
    spec["layer"] = [
        {  # the two number lines, with invisible axes as wide as the density chart's
            "data": {"values": [{"y": 0.0}, {"y": 1.0}]},
            "mark": {"type": "rule", "color": "#555", "strokeWidth": 1.5},
            "encoding": {"y": {"field": "y", "type": "quantitative", "scale": y_scale,
                               "axis": {**_Y_AXIS_LEFT, **_INVISIBLE, "title": "density"}}},
        },
        {
            "data": {"values": [{"y": 0.0}, {"y": 1.0}]},
            "mark": {"type": "rule", "opacity": 0},
            "encoding": {"y": {"field": "y", "type": "quantitative", "scale": y_scale,
                               "axis": {**_Y_AXIS_RIGHT, **_INVISIBLE, "title": _d_title(probability)}}},
        },
        {
            "data": {"values": [{"y": 1.0, "label": "x"}, {"y": 0.0, "label": "z"}]},
            "mark": {"type": "text", "align": "right", "dx": -10, "fontSize": 16, "fontStyle": "italic",
                     "fontWeight": "bold"},
            "encoding": {"x": {"value": 0}, "y": {"field": "y", "type": "quantitative", "scale": y_scale, "axis": None},
                         "text": {"field": "label"}},
        },
        {
            "data": {"values": z_ticks},
            "mark": {"type": "text", "baseline": "top", "dy": 8, "fontSize": 11, "color": "#555"},
            "encoding": {"x": hidden_x, "y": y_at(0.0), "text": {"field": "label"}},
        },
        {
            "data": {"name": "m1d_links"},
            "mark": {"type": "tick", "orient": "vertical", "color": "#666", "thickness": 2, "size": 16, "clip": True},
            "encoding": {"x": {"field": "ideal", "type": "quantitative", "scale": x_scale, "axis": None}, "y": y_at(1.0)},
        },
        {  # D's push on each generated sample: the per-sample gradient that trains G
            "data": {"name": "m1d_links"},
            "transform": [{"filter": "isValid(datum.tip) && isFinite(datum.tip)"}],
            "mark": {"type": "rule", "strokeWidth": 2.5, "color": COLORS["w1"], "clip": True},
            "encoding": {
                "x": {"field": "gx", "type": "quantitative", "scale": x_scale, "axis": None},
                "x2": {"field": "tip"},
                "y": y_at(1.13),
            },
        },
        {
            "data": {"name": "m1d_links"},
            "transform": [{"filter": "isValid(datum.tip) && isFinite(datum.tip)"},
                          {"calculate": "datum.tip < datum.gx ? 'triangle-left' : 'triangle-right'", "as": "head"}],
            "mark": {"type": "point", "filled": True, "size": 45, "color": COLORS["w1"], "opacity": 1, "clip": True},
            "encoding": {
                "x": {"field": "tip", "type": "quantitative", "scale": x_scale, "axis": None},
                "y": y_at(1.13),
                "shape": {"field": "head", "type": "nominal", "scale": None},
                "tooltip": [{"field": "gx", "format": ".3f", "title": "G(z)"},
                            {"field": "push", "format": ".3g", "title": "push −∂L_G/∂x"}],
            },
        },
        {
            "data": {"name": "m1d_links"},
            "mark": {"type": "rule", "strokeWidth": 1.6, "opacity": 0.85, "clip": True},
            "encoding": {"x": hidden_x, "x2": {"field": "gx"}, "y": y_at(0.0), "y2": {"datum": 1.0}, "color": z_color},
        },
        {
            "data": {"name": "m1d_links"},
            "mark": {"type": "circle", "size": 55, "opacity": 1, "clip": True, "stroke": "white", "strokeWidth": 0.5},
            "encoding": {
                "x": {"field": "gx", "type": "quantitative", "scale": x_scale, "axis": None},
                "y": y_at(1.0),
                "color": z_color,
                "tooltip": [{"field": "z", "format": ".3f"}, {"field": "gx", "format": ".3f", "title": "G(z)"}],
            },
        },
        {
            "data": {"name": "m1d_links"},
            "mark": {"type": "circle", "size": 35, "opacity": 1},
            "encoding": {"x": hidden_x, "y": y_at(0.0), "color": z_color},
        },
    ]
    spec["resolve"] = {"scale": {"y": "independent"}}
    return spec


def map_spec(target, noise: str, *, height: int = 360) -> dict:
    """G(z) against z beside the ideal monotone map (and its mirror image, also a perfect answer)."""
    lo, hi = (float(v) for v in target.plot_range())
    zlo, zhi = noise_range(noise)
    z_title = "z ~ U(0, 1)" if noise == "uniform" else "z ~ N(0, 1)"
    x_enc = {"field": "z", "type": "quantitative", "scale": {"domain": [zlo, zhi], "nice": False}, "title": z_title}
    y_scale = {"domain": [lo, hi], "nice": False}
    color_scale = {"domain": [LEARNED, IDEAL, MIRROR], "range": [COLORS["fake"], COLORS["ideal"], COLORS["mirror"]]}

    def line(field: str, label: str, mark: dict) -> dict:
        return {
            "data": {"name": "m1d_map"},
            "mark": {"type": "line", "clip": True, **mark},
            "encoding": {
                "x": x_enc,
                "y": {"field": field, "type": "quantitative", "scale": y_scale, "title": "x = G(z)"},
                "color": {"datum": label, "scale": color_scale},
                "tooltip": [{"field": "z", "format": ".3f"}, {"field": field, "format": ".3f", "title": label}],
            },
        }

    spec = _base({"text": "The learned map x = G(z)", "subtitle": "grey: the two monotone maps that are exactly right"},
                 height)
    spec["layer"] = [
        line("mirror", MIRROR, {"strokeDash": [2, 3], "strokeWidth": 2}),
        line("ideal", IDEAL, {"strokeDash": [7, 4], "strokeWidth": 2.5}),
        line("learned", LEARNED, {"strokeWidth": 3.5}),
        {
            "data": {"name": "m1d_links"},
            "mark": {"type": "circle", "size": 45, "opacity": 1, "clip": True, "stroke": "white", "strokeWidth": 0.5},
            "encoding": {
                "x": x_enc,
                "y": {"field": "gx", "type": "quantitative", "scale": y_scale},
                "fill": {"field": "rank", "type": "quantitative", "scale": {"scheme": "viridis"}, "legend": None},
            },
        },
    ]
    return spec


def _history_chart(dataset: str, title: str, series: dict[str, str], *, y_title: str, log_y: bool = False,
                   y_domain: list[float] | None = None, rule: float | None = None, rule_label: str = "",
                   colors: list[str] | None = None, height: int = 250) -> dict:
    """Lines of the history dataset over generator steps; optional dashed reference line."""
    names = list(series)
    y_scale: dict = {"type": "log"} if log_y else {"zero": False}
    if y_domain is not None:
        y_scale = {**y_scale, "domain": y_domain, "nice": False}
    valid = "isValid(datum.value) && isFinite(datum.value)" + (" && datum.value > 0" if log_y else "")
    layers = [
        {
            "data": {"name": dataset},
            "transform": [
                {"fold": names, "as": ["series", "value"]},
                {"filter": valid},
                {"calculate": _label_expr(series), "as": "label"},
            ],
            "mark": {"type": "line", "strokeWidth": 2, "clip": True},
            "encoding": {
                "x": {"field": "step", "type": "quantitative", "title": "generator step", "axis": {"format": "~s"}},
                "y": {"field": "value", "type": "quantitative", "title": y_title, "scale": y_scale},
                "color": {
                    "field": "label",
                    "type": "nominal",
                    "scale": {"domain": list(series.values()),
                              "range": colors or [COLORS.get(n, "#333") for n in names]},
                    **({"legend": None} if len(series) == 1 else {}),
                },
                "tooltip": [
                    {"field": "step", "format": ",d"},
                    {"field": "label", "title": "series"},
                    {"field": "value", "format": ".4g"},
                ],
            },
        }
    ]
    if rule is not None:
        rule_data = {"values": [{"y": rule, "label": rule_label}]}
        layers.append(
            {
                "data": rule_data,
                "mark": {"type": "rule", "strokeDash": [5, 4], "color": "#555"},
                "encoding": {"y": {"field": "y", "type": "quantitative", "scale": y_scale}},
            }
        )
        if rule_label:
            layers.append(
                {
                    "data": rule_data,
                    "mark": {"type": "text", "align": "right", "baseline": "bottom", "dx": -3, "dy": -2,
                             "color": "#555", "fontSize": 11},
                    "encoding": {"x": {"value": {"expr": "width"}},
                                 "y": {"field": "y", "type": "quantitative", "scale": y_scale},
                                 "text": {"field": "label"}},
                }
            )
    spec = _base(title, height)
    spec["layer"] = layers
    return spec


def _label_expr(series: dict[str, str]) -> str:
    parts = [f"datum.series === {_js(k)} ? {_js(v)}" for k, v in series.items()]
    return " : ".join(parts) + " : datum.series"


def _js(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def history_specs(target, loss: str, *, probability: bool, height: int = 250) -> dict[str, dict]:
    d_name = "D" if probability else "critic"
    good = 0.1 * float(target.std)
    return {
        "losses": _history_chart("m1d_losses", "Losses", {"d_loss": "D loss", "g_loss": "G loss"}, y_title="loss", height=height),
        "verdict": _history_chart(
            "m1d_verdict",
            f"Mean {d_name} output" if probability else "Mean critic score",
            {"d_real": f"{d_name}(real)", "d_fake": f"{d_name}(G(z))"},
            y_title=d_name,
            y_domain=[0, 1] if probability else None,
            rule=0.5 if probability else None,
            rule_label="0.5: can't tell" if probability else "",
            colors=[COLORS["real"], COLORS["fake"]],
            height=height,
        ),
        "w1": _history_chart(
            "m1d_w1",
            "W1 to the target (log)",
            {"w1": "W1"},
            y_title="W1",
            log_y=True,
            rule=good if good > 0 else None,
            rule_label="0.1·σ",
            height=height,
        ),
        "g_grad": _history_chart(
            "m1d_g_grad",
            "Gradient reaching G (log)",
            {"g_grad": "|∂L_G/∂G(z)|"},
            y_title="mean |∂L_G / ∂x|",
            log_y=True,
            height=height,
        ),
    }


def build_specs(target, noise: str, loss: str, *, probability: bool, height: int | None = None) -> dict[str, dict]:
    """Every spec of the page, without data. Depends on the settings only (`height`: of the histogram and
    map charts, side by side, e.g. lower on a projector that zooms every chart)."""
    tall = {} if height is None else {"height": int(height)}
    specs = {
        "density": density_spec(target, probability=probability, **tall),
        "transport": transport_spec(target, noise, probability=probability),
        "map": map_spec(target, noise, **tall),
    }
    specs.update(history_specs(target, loss, probability=probability))
    return specs


# Which datasets each figure reads.
_USES = {
    "density": ("m1d_hist", "m1d_curve", "m1d_offchart"),
    "transport": ("m1d_links",),
    "map": ("m1d_map", "m1d_links"),
    "losses": ("m1d_losses",),
    "verdict": ("m1d_verdict",),
    "w1": ("m1d_w1",),
    "g_grad": ("m1d_g_grad",),
}

FIGURES = tuple(_USES)


@lru_cache(maxsize=64)
def _settled_specs(target, noise: str, loss: str, probability: bool, height: int | None) -> dict[str, dict]:
    return build_specs(target, noise, loss, probability=probability, height=height)


def live_charts(trainer, *, height: int | None = None) -> dict[str, tuple[dict, dict[str, bytes]]]:
    """For the live page: each figure as (spec without data, its datasets as Arrow bytes). The specs depend
    on the settings only, so they are built once per run's settings and shared: never mutate them (their
    JSON is cached by identity, ui/charts.py)."""
    probability = bool(getattr(trainer, "discriminator_is_probability", True))
    specs = _settled_specs(trainer.target, trainer.config.noise, trainer.config.loss, probability,
                           None if height is None else int(height))
    data = {name: arrow_bytes(cols) for name, cols in live_columns(trainer).items()}
    return {name: (spec, {ds: data[ds] for ds in _USES[name]}) for name, spec in specs.items()}


def build_live_figures(trainer, *, arrow: bool = False, height: int | None = None) -> dict[str, dict]:
    """Every Vega-Lite spec the page draws in one tick, datasets attached as DataFrames, or with
    `arrow=True` as Arrow IPC bytes, each serialised once even where two charts share it."""
    if arrow:  # the live page's data on fresh top-level specs (live_charts' specs are shared)
        return {name: {**spec, "datasets": data} for name, (spec, data) in live_charts(trainer, height=height).items()}
    probability = bool(getattr(trainer, "discriminator_is_probability", True))
    specs = build_specs(trainer.target, trainer.config.noise, trainer.config.loss, probability=probability,
                        height=height)
    data = {name: pd.DataFrame(cols) for name, cols in live_columns(trainer).items()}
    for name, spec in specs.items():
        spec["datasets"] = {ds: data[ds] for ds in _USES[name]}
    return specs

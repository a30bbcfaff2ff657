"""Vega-Lite spec helpers shared by the figure builders.

Convention: a figure builder returns a plain Vega-Lite dict whose data lives in named
`datasets` (pandas DataFrames) referenced by `{"data": {"name": ...}}`. Streamlit's
`st.vega_lite_chart(spec=...)` ships the datasets as Arrow and the rest of the spec stays
byte-identical between ticks, so the browser updates the chart in place instead of
rebuilding it. Building dicts directly avoids Altair's schema validation on every tick.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa

PALETTE = {
    "real": "#1f77b4",
    "fake": "#ff7f0e",
    "discriminator": "#2ca02c",
    "ideal": "#7f7f7f",
}


def frame(**columns: Sequence[float] | np.ndarray) -> pd.DataFrame:
    """A DataFrame from equal-length columns, non-finite values turned into missing (Vega skips them)."""
    out = {}
    for name, values in columns.items():
        arr = np.asarray(values)
        if arr.dtype.kind == "f":
            arr = np.where(np.isfinite(arr), arr, np.nan)
        out[name] = arr
    return pd.DataFrame(out)


def arrow_bytes(**columns: Sequence | np.ndarray) -> bytes:
    """Equal-length columns as Arrow IPC stream bytes, for a figure redrawn every tick: st.vega_lite_chart
    ships bytes as they are, while a DataFrame goes through pandas' Arrow conversion first (~0.5-1 ms a
    dataset, py-spy under a class's load). Non-finite floats become nulls, as `frame` makes them."""
    arrays = {}
    for name, values in columns.items():
        arr = np.asarray(values)
        if arr.dtype.kind == "f":
            arrays[name] = pa.array(np.where(np.isfinite(arr), arr, np.nan), from_pandas=True)
        elif arr.dtype.kind in "UO":
            arrays[name] = pa.array(arr.tolist(), pa.string())
        else:
            arrays[name] = pa.array(arr)
    return table_bytes(pa.table(arrays))


def frame_bytes(frame: pd.DataFrame) -> bytes:
    """A DataFrame as Arrow IPC stream bytes (no index), to build once and ship on many ticks or charts."""
    return table_bytes(pa.Table.from_pandas(frame, preserve_index=False))


def table_bytes(table: pa.Table) -> bytes:
    """An Arrow table as IPC stream bytes, as Streamlit serialises a dataset (it ships bytes as they are)."""
    sink = pa.BufferOutputStream()
    with pa.RecordBatchStreamWriter(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def on_canvas(spec: dict) -> dict:
    """`spec` drawn by Vega's canvas renderer (vega-embed reads `usermeta.embedOptions`; the spec's other
    usermeta kept), or `spec` itself where it names its renderer. Why: Streamlit draws SVG by default, and
    Vega's SVG renderer adds a <clipPath> for every clipped item each time a dataset is replaced and never
    removes the old ones: the 2-D playground's plane grew by ~700 DOM nodes a redraw in Chromium, past 25,000
    within a minute, and the browser's core was full at 2 updates/s (benchmarks/bench_classroom.py
    --browser-check). A canvas keeps no node per mark, and redraws many marks more cheaply."""
    meta = spec.get("usermeta") or {}
    embed = meta.get("embedOptions") or {}
    if embed.get("renderer"):  # the spec's own choice (the spam board: SVG, its text readable in the page)
        return spec
    return {**spec, "usermeta": {**meta, "embedOptions": {**embed, "renderer": "canvas"}}}


def read_arrow(data: "bytes | pd.DataFrame") -> pd.DataFrame:
    """A dataset of a figure back as a DataFrame (for tests and the CLI): Arrow bytes decoded, frames as they are."""
    if isinstance(data, (bytes, bytearray)):
        return pa.ipc.open_stream(data).read_all().to_pandas()
    return data


def curves_spec(
    dataset: str,
    x: str,
    series: Sequence[str],
    *,
    title: str,
    y_title: str = "",
    log_y: bool = False,
    height: int = 180,
    colors: Sequence[str] | None = None,
) -> dict:
    """Several columns of one dataset drawn as lines over `x` (wide data folded in Vega)."""
    color: dict = {"field": "series", "type": "nominal", "title": None, "sort": list(series)}
    if colors is not None:
        color["scale"] = {"domain": list(series), "range": list(colors)}
    return {
        "title": title,
        "height": height,
        "data": {"name": dataset},
        "transform": [{"fold": list(series), "as": ["series", "value"]}, {"filter": "isValid(datum.value)"}],
        "mark": {"type": "line", "clip": True},
        "encoding": {
            "x": {"field": x, "type": "quantitative", "title": x},
            "y": {
                "field": "value",
                "type": "quantitative",
                "title": y_title,
                "scale": {"type": "log"} if log_y else {"zero": False},
            },
            "color": color,
        },
    }

"""`vega_chart`: st.vega_lite_chart for the live panels, without redoing per tick what a spec's shape fixes.

Why: a live page sends the same chart specs every tick with new data. Streamlit's `st.vega_lite_chart`
copies the spec, adds its autosize, JSON-dumps it, parses it again and scans it with regular expressions —
every chart, every tick, for every student (measured: ~11 % of the server's GIL time on the 1-D page with
8 students). Here that JSON is made once per spec object, by Streamlit's own functions, so the browser
gets the same message; each tick only attaches the datasets (Arrow bytes, gan_core/vega.py).

Contract: `spec` is a spec without "datasets" that the caller never mutates (e.g. one cached per settings:
its JSON is cached by identity); `datasets` maps the names the spec uses to Arrow IPC bytes. Charts with
selections, or a Streamlit whose internals moved, go through `st.vega_lite_chart` (the same picture).
"""
from __future__ import annotations

import json
import threading
from collections import OrderedDict
from typing import Any

import streamlit as st

try:  # Streamlit 1.67 internals (re-check on an upgrade: tests/test_charts.py compares with st.vega_lite_chart)
    from streamlit.elements.lib import agent_spec
    from streamlit.elements.lib.layout_utils import LayoutConfig
    from streamlit.elements.vega_charts import _prepare_vega_lite_spec, _stabilize_vega_json_spec
    from streamlit.proto.VegaLiteChart_pb2 import VegaLiteChart as VegaLiteChartProto
except ImportError:  # pragma: no cover - the public path below still draws every chart
    LayoutConfig = None

CACHE_SIZE = 512  # distinct spec objects whose JSON is kept (a page has < 10 per settings; a class, a few hundred)
_cache: OrderedDict[int, tuple[dict, str]] = OrderedDict()  # id(spec) -> (spec: keeps the id taken, its JSON)
_lock = threading.Lock()


def spec_json(spec: dict, stretch: bool) -> str:
    """The spec as Streamlit sends it (autosize added, names stabilised), made once per spec object."""
    key = id(spec) * 2 + bool(stretch)
    with _lock:
        hit = _cache.get(key)
        if hit is not None and hit[0] is spec:
            _cache.move_to_end(key)
            return hit[1]
    text = _stabilize_vega_json_spec(json.dumps(_prepare_vega_lite_spec(spec, stretch)))
    with _lock:
        _cache[key] = (spec, text)
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return text


def vega_chart(spec: dict, datasets: dict[str, bytes], *, width: str | int = "stretch", dg: Any = None) -> None:
    """Draw `spec` with `datasets` in `dg` (default: the current container), like
    `dg.vega_lite_chart({**spec, "datasets": datasets}, width=width)`."""
    if LayoutConfig is None or agent_spec.is_recording() or "datasets" in spec:
        (st if dg is None else dg).vega_lite_chart({**spec, "datasets": datasets}, width=width)
        return
    proto = VegaLiteChartProto()
    proto.spec = spec_json(spec, width == "stretch")
    for name, data in datasets.items():
        dataset = proto.datasets.add()
        dataset.name, dataset.has_name = str(name), True
        dataset.data.data = data
    proto.theme = "streamlit"
    # DeltaGenerator._enqueue is what every st.* element ends in (st._main: the current `with` container)
    (st._main if dg is None else dg)._enqueue("vega_lite_chart", proto, layout_config=LayoutConfig(width=width, height="content"))  # noqa: SLF001

"""`vega_chart` and `plotly_chart`: st.vega_lite_chart and st.plotly_chart for the live panels, without
redoing per tick what a spec's shape fixes.

Why: a live page sends the same chart specs every tick with new data. Streamlit's `st.vega_lite_chart`
copies the spec, adds its autosize, JSON-dumps it, parses it again and scans it with regular expressions —
every chart, every tick, for every student (measured: ~11 % of the server's GIL time on the 1-D page with
8 students); `st.plotly_chart` checks a figure dict against plotly's schema and JSON-encodes it every call
(15 % on the xy page). Here that JSON is made once per spec object, by Streamlit's and plotly's own
functions, so the browser gets the same message (tests/test_charts.py compares whole elements); each tick
only attaches the datasets (Arrow bytes, gan_core/vega.py).

Contract: `spec` is a spec without "datasets" that the caller never mutates (e.g. one cached per settings:
its JSON is cached by identity); `datasets` maps the names the spec uses to Arrow IPC bytes. A chart with a
selection (`on_select`) is a widget, registered as Streamlit registers it. A Streamlit whose internals
moved, or an agent recording, goes through the public functions (the same picture).
"""
from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import streamlit as st

from gan_core import vega
from gan_core.vega import frame_bytes

try:  # Streamlit 1.67 internals (re-check on an upgrade: tests/test_charts.py compares with st.vega_lite_chart)
    from streamlit.elements.lib import agent_spec
    from streamlit.elements.lib.layout_utils import LayoutConfig
    from streamlit.elements.vega_charts import _prepare_vega_lite_spec, _stabilize_vega_json_spec
    from streamlit.proto.VegaLiteChart_pb2 import VegaLiteChart as VegaLiteChartProto
    from streamlit.elements.lib.form_utils import current_form_id
    from streamlit.elements.lib.utils import compute_and_register_element_id, to_key
    from streamlit.elements.plotly_chart import _resolve_content_height, _resolve_content_width
    from streamlit.proto.PlotlyChart_pb2 import PlotlyChart as PlotlyChartProto
    from streamlit.elements.lib.policies import check_widget_policies
    from streamlit.elements.vega_charts import VegaLiteStateSerde, _parse_selection_mode
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx
    from streamlit.runtime.state import register_widget, validate_on_change_mode
except ImportError:  # pragma: no cover - the public path below still draws every chart
    LayoutConfig = None

CACHE_SIZE = 512  # distinct objects whose derived value is kept (a page has < 10 specs per settings; a class, a few hundred)
_lock = threading.Lock()


class ByIdentity:
    """Values made once per object that the caller never mutates, found by the object's identity and kept
    least-recently-used. An entry holds its object, so the id it was found by is not reused meanwhile."""

    def __init__(self, size: int = CACHE_SIZE):
        self._size = size
        self._items: OrderedDict[tuple, tuple[object, Any]] = OrderedDict()

    def get(self, source: object, make: Callable[[], Any], *variant: Any) -> Any:
        """`make()`, once per (`source` object, `variant`); `variant` must be hashable."""
        key = (id(source), *variant)
        with _lock:
            hit = self._items.get(key)
            if hit is not None and hit[0] is source:
                self._items.move_to_end(key)
                return hit[1]
        value = make()  # outside the lock: two sessions may both make it once, never wait for each other
        with _lock:
            self._items[key] = (source, value)
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return value


_spec_json = ByIdentity()


def spec_json(spec: dict, stretch: bool) -> str:
    """The spec as Streamlit sends it (autosize added, names stabilised), on Vega's canvas
    (gan_core/vega.on_canvas: SVG piled up clip paths in the browser), made once per spec object."""
    return _spec_json.get(
        spec, lambda: _stabilize_vega_json_spec(json.dumps(_prepare_vega_lite_spec(vega.on_canvas(spec), stretch))),
        bool(stretch))


def vega_chart(spec: dict, datasets: dict[str, bytes], *, width: str | int = "stretch", dg: Any = None,
               key: str | None = None, on_select: Any = "ignore", selection_mode: Any = None) -> Any:
    """Draw `spec` with `datasets` in `dg` (default: the current container), on a canvas, like
    `dg.vega_lite_chart({**vega.on_canvas(spec), "datasets": datasets}, width=width, key=key, on_select=on_select,
    selection_mode=selection_mode)`; with a selection it returns the selection state, as Streamlit does."""
    target = st._main if dg is None else dg  # noqa: SLF001 - the current `with` container, as st.* uses it
    if LayoutConfig is None or agent_spec.is_recording() or "datasets" in spec:
        return target.vega_lite_chart({**vega.on_canvas(spec), "datasets": datasets}, width=width, key=key,
                                      on_select=on_select, selection_mode=selection_mode)
    proto = VegaLiteChartProto()
    proto.spec = spec_json(spec, width == "stretch")
    for name, data in datasets.items():
        dataset = proto.datasets.add()
        dataset.name, dataset.has_name = str(name), True
        dataset.data.data = data
    proto.theme = "streamlit"
    layout = LayoutConfig(width=width, height="content")
    if on_select == "ignore":
        # DeltaGenerator._enqueue is what every st.* element ends in
        target._enqueue("vega_lite_chart", proto, layout_config=layout)  # noqa: SLF001
        return None
    # A selection makes the chart a widget: the same checks, id and registration as st.vega_lite_chart's
    callback = validate_on_change_mode(on_select, supported_modes=("rerun", "ignore"), none_supported=False,
                                       param_name="on_select")
    key = to_key(key)
    check_widget_policies(target, key, on_change=callback, default_value=None, writes_allowed=False,
                          enable_check_callback_rules=callback is not None)
    modes = selection_modes(proto.spec, selection_mode)
    proto.selection_mode.extend(modes)
    proto.form_id = current_form_id(target)
    proto.id = compute_and_register_element_id(
        "vega_lite_chart", user_key=key, key_as_main_identity={"selection_mode"}, dg=target,
        vega_lite_spec=proto.spec, vega_lite_data=proto.data.data, named_datasets=[d.name for d in proto.datasets],
        theme="streamlit", use_container_width=None, selection_mode=modes, alt=None)
    serde = VegaLiteStateSerde(modes)
    state = register_widget(proto.id, on_change_handler=callback, deserializer=serde.deserialize,
                            serializer=serde.serialize, ctx=get_script_run_ctx(), value_type="string_value")
    target._enqueue("vega_lite_chart", proto, layout_config=layout)  # noqa: SLF001
    return state.value


def split_datasets(spec: dict) -> tuple[dict, dict[str, bytes]]:
    """A figure builder's spec (datasets as DataFrames, gan_core/vega.py) as `vega_chart` takes it: the spec
    without its datasets, and each dataset as Arrow bytes."""
    rest = {k: v for k, v in spec.items() if k != "datasets"}
    return rest, {name: frame_bytes(data) for name, data in spec.get("datasets", {}).items()}


_figures = ByIdentity()


def figure_of(source: Any, build: Callable[[Any], dict]) -> tuple[dict, dict[str, bytes]]:
    """`split_datasets(build(source))`, made once per `source` object, which the caller never mutates (a
    checkpoint's recorded quality, say): a page rerun draws a figure that did not change without building
    it, converting its data or JSON-encoding its spec again (`vega_chart` caches by the spec's identity)."""
    return _figures.get(source, lambda: split_datasets(build(source)), build)


_modes_cache: OrderedDict[tuple[str, Any], list[str]] = OrderedDict()


def selection_modes(text: str, selection_mode: Any) -> list[str]:
    """Streamlit's parse of a spec's selection parameters, once per spec JSON and selection_mode."""
    wanted = selection_mode if selection_mode is None or isinstance(selection_mode, str) else tuple(selection_mode)
    key = (text, wanted)
    with _lock:
        hit = _modes_cache.get(key)
    if hit is None:
        hit = _parse_selection_mode(json.loads(text), selection_mode)
        with _lock:
            _modes_cache[key] = hit
            while len(_modes_cache) > CACHE_SIZE:
                _modes_cache.popitem(last=False)
    return list(hit)


PLOTLY_SELECTION_MODES = ("points", "box", "lasso")  # st.plotly_chart's default (part of the element's id)
_plotly_json = ByIdentity()


def plotly_json(figure: dict) -> str:
    """The figure as st.plotly_chart sends it (`plotly.io.to_json`), made once per figure dict."""
    import plotly.io

    return _plotly_json.get(figure, lambda: plotly.io.to_json(figure, validate=False))


def plotly_chart(figure: dict, *, key: str | None = None, config: dict | None = None, width: str | int = "stretch",
                 dg: Any = None) -> None:
    """`st.plotly_chart(figure, key=key, config=config, width=width)` for a figure dict built once and drawn on
    many ticks (the caller never mutates it). Streamlit validates a dict against plotly's schema and
    JSON-encodes it on every call (measured: 15 % of the server's GIL time on the xy page, 8 students, for a
    3-D view that changes 2.5 times a second); here the JSON is made once per dict, the element is the same."""
    target = st._main if dg is None else dg  # noqa: SLF001 - the current `with` container, as st.* uses it
    if LayoutConfig is None or agent_spec.is_recording():
        target.plotly_chart(figure, key=key, config=config, width=width)
        return
    proto = PlotlyChartProto()
    proto.theme = "streamlit"
    proto.form_id = current_form_id(target)
    proto.spec = plotly_json(figure)
    proto.config = json.dumps(config or {})
    proto.id = compute_and_register_element_id(
        "plotly_chart", user_key=to_key(key), key_as_main_identity=False, dg=target, plotly_spec=proto.spec,
        plotly_config=proto.config, selection_mode=PLOTLY_SELECTION_MODES, is_selection_activated=False,
        theme="streamlit", width=width, height="content", alt=None)
    layout = LayoutConfig(width=_resolve_content_width(width, figure), height=_resolve_content_height("content", figure))
    target._enqueue("plotly_chart", proto, layout_config=layout)  # noqa: SLF001

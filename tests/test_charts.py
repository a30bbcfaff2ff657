"""ui/charts.vega_chart sends what st.vega_lite_chart sends (it skips only the per-tick re-parse)."""
from __future__ import annotations

from streamlit.testing.v1 import AppTest


def _script():
    import numpy as np
    import streamlit as st
    import streamlit.delta_generator as delta_generator

    from gan_core.vega import arrow_bytes
    from gan_core.vega import on_canvas
    from ui.charts import vega_chart

    sent = st.session_state.setdefault("sent", [])
    original = delta_generator._enqueue_message

    def record(msg):  # the whole NewElement: chart proto, width and height configs
        if msg.WhichOneof("type") == "delta" and msg.delta.new_element.WhichOneof("type") == "vega_lite_chart":
            sent.append((tuple(msg.metadata.delta_path), msg.delta.new_element.SerializeToString()))
        original(msg)

    delta_generator._enqueue_message = record
    try:
        line = {"mark": "line", "data": {"name": "d"},
                "encoding": {"x": {"field": "a", "type": "quantitative"}, "y": {"field": "b", "type": "quantitative"}}}
        layered = {"title": {"text": "two views", "subtitle": "a layer"}, "height": 120,
                   "layer": [line, {**line, "mark": "point", "params": [{"name": "grid", "bind": "scales",
                                                                          "select": "interval"}]}]}
        data = {"d": arrow_bytes(a=np.arange(4.0), b=np.array([1.0, 3.0, 2.0, 5.0]))}
        cases = st.session_state.setdefault("cases", [])
        for spec, width in ((line, "stretch"), (line, "content"), (layered, "stretch"), (layered, 300)):
            st.vega_lite_chart({**on_canvas(spec), "datasets": data}, width=width)
            vega_chart(spec, data, width=width)
            cases.append(width)
        left, right = st.columns(2)
        with right:  # the current `with` container, as st.* uses it
            vega_chart(line, data)
        vega_chart(line, data, dg=left)
    finally:
        delta_generator._enqueue_message = original


def test_the_fast_path_sends_the_same_element_as_streamlit():
    at = AppTest.from_function(_script).run()
    assert not at.exception
    sent = at.session_state["sent"]
    pairs = len(at.session_state["cases"])
    assert len(sent) == 2 * pairs + 2
    for i in range(pairs):
        assert sent[2 * i][1] == sent[2 * i + 1][1], f"case {i}: another message than st.vega_lite_chart's"
    right, left = sent[-2][0], sent[-1][0]
    assert right != left and right[:-2] == left[:-2]  # the second column's chart, then the first's
    assert right[-2] > left[-2]


def test_a_spec_seen_again_reuses_its_json_and_a_changed_one_does_not():
    from ui import charts

    spec = {"mark": "bar", "data": {"name": "d"}}
    first = charts.spec_json(spec, True)
    assert charts.spec_json(spec, True) is first
    assert charts.spec_json(dict(spec), True) == first  # same content, another object: built again, same text
    assert '"autosize"' in first
    other = {"mark": "point", "data": {"name": "d"}}
    assert charts.spec_json(other, True) != first



def _plotly_script():
    import plotly.graph_objects as go
    import streamlit as st
    import streamlit.delta_generator as delta_generator

    from ui.charts import plotly_chart

    class Prebuilt(go.Figure):  # how the xy page used to skip plotly's schema check: a Figure whose dict is ours
        def __init__(self, spec):
            super().__init__()
            self._spec = spec

        def to_dict(self):
            return self._spec

    sent = st.session_state.setdefault("sent", [])
    original = delta_generator._enqueue_message

    def record(msg):
        if msg.WhichOneof("type") == "delta" and msg.delta.new_element.WhichOneof("type") == "plotly_chart":
            sent.append((tuple(msg.metadata.delta_path), msg.delta.new_element))
        original(msg)

    figure = {"data": [{"type": "surface", "z": [[0.0, 1.0], [1.0, 0.5]], "showscale": False}],
              "layout": {"margin": {"l": 0, "r": 0, "t": 20, "b": 0}, "scene": {"xaxis": {"title": {"text": "x"}}}}}
    tall = {**figure, "layout": {**figure["layout"], "height": 520}}
    delta_generator._enqueue_message = record
    try:
        streamlits = st.session_state.get("streamlit's")
        draw = (lambda fig, **kw: st.plotly_chart(Prebuilt(fig), **kw)) if streamlits else plotly_chart
        draw(figure, key="saddle", config={"displaylogo": False}, width="stretch")
        draw(figure, config={"displaylogo": False}, width="content")
        left, _ = st.columns(2)
        with left:
            draw(figure, key="in_column")
        draw(tall, key="tall")
    finally:
        delta_generator._enqueue_message = original


def test_the_plotly_fast_path_sends_the_same_element_as_streamlit():
    ours = AppTest.from_function(_plotly_script).run()
    theirs = AppTest.from_function(_plotly_script)
    theirs.session_state["streamlit's"] = True
    theirs.run()
    assert not ours.exception and not theirs.exception
    mine, streamlits = ours.session_state["sent"], theirs.session_state["sent"]
    assert len(mine) == len(streamlits) == 4
    for (path, element), (their_path, their_element) in zip(mine, streamlits):
        # the same place, the same element: spec, config, id, width and height (the last one's own 520 px)
        assert (path, element.SerializeToString()) == (their_path, their_element.SerializeToString())
    assert mine[3][1].height_config.pixel_height == 520


def test_a_plotly_figure_seen_again_reuses_its_json():
    from ui import charts

    figure = {"data": [{"type": "scatter", "x": [1, 2], "y": [3, 4]}], "layout": {}}
    first = charts.plotly_json(figure)
    assert charts.plotly_json(figure) is first
    changed = {**figure, "layout": {"height": 200}}
    assert charts.plotly_json(changed) != first


def _selection_script():
    import numpy as np
    import streamlit as st
    import streamlit.delta_generator as delta_generator

    from gan_core.vega import arrow_bytes
    from gan_core.vega import on_canvas
    from ui.charts import vega_chart

    sent = st.session_state.setdefault("sent", [])
    original = delta_generator._enqueue_message

    def record(msg):
        if msg.WhichOneof("type") == "delta" and msg.delta.new_element.WhichOneof("type") == "vega_lite_chart":
            sent.append((tuple(msg.metadata.delta_path), msg.delta.new_element.SerializeToString()))
        original(msg)

    def picked():
        st.session_state["picked"] = True

    spec = {"layer": [
        {"data": {"name": "d"}, "mark": "point", "params": [{"name": "pick", "select": {"type": "point", "on": "click"}}],
         "encoding": {"x": {"field": "a", "type": "quantitative"}, "y": {"field": "b", "type": "quantitative"}}},
        {"data": {"name": "e"}, "mark": "line",
         "encoding": {"x": {"field": "a", "type": "quantitative"}, "y": {"field": "b", "type": "quantitative"}}},
    ], "width": 300, "height": 300}
    data = {"d": arrow_bytes(a=np.arange(3.0), b=np.ones(3)), "e": arrow_bytes(a=np.arange(2.0), b=np.zeros(2))}
    delta_generator._enqueue_message = record
    try:
        if st.session_state.get("streamlit's"):
            value = st.vega_lite_chart({**on_canvas(spec), "datasets": data}, width="content", key="plane", on_select=picked,
                                       selection_mode="pick")
        else:
            value = vega_chart(spec, data, width="content", key="plane", on_select=picked, selection_mode="pick")
        st.session_state["value"] = dict(value)
        st.session_state["in_state"] = dict(st.session_state["plane"])
    finally:
        delta_generator._enqueue_message = original


def test_a_chart_with_a_selection_is_the_same_widget_as_streamlits():
    ours = AppTest.from_function(_selection_script).run()
    theirs = AppTest.from_function(_selection_script)
    theirs.session_state["streamlit's"] = True
    theirs.run()
    assert not ours.exception and not theirs.exception
    assert ours.session_state["sent"] == theirs.session_state["sent"] and len(ours.session_state["sent"]) == 1
    # the selection state a click would fill, under the chart's key
    assert ours.session_state["value"] == theirs.session_state["value"] == {"selection": {"pick": {}}}
    assert ours.session_state["in_state"] == theirs.session_state["in_state"]


def test_a_figure_is_built_once_per_source_object_and_its_data_survives_the_split():
    import pandas as pd

    from gan_core.vega import read_arrow
    from ui.charts import figure_of

    built = []

    def build(rows):
        built.append(rows)
        return {"mark": "bar", "data": {"name": "t"}, "datasets": {"t": pd.DataFrame(rows)}}

    rows = [{"digit": "1", "value": 0.5}, {"digit": "2", "value": 0.25}]
    spec, datasets = figure_of(rows, build)
    assert "datasets" not in spec and spec["data"] == {"name": "t"}
    pd.testing.assert_frame_equal(read_arrow(datasets["t"]), pd.DataFrame(rows))
    again = figure_of(rows, build)
    assert again[0] is spec and again[1] is datasets and len(built) == 1  # the same objects: vega_chart's JSON cache hits
    equal_but_new = [dict(r) for r in rows]
    assert figure_of(equal_but_new, build)[0] is not spec and len(built) == 2  # identity, not equality


def test_by_identity_makes_a_value_once_per_object_and_forgets_the_least_recently_used():
    from ui.charts import ByIdentity

    made = []
    cache = ByIdentity(size=2)

    def value_of(obj, *variant):
        return cache.get(obj, lambda: made.append((obj, variant)) or len(made), *variant)

    a, b, c = {"x": 1}, {"x": 1}, {"x": 2}  # a == b, but not the same object
    assert value_of(a) == value_of(a) == 1
    assert value_of(b) == 2  # equal is not the same: the caller may mutate its own copy
    assert value_of(a, True) == 3  # a variant is its own entry
    assert value_of(c) == 4  # size 2: the least recently used (a) went, then b
    assert value_of(a) == 5 and len(made) == 5


def test_every_live_chart_is_drawn_on_a_canvas_and_its_spec_json_is_still_made_once():
    """Vega's SVG renderer keeps a <clipPath> per clipped item of every dataset it was ever sent (the 2-D
    playground's page grew by ~700 DOM nodes a tick): vega_chart asks vega-embed for its canvas renderer,
    keeping whatever else the spec's usermeta holds, without a new JSON per tick."""
    import json

    from ui import charts

    from gan_core.vega import on_canvas

    plain = {"mark": "point", "data": {"name": "d"}}
    own = {"mark": "line", "usermeta": {"embedOptions": {"actions": False}, "note": 1}}
    for spec in (plain, own):
        drawn = json.loads(charts.spec_json(spec, True))
        assert drawn["usermeta"]["embedOptions"]["renderer"] == "canvas"
        assert charts.spec_json(spec, True) is charts.spec_json(spec, True)  # made once per spec object
    assert json.loads(charts.spec_json(own, True))["usermeta"] == {
        "embedOptions": {"actions": False, "renderer": "canvas"}, "note": 1}
    assert "usermeta" not in plain and own["usermeta"] == {"embedOptions": {"actions": False}, "note": 1}
    for renderer in ("canvas", "svg"):  # a spec's own choice is kept (the spam board's text stays in the page)
        chosen = {"mark": "bar", "usermeta": {"embedOptions": {"renderer": renderer}}}
        assert on_canvas(chosen) is chosen
        assert json.loads(charts.spec_json(chosen, True))["usermeta"]["embedOptions"]["renderer"] == renderer


def test_the_playground_s_charts_are_drawn_on_a_canvas_too():
    from gan_core.playground import figures

    spec = figures.with_datasets({"mark": "point", "data": {"name": "d"}}, {"d": b"", "unused": b""})
    assert spec["usermeta"]["embedOptions"]["renderer"] == "canvas" and set(spec["datasets"]) == {"d"}

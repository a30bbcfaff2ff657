"""ui/charts.vega_chart sends what st.vega_lite_chart sends (it skips only the per-tick re-parse)."""
from __future__ import annotations

from streamlit.testing.v1 import AppTest


def _script():
    import numpy as np
    import streamlit as st
    import streamlit.delta_generator as delta_generator

    from gan_core.vega import arrow_bytes
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
            st.vega_lite_chart({**spec, "datasets": data}, width=width)
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

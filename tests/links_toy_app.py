"""A tiny page that uses ui/links.py, ui/presenter.py and ui/export_bar.py the way a lesson does, for AppTest.
Not a lesson: the toy config and run live in tests/links_toy.py."""
from __future__ import annotations

import dataclasses

import numpy as np
import streamlit as st

from gan_core import run_bundle
from gan_core.settings_spec import specs, to_mapping
from tests.links_toy import ADAPTER, ToyConfig, build
from ui import export_bar, links, presenter

SEED_KEY = "toy_seed"

with st.sidebar:
    presenter.toggle()
presenter.apply_style()

# The link sets the starting point once per session; the controls own the settings afterwards.
linked, _ = links.read_link(ToyConfig, "toy")
if linked is not None:
    for s in specs(ToyConfig):
        st.session_state[f"toy_{s.name}"] = getattr(linked, s.name)
    seed, note = links.read_seed()
    st.session_state[SEED_KEY] = seed if seed is not None else 0
    if note:
        st.session_state["toy_seed_note"] = note
links.show_notes("toy")
if st.session_state.get("toy_seed_note"):
    st.warning(st.session_state["toy_seed_note"])

st.number_input("Seed", min_value=0, max_value=2**31 - 1, key=SEED_KEY)
for s in [s for s in specs(ToyConfig) if not (presenter.is_on() and s.setting.advanced)]:
    key = f"toy_{s.name}"
    st.session_state.setdefault(key, s.default)
    if s.kind == "str":
        st.selectbox(s.setting.label, list(s.setting.choices), key=key)
    elif s.kind == "int":
        st.number_input(s.setting.label, min_value=int(s.setting.min), max_value=int(s.setting.max), key=key)
    else:
        st.number_input(s.setting.label, min_value=float(s.setting.min), max_value=float(s.setting.max),
                        step=0.01, format="%.3f", key=key)
config = dataclasses.replace(ToyConfig(), **{s.name: st.session_state.get(f"toy_{s.name}", s.default)
                                              for s in specs(ToyConfig)})
seed = int(st.session_state[SEED_KEY])

run_key = (tuple(to_mapping(config).items()), seed)
if st.session_state.get("toy_run_key") != run_key:
    st.session_state["toy_run_key"] = run_key
    st.session_state["toy_run"] = build(config, seed)
run = st.session_state["toy_run"]

if st.button("Step", key="toy_step"):
    run["w"] = run["w"] * (1 - config.eta)
    run["step"] += 1
    run["loss"].append(float(np.abs(run["w"]).sum()))


def apply_bundle(data: bytes) -> str:
    new_run, bundle = run_bundle.import_run(ADAPTER, data, build)
    for s in specs(ToyConfig):
        st.session_state[f"toy_{s.name}"] = getattr(bundle.config, s.name)
    st.session_state[SEED_KEY] = bundle.seed
    st.session_state["toy_run_key"] = (tuple(to_mapping(bundle.config).items()), bundle.seed)
    st.session_state["toy_run"] = new_run
    return f"Imported the run from {bundle.created}: step {bundle.step}."


export_bar.render("toy", make_bundle=lambda: run_bundle.export_run(ADAPTER, run, config, seed),
                  on_import=apply_bundle, step=run["step"])
run = st.session_state["toy_run"]
st.write(f"config={links.link_params(config)}")
st.write(f"seed={seed} step={run['step']} w0={run['w'][0]:.6f}")
links.write_link(config, seed=seed, present=presenter.is_on(), lesson="toy")
links.copy_link()

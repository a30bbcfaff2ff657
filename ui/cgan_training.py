"""The CGAN page's Train-from-scratch panel: what one live tick draws, and the architecture drawing."""
from __future__ import annotations

import functools
import time

import pandas as pd

import streamlit as st

from gan_core.cgan import checkpoint, figures
from gan_core.cgan.config import CGANConfig
from gan_core.cgan.explorer import grid_image, png_bytes, snapshot_image
from gan_core.cgan.live import Refresh
from gan_core.cgan.metrics import JudgeReadout
from gan_core.cgan.models import architecture_table
from gan_core.cgan.trainer import CGANTrainer, timeline
from ui import compute, lifecycle, notes
from ui.charts import split_datasets, vega_chart
from ui.cgan_resources import load_judge

GOAL_EPOCHS = 10  # the progress bar's target: clean digits with the defaults
JUDGE_EVERY_S = 2.0  # the live judge readout (100 digits through G and the judge) every 2 s of training
TEXT = notes.sections("cgan")


def judge_readout(trainer: CGANTrainer) -> None:
    """The judge's conditional accuracy on 10 digits per label, measured again every JUDGE_EVERY_S of training."""
    try:
        judge, _ = load_judge()
    except checkpoint.CheckpointError:
        return
    readout = st.session_state.get("cgan_live_judge")
    if readout is None or readout[0] is not trainer:  # a new run (Reset / Apply): a new readout
        readout = (trainer, JudgeReadout(judge, n_per_class=10, every_seconds=JUDGE_EVERY_S))
        st.session_state["cgan_live_judge"] = readout
    live = readout[1]
    accuracy = compute.run(lambda: live.update(trainer.ema_generator, trainer.steps, trainer.seconds))  # ui/compute.py
    st.metric("Judge reads the asked-for digit", f"{accuracy:.0%}",
              help="Share of 100 generated digits (10 per label) the judge classifier reads as the label G was "
                   f"given; measured again every {JUDGE_EVERY_S:g} s of training (last at step {live.steps}).")
    if live.first:
        st.caption(f"≥ 90 % first at step {live.first[0]}, after {live.first[1]:.0f} s of training.")


NOW = Refresh(min_wall=0.75, min_train=0.2, max_wall=3.0)  # the "Now" grid's pace (gan_core/cgan/live.py)


def now_png(trainer: CGANTrainer, running: bool) -> bytes:
    """The "Now" grid as PNG. A forward pass and an encoding cost ~10 ms, so while running it is redrawn
    only as training moves on (Refresh: ~every 0.75 s alone, every 3 s in a full class); the same bytes in
    between give Streamlit the same media file. Paused (a Step, a page rerun): always the latest."""
    cached = st.session_state.get("cgan_now")
    now = time.monotonic()
    if cached is None or cached["trainer"] is not trainer:
        cached = {"trainer": trainer, "refresh": Refresh(NOW.min_wall, NOW.min_train, NOW.max_wall), "png": b""}
        st.session_state["cgan_now"] = cached
    refresh: Refresh = cached["refresh"]
    if refresh.due(trainer.steps, trainer.seconds, now) or (not running and trainer.steps != refresh.steps):
        cached["png"] = png_bytes(grid_image(compute.run(trainer.sample_grid), 3))  # torch on the warm thread
        refresh.mark(trainer.steps, trainer.seconds, now)
    return cached["png"]


def snapshot_strip(trainer: CGANTrainer) -> tuple[list[bytes], list[str]]:
    """Up to six snapshots (PNG, captions) for "from noise to digits": one image list, encoded once per set
    of snapshots (a snapshot never changes; the list changes only when one is added)."""
    snaps = timeline(trainer.snapshots, 6)
    steps = tuple(s["step"] for s in snaps)
    cached = st.session_state.get("cgan_snapshots")
    if cached is None or cached[0] is not trainer or cached[1] != steps:  # `is`: a new run may reuse an id
        old = dict(zip(cached[1], cached[2])) if cached is not None and cached[0] is trainer else {}
        pngs = [old.get(s["step"]) or png_bytes(snapshot_image(s["grid"], rows=1)) for s in snaps]  # 56 px a digit
        captions = [f"step {s['step']} · epoch {s['epoch']:g} · {s['seconds']:.0f} s" for s in snaps]
        cached = (trainer, steps, pngs, captions)
        st.session_state["cgan_snapshots"] = cached
    return cached[2], cached[3]


def curves(trainer: CGANTrainer) -> dict[str, bytes]:
    """The live chart's data (Arrow bytes from NumPy), built again only when a step was trained (a paused
    run's page reruns send the same data). Its spec is one cached object per loss kind
    (figures.live_curves_spec), JSON-encoded once (ui/charts.py)."""
    cached = st.session_state.get("cgan_curves")
    if cached is None or cached[0] is not trainer or cached[1] != trainer.steps:
        cached = (trainer, trainer.steps, figures.live_curves_data(trainer))
        st.session_state["cgan_curves"] = cached
    return cached[2]


def draw_training(trainer: CGANTrainer) -> None:
    """One live tick: ~11 elements (it was 18: one chart for the two curves, one image list for the
    snapshots); images sent as PNG bytes as they are (output_format="PNG": with "auto" Streamlit decodes a
    grey PNG and re-encodes it as JPEG on every run)."""
    running = lifecycle.run_of("cgan").running
    st.progress(min(1.0, trainer.epoch / GOAL_EPOCHS),
                text=f"epoch {trainer.epoch:.1f} of {GOAL_EPOCHS} · step {trainer.steps} · "
                     f"{trainer.seconds:.0f} s of training · {trainer.steps_per_second:.0f} steps/s")
    left, right = st.columns([1, 1], gap="large")
    with left:
        st.image(now_png(trainer, running), width="stretch", output_format="PNG",
                 caption="Now: EMA generator at 4 fixed z's (rows) × the ten labels (columns)")
        judge_readout(trainer)
    with right:
        if len(trainer.history):
            vega_chart(figures.live_curves_spec(trainer.shows_probability), curves(trainer), width="stretch")
            if trainer.shows_probability:
                st.caption(TEXT["d_probability"])
        else:
            st.caption("Press Start (or Step) and D's probabilities and the losses appear here.")
    st.markdown("**From noise to digits**: the same fixed z's (so any change is G learning, not new noise)")
    pngs, captions = snapshot_strip(trainer)
    st.image(pngs, caption=captions, output_format="PNG")


@functools.lru_cache(maxsize=32)  # a few networks a class: the settings' sizes
def _architecture(latent_dim: int, width: int, d_width: int, batch_norm: bool) -> tuple[dict, dict, pd.DataFrame]:
    """The drawing and the table of the networks these sizes make, built once per sizes: measuring the
    shapes builds both networks (23 % of a CGAN page run's script time under py-spy, before this cache)."""
    rows = architecture_table(latent_dim, width, d_width, batch_norm)
    spec, datasets = split_datasets(figures.architecture_spec(rows))
    table = pd.DataFrame([{"network": r["network"], "layer": r["layer"], "what": r["kind"],
                           "output": " × ".join(map(str, r["shape"])), "parameters": r["params"]} for r in rows])
    return spec, datasets, table


def architecture_view(prefix: str) -> None:
    config = lifecycle.current_config(prefix)
    config = config if config is not None and not config.validate() else CGANConfig()
    spec, datasets, table = _architecture(config.latent_dim, config.width, config.d_width, config.batch_norm)
    st.markdown(TEXT["architecture"])
    vega_chart(spec, datasets, width="content")
    st.dataframe(table, hide_index=True)

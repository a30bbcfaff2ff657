"""The CGAN page's Train-from-scratch panel: what one live tick draws, and the architecture drawing."""
from __future__ import annotations

import streamlit as st

from gan_core.cgan import checkpoint, figures
from gan_core.cgan.config import CGANConfig
from gan_core.cgan.explorer import grid_image, png_bytes, snapshot_image
from gan_core.cgan.metrics import JudgeReadout
from gan_core.cgan.models import architecture_table
from gan_core.cgan.trainer import MAX_SNAPSHOTS, CGANTrainer, timeline
from ui import lifecycle, notes
from ui.arrow import share_datasets
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
    accuracy = live.update(trainer.ema_generator, trainer.steps, trainer.seconds)
    st.metric("Judge reads the asked-for digit", f"{accuracy:.0%}",
              help="Share of 100 generated digits (10 per label) the judge classifier reads as the label G was "
                   f"given; measured again every {JUDGE_EVERY_S:g} s of training (last at step {live.steps}).")
    if live.first:
        st.caption(f"≥ 90 % first at step {live.first[0]}, after {live.first[1]:.0f} s of training.")


def now_png(trainer: CGANTrainer) -> bytes:
    """The "Now" grid as PNG: drawn and encoded once per step count (a tick that trained no step, or a
    rerun of the page, shows the same bytes without another forward pass)."""
    cached = st.session_state.get("cgan_now_png")
    if cached is None or cached[0] is not trainer or cached[1] != trainer.steps:
        cached = (trainer, trainer.steps, png_bytes(grid_image(trainer.sample_grid(), 3)))
        st.session_state["cgan_now_png"] = cached
    return cached[2]


def draw_training(trainer: CGANTrainer) -> None:
    st.progress(min(1.0, trainer.epoch / GOAL_EPOCHS),
                text=f"epoch {trainer.epoch:.1f} of {GOAL_EPOCHS} · step {trainer.steps} · "
                     f"{trainer.seconds:.0f} s of training · {trainer.steps_per_second:.0f} steps/s")
    left, right = st.columns([1, 1], gap="large")
    with left:
        st.image(now_png(trainer), width="stretch",
                 caption="Now: EMA generator at 4 fixed z's (rows) × the ten labels (columns)")
        judge_readout(trainer)
    with right:
        if len(trainer.history):
            charts = {"scores": figures.discriminator_scores(trainer), "losses": figures.loss_curves(trainer)}
            share_datasets(charts)  # Arrow bytes straight from NumPy, not pandas' path per chart
            st.vega_lite_chart(charts["scores"], width="stretch")
            if trainer.shows_probability:
                st.caption(TEXT["d_probability"])
            st.vega_lite_chart(charts["losses"], width="stretch")
        else:
            st.caption("Press Start (or Step) and D's probabilities and the losses appear here.")
    st.markdown("**From noise to digits**: the same fixed z's (so any change is G learning, not new noise)")
    encoded = st.session_state.setdefault("cgan_snapshot_png", {})  # a snapshot never changes: encode it once
    if len(encoded) > 4 * MAX_SNAPSHOTS:
        encoded.clear()
    for snap in timeline(trainer.snapshots, 6):
        key = (id(trainer), snap["step"])
        if key not in encoded:
            encoded[key] = png_bytes(snapshot_image(snap["grid"], rows=1))  # 56 px per digit
        st.image(encoded[key], caption=f"step {snap['step']} · epoch {snap['epoch']:g} · {snap['seconds']:.0f} s")


def architecture_view(prefix: str) -> None:
    config = lifecycle.current_config(prefix)
    config = config if config is not None and not config.validate() else CGANConfig()
    rows = architecture_table(config.latent_dim, config.width, config.d_width, config.batch_norm)
    st.markdown(TEXT["architecture"])
    st.vega_lite_chart(figures.architecture_spec(rows), width="content")
    st.dataframe([{"network": r["network"], "layer": r["layer"], "what": r["kind"],
                   "output": " × ".join(map(str, r["shape"])), "parameters": r["params"]} for r in rows],
                 hide_index=True)

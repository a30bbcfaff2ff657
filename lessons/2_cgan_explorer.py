"""CGAN latent explorer: the label picks the digit, the latent z carries the style."""
from __future__ import annotations

import hashlib

import numpy as np
import streamlit as st

from gan_core.cgan.config import CGANConfig
from gan_core.cgan.explorer import tile, to_uint8, upscale
from gan_core.cgan.latent import LoadedModel, on_slider_grid, random_latent, target_latent, trained_model, with_zeros
from gan_core.cgan.memorisation import verdict
from gan_core.cgan.mnist import NUM_CLASSES
from gan_core.cgan.trainer import CGANTrainer
from gan_core.device import resolve_device
from ui import lifecycle, notes, share
from ui.cgan_quality import quality_view
from ui.cgan_resources import DEFAULT_CHECKPOINT, current_model, training_index
from ui.cgan_training import architecture_view, draw_training
from ui.settings import global_device, global_seed

PREFIX = "cgan"
SHOWN_DIMS = 12  # sliders for the most influential dimensions; the rest stay fixed
SLIDER_STEP = 0.05
# One user alone trains 0.093 s per 0.2 s tick: the duty of the old 0.28 s per 0.6 s (~47 %, the same steps per
# second alone) at 5 updates/s. The shared planner (ui/tick_budget.py) keeps that duty for one user and splits
# it across a class; what a tick draws besides training is kept to a few ms (ui/cgan_training.py).
TICK_INTERVAL_S = 0.2
TICK_TRAIN_S = 0.093
STEP_CHUNK = 25
TEXT = notes.sections("cgan")


# ----- latent state (the buttons' callbacks) --------------------------------------------------
def _slider_key(dim: int) -> str:
    return f"cgan_z_{dim}"


def _set_z(z: np.ndarray) -> None:
    rounded = on_slider_grid(z, SLIDER_STEP)
    st.session_state["cgan_z"] = rounded
    for dim, value in enumerate(rounded):
        st.session_state[_slider_key(dim)] = float(value)


def _clicks(counter: str) -> int:
    st.session_state[counter] = st.session_state.get(counter, 0) + 1
    return st.session_state[counter]


def _random_z(latent_dim: int, limit: float) -> None:
    # Seeded from the sidebar seed and a click counter: the same clicks give the same styles.
    _set_z(random_latent(global_seed(), _clicks("cgan_random_clicks"), latent_dim, limit))


def _zero_z(latent_dim: int) -> None:
    _set_z(np.zeros(latent_dim))


def _zero_hidden(hidden: list[int]) -> None:
    _set_z(with_zeros(st.session_state["cgan_z"], hidden))


def _new_target(latent_dim: int) -> None:
    st.session_state["cgan_z_target"] = target_latent(global_seed(), _clicks("cgan_target_clicks"), latent_dim)


def _ensure_latent(latent_dim: int) -> None:
    z = st.session_state.get("cgan_z")
    if z is None or len(z) != latent_dim:
        _zero_z(latent_dim)
        st.session_state.pop("cgan_z_target", None)
    if "cgan_z_target" not in st.session_state or len(st.session_state["cgan_z_target"]) != latent_dim:
        _new_target(latent_dim)


# ----- explorer -------------------------------------------------------------------------------
@st.fragment
def explorer_view(model: LoadedModel) -> None:
    lifecycle.guard_view("The latent explorer", _explorer)(model)


def _explorer(model: LoadedModel) -> None:
    """Slider moves rerun only this fragment: one forward pass of ten digits, two images."""
    latent_dim = model.generator.latent_dim
    _ensure_latent(latent_dim)
    shown, hidden = model.split(SHOWN_DIMS)
    limit = model.range
    share.read_latent_link(latent_dim, limit, _set_z)  # ?digit=7&z=…

    controls, view = st.columns([5, 4], gap="large")
    with controls:
        digit = st.segmented_control("Digit (the label y)", list(range(NUM_CLASSES)), key="cgan_digit",
                                     default=3, required=True)
        digit = 3 if digit is None else int(digit)
        b1, b2, b3 = st.columns(3)
        b1.button("Random z", key="cgan_random", icon=":material/casino:", on_click=lifecycle.callback("cgan", "Random z", _random_z),
                  args=(latent_dim, limit), width="stretch", help="Draw z from the prior N(0, 1)")
        b2.button("Reset to zero", key="cgan_zero", icon=":material/exposure_zero:", on_click=lifecycle.callback("cgan", "Zero z", _zero_z),
                  args=(latent_dim,), width="stretch", help="z = 0: the prior's most typical point")
        b3.button("Zero hidden dims", key="cgan_zero_hidden", on_click=lifecycle.callback("cgan", "Zero hidden", _zero_hidden), args=(hidden,),
                  disabled=not hidden, width="stretch", help="Set the dimensions without a slider to 0")
        st.caption(TEXT["sliders"].format(shown=len(shown), limit=limit))
        cols = st.columns(2)
        current = st.session_state["cgan_z"]
        for rank, dim in enumerate(shown):
            # An explicit value (the state's own): with none, Streamlit copies the whole session state per slider
            # to guess single vs range (a tenth of a drag's server time). Duplication warning off: config.toml.
            value = float(np.clip(st.session_state.get(_slider_key(dim), current[dim]), -limit, limit))
            cols[rank % 2].slider(
                f"z{dim}", -limit, limit, value=value, step=SLIDER_STEP, key=_slider_key(dim),
                help=f"Rank {rank + 1}: one unit of z{dim} changes a pixel by {100 * model.influence[dim]:.1f}% "
                     "of full brightness on average.",
            )
        z = st.session_state["cgan_z"].copy()
        for dim in shown:
            z[dim] = st.session_state[_slider_key(dim)]
        st.session_state["cgan_z"] = z
        if hidden:
            st.caption("Fixed (no slider, smaller effect): "
                       + ", ".join(f"z{d} = {z[d]:+.2f}" for d in hidden))

    share.write_latent_link(digit, z, default_digit=3)
    big, row = model.explorer.render(z, digit)
    st.session_state["cgan_render_digest"] = hashlib.sha1(big.tobytes()).hexdigest()
    with view:
        st.image(big, caption=f"G(z, y = {digit})", width=280)
        nearest_view(big[::model.explorer.scale, ::model.explorer.scale])
        st.markdown(TEXT["same_z"])
        st.image(row, width="stretch")

    st.markdown("##### Walk between two points")
    mode_col, target_col, btn_col = st.columns([3, 2, 2])
    mode = mode_col.radio("Interpolate", ["z → another z (same digit)", "digit → another digit (same z)"],
                          key="cgan_interp_mode", horizontal=True, label_visibility="collapsed")
    if mode.startswith("z"):
        btn_col.button("New target z", key="cgan_new_target", on_click=lifecycle.callback("cgan", "New target", _new_target), args=(latent_dim,),
                       icon=":material/shuffle:")
        strip = model.explorer.interpolate(z, st.session_state["cgan_z_target"], digit, digit)
        note = TEXT["walk_z"]
    else:
        to_digit = target_col.selectbox("to digit", list(range(NUM_CLASSES)), index=(digit + 5) % NUM_CLASSES,
                                        key="cgan_morph_to")
        strip = model.explorer.interpolate(z, z, digit, int(to_digit))
        note = TEXT["walk_label"]
    st.image(strip, width="stretch")
    st.caption(note)


def nearest_view(digit: np.ndarray) -> None:
    """Memorisation check: the generated digit beside its nearest training digit, with the distance."""
    index, scale = training_index()
    (near,) = index.nearest(digit[None].astype(np.float32) / 255.0)
    st.session_state["cgan_neighbour"] = {"index": near.index, "distance": near.distance}
    pair = upscale(tile(np.stack([digit, to_uint8(near.image)]), 1, 2, gap=1), 4)
    st.image(pair, width=228, caption=f"Left: G's digit. Right: its nearest of the 4,500 training digits "
                                      f"(#{near.index}, a {near.label}), pixel distance {near.distance:.2f}.")
    st.caption(f"**Is G copying?** {verdict(near.distance, scale)} A new real digit lies {scale['median']:.2f} "
               f"from its nearest training digit (median of 500 held-out digits; 10 % are closer than {scale['p10']:.2f}).")


# ----- training from scratch ------------------------------------------------------------------
def build_trainer(config: CGANConfig) -> CGANTrainer:
    return CGANTrainer(config, device=resolve_device(global_device()))


def _use_trained(trainer: CGANTrainer) -> None:
    st.session_state["cgan_session_model"] = trained_model(trainer)


def _use_file() -> None:
    st.session_state["cgan_session_model"] = None


TRAINING = lifecycle.Lesson(
    prefix="cgan",
    config_cls=CGANConfig,
    build=build_trainer,
    # never past the tick's share (run_for overshoots a step), but one step a tick: a tick without one shows nothing new
    advance=lambda t, seconds: t.run_within(seconds, min_steps=1),
    tick_floor=lambda t: t.step_seconds,
    draw=draw_training,
    step_size=STEP_CHUNK,
    step_piece=5,  # about half a second per piece: the progress bar moves, a click is never mid-step
    nominal_interval=TICK_INTERVAL_S,
    nominal_train_seconds=TICK_TRAIN_S,
    columns=4,
)


# ----- page -----------------------------------------------------------------------------------
st.title("CGAN latent explorer")
st.markdown(TEXT["intro"])

model, load_error = current_model()
explore_tab, train_tab, quality_tab = st.tabs(["Explore z", "Train from scratch", "Quality"])

with explore_tab:
    with st.expander("Model file", expanded=load_error is not None):
        st.text_input("Generator checkpoint (.safetensors, with its .json beside it)",
                      value=DEFAULT_CHECKPOINT, key="cgan_checkpoint")
        if st.session_state.get("cgan_session_model") is not None:
            st.button("Back to the checkpoint file", key="cgan_use_file", on_click=lifecycle.callback("cgan", "Use file", _use_file))
    if load_error:
        st.error(f"Could not load the generator. {load_error}", icon=":material/error:")
        st.info(TEXT["no_model"])
    if model is not None:
        st.caption(f"Model: {model.name} · latent z ∈ ℝ^{model.generator.latent_dim}, prior N(0, 1)")
        explorer_view(model)

with train_tab:
    st.markdown(TEXT["training"])
    with st.expander("The two networks (architecture)"):
        architecture_view(PREFIX)
    lifecycle.render(TRAINING)
    st.button("Use this model in the explorer", key="cgan_use_trained",
              on_click=lifecycle.with_trainer, args=("cgan", _use_trained, "Taking the trained model"),
              icon=":material/input:", disabled=lifecycle.trainer("cgan") is None,
              help="For this browser session only; the shipped file is never changed.")

with quality_tab:
    quality_view(model)

"""CGAN latent explorer: the label picks the digit, the latent z carries the style."""
from __future__ import annotations

import copy
import hashlib
from pathlib import Path

import numpy as np
import streamlit as st

from gan_core.cgan import checkpoint, figures
from gan_core.cgan.config import CGANConfig
from gan_core.cgan.explorer import LatentExplorer, latent_influence, png_bytes, snapshot_image, tile, to_uint8, upscale
from gan_core.cgan.memorisation import TrainingIndex, typical_real_distance, verdict
from gan_core.cgan.metrics import JudgeReadout, evaluate, real_baseline
from gan_core.cgan.mnist import NUM_CLASSES, load_split
from gan_core.cgan.models import architecture_table
from gan_core.cgan.trainer import MAX_SNAPSHOTS, CGANTrainer, timeline
from gan_core.device import resolve_device
from ui import lifecycle, notes, share
from ui.settings import global_device, global_seed

PREFIX = "cgan"
SHOWN_DIMS = 12  # sliders for the most influential dimensions; the rest stay fixed
SLIDER_STEP = 0.05
TICK_BUDGET_S = 0.4  # training time per 0.5 s live tick: a redraw costs ~0.3 s more on a busy 2-core server
GOAL_EPOCHS = 10  # the progress bar's target: clean digits with the defaults
STEP_CHUNK = 25
JUDGE_EVERY_S = 2.0  # the live judge readout (100 digits through G and the judge) every 2 s of training
QUALITY_SAMPLES = 200  # per digit, for the on-page measurement (a few seconds)
ROOT = Path(__file__).resolve().parents[1]
TEXT = notes.sections("cgan")


# ----- read-only resources (shared by every session) ------------------------------------------
class LoadedModel:
    """A generator plus what the sliders need: its explorer and the latent dims ranked by influence."""

    def __init__(self, generator, meta: dict, name: str, model_id: str):
        self.generator = generator
        self.meta = meta
        self.name = name
        self.id = model_id
        self.explorer = LatentExplorer(generator)
        self.influence = latent_influence(generator)
        self.order = np.argsort(-self.influence)
        slider = float(meta.get("prior", {}).get("slider_range", 3.0))
        self.range = slider * float(meta.get("prior", {}).get("std", 1.0))


@st.cache_resource(show_spinner="Loading the shipped generator…", max_entries=4)
def load_model(path: str, mtime: float) -> LoadedModel:
    generator, meta = checkpoint.load_generator(path)
    return LoadedModel(generator, meta, f"{Path(path).name} (seed {meta.get('seed')}, {meta.get('steps')} steps)",
                       f"file:{path}:{mtime}")


@st.cache_resource(show_spinner=False)
def load_judge():
    return checkpoint.load_judge()


@st.cache_resource(show_spinner="Indexing the 4,500 training digits (once per server)…")
def training_index() -> tuple[TrainingIndex, dict]:
    """The memorisation check's search index and its scale (held-out real digit -> nearest training digit)."""
    train, held = load_split()
    return TrainingIndex(train), typical_real_distance(train, held)


@st.cache_resource(show_spinner="Measuring real digits with the judge (once per server)…")
def judge_baseline() -> dict:
    return real_baseline(load_judge()[0])


def _resolve(path_text: str) -> Path:
    path = Path(path_text.strip()).expanduser()
    return path if path.is_absolute() else ROOT / path


def current_model() -> tuple[LoadedModel | None, str | None]:
    """The session's model (one trained on this page) or the file; (None, message) when unusable."""
    if st.session_state.get("cgan_session_model") is not None:
        return st.session_state["cgan_session_model"], None
    path = _resolve(st.session_state.get("cgan_checkpoint", str(checkpoint.DEFAULT_GENERATOR.relative_to(ROOT))))
    try:
        mtime = path.stat().st_mtime if path.exists() else 0.0
        return load_model(str(path), mtime), None
    except checkpoint.CheckpointError as exc:
        return None, str(exc)


# ----- latent state ---------------------------------------------------------------------------
def _slider_key(dim: int) -> str:
    return f"cgan_z_{dim}"


def _set_z(z: np.ndarray) -> None:
    rounded = np.clip(np.round(z / SLIDER_STEP) * SLIDER_STEP, -3.0, 3.0)
    st.session_state["cgan_z"] = rounded.astype(np.float32)
    for dim, value in enumerate(rounded):
        st.session_state[_slider_key(dim)] = float(value)


def _random_z(latent_dim: int, limit: float) -> None:
    # Seeded from the sidebar seed and a click counter: the same clicks give the same styles.
    clicks = st.session_state.get("cgan_random_clicks", 0) + 1
    st.session_state["cgan_random_clicks"] = clicks
    rng = np.random.default_rng([global_seed(), clicks])
    _set_z(np.clip(rng.standard_normal(latent_dim), -limit, limit))


def _zero_z(latent_dim: int) -> None:
    _set_z(np.zeros(latent_dim))


def _zero_hidden(hidden: list[int]) -> None:
    z = st.session_state["cgan_z"].copy()
    z[hidden] = 0.0
    _set_z(z)


def _new_target(latent_dim: int) -> None:
    clicks = st.session_state.get("cgan_target_clicks", 0) + 1
    st.session_state["cgan_target_clicks"] = clicks
    rng = np.random.default_rng([global_seed(), 10_000 + clicks])
    st.session_state["cgan_z_target"] = np.clip(rng.standard_normal(latent_dim), -3, 3).astype(np.float32)


def _ensure_latent(latent_dim: int) -> None:
    z = st.session_state.get("cgan_z")
    if z is None or len(z) != latent_dim:
        _zero_z(latent_dim)
        if "cgan_z_target" in st.session_state:
            del st.session_state["cgan_z_target"]
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
    shown = [int(d) for d in model.order[:SHOWN_DIMS]]
    hidden = [int(d) for d in model.order[SHOWN_DIMS:]]
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
        st.caption(
            f"The {len(shown)} sliders below are the latent dimensions that move the picture most "
            f"(ranked by mean pixel change per unit step). Each spans ±{limit:g}, the range the prior "
            "N(0, 1) really produces during training; beyond it G has never been asked anything."
        )
        cols = st.columns(2)
        for rank, dim in enumerate(shown):
            cols[rank % 2].slider(
                f"z{dim}", -limit, limit, step=SLIDER_STEP, key=_slider_key(dim),
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
    generator = copy.deepcopy(trainer.ema_generator).cpu().eval().requires_grad_(False)
    meta = {"prior": {"name": "normal", "mean": 0.0, "std": 1.0, "slider_range": 3.0},
            "seed": trainer.config.seed, "steps": trainer.steps, "training_seconds": round(trainer.seconds, 1),
            "config": trainer.config.to_dict()}
    name = f"trained on this page (seed {trainer.config.seed}, {trainer.steps} steps, {trainer.epoch:.1f} epochs)"
    st.session_state["cgan_session_model"] = LoadedModel(generator, meta, name, f"session:{id(generator)}")


def _use_file() -> None:
    st.session_state["cgan_session_model"] = None


def _grid_image(grid: np.ndarray, scale: int = 2) -> np.ndarray:
    rows, cols = grid.shape[:2]
    return upscale(tile(to_uint8(grid.reshape(rows * cols, 28, 28)), rows, cols), scale)


def judge_readout(trainer: CGANTrainer) -> None:
    """The judge's conditional accuracy on 20 digits per label, measured again once a second of training."""
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


def draw_training(trainer: CGANTrainer) -> None:
    st.progress(min(1.0, trainer.epoch / GOAL_EPOCHS),
                text=f"epoch {trainer.epoch:.1f} of {GOAL_EPOCHS} · step {trainer.steps} · "
                     f"{trainer.seconds:.0f} s of training · {trainer.steps_per_second:.0f} steps/s")
    left, right = st.columns([1, 1], gap="large")
    with left:
        st.image(png_bytes(_grid_image(trainer.sample_grid(), 3)), width="stretch",
                 caption="Now: EMA generator at 4 fixed z's (rows) × the ten labels (columns)")
        judge_readout(trainer)
    with right:
        if len(trainer.history):
            st.vega_lite_chart(figures.discriminator_scores(trainer), width="stretch")
            if trainer.shows_probability:
                st.caption("D(x, y) is D's probability that x is a real digit of class y. G wins ground when "
                           "the two lines approach ½, where D can no longer tell real from generated.")
            st.vega_lite_chart(figures.loss_curves(trainer), width="stretch")
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


def architecture_view() -> None:
    config = lifecycle.current_config(PREFIX)
    config = config if config is not None and not config.validate() else CGANConfig()
    rows = architecture_table(config.latent_dim, config.width, config.d_width, config.batch_norm)
    st.markdown("DCGAN-style, as the lectures say modern GANs are: G *grows* a 7 × 7 map into a 28 × 28 digit "
                "with transposed convolutions; D *shrinks* the digit with strided convolutions to a probability. "
                "The label enters G as a learned embedding and D as a projection, plus a head that names the digit.")
    st.vega_lite_chart(figures.architecture_spec(rows), width="content")
    st.dataframe([{"network": r["network"], "layer": r["layer"], "what": r["kind"],
                   "output": " × ".join(map(str, r["shape"])), "parameters": r["params"]} for r in rows],
                 hide_index=True)


TRAINING = lifecycle.Lesson(
    prefix="cgan",
    config_cls=CGANConfig,
    build=build_trainer,
    advance=lambda t, seconds: t.run_for(seconds),
    draw=draw_training,
    step_size=STEP_CHUNK,
    step_piece=5,  # about half a second per piece: the progress bar moves, a click is never mid-step
    nominal_interval=0.5,
    nominal_train_seconds=TICK_BUDGET_S,
    columns=4,
)


# ----- quality --------------------------------------------------------------------------------
def _measure(model: LoadedModel) -> None:
    judge, _ = load_judge()
    baseline = judge_baseline()
    st.session_state.setdefault("cgan_quality", {})[model.id] = evaluate(
        model.generator, judge, QUALITY_SAMPLES, seed=global_seed(), baseline=baseline)


def _show_quality(q: dict, label: str) -> None:
    a, b, c, d = st.columns(4)
    a.metric("Conditional accuracy", f"{q['conditional_accuracy']:.1%}",
             help="Share of generated digits the judge reads as the requested digit")
    b.metric("Diversity vs real", f"{q['diversity_ratio']:.2f}",
             help="Mean pairwise distance between judge features of generated digits, divided by the same "
                  "for real digits of that class. 1 = as varied as real handwriting; far below 1 = mode collapse.")
    c.metric("Fréchet distance", f"{q['mean_frechet']:.1f}",
             help=f"Mean over digits, between Gaussians fitted to judge features of {q['frechet_sample_size']} "
                  "generated and real digits per class. Lower is closer to real.")
    d.metric("Fréchet, real vs real", f"{q['mean_real_frechet']:.1f}",
             help="The floor: two disjoint halves of the real digits compared the same way.")
    st.caption(label)
    st.vega_lite_chart(figures.per_class_quality(q["per_class"]), width="content")


def quality_view(model: LoadedModel | None) -> None:
    st.markdown(TEXT["quality"])
    try:
        _, judge_meta = load_judge()
        st.caption(f"Judge: a small CNN, {judge_meta.get('held_out_accuracy', float('nan')):.1%} accurate on "
                   f"{judge_meta.get('held_out_digits')} held-out real digits.")
    except checkpoint.CheckpointError as exc:
        st.error(f"The judge classifier cannot be loaded, so quality cannot be measured: {exc}")
        return
    if model is None:
        st.info("No generator to measure: load a checkpoint or train one.")
        return
    stored = model.meta.get("quality")
    if stored:
        _show_quality(stored, f"Recorded when this checkpoint was made: {stored['samples_per_class']} samples "
                              "per digit (see its JSON).")
        curve = model.meta.get("accuracy_vs_time")
        if curve:
            st.vega_lite_chart(figures.accuracy_vs_time(curve), width="stretch")
    st.button(f"Measure this generator now ({QUALITY_SAMPLES} samples per digit)", key="cgan_measure",
              on_click=lifecycle.callback("cgan", "Measure", _measure), args=(model,), icon=":material/straighten:")
    measured = st.session_state.get("cgan_quality", {}).get(model.id)
    if measured:
        _show_quality(measured, f"Measured now: {QUALITY_SAMPLES} samples per digit, seed {measured['seed']}.")


# ----- page -----------------------------------------------------------------------------------
st.title("CGAN latent explorer")
st.markdown(TEXT["intro"])

model, load_error = current_model()
explore_tab, train_tab, quality_tab = st.tabs(["Explore z", "Train from scratch", "Quality"])

with explore_tab:
    with st.expander("Model file", expanded=load_error is not None):
        st.text_input("Generator checkpoint (.safetensors, with its .json beside it)",
                      value=str(checkpoint.DEFAULT_GENERATOR.relative_to(ROOT)), key="cgan_checkpoint")
        if st.session_state.get("cgan_session_model") is not None:
            st.button("Back to the checkpoint file", key="cgan_use_file", on_click=lifecycle.callback("cgan", "Use file", _use_file))
    if load_error:
        st.error(f"Could not load the generator. {load_error}", icon=":material/error:")
        st.info("You can still train a CGAN from scratch in the **Train from scratch** tab and press "
                "**Use this model**.")
    if model is not None:
        st.caption(f"Model: {model.name} · latent z ∈ ℝ^{model.generator.latent_dim}, prior N(0, 1)")
        explorer_view(model)

with train_tab:
    st.markdown(TEXT["training"])
    with st.expander("The two networks (architecture)"):
        architecture_view()
    lifecycle.render(TRAINING)
    st.button("Use this model in the explorer", key="cgan_use_trained",
              on_click=lifecycle.with_trainer, args=("cgan", _use_trained, "Taking the trained model"),
              icon=":material/input:", disabled=lifecycle.trainer("cgan") is None,
              help="For this browser session only; the shipped file is never changed.")

with quality_tab:
    quality_view(model)

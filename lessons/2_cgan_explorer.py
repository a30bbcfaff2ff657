"""CGAN latent explorer: the label picks the digit, the latent z carries the style."""
from __future__ import annotations

import copy
import hashlib
from pathlib import Path

import numpy as np
import streamlit as st

from gan_core.cgan import checkpoint, figures
from gan_core.cgan.config import CGANConfig
from gan_core.cgan.explorer import LatentExplorer, latent_influence, tile, to_uint8, upscale
from gan_core.cgan.metrics import evaluate, real_baseline
from gan_core.cgan.mnist import NUM_CLASSES
from gan_core.cgan.trainer import CGANTrainer
from gan_core.device import resolve_device
from ui import lifecycle, notes
from ui.settings import global_device, global_seed

PREFIX = "cgan"
SHOWN_DIMS = 12  # sliders for the most influential dimensions; the rest stay fixed
SLIDER_STEP = 0.05
TICK_BUDGET_S = 0.1  # training time per live tick (the rest of a tick redraws)
GOAL_EPOCHS = 40  # the progress bar's target: enough for clean digits with the defaults
STEP_CHUNK = 25
TIMELINE_EPOCHS = (0, 1, 2, 5, 10, 20, 40)
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

    big, row = model.explorer.render(z, digit)
    st.session_state["cgan_render_digest"] = hashlib.sha1(big.tobytes()).hexdigest()
    with view:
        st.image(big, caption=f"G(z, y = {digit})", width=280)
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


def _timeline(trainer: CGANTrainer) -> list[dict]:
    """Snapshots closest to the lecture-style epoch marks (plus the latest)."""
    snaps = trainer.snapshots
    picked: list[dict] = []
    for mark in TIMELINE_EPOCHS:
        if mark > trainer.epoch:
            break
        best = min(snaps, key=lambda s: abs(s["epoch"] - mark))
        if best not in picked:
            picked.append(best)
    if snaps and snaps[-1] not in picked:
        picked.append(snaps[-1])
    return picked[:1] + picked[-5:] if len(picked) > 6 else picked  # always keep epoch 0: pure noise


def draw_training(trainer: CGANTrainer) -> None:
    st.progress(min(1.0, trainer.epoch / GOAL_EPOCHS),
                text=f"epoch {trainer.epoch:.1f} of {GOAL_EPOCHS} · step {trainer.steps} · "
                     f"{trainer.seconds:.0f} s of training · {trainer.steps_per_second:.0f} steps/s")
    left, right = st.columns([1, 1], gap="large")
    with left:
        st.image(_grid_image(trainer.sample_grid(), 3), width="stretch",
                 caption="Now: EMA generator at 4 fixed z's (rows) × the ten labels (columns)")
        st.caption("Same z in every snapshot, so any change is the generator learning, not new noise.")
    with right:
        if len(trainer.history):
            st.vega_lite_chart(figures.loss_curves(trainer), width="stretch")
            st.vega_lite_chart(figures.discriminator_scores(trainer), width="stretch")
        else:
            st.caption("Press Start (or Step) and the losses appear here.")
    timeline = _timeline(trainer)
    st.markdown("**From noise to digits** — the same fixed z's at growing epochs")
    cols = st.columns(max(len(timeline), 1))
    for col, snap in zip(cols, timeline):
        col.image(_grid_image(snap["grid"][:2], 1), width="stretch",
                  caption=f"epoch {snap['epoch']} · {snap['seconds']:.0f} s")


TRAINING = lifecycle.Lesson(
    prefix="cgan",
    config_cls=CGANConfig,
    build=build_trainer,
    advance=lambda t, seconds: t.run_for(seconds),
    draw=draw_training,
    step_size=STEP_CHUNK,
    step_piece=5,  # about half a second per piece: the progress bar moves, a click is never mid-step
    nominal_interval=0.25,
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
    lifecycle.render(TRAINING)
    st.button("Use this model in the explorer", key="cgan_use_trained",
              on_click=lifecycle.with_trainer, args=("cgan", _use_trained, "Taking the trained model"),
              icon=":material/input:", disabled=lifecycle.trainer("cgan") is None,
              help="For this browser session only; the shipped file is never changed.")

with quality_tab:
    quality_view(model)

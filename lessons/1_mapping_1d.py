"""Lesson 1: a generator learns, live, to turn simple noise z into samples of a 1-D target.

UI only: widgets build a Mapping1DConfig, a Trainer1D lives in st.session_state, one fragment
advances it a few milliseconds per tick and redraws the charts built by gan_core.mapping_1d.figures.
"""
from __future__ import annotations

import dataclasses
import math
import time

import streamlit as st

from gan_core.device import resolve_device
from gan_core.mapping_1d import figures
from gan_core.mapping_1d.config import LIMITS, LOSSES, NOISES, Mapping1DConfig
from gan_core.mapping_1d.scenarios import SCENARIOS, scenario_for
from gan_core.mapping_1d.targets import parse_target
from gan_core.mapping_1d.trainer import Trainer1D
from ui import live, settings

PREFIX = "m1d"
TRAINER = "m1d_trainer"  # the run: one Trainer1D per browser session
DEVICE = "m1d_trainer_device"
ERROR = "m1d_error"  # a message about an unexpected failure, shown until the next reset
TICK_BUDGET_S = 0.015  # training time per live tick: the page stays responsive on a busy server
MAX_TICK_BUDGET_S = 0.045
LAST_TICK = "m1d_last_tick"
RATE_MARKS = "m1d_rate_marks"  # (time, step) of recent ticks
MAX_STEPS_PER_TICK = 1000
STEP_CHUNK = 50  # generator steps per press of "Step"
SETTINGS_OPEN = "m1d_settings_open"
SCENARIO_PICK = "m1d_scenario"
PERSIST = "session"  # controls keep their values when the lecturer visits another lesson and returns

DEFAULTS = Mapping1DConfig()

# The live charts are redrawn every tick; on a busy server Streamlit would fade them out ("stale") while
# the next tick computes, so the projected picture would flicker. Keep them fully visible.
LIVE_PANEL_CSS = """<style>
.st-key-m1d_live [data-stale="true"] { opacity: 1 !important; transition: none !important; }
</style>"""

TARGET_KINDS = {
    "normal": "Normal N(µ, σ²)",
    "uniform": "Uniform U(a, b)",
    "mixture": "Two-Gaussian mixture",
    "exp": "Exponential (x = −ln z)",
}
SHORT_LOSSES = {
    "nonsaturating": "Non-saturating",
    "minimax": "Saturating minimax",
    "least_squares": "Least squares",
    "wgan_gp": "WGAN-GP",
}
# Widget keys of the target's parameters, with the value each starts from.
TARGET_PARAMS = {
    "normal": {"m1d_mu": 3.0, "m1d_sigma": 0.7},
    "uniform": {"m1d_a": -1.0, "m1d_b": 2.0},
    "mixture": {"m1d_w1": 0.5, "m1d_mu1": -2.0, "m1d_s1": 0.5, "m1d_mu2": 2.0, "m1d_s2": 0.5},
    "exp": {"m1d_rate": 1.0},
}
FIELD_LABELS = {
    "target": "target",
    "noise": "noise",
    "loss": "loss",
    "lr_g": "learning rate of G",
    "lr_d": "learning rate of D",
    "d_steps": "D steps per G step",
    "width": "network width",
    "batch_size": "batch size",
    "seed": "seed",
    "ema": "EMA of G's weights",
    "beta1": "Adam β1",
    "beta2": "Adam β2",
    "r1": "R1 penalty γ",
    "gp_weight": "gradient-penalty weight",
    "device": "compute device",
}


# ------------------------------------------------------------------ settings <-> widgets


def _num(value) -> str:
    # An emptied box (None) leaves a gap in the spec, so validate() reports the target as incomplete.
    return f"{float(value):g}" if isinstance(value, (int, float)) else ""


def _target_spec(state) -> str:
    kind = state.get("m1d_kind", "normal")
    p = {k: state.get(k, v) for k, v in TARGET_PARAMS.get(kind, {}).items()}
    if kind == "normal":
        return f"normal:{_num(p['m1d_mu'])},{_num(p['m1d_sigma'])}"
    if kind == "uniform":
        return f"uniform:{_num(p['m1d_a'])},{_num(p['m1d_b'])}"
    if kind == "mixture":
        w1 = p["m1d_w1"]
        w2 = 1.0 - w1 if isinstance(w1, (int, float)) else None
        return (f"mixture:{_num(w1)},{_num(p['m1d_mu1'])},{_num(p['m1d_s1'])};"
                f"{_num(w2)},{_num(p['m1d_mu2'])},{_num(p['m1d_s2'])}")
    return f"exp:{_num(p['m1d_rate'])}"


def _widget_values(config: Mapping1DConfig) -> dict:
    """The widget keys and values that show `config` (used to start the controls and to revert them)."""
    values = {
        "m1d_noise": config.noise,
        "m1d_loss": config.loss,
        "m1d_lr_g": float(config.lr_g),
        "m1d_lr_d": float(config.lr_d),
        "m1d_d_steps": int(config.d_steps),
        "m1d_width": int(config.width),
        "m1d_batch_size": int(config.batch_size),
        "m1d_ema": float(getattr(config, "ema", 0.0)),
        "m1d_beta1": float(getattr(config, "beta1", 0.5)),
        "m1d_beta2": float(config.beta2),
        "m1d_r1": float(config.r1),
        "m1d_gp_weight": float(getattr(config, "gp_weight", 10.0)),
    }
    # The target's numbers, read back from its canonical spec string ("normal:3,0.7", "mixture:w,µ,σ;w,µ,σ").
    try:
        spec = parse_target(config.target).spec
    except ValueError:
        return values
    kind, _, rest = spec.partition(":")
    numbers = [float(v) for v in rest.replace(";", ",").split(",")]
    keys = {
        "normal": ["m1d_mu", "m1d_sigma"],
        "uniform": ["m1d_a", "m1d_b"],
        "exp": ["m1d_rate"],
        "mixture": ["m1d_w1", "m1d_mu1", "m1d_s1", None, "m1d_mu2", "m1d_s2"],
    }.get(kind)
    if keys is not None and len(keys) == len(numbers):
        values["m1d_kind"] = kind
        values.update({k: v for k, v in zip(keys, numbers) if k is not None})
    return values


def _init_widget_state() -> None:
    """First visit: every control starts at the tuned defaults."""
    start = {k: v for params in TARGET_PARAMS.values() for k, v in params.items()}
    start.update(_widget_values(DEFAULTS))
    for key, value in start.items():
        st.session_state.setdefault(key, value)


def config_from_controls() -> Mapping1DConfig:
    """The settings the controls currently show (not necessarily valid)."""
    state = st.session_state
    extra = {}
    for name in ("ema", "beta1", "beta2", "r1", "gp_weight"):
        if any(f.name == name for f in dataclasses.fields(Mapping1DConfig)):
            extra[name] = _as_number(state.get(f"m1d_{name}"), float)
    return Mapping1DConfig(
        target=_target_spec(state),
        noise=state.get("m1d_noise", DEFAULTS.noise),
        loss=state.get("m1d_loss", DEFAULTS.loss),
        lr_g=_as_number(state.get("m1d_lr_g"), float),
        lr_d=_as_number(state.get("m1d_lr_d"), float),
        d_steps=_as_number(state.get("m1d_d_steps"), int),
        width=_as_number(state.get("m1d_width"), int),
        batch_size=_as_number(state.get("m1d_batch_size"), int),
        seed=settings.global_seed(),
        **extra,
    )


def _as_number(value, kind):
    # An emptied number box gives None; validate() then says "must be a number".
    return kind(value) if isinstance(value, (int, float)) else value


def _changed_fields(running: Mapping1DConfig, wanted: Mapping1DConfig) -> list[str]:
    out = [f.name for f in dataclasses.fields(Mapping1DConfig) if getattr(running, f.name) != getattr(wanted, f.name)]
    if _canonical_target(running.target) == _canonical_target(wanted.target) and "target" in out:
        out.remove("target")
    return out


def _canonical_target(spec: str) -> str:
    try:
        return parse_target(spec).spec
    except ValueError:
        return spec


# ------------------------------------------------------------------ the run and its callbacks


def _device() -> str:
    return resolve_device(settings.global_device()).type


def _new_trainer(config: Mapping1DConfig) -> None:
    trainer = Trainer1D(config, device=_device())
    st.session_state[TRAINER] = trainer
    st.session_state[DEVICE] = _device()
    st.session_state[ERROR] = None
    _head_start(trainer)


def _head_start(trainer: Trainer1D) -> None:
    """A scenario that lets D win first trains D alone before G's first step (same on every reset)."""
    scenario = scenario_for(trainer.config)
    if scenario is not None and scenario.d_head_start:
        trainer.train_discriminator(scenario.d_head_start)


def _reset_run(trainer: Trainer1D) -> None:
    trainer.reset()
    _head_start(trainer)


def _trainer() -> Trainer1D | None:
    return st.session_state.get(TRAINER)


def _guard(action, what: str) -> None:
    live.run_guarded(PREFIX, ERROR, action, what)


def on_step() -> None:
    trainer = _trainer()
    if trainer is not None:
        _guard(lambda: trainer.step(STEP_CHUNK), "Training step")


def on_reset() -> None:
    """Reset starts a fresh run with the settings the controls show (if they are valid)."""
    wanted = config_from_controls()
    trainer = _trainer()
    if not wanted.validate():
        st.session_state[ERROR] = None
        _guard(lambda: _new_trainer(wanted), "Starting a new run")
    elif trainer is not None:
        st.session_state[ERROR] = None
        _guard(lambda: _reset_run(trainer), "Reset")


def on_apply() -> None:
    live.set_running(PREFIX, False)
    on_reset()


def on_revert() -> None:
    trainer = _trainer()
    if trainer is None:
        return
    for key, value in _widget_values(trainer.config).items():
        st.session_state[key] = value
    # The sidebar's seed and device too, but only when they differ (touching them otherwise just logs
    # Streamlit's "default value and Session State" warning).
    if settings.global_seed() != int(trainer.config.seed):
        st.session_state[settings.SEED_KEY] = int(trainer.config.seed)
    if st.session_state.get(DEVICE) and st.session_state.get(DEVICE) != _device():
        st.session_state[settings.DEVICE_KEY] = st.session_state[DEVICE]


def on_load_scenario() -> None:
    """Set every control to the chosen scenario and start it afresh (the sidebar's seed is kept)."""
    scenario = SCENARIOS.get(st.session_state.get(SCENARIO_PICK))
    if scenario is None:
        return
    live.set_running(PREFIX, False)
    for key, value in _widget_values(scenario.config).items():
        st.session_state[key] = value
    config = scenario.config_for(settings.global_seed())
    if config.seed != settings.global_seed():  # the scenario's own seed goes into the sidebar too
        st.session_state[settings.SEED_KEY] = config.seed
    st.session_state[ERROR] = None
    _guard(lambda: _new_trainer(config), "Loading the scenario")


def on_restore() -> None:
    trainer = _trainer()
    if trainer is not None:
        _guard(trainer.restore_last_good, "Restoring the last good state")


def on_clear_error() -> None:
    st.session_state[ERROR] = None


# ------------------------------------------------------------------ controls


def _message(errors: dict[str, str], field: str) -> None:
    if field in errors:
        st.error(errors[field], icon=":material/error:")


def render_scenarios() -> None:
    """One-click lesson setups: set every control and start afresh."""
    st.session_state.setdefault(SCENARIO_PICK, "default")
    pick, load, _ = st.columns([3, 1, 2], vertical_alignment="bottom")
    pick.selectbox("Scenario", list(SCENARIOS), format_func=lambda k: SCENARIOS[k].title, key=SCENARIO_PICK,
                   help="Sets every control below to a ready-made lesson and starts a fresh run. The sidebar's "
                        "seed is kept unless the scenario names one.")
    load.button("Load", key="m1d_load", on_click=on_load_scenario, icon=":material/play_lesson:", width="stretch")
    chosen = SCENARIOS[st.session_state[SCENARIO_PICK]]
    st.caption(f"**What to watch:** {chosen.watch}")


def render_controls() -> dict[str, str]:
    """The settings panel; returns validate()'s messages for what the controls show."""
    # Folded away when a run starts so the charts fill the projector; one click opens it again.
    running = live.is_running(PREFIX)
    if running and not st.session_state.get("m1d_was_running"):
        st.session_state[SETTINGS_OPEN] = False
    st.session_state["m1d_was_running"] = running
    st.session_state.setdefault(SETTINGS_OPEN, True)
    with st.expander("Settings", key=SETTINGS_OPEN, on_change="rerun", icon=":material/tune:"):
        st.caption(
            "Before the first step, changes apply at once. Once a run has started they wait for "
            "**Apply & restart** (or Reset), so a run is never thrown away by accident. "
            "The seed is in the sidebar: same seed + same settings = the same run."
        )
        c_target, c_game, c_learn, c_net = st.columns([1.25, 1, 1, 1], gap="medium")
        with c_target:
            st.markdown("**Target p(x)** — the data G must learn to produce")
            kind = st.selectbox("Target distribution", list(TARGET_KINDS), format_func=TARGET_KINDS.get,
                                key="m1d_kind", persist_state=PERSIST)
            num = {"format": "%g", "persist_state": PERSIST}
            if kind == "normal":
                a, b = st.columns(2)
                a.number_input("mean µ", step=0.5, key="m1d_mu", **num)
                b.number_input("std σ", step=0.1, key="m1d_sigma", **num, help="Must be greater than 0.")
            elif kind == "uniform":
                a, b = st.columns(2)
                a.number_input("from a", step=0.5, key="m1d_a", **num)
                b.number_input("to b", step=0.5, key="m1d_b", **num, help="Must be greater than a.")
            elif kind == "mixture":
                st.number_input("weight of bump 1 (bump 2 gets the rest)", step=0.05, key="m1d_w1", **num,
                                help="Strictly between 0 and 1.")
                a, b, c, d = st.columns(4)
                a.number_input("µ₁", step=0.5, key="m1d_mu1", **num)
                b.number_input("σ₁", step=0.1, key="m1d_s1", **num)
                c.number_input("µ₂", step=0.5, key="m1d_mu2", **num)
                d.number_input("σ₂", step=0.1, key="m1d_s2", **num)
            else:
                st.number_input("rate λ", step=0.25, key="m1d_rate", **num,
                                help="Exp(λ) has density λ·e^(−λx) for x ≥ 0; with z ~ U(0,1), "
                                     "x = −ln(z)/λ is a perfect generator.")
            wanted = config_from_controls()
            errors = wanted.validate()
            _message(errors, "target")
            if "target" not in errors:
                st.caption(f"p(x) = {parse_target(wanted.target).label}")

        with c_game:
            st.markdown("**The game**")
            st.radio("Noise z", list(NOISES), format_func=NOISES.get, key="m1d_noise", horizontal=True,
                     persist_state=PERSIST, help="What G is fed. G is deterministic: all randomness comes from z.")
            _message(errors, "noise")
            st.selectbox("Loss", list(LOSSES), format_func=lambda v: SHORT_LOSSES.get(v, LOSSES[v]), key="m1d_loss",
                         persist_state=PERSIST,
                         help="How D is scored and what G tries to minimise (see 'The maths behind the losses' "
                              "below):\n\n" + "\n".join(f"- {label}" for label in LOSSES.values()))
            _message(errors, "loss")
            lo, hi = LIMITS["d_steps"]
            st.number_input("D steps per G step", step=1, key="m1d_d_steps",
                            persist_state=PERSIST,
                            help=f"Whole number from {lo:g} to {hi:g}. More D steps = a stronger D.")
            _message(errors, "d_steps")

        with c_learn:
            st.markdown("**Learning**")
            for field, label, helptext in (
                ("lr_g", "Learning rate of G", "Adam step size for the generator."),
                ("lr_d", "Learning rate of D", "Adam step size for the discriminator."),
            ):
                lo, hi = LIMITS[field]
                st.number_input(label, step=5e-4, format="%g", key=f"m1d_{field}", persist_state=PERSIST,
                                help=f"{helptext} Allowed: {lo:g} … {hi:g}.")
                _message(errors, field)
            lo, hi = LIMITS["batch_size"]
            st.number_input("Batch size", step=32, key="m1d_batch_size", persist_state=PERSIST,
                            help=f"Real and generated samples per step ({lo:g} … {hi:g}).")
            _message(errors, "batch_size")

        with c_net:
            st.markdown("**Networks** (G and D: 2 hidden layers)")
            lo, hi = LIMITS["width"]
            st.number_input("Width (units per hidden layer)", step=8, key="m1d_width", persist_state=PERSIST,
                            help=f"{lo:g} … {hi:g}.")
            _message(errors, "width")
            lo, hi = LIMITS["ema"]
            st.number_input("EMA decay of G's weights", step=0.001, format="%g", key="m1d_ema",
                            persist_state=PERSIST,
                            help="The drawn G is a running average of G's weights; it smooths the jitter of "
                                 f"the two-player game. 0 turns it off and shows the raw G. Allowed: {lo:g} … {hi:g}.")
            _message(errors, "ema")
            lo, hi = LIMITS["r1"]
            st.number_input("R1 penalty γ on D", step=0.5, format="%g", key="m1d_r1", persist_state=PERSIST,
                            help="Penalises the steepness of D at real data (BCE and least-squares losses), so D "
                                 "cannot build a cliff that G overshoots. 0 = off: a sharper, stronger D "
                                 f"(needed to let D win). Allowed: {lo:g} … {hi:g}.")
            _message(errors, "r1")
            b1, b2 = st.columns(2)
            lo, hi = LIMITS["beta1"]
            b1.number_input("Adam β1", step=0.05, format="%g", key="m1d_beta1", persist_state=PERSIST,
                            help="Momentum of both optimisers. 0 (the default) lets each player react to the "
                                 f"other's latest move without overshooting. Allowed: {lo:g} … {hi:g}.")
            lo, hi = LIMITS["beta2"]
            b2.number_input("Adam β2", step=0.001, format="%g", key="m1d_beta2", persist_state=PERSIST,
                            help=f"How long Adam remembers gradient sizes. Allowed: {lo:g} … {hi:g}.")
            _message(errors, "beta1")
            _message(errors, "beta2")
            if st.session_state.get("m1d_loss") == "wgan_gp":
                lo, hi = LIMITS["gp_weight"]
                st.number_input("Gradient-penalty weight λ", step=0.05, format="%g", key="m1d_gp_weight",
                                persist_state=PERSIST,
                                help="WGAN-GP pulls the critic's slope towards 1 between real and generated "
                                     f"samples; 0.1 suits these standardised 1-D units. Allowed: {lo:g} … {hi:g}.")
            _message(errors, "gp_weight")
        _message(errors, "seed")
    return errors


def sync_run(errors: dict[str, str]) -> list[str]:
    """Create the run, apply changed settings if nothing is lost by it; return the still-pending changes."""
    wanted = config_from_controls()
    trainer = _trainer()
    if trainer is None:
        _guard(lambda: _new_trainer(wanted if not errors else DEFAULTS), "Starting the run")
        return []
    pending = _changed_fields(trainer.config, wanted)
    if st.session_state.get(DEVICE) != _device():
        pending.append("device")
    if pending and not errors and trainer.steps == 0 and not live.is_running(PREFIX):
        _guard(lambda: _new_trainer(wanted), "Applying the settings")
        return []
    return pending


def render_pending(pending: list[str], errors: dict[str, str]) -> None:
    if not pending:
        return
    trainer = _trainer()
    names = ", ".join(FIELD_LABELS.get(p, p) for p in pending)
    with st.container(border=True):
        text, apply_col, revert_col = st.columns([4, 1, 1], vertical_alignment="center")
        if errors:
            text.warning(f"Changed: {names}. Fix the highlighted settings; the current run "
                         f"({trainer.steps:,} steps) keeps its old settings.", icon=":material/edit:")
        else:
            text.info(f"Changed: {names}. The current run ({trainer.steps:,} steps) keeps its old settings "
                      "until you apply them — that starts a fresh run.", icon=":material/edit:")
        apply_col.button("Apply & restart", key="m1d_apply", type="primary", on_click=on_apply,
                         disabled=bool(errors), icon=":material/restart_alt:", width="stretch")
        revert_col.button("Revert controls", key="m1d_revert", on_click=on_revert,
                          icon=":material/undo:", width="stretch")


def render_faults() -> None:
    """Divergence or an unexpected failure: the run is paused, say why, offer the way out."""
    trainer = _trainer()
    error = st.session_state.get(ERROR)
    if error:
        st.error(f"**Training stopped.** {error}", icon=":material/report:")
        st.button("Dismiss", key="m1d_dismiss", on_click=on_clear_error)
    if trainer is not None and trainer.status == "diverged":
        last_good = getattr(trainer, "last_good_step", None)
        st.error(
            f"**The run diverged and has been paused.** {trainer.message or ''}\n\n"
            "In a GAN each network's step changes the other's problem; a step that is too large overshoots, "
            "and the numbers run away to infinity (NaN). Smaller learning rates, fewer D steps or the "
            "non-saturating loss usually tame it.",
            icon=":material/warning:",
        )
        a, b, _ = st.columns([2.2, 1, 2])
        a.button("Restore last good state" + (f" (step {last_good:,})" if last_good is not None else ""),
                 key="m1d_restore", type="primary", on_click=on_restore, icon=":material/history:", width="stretch")
        b.button("Reset", key="m1d_fault_reset", on_click=_reset_from_fault,
                 icon=":material/restart_alt:", width="stretch")


def _reset_from_fault() -> None:
    live.set_running(PREFIX, False)
    on_reset()


# ------------------------------------------------------------------ the live panel


def _fmt(value: float, spec: str) -> str:
    return format(value, spec) if value is not None and math.isfinite(value) else "—"


def draw(trainer: Trainer1D) -> None:
    # Compute everything first, then emit the elements in one burst: elements not yet redrawn while the
    # server is still busy would be shown faded ("stale") for a moment on every tick.
    numbers = figures.live_numbers(trainer)
    rate = live_rate(trainer)
    try:
        figs = figures.build_live_figures(trainer)
        _share_datasets(figs)
        drawing_error = None
    except Exception as exc:  # noqa: BLE001 - a drawing problem must not take the page down
        figs, drawing_error = None, f"Could not draw the charts this time ({type(exc).__name__}: {exc})."
    probability = bool(getattr(trainer, "discriminator_is_probability", True))
    d_name = "D" if probability else "critic"
    m = st.columns(6)
    m[0].metric("Generator step", f"{numbers['step']:,}", help="Each G step follows `D steps per G step` D steps.")
    m[1].metric("Steps / second", _fmt(rate, ",.0f") if live.is_running(PREFIX) else "paused",
                help="Generator steps per second of wall-clock time, as you see them. While a tick computes, "
                     f"training runs at about {numbers['steps_per_second']:,.0f} steps/s; the rest of each tick "
                     "goes to drawing, so many sessions can share one machine.")
    m[2].metric("W1 to target", _fmt(numbers["w1"], ".3f"),
                help="Exact 1-D Wasserstein distance between G's output and the target, in x units.")
    m[3].metric("W1 / σ", _fmt(numbers["w1_over_sigma"], ".2f"),
                help="W1 in units of the target's standard deviation; below 0.1 the two are hard to tell apart by eye.")
    m[4].metric(f"mean {d_name}(real)", _fmt(numbers["d_real"], ".3f"))
    m[5].metric(f"mean {d_name}(G(z))", _fmt(numbers["d_fake"], ".3f"))

    if figs is None:
        st.warning(drawing_error)
        return
    loss = trainer.config.loss
    left, right = st.columns([3, 2], gap="medium")
    with left:
        # The transport panel sits right under the histogram with the same x positions (Goodfellow et al.'s
        # classic picture): lines from z below to x = G(z) above, histograms of those x on top.
        st.vega_lite_chart(figs["density"], width="stretch")
        st.vega_lite_chart(figs["transport"], width="stretch")
        st.caption(_density_text(probability, loss))
        st.caption(
            "**G is deterministic**: all its randomness comes from z. Each coloured line carries the same share "
            "of the noise to x = G(z). Where the dots on the top line bunch together G produces many samples, "
            "where they spread out it produces few: that is how a smooth map turns flat noise into a bump. "
            "Crossing lines would mean G is not monotone. **Red arrows**: the push D's verdict gives a sample "
            "(−∂L_G/∂x, the gradient that trains G; the length is on a log scale: a third of the full length "
            "more = ten times stronger). They shrink as G "
            "fits, and vanish when the saturating loss lets D win."
        )
    with right:
        st.vega_lite_chart(figs["map"], width="stretch")
        st.caption(
            "With z ~ U(0,1) the textbook way to sample p(x) is its inverse CDF, x = F⁻¹(z); the lecture's "
            "x = −ln z for the exponential is the mirror image, F⁻¹(1−z). **G never sees F**: it only follows "
            "D's gradient, yet it ends up drawing (nearly) one of these curves. Both grey maps are perfect: "
            "a GAN only cares *which x come out*, not which z produced them. The dots are the z of the "
            "transport lines."
        )
        with st.container(border=True):
            cfg = trainer.config
            st.markdown(f"**This run:** {trainer.target.label} · {NOISES.get(cfg.noise, cfg.noise)} · "
                        f"{LOSSES.get(loss, loss)}")
            extra = f" · λ {cfg.gp_weight:g}" if loss == "wgan_gp" else ""
            st.caption(f"lr G {cfg.lr_g:g} · lr D {cfg.lr_d:g} · {cfg.d_steps} D step(s) per G step · "
                       f"R1 γ {cfg.r1:g} · width {cfg.width} · batch {cfg.batch_size} · EMA {cfg.ema:g} · "
                       f"Adam β1 {cfg.beta1:g}, β2 {cfg.beta2:g}{extra} · seed {cfg.seed}")
            scenario = scenario_for(cfg)
            if scenario is not None:
                head = (f" D trained alone for {scenario.d_head_start} steps before G's first step."
                        if scenario.d_head_start else "")
                st.caption(f"Scenario **{scenario.title}**.{head} Watch: {scenario.watch}")

    c1, c2, c3, c4 = st.columns(4, gap="small")
    with c1:
        st.vega_lite_chart(figs["losses"], width="stretch")
        st.caption(_loss_text(loss))
    with c2:
        st.vega_lite_chart(figs["verdict"], width="stretch")
        st.caption(
            "D's average verdict on each batch of real and of generated samples. Early on D wins (real high, "
            "fake low); as G improves both meet at 0.5: D is reduced to guessing." if probability else
            "The critic scores real samples high and generated ones low; the gap between the two means "
            "is the critic's estimate of the Wasserstein distance."
        )
    with c3:
        st.vega_lite_chart(figs["w1"], width="stretch")
        st.caption(
            "Wasserstein distance W1: how far, on average, generated samples must move to become the real "
            "distribution (exact in 1-D: compare sorted samples). The honest progress measure; below the "
            "dashed 0.1·σ line the fit is hard to tell apart by eye."
        )
    with c4:
        st.vega_lite_chart(figs["g_grad"], width="stretch")
        if loss in ("minimax", "nonsaturating"):
            # The lecture's comparison on the very same D, right now (two tiny passes through D).
            now = {name: trainer.generator_gradient(name, n=256) for name in ("minimax", "nonsaturating")}
            st.caption(f"**Against D right now:** saturating minimax **{_fmt(now['minimax'], '.2g')}** · "
                       f"non-saturating **{_fmt(now['nonsaturating'], '.2g')}**")
        st.caption(
            "Mean |∂L_G/∂G(z)|: how hard D's verdict pushes each generated sample. With the "
            "**saturating minimax** loss this "
            "vanishes exactly when D wins (D(G(z)) → 0) and G stalls; the non-saturating loss pushes "
            "hardest then."
        )


def _share_datasets(figs: dict[str, dict]) -> None:
    """Serialise each DataFrame to Arrow once per tick, straight from its NumPy columns, and hand Streamlit
    the bytes (it ships bytes as they are). Skipping pandas' Arrow path and the repeats roughly halves the
    serialising cost of a tick."""
    try:
        import pyarrow as pa
        from streamlit.dataframe_util import convert_arrow_table_to_arrow_bytes
    except ImportError:  # another Streamlit layout: let it serialise each chart's data itself
        return
    done: dict[int, bytes] = {}
    for spec in figs.values():
        datasets = spec.get("datasets", {})
        for name, df in datasets.items():
            if id(df) not in done:
                table = pa.table({str(col): df[col].to_numpy() for col in df.columns})
                done[id(df)] = convert_arrow_table_to_arrow_bytes(table)
            datasets[name] = done[id(df)]


def _density_text(probability: bool, loss: str) -> str:
    if probability:
        return (
            "**D is a binary classifier**: a small network ending in a sigmoid, trained with binary cross-entropy "
            "to output 1 on real samples (blue) and 0 on G's samples (orange). Green is its current belief "
            "D(x) = P(x is real). G moves its samples uphill on D — **G wants D(G(z)) → 1**. When orange covers "
            "blue, the best D can do is 0.5 everywhere."
        )
    if loss == "least_squares":
        return (
            "The least-squares D regresses to 1 on real samples (blue) and 0 on G's (orange) instead of using "
            "a sigmoid + cross-entropy; green is its score D(x). G pushes its samples toward where D says 1."
        )
    return (
        "The WGAN critic has no sigmoid: green is a score that is high where real samples are (blue) and low "
        "where G's are (orange), kept smooth by the gradient penalty. G moves its samples up the critic's slope."
    )


def _loss_text(loss: str) -> str:
    if loss == "minimax":
        return ("D minimises BCE; G *maximises* D's loss by minimising log(1 − D(G(z))). GAN losses are a game, "
                "not a fit: they need not go down.")
    if loss == "nonsaturating":
        return ("D minimises binary cross-entropy on real + fake; G minimises −log D(G(z)). At the equilibrium "
                "D's loss sits at 2·ln 2 ≈ 1.39 and G's at ln 2 ≈ 0.69 — losses of a game, not of a fit.")
    if loss == "least_squares":
        return "D: ½(D(x) − 1)² on real + ½D(G(z))² on fake; G: ½(D(G(z)) − 1)². Losses of a game, not of a fit."
    return ("Critic loss E[D(G(z))] − E[D(x)] + gradient penalty; G's loss −E[D(G(z))]. The critic's "
            "loss is roughly −W1 (plus the penalty).")


def live_rate(trainer: Trainer1D) -> float:
    """Steps per wall-clock second over the last ~2 s of ticks (what the class actually sees)."""
    now = time.monotonic()
    marks = [m for m in st.session_state.get(RATE_MARKS, []) if now - m[0] <= 2.0 and m[1] <= trainer.steps]
    marks.append((now, trainer.steps))
    st.session_state[RATE_MARKS] = marks
    (t0, s0), (t1, s1) = marks[0], marks[-1]
    return (s1 - s0) / (t1 - t0) if t1 - t0 > 0.3 else float("nan")


def tick_budget() -> float:
    """Training seconds for this tick: TICK_BUDGET_S at the nominal 10 ticks/s; when ticks arrive slower
    (a busy server, a slow browser) train proportionally longer, up to MAX_TICK_BUDGET_S, so the session
    keeps the same ~15 % share of a core and the class still sees learning at a useful pace."""
    now = time.monotonic()
    last = st.session_state.get(LAST_TICK)
    st.session_state[LAST_TICK] = now
    if last is None or now - last > 2.0:  # first tick after a pause
        return TICK_BUDGET_S
    share = TICK_BUDGET_S / live.TICK_SECONDS
    return float(min(max(share * (now - last), TICK_BUDGET_S), MAX_TICK_BUDGET_S))


@st.fragment(run_every=live.tick_interval(PREFIX))
def live_panel() -> None:
    trainer = _trainer()
    if trainer is None:
        return
    if live.is_running(PREFIX):
        stop = False
        try:
            trainer.run_for(tick_budget(), MAX_STEPS_PER_TICK)
        except Exception as exc:  # noqa: BLE001 - shown on the page, run paused
            st.session_state[ERROR] = f"Training failed: {type(exc).__name__}: {exc}"
            stop = True
        if stop or trainer.status != "ok":
            live.stop_from_fragment(PREFIX)  # reruns the page: the fault box and buttons appear
    try:
        draw(trainer)
    except Exception as exc:  # noqa: BLE001 - never a traceback on the page
        st.session_state[ERROR] = f"Drawing the charts failed: {type(exc).__name__}: {exc}"
        if live.is_running(PREFIX):
            live.stop_from_fragment(PREFIX)
        st.error(st.session_state[ERROR])


# ------------------------------------------------------------------ the page


def render_notes() -> None:
    with st.expander("Ideas to try in class", icon=":material/lightbulb:"):
        st.markdown(
            """
Most of these are one click in **Scenario** at the top of the page (Load, then Start).

1. **Watch it work** (*Default*). Within about 400 generator steps — well under a second of training —
   the orange histogram sits on the blue one, both D curves meet at 0.5 and W1 drops under the dashed
   0.1·σ line.
2. **Why the non-saturating loss** (*Vanishing gradient*, then *The fix*). D trains alone for 300 steps
   while G still sits in the empty gap between two far-apart bumps, so D is sure G's samples are fake.
   Before pressing Start, read the line under "Gradient reaching G": against this D the saturating loss
   gives G about a thousand times less gradient than the non-saturating one would. Press Start: G
   crawls out and, with seed 1, ends stuck on one bump (W1 ≈ σ). Load *The fix* — same D, same head
   start — and G leaves the gap at once and spreads over both bumps. (G does crawl out at all because
   Adam rescales small gradients: an optimiser trick, not the loss.)
3. **x = −ln z** (*exponential*). G has to find the lecture's hand-made map. Seeds 0, 2 and 3 learn the
   decreasing map −ln z, seed 1 the increasing F⁻¹(z): both are perfect (try them in the sidebar).
4. **Two bumps** (*mixture*). A continuous G cannot jump, so it stretches a thin slice of z across the gap:
   the map has a step about 7× steeper than elsewhere, and one or two lone lines cross the transport panel.
5. **Different noise** (*Gaussian noise*). Same target, an S-shaped ideal map, and G still gets there.
6. **Why averaging helps.** EMA decay → 0: the drawn G is now the raw one; from step 2,000 on its W1
   jumps around between 0.03 σ and 0.12 σ, where the averaged G settles steadily to about 0.02 σ.
7. **A stronger D.** D steps per G step → 5: about the same progress per G step, at five times the cost.
   The R1 penalty already keeps D close to its best response; more D steps buy nothing here.
8. **Make it blow up** (*Make it diverge*). WGAN-GP with both learning rates at 0.1 and width 128: within a
   few hundred to a few thousand steps G's outputs explode; the page pauses, explains why, and lets you
   restore the last good state.
"""
        )
    with st.expander("The maths behind the losses", icon=":material/function:"):
        st.markdown(
            r"""
D outputs $D(x)\in(0,1)$ (a sigmoid), the probability that $x$ is real. Both play one game,
$\min_G \max_D \; \mathbb{E}_{x\sim p}\,[\log D(x)] + \mathbb{E}_{z}\,[\log(1 - D(G(z)))]$.

| loss | D minimises | G minimises |
|---|---|---|
| non-saturating | $-\log D(x) - \log(1 - D(G(z)))$ | $-\log D(G(z))$ |
| saturating minimax | same | $\log(1 - D(G(z)))$ |
| least squares | $\tfrac12 (D(x)-1)^2 + \tfrac12 D(G(z))^2$ | $\tfrac12 (D(G(z))-1)^2$ |
| WGAN-GP | $D(G(z)) - D(x) + \lambda(\lVert\nabla D(\hat x)\rVert - 1)^2$ | $-D(G(z))$ |

**Why saturation:** $\frac{\partial}{\partial D}\log(1-D) = -\frac{1}{1-D}$, which is about $-1$ when D is sure
the sample is fake ($D\approx 0$), and the sigmoid's slope there is about $D$ itself: the gradient reaching G is
$\approx D(G(z)) \to 0$. The non-saturating $-\log D$ has slope $-1/D$, which cancels that small factor.
"""
        )


def on_start_over() -> None:
    live.set_running(PREFIX, False)
    st.session_state.pop(TRAINER, None)
    st.session_state[ERROR] = None


def main() -> None:
    st.title("1-D mapping: noise becomes data")
    st.markdown(
        "A generator **G** learns, live, to turn plain random numbers z into samples of a target distribution, "
        "while a discriminator **D** tries to tell its samples from real ones. Press **Start** and watch the "
        "orange histogram move onto the blue one."
    )
    try:
        lesson()
    except Exception as exc:  # noqa: BLE001 - the last safety net: a message and a way out, never a traceback
        live.set_running(PREFIX, False)
        st.error(f"Something unexpected went wrong on this page ({type(exc).__name__}: {exc}). "
                 "Starting over usually helps; your settings are kept.", icon=":material/report:")
        st.button("Start over", key="m1d_start_over", on_click=on_start_over, icon=":material/restart_alt:")


def lesson() -> None:
    _init_widget_state()
    render_scenarios()
    errors = render_controls()
    pending = sync_run(errors)
    render_pending(pending, errors)
    render_faults()
    trainer = _trainer()
    can_run = not errors and trainer is not None and trainer.status == "ok"
    live.control_bar(PREFIX, on_step=on_step, on_reset=on_reset, can_run=can_run, step_label=f"Step ×{STEP_CHUNK}")
    if errors:
        st.caption(":red[Start and Step are disabled until the settings marked in red are fixed.]")
    if trainer is not None:
        st.html(LIVE_PANEL_CSS)
        with st.container(key="m1d_live"):
            live_panel()
    render_notes()


main()

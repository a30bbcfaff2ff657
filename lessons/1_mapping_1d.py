"""Lesson 1: a generator learns, live, to turn simple noise z into samples of a 1-D target.

UI only: the run lifecycle (ui/lifecycle.py) builds a Mapping1DTrainer from the generated settings widgets,
advances it a few milliseconds per tick and calls `draw`, which shows gan_core.mapping_1d.figures.
"""
from __future__ import annotations

import dataclasses
import math
import time

import numpy as np
import streamlit as st

from gan_core.device import resolve_device
from gan_core.mapping_1d import figures
from gan_core.mapping_1d.config import LOSSES, NOISES, Mapping1DConfig
from gan_core.mapping_1d.diagnostics import HALF_TOLERANCE, RECENT_ROWS, d_half_but_apart
from gan_core.mapping_1d.scenarios import SCENARIOS, scenario_for
from gan_core.mapping_1d.targets import TARGET_KINDS, TARGET_PARAMS, parse_target, target_params, target_spec
from gan_core.mapping_1d.trainer import Mapping1DTrainer
from gan_core.step_reading import StepReading
from gan_core.texts import evaluation_note, lessons_index
from ui import lifecycle, notes, presenter, settings
from ui.charts import vega_chart
from ui.numbers import CSS as NUMBERS_CSS
from ui.numbers import numbers as number_row

MAX_STEPS_PER_TICK = 1000
STEP_CHUNK = 50  # generator steps per press of "Step"
SCENARIO_PICK = "m1d_scenario"
SCENARIO_PARAM = "scenario"  # ?scenario=<key> opens the page with that scenario loaded (the lessons index links)
RATE_MARKS = "m1d_rate_marks"  # (time, step) of recent ticks
READINGS = "m1d_readings"  # StepReading per name: measurements reused while the step is the same
TEXT = notes.sections("mapping_1d_captions")
PRESENT_HEIGHT = 300  # histogram and map charts on a projector (which zooms every chart 1.25×): above the fold


# ------------------------------------------------------------------ the run


def head_start(trainer: Mapping1DTrainer) -> Mapping1DTrainer:
    """A scenario that lets D win first trains D alone before G's first step (same on every reset)."""
    scenario = scenario_for(trainer.config)
    if scenario is not None and scenario.d_head_start:
        trainer.train_discriminator(scenario.d_head_start)
    return trainer


def build(config: Mapping1DConfig) -> Mapping1DTrainer:
    return head_start(Mapping1DTrainer(config, device=resolve_device(settings.global_device()).type))


def reset(trainer: Mapping1DTrainer, config: Mapping1DConfig) -> None:
    trainer.reset()
    head_start(trainer)


PARAM_LABELS = {"mu": "mean µ", "sigma": "std σ", "a": "from a", "b": "to b", "w1": "weight of bump 1",
                "mu1": "µ₁", "s1": "σ₁", "mu2": "µ₂", "s2": "σ₂", "rate": "rate λ"}


def target_widget(spec, key, value) -> None:
    """The target as a form: its kind, then its numbers (gan_core turns them into the spec string)."""
    state, made = st.session_state, f"{key}_made"  # the spec this form produced last
    # Set from outside (Revert, a scenario, a link), or forgotten by Streamlit on another page: refill the form.
    if state.get(key) != state.get(made) or "m1d_kind" not in state:
        form = target_params(state.get(key, value))
        if form is not None:
            state["m1d_kind"] = form[0]
            state.update({f"m1d_{name}": number for name, number in form[1].items()})
    kind = st.selectbox(spec.setting.label, list(TARGET_KINDS), format_func=TARGET_KINDS.get, key="m1d_kind",
                        help=spec.setting.help)
    cols = st.columns(min(len(TARGET_PARAMS[kind]), 3))
    for i, (name, start) in enumerate(TARGET_PARAMS[kind].items()):
        state.setdefault(f"m1d_{name}", start)
        cols[i % len(cols)].number_input(PARAM_LABELS[name], format="%g", step=0.1, key=f"m1d_{name}")
    state[key] = state[made] = target_spec(kind, {name: state.get(f"m1d_{name}") for name in TARGET_PARAMS[kind]})
    try:
        st.caption(f"p(x) = {parse_target(state[key]).label}")
    except ValueError:
        pass  # the lifecycle shows validate()'s message under the form


def on_load_scenario() -> None:
    """Set every control to the chosen scenario and start it afresh (the sidebar's seed is kept)."""
    scenario = SCENARIOS.get(st.session_state.get(SCENARIO_PICK))
    if scenario is not None:
        lifecycle.load(LESSON, scenario.config_for(settings.global_seed()), "Loading the scenario")


def scenario_from_link() -> None:
    """?scenario=<key>: load that scenario once, then drop the parameter so the next click loads it again."""
    wanted = st.query_params.get(SCENARIO_PARAM)
    if wanted is None:
        return
    del st.query_params[SCENARIO_PARAM]
    scenario = SCENARIOS.get(wanted)
    if scenario is None:
        st.warning(f"The link asks for a scenario called {wanted!r}, which this page does not have; the "
                   f"scenarios are: {', '.join(SCENARIOS)}.", icon=":material/link_off:")
        return
    st.session_state[SCENARIO_PICK] = wanted
    # The sidebar's seed widget is already drawn in this run, so a link keeps that seed (Load can change it).
    seed = settings.global_seed()
    lifecycle.load(LESSON, dataclasses.replace(scenario.config_for(seed), seed=seed), "Loading the scenario")
    if scenario.seed is not None and scenario.seed != seed:
        st.caption(f"Loaded with the sidebar's seed {seed}; what to watch was measured with seed {scenario.seed} "
                   "(press **Load** to use it).")


def render_lessons_index() -> None:
    """The lectures' three named failures, each one click from the page and scenario that shows it."""
    intro, entries = lessons_index()
    with st.container(border=True, key="lessons_index"):
        st.markdown(intro)
        for col, entry in zip(st.columns(len(entries)), entries):
            with col:
                st.page_link(entry.page, label=f"**{entry.failure}** — {entry.label}",
                             query_params=entry.query or None, icon=":material/arrow_forward:")
                st.caption(entry.text)


def render_scenarios() -> None:
    st.session_state.setdefault(SCENARIO_PICK, "default")
    pick, load, _ = st.columns([3, 1, 2], vertical_alignment="bottom")
    pick.selectbox("Scenario", list(SCENARIOS), format_func=lambda k: SCENARIOS[k].title, key=SCENARIO_PICK,
                   help="Sets every control below to a ready-made lesson and starts a fresh run. The sidebar's "
                        "seed is kept unless the scenario names one.")
    load.button("Load", key="m1d_load", on_click=lifecycle.callback("m1d", "Loading the scenario", on_load_scenario), icon=":material/play_lesson:", width="stretch")
    st.caption(f"**What to watch:** {SCENARIOS[st.session_state[SCENARIO_PICK]].watch}")


# ------------------------------------------------------------------ the live panel


def _fmt(value: float, spec: str) -> str:
    return format(value, spec) if value is not None and math.isfinite(value) else "—"


def live_rate(trainer: Mapping1DTrainer) -> float:
    """Steps per wall-clock second over the last ~2 s of ticks (what the class actually sees)."""
    now = time.monotonic()
    marks = [m for m in st.session_state.get(RATE_MARKS, []) if now - m[0] <= 2.0 and m[1] <= trainer.steps]
    marks.append((now, trainer.steps))
    st.session_state[RATE_MARKS] = marks
    (t0, s0), (t1, s1) = marks[0], marks[-1]
    return (s1 - s0) / (t1 - t0) if t1 - t0 > 0.3 else float("nan")


def d_half_diagnosis(trainer: Mapping1DTrainer, *, running: bool = False):
    """`d_half_but_apart`, which measures W1 and D(x) afresh, only when D's recent means read ½ — its own
    first test, done here on the history alone: most ticks then cost nothing extra. While training runs
    the measurement itself is taken at most every 0.5 s (gan_core/step_reading.py)."""
    hist = trainer.history
    if trainer.steps == 0 or len(hist) == 0:
        return None
    means = [float(np.mean(hist.column(name)[-RECENT_ROWS:])) for name in ("d_real", "d_fake")]
    if not all(abs(m - 0.5) <= HALF_TOLERANCE for m in means):  # NaN fails too, as in d_half_but_apart
        return None
    return reading("diagnosis", d_half_but_apart).get(trainer, running=running)[1]


def against_d_now(trainer: Mapping1DTrainer) -> dict[str, float]:
    """Two tiny passes through D, for the caption "Against D right now" (the lecture's comparison)."""
    return {name: trainer.generator_gradient(name, n=256) for name in ("minimax", "nonsaturating")}


def reading(name: str, compute) -> StepReading:
    """This session's cached reading `name` (measured again when the trainer moves on)."""
    readings = st.session_state.setdefault(READINGS, {})
    if name not in readings:
        readings[name] = StepReading(compute)
    return readings[name]


def gradient_caption(step: int, gradients: dict[str, float]) -> str:
    return (f"**Against D right now** (step {step:,}): saturating minimax **{_fmt(gradients['minimax'], '.2g')}** · "
            f"non-saturating **{_fmt(gradients['nonsaturating'], '.2g')}** — the mean push "
            "|∂L_G/∂x| each loss would give G's samples (chart: *Gradient reaching G*)")


def draw(trainer: Mapping1DTrainer) -> None:
    # Compute everything first, then emit the elements in one burst: elements not yet redrawn while the
    # server is still busy would be shown faded ("stale") for a moment on every tick. Every element costs
    # server time on each tick (docs/classroom.md): texts that change only with the settings are drawn
    # once, under the live panel (reading_guide), and rows are horizontal containers, not columns.
    numbers = figures.live_numbers(trainer)
    rate = live_rate(trainer)
    running = lifecycle.run_of("m1d").running
    present = presenter.is_on()
    try:  # datasets as Arrow bytes, no pandas
        figs = figures.live_charts(trainer, height=PRESENT_HEIGHT if present else None)  # spec, Arrow bytes
        drawing_error = None
    except Exception as exc:  # noqa: BLE001 - a drawing problem must not take the page down
        figs, drawing_error = None, f"Could not draw the charts this time ({type(exc).__name__}: {exc})."
    probability = bool(getattr(trainer, "discriminator_is_probability", True))
    d_name = "D" if probability else "critic"
    evidence = None
    if trainer.config.loss in ("minimax", "nonsaturating"):
        evidence = gradient_caption(*reading("gradients", against_d_now).get(trainer, running=running))
    diagnosis = d_half_diagnosis(trainer, running=running) if figs is not None else None
    # One row of six equal cells: the step counter (a metric, as on every page), then five numbers in one
    # element (ui/numbers.py; ROWS_CSS sizes the two parts so that the six cells are equal).
    m = st.container(horizontal=True, gap="small", key="m1d_numbers")
    m.metric("Generator step", f"{numbers['step']:,}", help="Each G step follows `D steps per G step` D steps.")
    number_row([
        ("Steps / second", _fmt(rate, ",.0f") if running else "paused",
         "Generator steps per second of wall-clock time, as you see them. While a tick computes, training runs "
         f"at about {numbers['steps_per_second']:,.0f} steps/s; the rest of each tick goes to drawing, so many "
         "sessions can share one machine."),
        ("W1 to target", _fmt(numbers["w1"], ".3f"),
         "Exact 1-D Wasserstein distance between G's output and the target, in x units."),
        ("W1 / σ", _fmt(numbers["w1_over_sigma"], ".2f"),
         "W1 in units of the target's standard deviation; below 0.1 the two are hard to tell apart by eye."),
        (f"mean {d_name}(real)", _fmt(numbers["d_real"], ".3f"), None),
        (f"mean {d_name}(G(z))", _fmt(numbers["d_fake"], ".3f"), None),
    ], dg=m)
    if evidence is not None and (not present or figs is None):
        st.caption(evidence)
    if figs is None:
        st.warning(drawing_error)
        return
    left, right = st.columns([3, 2], gap="medium")
    with left:
        # The transport panel sits right under the histogram with the same x positions (Goodfellow et al.'s
        # classic picture): lines from z below to x = G(z) above, histograms of those x on top.
        vega_chart(*figs["density"])
        vega_chart(*figs["transport"])
        density = "probability" if probability else trainer.config.loss
        st.caption(f"{TEXT[f'density_{density}']}\n\n{TEXT['transport']}")
    with right:
        if present and evidence is not None:  # on a projector: beside the histogram, so both are on the first screen
            st.caption(evidence)
        vega_chart(*figs["map"])
        st.caption(f"{TEXT['map']}\n\n---\n\n{run_summary(trainer)}")
    # The four curves side by side; their captions are drawn once, right under this row (reading_guide).
    row = st.container(horizontal=True, gap="small", key="m1d_curves")
    for name in ("losses", "verdict", "w1", "g_grad"):
        vega_chart(*figs[name], dg=row)
    if diagnosis is not None:  # D reads ½ although the histograms still differ: say why
        st.info(diagnosis.text, icon=":material/help:")


# Equal cells in the live panel's two horizontal rows (a horizontal container sizes cells by their content,
# so the metrics would shift as their values change).
ROWS_CSS = """<style>.st-key-m1d_curves > *, .st-key-m1d_numbers > * { flex: 1 1 0 !important; min-width: 0 !important; }
.st-key-m1d_numbers > *:last-child { flex: 5 1 0 !important; }
</style>""" + NUMBERS_CSS


def reading_guide() -> None:
    """What each curve in the live panel's last row shows, aligned under it, and why W1: texts that change
    only with the run's settings (a change of settings redraws the whole page), so drawn once, not per tick."""
    trainer = lifecycle.trainer("m1d")
    if trainer is None:
        return
    probability = bool(getattr(trainer, "discriminator_is_probability", True))
    texts = (f"loss_{trainer.config.loss}", "verdict_probability" if probability else "verdict_critic", "w1", "g_grad")
    for col, key in zip(st.columns(4, gap="small"), texts):
        col.caption(TEXT[key])
    with st.expander("Why W1, and not the losses? A GAN gives no likelihood", icon=":material/rule:"):
        st.markdown(evaluation_note("mapping_1d"))


def run_summary(trainer: Mapping1DTrainer) -> str:
    """The run's settings and scenario as one caption (one element per tick instead of three)."""
    cfg, loss = trainer.config, trainer.config.loss
    extra = f" · λ {cfg.gp_weight:g}" if loss == "wgan_gp" else ""
    lines = [f"**This run:** {trainer.target.label} · {NOISES.get(cfg.noise, cfg.noise)} · {LOSSES.get(loss, loss)}",
             f"lr G {cfg.lr_g:g} · lr D {cfg.lr_d:g} · {cfg.d_steps} D step(s) per G step · "
             f"R1 γ {cfg.r1:g} · width {cfg.width} · batch {cfg.batch_size} · EMA {cfg.ema:g} · "
             f"Adam β1 {cfg.beta1:g}, β2 {cfg.beta2:g}{extra} · G starts {cfg.g_start:g}σ from the mean · "
             f"seed {cfg.seed}"]
    scenario = scenario_for(cfg)
    if scenario is not None:
        head = (f" D trained alone for {scenario.d_head_start} steps before G's first step."
                if scenario.d_head_start else "")
        lines.append(f"Scenario **{scenario.title}**.{head} Watch: {scenario.watch}")
    return "\n\n".join(lines)


def fault(trainer: Mapping1DTrainer) -> str | None:
    if trainer.status == "ok":
        return None
    return f"{trainer.message or ''}\n\n{TEXT['diverged']}"


LESSON = lifecycle.Lesson(
    prefix="m1d",
    config_cls=Mapping1DConfig,
    build=build,
    reset=reset,
    advance=lambda t, seconds: t.run_for(seconds, MAX_STEPS_PER_TICK),
    draw=draw,
    fault=fault,
    step_size=STEP_CHUNK,
    hidden=lambda name, wanted: name == "gp_weight" and wanted.loss != "wgan_gp",
    custom_widgets={"target": target_widget},
    columns=4,
)

st.title("1-D mapping: noise becomes data")
st.markdown(
    "A generator **G** learns, live, to turn plain random numbers z into samples of a target distribution, "
    "while a discriminator **D** tries to tell its samples from real ones. Press **Start** and watch the "
    "orange histogram move onto the blue one."
)
# On a projector (presenter mode) the index goes under the live panel, so the charts are on the first screen.
if not presenter.is_on():
    render_lessons_index()
scenario_from_link()
render_scenarios()
st.html(ROWS_CSS)
lifecycle.render(LESSON)
reading_guide()
if presenter.is_on():
    render_lessons_index()
notes.expander("Ideas to try in class", "mapping_1d_ideas", icon=":material/lightbulb:")
notes.expander("The maths behind the losses", "mapping_1d_maths", icon=":material/function:")

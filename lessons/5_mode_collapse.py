"""Lesson 5: mode collapse — G finds one answer D likes and stops exploring.

UI only: the run lifecycle (ui/lifecycle.py) builds a ModeCollapseTrainer from the generated settings
widgets, trains it a few milliseconds per tick and calls `draw` to redraw gan_core.mode_collapse.figures.
"""
from __future__ import annotations

import math

import streamlit as st

from gan_core.mode_collapse import figures
from gan_core.mode_collapse.config import ModeCollapseConfig
from gan_core.mode_collapse.metrics import capture_threshold
from gan_core.mode_collapse.trainer import ModeCollapseTrainer
from ui import lifecycle, notes, widgets
from ui.charts import vega_chart
from ui.numbers import CSS as NUMBERS_CSS
from ui.numbers import numbers as number_row

MAX_STEPS_PER_TICK = 400  # a bound only: the tick's time budget decides (a step is ~0.5-2 ms)
STEP_CHUNK = 50  # generator steps per press of "Step"
# A remedy's own setting is shown only with that remedy.
REMEDY_SETTING = {"pack": "pack", "unroll": "unrolled", "unroll_order": "unrolled", "r1_gamma": "r1"}

REMEDY_NOTES = {
    "none": "Plain GAN. Watch the orange cloud gather near one mode, then slide on to another as D catches up: "
            "'Near top-2 modes' stays close to 100 %. For the comparison, switch the remedy to **Minibatch "
            "standard deviation** and press **Apply & restart**.",
    "pack": "D judges m samples at once. A pack of m samples all from the same mode looks suspicious next to "
            "real packs, which usually mix modes, so D can punish a G that lacks diversity. Measured: 5–8 of 8 "
            "modes after 2,500 steps.",
    "unrolled": "Before G moves, a copy of D takes k more steps. G is scored by that *future* D, so jumping onto "
                "D's current favourite pays less: D would already have moved on. First order (default): only the "
                "future D's verdict counts; second order (Metz et al.): G's gradient also flows back through the k "
                "steps, ~19× slower here. In a lesson-length run neither captured the modes (see the notes below).",
    "mbstd": "D also sees how spread out the whole batch is (the average standard deviation of the batch). A "
             "collapsed G gives a tiny spread that real data never has, and D learns to spot it. With the default "
             "settings G spreads over the ring within ~1,000 steps and lands on 6–8 modes with over half of its "
             "samples high quality by 2,000–2,500 steps.",
    "r1": "Penalises the slope of D on real data (γ/2·‖∇D(x)‖²). D's surface becomes smoother and changes "
          "more gently, so G is not whipped from one mode to the next. Measured: 5–8 of 8 modes after 2,500 steps.",
}


def remedy_widget(spec, key, value) -> None:
    """The remedy picker, with a line on what the chosen remedy changes."""
    widgets.draw_widget("mc", spec)
    st.caption(REMEDY_NOTES.get(st.session_state.get(key), ""))


def _scatter_caption(remedy: str, pack: int) -> str:
    """What the scatter shows, as one caption (paragraphs): it changes with the settings only."""
    parts = ["Blue: real data. Orange: G's samples. Rings: the mode centres (red = missed). Green shading: where D "
             "believes data is real. G's loss pushes its samples uphill on that surface, towards D's current "
             "favourite spot — often a single mode."]
    if remedy == "pack":
        parts.append(f"With packing, D judges {pack} points at once; the shading shows its score for a pack of "
                     f"{pack} copies of the same point.")
    elif remedy == "mbstd":
        parts.append("With the minibatch-std feature, the shading shows D's score for x inside a batch of real data.")
    parts.append("Orange is drawn from a running average of G's weights over the last ~20 steps (EMA), which "
                 "removes G's step-to-step jitter; training uses G's own weights.")
    return "\n\n".join(parts)


def draw(t: ModeCollapseTrainer) -> None:
    r = t.report
    k = t.target.k
    # the step counter, then the other numbers in one element (ui/numbers.py): every element costs a tick
    with st.container(horizontal=True, key="mc_numbers"):
        st.metric("Step", f"{t.steps:,}")
        number_row([
            ("Near top-2 modes", f"{100 * r.top2_share:.0f} %",
             f"Share of all samples whose nearest mode is one of the two most popular ones. Even coverage: "
             f"{200 / k:.0f} %; a collapsed G: close to 100 %."),
            ("Modes captured", f"{r.modes_captured} / {k}", None),
            ("High quality", f"{100 * r.high_quality:.0f} %", None),
            ("Reverse KL", "—" if math.isnan(r.reverse_kl) else f"{r.reverse_kl:.2f}", None),
        ])
    figs = figures.live_charts(t)  # (cached spec, Arrow bytes) per chart
    left, right = st.columns([1.15, 1], gap="medium")
    with left:
        vega_chart(*figs["scatter"])
        st.caption(_scatter_caption(t.config.remedy, t.config.pack))  # one element: every element costs a tick
    with right:
        vega_chart(*figs["per_mode"])
        st.caption(f"Blue line: what each mode would hold if G covered all {k} evenly. Dashed: the capture "
                   f"threshold, {100 * capture_threshold(k):.2g} % of the samples.")
        vega_chart(*figs["modes"])
    for col, name in zip(st.columns(3), ("quality", "rkl", "losses")):
        vega_chart(*figs[name], dg=col)


# The step counter one cell, the four numbers beside it four (ui/numbers.py draws them as one element).
ROW_CSS = """<style>.st-key-mc_numbers > * { flex: 1 1 0 !important; min-width: 0 !important; }
.st-key-mc_numbers > *:last-child { flex: 4 1 0 !important; }
</style>""" + NUMBERS_CSS

LESSON = lifecycle.Lesson(
    prefix="mc",
    config_cls=ModeCollapseConfig,
    build=ModeCollapseTrainer,
    advance=lambda t, seconds: t.run_for(seconds, MAX_STEPS_PER_TICK),
    draw=draw,
    step_size=STEP_CHUNK,
    step_piece=10,
    hidden=lambda name, wanted: name in REMEDY_SETTING and wanted.remedy != REMEDY_SETTING[name],
    custom_widgets={"remedy": remedy_widget},
    nominal_train_seconds=0.03,
)

st.title("Mode collapse")
st.markdown(
    "The target is a mixture of many small Gaussian bumps. A plain GAN's generator tends to find **one answer "
    "the discriminator likes and stop exploring**: its samples bunch up near one mode, then move on to another. "
    "Press **Start** and watch the orange cloud; then set the remedy to **Minibatch standard deviation**, "
    "press **Apply & restart**, and compare."
)
st.html(ROW_CSS)
lifecycle.render(LESSON)
notes.expander("What is mode collapse, and why does it happen?", "mode_collapse", icon=":material/school:")

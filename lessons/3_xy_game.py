"""The xy game and Dirac-GAN: why gradient play circles around the equilibrium, and what fixes it.

UI only. Each tab is a lesson on the run lifecycle (ui/lifecycle.py): its "trainer" is an `Animation`, the
one place that says which step is shown; the slider, the heading, the plane and the table all read it.
"""
from __future__ import annotations

import math
import time
from collections import deque

import numpy as np
import pandas as pd
import streamlit as st

from gan_core.games.analysis import analyse, regulariser_sweep, spectral_radius_curve, xy_closed_form_modulus
from gan_core.games.animation import PlayClock
from gan_core.games.config import DEFAULT_START, ETA_MAX, PAGE_MAX_STEPS, GameConfig
from gan_core.games.figures import (
    FIELD_SIZE,
    TrajectoryTables,
    arrow_grid,
    arrow_ipc,
    distance_parts,
    eigen_spec,
    plane_parts,
    radius_curve_spec,
    saddle_figure,
    view_extent,
)
from gan_core.games.rules import METHOD_LABELS, simulate
from ui import charts, lifecycle, notes, presenter

TAB_KEY = "xy_tab"
TABS = ("xy game", "Dirac-GAN")
ANIMATION_TICKS = 150  # Step moves 1/150 of the run; Play plays a whole run in PlayClock's 12 s
SADDLE_FRAMES = 30  # while playing, the 3-D view moves 30 times a run (2.5/s): a rerun of an unchanged
# chart is then identical, which the browser's message cache turns into a reference instead of ~40 KiB
PRESENT_FIELD_SIZE = 410  # presenter mode: the plane (zoomed 1.25 by ui/presenter.py) and its legend
# fit above the fold at 1920×1080 once the slider sits beside it, and fill the column with the legend
TEXT = notes.sections("xy_game")
DEFAULTS = {
    "xy": GameConfig(game="xy", methods=("simultaneous", "alternating", "extragradient", "optimistic"),
                     start=DEFAULT_START["xy"]),
    "dirac": GameConfig(game="dirac", methods=("simultaneous", "alternating"), start=DEFAULT_START["dirac"]),
}
DIRAC_ONLY = {"loss", "reg", "gamma", "noise_std"}


# ---------- cached compute: pure functions of the settings (shared by every session) ----------
@st.cache_data(max_entries=48, show_spinner=False)
def compute_bundle(settings_items: tuple) -> dict:
    s = GameConfig(**dict(settings_items))
    game = s.make_game()
    extent = view_extent(s.start)
    trajectories = {m: simulate(game, m, s.eta, s.steps, s.start, s.momentum, s.consensus) for m in s.methods}
    analyses = {m: analyse(game, m, s.eta, s.momentum, s.consensus) for m in s.methods}
    etas = np.linspace(0.01, ETA_MAX, 120)
    curves = pd.concat(
        [
            pd.DataFrame({"method": METHOD_LABELS[m], "eta": etas,
                          "radius": spectral_radius_curve(game, m, etas, s.momentum, s.consensus)})
            for m in s.methods
        ],
        ignore_index=True,
    )
    return {
        "tables": TrajectoryTables.build(trajectories, extent),
        "arrows": arrow_grid(game, extent),
        "analyses": analyses,
        "curves": curves.dropna(),
    }


@st.cache_data(max_entries=16, show_spinner=False)
def regulariser_table(method: str, eta: float, steps: int, start: tuple, gamma: float, noise_std: float) -> pd.DataFrame:
    """Every loss x regulariser on Dirac-GAN with one method: what the eigenvalues and a real run say."""
    return pd.DataFrame(regulariser_sweep(method, eta, steps, start, gamma, noise_std))


def _key(config: GameConfig) -> tuple:
    return tuple((k, tuple(v) if isinstance(v, (list, tuple)) else v) for k, v in sorted(config.to_dict().items()))


class Animation:
    """A computed run and the step shown: the single source of truth for the slider, heading and plane."""

    status, message = "ok", ""

    def __init__(self, config: GameConfig):
        self.config = config
        self.bundle = compute_bundle(_key(config))
        self.total = int(config.steps)
        self.stride = max(1, round(self.total / ANIMATION_TICKS))
        self.clock = PlayClock(self.total)  # plays by wall-clock time: slow ticks drop frames, not seconds
        self.steps = 0  # the step shown

    def seek(self, k: int) -> None:
        self.steps = int(min(max(k, 0), self.total))
        self.clock.seek(self.steps)

    def step(self, n: int = 1) -> None:
        self.seek(self.steps + n * self.stride)

    def play(self, seconds: float) -> bool:
        """One animation tick; False at the end (the lifecycle pauses). Play at the end replays from 0."""
        if self.steps >= self.total:
            self.seek(0)
        elif self.clock.step != self.steps:  # moved by Step or the slider since the last tick
            self.clock.seek(self.steps)
        self.steps = self.clock.advance(time.monotonic())
        if self.steps >= self.total:
            self.clock.pause()
        return self.steps < self.total


def _saddle(anim: Animation, k: int, playing: bool) -> dict:
    """The 3-D view's figure, rebuilt SADDLE_FRAMES times a run while playing; the same dict object in
    between, whose JSON ui/charts.plotly_chart then makes once."""
    stride = max(1, math.ceil(anim.total / SADDLE_FRAMES))
    shown = k if not playing or k >= anim.total else k - k % stride
    cached = anim.__dict__.get("_saddle")
    if cached is None or cached[0] != shown:
        cached = anim.__dict__["_saddle"] = (shown, saddle_figure(anim.bundle["tables"], shown,
                                                                   anim.config.make_game().value, ("x", "y")))
    return cached[1]


def _labels(game: str) -> tuple[str, str]:
    return ("θ (generator output)", "ψ (discriminator slope)") if game == "dirac" else ("x (minimises x·y)", "y (maximises x·y)")


def start_widget(spec, key, value) -> None:
    """The start point as two boxes named after the game's players."""
    names = ("θ", "ψ") if key.startswith("dirac") else ("x", "y")
    a, b = st.columns(2)
    for col, i in ((a, 0), (b, 1)):
        col.number_input(f"start {names[i]}", step=spec.setting.step, format=spec.setting.format, key=f"{key}_{i}",
                         help="Or click on the plane to move the start." if i == 0 else None)


def _pick_start(prefix: str) -> None:
    """Click on the plane: the nearest grid point becomes the new start (the settings above must show it)."""
    picked = (st.session_state.get(f"{prefix}_plane") or {}).get("selection", {}).get("pick") or []
    config = lifecycle.current_config(prefix)
    if picked and config is not None:
        moved = GameConfig(**{**config.to_dict(), "start": (float(picked[0]["px"]), float(picked[0]["py"]))})
        lifecycle.set_settings(LESSONS[prefix], moved)
        st.session_state[f"{prefix}_full_rerun"] = True


def _on_scrub(prefix: str) -> None:
    """A drag of the slider. A rerun the browser sent before our last redraw reached it carries the slider's
    old value, which is one we drew a moment ago: that is not the user, ignore it (else Reset while playing
    would jump back to the step shown before it)."""
    value = st.session_state.get(f"{prefix}_at_step", 0)
    if value not in st.session_state.setdefault(f"{prefix}_drawn_steps", deque(maxlen=12)):
        lifecycle.request(LESSONS[prefix], "Moving to a step", lambda anim: anim.seek(value))


def draw(anim: Animation) -> None:
    config, prefix = anim.config, anim.config.game
    if st.session_state.pop(f"{prefix}_full_rerun", False):
        st.rerun(scope="app")  # a click moved the start: the inputs above must show it
    tables: TrajectoryTables = anim.bundle["tables"]
    labels = _labels(prefix)
    st.session_state[f"{prefix}_at_step"] = anim.steps  # the slider shows the animation's step, always
    st.session_state.setdefault(f"{prefix}_drawn_steps", deque(maxlen=12)).append(anim.steps)
    k = anim.steps
    playing = lifecycle.run_of(prefix).running
    present = presenter.is_on()

    def step_controls() -> None:
        st.slider("Step", 0, anim.total, key=f"{prefix}_at_step", on_change=lifecycle.callback(prefix, "Scrubbing", _on_scrub),
                  args=(prefix,), help="Drag to scrub through the run; Play animates it.")
        with st.container(key=f"{prefix}_step_indicator"):
            st.markdown(f"**Step {k:,} of {anim.total:,}**" + (" · playing" if playing else ""))

    if not present:  # on a projector the slider sits beside the plane, which then fits above the fold
        step_controls()
    left, right = st.columns([1.05, 1])
    with left:
        eq = "equilibrium (θ=0, ψ=0)" if prefix == "dirac" else "Nash equilibrium (0, 0)"
        spec, datasets = plane_parts(tables, anim.bundle["arrows"], k, config.start, labels,
                                     show_future=st.session_state.get(f"{prefix}_future", True), equilibrium_label=eq,
                                     size=PRESENT_FIELD_SIZE if present else FIELD_SIZE,
                                     legend="right" if present else "bottom", as_arrow=True,
                                     # presenter: the plot itself square and PRESENT_FIELD_SIZE wide; axes, legend around
                                     autosize={"type": "pad", "contains": "padding"} if present else None)
        charts.vega_chart(spec, datasets, width="content", key=f"{prefix}_plane", selection_mode="pick",
                          on_select=lifecycle.callback(prefix, "Moving the start", lambda: _pick_start(prefix)))
        st.caption("Grey arrows: where gradient play pushes (−F), darker = faster. Click the plane to start there.")
        st.checkbox("Show each path's future faintly", value=True, key=f"{prefix}_future")
    with right:
        if present:
            step_controls()
        charts.vega_chart(*distance_parts(tables, k, as_arrow=True), width="stretch")
        x, y = labels[0][0], labels[1][0]
        st.dataframe(tables.heads_table(k, x, y), hide_index=True, width="stretch",
                     column_config={c: st.column_config.NumberColumn(format="%.4g") for c in ("distance", x, y)})
        st.caption("Straight falling line on the log scale = steady convergence at a fixed rate per step; "
                   "flat = cycling; rising = spiralling out.")
    if prefix == "xy" and st.session_state.get("xy_saddle_on", True):
        charts.plotly_chart(_saddle(anim, k, playing), key="xy_saddle",
                            config={"displaylogo": False}, width="stretch")  # its caption is below the live panel


def _hidden(game: str, name: str, wanted: GameConfig) -> bool:
    if name in DIRAC_ONLY and game != "dirac":
        return True
    return (name == "gamma" and wanted.reg not in ("r1", "wgan-gp")) or (
        name == "noise_std" and wanted.reg != "instance-noise")


def _lesson(game: str) -> lifecycle.Lesson:
    return lifecycle.Lesson(
        prefix=game, config_cls=GameConfig, defaults=DEFAULTS[game], build=Animation,
        advance=lambda anim, seconds: anim.play(seconds), draw=draw,
        reset=lambda anim, config: anim.seek(0), restore=None,
        check=lambda config: config.validate(max_steps=PAGE_MAX_STEPS),
        context=lambda: {"game": game}, apply_at_once=True,
        hidden=lambda name, wanted: _hidden(game, name, wanted),
        custom_widgets={"start": start_widget}, columns=5, start_label="Play", step_label="Step",
        nominal_train_seconds=0.0,  # an animation trains nothing: the shared budget plans drawing only
        settings_note="Changes redraw at once.",
    )


LESSONS = {game: _lesson(game) for game in DEFAULTS}


def _eigen_specs(bundle: dict, eta: float) -> tuple[dict, dict, dict]:
    """The three eigenvalue charts with their datasets as Arrow bytes, built once per run: every Play that
    reaches the end reruns the page (a 721-point circle and 120-point curves each time, ~1 ms apiece)."""
    cached = bundle.get("_eigen_specs")
    if cached is None or cached[0] != eta:
        analyses = bundle["analyses"]
        specs = (eigen_spec(analyses, size=230), eigen_spec(analyses, size=230, zoom=True),
                 radius_curve_spec(bundle["curves"], tuple(analyses), eta, height=230))
        for spec in specs:
            spec["datasets"] = {name: arrow_ipc(frame) for name, frame in spec["datasets"].items()}
        cached = bundle["_eigen_specs"] = (eta, specs)
    return cached[1]


def render_eigen_section(prefix: str, game: str, settings: GameConfig, bundle: dict) -> None:
    st.subheader("Why: the eigenvalues of one update step")
    analyses = bundle["analyses"]
    if all(a is None for a in analyses.values()):
        st.info(TEXT["wgan_kink"])
        return
    full, zoom, right = st.columns([1, 1, 1.7])
    specs = _eigen_specs(bundle, settings.eta)
    with full:
        st.vega_lite_chart(dict(specs[0]), width="content")
    with zoom:
        st.vega_lite_chart(dict(specs[1]), width="content")
    with right:
        st.vega_lite_chart(dict(specs[2]), width="stretch")
    rows = []
    for m, a in analyses.items():
        if a is None:
            continue
        row = {"method": METHOD_LABELS[m], "largest |λ|": round(a.spectral_radius, 6), "verdict": a.verdict,
               "steps to halve (or double) the distance": "never" if math.isinf(a.steps_to_halve) else f"{a.steps_to_halve:,.1f}"}
        if game == "xy" and settings.momentum == 0:
            row["closed form |λ|"] = round(xy_closed_form_modulus(m, settings.eta, settings.consensus), 6)
        row["eigenvalues"] = ",  ".join(f"{v.real:.4f}{v.imag:+.4f}i" for v in a.eigenvalues)
        rows.append(row)
    with st.container(key=f"{prefix}_eigen_table"):
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    st.markdown(TEXT["eigen"])
    if game == "xy":
        st.markdown(TEXT["eigen_xy"])


def render_dirac_summary(prefix: str) -> None:
    settings = lifecycle.current_config(prefix)
    if settings is None or not settings.methods:
        return
    method = settings.methods[0]
    st.subheader(f"Which regularisers converge? ({METHOD_LABELS[method]}, η = {settings.eta:g})")
    table = regulariser_table(method, float(settings.eta), int(min(settings.steps, 2000)), tuple(settings.start),
                              float(settings.gamma), float(settings.noise_std))
    dist_col = [c for c in table.columns if c.startswith("distance")][0]
    st.dataframe(table, hide_index=True, width="stretch", height=35 * (len(table) + 1) + 3,
                 column_config={dist_col: st.column_config.NumberColumn(format="%.3g")})
    st.caption("Each row is a real run from your start point plus the eigenvalue verdict at the equilibrium.")



def render_xy_extras() -> None:
    with st.expander("The update rules in one line each", expanded=False):
        st.markdown(TEXT["rules"])
    st.toggle("3-D view of the saddle V(x, y) = x·y", value=True, key="xy_saddle_on",
              help="The value surface with every path drawn on it; drag to turn it, scroll to zoom.")


# ---------- page ----------
st.title("The xy game: why GAN training circles")
st.markdown(TEXT["intro"])
# A link says which game it is for (game=dirac, ui/share.py): that tab opens first.
tab_xy, tab_dirac = st.tabs(TABS, key=TAB_KEY, on_change="rerun",
                            default=TABS[1] if st.query_params.get("game") == "dirac" else TABS[0])
for tab, game in ((tab_xy, "xy"), (tab_dirac, "dirac")):
    if tab.open is False or (game == "dirac" and not tab.open):
        continue  # only the open tab runs (its fragment ticks)
    with tab:
        if game == "dirac":
            st.markdown(TEXT["dirac"])
        elif not presenter.is_on():  # on a projector the plane comes first: these two go below it
            render_xy_extras()
        run = lifecycle.render(LESSONS[game])
        if game == "xy" and run.trainer is not None and st.session_state.get("xy_saddle_on", True):
            st.caption(TEXT["saddle"])  # static: outside the live panel, right under the saddle that ends it
        if game == "xy" and presenter.is_on():
            render_xy_extras()
        if run.trainer is not None:
            render_eigen_section(game, game, run.config, run.trainer.bundle)
        if game == "dirac":
            render_dirac_summary(game)

"""The xy game and Dirac-GAN: why gradient play circles around the equilibrium, and what fixes it."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import streamlit as st

import ui.live
from gan_core.games.analysis import analyse, spectral_radius_curve, xy_closed_form_modulus
from gan_core.games.fields import LOSS_LABELS, LOSSES, REG_LABELS, REGULARISERS
from gan_core.games.figures import (
    TrajectoryTables,
    arrow_grid,
    distance_spec,
    eigen_spec,
    plane_spec,
    radius_curve_spec,
    view_extent,
)
from gan_core.games.rules import METHOD_LABELS, METHODS, simulate
from gan_core.games.settings import DEFAULT_START, ETA_MAX, PAGE_MAX_STEPS, GameSettings

TAB_KEY = "xy_tab"
TABS = ("xy game", "Dirac-GAN")
DEFAULT_METHODS = {
    "xy": ("simultaneous", "alternating", "extragradient", "optimistic"),
    "dirac": ("simultaneous", "alternating"),
}
ANIMATION_TICKS = 150  # a whole run plays in about 150 ticks (~15 s) whatever its length

METHOD_NOTES = {
    "simultaneous": "Both players step at once on the current gradient. Every step turns the point by "
    "atan η and stretches its distance by √(1+η²): an outward spiral for *any* step size.",
    "alternating": "x moves first, then y answers the *new* x. The stretch of one half-step cancels the "
    "shrink of the other (the update has determinant 1): a closed orbit that cycles forever.",
    "extragradient": "Take a trial step, read the gradient there, then step from where you were using the "
    "look-ahead gradient. It sees the rotation coming and cuts inside it: spirals in.",
    "optimistic": "Reuse last step's gradient to extrapolate the next one, 2·F(now) − F(before). "
    "A look-ahead for the price of one gradient per step: spirals in.",
    "consensus": "Also descend on ½|F|², the one quantity both players are happy to shrink. That adds "
    "a pull straight toward the equilibrium: converges fast.",
}


# ---------- cached compute: pure functions of the settings (shared by every session) ----------
@st.cache_data(max_entries=48, show_spinner=False)
def compute_bundle(settings_items: tuple) -> dict:
    s = GameSettings(**dict(settings_items))
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
    rows = []
    for loss in LOSSES:
        for reg in REGULARISERS:
            s = GameSettings(game="dirac", loss=loss, reg=reg, gamma=gamma, noise_std=noise_std, eta=eta, start=start)
            game = s.make_game()
            traj = simulate(game, method, eta, steps, start)
            local = analyse(game, method, eta)
            outcome = classify_run(traj.points, traj.diverged_at)
            d1 = float(np.linalg.norm(traj.final))
            rows.append({
                "loss": LOSS_LABELS[loss].split(" (")[0],
                "regulariser": REG_LABELS[reg],
                "largest |λ|": round(local.spectral_radius, 5) if local else None,
                "local verdict": local.verdict if local else "no Jacobian (kink at ψ=0)",
                f"distance after {steps} steps": float(f"{d1:.3g}"),
                "run": outcome,
            })
    return pd.DataFrame(rows)


def classify_run(points: np.ndarray, diverged_at: int | None) -> str:
    """Name what a run did, from its last quarter (the eigenvalues only speak about the neighbourhood of 0)."""
    if diverged_at is not None:
        return "spirals out"
    dist = np.linalg.norm(points, axis=1)
    n = len(points) - 1
    q3 = max(0, (3 * n) // 4)
    if dist[-1] < 1e-3:
        return "converges"
    if dist[-1] > 1.5 * dist[0]:
        return "spirals out"
    mean_move = float(np.mean(np.linalg.norm(np.diff(points[q3:], axis=0), axis=1))) if n > q3 else 0.0
    if mean_move < 1e-6:
        return "stalls away from the data"
    if dist[-1] < 0.8 * dist[q3]:
        return "still approaching slowly"
    return "circles (no convergence)"


def session_bundle(prefix: str, settings: GameSettings) -> dict:
    """The cached bundle, held per session so animation ticks skip cache_data's copy."""
    key = tuple(sorted(settings.to_dict().items(), key=lambda kv: kv[0]))
    key = tuple((k, tuple(v) if isinstance(v, list) else v) for k, v in key)
    held = st.session_state.get(f"{prefix}_bundle")
    if held is None or held[0] != key:
        held = (key, compute_bundle(key))
        st.session_state[f"{prefix}_bundle"] = held
    return held[1]


# ---------- widgets -> settings ----------
def read_settings(prefix: str, game: str) -> tuple[GameSettings, list[str]]:
    ss = st.session_state
    ss.setdefault(f"{prefix}_x0", DEFAULT_START[game][0])
    ss.setdefault(f"{prefix}_y0", DEFAULT_START[game][1])
    labels = ("θ", "ψ") if game == "dirac" else ("x", "y")

    top = st.columns([3, 1.2, 1, 1, 1])
    methods = top[0].multiselect(
        "Update rules (side by side)", METHODS, default=list(DEFAULT_METHODS[game]), key=f"{prefix}_methods",
        format_func=lambda m: METHOD_LABELS[m], help="Each rule starts at the same point on the same field.",
    )
    eta = top[1].number_input(
        "Step size η", value=0.1, step=0.05, format="%.3f", key=f"{prefix}_eta",
        help=f"Learning rate of both players, 0 < η ≤ {ETA_MAX:g}.",
    )
    steps = top[2].number_input("Steps", value=1000, step=100, key=f"{prefix}_steps",
                                help=f"1 to {PAGE_MAX_STEPS:,} on this page (the CLI goes further).")
    x0 = top[3].number_input(f"start {labels[0]}", step=0.5, format="%.2f", key=f"{prefix}_x0",
                             help="Or click on the plane to move the start.")
    y0 = top[4].number_input(f"start {labels[1]}", step=0.5, format="%.2f", key=f"{prefix}_y0")

    loss, reg, gamma, noise = "standard", "none", 1.0, 1.0
    if game == "dirac":
        d = st.columns([1.4, 1.4, 1, 1])
        loss = d[0].selectbox("Loss", LOSSES, format_func=lambda v: LOSS_LABELS[v], key=f"{prefix}_loss")
        reg = d[1].selectbox("Regulariser (on the discriminator)", REGULARISERS, format_func=lambda v: REG_LABELS[v],
                             key=f"{prefix}_reg")
        gamma = d[2].number_input("γ (R1 / WGAN-GP)", value=1.0, step=0.1, key=f"{prefix}_gamma",
                                  disabled=reg not in ("r1", "wgan-gp"), help="Penalty strength.")
        noise = d[3].number_input("σ (instance noise)", value=1.0, step=0.1, key=f"{prefix}_noise",
                                  disabled=reg != "instance-noise", help="Std of the noise added to real and fake samples.")

    with st.expander("More knobs: momentum, consensus weight, drawing"):
        k = st.columns(3)
        momentum = k[0].slider("Momentum β", -0.9, 0.9, 0.0, 0.05, key=f"{prefix}_momentum",
                               help="Heavy ball: adds β·(last move). Negative β damps alternating steps into convergence.")
        consensus = k[1].slider("Consensus weight γ", 0.0, 2.0, 0.5, 0.05, key=f"{prefix}_consensus")
        k[2].checkbox("Show each path's future faintly", value=True, key=f"{prefix}_future")

    settings = GameSettings(
        game=game, loss=loss, reg=reg, gamma=gamma, noise_std=noise, methods=tuple(methods), eta=eta,
        steps=int(steps) if float(steps).is_integer() else steps, start=(x0, y0), momentum=momentum, consensus=consensus,
    )
    return settings, settings.validate(max_steps=PAGE_MAX_STEPS)


# ---------- animation state ----------
def _stride(steps: int) -> int:
    return max(1, round(steps / ANIMATION_TICKS))


def _step_forward(prefix: str, steps: int) -> None:
    key = f"{prefix}_at_step"
    st.session_state[key] = min(steps, int(st.session_state.get(key, 0)) + _stride(steps))


def _rewind(prefix: str) -> None:
    st.session_state[f"{prefix}_at_step"] = 0


def _pick_start(prefix: str) -> None:
    """Click on the plane: the nearest grid point becomes the new start (applied on a full rerun)."""
    state = st.session_state.get(f"{prefix}_plane")
    picked = (state or {}).get("selection", {}).get("pick") or []
    if picked:
        st.session_state[f"{prefix}_x0"] = float(picked[0]["px"])
        st.session_state[f"{prefix}_y0"] = float(picked[0]["py"])
        st.session_state[f"{prefix}_at_step"] = 0
        st.session_state[f"{prefix}_full_rerun"] = True


# ---------- the panel for one game ----------
def render_game(prefix: str, game: str) -> None:
    settings, errors = read_settings(prefix, game)
    if errors:
        for e in errors:
            st.error(e, icon=":material/error:")
        ui.live.set_running(prefix, False)
        last = st.session_state.get(f"{prefix}_last_valid")
        if last is None:
            return
        st.caption("The plots below keep the last valid settings until the input above is fixed.")
        settings = last
    else:
        st.session_state[f"{prefix}_last_valid"] = settings

    bundle = session_bundle(prefix, settings)
    tables: TrajectoryTables = bundle["tables"]
    steps = settings.steps
    step_key = f"{prefix}_at_step"
    st.session_state[step_key] = int(min(max(st.session_state.get(step_key, 0), 0), steps))
    if ui.live.is_running(prefix) and st.session_state[step_key] >= steps:
        st.session_state[step_key] = 0  # Play pressed at the end: play again from the start

    ui.live.control_bar(
        prefix,
        on_step=lambda: _step_forward(prefix, steps),
        on_reset=lambda: _rewind(prefix),
        can_run=not errors,
        start_label="Play",
        step_label=f"Step +{_stride(steps)}",
    )
    labels = ("θ (generator output)", "ψ (discriminator slope)") if game == "dirac" else ("x (minimises x·y)", "y (maximises x·y)")
    eq_label = "equilibrium (θ=0, ψ=0)" if game == "dirac" else "Nash equilibrium (0, 0)"

    @st.fragment(run_every=ui.live.tick_interval(prefix))
    def animation() -> None:
        if st.session_state.pop(f"{prefix}_full_rerun", False):
            st.rerun(scope="app")  # a click moved the start: the inputs above must show it
        if ui.live.is_running(prefix):
            if st.session_state[step_key] >= steps:
                ui.live.stop_from_fragment(prefix)
            _step_forward(prefix, steps)
        st.slider("Step", 0, steps, key=step_key, help="Drag to scrub through the run; Play animates it.")
        k = st.session_state[step_key]
        with st.container(key=f"{prefix}_step_indicator"):
            st.markdown(f"**Step {k:,} of {steps:,}**" + (" · playing" if ui.live.is_running(prefix) else ""))
        left, right = st.columns([1.05, 1])
        with left:
            spec = plane_spec(tables, bundle["arrows"], k, settings.start, labels,
                              show_future=st.session_state.get(f"{prefix}_future", True), equilibrium_label=eq_label)
            st.vega_lite_chart(spec, width="content", key=f"{prefix}_plane",
                               on_select=lambda: _pick_start(prefix), selection_mode="pick")
            st.caption("Grey arrows: where gradient play pushes (−F), darker = faster. Click the plane to start there.")
        with right:
            st.vega_lite_chart(distance_spec(tables, k), width="stretch", key=f"{prefix}_distance")
            heads = tables.heads_at(k)
            st.dataframe(
                heads[["method", "x", "y", "distance", "status"]].rename(columns={"x": labels[0][0], "y": labels[1][0]}),
                hide_index=True, width="stretch",
                column_config={c: st.column_config.NumberColumn(format="%.4g") for c in ("distance", labels[0][0], labels[1][0])},
            )
            st.caption("Straight falling line on the log scale = steady convergence at a fixed rate per step; "
                       "flat = cycling; rising = spiralling out.")

    animation()
    render_eigen_section(prefix, game, settings, bundle)


def render_eigen_section(prefix: str, game: str, settings: GameSettings, bundle: dict) -> None:
    st.subheader("Why: the eigenvalues of one update step")
    analyses = bundle["analyses"]
    if all(a is None for a in analyses.values()):
        st.info("WGAN-GP's penalty (|ψ| − 1)² has a kink at ψ = 0, so there is no Jacobian at the equilibrium: "
                "on both sides it pushes the critic's slope back toward ±1, away from the equilibrium ψ = 0. "
                "That is why it keeps moving, or gets stuck where the penalty balances the loss, instead of settling.")
        return
    full, zoom, right = st.columns([1, 1, 1.7])
    with full:
        st.vega_lite_chart(eigen_spec(analyses, size=230), width="content")
    with zoom:
        st.vega_lite_chart(eigen_spec(analyses, size=230, zoom=True), width="content")
    with right:
        st.vega_lite_chart(radius_curve_spec(bundle["curves"], tuple(analyses), settings.eta, height=230),
                           width="stretch")
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
    st.markdown(
        "Close to the equilibrium one update is, to first order, a fixed matrix applied to the distance vector. "
        "Its eigenvalues λ decide the fate of every run: **|λ| > 1** multiplies the distance by |λ| each step "
        "(spirals out), **|λ| = 1** keeps it (cycles), **|λ| < 1** shrinks it (converges). The circle is |λ| = 1; "
        "change η and watch the points cross it. The curve on the right shows the largest |λ| for every η: "
        "below the dashed line the rule converges at that step size."
    )
    if game == "xy":
        st.markdown(
            "For f = x·y the gradient field is a pure rotation, F(x, y) = (y, −x), whose Jacobian has eigenvalues ±i. "
            "Simultaneous steps give λ = 1 ± iη, so |λ| = √(1+η²) > 1 however small η is; a smaller step only "
            "slows the spiral. Alternating steps give |λ| = 1 exactly (for η < 2); extragradient gives "
            "|λ|² = 1 − η² + η⁴ < 1; consensus gives |λ|² = (1 − ηγ)² + η²."
        )


def render_dirac_summary(prefix: str) -> None:
    settings: GameSettings | None = st.session_state.get(f"{prefix}_last_valid")
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


# ---------- page ----------
st.title("The xy game: why GAN training circles")
st.markdown(
    "Two players share one number. Player **x** wants f(x, y) = x·y small, player **y** wants it large. "
    "The only point where neither can gain by moving alone is **(0, 0)**, the Nash equilibrium. "
    "Yet plain gradient play started at (2, 2) never arrives: each player reacts to where the other *was*, "
    "so they chase each other round the equilibrium. A GAN's generator and discriminator are such a pair, "
    "and this is the *non-convergence* of GAN training: parameters that oscillate instead of settling."
)
tab_xy, tab_dirac = st.tabs(TABS, key=TAB_KEY, on_change="rerun")
if tab_xy.open is not False:
    with tab_xy:
        with st.expander("The update rules in one line each", expanded=False):
            for m in METHODS:
                st.markdown(f"**{METHOD_LABELS[m].capitalize()}.** {METHOD_NOTES[m]}")
        render_game("xy", "xy")
if tab_dirac.open:
    with tab_dirac:
        st.markdown(
            "**Dirac-GAN** is the smallest real GAN: the data is a single point at 0, the generator outputs one "
            "number θ, the discriminator is a line D(x) = ψ·x. At the equilibrium θ = 0 (fakes land on the data) "
            "and ψ = 0 (the discriminator has nothing left to tell apart). Near there the unregularised game *is* "
            "the xy game in disguise (its Jacobian has eigenvalues ±i·f′(0)), so the same spiral appears. "
            "**R1** penalises the discriminator's slope on real data, adding γψ to its gradient: damping that pulls "
            "the eigenvalues inside the unit circle. **Instance noise** blurs both distributions, which for the "
            "sigmoid losses acts like a penalty of σ²/2 — but averages out under the linear Wasserstein loss. "
            "**WGAN-GP** insists on slope |ψ| = 1, which the equilibrium ψ = 0 cannot have, so it never settles "
            "there: it keeps circling, or stalls where the penalty balances the loss."
        )
        render_game("dirac", "dirac")
        render_dirac_summary("dirac")

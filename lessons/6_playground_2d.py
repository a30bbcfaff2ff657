"""Lesson 6: the 2-D playground — draw the data, then watch G warp its noise plane onto it.

UI only: the run lifecycle (ui/lifecycle.py) builds a PlaygroundRun, or two side by side, from the generated
settings widgets and calls `draw` every tick; gan_core.playground checks the data, scores the run and builds
the figures. The drawing is a setting (its link encoding), so it follows the lifecycle's rules and the link.
"""
from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping

import numpy as np
import streamlit as st

from gan_core.playground import figures as F
from gan_core.playground.config import PlaygroundConfig
from gan_core.playground.data import (
    MAX_POINTS, DataError, check_points, decode_points, encode_points, fit_to_view, parse_csv, parse_point_text,
)
from gan_core.playground.pair import RunPair, build_run
from gan_core.playground.slowmo import STAGE_TEXT, SlowMotion, batch_spec, graph_datasets, graph_spec
from ui import lifecycle, notes

P = "pg"
POINTS, ERROR, LOADED = "pgx_points", "pgx_data_error", "pgx_points_from"
DRAWN = "pgx_points_drawing"  # the settings' drawing that POINTS was filled from or saved as
ERASE_RADIUS = 0.06
SPRAY_POINTS = 25
MAX_STEPS_PER_TICK = 400
VIEW_LABELS = {"real": "Real", "fake": "Generated", "surface": "D's heat map", "manifold": "Manifold",
               "gradients": "Gradient arrows", "landing": "Selected noise"}
DEFAULT_VIEWS = ["real", "fake", "surface", "manifold", "landing"]
TOOLS = {"add": "Add points", "spray": "Spray (drag a box)", "erase": "Erase"}
FIELDS = {f.name for f in dataclasses.fields(PlaygroundConfig)}


# ------------------------------------------------------------------ the drawing (outside the live fragment)

def _wanted() -> PlaygroundConfig:
    values = lifecycle.run_of(P).values
    try:
        return dataclasses.replace(PlaygroundConfig(), **{k: v for k, v in values.items() if k in FIELDS})
    except (TypeError, ValueError):
        return PlaygroundConfig()


def _points() -> list[list[float]]:
    """The drawing being edited; filled from the settings when they carry another drawing than the one being
    edited (a link's at first, an imported run's later)."""
    enc = _wanted().drawing
    if POINTS not in st.session_state or (enc and enc != st.session_state.get(DRAWN)):
        st.session_state[DRAWN] = enc
        try:
            st.session_state[POINTS] = decode_points(enc).points.tolist() if enc else []
        except DataError as exc:
            st.session_state[POINTS], st.session_state[ERROR] = [], str(exc)
    return st.session_state[POINTS]


def _use(points: list[list[float]], note: str = "") -> None:
    """Make `points` the drawing and the data of the next run (at once before the first step)."""
    st.session_state[POINTS] = [[float(x), float(y)] for x, y in points][:MAX_POINTS]
    st.session_state[ERROR] = None
    st.session_state[LOADED] = note
    try:
        enc = encode_points(np.array(st.session_state[POINTS]))
    except DataError:
        enc = ""  # validate() then says what is missing; the board says why
    st.session_state[DRAWN] = enc
    lifecycle.set_settings(LESSON, dataclasses.replace(_wanted(), target="drawing", drawing=enc))


def _selection(key: str) -> Mapping:
    """A chart's selection from session state ({} when none, or when it is not the shape expected)."""
    state = st.session_state.get(key)
    if isinstance(state, str):
        try:
            state = json.loads(state)
        except ValueError:
            return {}
    sel = state.get("selection") if isinstance(state, Mapping) else None
    return sel if isinstance(sel, Mapping) else {}


def _on_board() -> None:
    sel = _selection("pgx_board")
    pts = list(_points())
    tool = st.session_state.get("pgx_tool") or "add"
    if sel.get("plane_click"):
        x, y = float(sel["plane_click"][0]["x"]), float(sel["plane_click"][0]["y"])
        if tool == "erase":
            pts = [p for p in pts if (p[0] - x) ** 2 + (p[1] - y) ** 2 > ERASE_RADIUS ** 2]
        else:
            pts.append([x, y])
    elif sel.get("plane_box"):
        (x0, x1), (y0, y1) = sel["plane_box"]["x"], sel["plane_box"]["y"]
        rng = np.random.default_rng(len(pts))
        pts += (rng.uniform([x0, y0], [x1, y1], (SPRAY_POINTS, 2))).tolist()
    else:
        return
    _use(pts)


def _on_paste() -> None:
    try:
        s = parse_point_text(st.session_state.get("pgx_paste") or "")
        _use(s.points.tolist(), s.note)
    except DataError as exc:
        st.session_state[ERROR] = str(exc)


def _on_upload() -> None:
    file = st.session_state.get("pgx_upload")
    if file is None:
        return
    try:
        s = parse_csv(file.getvalue(), name=file.name)
        _use(s.points.tolist(), s.note)
    except DataError as exc:
        st.session_state[ERROR] = str(exc)


def drawing_board() -> None:
    pts = _points()
    left, right = st.columns([1.2, 1], gap="medium")
    with left:
        tool = st.segmented_control("Click on the plane to…", list(TOOLS), format_func=TOOLS.get, key="pgx_tool",
                                    default="add")
        spec = F.with_datasets(F.drawing_spec("interval" if tool == "spray" else "point"), F.drawing_datasets(pts))
        st.vega_lite_chart(spec, key="pgx_board", on_select=_on_board, width="content",
                           selection_mode=["plane_box"] if tool == "spray" else ["plane_click"])
    with right:
        with st.container(key="pgx_count"):
            st.markdown(f"**{len(pts)} point{'s' if len(pts) != 1 else ''}** drawn.")
        try:
            check_points(pts)
        except DataError as exc:
            st.warning(str(exc), icon=":material/draw:")
        if st.session_state.get(ERROR):
            st.error(st.session_state[ERROR], icon=":material/error:")
        elif st.session_state.get(LOADED):
            st.caption(st.session_state[LOADED])
        a, b, c = st.columns(3)
        a.button("Undo", key="pgx_undo", on_click=lambda: _use(_points()[:-1]), disabled=not pts, width="stretch")
        b.button("Clear", key="pgx_clear", on_click=lambda: _use([]), disabled=not pts, width="stretch")
        c.button("Fit to view", key="pgx_fit", disabled=len(pts) < 2, width="stretch",
                 on_click=lambda: _use(fit_to_view(np.array(_points()))[0].tolist()))
        with st.expander("Paste or upload points", icon=":material/upload:"):
            st.text_area("One x, y per line, or JSON [[x, y], …]", key="pgx_paste", height=110)
            st.button("Use these points", key="pgx_use_paste", on_click=_on_paste)
            st.file_uploader("A CSV file with x and y columns", type=["csv", "txt"], key="pgx_upload",
                             on_change=_on_upload)
            st.caption("Pasted and uploaded points are fitted into the plane (centred, shape kept).")
        st.caption(notes.sections("playground_2d").get("drawing", ""))


# ------------------------------------------------------------------ step by step (actions on the trainer)

def _first(t):
    return t.left if isinstance(t, RunPair) else t


def _slow(t) -> SlowMotion:
    run = _first(t)
    if getattr(run, "slowmo", None) is None:
        run.slowmo = SlowMotion(run.trainer)
    return run.slowmo


def _slow_advance(t) -> None:
    stage = _slow(t).advance()
    if stage == "g_update":
        _first(t).evaluate()


def _step_g(t) -> None:
    _first(t).trainer.step_generator()
    _first(t).evaluate()


def _advance(t, seconds: float):
    walk = getattr(_first(t), "slowmo", None)
    if walk is not None:
        walk.finish()  # never leave a step half-walked when training goes on
        _first(t).slowmo = None
    return t.tick(seconds)


def step_bar() -> None:
    run = lifecycle.run_of(P)
    off = run.trainer is None or run.running or run.state in ("diverged", "failed")
    a, b, c, d = st.columns([1, 1, 1.4, 2.6], vertical_alignment="center")
    a.button("Step D only", key="pgx_step_d", disabled=off, width="stretch",
             on_click=lifecycle.request, args=(LESSON, "Step D only", lambda t: _first(t).trainer.step_discriminator()))
    b.button("Step G only", key="pgx_step_g", disabled=off, width="stretch",
             on_click=lifecycle.request, args=(LESSON, "Step G only", _step_g))
    c.button("Slow motion: next stage", key="pgx_slow", icon=":material/slow_motion_video:", disabled=off,
             width="stretch", on_click=lifecycle.request, args=(LESSON, "Slow motion", _slow_advance))
    d.pills("Views", list(VIEW_LABELS), format_func=VIEW_LABELS.get, selection_mode="multi", key="pgx_views",
            default=DEFAULT_VIEWS, label_visibility="collapsed")


# ------------------------------------------------------------------ the live panel (inside the fragment)

def _views() -> F.Views:
    on = set(st.session_state.get("pgx_views", DEFAULT_VIEWS) or [])  # drawn after the live panel
    return F.Views(**{k: k in on for k in VIEW_LABELS})


def _selected_z(cfg: PlaygroundConfig):
    sel = _selection("pgx_noise")
    if sel.get("noise_click"):
        p = sel["noise_click"][0]
        return F.selection_noise(point=(p["x"], p.get("y", 0.0)), noise_dim=cfg.noise_dim)
    if sel.get("noise_box"):
        box = sel["noise_box"]
        lo = [box["x"][0], box.get("y", [0, 0])[0]][: cfg.noise_dim]
        hi = [box["x"][1], box.get("y", [0, 0])[1]][: cfg.noise_dim]
        return F.selection_noise(region=(lo, hi), noise_dim=cfg.noise_dim)
    return None


def _metrics(run) -> None:
    s = run.scores
    cells = [("Step", f"{run.steps:,}"), ("Coverage", f"{100 * s.coverage:.0f} %"),
             ("Precision", f"{100 * s.precision:.0f} %"), ("Grid KL", f"{s.kl:.2f}"), ("Grid JS", f"{s.js:.3f}"),
             ("Sliced W", f"{s.sliced_w:.3f}")]
    if run.data.is_mixture:
        cells.append(("Modes", f"{int(s.modes_captured)} / {int(s.modes)}"))
    with st.container(horizontal=True):  # one row block, not a column block per metric: fewer elements a tick
        for label, value in cells:
            st.metric(label, value)


def _plane(run, views: F.Views, z, key: str, height: int = 440) -> None:
    spec = F.plane_spec(views, noise_dim=run.config.noise_dim, d_kind=run.trainer.d_output_kind, height=height)
    with st.container(key=f"{key}_box"):  # a stable handle for the browser tests
        st.vega_lite_chart(F.with_datasets(spec, F.plane_datasets(run, views, selected_z=z)), key=key, width="content")


def _slow_panel(run) -> None:
    walk = run.slowmo.walk
    st.info(f"**Slow motion — {walk.stage.replace('_', ' ')}.** {STAGE_TEXT[walk.stage]}", icon=":material/slow_motion_video:")
    g, b = st.columns([1.3, 1])
    g.vega_lite_chart(F.with_datasets(graph_spec(), graph_datasets(walk.stage)), key="pgx_graph", width="content")
    b.vega_lite_chart(F.with_datasets(batch_spec(260), {"batch": run.slowmo.points()}), key="pgx_batch", width="content")


def _curve_data(run) -> dict[str, bytes]:
    """The curves' datasets, built again only when a history grew (not once per tick: the scores are recorded
    every few dozen steps, the losses every 25)."""
    hs = (run.history, run.trainer.history)
    key = tuple((h.total_recorded, h.last("step") if h.total_recorded else None) for h in hs)
    cached = run.__dict__.get("_curve_data")
    if cached is None or cached[0] != key:
        cached = run.__dict__["_curve_data"] = (key, F.curve_datasets(run))
    return cached[1]


def draw(t) -> None:
    views = _views()
    if isinstance(t, RunPair):
        for col, run, side in zip(st.columns(2), t.runs, ("left", "right")):
            with col:
                st.markdown(f"**{'This run' if side == 'left' else _contrast_label(t)}**")
                _metrics(run)
                _plane(run, views, None, key=f"pgx_plane_{side}", height=380)
        return
    run = t
    _metrics(run)
    cfg = run.config
    left, right = st.columns([1.35, 1], gap="medium")
    with right:
        select = st.segmented_control(notes.sections("playground_2d").get("noise", "Select in the noise"),  # the how-to
                                      ["point", "region"], key="pgx_zmode", default="point")  # as its label: one element less
        nspec = F.noise_spec(cfg.noise_dim, cfg.noise, select="interval" if select == "region" else "point")
        z = _selected_z(cfg)
        st.vega_lite_chart(F.with_datasets(nspec, F.noise_datasets(cfg.noise_dim, cfg.noise, z)), key="pgx_noise",
                           on_select="rerun", width="content",
                           selection_mode=["noise_box"] if select == "region" else ["noise_click"])
    with left:
        _plane(run, views, z, key="pgx_plane")
    if getattr(run, "slowmo", None) is not None and run.slowmo.stage != "idle":
        _slow_panel(run)
    spec = F.curves_chart(run.data.is_mixture, len(run.data.centres) if run.data.is_mixture else 0)
    st.vega_lite_chart(F.with_datasets(spec, _curve_data(run)), key="pgx_curves", width="content")


def _contrast_label(t: RunPair) -> str:
    from gan_core.playground.config import COMPARE
    return f"Side by side: {COMPARE.get(t.config.compare, t.config.compare)}"


LESSON = lifecycle.Lesson(
    prefix=P,
    config_cls=PlaygroundConfig,
    build=build_run,
    advance=_advance,
    draw=draw,
    step=lambda t, n: t.step(n),
    step_size=100,
    step_piece=25,
    hidden=lambda name, wanted: name == "drawing" or (name == "jitter" and wanted.target != "drawing"),
    nominal_train_seconds=0.02,
)

st.title("2-D playground: draw the data")
st.markdown(notes.sections("playground_2d").get("intro", ""))
board, bar = st.container(), st.container()  # filled after render(), which reads the settings widgets
lifecycle.render(LESSON)
with board:
    if _wanted().target == "drawing":
        drawing_board()
    else:
        st.caption("Choose **Your own points** as the data in the settings to draw, paste or upload your own.")
with bar:
    step_bar()
notes.expander("How to read the views, and the numbers", "playground_2d_help", icon=":material/school:")

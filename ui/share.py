"""Links, export/import and presenter mode for every lesson, drawn once by the run lifecycle's frame.

ui/lifecycle.py calls, in its frame:
    open_link(lesson, run)           before the widgets: a link's settings become what they show (once)
    toolbar(lesson, run)             "Share link" and "Export" (export / import), in the sidebar
    write_link(lesson, run, …)       the browser's URL follows the settings
and ui/settings.py's sidebar calls `sidebar()` (presenter toggle, the link's seed).

A lesson's id in links and exports is its lifecycle prefix. Settings that come from outside the widgets
(`lesson.context()`: the sidebar's seed, the xy page's game) are handled here: the seed travels as the
shared `seed` parameter, the others (e.g. `game=dirac`) say which lesson of a page the link is for.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import numpy as np
import streamlit as st

from gan_core import run_bundle
from gan_core.run_adapters import ADAPTERS
from gan_core.settings_spec import format_text, short_repr, spec_of, specs
from ui import export_bar, links, presenter, turns
from ui import settings as sidebar_settings

LOG = logging.getLogger(__name__)
SEED_READ_KEY = "_link_seed_read"
SEED_NOTE_KEY = "_link_seed_note"


# ------------------------------------------------------------------ sidebar


def sidebar() -> None:
    """Inside `with st.sidebar:`, before the seed widget: the link's seed (once), the presenter toggle and,
    when it is on, the presenter layout (a style tag applies to the whole page wherever it is drawn)."""
    if not st.session_state.get(SEED_READ_KEY):
        st.session_state[SEED_READ_KEY] = True
        seed, note = links.read_seed()
        if seed is not None:
            st.session_state[sidebar_settings.SEED_KEY] = seed
        if note:
            st.session_state[SEED_NOTE_KEY] = note
    presenter.toggle()
    presenter.apply_style()


# ------------------------------------------------------------------ the frame


def _defaults(lesson: Any) -> Any:
    return lesson.defaults if lesson.defaults is not None else lesson.config_cls()


def _context(lesson: Any) -> dict[str, Any]:
    return dict(lesson.context())


def _context_settings(lesson: Any):
    """(name, value, spec) of the settings that say which lesson of the page this is; the seed travels apart."""
    for name, value in _context(lesson).items():
        if name == "seed":
            continue
        try:
            yield name, value, spec_of(lesson.config_cls, name)
        except KeyError:
            continue


def _for_this_lesson(lesson: Any) -> bool:
    """A link names the lesson it is for through its context settings (`game=dirac`); absent = the default."""
    for name, value, spec in _context_settings(lesson):
        if name in st.query_params:
            if st.query_params[name] != format_text(spec, value):
                return False
        elif spec.default != value:
            return False
    return True


def open_link(lesson: Any, run: Any) -> None:
    """Once per session and lesson, before the widgets: the link's settings are what the widgets show. Bad
    values become notes naming the parameter; their defaults are used."""
    from ui import widgets

    if not st.session_state.get(f"_link_read_{lesson.prefix}") and not _for_this_lesson(lesson):
        st.session_state[f"_link_read_{lesson.prefix}"] = True  # the link was for the page's other lesson
        return  # (xy vs Dirac): this one starts from its defaults; a link is only ever read at a first frame
    skip = set(_context(lesson))
    # On what the widgets show now: the defaults at a first frame, or what the page set before render() (the
    # 1-D page's ?scenario= link loads its scenario first), so a link changes only the settings it names.
    shown = widgets.config_from(lesson.config_cls, _defaults(lesson), run.values, _context(lesson))
    linked, _ = links.read_link(lesson.config_cls, lesson.prefix, base=shown, skip=skip)
    if linked is not None:
        widgets.show(lesson.prefix, linked, run.values, skip=skip)
    links.show_notes(lesson.prefix)
    if st.session_state.get(SEED_NOTE_KEY):
        st.warning(st.session_state[SEED_NOTE_KEY], icon=":material/link_off:")


def _link_params(lesson: Any, config: Any) -> dict[str, str]:
    ctx = _context(lesson)
    params = links.link_params(config, base=_defaults(lesson), skip=set(ctx),
                               seed=sidebar_settings.global_seed(), present=presenter.is_on())
    for name, value, spec in _context_settings(lesson):  # which lesson of the page (game=dirac)
        if value != spec.default:
            params[name] = format_text(spec, value)
    return params


def write_link(lesson: Any, run: Any, wanted: Any, errors: dict[str, str]) -> None:
    """The URL shows what the widgets ask for (or, while they hold a mistake, what runs)."""
    config = wanted if not errors else run.config
    if config is None:
        return
    params = links.with_page_params(_link_params(lesson, config))
    current = {k: st.query_params[k] for k in st.query_params.keys()}
    if current != params:
        st.query_params.from_dict(params)
        st.session_state.pop(f"_link_notes_{lesson.prefix}", None)
        st.session_state.pop(SEED_NOTE_KEY, None)


def toolbar(lesson: Any, run: Any) -> None:
    """In the sidebar, so the lesson keeps the screen: the link to copy, and export / import of the run."""
    adapter = ADAPTERS.get(lesson.prefix)
    with st.sidebar:
        st.caption("This lesson's run")
        share_col, export_col = st.container(), st.container()
    with share_col:
        links.copy_link()
    if adapter is None:
        return
    with export_col:
        with st.popover("Export / import", icon=":material/save:", width="stretch",
                        help="Download this run as one zip, or import one exported from this page."):
            export_bar.render(lesson.prefix, make_bundle=lambda: _export(lesson, run, adapter),
                              on_import=lambda data: _import(lesson, run, adapter, data),
                              step=lesson.steps(run.trainer) if run.trainer is not None else 0,
                              disabled=run.trainer is None)


def _seed(config: Any) -> int:
    return int(getattr(config, "seed", sidebar_settings.global_seed()))


def _export(lesson: Any, run: Any, adapter: Any) -> bytes:
    """The zip of the current run, made under the session's lock (a tick may be training)."""
    if not turns.acquire(run.lock, 30):
        run.notice = "The server was busy with this session's training: press Export again."
        return b""
    try:
        return run_bundle.export_run(adapter, run.trainer, run.config, _seed(run.config))
    except Exception as exc:  # noqa: BLE001 - a failed export is a message, not a broken page
        LOG.exception("export of %s failed", lesson.prefix)
        run.notice = f"Export failed: {type(exc).__name__}: {exc}"
        return b""
    finally:
        run.lock.release()


def _import(lesson: Any, run: Any, adapter: Any, data: bytes) -> str:
    """From the uploader's callback: build the exported run aside; only when it loaded whole does it replace
    the current one (a BundleError leaves everything as it was)."""
    from ui import lifecycle

    def build(config: Any, seed: int) -> Any:
        ctx = _context(lesson)
        if "seed" in ctx or not hasattr(config, "seed"):
            st.session_state[sidebar_settings.SEED_KEY] = int(seed)  # build reads the sidebar's seed
        extra = {k: v for k, v in ctx.items() if k != "seed" and hasattr(config, k)}
        if extra and any(getattr(config, k) != v for k, v in extra.items()):
            raise run_bundle.BundleError(
                f"This export is for another part of this page ({', '.join(f'{k}={getattr(config, k)}' for k in extra)}).")
        return lesson.build(config)

    before_seed = st.session_state.get(sidebar_settings.SEED_KEY)
    try:
        trainer, bundle = run_bundle.import_run(adapter, data, build)
    except Exception:
        st.session_state[sidebar_settings.SEED_KEY] = before_seed  # the current run keeps its seed too
        raise
    lifecycle.on_pause(lesson)
    if not turns.acquire(run.lock, 30):
        st.session_state[sidebar_settings.SEED_KEY] = before_seed
        raise run_bundle.BundleError("The server is busy with this session's training; try the import again.")
    try:
        run.trainer, run.config, run.error, run.todo = trainer, bundle.config, None, 0
        run.intents.clear()
    finally:
        run.lock.release()
    lifecycle.set_settings(lesson, bundle.config)
    return (f"Imported the run exported {bundle.created.replace('T', ' ')} (GAN Playground {bundle.app_version}): "
            f"{bundle.step:,} steps, seed {bundle.seed}.")


def shared_specs(lesson: Any) -> list[str]:
    """The parameters a link of this lesson may carry (for tests and docs)."""
    skip = set(_context(lesson))
    return [s.name for s in specs(lesson.config_cls) if s.setting.url and s.name not in skip]


# ------------------------------------------------------------------ the CGAN explorer's digit and z


def read_latent_link(latent_dim: int, limit: float, set_z: Callable[[np.ndarray], None]) -> None:
    """Once per session: the link's digit and z (`?digit=7&z=0.5,-1,…`, one number per latent dimension);
    a bad one is named and the default kept. Notes are shown where this is called."""
    if not st.session_state.get("cgan_link_read"):
        st.session_state["cgan_link_read"] = True
        notes, qp = [], st.query_params
        if "digit" in qp and qp["digit"].strip() in {str(d) for d in range(10)}:
            st.session_state["cgan_digit"] = int(qp["digit"])
        elif "digit" in qp:
            notes.append(("digit", f"Digit must be a whole number from 0 to 9 (got {short_repr(qp['digit'])})."))
        try:
            z = np.array([float(v) for v in qp["z"].split(",")]) if "z" in qp else None
            if z is not None and (len(z) != latent_dim or not np.all(np.isfinite(z)) or np.any(np.abs(z) > limit)):
                raise ValueError
            if z is not None:
                set_z(z)
        except ValueError:
            notes.append(("z", f"z must be {latent_dim} numbers from −{limit:g} to {limit:g}, separated by commas "
                               f"(got {short_repr(qp['z'])})."))
        st.session_state["cgan_link_notes"] = [
            f"Link parameter `{name}`: {links.plain(text)} The default is used." for name, text in notes]
    for note in st.session_state.get("cgan_link_notes", []):
        st.warning(note, icon=":material/link_off:")


def write_latent_link(digit: int, z: np.ndarray, default_digit: int) -> None:
    """The digit and z in the link (left out at their defaults); kept when a lesson rewrites the link."""
    links.set_page_params({"digit": str(digit) if digit != default_digit else None,
                           "z": ",".join(f"{v:g}" for v in np.round(z, 2)) if np.any(z) else None})

"""The CGAN page's read-only resources, loaded once per server and shared by every session (st.cache_resource),
and which generator a session is looking at."""
from __future__ import annotations

from pathlib import Path

import streamlit as st

from gan_core.cgan import checkpoint
from gan_core.cgan.latent import LoadedModel
from gan_core.cgan.memorisation import TrainingIndex, typical_real_distance
from gan_core.cgan.metrics import real_baseline
from gan_core.cgan.mnist import load_split

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CHECKPOINT = str(checkpoint.DEFAULT_GENERATOR.relative_to(ROOT))


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
    path = _resolve(st.session_state.get("cgan_checkpoint", DEFAULT_CHECKPOINT))
    try:
        mtime = path.stat().st_mtime if path.exists() else 0.0
        return load_model(str(path), mtime), None
    except checkpoint.CheckpointError as exc:
        return None, str(exc)

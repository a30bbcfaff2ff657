"""Lesson prose lives in markdown beside the pages (lessons/notes/*.md), not in string literals between logic."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import streamlit as st

NOTES_DIR = Path(__file__).resolve().parents[1] / "lessons" / "notes"


@lru_cache(maxsize=64)
def text(name: str) -> str:
    """The markdown of lessons/notes/<name>.md (read once per server process)."""
    return (NOTES_DIR / f"{name}.md").read_text(encoding="utf-8")


def expander(title: str, name: str, icon: str | None = None) -> None:
    """A folded section showing one notes file."""
    with st.expander(title, icon=icon):
        st.markdown(text(name))


@lru_cache(maxsize=64)
def sections(name: str) -> dict[str, str]:
    """Short named paragraphs from one notes file: each starts with a line `## key`."""
    out: dict[str, str] = {}
    key = None
    for line in text(name).splitlines():
        if line.startswith("## "):
            key = line[3:].strip()
            out[key] = ""
        elif key is not None:
            out[key] += line + "\n"
    return {k: v.strip() for k, v in out.items()}

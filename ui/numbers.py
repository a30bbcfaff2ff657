"""A row of live numbers drawn as one element, styled like st.metric.

Why: every element of a live panel is re-sent on every tick for every student, and st.metric is one
element per number (measured: the 1-D page's six metrics were ~6 % of the server's GIL time with twelve
students). The lesson's step counter stays a real st.metric (what tests and the benchmark's browser
client watch); the numbers beside it share one markdown element. Help texts are hover titles.
"""
from __future__ import annotations

import html
import re
from collections.abc import Sequence

import streamlit as st

CSS = """<style>
.gp-numbers { display: flex; gap: 1rem; width: 100%; }
.gp-numbers > div { flex: 1 1 0; min-width: 0; }
.gp-numbers .gp-label { font-size: 0.875rem; white-space: nowrap; overflow: hidden;
  text-overflow: ellipsis; line-height: 1.6; }
.gp-numbers .gp-label[title] { text-decoration: underline dotted; text-underline-offset: 3px; cursor: help; }
.gp-numbers .gp-value { font-size: 2.25rem; line-height: 1.2; white-space: nowrap; padding: 0.3rem 0 0.25rem; }
</style>"""

Cell = tuple[str, str, "str | None"]  # label, value, help (or None)


def numbers_html(cells: Sequence[Cell]) -> str:
    parts = []
    for label, value, help_text in cells:
        title = f' title="{html.escape(help_text, quote=True)}"' if help_text else ""
        parts.append(f'<div><div class="gp-label"{title}>{html.escape(label)}</div>'
                     f'<div class="gp-value">{html.escape(value)}</div></div>')
    return f'<div class="gp-numbers">{"".join(parts)}</div>'


def numbers(cells: Sequence[Cell], dg=None) -> None:
    """One element for all `cells`. Draw `CSS` once on the page (outside the live fragment)."""
    (st if dg is None else dg).markdown(numbers_html(cells), unsafe_allow_html=True)


_CELL = re.compile(r'<div class="gp-label"[^>]*>(.*?)</div><div class="gp-value">(.*?)</div>')


def read_numbers(body: str) -> dict[str, str]:
    """{label: value} of a row drawn by `numbers` (for tests and benchmarks)."""
    return {html.unescape(label): html.unescape(value) for label, value in _CELL.findall(body or "")}

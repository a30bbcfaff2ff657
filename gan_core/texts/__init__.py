"""Teaching texts shown on several pages, kept as markdown so the words live outside the logic.

    evaluation.md     why a GAN is hard to evaluate (no likelihood) and what the app measures instead;
                      one "## <lesson>" section per page that shows metrics (see `evaluation_note`)
    lessons_index.md  the lectures' three named failures, each with the page (and scenario) that shows it
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

HERE = Path(__file__).parent
EVALUATION_LESSONS = ("mapping_1d", "cgan", "mode_collapse")


@cache
def load(name: str) -> str:
    """The markdown text `name` (file name without .md)."""
    path = HERE / f"{name}.md"
    if not path.is_file():
        raise ValueError(f"no text named {name!r} in {HERE}")
    return path.read_text(encoding="utf-8")


def _sections(text: str) -> tuple[str, dict[str, str]]:
    """(text before the first '## ' heading, {heading: body})."""
    parts = re.split(r"^## +(.+?)\s*$", text, flags=re.MULTILINE)
    head, rest = parts[0].strip(), parts[1:]
    return head, {rest[i].strip(): rest[i + 1].strip() for i in range(0, len(rest), 2)}


def evaluation_note(lesson: str) -> str:
    """Markdown for where a page shows its metrics: the general point (a GAN gives no likelihood, so it is
    hard to evaluate) and what this lesson measures instead, and why."""
    head, sections = _sections(load("evaluation"))
    if lesson not in sections:
        raise ValueError(f"no evaluation note for {lesson!r}; known: {', '.join(sections)}")
    return f"{head}\n\n{sections[lesson]}"


@dataclass(frozen=True)
class IndexEntry:
    failure: str  # the lecture's name, e.g. "Diminished gradient"
    page: str  # the page file, e.g. "pages/1_mapping_1d.py"
    query: dict[str, str]  # query parameters for st.page_link, e.g. {"scenario": "vanishing"}
    label: str  # the link's text
    text: str  # one or two sentences: what the lecture says and what the page shows

    @property
    def url_query(self) -> str:
        return "&".join(f"{k}={v}" for k, v in self.query.items())


def lessons_index() -> tuple[str, list[IndexEntry]]:
    """(intro markdown, entries) of the first page's index of the lectures' named failures. Each section
    of lessons_index.md starts with `link: PAGE[?k=v&...] | LABEL`, then its text."""
    head, sections = _sections(load("lessons_index"))
    entries = []
    for failure, body in sections.items():
        first, _, text = body.partition("\n")
        m = re.fullmatch(r"link:\s*(\S+?)(?:\?(\S+))?\s*\|\s*(.+)", first.strip())
        if m is None:
            raise ValueError(f"lessons_index.md, section {failure!r}: the first line must be 'link: PAGE | LABEL'")
        page, query, label = m.groups()
        params = dict(kv.split("=", 1) for kv in query.split("&")) if query else {}
        entries.append(IndexEntry(failure, page, params, label.strip(), text.strip()))
    return head, entries

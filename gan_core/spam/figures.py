"""Figure builders for the spam page: plain Vega-Lite dicts with data in named `datasets`
(see gan_core/vega.py), plus the HTML of an email with its suspicious words highlighted.

`arrow=True` (the live page, redrawn every round): the datasets as Arrow bytes built without pandas,
which Streamlit ships as they are; the default DataFrames are for tests and the CLI."""
from __future__ import annotations

import html
import math

import numpy as np
import pandas as pd

from gan_core.spam.game import ConfusionMatrix, SpamGame, filter_lesson_shares
from gan_core.vega import arrow_bytes

ACTUAL = ["Spam (the spammer wrote it)", "Real mail"]
VERDICT = ["Flagged as spam", "Passed"]
SIDE_COLORS = {"spam evidence": "#d62728", "real-mail evidence": "#1f77b4"}
COIN_TOSS = 0.5
# Fit the width to the column, keep `height` for the plot itself (legends and titles come on top of it).
AUTOSIZE = {"type": "fit-x", "contains": "padding"}
LN2 = math.log(2.0)
FILTER_WORDS_TITLE = "Words the filter relies on (its weights)"

CELLS = {
    # cell: (actual, verdict, lecture label)
    "tp": (ACTUAL[0], VERDICT[0], "TP · spam caught"),
    "fn": (ACTUAL[0], VERDICT[1], "FN · spam let through"),
    "fp": (ACTUAL[1], VERDICT[0], "FP · good mail flagged"),
    "tn": (ACTUAL[1], VERDICT[1], "TN · good mail passed"),
}


def who_learns(cell: str, human_filter: bool = False) -> str:
    """Who learns from this cell of the confusion matrix (standard meaning, positive = flagged)."""
    if cell == "tp":
        return "→ the spammer learns"
    if cell == "tn":
        return "→ nobody learns much"
    return "→ you learn (blocklist)" if human_filter else "→ the filter learns"


def confusion_frame(cm: ConfusionMatrix, shares: dict[str, float] | None = None, human_filter: bool = False) -> pd.DataFrame:
    rows = []
    counts = cm.to_dict()
    for cell, (actual, verdict, label) in CELLS.items():
        share = "" if shares is None or human_filter else f"{100 * shares[cell]:.0f}% of the filter's push"
        rows.append({"actual": actual, "verdict": verdict, "label": label, "count": counts[cell],
                     "learner": who_learns(cell, human_filter), "share": share, "cell": cell})
    return pd.DataFrame(rows)


def confusion_spec(cm: ConfusionMatrix, shares: dict[str, float] | None = None, human_filter: bool = False,
                   max_count: int | None = None, data=None, title: str | None = None) -> dict:
    """2x2 heat map: rows = what the email really is, columns = the filter's verdict; count, label and who learns.
    The colour scale is fixed to [0, emails per side] so colours compare across rounds. `data`: the cells
    already built (Arrow bytes), else a DataFrame from `cm` and `shares`."""
    max_count = max_count or max(cm.tp + cm.fn, cm.fp + cm.tn, 1)
    if data is None:
        data = confusion_frame(cm, shares, human_filter)
    text = {"x": {"field": "verdict", "type": "nominal", "sort": VERDICT},
            "y": {"field": "actual", "type": "nominal", "sort": ACTUAL}}
    dark = {"condition": {"test": f"datum['count'] > {max_count / 2}", "value": "white"}, "value": "black"}
    spec = {
        "height": 330,
        "width": {"step": 190},  # a band scale cannot stretch to the column; fixed cells keep the text inside
        "autosize": {"type": "pad", "contains": "padding"},
        # SVG, not the live charts' canvas (gan_core/vega.on_canvas): the matrix is its text (TP · spam caught, the
        # counts, who learns), which SVG keeps readable in the page; four cells, nothing clipped to pile up
        "usermeta": {"embedOptions": {"renderer": "svg"}},
        "data": {"name": "confusion"},
        "datasets": {"confusion": data},
        "encoding": {
            "x": {"field": "verdict", "type": "nominal", "sort": VERDICT, "title": "the filter's verdict",
                  "axis": {"orient": "top", "labelAngle": 0, "labelFontSize": 13}},
            "y": {"field": "actual", "type": "nominal", "sort": ACTUAL, "title": "what the email really is",
                  "axis": {"labelFontSize": 13, "labelLimit": 220}},
        },
        "layer": [
            {"mark": {"type": "rect", "stroke": "white", "strokeWidth": 3},
             "encoding": {"color": {"field": "count", "type": "quantitative", "legend": None,
                                    "scale": {"scheme": "oranges", "domain": [0, max_count]}},
                          "tooltip": [{"field": "label"}, {"field": "count"}, {"field": "learner", "title": "who learns"},
                                      {"field": "share", "title": "filter"}]}},
            {"mark": {"type": "text", "dy": -48, "fontSize": 15, "fontWeight": "bold"},
             "encoding": {**text, "text": {"field": "label"}, "color": dark}},
            {"mark": {"type": "text", "fontSize": 34, "fontWeight": "bold"},
             "encoding": {**text, "text": {"field": "count"}, "color": dark}},
            {"mark": {"type": "text", "dy": 38, "fontSize": 14, "fontStyle": "italic"},
             "encoding": {**text, "text": {"field": "learner"}, "color": dark}},
            {"mark": {"type": "text", "dy": 58, "fontSize": 12},
             "encoding": {**text, "text": {"field": "share"}, "color": dark}},
        ],
    }
    if title:
        spec["title"] = {"text": title, "anchor": "start", "fontSize": 20, "offset": 12}
    return spec


def board_spec(view, arrow: bool = False, title: str | None = None) -> dict:
    """The confusion matrix of a `board.BoardView`: counts, and who learns with the shares, all from the view."""
    return confusion_spec(view.confusion, view.filter_shares, view.human, max_count=view.max_count,
                          data=board_data(view, arrow), title=title)


def board_data(view, arrow: bool = False) -> "pd.DataFrame | bytes":
    """The four cells of the board's heat map (Arrow bytes with `arrow`, else a DataFrame)."""
    cells = list(CELLS)
    counts = view.confusion.to_dict()
    columns = {
        "actual": [CELLS[c][0] for c in cells], "verdict": [CELLS[c][1] for c in cells],
        "label": [CELLS[c][2] for c in cells], "count": [counts[c] for c in cells],
        "learner": [view.cells[c].learner for c in cells], "share": [view.cells[c].share for c in cells],
        "cell": cells,
    }
    if arrow:  # no DataFrame on the live page: Arrow bytes straight from the columns
        return arrow_bytes(**{k: np.array(v, dtype=int if k == "count" else object) for k, v in columns.items()})
    return pd.DataFrame(columns)


def filter_words_frame(game: SpamGame, k: int = 8) -> pd.DataFrame:
    top = game.filter_top_words(k)
    rows = [{"word": w, "weight": v, "side": "spam evidence"} for w, v in top["spam"]]
    rows += [{"word": w, "weight": v, "side": "real-mail evidence"} for w, v in top["ham"]]
    return pd.DataFrame(rows, columns=["word", "weight", "side"])


def filter_words_spec(game: SpamGame, k: int = 8, arrow: bool = False, title: str | None = FILTER_WORDS_TITLE) -> dict:
    """The filter's most telling words as bars: weight > 0 pushes towards 'spam', < 0 towards 'real mail'."""
    spec = {
        "height": 300,
        "autosize": AUTOSIZE,
        "data": {"name": "filter_words"},
        "datasets": {"filter_words": filter_words_data(game, k, arrow)},
        "mark": {"type": "bar"},
        "encoding": {
            "y": {"field": "word", "type": "nominal", "sort": "-x", "title": None, "axis": {"labelFontSize": 13}},
            "x": {"field": "weight", "type": "quantitative", "title": "weight (← real mail · spam →)"},
            # " ": what Streamlit turns a null legend title into (in place); written so, the kept spec stays as built
            "color": {"field": "side", "type": "nominal", "title": " ",
                      "scale": {"domain": list(SIDE_COLORS), "range": list(SIDE_COLORS.values())},
                      "legend": {"orient": "bottom"}},
            "tooltip": [{"field": "word"}, {"field": "weight", "format": ".3f"}, {"field": "side"}],
        },
    }
    if title:
        spec["title"] = title
    return spec


def filter_words_data(game: SpamGame, k: int = 8, arrow: bool = False) -> "pd.DataFrame | bytes":
    if not arrow:
        return filter_words_frame(game, k)
    top = game.filter_top_words(k)
    rows = [(w, v, side) for side, key in (("spam evidence", "spam"), ("real-mail evidence", "ham")) for w, v in top[key]]
    return arrow_bytes(word=np.array([r[0] for r in rows], dtype=object), weight=np.array([r[1] for r in rows], float),
                       side=np.array([r[2] for r in rows], dtype=object))


def rounds_frame(game: SpamGame, max_points: int = 400) -> pd.DataFrame:
    cols = game.history.view(max_points)
    return pd.DataFrame({k: cols[k] for k in (
        "round", "accuracy", "spam_through", "ham_flagged", "filter_loss", "spammer_loss", "spam_word_share")})


def _rounds(game: SpamGame, columns: tuple[str, ...], arrow: bool) -> "pd.DataFrame | bytes":
    if not arrow:
        return rounds_frame(game)
    cols = game.history.view(400)
    # the columns this chart draws; float32 halves the bytes sent every round and is plenty for a curve
    return arrow_bytes(round=np.asarray(cols["round"], np.int32),
                       **{c: np.asarray(cols[c], np.float32) for c in columns})


def _lines_with_rule(rounds: "pd.DataFrame | bytes", title: str, series: dict[str, str], colors: list[str], rule: float, rule_label: str,
                     y_title: str, y_domain: list[float] | None) -> dict:
    y = {"field": "value", "type": "quantitative", "title": y_title}
    if y_domain is not None:
        y["scale"] = {"domain": y_domain}
    return {
        "title": title,
        "height": 200,
        "autosize": AUTOSIZE,
        "data": {"name": "rounds"},
        "datasets": {"rounds": rounds},
        "layer": [
            {"transform": [{"fold": list(series), "as": ["key", "value"]},
                           {"filter": "isValid(datum.value)"},
                           {"calculate": " || ".join(f"(datum.key === '{k}' ? '{v}' : '')" for k, v in series.items()),
                            "as": "series"}],
             "mark": {"type": "line", "clip": True},
             "encoding": {"x": {"field": "round", "type": "quantitative", "title": "round"},
                          "y": y,
                          "color": {"field": "series", "type": "nominal", "title": None,
                                    "scale": {"domain": list(series.values()), "range": colors},
                                    "legend": {"orient": "bottom", "columns": 2}}}},
            {"mark": {"type": "rule", "strokeDash": [4, 4], "color": "#7f7f7f"},
             "encoding": {"y": {"datum": rule, "type": "quantitative"}}},
            {"mark": {"type": "text", "align": "left", "dx": 4, "dy": -6, "color": "#7f7f7f"},
             "encoding": {"y": {"datum": rule, "type": "quantitative"}, "x": {"value": 0},
                          "text": {"value": rule_label}}},
        ],
    }


RATES = {"accuracy": "filter accuracy", "spam_through": "spam getting through",
         "ham_flagged": "good mail flagged", "spam_word_share": "spam-list words it uses"}
LOSSES = {"filter_loss": "filter (BCE)", "spammer_loss": "spammer (−log P(pass))"}


def rates_spec(game: SpamGame, arrow: bool = False) -> dict:
    return _lines_with_rule(
        _rounds(game, tuple(RATES), arrow),
        "Who is winning",
        RATES,
        ["#2ca02c", "#ff7f0e", "#1f77b4", "#d62728"],
        COIN_TOSS, "coin toss (50%)", "share", [0, 1],
    )


def losses_spec(game: SpamGame, arrow: bool = False) -> dict:
    return _lines_with_rule(
        _rounds(game, tuple(LOSSES), arrow),
        "Losses",
        LOSSES,
        ["#2ca02c", "#ff7f0e"],
        LN2, "ln 2: neither side can do better", "loss", None,
    )


BOARD_TITLE = "This round's confusion matrix"
_SHAPES: dict[tuple, dict] = {}  # (chart, what its shape depends on) -> spec without datasets; never mutated


def _shape(key: tuple, build) -> dict:
    spec = _SHAPES.get(key)
    if spec is None:
        spec = _SHAPES[key] = {k: v for k, v in build().items() if k != "datasets"}
    return spec


def live_charts(game: SpamGame, view) -> dict[str, tuple[dict, dict[str, bytes]]]:
    """The live page's four charts as (spec without its data, {dataset name: Arrow bytes}), for
    ui/charts.vega_chart: a spec's shape depends on the test batch's size alone, so each is built (and
    serialised by vega_chart) once and kept; every round only the data is new."""
    board = _shape(("board", view.max_count), lambda: board_spec(view, title=BOARD_TITLE))
    words = _shape(("filter_words",), lambda: filter_words_spec(game, title=None))
    rates = _shape(("rates",), lambda: rates_spec(game))
    losses = _shape(("losses",), lambda: losses_spec(game))
    return {
        "board": (board, {"confusion": board_data(view, arrow=True)}),
        "filter_words": (words, {"filter_words": filter_words_data(game, arrow=True)}),
        "rates": (rates, {"rounds": _rounds(game, tuple(RATES), arrow=True)}),
        "losses": (losses, {"rounds": _rounds(game, tuple(LOSSES), arrow=True)}),
    }


def email_html(words: list[str], weights: np.ndarray | dict, p_spam: float, threshold: float,
               blocked: set[str] | frozenset = frozenset(), n_suspicious: int = 3) -> str:
    """One email as HTML: verdict badge, then its words; the filter's most suspicious words (highest weight)
    on red, blocked words struck through. Every word is escaped."""
    weight_of = weights if isinstance(weights, dict) else {}
    scored = sorted(((weight_of.get(w, 0.0), w) for w in set(words)), reverse=True)
    suspicious = {w for v, w in scored[:n_suspicious] if v > 0} | (set(words) & set(blocked))
    flagged = p_spam >= threshold
    badge = (f"<span style='background:#d62728;color:white;padding:1px 6px;border-radius:4px'>caught · "
             f"P(spam) {p_spam:.2f}</span>" if flagged else
             f"<span style='background:#2ca02c;color:white;padding:1px 6px;border-radius:4px'>passed · "
             f"P(spam) {p_spam:.2f}</span>")
    parts = []
    for w in words:
        text = html.escape(w)
        if w in blocked:
            parts.append(f"<span style='background:#ffd6d6;text-decoration:line-through'>{text}</span>")
        elif w in suspicious:
            parts.append(f"<span style='background:#ffd6d6;border-radius:3px;padding:0 2px'>{text}</span>")
        else:
            parts.append(text)
    return f"{badge}&nbsp; {' '.join(parts)}"


def real_email_html(text: str, tokens_in_vocab: set[str], weight_of: dict, p_spam: float, threshold: float,
                    blocked: set[str] | frozenset = frozenset(), n_suspicious: int = 3) -> str:
    """A real email in full, its most suspicious vocabulary words highlighted (for flagged good mail, FP)."""
    import re

    pieces = re.split(r"([A-Za-z]+(?:'[A-Za-z]+)?)", text)
    words = {p.lower() for p in pieces[1::2]} & tokens_in_vocab
    scored = sorted(((weight_of.get(w, 0.0), w) for w in words), reverse=True)
    suspicious = {w for v, w in scored[:n_suspicious] if v > 0} | (words & set(blocked))
    out = []
    for i, piece in enumerate(pieces):
        escaped = html.escape(piece)
        if i % 2 == 1 and piece.lower() in suspicious:
            out.append(f"<span style='background:#ffd6d6;border-radius:3px;padding:0 2px'>{escaped}</span>")
        else:
            out.append(escaped)
    verdict = "flagged" if p_spam >= threshold else "passed"
    return f"<i>{''.join(out)}</i> &nbsp;<small>(real mail, {verdict}, P(spam) {p_spam:.2f})</small>"


__all__ = [
    "confusion_frame", "confusion_spec", "email_html", "filter_lesson_shares", "filter_words_frame",
    "filter_words_spec", "live_charts", "losses_spec", "rates_spec", "real_email_html", "rounds_frame", "who_learns",
]

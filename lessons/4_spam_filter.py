"""Spammer vs spam filter: the lecture's GAN analogy as a game you can watch and play.

UI only: the run lifecycle (ui/lifecycle.py) builds a SpamGame from the generated settings widgets and
plays one round per tick. The threshold and "be the filter" apply to the running game at once; the other
settings wait for Apply once the game has started.
"""
from __future__ import annotations

import dataclasses

import streamlit as st

from gan_core.spam import figures
from gan_core.spam.board import board_view
from gan_core.spam.config import SpamConfig, blocklist_problems
from gan_core.spam.corpus import load_corpus
from gan_core.spam.game import SpamGame
from ui import lifecycle
from ui.charts import vega_chart
from ui.numbers import CSS as NUMBERS_CSS
from ui.numbers import numbers as number_row
from ui.settings import global_device, global_seed

PREFIX = "spam"
SAMPLE_EMAILS = 5
MODES = {False: "The learned filter (logistic regression)", True: "You: block words"}


def build(config: SpamConfig) -> SpamGame:
    """A new game; the student's blocklist is kept, minus words a new vocabulary lacks."""
    corpus = load_corpus(config.real_vocab_size)
    kept = tuple(w for w in config.blocked_words if w in set(corpus.words))
    return SpamGame(dataclasses.replace(config, blocked_words=kept), seed=global_seed(), corpus=corpus,
                    device=global_device())


def apply_live(game: SpamGame, config: SpamConfig) -> None:
    game.set_threshold(config.threshold)
    game.set_human_filter(config.human_filter, config.blocked_words if config.human_filter else ())


def mode_widget(spec, key, value) -> None:
    st.radio("Who is the filter?", list(MODES), format_func=MODES.get, key=key, horizontal=True,
             help="Be the filter: any email that uses one of your blocked words is flagged. The learned "
                  "filter rests meanwhile, and the spammer learns from your verdicts instead.")


def threshold_widget(spec, key, value) -> None:
    # Your blocklist's verdict is yes/no (an email uses a blocked word or not): no line to move.
    human = bool(st.session_state.get(f"{PREFIX}_human_filter"))
    st.slider("Threshold: flag an email when P(spam) ≥", 0.0, 1.0, step=0.01, key=key, disabled=human,
              help=("Not used while you are the filter: an email is flagged when it uses a word you blocked."
                    if human else "Moves the line between 'flagged' and 'passed' on the same emails: no "
                    "retraining. Lower catches more spam and flags more good mail."))


def _block_favourites(game: SpamGame) -> None:
    current = list(st.session_state.get("spam_blocked_words", []))
    st.session_state["spam_blocked_words"] = current + [w for w, _ in game.spammer_top_words(5) if w not in current]


def blocklist_widget(spec, key, value) -> None:
    game = lifecycle.trainer(PREFIX)
    words = list(game.corpus.words) if game is not None else []
    st.session_state[key] = [w for w in st.session_state.get(key, []) if w in words]
    pick, button = st.columns([3, 1], vertical_alignment="bottom")
    blocked = pick.multiselect(spec.setting.label, words, key=key, placeholder="Pick the words that give spam away…")
    button.button("Block top 5", key="spam_block_top", help="Add the spammer's five favourite words right now.",
                  on_click=lifecycle.with_trainer, args=(PREFIX, _block_favourites, "Blocking words"),
                  width="stretch")
    for message in blocklist_problems(blocked, tuple(words)):
        st.error(message, icon=":material/block:")
    if not blocked:  # true by construction: an empty blocklist flags nothing (the matrix shows TP = FP = 0)
        st.info("No word is blocked yet, so every email passes. Block the words that give spam away.",
                icon=":material/info:")


def check(config: SpamConfig) -> dict[str, str]:
    problems = config.validate()
    game = lifecycle.trainer(PREFIX)
    if game is not None and config.human_filter and blocklist_problems(config.blocked_words, game.corpus.words):
        problems.setdefault("blocked_words", " ".join(blocklist_problems(config.blocked_words, game.corpus.words)))
    return problems


BRIDGE = (
    "**The bridge to GANs.** Spammer = generator, filter = discriminator, the built-in real mail = the training "
    "data, the spammer's random noise = the latent *z*. The spammer **never sees real mail**: all it gets back is "
    "the filter's verdict on each email it sent. The filter minimises the discriminator's binary cross-entropy; "
    "the spammer maximises log P(pass), the non-saturating generator loss. The game ends when spam is "
    "distributed like real mail: then the filter **can do no better than a coin toss** — accuracy → 50%, both "
    "losses → ln 2 ≈ 0.69."
)
METHOD = (
    "Noise *z* goes through a small network that gives every vocabulary word a probability; an email is "
    f"{SpamConfig.words_per_email} different words drawn from it (a bag of words — order means nothing to the "
    "filter). It starts out favouring *free, cash, prize, click…*. After each batch, emails that passed better "
    "than the batch's average make their words more likely and caught ones make theirs rarer. That is "
    "REINFORCE, a policy gradient: picking a word has no gradient, so the spammer learns from the verdicts "
    "alone — which is also why it can play against your blocklist."
)


CURVES_NOTE = (
    "Within about a hundred rounds accuracy settles near 50% and both losses near ln 2: the spammer uses "
    "words about as often as real mail does, so the filter's word weights have nothing left to go on. "
    "That takes big samples — every update reads all of the filter's real mail and {batch} fresh spam emails. "
    "With a few dozen, chance differences between samples look like evidence, both sides chase them, and the "
    "game stalls around 60%."
)
WEIGHTS_NOTE = ("A word's weight adds to an email's suspicion in proportion to how often the email uses it; watch "
                "the spam words fade as the spammer drops them and everyday words take their place.")


def small(text: str) -> str:
    """A caption inside a markdown element: one element a round instead of two."""
    return f":small[:gray[{text}]]"


def draw(game: SpamGame) -> None:
    """What changes every round, and only that (the fragment resends each element every tick): texts that
    sit together are one markdown; the texts that only change with the settings are in `notes()`."""
    human = game.config.human_filter
    # One computation for the matrix, its shares and every sentence about them, from what rules now.
    view = board_view(game, game.config.threshold, human, game.config.blocked_words)
    t = view.threshold if view is not None else game.config.threshold
    cm = None if view is None else view.confusion
    # The round counter is a real st.metric (what the tests and the benchmark's client read); the three
    # numbers beside it are one element (ui/numbers.py): every element is re-sent every tick.
    with st.container(horizontal=True, key="spam_numbers"):
        st.metric("Round", game.round)
        number_row([
            ("Filter accuracy", "—" if cm is None else f"{cm.accuracy:.0%}",
             "Right verdicts on this round's fresh test batch. 50% = a coin toss."),
            ("Spam getting through", "—" if cm is None else f"{cm.spam_through:.0%}",
             "FN / (TP + FN): the spammer's pass rate."),
            ("Good mail flagged", "—" if cm is None else f"{cm.ham_flagged:.0%}", "FP / (FP + TN)."),
        ])

    spam_list = game.corpus.spam_words_set
    favourites = ", ".join(f"**{w}**" if w in spam_list else w for w, _ in game.spammer_top_words(10))
    if cm is None:
        st.info("Press **Next round** or **Run**: the filter studies real mail against the spammer's first "
                "emails, then the spammer rewrites.", icon=":material/mail:")
        drafts = [" ".join(f"**{w}**" if w in spam_list else w for w in words) for words in game.preview(3)]
        st.markdown("\n\n".join(["### The spammer's first drafts", *drafts,
                                  small(f"Its favourite words (obvious spam words in bold): {favourites}")]))
        return

    # One column pair for the whole board (each st.columns row is three more elements every round).
    charts = figures.live_charts(game, view)  # (spec kept per shape, this round's Arrow bytes) per chart
    left, right = st.columns([3, 2], gap="large")
    with left:
        if view.notice and view.blocked:  # the empty-blocklist note is next to the blocklist already
            st.info(view.notice, icon=":material/info:")
        vega_chart(*charts["board"], width="content")
        st.session_state["spam_last_confusion"] = cm.to_dict()  # read by the page tests
        weights = {} if human else dict(zip(game.corpus.words, game.word_weights().tolist()))
        blocked = set(game.config.blocked_words) if human else set()
        emails = [figures.email_html(game.email_text(game.last.spam_words[i]), weights, view.spam_p[i], t, blocked)
                  for i in range(min(SAMPLE_EMAILS, len(view.spam_p)))]
        parts = ["### Emails the spammer wrote this round", *emails,
                 small("Red: the filter's most suspicious words in each email"
                       + (" (struck: your blocked words)." if human else ".")),
                 f"The spammer's favourite words now (obvious spam words in bold): {favourites}"]
        flagged_real = [j for j, p in enumerate(view.ham_p) if p >= t]
        if flagged_real:
            j = flagged_real[0]
            text = game.corpus.ham_texts[game.last.ham_rows[j]]
            parts += [f"**Good mail wrongly flagged (FP) this round: {len(flagged_real)}.** For example:",
                      figures.real_email_html(text, game.corpus.vocabulary, weights, view.ham_p[j], t, blocked)]
        st.markdown("\n\n".join(parts), unsafe_allow_html=True)
        vega_chart(*charts["rates"])
    with right:
        parts = ["### Who learns from what", view.explanation]
        if human:
            parts += ["### Your blocklist", ", ".join(f"~~{w}~~" for w in game.config.blocked_words) or "*(empty)*",
                      small("The learned filter rests while you filter; its weights below are from before you "
                            "took over.")]
        st.markdown("\n\n".join([*parts, f"#### {figures.FILTER_WORDS_TITLE}", small(WEIGHTS_NOTE)]))
        vega_chart(*charts["filter_words"])
        vega_chart(*charts["losses"])


# The round counter one cell, the three numbers beside it three (ui/numbers.py draws them as one element).
ROW_CSS = """<style>.st-key-spam_numbers > * { flex: 1 1 0 !important; min-width: 0 !important; }
.st-key-spam_numbers > *:last-child { flex: 3 1 0 !important; }
</style>""" + NUMBERS_CSS


def notes() -> None:
    """Below the live panel, drawn on a page run only (not every round): they change with the settings alone."""
    game = lifecycle.trainer(PREFIX)
    config = game.config if game is not None else SpamConfig()
    if not config.human_filter:
        st.caption(CURVES_NOTE.format(batch=config.batch_size))
    left, right = st.columns([3, 2], gap="large")
    with left, st.container(border=True):
        st.markdown("**How the spammer learns (REINFORCE).** " + METHOD)
    with right, st.container(border=True):
        st.markdown(BRIDGE)


LESSON = lifecycle.Lesson(
    prefix=PREFIX,
    config_cls=SpamConfig,
    build=build,
    reset=lambda game, config: game.reset(global_seed()),
    advance=lambda game, seconds: game.step(1),
    draw=draw,
    restore=None,
    check=check,
    context=lambda: {},
    live_fields=frozenset({"threshold", "human_filter", "blocked_words"}),
    apply_live=apply_live,
    hidden=lambda name, wanted: name == "blocked_words" and not wanted.human_filter,
    custom_widgets={"human_filter": mode_widget, "threshold": threshold_widget, "blocked_words": blocklist_widget},
    start_label="Run",
    step_label="Next round",
    nominal_interval=0.2,  # one round per tick: 5 a second to see a trend, the matrix still readable
    settings_open=True,
)

st.title("Spammer vs spam filter")
st.markdown(
    "A **spammer** (the generator) writes emails; a **spam filter** (the discriminator) judges them against "
    "real mail. Each round the filter learns from its mistakes, then the spammer rewrites. Press **Run** and "
    "watch the spammer go from obvious spam to mail the filter cannot tell apart — or become the filter yourself."
)
st.html(ROW_CSS)
lifecycle.render(LESSON)
notes()

"""Spammer vs spam filter: the lecture's GAN analogy as a game you can watch and play."""
from __future__ import annotations

import streamlit as st

from gan_core.spam import figures
from gan_core.spam.corpus import max_real_vocab_size
from gan_core.spam.game import SpamGame, filter_lesson_shares
from gan_core.spam.settings import LIMITS, SpamSettings, blocklist_problems, threshold_problems
from ui import live
from ui.settings import global_device, global_seed

PREFIX = "spam"
GAME_KEY = "spam_game"
BLOCKED_KEY = "spam_blocked"
TICK_SECONDS = 0.25  # one round per tick: fast enough to see a trend, slow enough to read the matrix
MODE_LEARNED = "The learned filter (logistic regression)"
MODE_HUMAN = "You: block words"
DEFAULTS = SpamSettings()
SAMPLE_EMAILS = 5

st.title("Spammer vs spam filter")
st.markdown(
    "A **spammer** (the generator) writes emails; a **spam filter** (the discriminator) judges them against "
    "real mail. Each round the filter learns from its mistakes, then the spammer rewrites. Press **Run** and "
    "watch the spammer go from obvious spam to mail the filter cannot tell apart — or become the filter yourself."
)


# ---------------------------------------------------------------------------------------------
# Settings: one SpamSettings from the widgets (the structural ones apply on Reset)


def settings_from_widgets() -> SpamSettings:
    ss = st.session_state
    return SpamSettings(
        real_vocab_size=int(ss.get("spam_vocab_size", DEFAULTS.real_vocab_size)),
        words_per_email=int(ss.get("spam_words_per_email", DEFAULTS.words_per_email)),
        filter_steps=int(ss.get("spam_filter_steps", DEFAULTS.filter_steps)),
        spammer_steps=int(ss.get("spam_spammer_steps", DEFAULTS.spammer_steps)),
        filter_lr=float(ss.get("spam_filter_lr", DEFAULTS.filter_lr)),
        spammer_lr=float(ss.get("spam_spammer_lr", DEFAULTS.spammer_lr)),
    )


def structural(settings: SpamSettings) -> dict:
    """The settings a new game is built from (threshold and blocklist are live, not structural)."""
    return settings.replace(threshold=DEFAULTS.threshold, human_filter=False, blocked_words=()).to_dict()


def new_game() -> SpamGame | None:
    settings = settings_from_widgets()
    if settings.validate():
        return None
    return SpamGame(settings, seed=global_seed(), device=global_device())


def next_round() -> None:
    game = st.session_state.get(GAME_KEY)
    if game is not None and game.diverged is None:
        game.step(1)


def reset_game() -> None:
    game = new_game()
    st.session_state[GAME_KEY] = game
    # Keep the student's blocklist, minus words a new vocabulary no longer has (the widget would refuse them).
    vocabulary = set(game.corpus.words) if game is not None else set()
    st.session_state[BLOCKED_KEY] = [w for w in st.session_state.get(BLOCKED_KEY, []) if w in vocabulary]


if GAME_KEY not in st.session_state:
    st.session_state[GAME_KEY] = new_game()
if BLOCKED_KEY in st.session_state:
    # Keep the blocklist while the learned filter plays (Streamlit forgets the state of widgets not drawn).
    st.session_state[BLOCKED_KEY] = st.session_state[BLOCKED_KEY]
game: SpamGame | None = st.session_state[GAME_KEY]
setting_problems = settings_from_widgets().validate()

bar = st.container()  # the control bar goes here, once we know whether the game can run

# ---------------------------------------------------------------------------------------------
# Who filters, and where the line is (both live: no retraining)

col_mode, col_threshold = st.columns([3, 2], gap="large")
blocklist_ok = True
with col_mode:
    mode = st.radio("Who is the filter?", [MODE_LEARNED, MODE_HUMAN], key="spam_mode", horizontal=True,
                    help="Be the filter: any email that uses one of your blocked words is flagged. The learned "
                         "filter rests meanwhile, and the spammer learns from your verdicts instead.")
    human = mode == MODE_HUMAN
    if human and game is not None:
        def block_spammer_favourites() -> None:
            current = list(st.session_state.get(BLOCKED_KEY, []))
            top = [w for w, _ in game.spammer_top_words(5)]
            st.session_state[BLOCKED_KEY] = current + [w for w in top if w not in current]

        pick, button = st.columns([3, 1], vertical_alignment="bottom")
        blocked = pick.multiselect("Blocked words", game.corpus.words, key=BLOCKED_KEY,
                                   placeholder="Pick the words that give spam away…")
        button.button("Block top 5", key="spam_block_top", on_click=block_spammer_favourites,
                      help="Add the spammer's five favourite words right now.", width="stretch")
        problems = blocklist_problems(blocked, game.corpus.words)
        for message in problems:
            st.error(message, icon=":material/block:")
        blocklist_ok = not problems
        if not blocked:
            st.info("No word is blocked yet, so every email passes. Block the words that give spam away.",
                    icon=":material/info:")
with col_threshold:
    threshold = st.slider("Threshold: flag an email when P(spam) ≥", 0.0, 1.0, DEFAULTS.threshold, 0.01,
                          key="spam_threshold",
                          help="Moves the line between 'flagged' and 'passed' on the same emails: no retraining. "
                               "Lower catches more spam and flags more good mail.")
    threshold_messages = threshold_problems(threshold)
    for message in threshold_messages:
        st.error(message, icon=":material/error:")
    if threshold_messages:
        threshold = game.settings.threshold if game is not None else DEFAULTS.threshold
        st.caption(f"Still using the last valid threshold, {threshold:.2f}.")

if game is not None:
    game.set_threshold(threshold)
    if blocklist_ok:
        game.set_human_filter(human, st.session_state.get(BLOCKED_KEY, []) if human else ())

can_run = game is not None and blocklist_ok and game.diverged is None
if not can_run and live.is_running(PREFIX):
    live.set_running(PREFIX, False)
with bar:
    live.control_bar(PREFIX, on_step=next_round, on_reset=reset_game, can_run=can_run,
                     step_label="Next round", start_label="Run")
    if game is None:
        st.error("The game cannot start with these settings: fix them under **Game settings** below, then press "
                 "Reset.", icon=":material/error:")
    elif not setting_problems and structural(settings_from_widgets()) != structural(game.settings):
        st.info("You changed the game settings: press **Reset** to start a new game with them.",
                icon=":material/info:")


# ---------------------------------------------------------------------------------------------
# The live part: one round per tick while running


def cell_explanation(cm, shares: dict[str, float], human: bool) -> str:
    filter_side = "**you** (your blocklist)" if human else "**the filter**"
    lines = [
        f"- **TP = {cm.tp}** spam caught → **the spammer** learns: the words of its caught emails become rarer.",
        f"- **FN = {cm.fn}** spam let through → {filter_side} learns: that spam looked too much like real mail.",
        f"- **FP = {cm.fp}** good mail flagged → {filter_side} learns: those words are not a sign of spam.",
        f"- **TN = {cm.tn}** good mail passed → nobody learns much.",
    ]
    if not human:
        lines.append(
            "\nEach email pulls on the filter with |P(spam) − truth|, so confident right answers barely move it: "
            f"this round its errors (FN + FP) carry **{100 * (shares['fn'] + shares['fp']):.0f}%** of the push."
        )
    return "\n".join(lines)


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
    f"{DEFAULTS.words_per_email} different words drawn from it (a bag of words — order means nothing to the "
    "filter). It starts out favouring *free, cash, prize, click…*. After each batch, emails that passed better "
    "than the batch's average make their words more likely and caught ones make theirs rarer. That is "
    "REINFORCE, a policy gradient: picking a word has no gradient, so the spammer learns from the verdicts "
    "alone — which is also why it can play against your blocklist."
)


@st.fragment(run_every=live.tick_interval(PREFIX, TICK_SECONDS))
def board() -> None:
    game: SpamGame | None = st.session_state.get(GAME_KEY)
    if game is None:
        return
    if live.is_running(PREFIX) and game.diverged is None:
        game.step(1)
        if game.diverged:
            live.stop_from_fragment(PREFIX)
    if game.diverged:
        st.error(game.diverged + " Press **Reset** to start again.", icon=":material/warning:")

    human = game.settings.human_filter
    t = game.settings.threshold
    cm = game.confusion(t)
    m1, m2, m3, m4 = st.columns(4)
    m1.metric("Round", game.round)
    m2.metric("Filter accuracy", "—" if cm is None else f"{cm.accuracy:.0%}",
              help="Right verdicts on this round's fresh test batch. 50% = a coin toss.")
    m3.metric("Spam getting through", "—" if cm is None else f"{cm.spam_through:.0%}",
              help="FN / (TP + FN): the spammer's pass rate.")
    m4.metric("Good mail flagged", "—" if cm is None else f"{cm.ham_flagged:.0%}", help="FP / (FP + TN).")

    spam_list = {w for w, m in zip(game.corpus.words, game.corpus.spam_mask) if m}
    favourites = ", ".join(f"**{w}**" if w in spam_list else w for w, _ in game.spammer_top_words(10))
    if cm is None:
        st.info("Press **Next round** or **Run**: the filter studies real mail against the spammer's first "
                "emails, then the spammer rewrites.", icon=":material/mail:")
        left, right = st.columns([3, 2], gap="large")
        with left:
            st.subheader("The spammer's first drafts")
            for words in game.preview(3):
                st.markdown(" ".join(f"**{w}**" if w in spam_list else w for w in words))
            st.caption(f"Its favourite words (obvious spam words in bold): {favourites}")
            with st.container(border=True):
                st.markdown("**How the spammer learns (REINFORCE).** " + METHOD)
        with right, st.container(border=True):
            st.markdown(BRIDGE)
        return

    left, right = st.columns([3, 2], gap="large")
    with left:
        st.subheader(f"Round {game.round}: the confusion matrix")
        shares = filter_lesson_shares(game.last.spam_p, game.last.ham_p, t)
        n = max(len(game.last.spam_p), len(game.last.ham_p))
        st.vega_lite_chart(figures.confusion_spec(cm, shares, human, max_count=n), width="content")
        st.session_state["spam_last_confusion"] = cm.to_dict()  # read by the page tests
    with right:
        st.subheader("Who learns from what")
        st.markdown(cell_explanation(cm, shares, human))
        with st.container(border=True):
            st.markdown(BRIDGE)

    left, right = st.columns([3, 2], gap="large")
    with left:
        st.subheader("Emails the spammer wrote this round")
        weights = {} if human else dict(zip(game.corpus.words, game.word_weights()))
        blocked = set(game.settings.blocked_words) if human else set()
        for i in range(min(SAMPLE_EMAILS, len(game.last.spam_p))):
            words = game.email_text(game.last.spam_words[i])
            st.markdown(figures.email_html(words, weights, game.last.spam_p[i], t, blocked), unsafe_allow_html=True)
        st.caption("Red: the filter's most suspicious words in each email" + (" (struck: your blocked words)."
                   if human else "."))
        st.markdown(f"The spammer's favourite words now (obvious spam words in bold): {favourites}")
        flagged_real = [j for j, p in enumerate(game.last.ham_p) if p >= t]
        if flagged_real:
            j = flagged_real[0]
            text = game.corpus.ham_texts[game.last.ham_rows[j]]
            st.markdown(f"**Good mail wrongly flagged (FP) this round: {len(flagged_real)}.** For example:")
            st.markdown(figures.real_email_html(text, set(game.corpus.words), weights, game.last.ham_p[j], t, blocked),
                        unsafe_allow_html=True)
        with st.container(border=True):
            st.markdown("**How the spammer learns (REINFORCE).** " + METHOD)
    with right:
        if human:
            st.subheader("Your blocklist")
            st.markdown(", ".join(f"~~{w}~~" for w in game.settings.blocked_words) or "*(empty)*")
            st.caption("The learned filter rests while you filter; its weights below are from before you took over.")
        st.vega_lite_chart(figures.filter_words_spec(game), width="stretch")
        st.caption("A word's weight adds to an email's suspicion in proportion to how often the email uses it; "
                   "watch the spam words fade as the spammer drops them and everyday words take their place.")

    left, right = st.columns(2, gap="large")
    left.vega_lite_chart(figures.rates_spec(game), width="stretch")
    right.vega_lite_chart(figures.losses_spec(game), width="stretch")
    if not human:
        st.caption(
            "Within about a hundred rounds accuracy settles near 50% and both losses near ln 2: the spammer uses "
            "words about as often as real mail does, so the filter's word weights have nothing left to go on. "
            "That takes big samples — every update reads all of the filter's real mail and "
            f"{game.settings.batch_size} fresh spam emails. With a few dozen, chance differences between "
            "samples look like evidence, both sides chase them, and the game stalls around 60%."
        )


board()

# ---------------------------------------------------------------------------------------------
# Game settings, at the bottom: they only matter when a new game starts

with st.expander("Game settings (applied when you press Reset)", icon=":material/tune:"):
    c1, c2, c3 = st.columns(3)
    c1.number_input("Real-mail words in the vocabulary", min_value=0, max_value=max_real_vocab_size(),
                    value=DEFAULTS.real_vocab_size, step=10, key="spam_vocab_size",
                    help="The most frequent words of the built-in real mail; the obvious spam words are always added.")
    c1.number_input("Words per spam email", min_value=LIMITS["words_per_email"][0],
                    max_value=LIMITS["words_per_email"][1], value=DEFAULTS.words_per_email, key="spam_words_per_email")
    c2.number_input("Filter updates per round", min_value=0, max_value=LIMITS["filter_steps"][1],
                    value=DEFAULTS.filter_steps, key="spam_filter_steps", help="0 freezes the filter.")
    c2.number_input("Spammer updates per round", min_value=0, max_value=LIMITS["spammer_steps"][1],
                    value=DEFAULTS.spammer_steps, key="spam_spammer_steps", help="0 freezes the spammer.")
    c3.number_input("Filter learning rate", min_value=0.0, max_value=1.0, value=DEFAULTS.filter_lr,
                    step=0.01, format="%.3f", key="spam_filter_lr")
    c3.number_input("Spammer learning rate", min_value=0.0, max_value=1.0, value=DEFAULTS.spammer_lr,
                    step=0.005, format="%.3f", key="spam_spammer_lr")
    for message in setting_problems:
        st.error(message, icon=":material/error:")
    st.caption(f"The built-in real mail: {len(game.corpus.ham_texts) if game else '—'} short everyday emails "
               "written for this app (work, family, school, appointments, orders, clubs), "
               f"{game.corpus.size if game else '—'} words in the vocabulary including "
               f"{int(game.corpus.spam_mask.sum()) if game else '—'} obvious spam words.")

"""GAN Playground: `streamlit run app.py`. Thin entry: page config, navigation, shared sidebar."""
import streamlit as st

from gan_core.device import use_one_thread_per_session
from ui import run_costs, turns
from ui.settings import render_sidebar

LESSONS = [
    ("lessons/1_mapping_1d.py", "1-D mapping: noise to data", ":material/transform:", "mapping-1d"),
    ("lessons/2_cgan_explorer.py", "CGAN latent explorer", ":material/draw:", "cgan"),
    ("lessons/3_xy_game.py", "xy game: why GANs circle", ":material/cyclone:", "xy-game"),
    ("lessons/4_spam_filter.py", "Spammer vs spam filter", ":material/mail:", "spam-filter"),
    ("lessons/5_mode_collapse.py", "Mode collapse", ":material/scatter_plot:", "mode-collapse"),
    ("lessons/6_playground_2d.py", "2-D playground: draw the data", ":material/gesture:", "playground-2d"),
]


def _to_first_lesson() -> None:
    """The first lesson's own name as a path (`/mapping-1d`, as the other lessons have theirs): Streamlit
    serves the default page only at `/` and answered that path with a "Page not found" dialog."""
    st.switch_page(LESSONS[0][0], query_params=st.query_params.to_dict())


def build_navigation():
    pages = [
        st.Page(path, title=title, icon=icon, url_path=url if i else "", default=(i == 0))
        for i, (path, title, icon, url) in enumerate(LESSONS)
    ]
    alias = st.Page(_to_first_lesson, title=LESSONS[0][1], url_path=LESSONS[0][3], visibility="hidden")
    return st.navigation({"Lessons": pages + [alias]})


def main() -> None:
    use_one_thread_per_session()
    run_costs.install()  # Streamlit's per-run theme message, built once (ui/run_costs.py)
    run_costs.freeze_long_lived()  # the libraries out of the GC's full collections (ui/run_costs.py)
    with turns.turn(urgent=True):  # a page run's Python work waits for its turn, as the live ticks do (ui/turns.py)
        st.set_page_config(page_title="GAN Playground", page_icon=":material/sports_kabaddi:", layout="wide")
        page = build_navigation()
        render_sidebar()
        page.run()


main()

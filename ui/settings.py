"""The shared sidebar (global seed, compute device) and how pages read it."""
from __future__ import annotations

import streamlit as st

from gan_core.device import available_devices
from gan_core.seeding import MAX_SEED

SEED_KEY = "global_seed"
DEVICE_KEY = "global_device"


def render_sidebar() -> None:
    # Pages may set the seed (e.g. a scenario): the widget takes its value from session state only,
    # so no "default value and Session State" conflict.
    from ui import share  # imported here: ui/share.py reads this module

    st.session_state.setdefault(SEED_KEY, 0)
    with st.sidebar:
        share.sidebar()  # the link's seed (before the seed widget), the presenter toggle and its style
        st.number_input(
            "Seed",
            min_value=0,
            max_value=MAX_SEED,
            step=1,
            key=SEED_KEY,
            help="Same seed + same settings = the same run. Applied when a page is reset or retrained.",
        )
        devices = available_devices()
        st.selectbox(
            "Compute device",
            devices,
            key=DEVICE_KEY,
            help="CUDA is offered when this machine has a GPU; every page also runs on a laptop CPU.",
        )
        with st.expander("About"):
            st.markdown(
                "**GAN Playground** — a generator and a discriminator learning against each other, live. "
                "Every page is a lesson from a GAN lecture; all compute runs in this server process "
                "and nothing is downloaded."
            )


def global_seed() -> int:
    return int(st.session_state.get(SEED_KEY, 0))


def global_device() -> str:
    return str(st.session_state.get(DEVICE_KEY, "cpu"))

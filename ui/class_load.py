"""A word on the lecturer's live panel when the class shares this server's time: how many runs share it, how
often they update against their page's own pace, and how to serve a class this size on all the cores.

Why: a server slows every live run down together once a class outgrows it (ui/tick_budget.py), which is
fair but tells the lecturer nothing. The cure for a class on one `streamlit run app.py` is K workers behind
a balancer (scripts/serve_class.sh, README "Serving a class"): serve_class.sh tells its workers K
(WORKERS_ENV), and the hint is given only while K is below the cores; deploy/k8s.yaml says "replicas" (a
cluster grows by replicas, not by this script): no hint.

Drawn in presenter mode only (the lecturer's projector), inside the live fragment, while the interval is
SHOW_AT times the page's own or more. Every student's panel with it carried fewer updates: one more
element a tick, 1-D page, 32 students, four interleaved pairs on 2 cores: 1.9–2.6 against 2.2–2.8
updates/s (docs/classroom.md, session 18).
"""
from __future__ import annotations

import functools
import os

import streamlit as st

from ui import tick_budget

SHOW_AT = 1.5  # the interval at 1.5x the page's own or more (10 updates/s alone -> 6.7 or fewer)
WORKERS_ENV = "GAN_PLAYGROUND_WORKERS"  # scripts/serve_class.sh: K; deploy/k8s.yaml: "replicas"


@functools.cache  # once per process: a tick's note costs one caption, not a system call
def cores() -> int:
    """Cores this process may run on (a taskset or cpuset limits them; os.cpu_count() would not know)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux
        return os.cpu_count() or 1


def workers(environ=os.environ) -> int | None:
    """The workers serving this class: 1 for a plain `streamlit run app.py`, serve_class.sh's K, None where
    the count is not ours to give advice on (a cluster's replicas, or a value that is no whole number)."""
    raw = environ.get(WORKERS_ENV, "").strip()
    if not raw:
        return 1
    return int(raw) if raw.isdigit() and int(raw) >= 1 else None


_workers = functools.cache(workers)  # the server's environment, read once


def note(running: int, interval: float, nominal: float, n_cores: int, n_workers: int | None) -> str | None:
    """The sentence for a run that updates every `interval` s (`nominal` alone) with `running` live runs on
    this server; None when there is nothing to explain."""
    if running < 2 or not interval >= SHOW_AT * nominal - 1e-9:  # 0.3 s for 0.2 s is 1.5x (float rounding)
        return None
    text = (f"{running} live runs share this server, so this one updates every {interval:g} s "
            f"({nominal:g} s alone).")
    if n_workers is not None and n_workers < n_cores:
        text += (f" Lecturer: `bash scripts/serve_class.sh --workers {n_cores}` serves a class this size on all "
                 f"{n_cores} cores of this machine (README, \"Serving a class\").")
    return text


def show(nominal_interval: float) -> None:
    """The note for this server's class now, as a caption (nothing when the class is not slowed down).
    The caller draws it in presenter mode only (ui/lifecycle.py)."""
    text = note(tick_budget.running(), tick_budget.interval_now(nominal_interval), nominal_interval, cores(),
                _workers())
    if text:
        st.caption(f":material/groups: {text}")

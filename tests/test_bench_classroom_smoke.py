"""CI smoke of benchmarks/bench_classroom.py: two headless students on a server it starts, a few seconds.
Asserts only that the client works (page loads, Start pressed, updates arrive): no timing."""
from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from benchmarks.bench_classroom import HEADER, Server, measure, row, warm_up


def _run(coro):
    # A thread of its own: another test's Playwright may own this thread's event loop.
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def test_two_headless_students_get_live_updates(tmp_path):
    server = Server({"runner.postScriptGC": "false"}, tmp_path / "server.log")
    try:
        _run(warm_up(server.url))
        result = _run(measure(server.url, server.pids, "1d", n=2, seconds=6, warmup=3, stagger=0.5,
                                     sticky=False))
    finally:
        server.close()
    assert not result.errors, result.errors
    assert len(result.rates) == 2
    assert all(rate > 0 for rate in result.rates), row(result)  # each student saw its step counter move
    assert result.rss_after > 0 and result.server_cores > 0  # /proc was read
    assert row(result).count("|") == HEADER.count("|")


def test_a_full_run_that_ends_as_a_fragment_run_still_ends():
    """Streamlit ends a full run with FINISHED_FRAGMENT_RUN_SUCCESSFULLY when fragment requests were queued
    behind it; the client must not stay 'in a full run' (no timers, Start never pressed again)."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    from benchmarks.bench_classroom import PAGES, Student

    student = Student("http://127.0.0.1:1", PAGES["xy"])
    started = ForwardMsg()
    started.new_session.page_script_hash = "page"  # no fragment ids: a full run
    student._on_msg(started)
    assert student.in_full_run
    finished = ForwardMsg()
    finished.script_finished = ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY
    student._on_msg(finished)
    assert not student.in_full_run and student.full_done.is_set() and student.stats.full_runs == 1


def test_a_full_run_whose_end_never_came_ends_when_the_next_run_starts():
    """Under load Streamlit sometimes drops a full run's end (a fragment request right after the run's
    ScriptRunner stopped gets a new runner, whose predecessor's events are then ignored). The next run's
    start ends it for the client, as for the browser, and the client counts it."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    from benchmarks.bench_classroom import PAGES, Student

    student = Student("http://127.0.0.1:1", PAGES["xy"])
    full = ForwardMsg()
    full.new_session.page_script_hash = "page"
    student._on_msg(full)
    fragment = ForwardMsg()
    fragment.new_session.page_script_hash = "page"
    fragment.metadata.run.fragment_ids.append("f1")
    student._on_msg(fragment)
    assert not student.in_full_run and student.full_done.is_set()
    assert student.stats.lost_ends == 1 and student.stats.full_runs == 1
    finished = ForwardMsg()
    finished.script_finished = ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY
    student._on_msg(finished)  # the fragment run's own end: not a second full run
    assert student.stats.full_runs == 1 and not student.in_full_run

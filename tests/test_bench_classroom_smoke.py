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


def _measured(tmp_path, page: str, n: int, seconds: float):
    """n headless students on `page` of a server of their own, for a few seconds."""
    server = Server({"runner.postScriptGC": "false"}, tmp_path / "server.log")
    try:
        _run(warm_up(server.url))
        return _run(measure(server.url, server.pids, page, n=n, seconds=seconds, warmup=3, stagger=0.5,
                            sticky=False))
    finally:
        server.close()


def test_two_headless_students_get_live_updates(tmp_path):
    result = _measured(tmp_path, "1d", n=2, seconds=6)
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


def test_the_cgan_students_fetch_its_images_from_their_server(tmp_path):
    """The CGAN page's grids are media files: like a browser, each student fetches every new image URL
    (with its cookie, so that a load balancer keeps it on its worker), and every fetch is answered."""
    result = _measured(tmp_path, "cgan", n=1, seconds=5)
    assert not result.errors, result.errors  # a fetch not answered 200 is listed there
    assert result.rates[0] > 0, row(result)
    assert result.media_per_s > 0, row(result)  # the "Now" grid is redrawn as training moves on


def test_a_media_fetch_reads_each_answer_whole_on_one_kept_alive_connection():
    """Content-Length and chunked answers, then a 404, over one connection: each answer read to its end
    (else the next one would be read from the middle of the last)."""
    import http.server
    import threading

    from benchmarks.bench_classroom import PAGES, Student

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        connections: set = set()

        def do_GET(self):  # noqa: N802 - http.server's name
            Handler.connections.add(self.client_address)
            if self.path == "/media/a.png":
                body = b"x" * 5000
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            elif self.path == "/media/b.png":
                self.send_response(200)
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                for chunk in (b"y" * 300, b"z" * 7):
                    self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                self.wfile.write(b"0\r\n\r\n")
            else:
                self.send_error(404)

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        student = Student(f"http://127.0.0.1:{httpd.server_address[1]}", PAGES["cgan"], cookie="k=v")

        async def fetch_all():
            try:
                return [await student._get(p) for p in ("/media/a.png", "/media/b.png", "/media/a.png", "/gone.png")]
            finally:
                student._close_http()

        assert _run(fetch_all()) == [200, 200, 200, 404]
        assert len(Handler.connections) == 1  # kept alive, as a browser keeps its connection
    finally:
        httpd.shutdown()

"""scripts/serve_class.sh: K = 2 workers behind HAProxy. Both workers serve, a browser sticks to its worker
by cookie (every HTTP request and the websocket), and Ctrl-C stops everything. No browser needed: the
sessions are the benchmark's headless students."""
from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from benchmarks.bench_classroom import LivePage, Student, browser_cookie, wait_healthy

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]


def _free_ports(k: int) -> list[int]:
    socks = [socket.socket() for _ in range(k)]
    for s in socks:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}").exists() and "zombie" not in Path(f"/proc/{pid}/status").read_text().lower()


def _worker_of(url: str, cookie: str | None) -> str:
    req = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    with urllib.request.urlopen(req, timeout=30) as r:
        return r.headers["X-Class-Worker"]


@pytest.fixture
def class_server(tmp_path):
    if shutil.which("haproxy") is None:
        pytest.skip("haproxy is not installed (apt-get install haproxy, or run scripts/serve_class.sh once)")
    lb, w1, _ = _free_ports(3)
    first = w1 if w1 < 65000 else 20000
    run_dir = tmp_path / "run"
    proc = subprocess.Popen(
        ["bash", str(ROOT / "scripts" / "serve_class.sh"), "--workers", "2", "--port", str(lb),
         "--bind", "127.0.0.1", "--first-worker-port", str(first), "--run-dir", str(run_dir)],
        cwd=ROOT, env={**os.environ, "PYTHON": sys.executable}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{lb}"
    try:
        deadline = time.monotonic() + 180
        while not (run_dir / "haproxy_pid").exists():
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"serve_class.sh did not start:\n{proc.stdout.read().decode()[-3000:]}")
            time.sleep(0.5)
        wait_healthy(url, 60)
        yield url, run_dir, proc
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGINT)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)


def test_two_workers_serve_and_each_browser_sticks_to_its_worker(class_server):
    url, run_dir, proc = class_server
    page = LivePage("", ())

    async def loaded(student: Student, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while student.stats.full_runs < 1 and not student.stats.errors and time.monotonic() < deadline:
            await asyncio.sleep(0.2)

    async def two_students():
        now = time.monotonic()
        cookie_a = browser_cookie(url, "")
        a = Student(url, page, cookie_a, press_start=False)
        # While A's websocket is open, the least-connected worker for a new browser is the other one.
        task_a = asyncio.create_task(a.attend(now, now + 1e9, now + 300))
        await loaded(a)
        cookie_b = browser_cookie(url, "")
        b = Student(url, page, cookie_b, press_start=False)
        task_b = asyncio.create_task(b.attend(time.monotonic(), now + 1e9, now + 300))
        await loaded(b)
        for task in (task_a, task_b):
            task.cancel()
        await asyncio.gather(task_a, task_b, return_exceptions=True)
        return cookie_a, cookie_b, a.stats.errors, b.stats.errors, a.stats.full_runs, b.stats.full_runs

    with ThreadPoolExecutor(1) as pool:  # a thread of its own: Playwright may own this thread's event loop
        cookie_a, cookie_b, errors_a, errors_b, runs_a, runs_b = pool.submit(asyncio.run, two_students()).result()
    assert cookie_a and cookie_b and "SERVERID=" in cookie_a
    assert not errors_a and not errors_b
    assert runs_a >= 1 and runs_b >= 1  # both loaded the app through the balancer (websocket + script run)
    worker_a, worker_b = (_worker_of(f"{url}/_stcore/health", c) for c in (cookie_a, cookie_b))
    assert {worker_a, worker_b} == {"w1", "w2"}  # both workers serve
    # Every request with a browser's cookie (pages, media files, the websocket) goes to its worker.
    for path in ("", "_stcore/health", "media/does-not-exist.png"):
        for _ in range(5):
            try:
                served = _worker_of(f"{url}/{path}", cookie_a)
            except urllib.error.HTTPError as err:  # a missing media file: 404, still from A's worker
                served = err.headers["X-Class-Worker"]
            assert served == worker_a


def test_ctrl_c_stops_the_workers_and_the_balancer(class_server):
    url, run_dir, proc = class_server
    pids = [int(p) for p in (run_dir / "worker_pids").read_text().split()]
    pids.append(int((run_dir / "haproxy_pid").read_text()))
    assert len(pids) == 3 and all(_alive(p) for p in pids)
    for pid in pids[:2]:  # the workers run with one OpenMP thread unless the caller set another count
        environ = (Path(f"/proc/{pid}/environ").read_bytes().split(b"\0"))
        assert b"OMP_NUM_THREADS=" + os.environ.get("OMP_NUM_THREADS", "1").encode() in environ
        # ... and two workers sharing the cores plan their ticks to a lower CPU target each
        assert b"GAN_PLAYGROUND_CPU_TARGET=" + os.environ.get("GAN_PLAYGROUND_CPU_TARGET", "0.75").encode() in environ
    os.killpg(proc.pid, signal.SIGINT)
    proc.wait(timeout=30)
    deadline = time.monotonic() + 20
    while any(_alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.3)
    assert not any(_alive(p) for p in pids)

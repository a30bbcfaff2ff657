"""Classroom capacity: N headless students on one server, measured the way the class uses it.

    python benchmarks/bench_classroom.py                          # every live page, N = 1 4 8 12 16 24 32
    python benchmarks/bench_classroom.py --pages 1d --n 1 4 12 --seconds 20
    python benchmarks/bench_classroom.py --url http://127.0.0.1:8600 --pids 1234 5678   # a running server
    python benchmarks/bench_classroom.py --set runner.postScriptGC=true                # a server option
    python benchmarks/bench_classroom.py --pages cgan --n 8 --clickers 2               # 2 students exploring
    python benchmarks/bench_classroom.py --browser-check --pages 1d cgan spam          # Chromium vs headless, N = 1

No browser: each session is a websocket client speaking Streamlit's protocol (/_stcore/stream) with
Streamlit's own protobuf classes, doing what the frontend does. It loads the page (rerun_script with the
page's URL name), presses the page's Start button (a trigger for the button found in the delta tree),
then re-requests the ticking fragment on the interval the server announces (`auto_rerun`), on a fixed
timer without waiting for the previous run, as the browser does; a new interval replaces the timer.
Like the browser it fetches each image URL it has not fetched yet (the CGAN's grids are media files
served over HTTP), on one kept-alive connection with the session's cookies; the row gives images/s.

Per session it counts the fragment runs that complete (`script_finished` = fragment run successful) and
the runs whose shown step counter (metrics, progress text, "Step k") changed: the updates a student sees.
"dropped" is the share of fragment requests that did not give a completed run (interrupted by the next
request, or coalesced with it). Server CPU (utime + stime from /proc/<pid>/stat, all worker processes)
per update and RSS are read around the measuring window, after a warm-up. The client's own CPU is printed
too: it runs on the same machine, so on a 2-core box the server gets a bit less than 2 cores.

Clicking students (`--clickers K`): K more students on the same page who do not train but explore, each
rerunning the page in full every `--click-every` seconds (0.5), as a slider drag or a widget change does.
They are not counted in the updates; the row ends with their page runs per second.

Cookie stickiness (scripts/serve_class.sh, HAProxy): each session first GETs the page like a browser and
sends the cookies it got back on the websocket, so it sticks to one worker.
"""
from __future__ import annotations

import argparse
import asyncio
import collections
import http.cookies
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.asyncio.client import connect

ROOT = Path(__file__).resolve().parents[1]
CLK_TCK = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class LivePage:
    url: str  # the page's url_path in app.py
    start_keys: tuple[str, ...]  # key of the Start button (widget ids end with "-<key>")
    start_labels: tuple[str, ...] = ("Start",)
    tab: str | None = None  # the tab the Start button is in (the browser check opens it)

    @property
    def prefix(self) -> str:  # the lesson's key prefix: its live panel is `.st-key-<prefix>_live`
        return self.start_keys[0].removesuffix("_start")


PAGES = {
    "1d": LivePage("mapping-1d", ("m1d_start",)),
    "cgan": LivePage("cgan", ("cgan_start",), tab="Train from scratch"),
    "xy": LivePage("xy-game", ("xy_start",), ("Play",)),
    "spam": LivePage("spam-filter", ("spam_start",), ("Run",)),
    "mc": LivePage("mode-collapse", ("mc_start",)),
    "pg": LivePage("playground-2d", ("pg_start",)),
}
COUNTER_TEXT = re.compile(r"(step|round|epoch)\s*[\d,]+", re.I)


# ------------------------------------------------------------------ one headless student


@dataclass
class Stats:
    requests: int = 0  # fragment reruns sent
    completed: int = 0  # fragment runs finished successfully
    interrupted: int = 0  # runs that ended early for a rerun
    counter_changes: int = 0  # completed runs whose step counter changed
    full_runs: int = 0
    restarts: int = 0  # Start pressed again after the run stopped (xy play reaching its end)
    lost_ends: int = 0  # full runs whose end message never came (a new run started instead)
    fragment_bytes: int = 0  # websocket bytes of the fragment runs that completed
    fragment_deltas: int = 0  # elements and blocks they re-sent
    media_fetches: int = 0  # images fetched as the browser fetches them (a new URL in an image element)
    media_failures: int = 0  # of those, answered with anything but 200 (a browser would show a broken image)
    errors: list[str] = field(default_factory=list)


class Student:
    def __init__(self, base: str, page: LivePage, cookie: str | None = None, press_start: bool = True):
        self.base, self.page, self.cookie = base.rstrip("/"), page, cookie
        self.press_start = press_start
        self.stats = Stats()
        self.buttons: dict[str, tuple[str, bool]] = {}  # widget id -> (label, disabled), last full run
        self.timers: dict[str, asyncio.Task] = {}
        self.intervals: dict[str, float] = {}
        self.ws = None
        self.page_hash = ""
        self.run_is_full = False
        self.in_full_run = False
        self.full_done = asyncio.Event()
        self.counter_now: list[str] = []
        self.run_bytes = self.run_deltas = 0
        self.counter_last: tuple[str, ...] | None = None
        self.counting = False
        self.exceptions = 0
        self.recent: collections.deque[str] = collections.deque(maxlen=24)  # the last run messages, for a stall
        self.media_seen: collections.OrderedDict[str, None] = collections.OrderedDict()  # the browser's image cache
        self.media_queue: asyncio.Queue[str] | None = None
        self._http: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    def _trace(self, what: str) -> None:
        self.recent.append(f"{time.monotonic() % 1000:.2f} {what}")

    # --- sending -------------------------------------------------------------------------
    async def _send_rerun(self, fragment_id: str = "", trigger: str | None = None, auto: bool = False) -> None:
        msg = BackMsg()
        cs = msg.rerun_script
        cs.query_string = ""
        cs.page_name = self.page.url
        cs.page_script_hash = self.page_hash  # as the frontend: the page the server said it runs
        cs.context_info.timezone = "UTC"
        cs.context_info.locale = "en-US"
        cs.context_info.url = f"{self.base}/{self.page.url}"
        if fragment_id:
            cs.fragment_id = fragment_id
            cs.is_auto_rerun = auto
        self._trace("send " + ("fragment" if fragment_id else "full" + (" (button)" if trigger else "")))
        if trigger:
            w = cs.widget_states.widgets.add()
            w.id = trigger
            w.trigger_value = True
        await self.ws.send(msg.SerializeToString())

    def _start_button(self) -> str | None:
        for wid, (label, disabled) in self.buttons.items():
            if not disabled and any(wid.endswith("-" + k) or wid == k for k in self.page.start_keys):
                return wid
        for wid, (label, disabled) in self.buttons.items():
            if not disabled and label in self.page.start_labels:
                return wid
        return None

    def _set_timer(self, fragment_id: str, interval: float) -> None:
        if self.intervals.get(fragment_id) == interval and fragment_id in self.timers:
            return  # the frontend keeps a timer whose interval did not change
        self.intervals[fragment_id] = interval
        old = self.timers.pop(fragment_id, None)
        if old is not None:
            old.cancel()
        self.timers[fragment_id] = asyncio.create_task(self._tick(fragment_id, interval))

    async def _tick(self, fragment_id: str, interval: float) -> None:
        # setInterval: a fixed period, never waiting for the previous run.
        nxt = time.monotonic() + interval
        while True:
            await asyncio.sleep(max(0.0, nxt - time.monotonic()))
            nxt += interval
            if self.counting:
                self.stats.requests += 1
            await self._send_rerun(fragment_id, auto=True)

    def _clear_timers(self, ids=None) -> None:
        for fid in list(self.timers) if ids is None else list(ids):
            task = self.timers.pop(fid, None)
            if task is not None:
                task.cancel()

    # --- receiving -----------------------------------------------------------------------
    def _on_msg(self, msg: ForwardMsg, size: int = 0) -> None:
        kind = msg.WhichOneof("type")
        self.run_bytes += size
        if kind == "new_session":
            self._trace("start " + ("fragment" if msg.metadata.run.fragment_ids else "full"))
        elif kind == "script_finished":
            self._trace("end " + ForwardMsg.ScriptFinishedStatus.Name(msg.script_finished))
        elif kind in ("auto_rerun", "stop_auto_rerun"):
            self._trace(kind)
        if kind == "new_session":
            if self.in_full_run:
                # A run starts while a full run never said it finished: Streamlit lost that end. A fragment request
                # that comes just after a full run's ScriptRunner stopped, before the server handled the run's
                # last events, gets a new ScriptRunner, and the old one's "finished" is then dropped
                # (app_session ignores events from a runner that is no longer current; streamlit#9921 names the
                # same race). The browser simply goes on with the new run; so does this client.
                self.in_full_run = False
                self.stats.lost_ends += 1
                self.stats.full_runs += 1
                self.full_done.set()
            self.run_bytes, self.run_deltas = size, 0
            self.run_is_full = not msg.metadata.run.fragment_ids
            if self.run_is_full:
                self.in_full_run = True
                # A full run re-registers every fragment: the browser drops its timers.
                self._clear_timers()
                self.buttons = {}
            self.counter_now = []
        elif kind == "delta":
            self.run_deltas += 1
            el = msg.delta.new_element
            which = el.WhichOneof("type") if msg.delta.WhichOneof("type") == "new_element" else None
            if which == "button":
                self.buttons[el.button.id] = (el.button.label, el.button.disabled)
            elif which == "metric":
                self.counter_now.append(el.metric.body)
            elif which == "progress":
                self.counter_now.append(el.progress.text)
            elif which == "markdown" and COUNTER_TEXT.search(el.markdown.body or ""):
                self.counter_now.append(el.markdown.body)
            elif which == "exception":
                self.exceptions += 1
            elif which == "imgs":
                for img in el.imgs.imgs:
                    self._want_media(img.url)
        elif kind == "navigation":
            self.page_hash = msg.navigation.page_script_hash  # the page st.navigation runs (not app.py's)
        elif kind == "auto_rerun":
            self._set_timer(msg.auto_rerun.fragment_id, msg.auto_rerun.interval)
        elif kind == "stop_auto_rerun":
            self._clear_timers(msg.stop_auto_rerun.fragment_ids)
        elif kind == "script_finished":
            status = msg.script_finished
            if status == ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY:
                if self.counting:
                    if not self.run_is_full:  # a fragment run's cost (not a full run that ended this way)
                        self.stats.completed += 1
                        self.stats.fragment_bytes += self.run_bytes
                        self.stats.fragment_deltas += self.run_deltas
                    sig = tuple(self.counter_now)
                    if sig and sig != self.counter_last:
                        self.stats.counter_changes += 1
                    self.counter_last = sig
                else:
                    self.counter_last = tuple(self.counter_now)
            elif status == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                if self.counting:
                    self.stats.interrupted += 1
            if self.run_is_full:
                # Any end of a full run ends it — also FINISHED_FRAGMENT_RUN_SUCCESSFULLY, which Streamlit sends
                # for a full run that fragment requests were queued behind (script_runner: fragment_id_queue).
                # Waiting for FINISHED_SUCCESSFULLY there left the client "in a full run" for ever, with no
                # timers and no Start pressed again (the xy sessions with 0 updates, sessions 4 and 5).
                self.in_full_run = False
                if status in (ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY):
                    self.stats.full_runs += 1
                    self.full_done.set()

    async def _reader(self) -> None:
        async for raw in self.ws:
            msg = ForwardMsg()
            msg.ParseFromString(raw)
            self._on_msg(msg, len(raw))

    # --- media files: the frontend fetches each image URL it has not shown yet -------------
    def _want_media(self, url: str) -> None:
        if not url or url in self.media_seen or self.media_queue is None:
            return
        self.media_seen[url] = None
        if len(self.media_seen) > 256:
            self.media_seen.popitem(last=False)
        self.media_queue.put_nowait(url)

    async def _fetch_media(self) -> None:
        """GET each new image over one kept-alive HTTP/1.1 connection (with the session's cookie, so that a
        load balancer sends it to the session's own worker): a real browser does, and the server pays for it."""
        while True:
            url = await self.media_queue.get()
            status = await self._get(url)
            if self.counting:
                self.stats.media_fetches += 1
                self.stats.media_failures += status != 200

    async def _get(self, url: str) -> int:
        """GET `url` (absolute, or relative to the server) on the kept-alive connection: the status, 0 if none."""
        split = urllib.parse.urlsplit(self.base)
        path = urllib.parse.urlsplit(url).path if "://" in url else url
        if not path.startswith("/"):
            path = split.path.rstrip("/") + "/" + path
        try:
            if self._http is None:
                self._http = await asyncio.open_connection(split.hostname, split.port or 80)
            reader, writer = self._http
            cookie = f"Cookie: {self.cookie}\r\n" if self.cookie else ""
            writer.write(f"GET {path} HTTP/1.1\r\nHost: {split.netloc}\r\n{cookie}\r\n".encode())
            await writer.drain()
            status = int((await reader.readline()).split()[1])
            headers = {}
            while (line := await reader.readline()) not in (b"\r\n", b"\n", b""):
                name, _, value = line.decode("latin-1").partition(":")
                headers[name.strip().lower()] = value.strip().lower()
            if headers.get("transfer-encoding") == "chunked":
                while (size := int((await reader.readline()).strip() or b"0", 16)):
                    await reader.readexactly(size + 2)
                await reader.readline()
            else:
                await reader.readexactly(int(headers.get("content-length", "0")))
            if headers.get("connection") == "close":
                self._close_http()
            return status
        except (OSError, ValueError, IndexError, asyncio.IncompleteReadError):
            self._close_http()
            return 0

    def _close_http(self) -> None:
        if self._http is not None:
            self._http[1].close()
            self._http = None

    async def _full_run(self, trigger: str | None, timeout: float) -> bool:
        self.full_done.clear()
        await self._send_rerun(trigger=trigger)
        try:
            await asyncio.wait_for(self.full_done.wait(), timeout)
            return True
        except asyncio.TimeoutError:
            return False

    # --- the student's lesson ------------------------------------------------------------
    async def attend(self, start_at: float, count_from: float, count_until: float) -> None:
        await asyncio.sleep(max(0.0, start_at - time.monotonic()))
        ws_url = "ws" + self.base[4:] + "/_stcore/stream"
        headers = {"Cookie": self.cookie} if self.cookie else {}
        try:
            async with connect(ws_url, subprotocols=["streamlit"], additional_headers=headers,
                               max_size=None, open_timeout=60, ping_interval=None) as ws:
                self.ws = ws
                self.media_queue = asyncio.Queue()
                reader = asyncio.create_task(self._reader())
                fetcher = asyncio.create_task(self._fetch_media())
                try:
                    await asyncio.wait_for(self._lesson(count_from, count_until),
                                           max(1.0, count_until - time.monotonic() + 2.0))
                except asyncio.TimeoutError:  # still loading when the window closed: counted as 0 updates
                    self.stats.errors.append("still loading or pressing Start when the window closed")
                finally:
                    self.counting = False
                    self._clear_timers()
                    reader.cancel()
                    fetcher.cancel()
                    self._close_http()
        except Exception as exc:  # noqa: BLE001 - reported in the table, the other sessions go on
            self.stats.errors.append(f"{type(exc).__name__}: {exc}")

    async def _lesson(self, count_from: float, count_until: float) -> None:
        if not await self._full_run(None, 120):
            self.stats.errors.append("the page did not load")
        if not self.press_start:
            await asyncio.sleep(max(0.0, count_until - time.monotonic()))
            return
        await self._press_start()
        while time.monotonic() < count_until:
            now = time.monotonic()
            self.counting = count_from <= now
            await asyncio.sleep(min(0.25, max(0.01, (count_until if self.counting else count_from) - now)))
            idle = not self.timers and not self.in_full_run and self.buttons
            if idle and time.monotonic() < count_until:
                # The run stopped (xy play reached its end, a fault): press Start again.
                if await self._press_start():
                    self.stats.restarts += 1

    async def _press_start(self) -> bool:
        wid = self._start_button()
        if wid is None:
            if not self.stats.errors:
                self.stats.errors.append(f"no enabled Start button (saw {sorted(l for l, _ in self.buttons.values())})")
            return False
        return await self._full_run(wid, 120)


class Clicker(Student):
    """A student exploring instead of training: reruns the page in full every `every` s (a widget change)."""

    def __init__(self, base: str, page: LivePage, every: float, cookie: str | None = None):
        super().__init__(base, page, cookie, press_start=False)
        self.every, self.page_runs = every, 0
        self.seconds: list[float] = []  # each counted page run, from the request to its end

    async def _lesson(self, count_from: float, count_until: float) -> None:
        if not await self._full_run(None, 120):
            self.stats.errors.append("the page did not load")
        while time.monotonic() < count_until:
            began = time.monotonic()
            if await self._full_run(None, 30) and began >= count_from:
                self.page_runs += 1
                self.seconds.append(time.monotonic() - began)
            await asyncio.sleep(max(0.0, self.every - (time.monotonic() - began)))


# ------------------------------------------------------------------ the server, measured from outside


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        except (OSError, IndexError, ValueError):
            pass
    return total / CLK_TCK


def rss_mib(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


SERVER_OMP = os.environ.get("OMP_NUM_THREADS", "1")  # the server this script starts runs as scripts/run_app.sh runs it


def wait_healthy(url: str, timeout: float, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        if (proc is not None and proc.poll() is not None) or time.monotonic() > deadline:
            raise RuntimeError(f"the server at {url} did not become healthy")
        time.sleep(0.3)


class Server:
    """`streamlit run app.py` on a free loopback port, with extra `--section.option value` settings."""

    def __init__(self, options: dict[str, str], log: Path | None = None):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        args = [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port", str(self.port),
                "--server.address", "127.0.0.1", "--server.headless", "true",
                "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
        for k, v in options.items():
            args += [f"--{k}", v]
        self.log = open(log or os.devnull, "w")
        self.proc = subprocess.Popen(args, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT,
                                     env={**os.environ, "PYTHONUNBUFFERED": "1", "OMP_NUM_THREADS": SERVER_OMP})
        wait_healthy(self.url, 90, self.proc)

    @property
    def pids(self) -> list[int]:
        return [self.proc.pid]

    def close(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


def browser_cookie(base: str, path: str) -> str | None:
    """GET the page like a browser; return the cookies set (a load balancer's stickiness cookie)."""
    try:
        with urllib.request.urlopen(f"{base}/{path}", timeout=30) as r:
            jar = http.cookies.SimpleCookie()
            for header in r.headers.get_all("Set-Cookie") or []:
                jar.load(header)
            return "; ".join(f"{k}={m.value}" for k, m in jar.items()) or None
    except OSError:
        return None


async def warm_up(base: str) -> None:
    """One visit to the root first: Streamlit's very first session of a fresh server runs in the legacy
    pages/ mode until app.py's st.navigation switches it off (a deep link would show "Page not found")."""
    s = Student(base, LivePage("", ()))
    ws_url = "ws" + base[4:] + "/_stcore/stream"
    async with connect(ws_url, subprotocols=["streamlit"], max_size=None, open_timeout=60) as ws:
        s.ws = ws
        reader = asyncio.create_task(s._reader())
        await s._full_run(None, 120)
        reader.cancel()


@dataclass
class Result:
    page: str
    n: int
    rates: list[float]  # updates (counter changes) per second, per session
    completed_rates: list[float]
    dropped: float
    cpu_per_update_ms: float
    server_cores: float
    client_cores: float
    rss_before: float
    rss_after: float
    errors: list[str]
    restarts: int
    kib_per_run: float = float("nan")
    deltas_per_run: float = float("nan")
    click_rates: list[float] = field(default_factory=list)  # the clicking students' page runs/s
    click_every: float = 0.0
    click_seconds: list[float] = field(default_factory=list)  # each page run, request to end
    media_per_s: float = 0.0  # images fetched per second, all sessions (a new image URL: the browser fetches it)


async def measure(base: str, pids: list[int], page_name: str, n: int, seconds: float, warmup: float,
                  stagger: float, sticky: bool, clickers: int = 0, click_every: float = 0.5) -> Result:
    page = PAGES[page_name]
    cookies = [browser_cookie(base, page.url) if sticky else None for _ in range(n + clickers)]
    students = [Student(base, page, c) for c in cookies[:n]]
    explorers = [Clicker(base, page, click_every, c) for c in cookies[n:]]
    t0 = time.monotonic()
    start_all = t0 + stagger * n  # every student has joined by then
    count_from = start_all + warmup
    count_until = count_from + seconds
    tasks = [asyncio.create_task(s.attend(t0 + i * stagger, count_from, count_until)) for i, s in enumerate(students)]
    tasks += [asyncio.create_task(c.attend(start_all + i * stagger, count_from, count_until))
              for i, c in enumerate(explorers)]
    await asyncio.sleep(max(0.0, count_from - time.monotonic()))
    cpu0, rss0, client0, w0 = cpu_seconds(pids), rss_mib(pids), time.process_time(), time.monotonic()
    await asyncio.gather(*tasks)
    cpu1, rss1, client1, w1 = cpu_seconds(pids), rss_mib(pids), time.process_time(), time.monotonic()
    window = max(w1 - w0, 1e-9)
    rates = [s.stats.counter_changes / seconds for s in students]
    completed = [s.stats.completed / seconds for s in students]
    requests = sum(s.stats.requests for s in students)
    done = sum(s.stats.completed for s in students)
    updates = sum(s.stats.counter_changes for s in students)
    errors = sorted({e for s in students + explorers for e in s.stats.errors})
    for i, s in enumerate(students):
        if s.stats.counter_changes == 0 and not s.stats.errors:  # say what a starved session was doing
            got = s.stats
            errors.append(f"session {i}: no update (requests {got.requests}, completed {got.completed}, "
                          f"interrupted {got.interrupted}, full runs {got.full_runs}, restarts {got.restarts}, "
                          f"buttons seen {len(s.buttons)}, in a full run {s.in_full_run}, timers {len(s.timers)}; "
                          f"last runs: {', '.join(list(s.recent)[-6:]) or 'none'})")
            print(f"# {page_name} N = {n}, session {i}, its last messages: {', '.join(s.recent)}", file=sys.stderr)
    if any(s.exceptions for s in students):
        errors.append(f"{sum(s.exceptions for s in students)} exception element(s) shown")
    fetches = sum(s.stats.media_fetches for s in students + explorers)
    broken = sum(s.stats.media_failures for s in students + explorers)
    if broken:
        errors.append(f"{broken} of {fetches} image fetches not answered 200 (a browser would show a broken image)")
    lost = sum(s.stats.lost_ends for s in students)
    if lost:  # not an error of the page: noted so that the race stays visible
        errors.append(f"{lost} full run(s) whose end message never came (a new run started; see Student._on_msg)")
    return Result(page_name, n, rates, completed, 1 - done / requests if requests else float("nan"),
                  1000 * (cpu1 - cpu0) / updates if updates else float("nan"), (cpu1 - cpu0) / window,
                  (client1 - client0) / window, rss0, rss1, errors, sum(s.stats.restarts for s in students),
                  sum(s.stats.fragment_bytes for s in students) / 1024 / done if done else float("nan"),
                  sum(s.stats.fragment_deltas for s in students) / done if done else float("nan"),
                  [c.page_runs / seconds for c in explorers], click_every, [t for c in explorers for t in c.seconds],
                  fetches / seconds)


async def soak(base: str, pids: list[int], page_name: str, n: int, minutes: float, every: float = 30.0) -> None:
    """N live sessions for `minutes`: server RSS and the update rate every `every` seconds."""
    page = PAGES[page_name]
    students = [Student(base, page) for _ in range(n)]
    t0 = time.monotonic()
    end = t0 + 60 * minutes + n * 0.25
    tasks = [asyncio.create_task(s.attend(t0 + i * 0.25, t0, end)) for i, s in enumerate(students)]
    print("| minute | server RSS MiB | updates/s per session (mean) | server cores |")
    print("|---|---|---|---|", flush=True)
    last = (time.monotonic(), sum(s.stats.counter_changes for s in students), cpu_seconds(pids))
    while time.monotonic() < end - 1:
        await asyncio.sleep(min(every, max(0.0, end - time.monotonic() - 1)))
        now, updates, cpu = time.monotonic(), sum(s.stats.counter_changes for s in students), cpu_seconds(pids)
        rate = (updates - last[1]) / n / (now - last[0])
        print(f"| {(now - t0) / 60:.1f} | {rss_mib(pids):.0f} | {rate:.1f} | {(cpu - last[2]) / (now - last[0]):.2f} |",
              flush=True)
        last = (now, updates, cpu)
    await asyncio.gather(*tasks)


async def release(base: str, pids: list[int], page_name: str, n: int, ttl: float) -> None:
    """Do closed tabs give their trainers back? Two waves of N students, each training then closing its tab;
    between them, the server's disconnectedSessionTTL passes. If the first wave's runs were kept, RSS grows
    by a wave's worth again; if they were freed, the second wave reuses the memory."""
    print("| moment | server RSS MiB |")
    print("|---|---|")
    print(f"| before | {rss_mib(pids):.0f} |", flush=True)
    for wave in (1, 2, 3):
        r = await measure(base, pids, page_name, n, seconds=10, warmup=4, stagger=0.25, sticky=False)
        print(f"| wave {wave}: {n} sessions training ({statistics.median(r.rates):.1f} updates/s) | "
              f"{r.rss_after:.0f} |", flush=True)
        await asyncio.sleep(ttl + 15)
        print(f"| wave {wave}: tabs closed, {ttl + 15:.0f} s later | {rss_mib(pids):.0f} |", flush=True)


def chromium_path() -> str | None:
    """Debian's chromium (or Ubuntu's chromium-browser) on PATH; None when it is not installed."""
    return next(filter(None, map(shutil.which, ("chromium", "chromium-browser"))), None)


def browser_rate(base: str, page_name: str, seconds: float, warmup: float) -> float:
    """One real Chromium session (Playwright, Debian's /usr/bin/chromium): step-counter changes per second,
    counted in the page by a MutationObserver: the first "step N" / "round N" in the live panel's metrics,
    progress text and markdown (what the headless client reads in the deltas), in document order."""
    from playwright.sync_api import sync_playwright

    page_def = PAGES[page_name]
    executable = chromium_path()
    if executable is None:
        raise SystemExit("the browser check needs chromium: sudo apt-get install -y chromium")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable,
                                    args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
        try:
            tab = browser.new_page(viewport={"width": 1400, "height": 1000})
            tab.goto(base)
            tab.wait_for_selector("h1", timeout=120_000)
            if page_def is not PAGES["1d"]:  # the 1-D lesson is the root page
                tab.goto(f"{base}/{page_def.url}")
                tab.wait_for_selector("h1", timeout=120_000)
            if page_def.tab:
                tab.get_by_role("tab", name=page_def.tab).click()
            start = tab.locator(f".st-key-{page_def.start_keys[0]} button")
            start.wait_for(state="visible", timeout=120_000)
            start.click()
            live = f".st-key-{page_def.prefix}_live"
            tab.wait_for_function(f"() => /(step|round)\\s*[\\d,]+/i.test("
                                  f"document.querySelector('{live}')?.textContent || '')", timeout=120_000)
            time.sleep(warmup)
            tab.evaluate("""(live) => { window.__changes = 0; let last = null;
                const counter = /(step|round)\\s*[\\d,]+/i;
                const cells = "[data-testid='stMetric'], [data-testid='stProgress'], [data-testid='stMarkdownContainer']";
                const read = () => { const panel = document.querySelector(live); let t = null;
                    for (const el of panel ? panel.querySelectorAll(cells) : []) {
                        const m = (el.textContent || "").match(counter); if (m) { t = m[0]; break; } }
                    if (t !== last) { if (last !== null && t !== null) window.__changes++; if (t !== null) last = t; } };
                read(); window.__obs = new MutationObserver(read);
                window.__obs.observe(document.body, {subtree: true, childList: true, characterData: true}); }""",
                         live)
            time.sleep(seconds)
            return tab.evaluate("() => window.__changes") / seconds
        finally:
            browser.close()


def pin_apart(server_pids: list[int]) -> str:
    """The browser check on one machine: the server on the first core, this client (and the Chromium it
    starts) on the others, so that neither's work slows the other (in class each student's browser has its
    own laptop; unpinned, Chromium drawing the charts and the server shared the same 2 cores)."""
    cores = sorted(os.sched_getaffinity(0))
    if len(cores) < 2:
        return "not pinned (one core)"
    for pid in server_pids:
        for task in Path(f"/proc/{pid}/task").iterdir():  # every thread it has; later ones inherit
            try:
                os.sched_setaffinity(int(task.name), {cores[0]})
            except ProcessLookupError:  # a thread that has just ended
                pass
    os.sched_setaffinity(0, set(cores[1:]))
    return f"server on core {cores[0]}, clients on {','.join(map(str, cores[1:]))}"


HEADER = ("| page | N | updates/s per session: median (min–max) | completed runs/s median | dropped "
          "| server CPU per update | server cores | client cores | RSS MiB | per run: elements, KiB | images/s |")


def row(r: Result) -> str:
    med = statistics.median(r.rates) if r.rates else float("nan")
    cmed = statistics.median(r.completed_rates) if r.completed_rates else float("nan")
    note = f" ⚠ {'; '.join(r.errors)[:400]}" if r.errors else ""
    if r.click_rates:
        took = sorted(r.click_seconds) or [float("nan")]
        note = (f" + {len(r.click_rates)} clicking every {r.click_every:g} s: "
                f"{', '.join(f'{c:.1f}' for c in r.click_rates)} page runs/s, each "
                f"{1000 * statistics.median(took):.0f} ms (p90 {1000 * took[int(0.9 * (len(took) - 1))]:.0f}){note}")
    low, high = (min(r.rates), max(r.rates)) if r.rates else (float("nan"), float("nan"))
    return (f"| {r.page} | {r.n} | {med:.1f} ({low:.1f}–{high:.1f}) | {cmed:.1f} | "
            f"{100 * r.dropped:.0f} % | {r.cpu_per_update_ms:.0f} ms | {r.server_cores:.2f} | "
            f"{r.client_cores:.2f} | {r.rss_after:.0f} | {r.deltas_per_run:.0f}, {r.kib_per_run:.0f} | {r.media_per_s:.1f} |{note}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", nargs="+", default=[p for p in PAGES if p != "pg"], choices=list(PAGES),
                    help="default: every live page of issue 13 (pg, the 2-D playground, on request)")
    ap.add_argument("--n", nargs="+", type=int, default=[1, 4, 8, 12, 16, 24, 32])
    ap.add_argument("--seconds", type=float, default=20.0, help="measuring window per (page, N)")
    ap.add_argument("--warmup", type=float, default=8.0, help="seconds after the last student joined")
    ap.add_argument("--stagger", type=float, default=0.25, help="seconds between two students joining")
    ap.add_argument("--url", help="measure a running server (or load balancer) instead of starting one")
    ap.add_argument("--pids", nargs="*", type=int, default=[], help="server process ids for CPU/RSS (with --url)")
    ap.add_argument("--clickers", type=int, default=0, metavar="K",
                    help="K more students on the page who explore: a full page run every --click-every s")
    ap.add_argument("--click-every", type=float, default=0.5, metavar="S")
    ap.add_argument("--set", action="append", default=[], metavar="OPTION=VALUE",
                    help="a streamlit option for the server this script starts, e.g. runner.postScriptGC=false")
    ap.add_argument("--fresh", action="store_true", help="a new server for every (page, N)")
    ap.add_argument("--log", type=Path, help="server log file")
    ap.add_argument("--browser-check", action="store_true",
                    help="instead: one Chromium session vs one headless session on each page, same server")
    ap.add_argument("--no-pin", dest="pin", action="store_false",
                    help="browser check: leave the server and the clients on all cores (default: apart)")
    ap.add_argument("--soak", type=float, metavar="MINUTES", help="instead: N = first --n sessions for MINUTES")
    ap.add_argument("--release", type=float, metavar="TTL",
                    help="instead: waves of N students that train and close their tabs, TTL + 15 s apart "
                         "(start the server with --set server.disconnectedSessionTTL=TTL)")
    args = ap.parse_args(argv)
    options = dict(o.split("=", 1) for o in args.set)

    print(f"# bench_classroom · {os.cpu_count()} CPUs · loadavg at start {loadavg()} · "
          f"options {options or 'defaults'} · OMP_NUM_THREADS={SERVER_OMP} (as scripts/run_app.sh) · "
          f"{args.seconds:g} s windows after {args.warmup:g} s warm-up")
    server = None
    if args.browser_check:
        own_cores = os.sched_getaffinity(0)
        for page_name in args.pages:  # each page on a fresh server: nothing of the last page's run in it
            server = Server(options, args.log)
            try:
                pinning = pin_apart(server.pids) if args.pin else "not pinned"
                asyncio.run(warm_up(server.url))
                chromium = browser_rate(server.url, page_name, args.seconds, args.warmup)
                time.sleep(3)
                headless = asyncio.run(measure(server.url, server.pids, page_name, 1, args.seconds, args.warmup,
                                               0.25, sticky=False))
            finally:
                server.close()
                os.sched_setaffinity(0, own_cores)
            ratio = headless.rates[0] / chromium if chromium else float("nan")
            print(f"| {page_name} | Chromium {chromium:.1f} updates/s | headless client {headless.rates[0]:.1f} "
                  f"updates/s | ratio {ratio:.2f} | {pinning} |", flush=True)
        print(f"# loadavg at end {loadavg()}")
        return 0
    if args.soak or args.release:
        server = None if args.url else Server(options, args.log)
        base = args.url.rstrip("/") if args.url else server.url
        pids = args.pids if args.url else server.pids
        try:
            asyncio.run(warm_up(base))
            if args.soak:
                asyncio.run(soak(base, pids, args.pages[0], args.n[0], args.soak))
            else:
                asyncio.run(release(base, pids, args.pages[0], args.n[0], args.release))
        finally:
            if server is not None:
                server.close()
        print(f"# loadavg at end {loadavg()}")
        return 0
    print(HEADER)
    print("|---|---|---|---|---|---|---|---|---|---|---|", flush=True)
    try:
        for page in args.pages:
            for n in args.n:
                if args.url is None and (server is None or args.fresh):
                    if server is not None:
                        server.close()
                    server = Server(options, args.log)
                base = args.url.rstrip("/") if args.url else server.url
                pids = args.pids if args.url else server.pids
                if server is not None or args.url:
                    asyncio.run(warm_up(base))
                result = asyncio.run(measure(base, pids, page, n, args.seconds, args.warmup, args.stagger,
                                             sticky=bool(args.url), clickers=args.clickers,
                                             click_every=args.click_every))
                print(row(result), flush=True)
                time.sleep(2.0)  # let the closed sessions' last runs finish before the next row
    finally:
        if server is not None:
            server.close()
    print(f"# loadavg at end {loadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The live ticks' training runs on one long-lived thread of the server process, not on the run's own thread.

Why: Streamlit runs every script run and every fragment tick on a thread of its own, made for that run, and
torch's first operations on a new thread cost more than on a thread that has run them before (per-thread
scratch memory touched afresh: session 12 counted 145–270 minor page faults a CGAN step on a new thread, 6–70
on a thread that had stepped before). Measured with 8 trainers
stepped in turn (benchmarks/bench_turns.py, part 3, 2 cores): CPU per step on a fresh thread against one
long-lived thread, CGAN 36.1 → 32.8 ms, spam 14.5 → 13.6 ms, 1-D and mode collapse 1.01 → 0.92 ms. The ticks
train one at a time anyway (each in its turn, ui/turns.py), so one thread serves the whole class: a tick
hands its chunk over and waits for it (the wait holds no GIL).

When that thread is busy (a run that went ahead without its turn, past turns.WAIT_S) or a chunk is asked for
from the thread itself, the chunk runs inline, as before. The thread keeps no reference to a chunk once it is
done (no session's trainer is held), it starts with the first chunk and, a daemon, ends with the process.
A chunk is pure compute: no st.* call (it runs without the run's script context) and no lock its caller holds.
"""
from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


class _Chunk:
    __slots__ = ("work", "done", "value", "error")

    def __init__(self, work: Callable[[], Any]) -> None:
        self.work = work
        self.done = threading.Event()
        self.value: Any = None
        self.error: BaseException | None = None


class ComputeThread:
    """One long-lived thread that runs what it is handed, one chunk at a time."""

    def __init__(self, name: str = "gan-playground-compute") -> None:
        self._name = name
        self._busy = threading.Lock()  # held by the caller whose chunk is on the thread
        self._start = threading.Lock()
        self._chunks: queue.SimpleQueue[_Chunk] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self.handed_over = 0  # chunks run on the thread (tests, diagnostics)
        self.inline = 0  # chunks run on the caller's thread because the thread was busy

    def run(self, work: Callable[[], T]) -> T:
        """`work()`, on the long-lived thread when it is free, else here; its value or its exception."""
        if threading.current_thread() is self._thread or not self._busy.acquire(blocking=False):
            self.inline += 1
            return work()
        try:
            self._ensure_started()
            chunk = _Chunk(work)
            self._chunks.put(chunk)
            chunk.done.wait()
            self.handed_over += 1
            if chunk.error is not None:
                raise chunk.error
            return chunk.value
        finally:
            self._busy.release()

    def _ensure_started(self) -> None:
        with self._start:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._serve, name=self._name, daemon=True)
                self._thread.start()

    def _serve(self) -> None:
        while True:
            chunk = self._chunks.get()
            try:
                chunk.value = chunk.work()
            except BaseException as exc:  # noqa: BLE001 - handed back to the caller, who raises it
                chunk.error = exc
            finally:
                chunk.work = None  # nothing of a session's stays on the thread
                chunk.done.set()
                del chunk


_THREAD = ComputeThread()


def run(work: Callable[[], T]) -> T:
    """Run a bounded chunk of training on the process's compute thread (see the module docstring)."""
    return _THREAD.run(work)

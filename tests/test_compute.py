"""ui/compute: training chunks run on one long-lived thread, inline when it is busy, and nothing stays behind."""
from __future__ import annotations

import gc
import threading
import weakref

import pytest

from ui.compute import ComputeThread


def test_every_chunk_runs_on_the_same_long_lived_thread():
    compute = ComputeThread()
    seen = set()
    for _ in range(3):  # from three different callers, as three ticks on their own threads
        caller = threading.Thread(target=lambda: seen.add(compute.run(threading.get_ident)))
        caller.start()
        caller.join()
    assert len(seen) == 1
    assert seen != {threading.get_ident()}
    assert compute.handed_over == 3 and compute.inline == 0


def test_value_and_exception_come_back_to_the_caller():
    compute = ComputeThread()
    assert compute.run(lambda: 41 + 1) == 42
    with pytest.raises(ZeroDivisionError):
        compute.run(lambda: 1 / 0)
    assert compute.run(lambda: "still serving") == "still serving"  # an exception does not end the thread


def test_a_chunk_asked_for_while_the_thread_is_busy_runs_inline():
    compute = ComputeThread()
    inside, release = threading.Event(), threading.Event()
    where = {}

    def long_chunk():
        where["long"] = threading.get_ident()
        inside.set()
        release.wait(5)

    first = threading.Thread(target=compute.run, args=(long_chunk,))
    first.start()
    assert inside.wait(5)
    where["second"] = compute.run(threading.get_ident)  # does not wait for the long chunk
    release.set()
    first.join()
    assert where["second"] == threading.get_ident() != where["long"]
    assert compute.inline == 1
    # and a chunk that asks for another from the thread itself runs that one inline (no deadlock)
    assert compute.run(lambda: compute.run(threading.get_ident)) == where["long"]


def test_the_thread_keeps_nothing_of_a_session_after_its_chunk():
    compute = ComputeThread()

    class Trainer:
        def step(self):
            return 1

    trainer = Trainer()
    gone = weakref.ref(trainer)
    assert compute.run(trainer.step) == 1
    del trainer
    gc.collect()
    assert gone() is None

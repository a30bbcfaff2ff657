"""ui/torch_threads: one torch thread per tick while a class runs, torch's default for a student alone."""
import threading

import torch

from ui import torch_threads


def _in_a_fresh_thread(running_counts):
    seen = []

    def run():
        for n in running_counts:
            torch_threads.fit(n)
            seen.append(torch.get_num_threads())

    t = threading.Thread(target=run)
    t.start()
    t.join()
    return seen


def test_a_class_ticks_on_one_thread_and_a_student_alone_gets_the_default_back():
    default = _in_a_fresh_thread([0])[0]
    assert _in_a_fresh_thread([1, 8, 8, 1, 2]) == [default, 1, 1, default, 1]


def test_each_script_thread_sets_its_own():
    # the main thread's setting is not what a script thread gets: each thread fits itself at its tick
    before = torch.get_num_threads()
    try:
        assert _in_a_fresh_thread([8]) == [1]
        assert torch.get_num_threads() == before
    finally:
        torch.set_num_threads(before)

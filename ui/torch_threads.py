"""torch's intra-op threads for a live tick: all of them for a student alone, one while a class shares the server.

Why: with 2 threads every torch op on a batch is split over both, and the helper thread then spins for
2–3 ms: a spam round costs 12.6 ms of process CPU for 6.3 ms of the calling thread's, a CGAN step 38 ms for
26 ms of work (measured alone, 2 cores). One student alone gains from it (a CGAN step 19 ms on the clock
instead of 26), so alone keeps torch's default. With several running sessions the cores are taken by the
other sessions anyway, and the spinning only eats the server's budget (spam, 8 students: 2.7 → 4.1
updates/s with one thread). OpenMP's thread count is per calling thread, so each script thread sets its own
at the start of its tick; a torch that is not loaded is left alone.
"""
from __future__ import annotations

import sys

_alone: int | None = None  # torch's default (the cores, or OMP_NUM_THREADS), read before the first change


def fit(running: int) -> int | None:
    """Set this thread's torch intra-op threads for `running` live sessions; returns the count (None: no torch)."""
    global _alone
    torch = sys.modules.get("torch")
    if torch is None:
        return None
    if _alone is None:
        _alone = max(1, int(torch.get_num_threads()))
    want = _alone if running <= 1 else 1
    if torch.get_num_threads() != want:
        torch.set_num_threads(want)
    return want

"""`bench_classroom.py --browser-check` keeps working: one Chromium session and one headless session on a
fresh server of their own, each seeing the page's step counter move, and the comparison row printed.
Asserts no rate or ratio (timings are the benchmark's to report, not a test's)."""
from __future__ import annotations

import contextlib
import io
import math
import re
from concurrent.futures import ThreadPoolExecutor

import pytest

from benchmarks import bench_classroom

pytestmark = pytest.mark.e2e


def test_the_browser_check_counts_updates_in_chromium_and_in_the_headless_client():
    out = io.StringIO()

    def check() -> int:
        with contextlib.redirect_stdout(out):
            # the spam page: a lesson reached by its own path (not the root page), its counter a round
            return bench_classroom.main(["--browser-check", "--pages", "spam", "--seconds", "4", "--warmup", "2"])

    # A thread of its own: the e2e fixtures' sync Playwright owns this thread's event loop.
    with ThreadPoolExecutor(1) as pool:
        assert pool.submit(check).result(timeout=300) == 0
    rows = [line for line in out.getvalue().splitlines() if line.startswith("| spam |")]
    assert len(rows) == 1, out.getvalue()
    match = re.search(r"Chromium ([\d.]+) updates/s \| headless client ([\d.]+) updates/s \| ratio ([\d.na]+)", rows[0])
    assert match, rows[0]
    chromium, headless, ratio = (float(v) for v in match.groups())
    assert chromium > 0 and headless > 0, rows[0]  # both saw the round counter move
    assert math.isfinite(ratio)

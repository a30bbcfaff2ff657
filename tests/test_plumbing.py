"""Shared plumbing: seeding, device choice, Vega-Lite helpers, the command-line dispatcher."""
import json

import numpy as np
import torch

from gan_core import vega
from gan_core.device import available_devices, resolve_device
from gan_core.seeding import seed_everything


def test_same_seed_gives_the_same_random_streams():
    g1 = seed_everything(7)
    a = (np.random.rand(3), torch.rand(3, generator=g1), torch.rand(2))
    g2 = seed_everything(7)
    b = (np.random.rand(3), torch.rand(3, generator=g2), torch.rand(2))
    for x, y in zip(a, b):
        np.testing.assert_array_equal(np.asarray(x), np.asarray(y))


def test_cuda_is_only_used_when_present():
    assert "cpu" in available_devices()
    assert resolve_device("cpu") == torch.device("cpu")
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert resolve_device("cuda").type == expected
    assert resolve_device(None).type == "cpu"


def test_frame_turns_non_finite_values_into_missing():
    df = vega.frame(x=[1.0, np.inf, np.nan], y=[1, 2, 3])
    assert df["x"].isna().tolist() == [False, True, True]
    assert df["y"].tolist() == [1, 2, 3]


def test_curves_spec_is_plain_json_that_references_its_dataset():
    spec = vega.curves_spec("hist", "step", ["d_loss", "g_loss"], title="Losses", log_y=True)
    json.dumps(spec)  # no DataFrames or numpy scalars inside
    assert spec["data"] == {"name": "hist"}
    assert spec["transform"][0]["fold"] == ["d_loss", "g_loss"]
    assert spec["encoding"]["y"]["scale"] == {"type": "log"}


def test_the_app_runs_torch_on_one_thread_per_process():
    from gan_core.device import use_one_thread_per_session

    before = torch.get_num_threads()
    try:
        use_one_thread_per_session()
        assert torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(before)


BLAS_PROBE = """
import contextlib, json
from threadpoolctl import threadpool_info
from gan_core import device

def blas_threads():
    return sorted({i["num_threads"] for i in threadpool_info() if i["internal_api"] in ("openblas", "mkl", "blis")})

before = blas_threads()
limits_per_call = not isinstance(device.one_blas_thread(), contextlib.nullcontext)
device.use_one_thread_per_session()
device.use_one_thread_per_session()  # every page run calls it: once is enough
print(json.dumps({"before": before, "limits_per_call": limits_per_call, "after": blas_threads(),
                  "no_op_after": isinstance(device.one_blas_thread(), contextlib.nullcontext)}))
"""


def test_the_app_pins_blas_to_one_thread_once_and_the_trainers_stop_asking():
    # In a fresh interpreter with BLAS on two threads: pinning lasts for the process.
    import os
    import subprocess
    import sys

    from tests.app_paths import ROOT

    env = {**os.environ, "OPENBLAS_NUM_THREADS": "2", "MKL_NUM_THREADS": "2", "OMP_NUM_THREADS": "2"}
    out = subprocess.run([sys.executable, "-c", BLAS_PROBE], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=120, check=True).stdout
    probe = json.loads(out.strip().splitlines()[-1])
    assert probe["before"] == [2] and probe["limits_per_call"]
    assert probe["after"] == [1] and probe["no_op_after"]


def test_bad_command_line_input_has_one_shape_for_every_subcommand(capsys):
    from gan_core.cli_support import fail_invalid

    assert fail_invalid({"lr_g": "must be > 0"}, as_json=True) == 2
    out, err = capsys.readouterr()
    assert json.loads(out.splitlines()[-1]) == {"ok": False, "status": "invalid", "errors": {"lr_g": "must be > 0"}}
    assert "error: lr_g: must be > 0" in err
    assert fail_invalid(["no such digit"], as_json=False) == 2
    out, err = capsys.readouterr()
    assert out == "" and "error: no such digit" in err

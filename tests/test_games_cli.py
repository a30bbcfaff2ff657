"""`python -m gan_core game`: JSON on the last line, the trajectory file, clear errors for bad input."""
import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from gan_core.__main__ import main
from gan_core.games.settings import MAX_STEPS, GameSettings

ROOT = Path(__file__).resolve().parents[1]


def run_cli(capsys, *args):
    code = main(["game", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def last_json(stdout: str) -> dict:
    return json.loads(stdout.strip().splitlines()[-1])


def test_xy_simultaneous_json_reports_the_closed_form_radius(capsys):
    code, out, _ = run_cli(capsys, "--game", "xy", "--method", "simultaneous", "--eta", "0.1", "--steps", "1000", "--json")
    assert code == 0
    result = last_json(out)
    assert result["distance"] == pytest.approx(math.sqrt(8) * (1 + 0.01) ** 500, rel=1e-9)
    assert result["distance"] == pytest.approx(math.hypot(result["x"], result["y"]))
    assert result["verdict"] == "spirals out" and not result["diverged"]


def test_dirac_r1_writes_the_whole_trajectory(capsys, tmp_path):
    path = tmp_path / "run.npy"
    code, out, _ = run_cli(capsys, "--game", "dirac", "--loss", "nonsaturating", "--reg", "r1", "--method", "alternating",
                           "--eta", "0.1", "--steps", "500", "--start", "1", "1", "--json", "--trajectory-out", str(path))
    assert code == 0
    result = last_json(out)
    traj = np.load(path, allow_pickle=False)
    assert traj.shape == (501, 2)
    np.testing.assert_allclose(traj[0], [1.0, 1.0])
    np.testing.assert_allclose(traj[-1], [result["x"], result["y"]])
    assert result["distance"] < 1e-3 and result["verdict"] == "converges"


def test_divergence_is_reported_with_finite_numbers(capsys):
    code, out, _ = run_cli(capsys, "--game", "xy", "--eta", "1.9", "--steps", "5000", "--json")
    assert code == 0
    result = last_json(out)
    assert result["diverged"] and result["diverged_at_step"] < 5000
    assert math.isfinite(result["x"]) and math.isfinite(result["distance"])


@pytest.mark.parametrize(
    "args, message",
    [
        (["--eta", "0"], "must be positive"),
        (["--eta", "-0.5"], "must be positive"),
        (["--eta", "50"], "too large"),
        (["--start", "nan", "2"], "finite numbers"),
        (["--steps", str(MAX_STEPS + 1)], "beyond the cap"),
        (["--steps", "0"], "at least 1"),
        (["--loss", "wasserstein"], "dirac only"),
        (["--momentum", "1.5"], "Momentum"),
    ],
)
def test_bad_input_gets_a_clear_message_and_nonzero_exit(capsys, args, message):
    code, out, err = run_cli(capsys, "--game", "xy", *args, "--json")
    assert code != 0
    assert message in err
    result = last_json(out)
    assert result["ok"] is False and any(message in e for e in result["errors"])


def test_module_entry_point_prints_json_on_the_last_line():
    proc = subprocess.run(
        [sys.executable, "-m", "gan_core", "game", "--game", "xy", "--method", "extragradient", "--eta", "0.1",
         "--steps", "1000", "--json"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert last_json(proc.stdout)["distance"] < 0.05


def test_settings_validation_accepts_defaults_and_names_each_problem():
    assert GameSettings().validate() == []
    errors = GameSettings(eta=float("nan"), steps=2.5, start=(1.0, float("inf")), methods=()).validate()
    assert any("finite" in e for e in errors)
    assert any("whole number" in e for e in errors)
    assert any("start point" in e for e in errors)
    assert any("at least one update rule" in e for e in errors)
    assert GameSettings(steps=6000).validate(max_steps=5000) != []

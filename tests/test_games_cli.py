"""`python -m gan_core game`: JSON on the last line, the trajectory file, clear errors for bad input."""
import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from gan_core.__main__ import main
from gan_core.games.config import MAX_STEPS, GameConfig

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
        (["--eta", "0"], "greater than 0"),
        (["--eta", "-0.5"], "greater than 0"),
        (["--eta", "50"], "at most 2"),
        (["--eta", "fast"], "must be a number"),
        (["--start", "nan", "2"], "finite number"),
        (["--start", "1"], "needs 2 numbers"),
        (["--steps", str(MAX_STEPS + 1)], "between 1 and 100000"),
        (["--steps", "0"], "between 1 and"),
        (["--loss", "wasserstein"], "dirac only"),
        (["--momentum", "1.5"], "Momentum"),
        (["--method", "leapfrog"], "Unknown update rule"),
    ],
)
def test_bad_input_gets_a_clear_message_and_nonzero_exit(capsys, args, message):
    code, out, err = run_cli(capsys, "--game", "xy", *args, "--json")
    assert code != 0
    assert message in err
    result = last_json(out)
    assert result["ok"] is False and any(message in e for e in result["errors"].values())


def test_module_entry_point_prints_json_on_the_last_line():
    proc = subprocess.run(
        [sys.executable, "-m", "gan_core", "game", "--game", "xy", "--method", "extragradient", "--eta", "0.1",
         "--steps", "1000", "--json"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert last_json(proc.stdout)["distance"] < 0.05


def test_settings_validation_accepts_defaults_and_names_each_problem():
    assert GameConfig().validate() == {}
    errors = GameConfig(eta=float("nan"), steps=2.5, start=(1.0, float("inf")), methods=()).validate()
    assert set(errors) == {"eta", "steps", "start", "methods"}
    assert "finite" in errors["eta"] and "whole number" in errors["steps"]
    assert "Start point" in errors["start"] and "at least one update rule" in errors["methods"]
    assert "beyond the cap of 5,000" in GameConfig(steps=6000).validate(max_steps=5000)["steps"]
    assert "strictly between" in GameConfig(momentum=1.0).validate()["momentum"]


def test_start_defaults_per_game_and_a_settings_file_is_read(capsys, tmp_path):
    code, out, _ = run_cli(capsys, "--game", "dirac", "--steps", "1", "--json")
    assert code == 0 and last_json(out)["start"] == [1.0, 1.0]
    path = tmp_path / "xy.json"
    path.write_text(json.dumps({"settings": {"eta": 0.2, "start": [1, -1], "methods": ["consensus"]}}))
    code, out, _ = run_cli(capsys, "--config", str(path), "--steps", "3", "--json")
    result = last_json(out)
    assert code == 0 and result["eta"] == 0.2 and result["start"] == [1.0, -1.0] and result["method"] == "consensus"
    code, out, _ = run_cli(capsys, "--config", str(path), "--method", "alternating", "--start", "3,4", "--json")
    result = last_json(out)
    assert result["method"] == "alternating" and result["start_distance"] == 5.0

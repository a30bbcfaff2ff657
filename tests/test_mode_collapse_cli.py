"""`python -m gan_core mode-collapse`: JSON on the last line, --seconds, --samples-out, clear errors."""
import json
import subprocess
import sys

import numpy as np

from gan_core.__main__ import main


def _last_json(capsys) -> dict:
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def test_json_result_in_process(capsys):
    assert main(["mode-collapse", "--target", "grid25", "--remedy", "mbstd", "--steps", "30", "--seed", "2",
                 "--batch-size", "32", "--json"]) == 0
    result = _last_json(capsys)
    assert result["steps"] == 30 and result["modes"] == 25
    assert 0 <= result["modes_captured"] <= 25 and 0 <= result["high_quality"] <= 100
    assert set(result) >= {"modes_captured", "high_quality", "reverse_kl", "top2_share", "steps", "seconds"}
    assert result["config"]["remedy"] == "mbstd" and result["engine"] == "numpy"


def test_same_seed_same_numbers(capsys):
    out = []
    for _ in range(2):
        main(["mode-collapse", "--steps", "40", "--seed", "5", "--batch-size", "32", "--json"])
        out.append(_last_json(capsys))
    assert out[0]["samples_per_mode"] == out[1]["samples_per_mode"]


def test_seconds_budget_and_samples_out(capsys, tmp_path):
    path = tmp_path / "out" / "g.npy"
    assert main(["mode-collapse", "--seconds", "0.3", "--batch-size", "32", "--width", "32",
                 "--samples-out", str(path), "--json"]) == 0
    result = _last_json(capsys)
    assert result["steps"] >= 1 and 0.3 <= result["seconds"] < 2.0
    samples = np.load(path)
    assert samples.shape == (20_000, 2) and samples.dtype == np.float64 and np.isfinite(samples).all()
    assert result["samples_out"] == str(path)


def test_seconds_with_a_step_cap_stops_at_the_cap(capsys):
    assert main(["mode-collapse", "--seconds", "30", "--steps", "12", "--batch-size", "32", "--json"]) == 0
    assert _last_json(capsys)["steps"] == 12


def test_bad_settings_exit_2_with_a_message():
    r = subprocess.run([sys.executable, "-m", "gan_core", "mode-collapse", "--remedy", "pack", "--pack", "7",
                        "--seconds", "-1", "--samples-out", "x.txt", "--json"], capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "Pack size" in r.stderr and "--seconds" in r.stderr and ".npy" in r.stderr
    assert json.loads(r.stdout.strip().splitlines()[-1])["status"] == "invalid"

"""`python -m gan_core train-1d`: JSON on the last line, samples file, clear errors."""
import json
import subprocess
import sys

import numpy as np

from gan_core.__main__ import main
from gan_core.mapping_1d.metrics import w1_to_target
from gan_core.mapping_1d.targets import parse_target


def test_train_1d_json_reports_steps_seconds_w1_and_target_and_writes_samples(tmp_path, capsys):
    out = tmp_path / "g.npy"
    rc = main(["train-1d", "--target", "uniform:-1,2", "--steps", "300", "--seed", "5", "--json",
               "--samples-out", str(out)])
    assert rc == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert result["steps"] == 300 and result["target"] == "uniform:-1,2"
    assert result["seconds"] > 0 and result["status"] == "ok"
    samples = np.load(out)
    assert samples.shape == (20_000,) and samples.dtype == np.float64
    assert result["w1_samples"] == w1_to_target(samples, parse_target("uniform:-1,2"))
    assert abs(result["w1"] - result["w1_samples"]) < 0.05


def test_train_1d_is_repeatable_per_seed(tmp_path, capsys):
    runs = []
    for _ in range(2):
        main(["train-1d", "--steps", "100", "--seed", "9", "--json"])
        runs.append(json.loads(capsys.readouterr().out.strip().splitlines()[-1])["w1"])
    assert runs[0] == runs[1]


def test_train_1d_seconds_budget_is_respected(capsys):
    assert main(["train-1d", "--seconds", "0.3", "--json"]) == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert 0.3 <= result["seconds"] < 1.0 and result["steps"] > 0


def test_train_1d_rejects_bad_settings_with_a_message(capsys):
    assert main(["train-1d", "--target", "normal:3,0", "--lr-g", "0", "--json"]) == 2
    captured = capsys.readouterr()
    result = json.loads(captured.out.strip().splitlines()[-1])
    assert result["status"] == "invalid"
    assert "greater than 0" in result["errors"]["target"] and "lr_g" in result["errors"]
    assert "error: target" in captured.err


def test_python_dash_m_entry_point_prints_json_last():
    proc = subprocess.run([sys.executable, "-m", "gan_core", "train-1d", "--steps", "20", "--json"],
                          capture_output=True, text=True, timeout=120, check=True)
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["target"] == "normal:3,0.7" and result["steps"] == 20


def test_train_1d_starts_from_a_settings_file_and_flags_override_it(tmp_path, capsys):
    path = tmp_path / "run.json"
    path.write_text(json.dumps({"lesson": "mapping_1d", "settings": {"target": "exp:2", "width": 16, "loss": "minimax"}}))
    assert main(["train-1d", "--config", str(path), "--width", "8", "--steps", "10", "--json"]) == 0
    config = json.loads(capsys.readouterr().out.strip().splitlines()[-1])["config"]
    assert config["target"] == "exp:2" and config["loss"] == "minimax" and config["width"] == 8
    path.write_text("{broken")
    assert main(["train-1d", "--config", str(path), "--steps", "10", "--json"]) == 2
    assert "not a readable JSON" in json.loads(capsys.readouterr().out.strip().splitlines()[-1])["errors"]["config"]

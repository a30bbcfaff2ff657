"""`python -m gan_core mode-collapse`: JSON on the last line, clear errors for bad input."""
import json
import subprocess
import sys

from gan_core.__main__ import main


def test_json_result_in_process(capsys):
    assert main(["mode-collapse", "--target", "grid25", "--remedy", "mbstd", "--steps", "30", "--seed", "2",
                 "--batch-size", "32", "--json"]) == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert result["steps"] == 30 and result["modes"] == 25
    assert 0 <= result["modes_captured"] <= 25 and 0 <= result["high_quality"] <= 100
    assert set(result) >= {"modes_captured", "high_quality", "reverse_kl", "steps"}
    assert result["config"]["remedy"] == "mbstd"


def test_same_seed_same_numbers(capsys):
    out = []
    for _ in range(2):
        main(["mode-collapse", "--steps", "40", "--seed", "5", "--batch-size", "32", "--json"])
        out.append(json.loads(capsys.readouterr().out.strip().splitlines()[-1]))
    assert out[0]["samples_per_mode"] == out[1]["samples_per_mode"]


def test_bad_settings_exit_2_with_a_message():
    r = subprocess.run([sys.executable, "-m", "gan_core", "mode-collapse", "--remedy", "pack", "--pack", "7",
                        "--steps", "5", "--json"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "pack size" in r.stderr.lower()
    assert json.loads(r.stdout.strip().splitlines()[-1])["status"] == "invalid"

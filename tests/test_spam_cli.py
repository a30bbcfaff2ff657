"""`python -m gan_core spam`: per-round confusion matrices, one JSON object on the last line."""
import json
import subprocess
import sys

from gan_core.__main__ import main
from tests import app_paths


def run(capsys, *argv):
    code = main(["spam", *argv])
    lines = capsys.readouterr().out.strip().splitlines()
    return code, lines


def test_json_last_line_holds_every_round_and_the_final_matrix(capsys):
    code, lines = run(capsys, "--rounds", "4", "--seed", "2", "--json")
    assert code == 0
    summary = json.loads(lines[-1])
    assert summary["ok"] and summary["seed"] == 2 and summary["rounds_played"] == 4
    assert [r["round"] for r in summary["rounds"]] == [1, 2, 3, 4]
    final = summary["final"]
    assert {k: final[k] for k in ("tp", "fn", "fp", "tn")} == summary["rounds"][-1]["confusion"]
    assert final["tp"] + final["fn"] == summary["settings"]["eval_size"]
    # one human-readable line per round before the JSON
    assert len(lines) == 5 and lines[0].startswith("round     1")


def test_same_seed_prints_the_same_game(capsys):
    _, a = run(capsys, "--rounds", "3", "--seed", "5", "--json")
    _, b = run(capsys, "--rounds", "3", "--seed", "5", "--json")
    assert json.loads(a[-1])["rounds"] == json.loads(b[-1])["rounds"]


def test_bad_threshold_and_blocking_everything_give_clear_errors(capsys):
    code, lines = run(capsys, "--rounds", "2", "--threshold", "1.5", "--json")
    assert code == 2
    summary = json.loads(lines[-1])
    assert not summary["ok"] and "threshold" in summary["errors"]["threshold"]
    code, lines = run(capsys, "--rounds", "2", "--real-vocab-size", "0", "--json")
    assert code == 2 and "between 20 and 1000" in json.loads(lines[-1])["errors"]["real_vocab_size"]
    code, lines = run(capsys, "--rounds", "2", "--block", "zebra", "--json")
    assert code == 2 and "Not in the vocabulary" in json.loads(lines[-1])["errors"]["blocked_words"]
    code, lines = run(capsys, "--rounds", "2", "--filter-lr", "banana", "--json")
    assert code == 2 and "must be a number" in json.loads(lines[-1])["errors"]["filter_lr"]


def test_blocklist_mode_from_the_command_line(capsys):
    code, lines = run(capsys, "--rounds", "2", "--block", "cash", "free", "--json")
    summary = json.loads(lines[-1])
    assert code == 0 and summary["settings"]["human_filter"] and summary["settings"]["blocked_words"] == ["cash", "free"]


def test_module_entry_point_runs_as_a_subprocess():
    out = subprocess.run([sys.executable, "-m", "gan_core", "spam", "--rounds", "1", "--json"], cwd=app_paths.ROOT,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout.strip().splitlines()[-1])["rounds_played"] == 1

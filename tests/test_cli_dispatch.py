"""`python -m gan_core`: every subcommand named in the issues is registered by its lesson's cli module."""
import subprocess
import sys

import pytest

from gan_core.__main__ import COMMANDS, build_parser


def test_every_subcommand_is_registered_with_a_handler():
    parser = build_parser()
    subparsers = next(a for a in parser._actions if a.dest == "command")
    assert set(subparsers.choices) == set(COMMANDS)
    for name, sub in subparsers.choices.items():
        assert callable(sub.get_default("func")), f"{name} has no handler"


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_subcommand_help_runs_from_the_shell(command):
    result = subprocess.run(
        [sys.executable, "-m", "gan_core", command, "--help"], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert command in result.stdout


def test_unknown_subcommand_is_an_error_not_a_traceback():
    result = subprocess.run([sys.executable, "-m", "gan_core", "nope"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "invalid choice" in result.stderr

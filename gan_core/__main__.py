"""Headless command line: `python -m gan_core SUBCOMMAND ...`.

Each lesson registers its subcommands in its own `cli.py` (function `register(subparsers)`),
so this file only lists them; modules are imported lazily so `--help` stays fast.
"""
from __future__ import annotations

import argparse
import importlib
import sys

# subcommand -> module whose register() adds it
COMMANDS = {
    "train-1d": "gan_core.mapping_1d.cli",
    "cgan-train": "gan_core.cgan.cli",
    "cgan-sample": "gan_core.cgan.cli",
    "cgan-eval": "gan_core.cgan.cli",
    "cgan-judge": "gan_core.cgan.cli",
    "game": "gan_core.games.cli",
    "spam": "gan_core.spam.cli",
    "mode-collapse": "gan_core.mode_collapse.cli",
}


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m gan_core", description="GAN Playground, headless.")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    modules = {COMMANDS[only]} if only in COMMANDS else dict.fromkeys(COMMANDS.values())
    for module_name in modules:
        importlib.import_module(module_name).register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    # Import only the module that owns the requested subcommand (torch imports are slow).
    only = argv[0] if argv and argv[0] in COMMANDS else None
    parser = build_parser(only)
    args = parser.parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())

"""What every `python -m gan_core` subcommand does with bad input, so scripts can rely on one shape."""
from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence

INVALID_EXIT_STATUS = 2


def fail_invalid(problems: Mapping[str, str] | Sequence[str], *, as_json: bool) -> int:
    """Print each problem on stderr and, with --json, one last stdout line
    `{"ok": false, "status": "invalid", "errors": problems}`; return exit status 2.

    `problems` is either {setting: message} (from a settings dataclass's validate()) or a list of messages.
    """
    if isinstance(problems, Mapping):
        lines = [f"{name}: {message}" for name, message in problems.items()]
        errors: dict[str, str] | list[str] = dict(problems)
    else:
        lines = errors = list(problems)
    for line in lines:
        print(f"error: {line}", file=sys.stderr)
    if as_json:
        print(json.dumps({"ok": False, "status": "invalid", "errors": errors}))
    return INVALID_EXIT_STATUS

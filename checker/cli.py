"""`python -m checker <command> --rules venues.json`: one JSON object on stdin, one on stdout; secrets never on argv.

The rules come from a venues.json rules slice (the built site publishes one at assets/keyguide/venues.json),
or already loaded from the caller (the project's own command line loads them from venue files). The checker
never reads venue files itself: that is the build side's job. The only checker module that does I/O.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from checker.browser import OPERATIONS, dispatch, error_response, parse_json_object
from checker.rules import CheckerInputError, Rules, load_rules

EXIT_OK = 0
EXIT_INPUT = 2

COMMANDS = OPERATIONS

MISSING_RULES = (
    "--rules FILE is required: the checker's venue rules, as JSON (the site's assets/keyguide/venues.json, "
    "or write them from venue files with the project's `rules` command)"
)


def _parse_args(argv: Sequence[str] | None, with_rules_option: bool) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m checker",
        description="Check exchange API credentials, sign requests and audit what a key can do, offline. Reads one "
        "JSON object on stdin.",
    )
    parser.add_argument("command", choices=COMMANDS)
    if with_rules_option:
        parser.add_argument("--rules", type=Path, help="the venue rules: a venues.json rules slice (required)")
    return parser.parse_args(argv)


def read_rules(path: Path) -> Rules:
    """The rules in a venues.json rules slice; every failure is a `CheckerInputError` naming the file."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise CheckerInputError(f"--rules {path}: {error}") from None
    try:
        return load_rules(data)
    except CheckerInputError as error:
        raise CheckerInputError(f"--rules {path}: {error}") from None


def run(argv: Sequence[str] | None, stdin: TextIO, stdout: TextIO, *, rules: Rules | None = None) -> int:
    """Answer one command: the JSON object on `stdin` in, the answer on `stdout` as JSON.

    Args:
        argv: The command and, unless `rules` is given, `--rules FILE`.
        stdin: Where the request object is read from.
        stdout: Where the answer, or `{"error": ...}`, is written.
        rules: Rules the caller already loaded; then `--rules` is not accepted.

    Returns:
        `EXIT_OK`, or `EXIT_INPUT` when the rules or the request are missing or malformed.
    """
    args = _parse_args(argv, with_rules_option=rules is None)
    response: dict[str, Any]
    try:
        if rules is None:
            if args.rules is None:
                raise CheckerInputError(MISSING_RULES)
            rules = read_rules(args.rules)
        payload = parse_json_object(stdin.read(), "stdin")
        response = dispatch(rules, {**payload, "op": args.command})
        code = EXIT_OK
    except CheckerInputError as error:
        response, code = error_response(error), EXIT_INPUT
    stdout.write(json.dumps(response, indent=2) + "\n")
    return code


def main(argv: Sequence[str] | None = None) -> int:
    return run(argv, sys.stdin, sys.stdout)

"""`python -m checker diagnose|sign`: one JSON object on stdin, one on stdout; secrets never on argv.

The only checker module that does I/O.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from checker.browser import dispatch, error_response, parse_json_object
from checker.rules import CheckerInputError, Rules, load_rules

EXIT_OK = 0
EXIT_INPUT = 2


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m checker",
        description="Check exchange API credentials and sign requests offline. Reads one JSON object on stdin.",
    )
    parser.add_argument("command", choices=["diagnose", "sign", "selftest", "match_error", "compare"])
    parser.add_argument("--venues", default="venues", help="directory of venue YAML files (default: venues)")
    parser.add_argument("--rules", help="a venues.json rules slice to use instead of --venues")
    return parser.parse_args(argv)


def _load(args: argparse.Namespace) -> Rules:
    if args.rules:
        try:
            data = json.loads(Path(args.rules).read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise CheckerInputError(f"--rules {args.rules}: {error}") from None
        return load_rules(data)
    try:
        # Build-side package, imported by name so the checker never depends on it (nor type-checks it).
        dataset = importlib.import_module("keyguide.dataset")
    except ImportError as error:
        raise CheckerInputError(f"cannot read venue YAML without the keyguide package ({error}); use --rules") from None
    try:
        return load_rules(dataset.load_rules_slice(Path(args.venues)))
    except CheckerInputError:
        raise
    except Exception as error:  # noqa: BLE001 - any loader failure is reported as JSON, not a traceback
        raise CheckerInputError(f"--venues {args.venues}: {error}") from None


def run(argv: Sequence[str] | None, stdin: TextIO, stdout: TextIO) -> int:
    args = _parse_args(argv)
    response: dict[str, Any]
    try:
        payload = parse_json_object(stdin.read(), "stdin")
        response = dispatch(_load(args), {**payload, "op": args.command})
        code = EXIT_OK
    except CheckerInputError as error:
        response, code = error_response(error), EXIT_INPUT
    stdout.write(json.dumps(response, indent=2) + "\n")
    return code


def main(argv: Sequence[str] | None = None) -> int:
    return run(argv, sys.stdin, sys.stdout)

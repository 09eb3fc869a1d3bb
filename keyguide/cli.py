"""`keyguide`: writers' command line (check venue files, write the schema, start a venue, run the checker)."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import yaml

from checker import cli as checker_cli
from checker import load_rules

from . import clock
from .checks import upcoming_notices
from .dataset import dump_json, rules_slice
from .loader import load_directory, load_paths
from .model import Venue
from .problems import Problem, format_path, format_problems
from .schema import SCHEMA_PATH, render_schema


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="keyguide", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    check = commands.add_parser("check", help="validate venue files; exit 1 on problems")
    check.add_argument("paths", nargs="*", type=Path, default=[Path("venues")], help="files or directories")
    check.add_argument("--format", choices=["text", "github"], default="text", help="github: CI annotations")
    check.add_argument("--stale", action="store_true", help="also list venues whose last_verified is too old")
    check.add_argument(
        "--stale-days", type=int, help="age in days that counts as stale (default: mkdocs.yml's stale_after_days)"
    )

    schema = commands.add_parser("schema", help="write or check the editor JSON Schema")
    schema.add_argument("--check", action="store_true", help="exit 1 if the committed schema is out of date")
    schema.add_argument("--output", type=Path, default=SCHEMA_PATH)

    new = commands.add_parser("new", help="write a starter venue file that builds")
    new.add_argument("id", help="venue id, e.g. 'okx' (also the file name and URL)")
    new.add_argument("--venues", type=Path, default=Path("venues"))

    anchors = commands.add_parser("anchors", help="compare the site's anchors with the committed registry")
    anchors.add_argument("--update", action="store_true", help="add the site's new anchors to the registry")
    anchors.add_argument("--registry", type=Path, default=Path("anchors.txt"))
    anchors.add_argument("--config", type=Path, default=Path("mkdocs.yml"))

    rules = commands.add_parser("rules", help="write the checker's rules (the site's venues.json) from venue files")
    rules.add_argument("-o", "--output", type=Path, help="file to write (default: standard output)")
    rules.add_argument("--venues", type=Path, default=Path("venues"), help="venues folder (default: venues)")

    checker = commands.add_parser(
        "checker",
        help="run the key checker on this project's venues: one JSON object on stdin, one on stdout",
        description="`python -m checker`, with its rules loaded from the venues folder instead of --rules.",
    )
    checker.add_argument("op", choices=checker_cli.COMMANDS, help="what the checker does with the JSON on stdin")
    checker.add_argument("--venues", type=Path, default=Path("venues"), help="venues folder (default: venues)")

    args = parser.parse_args(argv)
    if args.command == "check":
        stale_days = args.stale_days if args.stale_days is not None else configured_stale_days(Path("mkdocs.yml"))
        return _check(args.paths, args.format, stale_days if args.stale else None)
    if args.command == "schema":
        return _schema(args.output, args.check)
    if args.command == "anchors":
        return _anchors(args.config, args.registry, args.update)
    if args.command == "rules":
        return _rules(args.venues, args.output)
    if args.command == "checker":
        return _checker(args.venues, args.op)
    return _new(args.id, args.venues)


def configured_stale_days(mkdocs_yml: Path, default: int = 180) -> int:
    """The site's `stale_after_days` (keyguide plugin settings), so the CLI and the guides agree."""
    return _configured_days(mkdocs_yml, "stale_after_days", default)


def configured_notice_days(mkdocs_yml: Path, default: int = 30) -> int:
    """The site's `notice_warning_days`: how early `keyguide check` warns of a notice about to take effect."""
    return _configured_days(mkdocs_yml, "notice_warning_days", default)


def _configured_days(mkdocs_yml: Path, name: str, default: int) -> int:
    try:
        config = yaml.safe_load(mkdocs_yml.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return default
    for plugin in (config or {}).get("plugins", []):
        if isinstance(plugin, dict) and isinstance(plugin.get("keyguide"), dict):
            value = plugin["keyguide"].get(name, default)
            return value if isinstance(value, int) else default
    return default


def _check(paths: Sequence[Path], output: str, stale_days: int | None) -> int:
    loaded = load_paths(paths)
    if loaded.problems:
        _print_problems(loaded.problems, output)
        return 1
    today = clock.today()
    within = configured_notice_days(Path("mkdocs.yml"))
    for item in loaded.items:
        if item.venue is not None:
            for path, message in upcoming_notices(item.venue, within, today):
                print(f"{item.file}:{item.document.line_of(path)}: {format_path(path)}: warning: {message}")
    if stale_days is not None:
        stale = [
            (item.file, item.venue)
            for item in loaded.items
            if item.venue is not None and (today - item.venue.last_verified).days > stale_days
        ]
        for file, venue in stale:
            age = (today - venue.last_verified).days
            print(f"{file}: stale: last verified {venue.last_verified.isoformat()} ({age} days ago)")
        if stale:
            return 1
    count = len(loaded.items)
    print(f"{count} venue file{'s' if count != 1 else ''} OK.")
    return 0


def _print_problems(problems: Sequence[Problem], output: str = "text") -> None:
    if output == "github":
        print("\n".join(p.format_github() for p in problems))
    print(format_problems(problems), file=sys.stderr if output == "github" else sys.stdout)


def _valid_venues(venues_dir: Path, command: str) -> list[Venue] | None:
    """Every venue of `venues_dir`, or None after printing every problem to stderr (stdout carries data)."""
    loaded = load_directory(venues_dir)
    if loaded.problems:
        print(format_problems(loaded.problems), file=sys.stderr)
        print(f"keyguide {command}: fix the venue files first ('keyguide check {venues_dir}')", file=sys.stderr)
        return None
    return loaded.venues


def _rules(venues_dir: Path, output: Path | None) -> int:
    venues = _valid_venues(venues_dir, "rules")
    if venues is None:
        return 1
    text = dump_json(rules_slice(venues)) + "\n"
    if output is None:
        sys.stdout.write(text)
        return 0
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    print(f"wrote {output}: the checker's rules for {len(venues)} venue(s)")
    return 0


def _checker(venues_dir: Path, op: str) -> int:
    venues = _valid_venues(venues_dir, "checker")
    if venues is None:
        return 1
    return checker_cli.run([op], sys.stdin, sys.stdout, rules=load_rules(rules_slice(venues)))


def _schema(output: Path, check_only: bool) -> int:
    text = render_schema()
    if check_only:
        current = output.read_text(encoding="utf-8") if output.exists() else ""
        if current != text:
            print(f"{output}: out of date — run 'keyguide schema' and commit the result", file=sys.stderr)
            return 1
        print(f"{output}: up to date.")
        return 0
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    print(f"wrote {output}")
    return 0


def _anchors(config: Path, registry: Path, update: bool) -> int:
    from .registry import load_registry, parse_registry, render_registry

    with tempfile.TemporaryDirectory(prefix="keyguide-anchors-") as tmp:
        env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
        command = [sys.executable, "-m", "mkdocs", "build", "--quiet", "-f", str(config), "-d", tmp]
        if subprocess.run(command, env=env, check=False).returncode != 0:
            print("keyguide anchors: the site does not build; fix the errors above first", file=sys.stderr)
            return 1
        published = parse_registry((Path(tmp) / "anchors.txt").read_text(encoding="utf-8"))
    registered = load_registry(registry)
    new = sorted(published - registered)
    if update:
        # Never drop a registered anchor: lost ones must stay listed so the build keeps demanding an alias.
        registry.write_text(render_registry(registered | published), encoding="utf-8")
        print(f"{registry}: {len(new)} anchor(s) added")
        return 0
    for anchor in new:
        print(f"{registry}: not registered: {anchor}")
    if new:
        print(f"run 'keyguide anchors --update' and commit {registry}")
        return 1
    print(f"{registry}: every published anchor is registered.")
    return 0


def _new(venue_id: str, venues_dir: Path) -> int:
    from .starter import render_starter

    try:
        text = render_starter(venue_id)
    except ValueError as error:
        print(f"keyguide new: {error}", file=sys.stderr)
        return 2
    target = venues_dir / f"{venue_id}.yaml"
    if target.exists():
        print(f"keyguide new: {target} already exists — not overwriting it", file=sys.stderr)
        return 1
    venues_dir.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    print(f"wrote {target}: fill in every field, then run 'keyguide check {target}'")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

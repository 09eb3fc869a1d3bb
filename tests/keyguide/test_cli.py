"""`keyguide check|schema|new|rules|checker` as writers and CI run them."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from keyguide.dataset import dump_json, rules_slice
from keyguide.loader import NO_VENUE_FILES, load_directory

CASES = Path(__file__).parent / "venue_cases"
ROOT = CASES.parents[2]
BAD_ENUM_LINE = (
    "venues/bad-enum.yaml:66: use_cases[1].kind: expected one of 'trading', 'read_only', "
    "got 'readonly' — did you mean 'read_only'?"
)


def run(*args: str, cwd: Path | None = None, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "keyguide.cli", *args], input=stdin, capture_output=True, text=True, cwd=cwd, check=False
    )


def broken_project(tmp_path: Path) -> Path:
    venues = tmp_path / "venues"
    venues.mkdir()
    shutil.copy(CASES / "bad-enum.yaml", venues)
    return tmp_path


def test_check_reports_problems_and_exits_1(tmp_path: Path) -> None:
    result = run("check", "venues", cwd=broken_project(tmp_path))
    assert result.returncode == 1
    assert result.stdout.splitlines() == [BAD_ENUM_LINE, "1 problem in venue files."]
    assert "Traceback" not in result.stderr


def test_check_empty_folder_says_so(tmp_path: Path) -> None:
    (tmp_path / "venues").mkdir()
    result = run("check", "venues", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [f"venues:1: {NO_VENUE_FILES}", "1 problem in venue files."]


def test_check_github_format(tmp_path: Path) -> None:
    shutil.copy(CASES / "wrong-type.yaml", tmp_path)
    result = run("check", "--format", "github", str(tmp_path / "wrong-type.yaml"))
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        f"::error file={tmp_path}/wrong-type.yaml,line=14::quick_facts.fees.maker_pct: "
        "expected a number, got text '0.1'"
    ]


def test_check_missing_directory(tmp_path: Path) -> None:
    result = run("check", "nowhere", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.startswith("nowhere:1: no such file or directory")


def test_check_real_venues_pass() -> None:
    result = run("check", "venues")
    assert result.returncode == 0, result.stdout
    assert result.stdout.strip().endswith("OK.")


def test_check_stale(tmp_path: Path) -> None:
    (tmp_path / "old.yaml").write_text(
        (ROOT / "keyguide" / "starter.yaml").read_text(encoding="utf-8").format(id="old", name="Old")
    )
    result = run("check", "--stale", "--stale-days", "30", str(tmp_path))
    assert result.returncode == 1
    assert "old.yaml: stale: last verified 2026-01-01" in result.stdout


def test_new_writes_a_venue_that_checks(tmp_path: Path) -> None:
    created = run("new", "okx-demo", "--venues", str(tmp_path))
    assert created.returncode == 0, created.stderr
    assert run("check", str(tmp_path / "okx-demo.yaml")).returncode == 0
    again = run("new", "okx-demo", "--venues", str(tmp_path))
    assert again.returncode == 1 and "already exists" in again.stderr


def test_new_rejects_bad_id(tmp_path: Path) -> None:
    result = run("new", "Bad Id", "--venues", str(tmp_path))
    assert result.returncode == 2
    assert "not a valid venue id" in result.stderr


def test_schema_check_detects_drift(tmp_path: Path) -> None:
    stale = tmp_path / "venue.schema.json"
    stale.write_text("{}\n")
    assert run("schema", "--check", "--output", str(stale)).returncode == 1
    assert run("schema", "--output", str(stale)).returncode == 0
    assert run("schema", "--check", "--output", str(stale)).returncode == 0


def test_stale_days_default_comes_from_mkdocs_yml(tmp_path: Path) -> None:
    from keyguide.cli import configured_stale_days

    assert configured_stale_days(ROOT / "mkdocs.yml") == 180
    config = tmp_path / "mkdocs.yml"
    config.write_text("plugins:\n  - search\n  - keyguide:\n      stale_after_days: 45\n")
    assert configured_stale_days(config) == 45
    assert configured_stale_days(tmp_path / "missing.yml") == 180


def test_rules_writes_the_checkers_slice(tmp_path: Path) -> None:
    expected = dump_json(rules_slice(load_directory(ROOT / "venues").require())) + "\n"
    to_stdout = run("rules", cwd=ROOT)
    assert to_stdout.returncode == 0, to_stdout.stderr
    assert to_stdout.stdout == expected
    target = tmp_path / "out" / "venues.json"
    to_file = run("rules", "-o", str(target), cwd=ROOT)
    assert to_file.returncode == 0, to_file.stderr
    assert target.read_text(encoding="utf-8") == expected
    assert set(json.loads(expected)["venues"]) >= {"kraken-spot", "binance"}


def test_rules_refuses_broken_venues_with_their_lines(tmp_path: Path) -> None:
    result = run("rules", cwd=broken_project(tmp_path))
    assert result.returncode == 1 and result.stdout == ""
    assert BAD_ENUM_LINE in result.stderr.splitlines()


def test_checker_runs_on_the_projects_venues() -> None:
    request = {"venue": "kraken-spot", "credentials": {"api_key": "", "api_secret": "your-secret-here"}}
    result = run("checker", "diagnose", cwd=ROOT, stdin=json.dumps(request))
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert {f["code"] for f in answer["findings"]} == {"api_key.empty", "api_secret.placeholder"}


def test_checker_input_errors_are_the_checkers_own(tmp_path: Path) -> None:
    result = run("checker", "diagnose", cwd=ROOT, stdin="not json")
    assert result.returncode == 2
    assert json.loads(result.stdout)["error"].startswith("stdin: not valid JSON")


def test_checker_refuses_broken_venues_with_their_lines(tmp_path: Path) -> None:
    result = run("checker", "diagnose", cwd=broken_project(tmp_path), stdin="{}")
    assert result.returncode == 1 and result.stdout == ""
    assert BAD_ENUM_LINE in result.stderr.splitlines()


def test_checker_takes_no_rules_file() -> None:
    result = run("checker", "diagnose", "--rules", "venues.json", cwd=ROOT, stdin="{}")
    assert result.returncode == 2 and "unrecognized arguments: --rules" in result.stderr


def test_rules_are_the_sites_own_venues_json(built_site: Path, tmp_path: Path) -> None:
    """`keyguide rules` and the build publish the same bytes: one projection, one serialization."""
    target = tmp_path / "venues.json"
    assert run("rules", "-o", str(target), cwd=ROOT).returncode == 0
    published = (built_site / "assets" / "keyguide" / "venues.json").read_text(encoding="utf-8")
    assert target.read_text(encoding="utf-8") == published + "\n"

"""`keyguide check|schema|new` as writers and CI run them."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

CASES = Path(__file__).parent / "venue_cases"


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "keyguide.cli", *args], capture_output=True, text=True, cwd=cwd, check=False
    )


def test_check_reports_problems_and_exits_1(tmp_path: Path) -> None:
    venues = tmp_path / "venues"
    venues.mkdir()
    shutil.copy(CASES / "bad-enum.yaml", venues)
    result = run("check", "venues", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "venues/bad-enum.yaml:55: permissions[1].state: expected one of 'required', 'optional', 'never', "
        "got 'requried' — did you mean 'required'?",
        "1 problem in venue files.",
    ]
    assert "Traceback" not in result.stderr


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
        (CASES.parents[2] / "keyguide" / "starter.yaml").read_text(encoding="utf-8").format(id="old", name="Old")
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

    assert configured_stale_days(CASES.parents[2] / "mkdocs.yml") == 180
    config = tmp_path / "mkdocs.yml"
    config.write_text("plugins:\n  - search\n  - keyguide:\n      stale_after_days: 45\n")
    assert configured_stale_days(config) == 45
    assert configured_stale_days(tmp_path / "missing.yml") == 180

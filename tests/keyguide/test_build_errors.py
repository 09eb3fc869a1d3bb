"""`mkdocs build` reports broken venue data with the same lines as `keyguide check`, and no traceback."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sitekit import build_site, copy_project

CASES = Path(__file__).parent / "venue_cases"


@pytest.mark.parametrize(
    "cases",
    [
        ("bad-enum", "unknown-key"),
        # Venue text that would put markup of its own on every reader's page fails the build, by file and line.
        ("raw-html-script", "event-handler-attribute", "meta-refresh", "attr-list"),
    ],
    ids=["schema", "markup"],
)
def test_build_prints_every_problem_line_and_fails(tmp_path: Path, cases: tuple[str, ...]) -> None:
    project = copy_project(tmp_path)
    for case in cases:
        shutil.copy(CASES / f"{case}.yaml", project / "venues")
    result = build_site(project, tmp_path / "site")
    assert result.returncode == 1
    expected = [
        line for case in sorted(cases) for line in (CASES / f"{case}.expected").read_text(encoding="utf-8").splitlines()
    ]
    reported = [line.split("keyguide: ", 1)[1] for line in result.stderr.splitlines() if "keyguide: venues/" in line]
    assert reported == expected
    assert "Traceback" not in result.stderr

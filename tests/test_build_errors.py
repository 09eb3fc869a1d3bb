"""`mkdocs build` reports broken venue data with the same lines as `keyguide check`, and no traceback."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from project_copy import copy_project

CASES = Path(__file__).parent / "venue_cases"


def test_build_prints_every_problem_line_and_fails(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    for case in ("bad-enum", "unknown-key"):
        shutil.copy(CASES / f"{case}.yaml", project / "venues")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(tmp_path / "site")],
        cwd=project,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        check=False,
    )
    assert result.returncode == 1
    expected = [
        line
        for case in ("bad-enum", "unknown-key")
        for line in (CASES / f"{case}.expected").read_text(encoding="utf-8").splitlines()
    ]
    reported = [line.split("keyguide: ", 1)[1] for line in result.stderr.splitlines() if "keyguide: venues/" in line]
    assert reported == expected
    assert "Traceback" not in result.stderr

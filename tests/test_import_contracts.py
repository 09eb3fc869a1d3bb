"""The import contracts in pyproject.toml hold, and `lint-imports` fails when a forbidden import is added.

Each case copies both packages and pyproject.toml to a temporary folder, adds one import and runs the linter
there, so the repository is never edited. The unmodified copy is the positive control: without it, a linter that
analysed nothing (or the installed packages instead of the copy) would pass the breach cases for the wrong reason.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
CHECKER_CONTRACT = "checker imports nothing from the build side, MkDocs, pydantic, PyYAML or Jinja"
ACYCLIC_CONTRACT = "no import circles inside keyguide"


def lint_copy(tmp_path: Path, module: str | None = None, line: str = "") -> subprocess.CompletedProcess[str]:
    """`lint-imports` on a copy of the project, with `line` appended to `module` (a path like checker/rules.py)."""
    for package in ("checker", "keyguide"):
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    if module is not None:
        target = tmp_path / module
        target.write_text(target.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")
    # PYTHONPATH first: the copy, not the editable install of the repository, is what gets analysed.
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=tmp_path, env=env, capture_output=True, text=True, check=False
    )


def test_the_unmodified_packages_keep_every_contract(tmp_path: Path) -> None:
    result = lint_copy(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{CHECKER_CONTRACT} KEPT" in result.stdout
    assert f"{ACYCLIC_CONTRACT} KEPT" in result.stdout
    assert "Contracts: 2 kept, 0 broken." in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "contract", "named"),
    [
        ("checker/rules.py", "import keyguide  # noqa: E402", CHECKER_CONTRACT, "checker.rules -> keyguide"),
        ("checker/findings.py", "from keyguide import dataset  # noqa", CHECKER_CONTRACT, "checker.findings"),
        ("checker/errors.py", "import pydantic  # noqa", CHECKER_CONTRACT, "checker.errors -> pydantic"),
        ("checker/rules.py", "import yaml  # noqa", CHECKER_CONTRACT, "checker.rules -> yaml"),
        ("checker/cli.py", "import mkdocs  # noqa", CHECKER_CONTRACT, "checker.cli -> mkdocs"),
        ("checker/errors.py", "import jinja2  # noqa", CHECKER_CONTRACT, "checker.errors -> jinja2"),
        # The circle this layering replaced: loader -> selftest -> dataset -> loader.
        ("keyguide/dataset.py", "from . import loader  # noqa", ACYCLIC_CONTRACT, ".dataset"),
    ],
)
def test_a_forbidden_import_breaks_its_contract(
    tmp_path: Path, module: str, line: str, contract: str, named: str
) -> None:
    result = lint_copy(tmp_path, module, line)
    assert result.returncode != 0, result.stdout
    assert f"{contract} BROKEN" in result.stdout
    assert "Contracts: 1 kept, 1 broken." in result.stdout
    assert named in result.stdout

"""Shared fixtures: the real site, built once per test session."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`mkdocs build --strict` of the repository into a temporary directory."""
    site = tmp_path_factory.mktemp("site")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return site


def copy_project(tmp_path: Path) -> Path:
    """A buildable copy of the project whose venue data, content and config a test may edit."""
    copy = tmp_path / "project"
    copy.mkdir()
    for name in ("content", "macros", "venues"):
        shutil.copytree(ROOT / name, copy / name, symlinks=True)
    for name in ("mkdocs.yml", "anchors.txt"):
        shutil.copy(ROOT / name, copy / name)
    for name in ("node_modules", "checker", "keyguide"):  # read-only inputs of the build
        if (ROOT / name).exists():
            (copy / name).symlink_to(ROOT / name)
    return copy

"""A buildable copy of the project for tests that edit venue data or serve the site."""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


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

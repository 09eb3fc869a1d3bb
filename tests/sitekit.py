"""Helpers for tests that build the site: a buildable project copy, a strict build, the site's Markdown."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import markdown
import yaml

ROOT = Path(__file__).resolve().parent.parent


def copy_project(tmp_path: Path) -> Path:
    """A buildable copy of the project whose venue data, content and config a test may edit."""
    copy = tmp_path / "project"
    copy.mkdir()
    for name in ("content", "macros", "venues"):
        shutil.copytree(ROOT / name, copy / name, symlinks=True)
    for name in ("mkdocs.yml", "anchors.txt"):
        shutil.copy(ROOT / name, copy / name)
    # Read-only inputs of the build (the signing wheels too: requirements.lock and what `make wheels` fetched).
    # The Pyodide memory snapshots too: kept by their exact inputs (keyguide/browser/snapshot.py), seconds each.
    (ROOT / ".cache/snapshots").mkdir(parents=True, exist_ok=True)
    for name in ("node_modules", "checker", "keyguide", "requirements.lock", ".cache/wheels", ".cache/snapshots"):
        if (ROOT / name).exists():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            (copy / name).symlink_to(ROOT / name)
    return copy


def build_site(project: Path, site_dir: Path, *, test_hook: bool = True) -> subprocess.CompletedProcess[str]:
    """`mkdocs build --strict` of `project` into `site_dir`, as `make build` runs it.

    `test_hook`: a test build (KEYGUIDE_TEST_HOOK=1), whose pages load the browser tests' hook before
    checker.js; False builds exactly what `make build` publishes.
    """
    env = {key: value for key, value in os.environ.items() if key != "KEYGUIDE_TEST_HOOK"}
    env["NO_MKDOCS_2_WARNING"] = "1"
    if test_hook:
        env["KEYGUIDE_TEST_HOOK"] = "1"
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site_dir)],
        cwd=project,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


def _site_extensions() -> tuple[list[str], dict[str, Any]]:
    # The site's own markdown_extensions from mkdocs.yml, so tests render exactly what the build renders.
    names: list[str] = []
    configs: dict[str, Any] = {}
    for entry in yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))["markdown_extensions"]:
        name, config = next(iter(entry.items())) if isinstance(entry, dict) else (entry, None)
        names.append(name)
        if config:
            configs[name] = config
    return names, configs


def to_html(text: str) -> str:
    """Render Markdown with the site's extensions and their settings."""
    names, configs = _site_extensions()
    return markdown.markdown(text, extensions=names, extension_configs=configs)

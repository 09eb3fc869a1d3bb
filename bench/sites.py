"""The projects the benchmarks build: the real site, synthetic sites of N venues, and a plain twin of each.

A plain twin is the same Markdown (hand-written pages and every page the keyguide plugin generates, rendered
with the project's own plugin settings) in a plain mkdocs-material project: same theme, Markdown extensions
and nav, with the search plugin only and none of our CSS, JavaScript, checker runtime or security pass.
Comparing a build, or a page, with its twin measures what keyguide adds and nothing else.
"""

from __future__ import annotations

import datetime
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml
from mkdocs.config import load_config

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE_VENUE = "kraken-spot"
# The packages a project copy runs from its own source (the rest are installed, compiled by pip).
OWN_PACKAGES = ("keyguide", "checker")
# Inputs a project copy reads but never writes: linked, not copied (keyguide too, so that `python -m mkdocs`
# in the copy runs this checkout's plugin, whichever checkout the editable install points at).
_LINKED = ("node_modules", *OWN_PACKAGES, "pyproject.toml", "requirements.lock", ".cache/wheels")
# Our assets under docs_dir: the plain twin ships none of them.
_OUR_ASSETS = "assets/keyguide"
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
ENV.pop("KEYGUIDE_TEST_HOOK", None)  # measure what `make build` publishes
# Python's default: a build writes the .pyc of the project's own modules and the next one reads them. An
# environment that turns that off (the machine these figures were first taken on did) would charge every build
# of ours, and none of the plain twin's, for compiling them (0.1-0.2 s); a fresh clone pays it once (builds.py
# clears them for a cold build).
ENV.pop("PYTHONDONTWRITEBYTECODE", None)


def build(config: Path, site_dir: Path, *, strict: bool = False) -> None:
    """`mkdocs build` of the project whose mkdocs.yml is `config`, into `site_dir`."""
    command = [sys.executable, "-m", "mkdocs", "build", "--quiet", "-f", str(config), "-d", str(site_dir)]
    if strict:
        command.append("--strict")
    subprocess.run(command, cwd=config.parent, env=ENV, check=True)


def real_project(work: Path) -> Path:
    """A copy of the project (content, templates, venues, config, anchor registry) with a cache of its own."""
    project = work / "real"
    for name in ("content", "macros", "venues"):
        shutil.copytree(ROOT / name, project / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("mkdocs.yml", "anchors.txt"):
        shutil.copy(ROOT / name, project / name)
    for name in _LINKED:
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).symlink_to(ROOT / name)
    return project


def synthetic_project(work: Path, venue_count: int) -> Path:
    """A copy of the project whose venues/ holds `venue_count` copies of Kraken Spot under new ids.

    No anchors.txt: the synthetic venues publish other anchors than the real ones.
    """
    project = work / f"synthetic-{venue_count}"
    shutil.copytree(ROOT / "content", project / "content")
    shutil.copytree(ROOT / "macros", project / "macros")
    shutil.copy(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    for name in _LINKED:
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).symlink_to(ROOT / name)
    (project / "venues").mkdir()
    template = (ROOT / "venues" / f"{TEMPLATE_VENUE}.yaml").read_text(encoding="utf-8")
    for index in range(venue_count):
        venue_id = f"venue-{index:04d}"
        text = template.replace(f"id: {TEMPLATE_VENUE}", f"id: {venue_id}", 1)
        (project / "venues" / f"{venue_id}.yaml").write_text(text, encoding="utf-8")
    return project


def generated_pages(project: Path, *, today: datetime.date | None = None) -> tuple[dict[str, str], list[Any]]:
    """The Markdown pages the keyguide plugin generates for `project`, by docs path, and its expanded nav.

    Uses the project's own plugin settings (product wording, checker origin), so the pages are the ones
    `mkdocs build` renders.
    """
    from keyguide.loader import load_directory
    from keyguide.plugin import KeyguidePlugin

    config = load_config(str(project / "mkdocs.yml"))
    plugin = config.plugins["keyguide"]
    assert isinstance(plugin, KeyguidePlugin)
    plugin.on_startup(command="build", dirty=False)
    config = plugin.on_config(config)
    venues = load_directory(Path(plugin.config.venues_dir)).require()
    pages = plugin.renderer.site_pages(venues, today=today or datetime.date.today())
    return pages, list(config.nav or [])


def plain_twin(project: Path, work: Path) -> Path:
    """A plain mkdocs-material project with the same Markdown as `project` (see the module docstring)."""
    plain = work / f"{project.name}-plain"
    raw = yaml.safe_load((project / "mkdocs.yml").read_text(encoding="utf-8"))
    docs = plain / raw.get("docs_dir", "docs")
    shutil.copytree(project / raw.get("docs_dir", "docs"), docs, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.rmtree(docs / _OUR_ASSETS, ignore_errors=True)
    pages, nav = generated_pages(project)
    for uri, text in pages.items():
        path = docs / uri
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    raw["plugins"] = ["search"]
    raw["nav"] = nav
    for key in ("watch", "extra_javascript", "extra_css"):
        raw.pop(key, None)
    (plain / "mkdocs.yml").write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return plain

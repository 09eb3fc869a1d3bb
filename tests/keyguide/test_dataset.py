"""The venue data published with the site, for other tools: stable URLs, with its JSON Schema."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from keyguide.loader import load_directory
from keyguide.schema import render_schema

from sitekit import build_site, copy_project

ROOT = Path(__file__).resolve().parents[2]


def test_dataset_is_published_with_its_schema(built_site: Path) -> None:
    data = json.loads((built_site / "data" / "venues.json").read_text(encoding="utf-8"))
    venues = {v.id: v for v in load_directory(ROOT / "venues").require()}
    assert [v["id"] for v in data["venues"]] == sorted(venues)
    kraken = next(v for v in data["venues"] if v["id"] == "kraken-spot")
    assert kraken == venues["kraken-spot"].model_dump(mode="json")
    assert (built_site / "data" / "venue.schema.json").read_text(encoding="utf-8") == render_schema()


def test_checker_rules_hold_only_what_the_checker_needs(built_site: Path) -> None:
    rules = json.loads((built_site / "assets" / "keyguide" / "venues.json").read_text(encoding="utf-8"))
    kraken = rules["venues"]["kraken-spot"]
    assert set(kraken) == {
        "id",
        "name",
        "credentials",
        "signing",
        "errors",
        "guide_url",
        "example_url",
        "key_info",
        "use_cases",
    }
    # The audit judges a key against the use case the reader picks: ids, titles and kinds only.
    assert {frozenset(uc) for uc in kraken["use_cases"]} == {frozenset({"id", "title", "kind"})}
    assert kraken["signing"]["example"]["signature"].startswith("4/dpxb3iT4tp")
    # Where the checker links to: the guide, as the site publishes it, and its signing example.
    assert (built_site / kraken["guide_url"] / "index.html").is_file()
    assert kraken["example_url"] == "venues/kraken-spot/#signing-example"


def test_a_new_starter_venue_builds(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    subprocess.run([sys.executable, "-m", "keyguide.cli", "new", "starter-demo"], cwd=project, check=True, env=env)
    result = build_site(project, tmp_path / "site")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "site" / "venues" / "starter-demo" / "index.html").is_file()

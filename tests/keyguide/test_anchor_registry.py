"""Published anchors are a contract: the registry lists them, the build fails when one disappears."""

from __future__ import annotations

from pathlib import Path

import pytest

from keyguide.registry import Anchor, lost_anchors, parse_registry, render_registry

from sitekit import build_site, copy_project

ROOT = Path(__file__).resolve().parents[2]


def test_every_published_anchor_is_registered(built_site: Path) -> None:
    published = parse_registry((built_site / "anchors.txt").read_text(encoding="utf-8"))
    registered = parse_registry((ROOT / "anchors.txt").read_text(encoding="utf-8"))
    assert Anchor("venues/kraken-spot/", "eapi-invalid-nonce") in published
    unregistered = sorted(str(a) for a in published - registered)
    assert unregistered == [], "run `.venv/bin/keyguide anchors --update` and commit anchors.txt"


def test_registry_round_trip() -> None:
    anchors = {Anchor("venues/a/", "x"), Anchor("", "top")}
    assert parse_registry(render_registry(anchors)) == anchors


def test_lost_anchor_is_reported_unless_aliased() -> None:
    registered = [Anchor("venues/a/", "old"), Anchor("venues/a/", "live")]
    published = {Anchor("venues/a/", "live")}
    assert lost_anchors(registered, published, {"venues/a/": {}}) == [
        "anchors.txt: published anchor /venues/a/#old is gone — restore it, or declare it under the venue's "
        "anchor_aliases with the id it moved to"
    ]
    assert lost_anchors(registered, published, {"venues/a/": {"old": "live"}}) == []
    assert "keep the heading's id" in lost_anchors([Anchor("security/", "gone")], set(), {})[0]


def _remove_error(venue_file: Path, code: str) -> None:
    lines = venue_file.read_text(encoding="utf-8").splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.strip() == f"- code: {code!r}".replace("'", '"'))
    end = next(i for i in range(start + 1, len(lines)) if lines[i].lstrip().startswith("- code:"))
    venue_file.write_text("".join(lines[:start] + lines[end:]), encoding="utf-8")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_project(tmp_path_factory.mktemp("anchors"))


def test_removing_an_error_fails_the_build_naming_the_anchor(project: Path) -> None:
    venue = project / "venues" / "kraken-spot.yaml"
    original = venue.read_text(encoding="utf-8")
    try:
        _remove_error(venue, "EAPI:Invalid nonce")
        result = build_site(project, project / "site")
        assert result.returncode == 1
        assert "published anchor /venues/kraken-spot/#eapi-invalid-nonce is gone" in result.stderr
    finally:
        venue.write_text(original, encoding="utf-8")


def test_declaring_the_removed_id_as_an_alias_passes(project: Path) -> None:
    venue = project / "venues" / "kraken-spot.yaml"
    original = venue.read_text(encoding="utf-8")
    try:
        _remove_error(venue, "EAPI:Invalid nonce")
        with venue.open("a", encoding="utf-8") as file:
            file.write("anchor_aliases:\n  eapi-invalid-nonce: eapi-invalid-key\n")
        result = build_site(project, project / "site")
        assert result.returncode == 0, result.stderr
        html = (project / "site" / "venues" / "kraken-spot" / "index.html").read_text(encoding="utf-8")
        assert '<span id="eapi-invalid-nonce"></span>' in html
    finally:
        venue.write_text(original, encoding="utf-8")

"""The build cache gives back only what the same code computed from the same bytes (and the same date)."""

from __future__ import annotations

import datetime
import shutil
from pathlib import Path

import pytest

from keyguide import loader
from keyguide.anchors import guide_source
from keyguide.cache import BuildCache, code_fingerprint
from keyguide.loader import load_directory, load_venue_file
from keyguide.render import PageRenderer
from keyguide.site import SiteConfig

ROOT = Path(__file__).resolve().parents[2]
VENUE = ROOT / "venues" / "kraken-spot.yaml"
TODAY = datetime.date(2026, 12, 1)


@pytest.fixture
def cache(tmp_path: Path) -> BuildCache:
    return BuildCache(tmp_path / "cache", code_fingerprint())


def test_entries_are_addressed_by_every_part(cache: BuildCache) -> None:
    assert cache.key("ab", "c") != cache.key("a", "bc")  # parts never run into each other
    assert cache.key("a") == cache.key(b"a")
    assert BuildCache(cache.root.parent, "0" * 64).key("a") != cache.key("a")  # another code, another key
    cache.put("kind", cache.key("a"), b"result")
    assert cache.get("kind", cache.key("a")) == b"result"
    assert cache.get("kind", cache.key("b")) is None


def test_opening_removes_other_code_versions_only(tmp_path: Path) -> None:
    old = BuildCache(tmp_path, "a" * 64)
    old.put("kind", old.key("x"), b"old")
    (tmp_path / "notes").mkdir()
    BuildCache(tmp_path, "b" * 64)
    assert not old.root.exists()
    assert (tmp_path / "notes").is_dir()  # not a folder the cache names: left alone


def test_prune_keeps_what_this_build_used(tmp_path: Path) -> None:
    first = BuildCache(tmp_path, "c" * 64)
    first.put("kind", first.key("kept"), b"1")
    first.put("kind", first.key("gone"), b"2")
    second = BuildCache(tmp_path, "c" * 64)
    assert second.get("kind", second.key("kept")) == b"1"
    second.prune()
    assert second.get("kind", second.key("kept")) == b"1"
    assert second.get("kind", second.key("gone")) is None


def test_an_unwritable_cache_is_no_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a folder", encoding="utf-8")
    cache = BuildCache(tmp_path / "file", "d" * 64)  # the cache folder cannot be made
    cache.put("kind", cache.key("a"), b"x")
    assert cache.get("kind", cache.key("a")) is None
    assert cache.path("jinja") is None


def test_a_venue_is_loaded_once_then_taken_from_the_cache(tmp_path: Path, cache: BuildCache) -> None:
    venues = tmp_path / "venues"
    venues.mkdir()
    shutil.copy(VENUE, venues / VENUE.name)
    first = load_directory(venues, cache=cache)
    assert list((cache.root / "venues").iterdir())  # stored
    again = load_directory(venues, cache=cache)
    assert again.venues == first.venues == load_directory(venues).venues
    assert again.problems == ()


def test_changed_text_is_loaded_and_checked_afresh(tmp_path: Path, cache: BuildCache) -> None:
    path = tmp_path / VENUE.name
    shutil.copy(VENUE, path)
    assert load_venue_file(path, cache=cache).venue is not None
    path.write_text(VENUE.read_text(encoding="utf-8").replace("name: Kraken Spot", "name: 42", 1), encoding="utf-8")
    changed = load_venue_file(path, cache=cache)
    assert changed.venue is None and changed.problems


def test_a_file_with_problems_is_never_stored(tmp_path: Path, cache: BuildCache) -> None:
    path = tmp_path / "kraken-spot.yaml"
    path.write_text(VENUE.read_text(encoding="utf-8").replace("id: kraken-spot", "id: other", 1), encoding="utf-8")
    first = load_venue_file(path, cache=cache)
    assert first.problems
    assert not (cache.root / "venues").exists() or not list((cache.root / "venues").iterdir())
    assert load_venue_file(path, cache=cache).problems == first.problems


def test_the_date_is_part_of_the_key(tmp_path: Path, cache: BuildCache, monkeypatch: pytest.MonkeyPatch) -> None:
    """Dated notices are judged against the build date: another date is another load."""
    path = tmp_path / VENUE.name
    shutil.copy(VENUE, path)
    loads = []
    real = loader.load_venue_text
    monkeypatch.setattr(loader, "load_venue_text", lambda *args: loads.append(args) or real(*args))
    today = datetime.date.today()
    for day in (today, today, today + datetime.timedelta(days=1)):
        monkeypatch.setenv("KEYGUIDE_TODAY", day.isoformat())
        load_venue_file(path, cache=cache)
    assert len(loads) == 2  # the second load of the same day came from the cache


def test_a_damaged_entry_is_loaded_afresh(tmp_path: Path, cache: BuildCache) -> None:
    path = tmp_path / VENUE.name
    shutil.copy(VENUE, path)
    expected = load_venue_file(path, cache=cache).venue
    for entry in (cache.root / "venues").iterdir():
        entry.write_bytes(b"not a pickle")
    assert load_venue_file(path, cache=cache).venue == expected


def test_rendered_pages_equal_uncached_ones_and_follow_the_templates(tmp_path: Path, cache: BuildCache) -> None:
    venues = load_directory(ROOT / "venues").require()[:2]
    templates = tmp_path / "macros"
    shutil.copytree(ROOT / "macros", templates)
    plain = PageRenderer(templates, SiteConfig()).site_pages(venues, today=TODAY)
    assert PageRenderer(templates, SiteConfig(), cache=cache).site_pages(venues, today=TODAY) == plain
    assert PageRenderer(templates, SiteConfig(), cache=cache).site_pages(venues, today=TODAY) == plain  # from cache
    venue_template = templates / "venue.md.j2"
    venue_template.write_text(venue_template.read_text(encoding="utf-8") + "\nA changed template.\n", encoding="utf-8")
    changed = PageRenderer(templates, SiteConfig(), cache=cache).site_pages(venues, today=TODAY)
    for venue in venues:
        assert changed[guide_source(venue.id)].endswith("A changed template.\n")


def test_another_libyaml_is_another_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    # Venue files are read by libyaml, which a source build of PyYAML takes from the system: its version
    # is not in PyYAML's, so it is part of the fingerprint on its own.
    from keyguide import cache as cache_module

    before = code_fingerprint()
    assert before == code_fingerprint()  # control: the same code and libraries, the same fingerprint
    monkeypatch.setattr(cache_module, "_libyaml_version", lambda: "0.0.1")
    assert code_fingerprint() != before

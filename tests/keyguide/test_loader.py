"""The broken-venue corpus: each file in tests/keyguide/venue_cases/ beside the exact lines writers must see."""

from __future__ import annotations

from pathlib import Path

import pytest

from keyguide.loader import NO_VENUE_FILES, load_directory, load_paths, load_venue_file
from keyguide.problems import VenueDataError
from keyguide.starter import render_starter

CASES = Path(__file__).parent / "venue_cases"
CASE_FILES = sorted(CASES.glob("*.yaml"))


def test_corpus_is_large_enough() -> None:
    assert len(CASE_FILES) >= 15
    assert all(f.with_suffix(".expected").exists() for f in CASE_FILES)


@pytest.mark.parametrize("case", CASE_FILES, ids=lambda p: p.stem)
def test_broken_venue_reports_exact_lines(case: Path) -> None:
    loaded = load_venue_file(case, display=f"venues/{case.name}")
    expected = case.with_suffix(".expected").read_text(encoding="utf-8").splitlines()
    assert [p.format() for p in loaded.problems] == expected
    assert loaded.venue is None


def test_starter_is_valid(tmp_path: Path) -> None:
    path = tmp_path / "demo.yaml"
    path.write_text(render_starter("demo"), encoding="utf-8")
    loaded = load_venue_file(path)
    assert loaded.problems == ()
    assert loaded.venue is not None and loaded.venue.id == "demo"


def test_directory_load_collects_every_file(tmp_path: Path) -> None:
    for case in ("bad-enum", "wrong-type"):
        (tmp_path / f"{case}.yaml").write_text((CASES / f"{case}.yaml").read_text(encoding="utf-8"))
    with pytest.raises(VenueDataError) as raised:
        load_directory(tmp_path).require()
    lines = str(raised.value).splitlines()
    assert lines[0].startswith(f"{tmp_path.as_posix()}/bad-enum.yaml:66: use_cases[1].kind")
    assert lines[1].startswith(f"{tmp_path.as_posix()}/wrong-type.yaml:14: quick_facts.fees.maker_pct")
    assert lines[-1] == "2 problems in venue files."


def test_non_utf8_file_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "latin.yaml"
    path.write_bytes(b"name: caf\xe9\n")
    loaded = load_venue_file(path, display="venues/latin.yaml")
    assert [p.format() for p in loaded.problems] == ["venues/latin.yaml:1: not UTF-8 text: invalid continuation byte"]


def test_real_venues_load() -> None:
    venues = load_directory(Path("venues")).require()
    assert {"kraken-spot", "kraken-futures", "binance", "bybit"} <= {v.id for v in venues}


def test_a_load_keeps_good_venues_beside_broken_ones(tmp_path: Path) -> None:
    """What `mkdocs serve` needs: the good venues to render, the broken ones by id, every problem once."""
    (tmp_path / "demo.yaml").write_text(render_starter("demo"), encoding="utf-8")
    (tmp_path / "bad-enum.yaml").write_text((CASES / "bad-enum.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    loaded = load_directory(tmp_path, root=tmp_path.parent)
    assert [v.id for v in loaded.venues] == ["demo"]
    assert [item.venue_id for item in loaded.broken] == ["bad-enum"]
    assert [p.format() for p in loaded.problems] == [
        f"{tmp_path.name}/bad-enum.yaml:66: use_cases[1].kind: expected one of 'trading', 'read_only', "
        "got 'readonly' — did you mean 'read_only'?"
    ]
    with pytest.raises(VenueDataError):
        loaded.require()


def test_an_empty_folder_is_one_problem_named_relative_to_the_root(tmp_path: Path) -> None:
    (tmp_path / "venues").mkdir()
    loaded = load_directory(tmp_path / "venues", root=tmp_path)
    assert loaded.items == ()
    assert [p.format() for p in loaded.problems] == [f"venues:1: {NO_VENUE_FILES}"]


def test_paths_mix_files_folders_and_missing_paths(tmp_path: Path) -> None:
    folder = tmp_path / "more"
    folder.mkdir()
    (folder / "demo.yaml").write_text(render_starter("demo"), encoding="utf-8")
    single = tmp_path / "solo.yaml"
    single.write_text(render_starter("solo"), encoding="utf-8")
    loaded = load_paths([single, folder, tmp_path / "nowhere"], root=tmp_path)
    assert [item.file for item in loaded.items] == ["solo.yaml", "more/demo.yaml"]
    assert [v.id for v in loaded.venues] == ["solo", "demo"]
    assert [p.format() for p in loaded.problems] == ["nowhere:1: no such file or directory"]

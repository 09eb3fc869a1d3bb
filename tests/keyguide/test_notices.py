"""Dated notices: a banner at the top of the guide, a mark on the comparison page, a warning before their date,
and a failed build once the date has passed until a writer updates the guide and moves the notice to history."""

from __future__ import annotations

import datetime
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from keyguide.checks import check_venue, upcoming_notices
from keyguide.loader import load_venue_file

from sitekit import ROOT, copy_project

KRAKEN_FUTURES = ROOT / "venues" / "kraken-futures.yaml"
NOTICE = "derivatives-api-decommissioned"


def _notice_line() -> int:
    lines = KRAKEN_FUTURES.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line == "notices:")
    return next(i for i in range(start, len(lines)) if lines[i].strip() == "effective: 2027-03-01") + 1


def _run(args: list[str], cwd: Path, today: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "KEYGUIDE_TODAY": today}
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, check=False)


def test_the_build_fails_once_a_notice_has_taken_effect(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    before = _run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(tmp_path / "a")], project, "2027-02-28"
    )
    assert before.returncode == 0, before.stderr
    after = _run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(tmp_path / "b")], project, "2027-03-01"
    )
    assert after.returncode != 0
    line = (
        f"venues/kraken-futures.yaml:{_notice_line()}: notices[0].effective: notice '{NOTICE}' took effect on "
        "2027-03-01 — update the guide for this change, then move the notice to notice_history"
    )
    assert line in after.stdout + after.stderr
    assert "Traceback" not in after.stderr


def test_keyguide_check_warns_before_the_date_and_fails_after(tmp_path: Path) -> None:
    warned = _run([sys.executable, "-m", "keyguide.cli", "check", "venues"], ROOT, "2027-02-15")
    assert warned.returncode == 0, warned.stdout
    assert (
        f"venues/kraken-futures.yaml:{_notice_line()}: notices[0].effective: warning: notice '{NOTICE}' takes "
        "effect in 14 days (2027-03-01) — prepare the guide for it"
    ) in warned.stdout
    quiet = _run([sys.executable, "-m", "keyguide.cli", "check", "venues"], ROOT, "2026-12-02")
    assert quiet.returncode == 0 and "warning" not in quiet.stdout
    failed = _run([sys.executable, "-m", "keyguide.cli", "check", "venues"], ROOT, "2027-03-02")
    assert failed.returncode == 1 and f"notice '{NOTICE}' took effect" in failed.stdout


def test_history_holds_only_what_has_taken_effect() -> None:
    venue = load_venue_file(KRAKEN_FUTURES).venue
    assert venue is not None and venue.notices and venue.notice_history
    moved = venue.model_copy(update={"notice_history": [*venue.notice_history, *venue.notices], "notices": []})
    early = check_venue(moved, "kraken-futures", today=datetime.date(2026, 12, 1))
    assert (("notice_history", len(venue.notice_history), "effective")) in [path for path, _ in early]
    assert check_venue(moved, "kraken-futures", today=datetime.date(2027, 3, 1)) == []
    assert list(upcoming_notices(venue, 30, datetime.date(2026, 12, 1))) == []


def test_the_guide_opens_with_the_notice_and_the_comparison_marks_it(built_site: Path) -> None:
    guide = (built_site / "venues" / "kraken-futures" / "index.html").read_text(encoding="utf-8")
    body = guide.split('<h1 id="kraken-futures-api-key">', 1)[1]
    first_section = body.index('id="quick-facts"')
    banner = body.index(f'id="{NOTICE}"')
    assert banner < first_section
    assert re.search(r'class="admonition warning".*?Deprecation on 1 March 2027', body[banner:], re.DOTALL)
    comparison = (built_site / "comparison" / "index.html").read_text(encoding="utf-8")
    assert f'href="../venues/kraken-futures/#{NOTICE}"' in comparison
    # A notice that has moved to history keeps its anchor, under Sources.
    history = next(n for n in ("demo-environment-retired", "authent-url-encoded-query") if f'id="{n}"' in guide)
    assert guide.index(f'id="{history}"') > guide.index('id="sources"')


@pytest.mark.parametrize("venue_file", sorted((ROOT / "venues").glob("*.yaml")), ids=lambda p: p.stem)
def test_every_source_has_the_date_it_was_read(venue_file: Path) -> None:
    venue = load_venue_file(venue_file).venue
    assert venue is not None
    assert all(source.read_on <= datetime.date.today() for source in venue.sources)

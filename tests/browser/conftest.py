"""Debian Chromium, driven by Playwright, against the real built site served on 127.0.0.1.

No `playwright install`: the browser is /usr/bin/chromium (see kgbrowser.py for the flags).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

from kgbrowser import CHROMIUM, CHROMIUM_ARGS, Probe, open_checker, probe_server, serve


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def site_dir(request: pytest.FixtureRequest) -> Path:
    """The built site: `mkdocs build --strict` of this repository (tests/conftest.py), or a prebuilt one."""
    prebuilt = os.environ.get("KEYGUIDE_TEST_SITE")
    if prebuilt:
        return Path(prebuilt)
    site: Path = request.getfixturevalue("built_site")
    return site


@pytest.fixture(scope="session")
def site_url(site_dir: Path) -> Iterator[str]:
    with serve(site_dir) as url:
        yield url


@pytest.fixture(scope="session")
def probe() -> Iterator[Probe]:
    with probe_server() as server:
        yield server


@pytest.fixture
def checker(page: Page, site_url: str) -> Any:
    """`checker(path, venue)`: the ready checker form of `venue` on `path` (see open_checker)."""
    return lambda path, venue="kraken-spot": open_checker(page, site_url + path, venue)


@pytest.fixture(scope="session")
def pages(site_dir: Path) -> list[str]:
    """Site-relative URL of every HTML page (directory URLs, as the site links them)."""
    urls = []
    for path in sorted(site_dir.rglob("*.html")):
        rel = path.relative_to(site_dir).as_posix()
        urls.append("/" + (rel[: -len("index.html")] if rel.endswith("index.html") else rel))
    return urls

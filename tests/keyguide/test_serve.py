"""`mkdocs serve` for writers: a broken venue file shows its errors on the page and the server stays up."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from sitekit import copy_project

BROKEN_LINE = (
    "venues/kraken-spot.yaml:{line}: permissions[0].state: expected one of 'required', 'optional', 'never', "
    "got 'requried' — did you mean 'required'?"
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return str(response.read().decode("utf-8"))
    except OSError:  # not up yet, rebuilding, or timed out: poll again
        return ""


def _wait_for(url: str, predicate: object, seconds: float = 30) -> str:
    deadline = time.monotonic() + seconds
    page = ""
    while time.monotonic() < deadline:
        page = _get(url)
        if callable(predicate) and predicate(page):
            return page
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting on {url}; last page had {len(page)} characters")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    project = copy_project(tmp_path)
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "serve", "--dev-addr", f"127.0.0.1:{port}"],
        cwd=project,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    try:
        yield project, f"http://127.0.0.1:{port}/venues/kraken-spot/"
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=10)
        print(output)  # shown by pytest when the test fails


def test_broken_venue_shows_errors_and_server_survives(server: tuple[Path, str]) -> None:
    project, url = server
    _wait_for(url, lambda page: "EAPI:Invalid nonce" in page)
    venue = project / "venues" / "kraken-spot.yaml"
    original = venue.read_text(encoding="utf-8")
    lines = original.splitlines(keepends=True)
    index = next(i for i, line in enumerate(lines) if line.strip() == "state: required")
    lines[index] = lines[index].replace("required", "requried")
    venue.write_text("".join(lines), encoding="utf-8")

    expected = BROKEN_LINE.format(line=index + 1)
    page = _wait_for(url, lambda page: "Venue data has problems" in page)
    assert expected.replace("'", "&#x27;") in page or expected.replace("'", "&#39;") in page or expected in page

    venue.write_text(original, encoding="utf-8")
    _wait_for(url, lambda page: "Venue data has problems" not in page and "EAPI:Invalid nonce" in page)

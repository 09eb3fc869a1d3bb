"""`mkdocs serve` for writers: a broken venue file shows its errors on the page and the server stays up."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from keyguide.browser.policy import DEV_BANNER_CLASS

from sitekit import copy_project

# A misspelt field name: a problem whatever the venue model's vocabulary is at the time.
BROKEN_LINE = "venues/kraken-spot.yaml:{line}: permissions[0].lable: unknown field 'lable' — did you mean 'label'?"


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


class Served:
    """A running `mkdocs serve` of a project copy, its output read as it comes; `stop()` returns all of it."""

    def __init__(self, project: Path) -> None:
        self.project = project
        port = _free_port()
        self.url = f"http://127.0.0.1:{port}/venues/kraken-spot/"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "mkdocs", "serve", "--dev-addr", f"127.0.0.1:{port}"],
            cwd=project,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        )
        self.lines: list[str] = []
        # A thread drains the pipe, so the server never blocks on a full pipe and tests can wait for a line.
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    def wait_for_line(self, text: str, seconds: float = 30) -> None:
        deadline = time.monotonic() + seconds
        while not any(text in line for line in list(self.lines)):
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for a line with {text!r} in the server's output")
            time.sleep(0.1)

    def stop(self) -> str:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.reader.join(timeout=10)
        return "\n".join(self.lines)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Served]:
    served = Served(copy_project(tmp_path))
    try:
        yield served
    finally:
        print(served.stop())  # shown by pytest when the test fails


def test_broken_venue_shows_errors_and_server_survives(server: Served) -> None:
    url = server.url
    _wait_for(url, lambda page: "EAPI:Invalid nonce" in page)
    venue = server.project / "venues" / "kraken-spot.yaml"
    original = venue.read_text(encoding="utf-8")
    lines = original.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.startswith("permissions:"))
    index = next(i for i, line in enumerate(lines) if i > start and line.strip().startswith("label:"))
    lines[index] = lines[index].replace("label:", "lable:")
    venue.write_text("".join(lines), encoding="utf-8")

    expected = BROKEN_LINE.format(line=index + 1)
    page = _wait_for(url, lambda page: "Venue data has problems" in page)
    assert expected.replace("'", "&#x27;") in page or expected.replace("'", "&#39;") in page or expected in page

    venue.write_text(original, encoding="utf-8")
    _wait_for(url, lambda page: "Venue data has problems" not in page and "EAPI:Invalid nonce" in page)

    # The writer's line, and nothing about the broken venue's anchors: they are not lost, only not built.
    output = server.stop()
    assert expected in output
    assert [line for line in output.splitlines() if "is gone" in line] == []


def test_other_venues_still_report_lost_anchors_while_one_is_broken(server: Served) -> None:
    """Only the broken venue's anchors are spared: an anchor a valid venue drops is still reported under serve."""
    venues = server.project / "venues"
    for name, old, new in [
        ("kraken-spot", "    label: Query\n", "    lable: Query\n"),  # broken: its anchors are not built
        ("binance", "- id: which-key-type", "- id: key-type"),  # valid: its old anchor is lost
    ]:
        path = venues / f"{name}.yaml"
        path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")

    _wait_for(server.url, lambda page: "Venue data has problems" in page)
    server.wait_for_line("/venues/binance/#which-key-type is gone")
    server.wait_for_line("new anchor(s) not in anchors.txt")  # logged after every lost anchor of that build
    gone = [line for line in server.stop().splitlines() if "is gone" in line]
    assert gone and all("/venues/binance/#which-key-type" in line for line in gone)


def test_served_pages_say_they_are_a_development_server_and_let_live_reload_run(server: Served) -> None:
    """Under serve: no hashes, 'unsafe-inline' for MkDocs' per-request live-reload script, and a banner."""
    page = _wait_for(server.url, lambda page: "EAPI:Invalid nonce" in page)
    policy_text = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', page)
    assert policy_text is not None
    directives = {part.split()[0]: set(part.split()[1:]) for part in policy_text.group(1).split(";") if part.strip()}
    assert directives["script-src"] == {"'self'", "'wasm-unsafe-eval'", "'unsafe-inline'"}
    assert directives["connect-src"] == {"'self'"}  # the live-reload poll goes to the same server
    assert directives["default-src"] == {"'none'"} and directives["base-uri"] == {"'none'"}
    # MkDocs' live-reload script is inline, after the page's own, with an epoch and a request id in its text.
    assert re.search(r"<script>\s*var livereload = function\(epoch, requestId\)", page)
    body = re.search(r"<body\b[^>]*>(.{0,400})", page, re.DOTALL)
    assert body is not None
    assert body.group(1).startswith(f'<div class="{DEV_BANNER_CLASS}" role="note"')
    assert "Development server" in body.group(1) and "protections differ" in body.group(1)

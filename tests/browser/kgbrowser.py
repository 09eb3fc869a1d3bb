"""Helpers shared by the browser tests and bench/browser.py: Chromium flags, the site server, the probes."""

from __future__ import annotations

import http.server
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.sync_api import Locator, Page, expect

CHROMIUM = "/usr/bin/chromium"
# The host-resolver rule makes every name but 127.0.0.1 unresolvable, so a stray request to another origin
# fails fast instead of leaving the machine, and the browser's own background lookups
# (accounts.google.com, update.googleapis.com) never happen.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
]
# Playwright itself adds --disable-back-forward-cache to every launch; the back/forward cache test launches
# without it (`ignore_default_args`), so the page's pageshow(persisted) branch really runs.
NO_BFCACHE_FLAG = "--disable-back-forward-cache"
ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# Generous for a cold start on a busy 2-core machine; the page's own timeout is 20 s.
READY_TIMEOUT_MS = 30_000


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def serve(directory: Path) -> Iterator[str]:
    """`python -m http.server` over `directory` on a free loopback port; stopped by its own handle."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(directory)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"http.server exited with {process.returncode}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"http.server did not listen on 127.0.0.1:{port}") from None
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


@dataclass
class Probe:
    """An HTTP server on another loopback port (another origin) that records every request it gets.

    Paths in `pages` are served as HTML and not recorded (e.g. a page that frames the site).
    """

    url: str
    hits: list[str] = field(default_factory=list)
    pages: dict[str, str] = field(default_factory=dict)


@contextmanager
def probe_server() -> Iterator[Probe]:
    """Start a `Probe` on a free loopback port."""
    hits: list[str] = []
    pages: dict[str, str] = {}

    class Recorder(http.server.BaseHTTPRequestHandler):
        def _record(self) -> None:
            if self.command == "GET" and self.path in pages:
                body = pages[self.path].encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            hits.append(f"{self.command} {self.path}")
            self.send_response(204)
            self.send_header("Access-Control-Allow-Origin", "*")
            self.end_headers()

        do_GET = do_POST = do_PUT = do_OPTIONS = _record

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Probe(url=f"http://127.0.0.1:{server.server_address[1]}", hits=hits, pages=pages)
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class UdpProbe:
    """A UDP socket on a free loopback port that counts the datagrams it gets (a STUN server, for WebRTC)."""

    port: int
    packets: list[bytes] = field(default_factory=list)


@contextmanager
def udp_probe() -> Iterator[UdpProbe]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(0.1)
    probe = UdpProbe(port=sock.getsockname()[1])
    stop = threading.Event()

    def listen() -> None:
        while not stop.is_set():
            try:
                probe.packets.append(sock.recvfrom(4096)[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=listen, daemon=True)
    thread.start()
    try:
        yield probe
    finally:
        stop.set()
        thread.join(timeout=2)
        sock.close()


# Installed with `add_init_script`, so it runs in every document before any of the page's own scripts:
# every Content-Security-Policy violation of the whole visit, not only those after `load`.
VIOLATION_RECORDER = """
window.__kgViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
    window.__kgViolations.push({directive: event.effectiveDirective, blocked: event.blockedURI});
});
"""


# Likewise, every navigation the page starts (Navigation API), kept to read whether it was cancelled.
NAVIGATION_RECORDER = """
window.__kgNavigations = [];
if (window.navigation) navigation.addEventListener("navigate", (event) => window.__kgNavigations.push(event));
"""


def navigations(page: Page) -> list[dict[str, Any]]:
    """Each navigation NAVIGATION_RECORDER saw: its destination and whether something cancelled it."""
    found: list[dict[str, Any]] = page.evaluate(
        "window.__kgNavigations.map((e) => ({url: e.destination.url, cancelled: e.defaultPrevented}))"
    )
    return found


def violations(page: Page) -> list[dict[str, str]]:
    """The violations VIOLATION_RECORDER saw in the page's current document."""
    found: list[dict[str, str]] = page.evaluate("window.__kgViolations")
    return found


def open_checker(page: Page, url: str, venue: str = "kraken-spot") -> Locator:
    """Open `url`, point at the `venue` checker and click into it, as a reader does, and wait until it is
    ready; returns the form locator. (Pointing at the form is what loads its script: content/assets/keyguide/
    loader.js; until then its fields are disabled.)"""
    page.goto(url)
    form = page.locator(f'form.kg-form[data-kg-venue="{venue}"]')
    assert form.count() == 1, f"{url}: no checker form for {venue} (macros/checker.j2 renders it)"
    form.locator("[data-kg-credential]").first.hover()
    form.locator("[data-kg-credential]").first.click()
    expect(form.locator("[data-kg-status]")).to_contain_text("Ready", timeout=READY_TIMEOUT_MS)
    return form

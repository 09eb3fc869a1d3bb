"""In-browser figures (Playwright with Debian's Chromium, the flags of tests/browser/kgbrowser.py).

- checker focus → ready: from focusing the checker to "Ready" (Pyodide loaded, wheel unpacked, self-test
  run), cold (fresh browser context, empty cache) and warm (the same page again in that context), next to a
  bare `loadPyodide()` page on the same server in the same run (from navigation to a first `runPython`).
  Measured twice: focus right after the page loads (nothing of the checker loaded before), and focus after
  the form was scrolled into view and read for a second (what the page may load on that intent has loaded);
- paste → findings: from an input event to the findings on screen (includes the page's debounce);
- what a page transfers before the checker is used (at network idle after load, and after scrolling to the
  end, so a section that loads when it comes into view counts), as the server
  sends it (compressed, from bench/serve.py): bytes, requests, WebAssembly bytes, the HTML, DOM nodes and
  the search index, next to the plain twin of the same page;
- checker focus → ready, cold, on an emulated network (NETWORK, through the DevTools protocol, HTTP cache
  disabled), next to the bare page on the same network, with the bytes each receives on the way: on
  localhost a download is free, for a reader it is not, and the memory snapshot is a larger download.

Timings on a shared machine are rough sizes: compare figures of one run, not runs.
"""

from __future__ import annotations

import math
import statistics
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.sites import ROOT

sys.path.insert(0, str(ROOT / "tests" / "browser"))

from playwright.sync_api import Browser, CDPSession, Page, sync_playwright  # noqa: E402

from kgbrowser import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

GUIDE = "/venues/kraken-spot/"
SECRET = "kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg==\u200b"
BARE_DIR = "bench-bare"
READY_TIMEOUT_MS = 60_000
READING_MS = 1000
SETTLE_MS = 500  # after ready, for the last loadingFinished events of requests made before it

# Measured inside the page (performance.now), so Playwright's polling adds nothing. Focus goes to the first
# control that takes it (a disabled field does not), as a reader's click or Tab would.
FOCUS_TO_READY = """() => new Promise((resolve) => {
    const form = document.querySelector("form.kg-form");
    if (!form) { resolve([0, "no form.kg-form on the page"]); return; }
    const status = form.querySelector("[data-kg-status]");
    const done = () => status.textContent.startsWith("Ready") || status.classList.contains("kg-error");
    const observer = new MutationObserver(() => {
        if (done()) { observer.disconnect(); resolve([performance.now() - start, status.textContent]); }
    });
    observer.observe(form, { childList: true, characterData: true, subtree: true, attributes: true });
    const controls = "input:not([disabled]), select:not([disabled]), textarea:not([disabled]), button:not([disabled])";
    const target = form.querySelector(controls);
    const start = performance.now();
    if (target) target.focus();
    form.dispatchEvent(new FocusEvent("focusin", { bubbles: true }));
})"""
PASTE_TO_FINDINGS = """(secret) => new Promise((resolve) => {
    const form = document.querySelector("form.kg-form");
    const box = form.querySelector("[data-kg-findings]");
    const input = form.querySelector('[name="api_secret"]');
    box.textContent = "";
    const observer = new MutationObserver(() => {
        if (box.textContent) { observer.disconnect(); resolve(performance.now() - start); }
    });
    observer.observe(box, { childList: true, subtree: true });
    const start = performance.now();
    input.value = secret;
    input.dispatchEvent(new Event("input", { bubbles: true }));
})"""
BARE_HTML = (
    '<!doctype html><html lang="en"><meta charset="utf-8"><title>bare loadPyodide</title>'
    '<script type="module" src="bare.js"></script>'
)
BARE_JS = """
const start = performance.now();
const { loadPyodide } = await import("../assets/pyodide/pyodide.mjs");
const pyodide = await loadPyodide({ indexURL: new URL("../assets/pyodide/", import.meta.url).href });
pyodide.runPython("1 + 1");
window.__bare = performance.now() - start;
"""
WAIT_BARE = """() => new Promise((resolve) => {
    const poll = () => (window.__bare !== undefined ? resolve(window.__bare) : setTimeout(poll, 10));
    poll();
})"""


@dataclass(frozen=True)
class NetworkProfile:
    """A network to emulate with `Network.emulateNetworkConditions`, in the units of the profile's source."""

    name: str
    source: str
    download_kbps: float  # Lighthouse's Kbps: 1,024 bits per second
    upload_kbps: float
    latency_ms: float  # DevTools adds it once per request (no handshakes are emulated)

    def conditions(self) -> dict[str, float | bool]:
        """The DevTools protocol's parameters: throughput in bytes per second, converted as Lighthouse does."""
        return {
            "offline": False,
            "latency": self.latency_ms,
            "downloadThroughput": math.floor(self.download_kbps * 1024 / 8),
            "uploadThroughput": math.floor(self.upload_kbps * 1024 / 8),
        }

    @property
    def label(self) -> str:
        return f"{self.name} ({self.download_kbps / 1024:g} Mbit/s, {self.latency_ms:g} ms)"


# Lighthouse's desktop preset (node_modules/lighthouse/core/config/desktop-config.js: desktopDense4G, "Dense
# 4G 25th percentile", in @paulirish/trace_engine/models/trace/lantern/simulation/Constants.js of the pinned
# Lighthouse 12.8.2): rttMs 40, throughputKbps 10 * 1024. It names no upload figure: the same as download
# (a page's requests are small). Lighthouse's own mobile preset (1.6 Mbit/s, 150 ms RTT) would take over a
# minute per cold start; a slower network only widens the gap between a larger and a smaller download.
NETWORK = NetworkProfile("Lighthouse desktop dense 4G", "Lighthouse 12.8.2 desktopDense4G", 10 * 1024, 10 * 1024, 40)


@dataclass(frozen=True)
class PageWeight:
    """What a page transfers before anyone uses the checker."""

    bytes: int  # response headers + bodies as sent (compressed when the server compresses), after scrolling
    requests: int
    bytes_at_load: int  # the same, at network idle after load, before any scrolling
    requests_at_load: int
    wasm_bytes: int
    html_bytes: int  # the page itself, as sent
    html_raw: int  # the page itself, uncompressed
    dom_nodes: int
    search_index_bytes: int  # search/search_index.json as sent (fetched by the search worker)
    hosts: tuple[str, ...]


@dataclass(frozen=True)
class BrowserFigures:
    chromium: str
    runs: int
    checker_cold: list[float]  # ms
    checker_warm: list[float]
    bare_cold: list[float]
    bare_warm: list[float]
    paste: list[float]
    guide: PageWeight
    plain_guide: PageWeight
    # Focus → ready after the form was scrolled into view and read for READING_MS.
    intent_cold: list[float] = field(default_factory=list)
    intent_warm: list[float] = field(default_factory=list)
    # Cold focus → ready on `network` (bare: navigation → ready), and the bytes received on the way.
    network: NetworkProfile | None = None
    network_cold: list[float] = field(default_factory=list)
    network_bare_cold: list[float] = field(default_factory=list)
    network_bytes: list[int] = field(default_factory=list)
    network_bare_bytes: list[int] = field(default_factory=list)


class Received:
    """The requests a page makes, in order, and the bytes DevTools counts for each (headers and body as sent)."""

    def __init__(self, cdp: CDPSession) -> None:
        self.started: list[str] = []
        self.bytes: dict[str, int] = {}
        cdp.on("Network.requestWillBeSent", lambda event: self.started.append(event["requestId"]))
        cdp.on("Network.loadingFinished", self._finished)

    def _finished(self, event: dict[str, Any]) -> None:
        self.bytes[event["requestId"]] = int(event["encodedDataLength"])

    def between(self, first: int, end: int) -> int:
        return bytes_of(self.started[first:end], self.bytes)


def bytes_of(requests: list[str], received: dict[str, int]) -> int:
    """Bytes received for these requests (a redirect repeats an id: counted once; a failed one adds nothing)."""
    return sum(received.get(request, 0) for request in dict.fromkeys(requests))


def add_bare_page(site: Path) -> None:
    """A page beside the site that only loads the site's own Pyodide: the reference the checker start is held to."""
    bare = site / BARE_DIR
    bare.mkdir(exist_ok=True)
    (bare / "index.html").write_text(BARE_HTML, encoding="utf-8")
    (bare / "bare.js").write_text(BARE_JS, encoding="utf-8")


def page_weight(browser: Browser, url: str) -> PageWeight:
    context = browser.new_context()
    page = context.new_page()
    finished: list[Any] = []
    context.on("requestfinished", lambda request: finished.append(request))
    page.goto(url, wait_until="networkidle")
    at_load = list(finished)
    page.mouse.wheel(0, 50_000)  # sections that load on sight (a lazy checker loader) are counted too
    page.wait_for_timeout(1000)
    page.wait_for_load_state("networkidle")
    dom_nodes = int(page.evaluate("document.getElementsByTagName('*').length"))
    html_raw = len(page.content().encode("utf-8"))
    total = wasm = html = index = 0
    hosts = set()
    for request in finished:
        sizes = request.sizes()
        sent = sizes["responseBodySize"] + sizes["responseHeadersSize"]
        total += sent
        response = request.response()
        kind = (response.headers.get("content-type", "") if response else "").lower()
        if request.url.split("?")[0].endswith(".wasm") or "wasm" in kind:
            wasm += sent
        if request.url == url:
            html = sent
        if request.url.split("?")[0].endswith("search/search_index.json"):
            index = sent
        if request.url.startswith("http"):
            hosts.add(request.url.split("/")[2])
    loaded = sum(r.sizes()["responseBodySize"] + r.sizes()["responseHeadersSize"] for r in at_load)
    context.close()
    return PageWeight(
        total, len(finished), loaded, len(at_load), wasm, html, html_raw, dom_nodes, index, tuple(sorted(hosts))
    )


def focus_to_ready(page: Page, url: str) -> float:
    page.goto(url)
    return _focus_and_wait(page)


def read_then_focus_to_ready(page: Page, url: str) -> float:
    """Focus → ready once the reader has scrolled to the form and read it for READING_MS."""
    page.goto(url)
    page.locator("form.kg-form").first.scroll_into_view_if_needed()
    page.wait_for_timeout(READING_MS)
    return _focus_and_wait(page)


def _focus_and_wait(page: Page) -> float:
    elapsed, status = page.evaluate(FOCUS_TO_READY)
    if not status.startswith("Ready"):
        raise RuntimeError(f"the checker did not start: {status}")
    return float(elapsed)


def bare_ready(page: Page, url: str) -> float:
    page.goto(url)
    return float(page.evaluate(WAIT_BARE))


def cold_and_warm(browser: Browser, measure: Any, url: str, runs: int) -> tuple[list[float], list[float]]:
    cold, warm = [], []
    for _ in range(runs):
        context = browser.new_context()
        context.set_default_timeout(READY_TIMEOUT_MS)
        page = context.new_page()
        cold.append(measure(page, url))
        warm.append(measure(page, url))  # same context: HTTP cache warm, Python starts afresh
        context.close()
    return cold, warm


def on_network(browser: Browser, profile: NetworkProfile, url: str, bare: bool) -> tuple[float, int]:
    """Cold start on `profile` (fresh context, HTTP cache disabled): ms to ready, and bytes received on the way
    (ours: requests made from focus to ready; bare: from navigation to ready)."""
    context = browser.new_context()
    context.set_default_timeout(READY_TIMEOUT_MS)
    try:
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        received = Received(cdp)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        cdp.send("Network.emulateNetworkConditions", profile.conditions())
        if bare:
            first, elapsed = 0, bare_ready(page, url)
        else:
            page.goto(url)
            first = len(received.started)
            elapsed = _focus_and_wait(page)
        end = len(received.started)
        page.wait_for_timeout(SETTLE_MS)
        return elapsed, received.between(first, end)
    finally:
        context.close()


def measure(site_url: str, plain_url: str, runs: int) -> BrowserFigures:
    """Figures for the site served at `site_url` (built with `add_bare_page`) and its plain twin at `plain_url`."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            guide = page_weight(browser, site_url + GUIDE)
            plain_guide = page_weight(browser, plain_url + GUIDE)
            # Alternate ours and the bare page, so both meet the same load from the rest of the machine.
            checker_cold, checker_warm, bare_cold, bare_warm = [], [], [], []
            intent_cold, intent_warm = [], []
            network_cold, network_bare_cold, network_bytes, network_bare_bytes = [], [], [], []
            for _ in range(runs):
                cold, warm = cold_and_warm(browser, focus_to_ready, site_url + GUIDE, 1)
                checker_cold += cold
                checker_warm += warm
                cold, warm = cold_and_warm(browser, read_then_focus_to_ready, site_url + GUIDE, 1)
                intent_cold += cold
                intent_warm += warm
                cold, warm = cold_and_warm(browser, bare_ready, f"{site_url}/{BARE_DIR}/", 1)
                bare_cold += cold
                bare_warm += warm
                elapsed, size = on_network(browser, NETWORK, site_url + GUIDE, bare=False)
                network_cold.append(elapsed)
                network_bytes.append(size)
                elapsed, size = on_network(browser, NETWORK, f"{site_url}/{BARE_DIR}/", bare=True)
                network_bare_cold.append(elapsed)
                network_bare_bytes.append(size)
            context = browser.new_context()
            page = context.new_page()
            focus_to_ready(page, site_url + GUIDE)
            paste = [float(page.evaluate(PASTE_TO_FINDINGS, SECRET + str(i))) for i in range(5)]
            context.close()
            version = browser.version
        finally:
            browser.close()
    timings = (checker_cold, checker_warm, bare_cold, bare_warm, paste)
    on_net = (NETWORK, network_cold, network_bare_cold, network_bytes, network_bare_bytes)
    return BrowserFigures(version, runs, *timings, guide, plain_guide, intent_cold, intent_warm, *on_net)


def med(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")

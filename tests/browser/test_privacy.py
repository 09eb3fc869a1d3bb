"""Secrets never leave the page: no other origin, no storage, no console, and the policy holds for Python."""

from __future__ import annotations

import base64
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import BrowserContext, ConsoleMessage, Page, Request, expect

from kgbrowser import Probe, open_checker, serve

pytestmark = pytest.mark.browser

KRAKEN = "/venues/kraken-spot/"
# Well-formed for Kraken Spot (88 base64 characters that decode to 64 bytes; a 56-character key), so the
# checker takes every path a real key takes.
CANARY = base64.b64encode(b"keyguide-canary-secret:" + b"s" * 41).decode()
CANARY_KEY = base64.b64encode(b"keyguide-canary-key:" + b"k" * 22).decode()
# Runs of the values that must not appear anywhere either.
FRAGMENTS = (CANARY, CANARY[:16], CANARY[40:56], CANARY_KEY[8:24])


def test_canary_secret_reaches_no_request_storage_title_url_or_console(
    context: BrowserContext, page: Page, site_url: str
) -> None:
    assert len(CANARY) == 88 and len(CANARY_KEY) == 56
    requests: list[Request] = []
    console: list[str] = []
    context.on("request", lambda request: requests.append(request))
    page.on("console", lambda message: console.append(message.text))
    page.on("pageerror", lambda error: console.append(str(error)))

    form = open_checker(page, site_url + KRAKEN)
    form.locator('[name="api_key"]').fill(CANARY_KEY)
    form.locator('[name="api_secret"]').fill(CANARY)
    expect(form.locator("[data-kg-findings]")).not_to_be_empty()
    form.locator("summary", has_text="Sign a test request").click()
    form.locator('[data-kg-action="sign"]').click()
    expect(form.locator('[data-kg-out="signature"]')).not_to_be_empty()
    form.locator("summary", has_text="Compare with your bot").click()
    form.locator('[name="bot_signature"]').fill("AAAA")
    form.locator('[data-kg-action="compare"]').click()
    expect(form.locator('[data-kg-out="compare"]')).not_to_be_empty()
    form.locator("summary", has_text="Paste the error you got").click()
    form.locator('[name="error_text"]').fill("EAPI:Invalid signature")
    form.locator('[data-kg-action="match"]').click()
    expect(form.locator('[data-kg-out="matches"] li').first).to_be_visible()
    assert CANARY not in form.locator('[data-kg-out="curl"]').inner_text()

    stored = page.evaluate(
        """async () => ({
            local: JSON.stringify(Object.entries(localStorage)),
            session: JSON.stringify(Object.entries(sessionStorage)),
            idb: (await indexedDB.databases()).map((db) => db.name),
            caches: await caches.keys(),
            title: document.title,
            url: location.href,
            history: history.length,
        })"""
    )
    assert stored["idb"] == [] and stored["caches"] == []
    assert context.cookies() == []
    for probe in FRAGMENTS:
        assert probe not in stored["local"] and probe not in stored["session"]
        assert probe not in stored["title"] and probe not in stored["url"] and probe not in page.url
        assert not [text for text in console if probe in text], "a value reached the console"
        for request in requests:
            assert probe not in request.url
            body = request.post_data_buffer
            assert body is None or probe.encode() not in body
    assert {urlsplit(r.url).netloc for r in requests} == {urlsplit(site_url).netloc}
    assert console == [], f"the page printed to the console: {console[:3]}"

    # Leaving the page empties every field (pagehide), and coming back shows nothing either.
    page.evaluate("window.dispatchEvent(new PageTransitionEvent('pagehide', {persisted: false}))")
    for name in ("api_key", "api_secret", "bot_signature", "error_text"):
        assert form.locator(f'[name="{name}"]').input_value() == "", name
    expect(form.locator('[data-kg-out="signature"]')).to_be_empty()
    form.locator('[name="api_secret"]').fill(CANARY)
    page.goto(site_url + "/")
    page.go_back()
    assert page.locator('form.kg-form [name="api_secret"]').input_value() == ""


def test_python_in_the_checker_context_cannot_reach_another_origin(page: Page, site_url: str, probe: Probe) -> None:
    before = list(probe.hits)
    form = open_checker(page, site_url + KRAKEN + "?kg-test")
    expect(form.locator("[data-kg-status]")).to_contain_text("Ready")
    outcome = page.evaluate(
        """async (target) => {
            const violations = [];
            document.addEventListener("securitypolicyviolation", (e) => violations.push(e.effectiveDirective));
            const pyodide = window.__keyguideTestHook.pyodide();
            pyodide.globals.set("TARGET", target);
            const results = await pyodide.runPythonAsync(`
import asyncio, inspect, json
from js import fetch, XMLHttpRequest, navigator, WebSocket, EventSource, Image
from pyodide.http import pyfetch

results = {}

async def attempt(name, action):
    try:
        value = action()
        if inspect.isawaitable(value):
            await value
        results[name] = "sent"
    except Exception as error:
        results[name] = "refused: " + type(error).__name__

def xhr():
    request = XMLHttpRequest.new()
    request.open("POST", TARGET + "/xhr", False)
    request.send("secret")

await attempt("js.fetch", lambda: fetch(TARGET + "/fetch"))
await attempt("pyodide.http.pyfetch", lambda: pyfetch(TARGET + "/pyfetch", method="POST", body="secret"))
await attempt("XMLHttpRequest", xhr)
results["sendBeacon"] = "queued" if navigator.sendBeacon(TARGET + "/beacon", "secret") else "refused"
await attempt("WebSocket", lambda: WebSocket.new(TARGET.replace("http", "ws") + "/ws"))
await attempt("EventSource", lambda: EventSource.new(TARGET + "/events"))
image = Image.new()
image.src = TARGET + "/image.png"
await asyncio.sleep(1.0)
json.dumps(results)
`);
            return { results: JSON.parse(results), violations };
        }""",
        probe.url,
    )
    results = outcome["results"]
    assert results["js.fetch"].startswith("refused"), results
    assert results["pyodide.http.pyfetch"].startswith("refused"), results
    assert results["XMLHttpRequest"].startswith("refused"), results
    assert "connect-src" in outcome["violations"] and "img-src" in outcome["violations"]
    page.wait_for_timeout(500)
    assert probe.hits == before, f"the probe server was reached: {probe.hits[len(before) :]}"


def test_probe_is_reachable_without_the_policy(
    page: Page, site_url: str, site_dir: Path, probe: Probe, tmp_path: Path
) -> None:
    """The control for the test above: from a page without the policy, the same request arrives.

    So a silent probe means the policy refused the request, not that the probe was unreachable.
    """
    page.goto(site_url + KRAKEN)
    refused = page.evaluate("(t) => fetch(t + '/with-policy').then(() => 'sent', () => 'refused')", probe.url)
    html = (site_dir / "index.html").read_text(encoding="utf-8")
    start = html.index('<meta http-equiv="Content-Security-Policy"')
    (tmp_path / "index.html").write_text(html[:start] + html[html.index(">", start) + 1 :], encoding="utf-8")
    with serve(tmp_path) as unprotected:
        page.goto(unprotected + "/")
        sent = page.evaluate("(t) => fetch(t + '/without-policy').then(() => 'sent', () => 'refused')", probe.url)
    assert (refused, sent) == ("refused", "sent")
    assert "GET /without-policy" in probe.hits and "GET /with-policy" not in probe.hits


def test_test_hook_exists_only_when_asked_for(page: Page, site_url: str) -> None:
    page.goto(site_url + KRAKEN)
    assert page.evaluate("typeof window.__keyguideTestHook") == "undefined"


def test_crawl_requests_only_the_site_itself_and_breaks_no_policy(
    context: BrowserContext, page: Page, site_url: str, pages: list[str]
) -> None:
    """Every page, and the checker started on every page that has one: one origin, no CSP violation."""
    requests: list[str] = []
    problems: list[str] = []
    context.on("request", lambda request: requests.append(request.url))

    def on_console(message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            problems.append(f"{page.url}: {message.text[:200]}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"{page.url}: {error}"))
    assert len(pages) > 5, pages
    with_checker = 0
    for path in pages:
        response = page.goto(site_url + path, wait_until="load")
        assert response is not None
        assert response.status == 200, path
        violations = page.evaluate(
            """() => new Promise((resolve) => {
                const seen = [];
                document.addEventListener("securitypolicyviolation", (e) => seen.push(e.effectiveDirective));
                setTimeout(() => resolve(seen), 150);
            })"""
        )
        assert violations == [], f"{path}: {violations}"
        forms = page.locator("form.kg-form:visible")
        if forms.count():
            with_checker += 1
            forms.first.locator("[data-kg-credential]").first.click()
            expect(forms.first.locator("[data-kg-status]")).to_contain_text("Ready", timeout=30_000)
    assert with_checker >= 3, "the crawl should start the checker on the guides and the checker page"
    hosts = {urlsplit(url).netloc for url in requests if not url.startswith("data:")}
    assert hosts == {urlsplit(site_url).netloc}, hosts
    assert problems == [], problems[:5]


def test_every_page_has_the_policy_first_in_head(site_dir: Path) -> None:
    for path in sorted(site_dir.rglob("*.html")):
        html = path.read_text(encoding="utf-8")
        head = html[html.index("<head>") : html.index("</head>")]
        charset = head.index("<meta charset")
        policy = head.index('<meta http-equiv="Content-Security-Policy"')
        assert policy == head.index(">", charset) + 1, f"{path}: the policy must follow <meta charset>"
        content = head[policy:].split('content="', 1)[1].split('"', 1)[0]
        directives = {d.split()[0]: d.split()[1:] for d in content.split("; ")}
        assert directives["default-src"] == ["'none'"] and directives["connect-src"] == ["'self'"]
        assert "'unsafe-eval'" not in content and "'unsafe-inline'" not in directives["script-src"]
        assert '<meta name="referrer" content="no-referrer">' in head
    headers = (site_dir / "_headers").read_text(encoding="utf-8")
    assert "frame-ancestors 'none'" in headers and "X-Content-Type-Options: nosniff" in headers

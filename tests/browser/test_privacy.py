"""Secrets never leave the page: not to a request, the clipboard, storage, the URL, the title or the console,
whatever field they are pasted into; fields are emptied when the reader leaves; forms are never submitted.

The egress probe (every channel out of the checker's context) is in test_egress.py.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, BrowserType, Locator, Page, Request, expect

from kgbrowser import (
    NO_BFCACHE_FLAG,
    READY_TIMEOUT_MS,
    VIOLATION_RECORDER,
    open_checker,
    violations,
)

pytestmark = pytest.mark.browser

KRAKEN = "/venues/kraken-spot/"
BINANCE = "/venues/binance/"
CLIPBOARD = ["clipboard-read", "clipboard-write"]
# Well-formed for Kraken Spot (88 base64 characters that decode to 64 bytes; a 56-character key), so the
# checker takes every path a real key takes.
CANARY = base64.b64encode(b"keyguide-canary-secret:" + b"s" * 41).decode()
CANARY_KEY = base64.b64encode(b"keyguide-canary-key:" + b"k" * 22).decode()
# The secret, and runs of it that must not appear anywhere either.
FRAGMENTS = (CANARY, CANARY[24:40], CANARY[40:56], CANARY[-16:])
assert not [f for f in FRAGMENTS if f in CANARY_KEY], "a fragment of the secret must not be one of the key"

# page, venue, what is pasted into which field. The canary secret is in the wrong place in all but the last.
SCENARIOS = {
    "swapped": (KRAKEN, "kraken-spot", {"api_key": CANARY, "api_secret": CANARY_KEY}),
    "duplicated": (KRAKEN, "kraken-spot", {"api_key": CANARY, "api_secret": CANARY}),
    "wrong-venue": (BINANCE, "binance", {"api_key": CANARY_KEY, "api_secret": CANARY}),
    "as-intended": (KRAKEN, "kraken-spot", {"api_key": CANARY_KEY, "api_secret": CANARY}),
}
ERROR_TEXT = {"kraken-spot": "EAPI:Invalid signature", "binance": '{"code":-1022,"msg":"Signature invalid"}'}


@dataclass
class Recorder:
    """Everything that leaves the page's DOM: requests of the whole context, console lines, page errors."""

    requests: list[Request] = field(default_factory=list)
    console: list[str] = field(default_factory=list)


@pytest.fixture
def recorder(context: BrowserContext, page: Page) -> Recorder:
    record = Recorder()
    context.on("request", lambda request: record.requests.append(request))
    page.on("console", lambda message: record.console.append(message.text))
    page.on("pageerror", lambda error: record.console.append(str(error)))
    return record


def click_copy_buttons(page: Page, scope: Locator) -> list[str]:
    """Click every visible copy button in `scope`; what each put on the clipboard."""
    copied = []
    selector = ", ".join(
        f"button[{kind}]:visible"
        for kind in ('data-md-type="copy"', 'data-kg-action="copy-reply"', "data-kg-copy-link")
    )
    for button in scope.locator(selector).all():
        page.evaluate("navigator.clipboard.writeText('(nothing copied)')")
        button.scroll_into_view_if_needed()
        button.hover()
        button.click()
        page.wait_for_timeout(50)
        copied.append(page.evaluate("navigator.clipboard.readText()"))
    return copied


def find_leaks(page: Page, context: BrowserContext, form: Locator, record: Recorder, pasted_in: set[str]) -> list[str]:
    """Every place outside the fields it was pasted into where a fragment of the canary secret shows up."""
    state: dict[str, Any] = page.evaluate(
        """async () => ({
            text: document.body.innerText,
            html: document.documentElement.outerHTML,
            fields: Array.from(document.querySelectorAll("input, textarea, select"))
                .map((e) => [e.closest("form.kg-form") ? e.name : "#" + (e.id || e.name), e.value]),
            local: JSON.stringify(Object.entries(localStorage)),
            session: JSON.stringify(Object.entries(sessionStorage)),
            idb: (await indexedDB.databases()).map((db) => db.name),
            caches: await caches.keys(),
            title: document.title,
            url: location.href,
        })"""
    )
    places: dict[str, str] = {
        "page text": state["text"],
        "page HTML": state["html"],
        "localStorage": state["local"],
        "sessionStorage": state["session"],
        "title": state["title"],
        "URL": state["url"] + " " + page.url,
        "cookies": str(context.cookies()),
        "console": "\n".join(record.console),
    }
    for name, value in state["fields"]:
        if name not in pasted_in:
            places[f"field {name}"] = value
    for index, text in enumerate(click_copy_buttons(page, form)):
        places[f"clipboard after copy button {index}"] = text
    for request in record.requests:
        body = request.post_data_buffer or b""
        places[f"request {request.method} {request.url}"] = request.url + body.decode("utf-8", "replace")
    leaks = [
        f"{where}: {fragment[:8]}…" for where, text in places.items() for fragment in FRAGMENTS if fragment in text
    ]
    if state["idb"] or state["caches"]:
        leaks.append(f"storage was created: IndexedDB {state['idb']}, Cache Storage {state['caches']}")
    return leaks


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_canary_secret_shows_up_nowhere_but_where_it_was_pasted(
    context: BrowserContext, page: Page, site_url: str, recorder: Recorder, scenario: str
) -> None:
    path, venue, pasted = SCENARIOS[scenario]
    context.grant_permissions(CLIPBOARD, origin=site_url)
    form = open_checker(page, site_url + path, venue)
    holding = {name for name, value in pasted.items() if value == CANARY}
    performed: list[str] = []

    def check(action: str, pasted_in: set[str]) -> None:
        performed.append(action)
        leaks = find_leaks(page, context, form, recorder, pasted_in)
        assert leaks == [], f"{scenario}, after {' → '.join(performed)}: {leaks}"

    def paste() -> None:
        for name, value in pasted.items():
            form.locator(f'[name="{name}"]').fill(value)
        expect(form.locator("[data-kg-findings]")).not_to_be_empty()
        check("paste", holding)

    def after_use() -> set[str]:
        # Sign and Compare empty the secret fields, and any field the checker declined a value of.
        return {name for name in holding if form.locator(f'[name="{name}"]').input_value() == CANARY}

    paste()
    form.locator("summary", has_text="Sign a test request").click()
    form.locator('[data-kg-action="sign"]').click()
    signed_or_declined = form.locator('[data-kg-out="signature"]:not(:empty), [data-kg-findings] p.kg-error')
    expect(signed_or_declined.first).to_be_visible()
    assert form.locator('[name="api_secret"]').input_value() == "", "Sign leaves the secret field filled"
    check("Sign", after_use())

    paste()
    form.locator("summary", has_text="Compare with your bot").click()
    form.locator('[name="bot_signature"]').fill("AAAA")
    form.locator('[data-kg-action="compare"]').click()
    expect(form.locator('[data-kg-out="compare"]')).not_to_be_empty()
    assert form.locator('[name="api_secret"]').input_value() == "", "Compare leaves the secret field filled"
    check("Compare", after_use())

    paste()
    form.locator("summary", has_text="Verify the key").click()
    form.locator('[data-kg-action="key-info"]').click()
    built_or_declined = form.locator('[data-kg-out="keyinfo_curl"]:not(:empty), [data-kg-findings] p.kg-error')
    expect(built_or_declined.first).to_be_visible()
    assert form.locator('[name="api_secret"]').input_value() == "", "the key check leaves the secret field filled"
    check("Build the key check", after_use())

    paste()
    form.locator("summary", has_text="Paste the error you got").click()
    form.locator('[name="error_text"]').fill(ERROR_TEXT[venue])
    form.locator('[data-kg-action="match"]').click()
    expect(form.locator('[data-kg-out="matches"] li').first).to_be_visible()
    check("Find the fix", after_use())

    form.locator('[data-kg-action="clear"]').click()
    for name in pasted:
        assert form.locator(f'[name="{name}"]').input_value() == "", name
    check("Clear", set())

    # Every copy button on the page, once: the copy-link buttons of the guide's headings too.
    copied = click_copy_buttons(page, page.locator("body"))
    assert len(copied) > 10 and not [text for text in copied for f in FRAGMENTS if f in text]
    assert {urlsplit(r.url).netloc for r in recorder.requests} == {urlsplit(site_url).netloc}
    assert recorder.console == [], f"the page printed to the console: {recorder.console[:3]}"


def test_leaving_the_page_empties_every_field(page: Page, site_url: str) -> None:
    form = open_checker(page, site_url + KRAKEN)
    form.locator('[name="api_key"]').fill(CANARY_KEY)
    form.locator('[name="api_secret"]').fill(CANARY)
    form.locator("summary", has_text="Sign a test request").click()
    form.locator("summary", has_text="Paste the error you got").click()
    form.locator('[name="error_text"]').fill("EAPI:Invalid nonce")
    page.evaluate("window.dispatchEvent(new PageTransitionEvent('pagehide', {persisted: false}))")
    for name in ("api_key", "api_secret", "error_text"):
        assert form.locator(f'[name="{name}"]').input_value() == "", name


@pytest.fixture
def bfcache_browser(browser_type: BrowserType, browser_type_launch_args: dict[str, Any]) -> Iterator[Browser]:
    """A Chromium whose back/forward cache is on (Playwright turns it off by default)."""
    browser = browser_type.launch(**browser_type_launch_args, ignore_default_args=[NO_BFCACHE_FLAG])
    yield browser
    browser.close()


def test_back_forward_cache_restores_the_page_with_empty_fields(bfcache_browser: Browser, site_url: str) -> None:
    """Paste, sign, paste again, leave by a link, come back with Back: the page comes from the cache
    (pageshow with persisted === true) and every field and result is empty.

    Chromium may drop a page from the cache for a passing reason ("Circumstantial": here, JavaScript that
    wanted to run while the page was cached, e.g. a garbage-collection callback of the Python runtime); the
    reader then gets a fresh page, empty too. Such a round is tried again, up to ATTEMPTS times; any other
    reason (something of the page itself that rules the cache out) fails at once.
    """
    attempts = 4
    context = bfcache_browser.new_context()
    context.add_init_script(
        "window.__kgPageshows = []; addEventListener('pageshow', (e) => window.__kgPageshows.push(e.persisted));"
    )
    page = context.new_page()
    # Chromium says why it did not keep a page.
    not_cached: list[list[dict[str, str]]] = []
    devtools = context.new_cdp_session(page)
    devtools.send("Page.enable")
    devtools.on("Page.backForwardCacheNotUsed", lambda event: not_cached.append(event["notRestoredExplanations"]))
    form = open_checker(page, site_url + KRAKEN)
    form.locator('[name="api_key"]').fill(CANARY_KEY)
    form.locator('[name="api_secret"]').fill(CANARY)
    form.locator("summary", has_text="Sign a test request").click()
    form.locator('[data-kg-action="sign"]').click()
    expect(form.locator('[data-kg-out="signature"]')).not_to_be_empty()
    for _attempt in range(attempts):
        dropped = len(not_cached)
        form.locator('[name="api_key"]').fill(CANARY_KEY)
        form.locator('[name="api_secret"]').fill(CANARY)  # Sign emptied it; the reader pastes again, then leaves
        # The theme's search worker answers once its index is built; an answer arriving while the page is
        # cached would drop it from the cache: wait for it.
        expect(page.locator(".md-search-result__meta")).not_to_have_text(
            re.compile("Initializing"), timeout=READY_TIMEOUT_MS
        )
        page.get_by_role("link", name="Key safety").first.click()
        expect(page).to_have_url(site_url + "/security/")
        page.go_back(wait_until="commit")  # a page restored from the cache fires pageshow, not load
        # Not wait_for_function: it evaluates a string, which the page's policy (no 'unsafe-eval') refuses.
        for _poll in range(50):
            if page.evaluate("window.__kgPageshows") == [False, True] or len(not_cached) > dropped:
                break
            page.wait_for_timeout(100)
        if page.evaluate("window.__kgPageshows") == [False, True]:
            break
        reasons = [reason for explanation in not_cached[dropped:] for reason in explanation]
        assert reasons and {r["type"] for r in reasons} == {"Circumstantial"}, f"not cacheable: {reasons}"
        form = open_checker(page, site_url + KRAKEN)  # a fresh page: start again
    assert page.evaluate("window.__kgPageshows") == [False, True], f"never restored from the cache: {not_cached}"
    form = page.locator('form.kg-form[data-kg-venue="kraken-spot"]')
    for name in ("api_key", "api_secret"):
        assert form.locator(f'[name="{name}"]').input_value() == "", name
    expect(form.locator('[data-kg-out="signature"]')).to_be_empty()
    expect(form.locator('[data-kg-out="curl"]')).to_be_empty()
    # The restored page still works: the same Python, ready.
    expect(form.locator("[data-kg-status]")).to_contain_text("Ready", timeout=READY_TIMEOUT_MS)
    context.close()


def test_nothing_submits_the_form_and_request_submit_breaks_form_action(
    context: BrowserContext, page: Page, site_url: str, recorder: Recorder
) -> None:
    """The form has no submit button: not its own, not the copy buttons the theme adds to its code blocks
    (a button without a type submits its form), so Enter and the copy buttons submit nothing. A script that
    calls requestSubmit() gets the policy's form-action refusal: no navigation, no request with a value."""
    context.add_init_script(VIOLATION_RECORDER)
    context.grant_permissions(CLIPBOARD, origin=site_url)
    navigated: list[str] = []
    form = open_checker(page, site_url + KRAKEN)
    page.on("framenavigated", lambda frame: navigated.append(frame.url))
    form.locator('[name="api_key"]').fill(CANARY_KEY)
    form.locator('[name="api_secret"]').fill(CANARY)
    form.locator("summary", has_text="Sign a test request").click()
    form.locator('[data-kg-action="sign"]').click()
    expect(form.locator('[data-kg-out="signature"]')).not_to_be_empty()
    assert form.locator("button:not([type='button'])").count() == 0, "a button in the form would submit it"
    assert len(click_copy_buttons(page, form)) >= 4
    form.locator('[name="api_secret"]').fill(CANARY)
    for box in form.locator("input:visible").all():
        box.press("Enter")
    page.wait_for_timeout(300)
    assert violations(page) == [] and navigated == [], (violations(page), navigated)

    submitted = form.evaluate("(f) => { f.requestSubmit(); return true; }")
    page.wait_for_timeout(500)
    assert submitted and navigated == [] and page.url == site_url + KRAKEN
    assert [v["directive"] for v in violations(page)] == ["form-action"], violations(page)
    assert not [r for r in recorder.requests if "api_" in r.url or CANARY in r.url]


def test_test_hook_exists_only_when_asked_for(page: Page, site_url: str) -> None:
    """In a test build (the browser tests' site) the hook needs ?kg-test; production builds lack it entirely
    (tests/keyguide/browser/test_build.py)."""
    page.goto(site_url + KRAKEN)
    assert page.evaluate("typeof window.__keyguideTestHook") == "undefined"
    page.goto(site_url + KRAKEN + "?kg-test")
    assert page.evaluate("typeof window.__keyguideTestHook") == "object"


def test_crawl_requests_only_the_site_itself_and_breaks_no_policy(
    context: BrowserContext, page: Page, site_url: str, pages: list[str]
) -> None:
    """Every page, and the checker started on every page that has one: one origin, no CSP violation.

    The violation recorder runs before any page script, for the whole visit of each page.
    """
    context.add_init_script(VIOLATION_RECORDER)
    requests: list[str] = []
    problems: list[str] = []
    context.on("request", lambda request: requests.append(request.url))

    def on_console(message: Any) -> None:
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
        forms = page.locator("form.kg-form:visible")
        if forms.count():
            with_checker += 1
            forms.first.locator("[data-kg-credential]").first.hover()  # its script loads on intent (loader.js)
            forms.first.locator("[data-kg-credential]").first.click()
            expect(forms.first.locator("[data-kg-status]")).to_contain_text("Ready", timeout=READY_TIMEOUT_MS)
        assert violations(page) == [], f"{path}: {violations(page)}"
    assert with_checker >= 3, "the crawl should start the checker on the guides and the checker page"
    hosts = {urlsplit(url).netloc for url in requests if not url.startswith("data:")}
    assert hosts == {urlsplit(site_url).netloc}, hosts
    assert problems == [], problems[:5]


def test_every_page_turns_dns_prefetching_off(page: Page, site_url: str, site_dir: Path) -> None:
    """Chromium looks up the names of links in advance unless told not to; a lookup is a request no policy
    sees. The built pages say so in <head>, and the page script says it again."""
    for path in sorted(site_dir.rglob("*.html")):
        head = path.read_text(encoding="utf-8").split("</head>", 1)[0]
        assert '<meta http-equiv="x-dns-prefetch-control" content="off">' in head, path
    page.goto(site_url + KRAKEN)
    values = page.evaluate(
        """() => Array.from(
            document.querySelectorAll('meta[http-equiv="x-dns-prefetch-control" i]'), (meta) => meta.content
        )"""
    )
    assert values == ["off", "off"], values


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

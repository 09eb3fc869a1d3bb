"""What support uses: "Copy link" after every step, pitfall and error heading, the error lookup on /errors/,
and a former anchor (an alias) that still lands on its entry."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from test_accessibility import axe_violations

from keyguide.anchors import VERIFY_STEP_ID
from keyguide.loader import load_directory
from keyguide.model import Venue

from kgbrowser import READY_TIMEOUT_MS, serve
from sitekit import build_site, copy_project

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
CLIPBOARD = ["clipboard-read", "clipboard-write"]
BINANCE_2015 = '{"code":-2015,"msg":"Invalid API-key, IP, or permissions for action, request ip: 203.0.113.9"}'
BINANCE_ANCHOR = "code-2015-rejected-mbx-key"


class _Events(HTMLParser):
    """Start and end tags of a page, in order, with their attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.events: list[tuple[str, str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.events.append(("start", tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        self.events.append(("end", tag, {}))


def copy_controls(html: str) -> dict[str, dict[str, str | None]]:
    """Heading id -> attributes of the copy-link button that directly follows the heading (not inside it)."""
    parser = _Events()
    parser.feed(html)
    events = parser.events
    found: dict[str, dict[str, str | None]] = {}
    for index, (kind, tag, attrs) in enumerate(events):
        if kind != "start" or not re.fullmatch(r"h[1-6]", tag) or not attrs.get("id"):
            continue
        end = next(i for i in range(index + 1, len(events)) if events[i][:2] == ("end", tag))
        assert not any(e[1] == "button" for e in events[index:end]), f"a button inside heading #{attrs['id']}"
        after = [e for e in events[end + 1 : end + 3] if e[0] == "start"]
        if len(after) == 2 and after[0][1] == "div" and "kg-copy-link" in (after[0][2].get("class") or ""):
            assert after[1][1] == "button", f"#{attrs['id']}: the copy-link block does not start with its button"
            found[str(attrs["id"])] = after[1][2]
    return found


def venues() -> list[Venue]:
    return load_directory(ROOT / "venues").require()


def allow_clipboard(context: BrowserContext, site_url: str) -> None:
    context.grant_permissions(CLIPBOARD, origin=site_url)


# Copy link ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("venue", venues(), ids=lambda v: v.id)
def test_every_step_pitfall_and_error_heading_has_a_copy_link(site_dir: Path, venue: Venue) -> None:
    html = (site_dir / "venues" / venue.id / "index.html").read_text(encoding="utf-8")
    controls = copy_controls(html)
    expected = {f"Step {n}: {s.title}": s.id for n, s in enumerate(venue.steps, 1)}
    # Every guide ends its steps with one of its own (macros/guide.j2).
    expected[f"Step {len(venue.steps) + 1}: Verify the key"] = VERIFY_STEP_ID
    expected |= {p.title: p.id for p in venue.pitfalls}
    expected |= {e.code: e.id for e in venue.errors}
    assert venue.steps and venue.errors, "a guide without steps or errors tests nothing here"
    for title, anchor in expected.items():
        assert anchor in controls, f"{venue.id}: no copy-link control after the heading #{anchor}"
        button = controls[anchor]
        assert button.get("type") == "button" and button.get("data-kg-copy-link") == anchor
        # The accessible name is the title as plain text: code and emphasis marks dropped.
        assert button.get("aria-label") == f"Copy link to {re.sub(r'[`*]', '', title)}"
    # Only those: not the FAQ, not the section headings.
    assert set(controls) == set(expected.values())


def test_copy_link_puts_the_anchor_url_on_the_clipboard(context: BrowserContext, page: Page, site_url: str) -> None:
    allow_clipboard(context, site_url)
    page.goto(site_url + "/venues/kraken-spot/?from=support")
    button = page.get_by_role("button", name="Copy link to EAPI:Invalid nonce")
    expect(button).to_be_visible()
    expect(button).to_have_text("Copy link")
    button.click()
    status = page.locator('.kg-copy-link:has([data-kg-copy-link="eapi-invalid-nonce"]) [role="status"]')
    expect(status).to_have_text("Copied")
    # origin + path + anchor: the query string stays behind.
    assert page.evaluate("navigator.clipboard.readText()") == site_url + "/venues/kraken-spot/#eapi-invalid-nonce"

    # Keyboard: focus the first step's button and press Enter.
    step = page.get_by_role("button", name=re.compile(r"^Copy link to Step 1: "))
    step.focus()
    page.keyboard.press("Enter")
    anchor = step.get_attribute("data-kg-copy-link")
    expect(page.locator(f'.kg-copy-link:has([data-kg-copy-link="{anchor}"]) [role="status"]')).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == f"{site_url}/venues/kraken-spot/#{anchor}"


def test_copy_links_show_only_where_a_script_can_copy(browser: Any, site_url: str) -> None:
    # Shown by CSS once Material's script swaps <html class="no-js"> (no layout pass of our own); without
    # JavaScript a button that cannot copy stays out of sight.
    url = site_url + "/venues/kraken-spot/"
    box = '.kg-copy-link:has([data-kg-copy-link="eapi-invalid-nonce"])'
    for javascript, visible in ((True, True), (False, False)):
        context = browser.new_context(java_script_enabled=javascript)
        try:
            page = context.new_page()
            page.goto(url)
            expect(page.locator(box)).to_be_visible() if visible else expect(page.locator(box)).to_be_hidden()
            expect(page.locator(box)).to_have_count(1)
        finally:
            context.close()


def test_copy_link_says_so_when_the_clipboard_is_refused(page: Page, site_url: str) -> None:
    page.goto(site_url + "/venues/binance/")
    page.evaluate(
        """() => Object.defineProperty(navigator.clipboard, "writeText", {
            value: () => Promise.reject(new DOMException("refused", "NotAllowedError")),
        })"""
    )
    page.get_by_role("button", name="Copy link to -1021").click()
    status = page.locator('.kg-copy-link:has([data-kg-copy-link="code-1021-invalid-timestamp"]) [role="status"]')
    expect(status).to_contain_text("did not allow copying")
    expect(status).to_contain_text(site_url + "/venues/binance/#code-1021-invalid-timestamp")


# Error lookup -------------------------------------------------------------------------------------------------


def test_error_lookup_finds_the_binance_entry_and_copies_a_reply(
    context: BrowserContext, page: Page, site_url: str
) -> None:
    allow_clipboard(context, site_url)
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(site_url + "/errors/")
    page.wait_for_timeout(500)
    assert not [url for url in requested if "/assets/pyodide/" in url], "Pyodide loaded before the box was used"

    page.get_by_label("Error message from the exchange or your bot").fill(BINANCE_2015)
    page.get_by_role("button", name="Find matching entries").click()
    first = page.locator('[data-kg-out="matches"] > li').first
    link = first.get_by_role("link")
    expect(link).to_have_attribute("href", f"../venues/binance/#{BINANCE_ANCHOR}", timeout=READY_TIMEOUT_MS)
    expect(link).to_have_text("Binance: -2015")
    expect(first.locator(".kg-value-note")).to_contain_text("203.0.113.9")
    expect(first.locator(".kg-value-note")).to_contain_text("allow-list")
    assert page.locator('[data-kg-out="matches"] > li').count() >= 2, "ranked: more than one venue matches"

    first.get_by_role("button", name="Copy support reply for Binance -2015").click()
    expect(first.locator('[role="status"]')).to_have_text("Copied")
    reply: str = page.evaluate("navigator.clipboard.readText()")
    assert reply.startswith("Binance error -2015")
    assert reply.endswith(f"{site_url}/venues/binance/#{BINANCE_ANCHOR}")
    assert "203.0.113.9" in reply and "{link}" not in reply and "`" not in reply

    first.locator("details.kg-reply summary").click()
    found = axe_violations(page)
    assert found == [], "\n".join(map(str, found))

    link.click()
    expect(page).to_have_url(f"{site_url}/venues/binance/#{BINANCE_ANCHOR}")
    expect(page.locator(f"#{BINANCE_ANCHOR}")).to_be_in_viewport()


def test_error_lookup_before_python_is_ready_runs_once_it_is(page: Page, site_url: str) -> None:
    page.goto(site_url + "/errors/")
    box = page.get_by_label("Error message from the exchange or your bot")
    # Typed without focusing the box first (as a paste from a script would): the button starts Python.
    box.evaluate("(el, text) => { el.value = text; }", "retCode 10003")
    page.get_by_role("button", name="Find matching entries").click()
    first = page.locator('[data-kg-out="matches"] > li').first
    expect(first.get_by_role("link")).to_have_attribute(
        "href", "../venues/bybit/#retcode-10003", timeout=READY_TIMEOUT_MS
    )
    page.locator("form[data-kg-lookup]").get_by_role("button", name="Clear").click()
    expect(page.locator('[data-kg-out="matches"] > li')).to_have_count(0)
    assert box.input_value() == ""


# Alias ------------------------------------------------------------------------------------------------------


def test_a_former_anchor_lands_on_its_live_entry(tmp_path: Path, page: Page) -> None:
    project = copy_project(tmp_path)
    data = project / "venues" / "kraken-spot.yaml"
    text = data.read_text(encoding="utf-8")
    entry = re.search(r'^  - code: "EAPI:Invalid nonce"\n(?:    .*\n|\n)*?(?=  - code: )', text, re.MULTILINE)
    assert entry is not None, "the EAPI:Invalid nonce entry moved; update this test"
    text = text[: entry.start()] + text[entry.end() :]
    data.write_text(text + "anchor_aliases: {eapi-invalid-nonce: eapi-invalid-key}\n", encoding="utf-8")
    site = tmp_path / "site"
    result = build_site(project, site)
    assert result.returncode == 0, result.stderr

    with serve(site) as url:
        page.goto(url + "/venues/kraken-spot/#eapi-invalid-nonce")
        heading = page.locator("h3#eapi-invalid-key")
        expect(heading).to_be_in_viewport()
        assert page.locator("h3#eapi-invalid-nonce").count() == 0, "the entry was meant to be gone"
        assert page.evaluate("window.scrollY") > 1000, "the page did not scroll to the entry"
        position: Any = page.evaluate(
            "() => [document.getElementById('eapi-invalid-nonce').getBoundingClientRect().top, innerHeight]"
        )
        assert 0 <= position[0] < position[1], "the alias is not in view"

"""The checker on a guide page: lazy start, findings while pasting, self-test, signing, compare, errors."""

from __future__ import annotations

import base64
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from kgbrowser import READY_TIMEOUT_MS, open_checker, serve
from sitekit import build_site, copy_project

pytestmark = pytest.mark.browser

KRAKEN = "/venues/kraken-spot/"
BINANCE = "/venues/binance/"
# Well-formed for Kraken Spot, and no venue's published sample.
SECRET = base64.b64encode(bytes(range(64))).decode()
KEY = base64.b64encode(bytes(range(100, 142))).decode()
CLIPBOARD = ["clipboard-read", "clipboard-write"]
# The password-manager opt-outs every field of the checker carries (research: security.md §2).
OPT_OUTS = {
    "autocomplete": "off",
    "spellcheck": "false",
    "autocapitalize": "off",
    "autocorrect": "off",
    "data-1p-ignore": "",
    "data-lpignore": "true",
    "data-bwignore": "",
    "data-form-type": "other",
}


def example(site_dir: Path, venue: str) -> dict[str, Any]:
    rules = json.loads((site_dir / "assets/keyguide/venues.json").read_text(encoding="utf-8"))
    return rules["venues"][venue]["signing"]["example"]


def sign_via_ui(form: Any, credentials: dict[str, str], request: dict[str, Any]) -> str:
    for name, value in credentials.items():
        form.locator(f'[name="{name}"]').fill(value)
    form.locator("summary", has_text="Sign a test request").click()
    # nonce/timestamp first: editing them rewrites a query or body still built from the template.
    for name in ("nonce", "timestamp", "recv_window", "method", "path", "query", "body"):
        field = form.locator(f'[data-kg-request="{name}"]')
        if request.get(name) is not None and field.count():
            field.fill(str(request[name]))
    form.locator('[data-kg-action="sign"]').click()
    signature = form.locator('[data-kg-out="signature"]')
    expect(signature).not_to_be_empty()
    return signature.inner_text()


@pytest.mark.parametrize("venue", ["kraken-spot", "binance"])
def test_published_example_reproduces_through_the_ui(checker: Any, site_dir: Path, venue: str) -> None:
    ex = example(site_dir, venue)
    assert ex["official"], f"{venue}: the test is about a published example"
    form = checker(f"/venues/{venue}/", venue)
    assert sign_via_ui(form, ex["credentials"], ex["request"]) == ex["signature"]
    expect(form.locator("[data-kg-selftest]")).to_contain_text("reproduces")
    expect(form.locator("[data-kg-selftest]")).to_contain_text("published signature example")


def test_findings_appear_while_pasting_and_link_to_the_guide(checker: Any, page: Page) -> None:
    form = checker(KRAKEN)
    form.locator('[name="api_secret"]').fill(
        "kQH5HW/8p1uGOVjbg\u200bWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg=="
    )
    finding = form.locator(".kg-finding", has_text="U+200B")
    expect(finding).to_contain_text("position 17")
    link = finding.get_by_role("link", name="Troubleshooting")
    href = link.get_attribute("href")
    assert href is not None and href.startswith("#")
    assert page.locator(href).count() == 1, f"{href} is not an anchor on the guide"
    # The finding names a position and a code point, never the value.
    assert "kQH5HW" not in form.locator("[data-kg-findings]").inner_text()


def masking(field: Any) -> str:
    return str(field.evaluate("(e) => getComputedStyle(e).webkitTextSecurity"))


def test_signing_shows_prehash_headers_and_a_curl_without_the_secret(checker: Any, site_dir: Path) -> None:
    ex = example(site_dir, "kraken-spot")
    key = "CJbfPw4tnbf/9en/ZmpewCTKEwmmzO18LXZcHQcu7HPLWre4l8+V9I3y"
    form = checker(KRAKEN)
    secret = form.locator('[name="api_secret"]')
    assert masking(secret) == "disc"
    form.locator("[data-kg-show]").click()
    assert masking(secret) == "none" and secret.get_attribute("type") == "text"
    for name, value in {"spellcheck": "false", "autocomplete": "off", "autocapitalize": "off"}.items():
        assert secret.get_attribute(name) == value, name
    signature = sign_via_ui(form, {"api_key": key, "api_secret": ex["credentials"]["api_secret"]}, {})
    assert masking(secret) == "disc", "a shown secret goes back to dots after use"
    assert secret.input_value() == "", "Sign empties the secret field"
    assert form.locator('[name="api_key"]').input_value() == key, "the key stays for the next try"
    nonce = form.locator('[data-kg-request="nonce"]').input_value()
    assert nonce.isdigit() and abs(int(nonce) - int(form.page.evaluate("Date.now()"))) < 600_000
    assert form.locator('[data-kg-out="prehash"]').inner_text() == f"{nonce}nonce={nonce}"
    curl = form.locator('[data-kg-out="curl"]').inner_text()
    assert curl.startswith("curl -X POST 'https://api.kraken.com/0/private/Balance'")
    assert f"API-Key: {key}" in curl and f"API-Sign: {signature}" in curl and f"nonce={nonce}" in curl
    assert ex["credentials"]["api_secret"] not in curl
    assert "API-Sign" in form.locator('[data-kg-out="headers"]').inner_text()


def test_binance_curl_sends_the_signature_as_a_parameter(checker: Any, site_dir: Path) -> None:
    ex = example(site_dir, "binance")
    form = checker(BINANCE, "binance")
    signature = sign_via_ui(form, ex["credentials"], {})
    timestamp = form.locator('[data-kg-request="timestamp"]').input_value()
    curl = form.locator('[data-kg-out="curl"]').inner_text()
    assert f"/api/v3/account?recvWindow=5000&timestamp={timestamp}&signature={signature}'" in curl
    assert ex["credentials"]["api_secret"] not in curl


def test_compare_with_your_bot(checker: Any, site_dir: Path) -> None:
    ex = example(site_dir, "kraken-spot")
    form = checker(KRAKEN)
    secret = form.locator('[name="api_secret"]')
    sign_via_ui(form, ex["credentials"], ex["request"])
    form.locator("summary", has_text="Compare with your bot").click()
    box = form.locator('[name="bot_signature"]')
    result = form.locator('[data-kg-out="compare"]')
    box.fill(ex["signature"])
    # Sign emptied the secret: Compare without it says so, and signs nothing.
    form.locator('[data-kg-action="compare"]').click()
    expect(result).to_contain_text("missing")
    secret.fill(ex["credentials"]["api_secret"])
    form.locator('[data-kg-action="compare"]').click()
    expect(result).to_contain_text("Match")
    assert secret.input_value() == "", "Compare empties the secret field"
    secret.fill(ex["credentials"]["api_secret"])
    box.fill(ex["signature"].replace("4/dp", "4/dq"))
    form.locator('[data-kg-action="compare"]').click()
    expect(result).to_contain_text("No match")
    expect(form.locator('[data-kg-out="signature"]')).to_have_text(ex["signature"])


def test_a_declined_value_is_emptied_wherever_it_was_pasted(checker: Any, site_dir: Path) -> None:
    """Swapped: the secret sits in the key field, shown in clear. Sign declines, and empties both."""
    form = checker(KRAKEN)
    form.locator('[name="api_key"]').fill(SECRET)
    form.locator('[name="api_secret"]').fill(KEY)
    # Sign at once, while the diagnosis of the paste still waits for typing to stop (250 ms).
    form.locator("summary", has_text="Sign a test request").click()
    form.locator('[data-kg-action="sign"]').click()
    expect(form.locator("[data-kg-findings] > p.kg-error")).to_contain_text("Not signed")
    form.page.wait_for_timeout(600)  # the waiting diagnosis must not wipe the reason afterwards
    expect(form.locator("[data-kg-findings] > p.kg-error")).to_contain_text("Not signed")
    expect(form.locator(".kg-finding", has_text="swapped").first).to_be_visible()
    expect(form.locator("[data-kg-signed]")).to_be_hidden()
    assert form.locator('[name="api_key"]').input_value() == ""
    assert form.locator('[name="api_secret"]').input_value() == ""


def test_pasted_error_is_matched_to_ranked_troubleshooting_entries(checker: Any, page: Page) -> None:
    form = checker(KRAKEN)
    form.locator("summary", has_text="Paste the error you got").click()
    form.locator('[name="error_text"]').fill('{"error":["EAPI:Invalid nonce"]}')
    form.locator('[data-kg-action="match"]').click()
    first = form.locator('[data-kg-out="matches"] li').first
    expect(first.get_by_role("link")).to_have_attribute("href", "#eapi-invalid-nonce")
    assert page.locator("#eapi-invalid-nonce").count() == 1
    # The same entry as the error index: a support reply that carries the absolute link.
    reply = first.locator("[data-kg-reply]").text_content() or ""
    assert reply.rstrip().endswith(page.url.split("#")[0] + "#eapi-invalid-nonce")


def test_clear_empties_everything(checker: Any, page: Page) -> None:
    form = checker(KRAKEN)
    form.locator('[name="api_key"]').fill("not-a-real-key")
    form.locator('[name="api_secret"]').fill("not-a-real-secret")
    expect(form.locator("[data-kg-findings]")).not_to_be_empty()
    form.locator('[data-kg-action="clear"]').click()
    assert form.locator('[name="api_secret"]').input_value() == ""
    assert form.locator('[name="api_key"]').input_value() == ""
    expect(form.locator("[data-kg-findings]")).to_be_empty()


def test_guide_page_loads_no_pyodide_until_the_checker_is_used(page: Page, site_url: str) -> None:
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(site_url + KRAKEN)
    assert page.locator("form.kg-form").count() == 1, "no checker form on the guide"
    page.mouse.wheel(0, 20_000)
    page.locator("#test-your-key").scroll_into_view_if_needed()
    page.locator("form.kg-form").hover()
    page.wait_for_timeout(1500)
    assert not [url for url in requested if "/assets/pyodide/" in url or url.endswith(".whl")]
    form = page.locator("form.kg-form")
    form.locator('[name="api_key"]').focus()
    expect(form.locator("[data-kg-status]")).to_contain_text("Ready", timeout=30_000)
    assert any(url.endswith("/assets/pyodide/pyodide.asm.wasm") for url in requested)


def test_blocked_webassembly_shows_an_error_with_retry(page: Page, site_url: str, site_dir: Path) -> None:
    html = (site_dir / "venues/kraken-spot/index.html").read_text(encoding="utf-8")
    assert "'wasm-unsafe-eval'" in html and 'data-kg-timeout-ms="20000"' in html
    blocked = html.replace(" 'wasm-unsafe-eval'", "").replace('data-kg-timeout-ms="20000"', 'data-kg-timeout-ms="3000"')
    page.route(site_url + KRAKEN, lambda route: route.fulfill(status=200, content_type="text/html", body=blocked))
    page.goto(site_url + KRAKEN)
    form = page.locator("form.kg-form")
    form.locator('[name="api_key"]').hover()  # the reader points at the form: its script loads (loader.js)
    form.locator('[name="api_key"]').click()
    status = form.locator("[data-kg-status]")
    expect(status).to_contain_text("did not start within 3 seconds", timeout=10_000)
    expect(status.get_by_role("button", name="Retry")).to_be_visible()


def test_checker_page_picks_a_venue(page: Page, site_url: str) -> None:
    page.goto(site_url + "/checker/")
    picker = page.locator('select[name="venue"]')
    assert picker.count() == 1, "no venue picker on /checker/ (macros/checker.j2: checker_picker)"
    visible = page.locator("form.kg-form:visible")
    expect(visible).to_have_count(1)
    picker.select_option("binance")
    expect(visible).to_have_attribute("data-kg-venue", "binance")
    visible.locator('[name="api_secret"]').fill("NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j ")
    expect(visible.locator("[data-kg-status]")).to_contain_text("Ready", timeout=30_000)
    expect(visible.locator("[data-kg-selftest]")).to_contain_text("reproduces")
    finding = visible.locator(".kg-finding").first
    expect(finding).to_be_visible()
    # Off the guide, troubleshooting links go to the venue's guide page.
    href = visible.locator(".kg-finding a").first.get_attribute("href")
    assert href is not None and "/venues/binance/#" in href


def test_checker_is_disabled_inside_a_frame(page: Page, site_url: str, probe: Any) -> None:
    # Another origin frames the guide, as a clickjacking page would.
    probe.pages["/framing.html"] = (
        f'<!doctype html><title>framing</title><iframe src="{site_url}{KRAKEN}" title="framed guide"></iframe>'
    )
    page.goto(probe.url + "/framing.html")
    frame = page.frame_locator("iframe")
    expect(frame.locator("form.kg-form [data-kg-status]")).to_contain_text("turned off inside a frame")
    expect(frame.locator('[name="api_secret"]')).to_be_disabled()


@pytest.mark.parametrize(
    ("venue", "pattern"),
    [
        ("okx", r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"),  # timestamp_format: iso8601_ms
        ("binance", r"\d{13}"),  # the default, unix_ms
    ],
)
def test_fresh_timestamp_follows_the_venues_format(checker: Any, venue: str, pattern: str) -> None:
    form = checker(f"/venues/{venue}/", venue)
    form.locator("summary", has_text="Sign a test request").click()
    timestamp = form.locator('[data-kg-request="timestamp"]').input_value()
    assert re.fullmatch(pattern, timestamp), timestamp


# Password managers, translation ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [KRAKEN, "/venues/okx/", "/checker/"])
def test_no_password_field_for_a_manager_to_save(page: Page, site_url: str, context: Any, path: str) -> None:
    """No input[type=password] anywhere (a password manager's sign of a login form); secrets are masked text
    fields with the opt-out attributes, and give nothing to the clipboard."""
    context.grant_permissions(CLIPBOARD, origin=site_url)
    page.goto(site_url + path)
    form = page.locator("form.kg-form:visible")
    form.locator("[data-kg-credential]").first.hover()  # the reader points at the form: its script loads
    form.locator("[data-kg-credential]").first.click()
    expect(form.locator("[data-kg-status]")).to_contain_text("Ready", timeout=READY_TIMEOUT_MS)
    assert page.locator("input[type=password]").count() == 0
    fields = page.locator("form.kg-form input, form.kg-form textarea").all()
    secrets = page.locator('form.kg-form [data-kg-secret="true"]').all()
    assert fields and secrets
    for field in fields:
        name = field.get_attribute("name")
        assert field.get_attribute("autocomplete") == "off", name
        for attribute, value in OPT_OUTS.items():
            assert field.get_attribute(attribute) == value, (name, attribute)
    assert page.locator("form.kg-form[autocomplete=off]").count() == page.locator("form.kg-form").count()
    for secret in secrets:
        # A text field, or a multi-line one for a PEM private key (a textarea has no type): masked either way.
        kind = secret.evaluate("(e) => e.type")
        assert kind in ("text", "textarea") and masking(secret) == "disc", secret.get_attribute("id")
    secret = form.locator('[data-kg-secret="true"]:visible').first  # a key type's other fields are hidden
    secret.fill(SECRET)
    page.evaluate("navigator.clipboard.writeText('before')")
    secret.focus()
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.press("ControlOrMeta+C")
    page.keyboard.press("ControlOrMeta+X")
    assert page.evaluate("navigator.clipboard.readText()") == "before", "a secret went to the clipboard"
    assert secret.input_value() == SECRET, "cut took the secret out of its field"


def test_without_text_masking_a_secret_field_is_a_password_field(context: Any, page: Page, site_url: str) -> None:
    """A browser without -webkit-text-security gets type=password, so a secret is never shown in clear."""
    context.add_init_script(
        "const supports = CSS.supports.bind(CSS);"
        "CSS.supports = (p, v) => (String(p).includes('text-security') ? false : supports(p, v));"
    )
    form = open_checker(page, site_url + KRAKEN)
    secret = form.locator('[name="api_secret"]')
    assert secret.get_attribute("type") == "password"
    form.locator("[data-kg-show]").click()
    assert secret.get_attribute("type") == "text"
    form.locator("[data-kg-show]").click()
    assert secret.get_attribute("type") == "password"


def test_page_translation_leaves_the_checker_alone(checker: Any, site_dir: Path) -> None:
    """translate="no" on each form and each output that holds the key or a signature (the `translate`
    property is what a browser's translation feature reads, inherited from the nearest ancestor)."""
    ex = example(site_dir, "kraken-spot")
    form = checker(KRAKEN)
    sign_via_ui(form, ex["credentials"], ex["request"])
    assert form.get_attribute("translate") == "no"
    for name in ("prehash", "signature", "headers", "curl"):
        output = form.locator(f'[data-kg-out="{name}"]')
        assert output.evaluate("(e) => e.translate") is False, name
        assert output.evaluate("(e) => e.closest('pre').getAttribute('translate')") == "no", name
    for field in form.locator("input, textarea").all():
        assert field.evaluate("(e) => e.translate") is False, field.get_attribute("name")


# Refusals: a tampered checker, a shared origin -------------------------------------------------------------


def test_a_wheel_that_does_not_match_its_digest_is_not_unpacked(page: Page, site_dir: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(site_dir, site)
    runtime = json.loads((site / "assets/keyguide/runtime.json").read_text(encoding="utf-8"))
    wheel = site / "assets/keyguide" / runtime["wheel"]
    data = bytearray(wheel.read_bytes())
    data[-30] ^= 0x01  # one bit, in the zip's central directory
    wheel.write_bytes(bytes(data))
    with serve(site) as url:
        page.goto(url + KRAKEN + "?kg-test")
        form = page.locator("form.kg-form")
        form.locator('[name="api_key"]').hover()  # the reader points at the form: its script loads
        form.locator('[name="api_key"]').click()
        status = form.locator("[data-kg-status]")
        expect(status).to_contain_text("does not match the SHA-256 fingerprint", timeout=READY_TIMEOUT_MS)
        assert page.evaluate("window.__keyguideTestHook.state()") == "failed"
        assert page.evaluate("window.__keyguideTestHook.pyodide()") is None
        expect(form.locator('[data-kg-action="sign"]')).to_be_disabled()


def test_the_checker_refuses_to_start_on_a_shared_origin(page: Page, tmp_path: Path) -> None:
    """A site published under a path of a shared host: the build says so in the markup, and neither the
    checker nor the error lookup loads anything."""
    project = copy_project(tmp_path)
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    assert "site_url: http://127.0.0.1:8000/" in text
    config.write_text(text.replace("site_url: http://127.0.0.1:8000/", "site_url: https://owner.github.io/keyguide/"))
    site = tmp_path / "site"
    result = build_site(project, site)
    assert result.returncode == 0, result.stderr
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    with serve(site) as url:
        for path, selector in ((KRAKEN, "form.kg-form"), ("/errors/", "form[data-kg-lookup]")):
            page.goto(url + path)
            form = page.locator(selector).first
            status = form.locator("[data-kg-status]")
            expect(status).to_contain_text("turned off on this copy of the site")
            expect(status).to_contain_text("/keyguide/")
            assert form.locator("input:enabled, textarea:enabled, button[data-kg-action]:enabled").count() == 0
            form.click(force=True)
            form.locator("input, textarea").first.click(force=True)
            page.wait_for_timeout(1000)
            expect(status).to_contain_text("turned off on this copy of the site")
    loaded = [u for u in requested if "/assets/pyodide/" in u or u.endswith(("runtime.json", "venues.json", ".whl"))]
    assert loaded == [], loaded

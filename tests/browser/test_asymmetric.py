"""Key types and private keys in the page: an HMAC venue never fetches a signing wheel; a private key is signed
with the wheels the site ships (fetched once, checked against runtime.json), its signature equals OpenSSL's,
and the pasted key leaves no trace once it was used.

Every expected signature is OpenSSL's, computed here from the test keys in tests/checker/keys/.
"""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import BrowserContext, Locator, Page, expect
from test_accessibility import axe_violations
from test_privacy import click_copy_buttons

from kgbrowser import READY_TIMEOUT_MS, open_checker, serve
from sitekit import ROOT

pytestmark = pytest.mark.browser

KEYS = ROOT / "tests/checker/keys"  # OpenSSL-made test keys, registered with no venue (README.md there)
BINANCE = "/venues/binance/"
API_KEY = "kgTestKey" + "Q" * 55  # 64 letters and digits, as Binance's keys; no venue's sample
TIMESTAMP = "1700000000000"
PREHASH = f"recvWindow=5000&timestamp={TIMESTAMP}"
CLIPBOARD = ["clipboard-read", "clipboard-write"]


def openssl(*args: str, data: bytes = b"") -> bytes:
    return subprocess.run(["openssl", *args], input=data, capture_output=True, check=True).stdout


def ed25519_signature(key: Path, message: str, tmp: Path) -> str:
    path = tmp / "message"
    path.write_text(message, encoding="ascii")
    return base64.b64encode(openssl("pkeyutl", "-sign", "-inkey", str(key), "-rawin", "-in", str(path))).decode()


def rsa_signature(key: Path, message: str) -> str:
    return base64.b64encode(openssl("dgst", "-sha256", "-sign", str(key), data=message.encode())).decode()


def runtime_json(site: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((site / "assets/keyguide/runtime.json").read_text(encoding="utf-8"))
    return data


def wheel_requests(requests: list[str], site: Path) -> dict[str, int]:
    """How often each wheel runtime.json names (the checker's and each signing package's) was requested."""
    runtime = runtime_json(site)
    files = {"checker": runtime["wheel"], **{name: entry["wheel"] for name, entry in runtime["packages"].items()}}
    paths = [urlsplit(url).path for url in requests]
    return {name: sum(path.endswith("/assets/keyguide/" + file) for path in paths) for name, file in files.items()}


def example(site: Path, venue: str, key_type: str | None = None) -> dict[str, Any]:
    rules = json.loads((site / "assets/keyguide/venues.json").read_text(encoding="utf-8"))["venues"][venue]
    if key_type is None:
        return dict(rules["signing"]["example"])
    return dict(next(k for k in rules["key_types"] if k["id"] == key_type)["example"])


def masking(box: Locator) -> str:
    return str(box.evaluate("(e) => getComputedStyle(e).webkitTextSecurity"))


def choose(form: Locator, label: str) -> None:
    """Pick a key type, and wait until the checker is ready for it (its signing code loaded)."""
    form.get_by_role("radio", name=label).check()
    expect(form.locator("[data-kg-status]")).to_contain_text("Ready", timeout=READY_TIMEOUT_MS)
    expect(form).not_to_have_attribute("aria-busy", "true")


def sign(form: Locator, credentials: dict[str, str]) -> str:
    """Fill the credentials, sign the test request at TIMESTAMP, and return the signature shown."""
    for name, value in credentials.items():
        form.locator(f'[name="{name}"]').fill(value)
    summary = form.locator("summary", has_text="Sign a test request")
    if form.locator("details.kg-sign").get_attribute("open") is None:
        summary.click()
    form.locator('[data-kg-request="timestamp"]').fill(TIMESTAMP)
    form.locator('[data-kg-action="sign"]').click()
    signature = form.locator('[data-kg-out="signature"]')
    expect(signature).not_to_be_empty()
    return signature.inner_text()


# HMAC: no signing wheel ---------------------------------------------------------------------------------------


def test_an_hmac_venue_signs_end_to_end_without_a_signing_wheel(page: Page, site_url: str, site_dir: Path) -> None:
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    ex = example(site_dir, "kraken-spot")
    form = open_checker(page, site_url + "/venues/kraken-spot/", "kraken-spot")
    for name, value in ex["credentials"].items():
        form.locator(f'[name="{name}"]').fill(value)
    form.locator("summary", has_text="Sign a test request").click()
    for name in ("nonce", "method", "path", "body"):
        if ex["request"].get(name) is not None:
            form.locator(f'[data-kg-request="{name}"]').fill(str(ex["request"][name]))
    form.locator('[data-kg-action="sign"]').click()
    expect(form.locator('[data-kg-out="signature"]')).to_have_text(ex["signature"])
    expect(form.locator("[data-kg-key-type-choice]")).to_have_count(0)
    counts = wheel_requests(requested, site_dir)
    assert counts.pop("checker") == 1, "the network log must see wheel requests (control)"
    assert set(counts) == {"ecdsa", "rsa", "six"} and set(counts.values()) == {0}, counts


def test_the_hmac_key_type_of_a_venue_with_private_keys_fetches_no_signing_wheel(
    page: Page, site_url: str, site_dir: Path
) -> None:
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    form = open_checker(page, site_url + BINANCE, "binance")
    radios = form.locator("[data-kg-key-type-choice]")
    expect(radios).to_have_count(3)
    expect(form.get_by_role("radio", name="HMAC key")).to_be_checked()
    expect(form.locator('[name="private_key"]')).to_be_hidden()
    ex = example(site_dir, "binance")
    form.locator("summary", has_text="Sign a test request").click()
    for name, value in ex["credentials"].items():
        form.locator(f'[name="{name}"]').fill(value)
    for name in ("timestamp", "method", "path", "query"):
        form.locator(f'[data-kg-request="{name}"]').fill(str(ex["request"][name]))
    form.locator('[data-kg-action="sign"]').click()
    expect(form.locator('[data-kg-out="signature"]')).to_have_text(ex["signature"])
    expect(form.locator("[data-kg-selftest]")).to_contain_text("published signature example")
    counts = wheel_requests(requested, site_dir)
    assert counts == {"checker": 1, "ecdsa": 0, "rsa": 0, "six": 0}, counts


# Private keys: Ed25519 and RSA ---------------------------------------------------------------------------------


def test_private_keys_sign_with_wheels_fetched_once_and_equal_openssls_signatures(
    page: Page, site_url: str, site_dir: Path, tmp_path: Path
) -> None:
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    form = open_checker(page, site_url + BINANCE, "binance")
    assert wheel_requests(requested, site_dir) == {"checker": 1, "ecdsa": 0, "rsa": 0, "six": 0}

    choose(form, "Ed25519 key")
    expect(form.locator("[data-kg-selftest]")).to_contain_text("✓ Self-test")
    expect(form.locator('[name="api_secret"]')).to_be_hidden()
    key = form.locator('[name="private_key"]')
    assert key.evaluate("(e) => e.localName") == "textarea"
    assert masking(key) == "disc"
    pem = (KEYS / "ed25519.pem").read_text(encoding="ascii")
    signature = sign(form, {"api_key": API_KEY, "private_key": pem})
    expect(form.locator('[data-kg-out="prehash"]')).to_have_text(PREHASH)
    assert signature == ed25519_signature(KEYS / "ed25519.pem", PREHASH, tmp_path)
    assert key.input_value() == "", "Sign empties the private key"
    curl = form.locator('[data-kg-out="curl"]').inner_text()
    assert "signature=" in curl and "PRIVATE KEY" not in curl
    assert wheel_requests(requested, site_dir) == {"checker": 1, "ecdsa": 1, "rsa": 0, "six": 1}

    choose(form, "RSA key")
    expect(form.locator("[data-kg-selftest]")).to_contain_text("✓ Self-test")
    pem = (KEYS / "rsa-2048.pem").read_text(encoding="ascii")
    assert sign(form, {"api_key": API_KEY, "private_key": pem}) == rsa_signature(KEYS / "rsa-2048.pem", PREHASH)

    choose(form, "Ed25519 key")
    pem = (KEYS / "ed25519.pem").read_text(encoding="ascii")
    assert sign(form, {"api_key": API_KEY, "private_key": pem}) == signature
    assert wheel_requests(requested, site_dir) == {"checker": 1, "ecdsa": 1, "rsa": 1, "six": 1}
    runtime = runtime_json(site_dir)
    for name, entry in runtime["packages"].items():
        urls = [u for u in requested if urlsplit(u).path.endswith("/" + entry["wheel"])]
        assert [urlsplit(u).query for u in urls] == [f"v={entry['sha256'][:16]}"], name


def test_a_signing_wheel_that_does_not_match_its_digest_is_not_unpacked(
    page: Page, site_dir: Path, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    shutil.copytree(site_dir, site)
    wheel = site / "assets/keyguide" / runtime_json(site)["packages"]["ecdsa"]["wheel"]
    data = bytearray(wheel.read_bytes())
    data[-30] ^= 0x01  # one bit, in the zip's central directory
    wheel.write_bytes(bytes(data))
    with serve(site) as url:
        form = open_checker(page, url + BINANCE + "?kg-test", "binance")
        form.get_by_role("radio", name="Ed25519 key").check()
        status = form.locator("[data-kg-status]")
        expect(status).to_contain_text("does not match the SHA-256 fingerprint", timeout=READY_TIMEOUT_MS)
        key = form.locator('[name="private_key"]')
        form.locator('[name="api_key"]').fill(API_KEY)
        key.fill((KEYS / "ed25519.pem").read_text(encoding="ascii"))
        form.locator("summary", has_text="Sign a test request").click()
        form.locator('[data-kg-action="sign"]').click()
        expect(form.locator("[data-kg-findings] > p.kg-error")).to_contain_text("does not match")
        expect(form.locator("[data-kg-signed]")).to_be_hidden()
        assert key.input_value() == "", "a refused signing empties the private key too"
        found = page.evaluate(
            "window.__keyguideTestHook.pyodide().runPython("
            '\'import importlib.util; [importlib.util.find_spec(n) is not None for n in ("ecdsa", "six")]\''
            ").toJs()"
        )
        assert found == [False, True], "ecdsa must not be unpacked; six (intact) may be"
        form.get_by_role("radio", name="HMAC key").check()  # needs no package: ready again
        expect(status).to_have_text(re.compile("^Ready"))
        form.get_by_role("radio", name="Ed25519 key").check()  # tried again, refused again
        expect(status).to_contain_text("does not match the SHA-256 fingerprint", timeout=READY_TIMEOUT_MS)


# Coinbase: the JWT, decoded beside it --------------------------------------------------------------------------


def b64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def der_signature(raw: bytes) -> bytes:
    """A JWS ES256 signature (r || s, 32 bytes each) as the DER SEQUENCE OpenSSL verifies."""

    def integer(value: bytes) -> bytes:
        value = value.lstrip(b"\0") or b"\0"
        if value[0] & 0x80:
            value = b"\0" + value
        return b"\x02" + bytes([len(value)]) + value

    body = integer(raw[:32]) + integer(raw[32:])
    return b"\x30" + bytes([len(body)]) + body


def test_coinbase_signs_a_jwt_that_verifies_and_shows_its_header_and_claims(
    page: Page, site_url: str, site_dir: Path, tmp_path: Path
) -> None:
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    form = open_checker(page, site_url + "/venues/coinbase/", "coinbase")
    expect(form).not_to_have_attribute("aria-busy", "true")  # its signing code loads with the checker
    expect(form.locator("[data-kg-key-type-choice]")).to_have_count(0)  # one kind of key still accepted
    name = json.loads((KEYS / "coinbase-cdp-test.json").read_text(encoding="utf-8"))["name"]
    pem = (KEYS / "coinbase-cdp-test.pem").read_text(encoding="ascii")
    token = sign(form, {"key_name": name, "private_key": pem})
    assert form.locator('[name="private_key"]').input_value() == ""

    header, claims, signature = token.split(".")
    (tmp_path / "input").write_bytes(f"{header}.{claims}".encode())
    (tmp_path / "signature.der").write_bytes(der_signature(b64url(signature)))
    pub = str(KEYS / "coinbase-cdp-test.pub.pem")
    verified = openssl(
        "dgst", "-sha256", "-verify", pub, "-signature", str(tmp_path / "signature.der"), str(tmp_path / "input")
    )
    assert verified.strip() == b"Verified OK"

    expect(form.locator("[data-kg-jwt]")).to_be_visible()
    shown_header = json.loads(form.locator('[data-kg-out="jwt_header"]').inner_text())
    shown_claims = json.loads(form.locator('[data-kg-out="jwt_payload"]').inner_text())
    assert shown_header == json.loads(b64url(header)) and shown_claims == json.loads(b64url(claims))
    assert shown_header["kid"] == name and shown_header["alg"] == "ES256"
    assert shown_claims["sub"] == name and shown_claims["uri"].endswith("/api/v3/brokerage/accounts")
    nonce = form.locator('[data-kg-request="nonce"]').input_value()
    assert shown_header["nonce"] == nonce
    body = pem.split("-----")[2].replace("\n", "")
    assert body[10:40] not in form.inner_text()
    assert wheel_requests(requested, site_dir) == {"checker": 1, "ecdsa": 1, "rsa": 0, "six": 1}


def test_an_hmac_venue_shows_no_token_panel(checker: Any, site_dir: Path) -> None:
    ex = example(site_dir, "kraken-spot")
    form = checker("/venues/kraken-spot/")
    for name, value in ex["credentials"].items():
        form.locator(f'[name="{name}"]').fill(value)
    form.locator("summary", has_text="Sign a test request").click()
    form.locator('[data-kg-action="sign"]').click()
    expect(form.locator('[data-kg-out="signature"]')).not_to_be_empty()
    expect(form.locator("[data-kg-jwt]")).to_be_hidden()


# A pasted private key leaves no trace ----------------------------------------------------------------------------


@dataclass
class Canary:
    """A private key made for one test run, and runs of its secret part that must show up nowhere."""

    pem: str
    fragments: tuple[str, ...]


def canary(kind: str) -> Canary:
    if kind == "ed25519":
        pem = openssl("genpkey", "-algorithm", "ed25519").decode()
        body = pem.split("\n")[1]  # 21 characters of ASN.1 header, then the 32 key bytes
        return Canary(pem, (body[22:38], body[38:54], body[48:64]))
    pem = openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout").decode()
    line = pem.split("\n")[1]  # the private scalar follows 7 bytes of DER
    return Canary(pem, (line[10:26], line[26:42]))


@dataclass
class Traffic:
    requests: list[Any] = field(default_factory=list)
    console: list[str] = field(default_factory=list)


def leaks(page: Page, form: Locator, traffic: Traffic, secret: Canary, holding: set[str]) -> list[str]:
    """Every place but the fields in `holding` where a run of the canary key shows up."""
    state: dict[str, Any] = page.evaluate(
        """async () => ({
            text: document.body.innerText,
            html: document.documentElement.outerHTML,
            fields: Array.from(document.querySelectorAll("input, textarea"), (e) => [e.name || e.id, e.value]),
            storage: JSON.stringify([Object.entries(localStorage), Object.entries(sessionStorage)]),
            idb: (await indexedDB.databases()).map((db) => db.name),
            caches: await caches.keys(),
            title: document.title,
            url: location.href,
        })"""
    )
    places = {
        "page text": state["text"],
        "page HTML": state["html"],
        "storage": state["storage"],
        "title and URL": state["title"] + state["url"],
        "console": "\n".join(traffic.console),
    }
    places.update({f"field {name}": value for name, value in state["fields"] if name not in holding})
    for index, text in enumerate(click_copy_buttons(page, form)):
        places[f"clipboard after copy button {index}"] = text
    for request in traffic.requests:
        body = (request.post_data_buffer or b"").decode("utf-8", "replace")
        places[f"request {request.method} {request.url}"] = request.url + body
    found = [f"{where}: {run[:6]}…" for where, text in places.items() for run in secret.fragments if run in text]
    if state["idb"] or state["caches"]:
        found.append(f"storage was created: {state['idb']} {state['caches']}")
    return found


SCENARIOS = {
    # venue, key type to choose, kind of canary key, the field it is pasted into, the other credentials
    "binance-ed25519": ("binance", "Ed25519 key", "ed25519", "private_key", {"api_key": API_KEY}),
    "coinbase": ("coinbase", None, "ec_p256", "private_key", {"key_name": "organizations/x/apiKeys/y"}),
    "binance-in-the-key-field": (
        "binance",
        "Ed25519 key",
        "ed25519",
        "api_key",
        {"private_key": (KEYS / "ed25519.pem").read_text(encoding="ascii")},
    ),
}


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_a_pasted_private_key_shows_up_nowhere_and_is_emptied_after_use(
    context: BrowserContext, page: Page, site_url: str, scenario: str
) -> None:
    venue, key_type, kind, into, others = SCENARIOS[scenario]
    secret = canary(kind)
    traffic = Traffic()
    context.grant_permissions(CLIPBOARD, origin=site_url)
    context.on("request", lambda request: traffic.requests.append(request))
    page.on("console", lambda message: traffic.console.append(message.text))
    page.on("pageerror", lambda error: traffic.console.append(str(error)))
    form = open_checker(page, f"{site_url}/venues/{venue}/", venue)
    if key_type:
        choose(form, key_type)
    box = form.locator(f'[name="{into}"]')
    done: list[str] = []

    def check(action: str, holding: set[str]) -> None:
        done.append(action)
        found = leaks(page, form, traffic, secret, holding)
        assert found == [], f"{scenario}, after {' → '.join(done)}: {found}"

    def paste() -> None:
        for name, value in others.items():
            form.locator(f'[name="{name}"]').fill(value)
        box.fill(secret.pem)
        expect(form.locator("[data-kg-findings]")).not_to_be_empty()
        check("paste", {into})

    def used(action: str) -> None:
        assert box.input_value() == "", f"{action} leaves the pasted key in {into}"
        assert form.locator('[name="private_key"]').input_value() == "", f"{action} leaves the private key"
        check(action, set())

    paste()
    control = leaks(page, form, traffic, secret, set())
    assert f"field {into}: {secret.fragments[0][:6]}…" in control, "the search must find the key where it is"
    if into == "private_key":
        assert masking(box) == "disc"
        form.locator(f'[data-kg-show="{box.get_attribute("id")}"]').click()
        assert masking(box) == "none"
    form.locator("summary", has_text="Sign a test request").click()
    form.locator('[data-kg-action="sign"]').click()
    signed_or_declined = form.locator('[data-kg-out="signature"]:not(:empty), [data-kg-findings] p.kg-error')
    expect(signed_or_declined.first).to_be_visible()
    if into == "private_key":
        expect(form.locator('[data-kg-out="signature"]')).not_to_be_empty()
        assert masking(box) == "disc", "a shown key goes back to dots after use"
    used("Sign")

    paste()
    form.locator("summary", has_text="Compare with your bot").click()
    form.locator('[name="bot_signature"]').fill("AAAA")
    form.locator('[data-kg-action="compare"]').click()
    expect(form.locator('[data-kg-out="compare"]')).not_to_be_empty()
    used("Compare")

    paste()
    form.locator("summary", has_text="Verify the key").click()
    form.locator('[data-kg-action="key-info"]').click()
    built_or_declined = form.locator('[data-kg-out="keyinfo_curl"]:not(:empty), [data-kg-findings] p.kg-error')
    expect(built_or_declined.first).to_be_visible()
    used("Build the key check")

    paste()
    page.evaluate("window.dispatchEvent(new PageTransitionEvent('pagehide', {persisted: false}))")
    used("leaving the page")
    assert {urlsplit(r.url).netloc for r in traffic.requests} == {urlsplit(site_url).netloc}
    assert traffic.console == [], traffic.console[:3]


def test_without_text_masking_a_private_key_is_drawn_transparent(
    context: BrowserContext, page: Page, site_url: str
) -> None:
    """A textarea cannot be a password field: where -webkit-text-security is unknown, its text is invisible."""
    context.add_init_script(
        "const supports = CSS.supports.bind(CSS);"
        "CSS.supports = (p, v) => (String(p).includes('text-security') ? false : supports(p, v));"
    )
    form = open_checker(page, site_url + "/venues/coinbase/", "coinbase")
    key = form.locator('[name="private_key"]')
    color = "(e) => getComputedStyle(e).color"
    assert key.evaluate(color) == "rgba(0, 0, 0, 0)"
    assert key.evaluate("(e) => getComputedStyle(e).caretColor") != "rgba(0, 0, 0, 0)"
    form.locator('[data-kg-show="kg-coinbase-private_key"]').click()
    assert key.evaluate(color) != "rgba(0, 0, 0, 0)"
    form.locator('[data-kg-show="kg-coinbase-private_key"]').click()
    assert key.evaluate(color) == "rgba(0, 0, 0, 0)"


def test_key_type_choice_textarea_and_token_pass_axe(page: Page, site_url: str) -> None:
    form = open_checker(page, site_url + BINANCE, "binance")
    choose(form, "Ed25519 key")
    sign(form, {"api_key": API_KEY, "private_key": (KEYS / "ed25519.pem").read_text(encoding="ascii")})
    found = axe_violations(page)
    assert found == [], "\n".join(map(str, found))
    form = open_checker(page, site_url + "/venues/coinbase/", "coinbase")
    name = json.loads((KEYS / "coinbase-cdp-test.json").read_text(encoding="utf-8"))["name"]
    sign(form, {"key_name": name, "private_key": (KEYS / "coinbase-cdp-test.pem").read_text(encoding="ascii")})
    expect(form.locator("[data-kg-jwt]")).to_be_visible()
    found = axe_violations(page)
    assert found == [], "\n".join(map(str, found))

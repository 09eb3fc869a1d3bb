"""The error lookup on /errors/ against the real venue data: exchange errors as the venues return them land
on the right guide anchor, with facts read out of the message and a plain-text support reply.

Error texts are the shapes the venues send (see /work/shared/research/venues.md): Kraken Spot's `error`
array, Kraken Futures' `{"result":"error","error":…}`, Binance's `{"code":…,"msg":…}`, Bybit's
`{"retCode":…,"retMsg":…}`. No venue is named in the request: the lookup searches all of them.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from checker import Rules, handle, load_rules, match_error
from checker.errors import plain_text
from keyguide.dataset import rules_slice
from keyguide.loader import load_directory

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def rules_json() -> str:
    return json.dumps(rules_slice(load_directory(ROOT / "venues").require()))


@pytest.fixture(scope="module")
def real_rules(rules_json: str) -> Rules:
    return load_rules(json.loads(rules_json))


def top(rules: Rules, text: str) -> tuple[str, str]:
    matches = match_error(rules, text)
    assert matches, f"nothing matches {text!r}"
    return matches[0].venue, matches[0].id


@pytest.mark.parametrize(
    ("text", "anchor"),
    [
        ('{"error":["EAPI:Invalid nonce"]}', "eapi-invalid-nonce"),
        ('{"error":["EAPI:Invalid key"]}', "eapi-invalid-key"),
        ('{"error":["EAPI:Invalid signature"]}', "eapi-invalid-signature"),
        ('{"error":["EGeneral:Permission denied"],"result":{}}', "egeneral-permission-denied"),
        ('{"error":["EOrder:Rate limit exceeded"]}', "eorder-rate-limit-exceeded"),
        # As CCXT reports it: exchange id, then Kraken's body.
        ('kraken {"error":["EGeneral:Temporary lockout"]}', "egeneral-temporary-lockout"),
    ],
)
def test_kraken_spot(real_rules: Rules, text: str, anchor: str) -> None:
    assert top(real_rules, text) == ("kraken-spot", anchor)


@pytest.mark.parametrize(
    ("text", "anchor"),
    [
        (
            '{"result":"error","error":"authenticationError","serverTime":"2026-05-01T12:00:00.000Z"}',
            "authentication-error",
        ),
        (
            '{"result":"error","error":"nonceBelowThreshold","serverTime":"2026-05-01T12:00:00.000Z"}',
            "nonce-below-threshold",
        ),
        ('{"result":"error","error":"nonceDuplicate"}', "nonce-duplicate"),
        ('{"result":"error","error":"apiLimitExceeded"}', "api-limit-exceeded"),
    ],
)
def test_kraken_futures(real_rules: Rules, text: str, anchor: str) -> None:
    assert top(real_rules, text) == ("kraken-futures", anchor)


@pytest.mark.parametrize(
    ("text", "anchor"),
    [
        (
            '{"code":-2015,"msg":"Invalid API-key, IP, or permissions for action, request ip: 203.0.113.9"}',
            "code-2015-rejected-mbx-key",
        ),
        ('{"code":-1022,"msg":"Signature for this request is not valid."}', "code-1022-invalid-signature"),
        (
            '{"code":-1021,"msg":"Timestamp for this request is outside of the recvWindow."}',
            "code-1021-invalid-timestamp",
        ),
        (
            '{"code":-1021,"msg":"Timestamp for this request was 1000ms ahead of the server\'s time."}',
            "code-1021-invalid-timestamp",
        ),
        ('{"code":-2014,"msg":"API-key format invalid."}', "code-2014-bad-api-key-fmt"),
        ('{"code":-1002,"msg":"You are not authorized to execute this request."}', "code-1002-unauthorized"),
    ],
)
def test_binance(real_rules: Rules, text: str, anchor: str) -> None:
    assert top(real_rules, text) == ("binance", anchor)


@pytest.mark.parametrize(
    ("text", "anchor"),
    [
        (
            '{"retCode":10003,"retMsg":"API key is invalid.","result":{},"retExtInfo":{},"time":1777636800000}',
            "retcode-10003",
        ),
        (
            '{"retCode":10004,"retMsg":"Error sign, please check your signature generation algorithm.",'
            '"result":{},"retExtInfo":{},"time":1777636800000}',
            "retcode-10004",
        ),
        (
            '{"retCode":10010,"retMsg":"Unmatched IP, please check your API key\'s bound IP addresses."}',
            "retcode-10010",
        ),
        ('{"retCode":10005,"retMsg":"Permission denied, please check your API key permissions."}', "retcode-10005"),
        ('{"retCode":33004,"retMsg":"Your api key has expired"}', "retcode-33004"),
        # Bybit's spot endpoints report an expired key with Binance's code; the wording decides.
        ('{"retCode":-2015,"retMsg":"Your api key has expired"}', "retcode-33004"),
    ],
)
def test_bybit(real_rules: Rules, text: str, anchor: str) -> None:
    assert top(real_rules, text) == ("bybit", anchor)


# The three examples of issue 5, as support gets them pasted ------------------------------------------------


def test_kraken_bare_code(real_rules: Rules) -> None:
    best = match_error(real_rules, "EAPI:Invalid nonce")[0]
    assert (best.venue, best.id, best.matched, best.score) == ("kraken-spot", "eapi-invalid-nonce", "code", 1.0)


def test_binance_json_with_request_ip(real_rules: Rules) -> None:
    text = '{"code":-2015,"msg":"Invalid API-key, IP, or permissions for action, request ip: 203.0.113.9"}'
    matches = match_error(real_rules, text)
    best = matches[0]
    assert (best.venue, best.id, best.matched) == ("binance", "code-2015-rejected-mbx-key", "code")
    assert best.values == {"request_ip": "203.0.113.9", "code": "-2015"}
    assert any("203.0.113.9" in note and "allow-list" in note for note in best.notes)
    # Ranked: Bybit's expired-key entry shares the code as an alias, so it follows, below.
    assert [m.venue for m in matches[:2]] == ["binance", "bybit"] and matches[1].score < best.score
    # What the text says is told with the best match only, never in another venue's name.
    assert all(m.notes == () for m in matches[1:])


@pytest.mark.parametrize("text", ["retCode 10003", '{"retCode":10003,"retMsg":"API key is invalid."}'])
def test_bybit_ret_code(real_rules: Rules, text: str) -> None:
    best = match_error(real_rules, text)[0]
    assert (best.venue, best.id, best.values["code"]) == ("bybit", "retcode-10003", "10003")


def test_bybit_timing_values(real_rules: Rules) -> None:
    text = (
        '{"retCode":10002,"retMsg":"invalid request, please check your server timestamp or recv_window param. '
        'req_timestamp[1777636800000],server_timestamp[1777636807100],recv_window[5000]"}'
    )
    best = match_error(real_rules, text)[0]
    assert (best.venue, best.id) == ("bybit", "retcode-10002")
    assert best.values["request_timestamp"] == "1777636800000" and best.values["recv_window"] == "5000"
    assert best.notes == (
        "The request's timestamp was 7.1 s behind Bybit's clock (the receive window is 5 s): the bot's clock is "
        "slow or the request took long to arrive. Turn on time synchronisation (NTP).",
    )


def test_a_code_match_hides_entries_that_only_share_a_word(real_rules: Rules) -> None:
    assert [m.id for m in match_error(real_rules, '{"error":["EAPI:Invalid nonce"]}')] == ["eapi-invalid-nonce"]


# The support reply ----------------------------------------------------------------------------------------------


def test_a_camel_case_code_keeps_its_case(real_rules: Rules) -> None:
    # CCXT prints its exception class first ("AuthenticationError: coinbase …"); Kraken Futures' code
    # `authenticationError` differs only in its first letter and must not claim the text.
    ccxt = "AuthenticationError: coinbase GET https://api.coinbase.com/api/v3/brokerage/products 401 Unauthorized"
    matches = match_error(real_rules, ccxt)
    assert (matches[0].venue, matches[0].id) == ("coinbase", "unauthorized")
    assert all(m.matched != "code" for m in matches if m.venue == "kraken-futures")
    # Control: Kraken Futures' own answer, and CCXT's wrapping of it, still land on its entry by the code.
    for text in (
        '{"result":"error","serverTime":"2026-12-01T10:00:00.000Z","error":"authenticationError"}',
        'AuthenticationError: krakenfutures {"result":"error","error":"authenticationError"}',
    ):
        best = match_error(real_rules, text)[0]
        assert (best.venue, best.id, best.matched) == ("kraken-futures", "authentication-error", "code")


def test_reply_is_plain_text_from_the_venue_data(real_rules: Rules) -> None:
    text = '{"code":-2015,"msg":"Invalid API-key, IP, or permissions for action, request ip: 203.0.113.9"}'
    best = match_error(real_rules, text)[0]
    entry = next(e for e in real_rules.venue("binance").errors if e.id == best.id)
    reply = best.reply
    assert reply.startswith("Binance error -2015: “Invalid API-key, IP, or permissions for action.”")
    assert plain_text(entry.cause) in reply and plain_text(entry.fix) in reply
    assert "203.0.113.9" in reply
    # Without the site's address, the reply ends with the entry's address relative to the site root.
    assert reply.endswith(f"Step by step: venues/binance/#{best.id}") and best.url == f"venues/binance/#{best.id}"


def test_every_entry_has_a_reply_without_markdown(real_rules: Rules) -> None:
    for venue in real_rules.venues.values():
        for entry in venue.errors:
            match = next(m for m in match_error(real_rules, entry.code, venue.id) if m.id == entry.id)
            assert re.search(r"`|\*\*|\]\(", match.reply) is None, (venue.id, entry.id)
            assert match.reply.startswith(f"{venue.name} error {entry.code}")


@pytest.mark.parametrize(
    ("markdown", "plain"),
    [
        ("Send `X-BAPI-SIGN` as a **header**.", "Send X-BAPI-SIGN as a header."),
        (
            "See [the docs](https://example.com/a) and [Permissions](#permissions).",
            "See the docs (https://example.com/a) and Permissions.",
        ),
        (
            "Use *one* key;\n  keep recv_window and snake_case_names.",
            "Use one key; keep recv_window and snake_case_names.",
        ),
        ("A literal \\* star.", "A literal * star."),
    ],
)
def test_plain_text(markdown: str, plain: str) -> None:
    assert plain_text(markdown) == plain


def test_browser_entry_without_a_venue(rules_json: str) -> None:
    text = '{"code":-2015,"msg":"Invalid API-key, IP, or permissions for action, request ip: 203.0.113.9"}'
    site = "https://keys.example.org/guide/"
    response = json.loads(handle(rules_json, json.dumps({"op": "match_error", "text": text, "site_url": site})))
    best = response["matches"][0]
    assert (best["venue"], best["venue_name"], best["id"]) == ("binance", "Binance", "code-2015-rejected-mbx-key")
    assert best["values"]["request_ip"] == "203.0.113.9" and "203.0.113.9" in best["notes"][0]
    link = f"{site}venues/binance/#code-2015-rejected-mbx-key"
    assert best["url"] == link and best["reply"].endswith(f"Step by step: {link}")


@pytest.mark.parametrize(
    ("text", "anchor"),
    [
        ('{"msg":"Invalid Sign","code":"50113","data":[]}', "code-50113-invalid-signature"),
        ('{"msg":"Invalid OK-ACCESS-KEY","code":"50111","data":[]}', "code-50111-invalid-access-key"),
        ('{"msg":"OK-ACCESS-PASSPHRASE incorrect","code":"50105","data":[]}', "code-50105-passphrase-incorrect"),
        ('{"msg":"APIKey does not match current environment.","code":"50101"}', "code-50101-environment-mismatch"),
    ],
)
def test_okx(real_rules: Rules, text: str, anchor: str) -> None:
    assert top(real_rules, text) == ("okx", anchor)


@pytest.mark.parametrize(
    ("text", "anchor"),
    [
        ('{"code":"400005","msg":"Invalid KC-API-SIGN"}', "code-400005-signature-error"),
        ('{"code":"400003","msg":"KC-API-KEY not exists"}', "code-400003-key-not-exists"),
        ('{"code":"400004","msg":"Invalid KC-API-PASSPHRASE"}', "code-400004-passphrase-error"),
        ('{"code":"400006","msg":"The IP address is not in the API whitelist"}', "code-400006-ip-not-whitelisted"),
    ],
)
def test_kucoin(real_rules: Rules, text: str, anchor: str) -> None:
    assert top(real_rules, text) == ("kucoin", anchor)

"""Bitget against the real venue data: its error texts land on the guide's entries, the checker catches
Bitget's own traps (the passphrase, the `?` that appears once, the millisecond timestamp), and the guide's
signing example reproduces.

Error texts are the shapes Bitget returns (`{"code": "...", "msg": "...", "requestTime": ..., "data": null}`),
copied from user logs where one is public (CCXT issues 26838 and 27037, CCXT pull request 19778,
sieblyio/bitget-api issue 33) and otherwise built from Bitget's error table with the same envelope.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import best_match

from checker import (
    Request,
    Rules,
    diagnose_credentials,
    format_timestamp,
    match_error,
    run_selftest,
    scheme_for,
    sign_request,
)

ROOT = Path(__file__).resolve().parents[2]
VENUE = "bitget"
# Bitget's published example: its string to be signed, and the inputs it is built from.
DOC_PREHASH = "16273667805456GET/api/mix/v2/market/depth?limit=20&symbol=BTCUSDT"
DOC_PATH = "/api/mix/v2/market/depth"
DOC_TIMESTAMP = "16273667805456"


# Error lookup ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "anchor"),
    [
        # CCXT issue 27037: a live answer, as CCXT's C# client reported it.
        (
            '{"code":"40009","msg":"sign signature error","requestTime":1755453539736,"data":null}',
            "code-40009-sign-signature-error",
        ),
        # sieblyio/bitget-api issue 33: the body as the Node.js SDK printed it (a JS object, not JSON).
        (
            "body: {\n    code: '40006',\n    msg: 'Invalid ACCESS_KEY',\n    requestTime: 1707473926922,\n"
            "    data: null\n  }",
            "code-40006-invalid-access-key",
        ),
        # CCXT pull request 19778.
        (
            '{"code":"40037","msg":"Apikey does not exist","requestTime":"1698871811447","data":null}',
            "code-40037-apikey-does-not-exist",
        ),
        # CCXT issue 26838: a unified account's key on a version 2 endpoint, with CCXT's exchange-id prefix.
        (
            'bitget {"code":"40085","msg":"You are in Unified Account mode, and the Classic Account API is not '
            'supported at this time","requestTime":1757926150447,"data":null}',
            "code-40085-unified-account-mode",
        ),
        # Bitget's error table, in the same envelope.
        (
            '{"code":"40012","msg":"apikey/password is incorrect","requestTime":1764547200000,"data":null}',
            "code-40012-apikey-password-incorrect",
        ),
        (
            '{"code":"40011","msg":"ACCESS_PASSPHRASE cannot be empty","requestTime":1764547200000,"data":null}',
            "code-40011-passphrase-empty",
        ),
        (
            '{"code":"40008","msg":"Request timestamp expired","requestTime":1764547200000,"data":null}',
            "code-40008-timestamp-expired",
        ),
        ('{"code":"40018","msg":"Invalid IP","requestTime":1764547200000,"data":null}', "code-40018-invalid-ip"),
        (
            '{"code":"40014","msg":"Incorrect permissions, need spot permissions","requestTime":1764547200000,'
            '"data":null}',
            "code-40014-incorrect-permissions",
        ),
    ],
)
def test_bitget_errors_land_on_the_guide(real_rules: Rules, text: str, anchor: str) -> None:
    assert best_match(real_rules, text) == (VENUE, anchor)


def test_a_code_match_names_the_code_and_links_the_guide(real_rules: Rules) -> None:
    text = '{"code":"40009","msg":"sign signature error","requestTime":1755453539736,"data":null}'
    best = match_error(real_rules, text)[0]
    assert (best.matched, best.values["code"]) == ("code", "40009")
    assert best.url == "venues/bitget/#code-40009-sign-signature-error"
    assert best.reply.startswith("Bitget error 40009: “sign signature error”")
    # Other venues' signature entries may follow, but never above Bitget's own.
    assert all(m.score < best.score for m in match_error(real_rules, text)[1:])


def test_the_bare_code_is_enough(real_rules: Rules) -> None:
    assert best_match(real_rules, "Bitget said 40085") == (VENUE, "code-40085-unified-account-mode")


# Bitget's traps in the checker -------------------------------------------------------------------------------


def _codes(rules: Rules, creds: dict[str, str]) -> dict[str, tuple[str, str | None]]:
    return {f.code: (f.severity, f.anchor) for f in diagnose_credentials(rules, VENUE, creds).findings}


def test_valid_looking_credentials_pass(rules: Rules, valid: dict[str, dict[str, str]]) -> None:
    diagnosis = diagnose_credentials(rules, VENUE, valid[VENUE])
    assert diagnosis.ok
    assert {f.severity for f in diagnosis.findings} <= {"info"}


@pytest.mark.parametrize("passphrase", ["", " \t\n"])
def test_a_key_without_passphrase_is_refused(rules: Rules, valid: dict[str, dict[str, str]], passphrase: str) -> None:
    diagnosis = diagnose_credentials(rules, VENUE, {**valid[VENUE], "passphrase": passphrase})
    assert not diagnosis.ok
    finding = next(f for f in diagnosis.findings if f.code == "passphrase.empty")
    # The link goes to Bitget's passphrase entry, and the message names Bitget's own label.
    assert (finding.severity, finding.anchor) == ("error", "code-40012-apikey-password-incorrect")
    assert finding.message.startswith("Passphrase: ")


def test_a_bot_without_a_passphrase_field_is_caught(rules: Rules, valid: dict[str, dict[str, str]]) -> None:
    # A bot written for a two-value exchange sends no passphrase at all: the field is simply absent.
    creds = {k: v for k, v in valid[VENUE].items() if k != "passphrase"}
    assert _codes(rules, creds)["passphrase.empty"] == ("error", "code-40012-apikey-password-incorrect")


def test_missing_key_and_secret_link_to_their_entries(rules: Rules) -> None:
    findings = {f.field: f.anchor for f in diagnose_credentials(rules, VENUE, {}).findings}
    assert findings == {
        "api_key": "code-40006-invalid-access-key",
        "api_secret": "code-40009-sign-signature-error",
        "passphrase": "code-40012-apikey-password-incorrect",
    }


@pytest.mark.parametrize(
    ("passphrase", "code"),
    [("mypassphrase", "passphrase.placeholder"), ("blue horse 123", "passphrase.interior_whitespace")],
)
def test_a_chosen_passphrase_is_only_warned_about(
    rules: Rules, valid: dict[str, dict[str, str]], passphrase: str, code: str
) -> None:
    # Bitget lets the reader choose the passphrase, so an odd one may be real: a warning, never an error.
    diagnosis = diagnose_credentials(rules, VENUE, {**valid[VENUE], "passphrase": passphrase})
    assert next(f for f in diagnosis.findings if f.code == code).severity == "warning"
    assert diagnosis.ok


def test_a_secret_with_a_line_break_inside_is_an_error(rules: Rules, valid: dict[str, dict[str, str]]) -> None:
    secret = valid[VENUE]["api_secret"]
    creds = {**valid[VENUE], "api_secret": secret[:10] + "\n" + secret[10:]}
    finding = next(f for f in diagnose_credentials(rules, VENUE, creds).findings if f.field == "api_secret")
    assert (finding.code, finding.severity, finding.position) == ("api_secret.interior_whitespace", "error", 10)
    assert finding.anchor == "code-40009-sign-signature-error"


def test_a_swap_of_secret_and_passphrase_cannot_be_told(rules: Rules, valid: dict[str, dict[str, str]]) -> None:
    # The guide says so (pitfall "secret-passphrase-swapped"): Bitget documents no format for either value.
    creds = valid[VENUE]
    swapped = {**creds, "api_secret": creds["passphrase"], "passphrase": creds["api_secret"]}
    codes = _codes(rules, swapped)
    assert not any(code.endswith(".swapped") for code in codes)
    assert codes["api_secret.swap_undetectable"][0] == "info"


def test_bitget_timestamps_are_milliseconds(real_rules: Rules) -> None:
    scheme = scheme_for(real_rules.venue(VENUE))
    assert scheme.timestamp_format == "unix_ms"
    assert scheme.fresh_values(1_764_547_200_123) == {"timestamp": "1764547200123"}
    assert format_timestamp(1_764_547_200_123, "unix_ms") == "1764547200123"


@pytest.mark.parametrize("query", ["limit=20&symbol=BTCUSDT", "?limit=20&symbol=BTCUSDT"])
def test_the_question_mark_appears_once(real_rules: Rules, query: str) -> None:
    # Bitget's own example writes the query string with its '?'; pasting it so must not sign '??'.
    request = Request(method="GET", path=DOC_PATH, query=query, timestamp=DOC_TIMESTAMP)
    signed = sign_request(real_rules, VENUE, {"api_secret": "secret"}, request)
    assert signed.prehash == DOC_PREHASH and signed.prehash.count("?") == 1
    assert signed.url == "https://api.bitget.com" + DOC_PATH + "?limit=20&symbol=BTCUSDT"
    assert signed.signature == real_rules.venue(VENUE).signing.example.signature  # type: ignore[union-attr]


def test_no_query_signs_no_question_mark(real_rules: Rules) -> None:
    request = Request(method="GET", path="/api/v2/spot/account/assets", timestamp="1764547200000")
    signed = sign_request(real_rules, VENUE, {"api_secret": "secret"}, request)
    assert signed.prehash == "1764547200000GET/api/v2/spot/account/assets"
    assert "?" not in signed.prehash and "?" not in signed.url


def test_a_post_body_is_signed_as_sent(real_rules: Rules) -> None:
    # Bitget's second example: the POST string to be signed is timestamp + method + path + body, no '?'.
    body = (
        '{"productType":"usdt-futures","symbol":"BTCUSDT","size":"8","marginMode":"crossed","side":"buy",'
        '"orderType":"limit","clientOid":"channel#123456"}'
    )
    request = Request(method="POST", path="/api/v2/mix/order/place-order", body=body, timestamp=DOC_TIMESTAMP)
    signed = sign_request(real_rules, VENUE, {"api_secret": "secret"}, request)
    assert signed.prehash == "16273667805456POST/api/v2/mix/order/place-order" + body


def test_headers_carry_locale_and_never_the_passphrase(real_rules: Rules, valid: dict[str, dict[str, str]]) -> None:
    creds = valid[VENUE]
    request = Request(method="GET", path="/api/v2/spot/account/assets", timestamp="1764547200000")
    signed = sign_request(real_rules, VENUE, creds, request)
    headers = dict(signed.headers)
    assert headers["locale"] == "en-US"
    assert headers["ACCESS-KEY"] == creds["api_key"] and headers["ACCESS-TIMESTAMP"] == "1764547200000"
    shown = json.dumps(signed.to_dict())
    assert creds["passphrase"] not in shown and creds["api_secret"] not in shown
    assert headers["ACCESS-PASSPHRASE"] != creds["passphrase"]


# The signing example --------------------------------------------------------------------------------------------


def test_the_signing_example_reproduces(real_rules: Rules) -> None:
    result = run_selftest(real_rules, VENUE)
    assert result.ok and result.prehash_ok is True
    assert result.official is False
    assert result.signature == "RI9g5pCkEX/+tr0RueyMGckGzeuXz9BiN78aBgIEayo="

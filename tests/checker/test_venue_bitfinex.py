"""Bitfinex (API v2) against the real venue data: its error texts land on the right guide entries, the checker
catches Bitfinex's own pitfalls, and the guide's signing example reproduces.

Error texts are in the shapes Bitfinex sends: the array `["error", CODE, "text"]` of the v2 authenticated
endpoints (user logs in JKorf/Bitfinex.Net#78 and bitfinexcom/bitfinex-api-node#575, Bitfinex's own
bfx-api-node-rest tests), `{"error": "ERR_RATE_LIMIT"}` from the Requirements and Limitations page,
`["error", 20060, "maintenance"]` from the REST General page, and the 503 body quoted in CCXT's Bitfinex source.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from pathlib import Path

import pytest
from conftest import best_match, finding_codes

from checker import (
    CheckerInputError,
    Request,
    Rules,
    compare_signature,
    diagnose_credentials,
    fill_request,
    match_error,
    prepare_request,
    run_selftest,
    sign_request,
)

ROOT = Path(__file__).resolve().parents[2]
VENUE = "bitfinex"
# The largest nonce Bitfinex accepts (JavaScript's MAX_SAFE_INTEGER), from Requirements and Limitations.
MAX_NONCE = 9_007_199_254_740_991


# (1) Bitfinex's error texts, as the API returns them, land on the guide's entries -------------------------------


@pytest.mark.parametrize(
    ("text", "anchor"),
    [
        ('["error",10114,"nonce: small"]', "code-10114-nonce-small"),
        # As CCXT reports it: exchange id, then Bitfinex's body.
        ('bitfinex ["error",10114,"nonce: small"]', "code-10114-nonce-small"),
        # The v1 API's wording, still printed by older bots.
        ('{"message":"Nonce is too small."}', "code-10114-nonce-small"),
        ('["error",10100,"apikey: digest invalid"]', "apikey-digest-invalid"),
        ('["error",10100,"apikey: invalid"]', "apikey-invalid"),
        ('["error",10001,"api_key: permission invalid"]', "api-key-permission-invalid"),
        ('{"error": "ERR_RATE_LIMIT"}', "err-rate-limit"),
        ('["error", 20060, "maintenance"]', "code-20060-maintenance"),
        (
            '{"code":503,"error":"temporarily_unavailable","error_description":"Sorry, the service is temporarily '
            'unavailable. See https://www.bitfinex.com/ for more info."}',
            "temporarily-unavailable",
        ),
        ('["error",10020,"limit: invalid"]', "code-10020-request-parameters"),
        ('["error",10001,"Invalid order: minimum size for TRXUSD is 22"]', "invalid-order-minimum-size"),
        ("Invalid order: not enough exchange balance for 1.0 BTCUSD at 299.0", "not-enough-exchange-balance"),
    ],
)
def test_bitfinex_error_texts(real_rules: Rules, text: str, anchor: str) -> None:
    assert best_match(real_rules, text) == (VENUE, anchor)


def test_the_two_10100_texts_stay_apart(real_rules: Rules) -> None:
    # Both arrive with code 10100; the text decides between a bad signature and an unknown key.
    digest = match_error(real_rules, '["error",10100,"apikey: digest invalid"]', VENUE)
    assert [m.id for m in digest[:2]] == ["apikey-digest-invalid", "apikey-invalid"]
    assert digest[0].matched == "code" and digest[1].matched == "alias" and digest[1].score < digest[0].score
    unknown = match_error(real_rules, '["error",10100,"apikey: invalid"]', VENUE)
    assert unknown[0].id == "apikey-invalid" and unknown[0].score > unknown[1].score


def test_generic_code_10001_does_not_decide(real_rules: Rules) -> None:
    # 10001 is Bitfinex's generic code: the text names the problem, and a Bybit entry that shares the number
    # ranks below the Bitfinex entry the text names.
    matches = match_error(real_rules, '["error",10001,"Invalid order: minimum size for BTC/USD is 0.0002"]')
    assert (matches[0].venue, matches[0].id) == (VENUE, "invalid-order-minimum-size")
    assert all(m.score < matches[0].score for m in matches[1:])


def test_reply_names_the_code_and_the_fix(real_rules: Rules) -> None:
    best = match_error(real_rules, '["error",10114,"nonce: small"]')[0]
    assert best.reply.startswith("Bitfinex error 10114: “nonce: small”")
    assert "own key" in best.fix and best.url == "venues/bitfinex/#code-10114-nonce-small"


# (2) Bitfinex's own pitfalls, as the checker sees them ----------------------------------------------------------


def test_valid_looking_pair_passes(rules: Rules, valid: dict[str, dict[str, str]]) -> None:
    diagnosis = diagnose_credentials(rules, VENUE, valid[VENUE])
    assert diagnosis.ok
    # Bitfinex documents no key format, so a swap of the two values cannot be seen; the checker says so.
    assert [f.code for f in diagnosis.findings] == ["api_secret.swap_undetectable"]


def test_secret_with_a_trailing_newline(rules: Rules, valid: dict[str, dict[str, str]]) -> None:
    # A copied line break is the classic cause of "apikey: digest invalid": the checker names it, links the
    # signature entry, and signs the trimmed value.
    padded = {**valid[VENUE], "api_secret": valid[VENUE]["api_secret"] + "\n"}
    finding = next(f for f in diagnose_credentials(rules, VENUE, padded).findings if f.code == "api_secret.trimmed")
    assert finding.anchor == "apikey-digest-invalid"
    request = Request("POST", "/v2/auth/r/wallets", body="{}", nonce="1764547200000000")
    assert (
        sign_request(rules, VENUE, padded, request).signature
        == sign_request(rules, VENUE, valid[VENUE], request).signature
    )


def test_space_inside_the_secret_is_flagged(rules: Rules, valid: dict[str, dict[str, str]]) -> None:
    # Bitfinex documents no alphabet, so the format is "printable" and a space is only a warning, but it is
    # named with its position and linked to the signature entry.
    secret = valid[VENUE]["api_secret"]
    creds = {**valid[VENUE], "api_secret": secret[:10] + " " + secret[10:]}
    finding = next(f for f in diagnose_credentials(rules, VENUE, creds).findings if f.code.endswith("whitespace"))
    assert (finding.position, finding.severity, finding.anchor) == (10, "warning", "apikey-digest-invalid")


def test_zero_width_character_in_the_key_is_an_error(rules: Rules, valid: dict[str, dict[str, str]]) -> None:
    key = valid[VENUE]["api_key"]
    creds = {**valid[VENUE], "api_key": key[:5] + "\u200b" + key[5:]}
    diagnosis = diagnose_credentials(rules, VENUE, creds)
    finding = next(f for f in diagnosis.findings if f.code == "api_key.zero_width")
    assert (finding.position, finding.severity, finding.anchor) == (5, "error", "apikey-invalid")
    assert not diagnosis.ok


def test_key_pasted_into_both_fields(rules: Rules, valid: dict[str, dict[str, str]]) -> None:
    key = valid[VENUE]["api_key"]
    assert "api_secret.same_as_key" in finding_codes(rules, VENUE, {"api_key": key, "api_secret": key})


def test_empty_key_links_to_the_unknown_key_entry(rules: Rules, valid: dict[str, dict[str, str]]) -> None:
    findings = diagnose_credentials(rules, VENUE, {**valid[VENUE], "api_key": ""}).findings
    empty = next(f for f in findings if f.code == "api_key.empty")
    assert empty.severity == "error" and empty.anchor == "apikey-invalid"


def test_a_passphrase_is_not_a_bitfinex_field(rules: Rules, valid: dict[str, dict[str, str]]) -> None:
    # Bots built for OKX or KuCoin ask for a passphrase; Bitfinex keys have none, and nothing extra is signed.
    diagnosis = diagnose_credentials(rules, VENUE, {**valid[VENUE], "passphrase": "Blue-Horse-42"})
    assert next(f for f in diagnosis.findings if f.code == "passphrase.unknown_field").severity == "info"
    request = Request("POST", "/v2/auth/r/wallets", body="{}", nonce="1764547200000000")
    signed = sign_request(rules, VENUE, {**valid[VENUE], "passphrase": "Blue-Horse-42"}, request)
    assert signed.signature == sign_request(rules, VENUE, valid[VENUE], request).signature
    assert set(signed.headers) == {"bfx-nonce", "bfx-apikey", "bfx-signature", "Content-Type"}


def test_signed_text_carries_the_api_prefix_the_url_does_not(rules: Rules, valid: dict[str, dict[str, str]]) -> None:
    venue = rules.venue(VENUE)
    assert venue.signing is not None and venue.signing.test_request is not None
    request = fill_request(venue.signing.test_request, nonce="1764547200000000")
    result = sign_request(rules, VENUE, valid[VENUE], request)
    assert result.prehash == "/api/v2/auth/r/wallets1764547200000000{}"
    assert result.url == "https://api.bitfinex.com/v2/auth/r/wallets" and result.send_body == "{}"
    expected = hmac.new(valid[VENUE]["api_secret"].encode(), result.prehash.encode(), hashlib.sha384).hexdigest()
    # HMAC-SHA384 in lowercase hex: 96 characters, never base64.
    assert result.signature == expected and len(result.signature) == 96
    assert result.headers == {
        "bfx-nonce": "1764547200000000",
        "bfx-apikey": valid[VENUE]["api_key"],
        "bfx-signature": result.signature,
        "Content-Type": "application/json",
    }
    assert valid[VENUE]["api_secret"] not in json.dumps(result.to_dict())


def test_signing_without_the_api_prefix_gives_another_signature(rules: Rules, valid: dict[str, dict[str, str]]) -> None:
    # The pitfall "/api/ in the signed text": a hand-made signature over the bare path does not match.
    request = Request("POST", "/v2/auth/r/wallets", body="{}", nonce="1764547200000000")
    ours = sign_request(rules, VENUE, valid[VENUE], request).signature
    bare = hmac.new(
        valid[VENUE]["api_secret"].encode(), b"/v2/auth/r/wallets1764547200000000{}", hashlib.sha384
    ).hexdigest()
    comparison = compare_signature(ours, bare, rules.venue(VENUE).signing.example.compare)  # type: ignore[union-attr]
    assert not comparison.match and comparison.likely_cause == "different_input"


def test_body_is_signed_byte_for_byte(rules: Rules, valid: dict[str, dict[str, str]]) -> None:
    # The same JSON with other spacing is another signed text: sign exactly what is sent.
    compact = Request("POST", "/v2/auth/w/order/submit", body='{"type":"EXCHANGE LIMIT"}', nonce="1764547200000000")
    spaced = Request("POST", "/v2/auth/w/order/submit", body='{"type": "EXCHANGE LIMIT"}', nonce="1764547200000000")
    assert (
        sign_request(rules, VENUE, valid[VENUE], compact).signature
        != sign_request(rules, VENUE, valid[VENUE], spaced).signature
    )
    # An empty body signs path + nonce only, as Bitfinex's Python library does; "{}" is another text.
    empty = sign_request(rules, VENUE, valid[VENUE], Request("POST", "/v2/auth/r/wallets", nonce="1764547200000000"))
    assert empty.prehash == "/api/v2/auth/r/wallets1764547200000000"


def test_a_base64_signature_is_recognised(rules: Rules, valid: dict[str, dict[str, str]]) -> None:
    request = Request("POST", "/v2/auth/r/wallets", body="{}", nonce="1764547200000000")
    ours = sign_request(rules, VENUE, valid[VENUE], request).signature
    theirs = base64.b64encode(bytes.fromhex(ours)).decode()
    assert compare_signature(ours, theirs, "exact").likely_cause == "base64_instead_of_hex"


def test_nonce_is_required(rules: Rules, valid: dict[str, dict[str, str]]) -> None:
    with pytest.raises(CheckerInputError, match="nonce"):
        sign_request(rules, VENUE, valid[VENUE], Request("POST", "/v2/auth/r/wallets", body="{}"))


def test_checker_nonce_is_in_microseconds(rules: Rules) -> None:
    # The FAQ "checker-nonce-units" rests on this: the page's fresh nonce is Unix microseconds (16 digits), as
    # Bitfinex's own library sends, so a key that has seen microsecond nonces accepts it; a typed one is kept.
    fresh = prepare_request(rules, VENUE, 1_764_547_200_123, {})["fields"]
    assert fresh == {
        "method": "POST",
        "path": "/v2/auth/r/wallets",
        "query": "",
        "body": "{}",
        "nonce": "1764547200123000",
    }
    typed = prepare_request(rules, VENUE, 1_764_547_200_123, {"nonce": "1764547200123456"})["fields"]
    assert typed["nonce"] == "1764547200123456"


# (3) The guide's signing example reproduces ----------------------------------------------------------------------


def test_selftest_reproduces_the_computed_example(real_rules: Rules) -> None:
    result = run_selftest(real_rules, VENUE)
    assert result.ok and not result.official
    assert result.signature == (
        "afbf78cd51a89892e09129309adef95416cd1975e061c03e37a7e5b9080a7a68ed081a16f21ef29e55493f0f61388a1e"
    )
    # The same value from the documented formula, computed here without the checker.
    direct = hmac.new(b"secret", b"/api/v2/auth/r/wallets1700000000000000{}", hashlib.sha384).hexdigest()
    assert result.signature == direct

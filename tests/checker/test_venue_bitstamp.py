"""Bitstamp (API v2, X-Auth headers) against the real venue data: its error bodies land on the right guide
entries, the checker catches Bitstamp's own pitfalls, and the guide's signing example reproduces.

Error texts are the JSON bodies Bitstamp returns: `{"status": "error", "reason": …, "code": "API00xx"}` for the
authentication errors (reasons from Bitstamp's "Possible authentication errors" table; the shape from a user's
live 403 response and CCXT's comment `{status: 'error', reason: 'Invalid nonce', code: 'API0004'}`), and
`{"status": "error", "reason": {"__all__": [...]}, "response_code": "403.004"}` for the others (CCXT's comment).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from pathlib import Path

import pytest
from conftest import best_match

from checker import (
    SCHEMES,
    CheckerInputError,
    Request,
    Rules,
    diagnose_credentials,
    match_error,
    prepare_request,
    run_selftest,
    sign_request,
    signatures_equal,
)

ROOT = Path(__file__).resolve().parents[2]
VENUE = "bitstamp"
FORM = "application/x-www-form-urlencoded"
NONCE = "f93c979d-b00d-43a9-9b9c-fd4cd9547fa6"
TIMESTAMP = "1700000000000"


def _hmac_hex(secret: str, text: str) -> str:
    return hmac.new(secret.encode(), text.encode(), hashlib.sha256).hexdigest()


# (1) Bitstamp's error bodies, as the API returns them, land on the guide's entries ----------------------------


@pytest.mark.parametrize(
    ("text", "anchor"),
    [
        ('{"status": "error", "reason": "Invalid signature", "code": "API0005"}', "api0005-invalid-signature"),
        ('{"status": "error", "reason": "API key not found", "code": "API0001"}', "api0001-api-key-not-found"),
        ('{"status": "error", "reason": "IP address not allowed", "code": "API0002"}', "api0002-ip-not-allowed"),
        ('{"status": "error", "reason": "No permission found", "code": "API0003"}', "api0003-no-permission"),
        ('{"status":"error","reason":"Invalid nonce","code":"API0004"}', "api0004-invalid-nonce"),
        (
            '{"status": "error", "reason": "X-Auth-Timestamp header is out of boundaries", "code": "API0017"}',
            "api0017-timestamp-out-of-bounds",
        ),
        (
            '{"status": "error", "reason": "Content-Type header should not be present", "code": "API0020"}',
            "api0020-content-type-not-allowed",
        ),
        ('{"status": "error", "reason": "Wrong API key format", "code": "API0011"}', "api0011-wrong-api-key-format"),
        (
            '{"status": "error", "reason": {"__all__": ["Trading is currently unavailable for your account."]}, '
            '"response_code": "403.004"}',
            "code-403-004-trading-blocked",
        ),
        # As CCXT reports it: exchange id, then Bitstamp's body.
        ('bitstamp {"status": "error", "reason": "Invalid signature", "code": "API0005"}', "api0005-invalid-signature"),
        # A bare code, as support gets it pasted.
        ("API0020", "api0020-content-type-not-allowed"),
    ],
)
def test_bitstamp_error_bodies(real_rules: Rules, text: str, anchor: str) -> None:
    assert best_match(real_rules, text) == (VENUE, anchor)


def test_the_permission_error_names_its_box(real_rules: Rules) -> None:
    best = match_error(real_rules, '{"status": "error", "reason": "No permission found", "code": "API0003"}')[0]
    assert best.kind == "permission" and best.matched == "code"
    assert best.reply.startswith("Bitstamp error API0003")
    assert "Account balance" in best.cause and best.url == "venues/bitstamp/#api0003-no-permission"


def test_codes_are_matched_whole(real_rules: Rules) -> None:
    # API0001 must not claim a text that only contains API00010-like noise, and API0002's text is not API0020's.
    assert best_match(real_rules, '{"status": "error", "reason": "IP address not allowed", "code": "API0002"}')[1] == (
        "api0002-ip-not-allowed"
    )
    assert all(m.id != "api0001-api-key-not-found" for m in match_error(real_rules, "API00010", VENUE))


# (2) Bitstamp's own pitfalls, as the checker sees them ------------------------------------------------------------


def test_valid_looking_pair_passes(rules: Rules, valid: dict[str, dict[str, str]]) -> None:
    diagnosis = diagnose_credentials(rules, VENUE, valid[VENUE])
    assert diagnosis.ok
    # Key and Secret have the same observed shape, so a swap cannot be seen; the checker says so.
    assert [f.code for f in diagnosis.findings] == ["api_secret.swap_undetectable"]


def test_x_auth_header_value_pasted_as_the_key(rules: Rules, valid: dict[str, dict[str, str]]) -> None:
    # The X-Auth header is "BITSTAMP " + key; pasting the header value puts a space inside the key.
    diagnosis = diagnose_credentials(rules, VENUE, {**valid[VENUE], "api_key": "BITSTAMP " + valid[VENUE]["api_key"]})
    finding = next(f for f in diagnosis.findings if f.field == "api_key" and f.severity == "error")
    assert finding.position == len("BITSTAMP")
    assert finding.anchor == "api0001-api-key-not-found"
    assert not diagnosis.ok


def test_docs_placeholders_are_caught(rules: Rules) -> None:
    # Bitstamp's authentication examples use `api_key` and `api_key_secret`; they never authenticate.
    findings = diagnose_credentials(rules, VENUE, {"api_key": "api_key", "api_secret": "api_key_secret"}).findings
    codes = {(f.code, f.severity) for f in findings}
    # `api_key` reads as a placeholder word before it is recognised as the docs' sample; either way it is refused.
    assert codes & {("api_key.sample", "error"), ("api_key.placeholder", "error")}
    assert ("api_secret.sample", "error") in codes
    anchors = {f.field: f.anchor for f in findings}
    assert anchors == {"api_key": "api0001-api-key-not-found", "api_secret": "api0005-invalid-signature"}


def test_secret_with_stray_character(rules: Rules, valid: dict[str, dict[str, str]]) -> None:
    secret = valid[VENUE]["api_secret"]
    diagnosis = diagnose_credentials(rules, VENUE, {**valid[VENUE], "api_secret": secret[:5] + "-" + secret[5:]})
    finding = next(f for f in diagnosis.findings if f.code == "api_secret.alphabet")
    assert (finding.position, finding.severity, finding.anchor) == (5, "error", "api0005-invalid-signature")


def test_missing_key_is_a_clear_error(rules: Rules, valid: dict[str, dict[str, str]]) -> None:
    # Bitstamp signs the key itself ("BITSTAMP " + key starts the signed text): no key, no signature.
    request = Request("POST", "/api/v2/account_balances/", nonce=NONCE, timestamp=TIMESTAMP)
    secret = valid[VENUE]["api_secret"]
    with pytest.raises(CheckerInputError) as raised:
        sign_request(rules, VENUE, {"api_secret": secret}, request)
    assert "Key" in str(raised.value) and secret not in str(raised.value)


def test_empty_body_sends_and_signs_no_content_type(rules: Rules, valid: dict[str, dict[str, str]]) -> None:
    # API0020: without a body, Content-Type must be left out of the headers and of the signed text.
    key, secret = valid[VENUE]["api_key"], valid[VENUE]["api_secret"]
    request = Request("POST", "/api/v2/account_balances/", nonce=NONCE, timestamp=TIMESTAMP)
    result = sign_request(rules, VENUE, valid[VENUE], request)
    assert "Content-Type" not in result.headers
    expected = f"BITSTAMP {key}POSTwww.bitstamp.net/api/v2/account_balances/{NONCE}{TIMESTAMP}v2"
    assert result.prehash == expected
    assert result.signature == _hmac_hex(secret, expected)
    assert "--data-raw" not in result.curl()


def test_form_body_sends_and_signs_its_content_type(rules: Rules, valid: dict[str, dict[str, str]]) -> None:
    key = valid[VENUE]["api_key"]
    request = Request("POST", "/api/v2/user_transactions/", body="offset=1", nonce=NONCE, timestamp=TIMESTAMP)
    result = sign_request(rules, VENUE, valid[VENUE], request)
    assert result.headers["Content-Type"] == FORM
    assert (
        result.prehash
        == f"BITSTAMP {key}POSTwww.bitstamp.net/api/v2/user_transactions/{FORM}{NONCE}{TIMESTAMP}v2offset=1"
    )


def test_headers_and_host_in_signed_text(rules: Rules, valid: dict[str, dict[str, str]]) -> None:
    key = valid[VENUE]["api_key"]
    request = Request("POST", "/api/v2/account_balances/", nonce=NONCE, timestamp=TIMESTAMP)
    result = sign_request(rules, VENUE, valid[VENUE], request)
    assert result.headers["X-Auth"] == "BITSTAMP " + key
    assert result.headers["X-Auth-Nonce"] == NONCE and result.headers["X-Auth-Timestamp"] == TIMESTAMP
    assert result.headers["X-Auth-Version"] == "v2"
    # The host is signed without a scheme; the path keeps its trailing slash.
    assert "www.bitstamp.net/api/v2/account_balances/" in result.prehash and "https://" not in result.prehash
    assert result.url == "https://www.bitstamp.net/api/v2/account_balances/"
    # The secret never shows in what the checker prints.
    assert valid[VENUE]["api_secret"] not in result.curl() + json.dumps(result.to_dict())


def test_signature_case_is_free(rules: Rules, valid: dict[str, dict[str, str]]) -> None:
    # Bitstamp's Python example prints lowercase hex, its Java example uppercase: both are accepted.
    request = Request("POST", "/api/v2/account_balances/", nonce=NONCE, timestamp=TIMESTAMP)
    signature = sign_request(rules, VENUE, valid[VENUE], request).signature
    venue = rules.venue(VENUE)
    assert venue.signing is not None and venue.signing.example is not None
    assert signatures_equal(signature, signature.upper(), venue.signing.example.compare)


def test_test_request_is_the_bodyless_balance_call(rules: Rules) -> None:
    fields = prepare_request(rules, VENUE, 1_700_000_000_000, {"nonce": NONCE})["fields"]
    assert (fields["method"], fields["path"], fields["body"]) == ("POST", "/api/v2/account_balances/", "")
    assert fields["nonce"] == NONCE
    # The timestamp is Unix milliseconds: 13 digits, not seconds.
    assert fields["timestamp"] == "1700000000000"


def test_fresh_nonce_has_bitstamps_shape() -> None:
    """Bitstamp signs a UUID nonce: the page's random UUID is used as given, and none means a clear error."""
    uuid = "0b7e4f1a-9c2d-4e3f-8a1b-6c5d4e3f2a1b"
    assert SCHEMES["bitstamp_v2"].fresh_values(1_700_000_000_000, uuid)["nonce"] == uuid
    with pytest.raises(CheckerInputError, match="random UUID"):
        SCHEMES["bitstamp_v2"].fresh_values(1_700_000_000_000)
    # Bitfinex documents microseconds.
    assert SCHEMES["bitfinex_v2"].fresh_values(1_700_000_000_000)["nonce"] == "1700000000000000"


# (3) The guide's signing example reproduces ---------------------------------------------------------------------


def test_selftest_reproduces(rules: Rules) -> None:
    result = run_selftest(rules, VENUE)
    assert result.ok and not result.official
    assert result.signature == "c1b83d0114136954599dcd36ac3b63563b2b5df50a7918e036fec3ad7eb5cc04"


def test_example_matches_the_computed_vector() -> None:
    vectors = json.loads((Path(__file__).parent / "vectors.json").read_text(encoding="utf-8"))
    vector = next(v for v in vectors if v["id"] == "bitstamp_v2_computed_balance")
    i = vector["inputs"]
    prehash = (
        "BITSTAMP "
        + i["api_key"]
        + i["method"]
        + i["host"]
        + i["path"]
        + i["query"]
        + i["content_type"]
        + i["nonce"]
        + i["timestamp"]
        + i["version"]
        + i["body"]
    )
    assert _hmac_hex(i["secret"], prehash) == vector["expected"]

"""Gemini (REST v1) against the real venue data: its error bodies land on the right guide entries, the checker
catches Gemini's own pitfalls, and Gemini's published signing example reproduces.

Error texts are the JSON bodies Gemini returns (`{"result": "error", "reason": …, "message": …}`), with the
messages seen in public bug reports (ccxt/ccxt#3603, ccxt/ccxt#19320, ccxt/ccxt#16036, butor/blackbird#306)
and the MissingRole example of Gemini's roles documentation.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from pathlib import Path

import pytest
from conftest import best_match

from checker import (
    CheckerInputError,
    Request,
    Rules,
    diagnose_credentials,
    fill_request,
    match_error,
    prepare_request,
    run_selftest,
    sign_request,
)

ROOT = Path(__file__).resolve().parents[2]
VENUE = "gemini"
NOW_MS = 1_764_547_200_123  # 2025-12-01T00:00:00.123Z


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


# (1) Gemini's error bodies, as the API returns them, land on the guide's entries ------------------------------


@pytest.mark.parametrize(
    ("text", "anchor"),
    [
        # A seconds nonce on a key that had seen milliseconds (ccxt/ccxt#3603).
        (
            '{"result":"error","reason":"InvalidNonce","message":"Nonce \'1533831705\' has not increased since '
            'your last call to the Gemini API."}',
            "invalid-nonce",
        ),
        # A milliseconds nonce on a key with "Uses a time based nonce" (ccxt/ccxt#19320, the stray quote included).
        (
            '{"result":"error","reason":"InvalidNonce","message":"Nonce \'1695066299324\' is not within 30 seconds '
            "of server time '1695066301''\"}",
            "invalid-nonce",
        ),
        # butor/blackbird#306: Gemini repeats the reason as the message.
        ('{"result": "error", "reason": "InvalidSignature", "message": "InvalidSignature"}', "invalid-signature"),
        # The example body of Gemini's roles documentation.
        (
            '{"result":"error","reason":"MissingRole","message":"To access this endpoint, you need to log in to the '
            "website and go to the settings page to assign one of these roles [FundManager] to API key "
            'wujB3szN54gtJ4QDhqRJ which currently has roles [Trader]"}',
            "missing-role",
        ),
        # As CCXT reports the time-based case: no reason, only the message (ccxt/ccxt#16036).
        (
            "InvalidNonce: gemini Nonce '1670623439828' is not within 30 seconds of server time '1670623440''",
            "invalid-nonce",
        ),
        # Bare reasons, as support gets them pasted.
        ("RemoteAddressForbidden", "remote-address-forbidden"),
        ("EndpointMismatch", "endpoint-mismatch"),
        ("AccountsOnGroupOnlyApi", "accounts-on-group-only-api"),
    ],
)
def test_gemini_error_bodies(real_rules: Rules, text: str, anchor: str) -> None:
    assert best_match(real_rules, text) == (VENUE, anchor)


def test_the_nonce_message_alone_finds_the_entry(real_rules: Rules) -> None:
    # A log that kept only Gemini's message (no reason) still lands on the nonce entry, by its wording.
    text = "Nonce '1533831705' has not increased since your last call to the Gemini API."
    best = match_error(real_rules, text)[0]
    assert (best.venue, best.id, best.matched) == (VENUE, "invalid-nonce", "alias")


def test_reasons_are_whole_words(real_rules: Rules) -> None:
    # "InvalidSignature" is not another venue's INVALID_SIGNATURE, and the reverse.
    assert all(m.venue != VENUE for m in match_error(real_rules, '{"label":"INVALID_SIGNATURE"}'))


# (2) Gemini's pitfalls, caught by the checker -----------------------------------------------------------------


def test_valid_looking_key_passes(rules: Rules, valid: dict[str, dict[str, str]]) -> None:
    diagnosis = diagnose_credentials(rules, VENUE, valid[VENUE])
    assert diagnosis.ok


def test_account_level_key_passes(rules: Rules, valid: dict[str, dict[str, str]]) -> None:
    creds = {**valid[VENUE], "api_key": "account-" + valid[VENUE]["api_key"][:20]}
    assert diagnose_credentials(rules, VENUE, creds).ok


def test_documentation_example_secret_is_rejected(rules: Rules, valid: dict[str, dict[str, str]]) -> None:
    # Gemini's worked signing example uses the secret 1234abcd; pasted as one's own, it never authenticates.
    creds = {**valid[VENUE], "api_secret": "1234abcd"}
    diagnosis = diagnose_credentials(rules, VENUE, creds)
    finding = next(f for f in diagnosis.findings if f.code == "api_secret.sample")
    assert finding.severity == "error" and finding.anchor == "invalid-signature"
    assert "1234abcd" not in finding.message
    assert not diagnosis.ok


@pytest.mark.parametrize(("field", "value"), [("api_key", "GEMINI_API_KEY"), ("api_secret", "GEMINI_API_SECRET")])
def test_documentation_placeholders_are_rejected(
    rules: Rules, valid: dict[str, dict[str, str]], field: str, value: str
) -> None:
    # The code samples of Gemini's docs sign with these literal strings.
    diagnosis = diagnose_credentials(rules, VENUE, {**valid[VENUE], field: value})
    assert f"{field}.sample" in [f.code for f in diagnosis.findings] and not diagnosis.ok


def test_a_missing_secret_links_to_the_signature_entry(rules: Rules, valid: dict[str, dict[str, str]]) -> None:
    findings = diagnose_credentials(rules, VENUE, {"api_key": valid[VENUE]["api_key"], "api_secret": ""}).findings
    empty = next(f for f in findings if f.code == "api_secret.empty")
    assert empty.anchor == "invalid-signature"


def test_payload_travels_in_a_header_with_an_empty_body(rules: Rules, valid: dict[str, dict[str, str]]) -> None:
    creds = valid[VENUE]
    template = rules.venue(VENUE).signing.test_request  # type: ignore[union-attr]
    assert template is not None
    request = fill_request(template, nonce=NOW_MS)
    payload = f'{{"request":"/v1/balances","nonce":{NOW_MS}}}'
    assert request.body == payload
    result = sign_request(rules, VENUE, creds, request)
    # POST with Content-Length 0: nothing is sent as the body, the JSON goes base64-encoded in a header.
    assert result.send_body is None and result.method == "POST"
    assert result.headers["Content-Length"] == "0" and result.headers["Content-Type"] == "text/plain"
    assert result.headers["X-GEMINI-PAYLOAD"] == _b64(payload) == result.prehash
    expected = hmac.new(creds["api_secret"].encode(), _b64(payload).encode(), hashlib.sha384).hexdigest()
    assert result.signature == result.headers["X-GEMINI-SIGNATURE"] == expected
    assert result.headers["X-GEMINI-APIKEY"] == creds["api_key"]
    assert "--data" not in result.curl() and creds["api_secret"] not in result.curl()


def test_signing_without_a_payload_is_refused(rules: Rules, valid: dict[str, dict[str, str]]) -> None:
    with pytest.raises(CheckerInputError, match="base64-encoded in a header"):
        sign_request(rules, VENUE, valid[VENUE], Request("POST", "/v1/balances", nonce="1"))


def test_the_payload_is_signed_exactly_as_sent(rules: Rules, valid: dict[str, dict[str, str]]) -> None:
    # Whitespace is allowed, but the hash covers the base64 text as sent: re-serialising changes the signature.
    compact = '{"request":"/v1/balances","nonce":1}'
    spaced = '{"request": "/v1/balances", "nonce": 1}'
    assert json.loads(compact) == json.loads(spaced)
    signed = [
        sign_request(rules, VENUE, valid[VENUE], Request("POST", "/v1/balances", body=b)) for b in (compact, spaced)
    ]
    assert signed[0].signature != signed[1].signature
    assert [s.headers["X-GEMINI-PAYLOAD"] for s in signed] == [_b64(compact), _b64(spaced)]


def test_fresh_nonce_is_milliseconds_and_a_typed_seconds_nonce_is_signed(rules: Rules) -> None:
    # The checker fills milliseconds, right for an ordinary key. A key with "Uses a time based nonce" needs Unix
    # seconds: the reader types them into the Nonce field, and that value is what lands in the signed payload.
    fresh = prepare_request(rules, VENUE, NOW_MS, {})["fields"]
    assert fresh["nonce"] == str(NOW_MS) and json.loads(fresh["body"])["nonce"] == NOW_MS
    seconds = str(NOW_MS // 1000)
    typed = prepare_request(rules, VENUE, NOW_MS, {"nonce": seconds})["fields"]
    assert typed["nonce"] == seconds and json.loads(typed["body"]) == {
        "request": "/v1/balances",
        "nonce": NOW_MS // 1000,
    }


def test_the_test_request_names_its_own_path(rules: Rules) -> None:
    # The payload's `request` must equal the URL path, or Gemini answers EndpointMismatch.
    template = rules.venue(VENUE).signing.test_request  # type: ignore[union-attr]
    assert template is not None
    assert json.loads(fill_request(template, nonce=1).body)["request"] == template.path


# (3) Gemini's published signing example reproduces ------------------------------------------------------------


def test_published_example_reproduces(rules: Rules) -> None:
    selftest = run_selftest(rules, VENUE)
    assert selftest.ok and selftest.official and selftest.prehash_ok
    assert selftest.signature == (
        "337cc8b4ea692cfe65b4a85fcc9f042b2e3f702ac956fd098d600ab15705775017beae402be773ceee10719ff70d710f"
    )


def test_published_example_keeps_its_whitespace(rules: Rules) -> None:
    example = rules.venue(VENUE).signing.example  # type: ignore[union-attr]
    assert example is not None
    # Four-space indents, a blank line before order_id and a final newline are part of what Gemini signed.
    assert example.request.body.endswith("18834\n}\n") and "\n\n" in example.request.body
    assert _b64(example.request.body) == example.prehash

"""Gate (API v4) against the real venue data: its error bodies land on the right guide entries, the checker
catches Gate's own pitfalls, and Gate's published signing example reproduces.

Error texts are the JSON bodies Gate returns (`{"label": …, "message": …}`), with the messages seen in public
bug reports (gateio/gateapi-python#15, gateio/gateapi-go#3, ccxt/ccxt#12600, gateio/rest-v4#8).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from pathlib import Path

import pytest
from conftest import best_match, finding_codes

from checker import (
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
VENUE = "gate"
EMPTY_BODY_SHA512 = hashlib.sha512(b"").hexdigest()


# (1) Gate's error bodies, as the API returns them, land on the guide's entries --------------------------------


@pytest.mark.parametrize(
    ("text", "anchor"),
    [
        ('{"label":"INVALID_KEY","message":"Invalid key provided"}', "invalid-key"),
        ('{"label":"INVALID_SIGNATURE","message":"Signature mismatch"}', "invalid-signature"),
        # Bodies end in a newline on the wire (gateapi-python#15 prints b'...\n').
        ('{"label":"INVALID_SIGNATURE","message":"Signature mismatch"}\n', "invalid-signature"),
        (
            '{"label":"REQUEST_EXPIRED","message":"gap between request Timestamp and server time exceeds 60"}',
            "request-expired",
        ),
        # CCXT prints the keys in the other order (ccxt/ccxt#13330).
        (
            '{"message":"gap between request Timestamp and server time exceeds 60","label":"REQUEST_EXPIRED"}',
            "request-expired",
        ),
        ('{"label":"IP_FORBIDDEN","message":"Request IP not in whitelist"}', "ip-forbidden"),
        ('{"label":"FORBIDDEN","message":"Request API key does not have spot permission"}', "forbidden"),
        ('gate {"message":"Request API key does not have wallet permission","label":"FORBIDDEN"}', "forbidden"),
        ('{"label":"READ_ONLY","message":"API key is read-only"}', "read-only"),
        (
            '{"label":"MISSING_REQUIRED_HEADER","message":"Missing required header: Timestamp"}',
            "missing-required-header",
        ),
        ('{"label":"USER_NOT_FOUND"}', "user-not-found"),
        # A bare label, as support gets it pasted.
        ("INVALID_KEY", "invalid-key"),
    ],
)
def test_gate_error_bodies(real_rules: Rules, text: str, anchor: str) -> None:
    assert best_match(real_rules, text) == (VENUE, anchor)


def test_a_label_is_matched_as_a_whole_word(real_rules: Rules) -> None:
    # The label FORBIDDEN is a word inside IP_FORBIDDEN: it may share a word, never win on the code.
    best = match_error(real_rules, '{"label":"IP_FORBIDDEN","message":"Request IP not in whitelist"}')[0]
    assert (best.venue, best.id, best.matched) == (VENUE, "ip-forbidden", "code")
    ranked = {m.id: m for m in match_error(real_rules, '{"label":"IP_FORBIDDEN"}', VENUE)}
    assert ranked["ip-forbidden"].matched == "code"
    assert "forbidden" not in ranked or (
        ranked["forbidden"].matched != "code" and ranked["forbidden"].score < ranked["ip-forbidden"].score
    )


def test_reply_names_the_label_and_the_fix(real_rules: Rules) -> None:
    best = match_error(real_rules, '{"label":"REQUEST_EXPIRED","message":"gap between request Timestamp"}')[0]
    assert best.reply.startswith("Gate error REQUEST_EXPIRED")
    assert "seconds" in best.fix and best.url == "venues/gate/#request-expired"


# (2) Gate's own pitfalls, as the checker sees them --------------------------------------------------------------


def test_valid_looking_pair_passes(rules: Rules, valid: dict[str, dict[str, str]]) -> None:
    diagnosis = diagnose_credentials(rules, VENUE, valid[VENUE])
    assert diagnosis.ok
    # Gate documents no format, so a swap of the two values cannot be seen; the checker says so.
    assert [f.code for f in diagnosis.findings] == ["api_secret.swap_undetectable"]


def test_a_passphrase_is_not_a_gate_field(rules: Rules, valid: dict[str, dict[str, str]]) -> None:
    # Bots built for OKX or KuCoin ask for a passphrase; Gate keys have none, and it is never signed.
    diagnosis = diagnose_credentials(rules, VENUE, {**valid[VENUE], "passphrase": "Blue-Horse-42"})
    finding = next(f for f in diagnosis.findings if f.code == "passphrase.unknown_field")
    assert finding.severity == "info" and diagnosis.ok
    request = Request("GET", "/api/v4/spot/accounts", timestamp="1541993715")
    with_passphrase = sign_request(rules, VENUE, {**valid[VENUE], "passphrase": "Blue-Horse-42"}, request)
    assert with_passphrase.signature == sign_request(rules, VENUE, valid[VENUE], request).signature
    assert set(with_passphrase.headers) == {"KEY", "Timestamp", "SIGN", "Content-Type"}


def test_docs_example_values_are_placeholders(rules: Rules) -> None:
    # Gate's signing example uses the words `key` and `secret`; they never authenticate. Gate documents no
    # key format, so the checker flags them as placeholders with a warning (not an error) and links the fix.
    findings = diagnose_credentials(rules, VENUE, {"api_key": "key", "api_secret": "secret"}).findings
    flagged = {f.code: f for f in findings if f.code.endswith(".placeholder")}
    assert set(flagged) == {"api_key.placeholder", "api_secret.placeholder"}
    assert all(f.severity in ("warning", "error") for f in flagged.values())
    assert (flagged["api_key.placeholder"].anchor, flagged["api_secret.placeholder"].anchor) == (
        "invalid-key",
        "invalid-signature",
    )


def test_masked_key_from_the_key_list_is_caught(rules: Rules, valid: dict[str, dict[str, str]]) -> None:
    # The API Management page and GET /account/main_keys show keys shortened, as in Gate's example response.
    diagnosis = diagnose_credentials(rules, VENUE, {**valid[VENUE], "api_key": "c5dcfbf1f3a7*****"})
    finding = next(f for f in diagnosis.findings if f.code == "api_key.masked")
    assert (finding.position, finding.severity, finding.anchor) == (12, "error", "invalid-key")
    assert not diagnosis.ok


def test_key_pasted_into_both_fields(rules: Rules, valid: dict[str, dict[str, str]]) -> None:
    key = valid[VENUE]["api_key"]
    assert "api_secret.same_as_key" in finding_codes(rules, VENUE, {"api_key": key, "api_secret": key})


def test_empty_secret_links_to_the_signature_entry(rules: Rules, valid: dict[str, dict[str, str]]) -> None:
    findings = diagnose_credentials(rules, VENUE, {**valid[VENUE], "api_secret": ""}).findings
    empty = next(f for f in findings if f.code == "api_secret.empty")
    assert empty.severity == "error" and empty.anchor == "invalid-signature"


def test_secret_with_a_trailing_newline_signs_as_trimmed(rules: Rules, valid: dict[str, dict[str, str]]) -> None:
    request = Request("GET", "/api/v4/spot/accounts", timestamp="1541993715")
    padded = {**valid[VENUE], "api_secret": valid[VENUE]["api_secret"] + "\n"}
    assert "api_secret.trimmed" in finding_codes(rules, VENUE, padded)
    assert (
        sign_request(rules, VENUE, padded, request).signature
        == sign_request(rules, VENUE, valid[VENUE], request).signature
    )


def test_fresh_timestamp_is_in_seconds(rules: Rules) -> None:
    # Gate's Timestamp is Unix seconds and must be within 60 s of Gate's clock: never milliseconds.
    fields = prepare_request(rules, VENUE, 1_764_547_200_123, {})["fields"]
    assert fields == {
        "method": "GET",
        "path": "/api/v4/spot/accounts",
        "query": "",
        "body": "",
        "timestamp": "1764547200",
    }


def test_test_request_signs_the_empty_body_hash_and_the_full_path(
    rules: Rules, valid: dict[str, dict[str, str]]
) -> None:
    venue = rules.venue(VENUE)
    assert venue.signing is not None and venue.signing.test_request is not None
    request = fill_request(venue.signing.test_request, timestamp="1764547200")
    result = sign_request(rules, VENUE, valid[VENUE], request)
    method, path, query, body_hash, timestamp = result.prehash.split("\n")
    assert (method, path, query, timestamp) == ("GET", "/api/v4/spot/accounts", "", "1764547200")
    # The SHA-512 of an empty body is signed, not an empty line.
    assert body_hash == EMPTY_BODY_SHA512 and body_hash.startswith("cf83e1357eefb8bd")
    expected = hmac.new(valid[VENUE]["api_secret"].encode(), result.prehash.encode(), "sha512").hexdigest()
    assert result.signature == expected and len(result.signature) == 128
    assert result.url == "https://api.gateio.ws/api/v4/spot/accounts"
    assert result.headers == {
        "KEY": valid[VENUE]["api_key"],
        "Timestamp": "1764547200",
        "SIGN": result.signature,
        "Content-Type": "application/json",
    }
    assert valid[VENUE]["api_secret"] not in json.dumps(result.to_dict())


def test_query_is_signed_exactly_as_sent(rules: Rules, valid: dict[str, dict[str, str]]) -> None:
    creds = valid[VENUE]
    sent = Request("GET", "/api/v4/futures/orders", query="contract=BTC_USD&status=finished", timestamp="1541993715")
    result = sign_request(rules, VENUE, creds, sent)
    assert result.prehash.split("\n")[2] == "contract=BTC_USD&status=finished"
    assert result.url.endswith("/api/v4/futures/orders?contract=BTC_USD&status=finished")
    # A leading "?" is not part of what is signed.
    with_mark = Request("GET", sent.path, query="?" + sent.query, timestamp=sent.timestamp)
    assert sign_request(rules, VENUE, creds, with_mark).signature == result.signature
    # Reordering the parameters changes the signature: sign them in the order they are sent.
    reordered = Request("GET", sent.path, query="status=finished&contract=BTC_USD", timestamp=sent.timestamp)
    assert sign_request(rules, VENUE, creds, reordered).signature != result.signature


def test_path_without_api_v4_gives_another_signature(rules: Rules, valid: dict[str, dict[str, str]]) -> None:
    full = Request("GET", "/api/v4/spot/accounts", timestamp="1541993715")
    short = Request("GET", "/spot/accounts", timestamp="1541993715")
    assert (
        sign_request(rules, VENUE, valid[VENUE], full).signature
        != sign_request(rules, VENUE, valid[VENUE], short).signature
    )


def test_millisecond_timestamp_is_signed_as_given(rules: Rules, valid: dict[str, dict[str, str]]) -> None:
    # The checker signs what it is given; a 13-digit value would be REQUEST_EXPIRED at Gate.
    result = sign_request(
        rules, VENUE, valid[VENUE], Request("GET", "/api/v4/spot/accounts", timestamp="1541993715000")
    )
    assert result.headers["Timestamp"] == "1541993715000" and result.prehash.endswith("\n1541993715000")


# (3) Gate's own signing examples reproduce -----------------------------------------------------------------------


def test_selftest_reproduces_gates_published_example(real_rules: Rules) -> None:
    result = run_selftest(real_rules, VENUE)
    assert result.ok and result.official and result.prehash_ok
    assert result.signature == (
        "55f84ea195d6fe57ce62464daaa7c3c02fa9d1dde954e4c898289c9a2407a3d6"
        "fb3faf24deff16790d726b66ac9f74526668b13bd01029199cc4fcc522418b8a"
    )


def test_gates_second_example_with_a_body(real_rules: Rules) -> None:
    # Gate's "Create an order" example: a JSON body, no query; the docs also print the body's SHA-512.
    body = '{"contract":"BTC_USD","type":"limit","size":100,"price":6800,"time_in_force":"gtc"}'
    request = Request("POST", "/api/v4/futures/orders", body=body, timestamp="1541993715")
    result = sign_request(real_rules, VENUE, {"api_key": "key", "api_secret": "secret"}, request)
    assert result.prehash.split("\n")[3] == (
        "ad3c169203dc3026558f01b4df307641fa1fa361f086b2306658886d5708767b"
        "1854797c68d9e62fef2f991645aa82673622ebf417e091d0bd22bafe5d956cca"
    )
    assert result.signature == (
        "eae42da914a590ddf727473aff25fc87d50b64783941061f47a3fdb92742541f"
        "c4c2c14017581b4199a1418d54471c269c03a38d788d802e2c306c37636389f0"
    )
    assert result.send_body == body

"""Every verified vector reproduces: each scheme's through sign_request (signature and prehash); the asymmetric
primitives (RFC 8032 Ed25519, RFC 6979 ECDSA P-256, Coinbase's Ed25519 secret layout) through the key reading and
signing that the fixture venues' key formats and schemes use."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from checker import SCHEMES, Request, Rules, diagnose_credentials, sign_request, signatures_equal
from checker.asymmetric import public_key, sign
from checker.keys import PrivateKey, read_private_key

VECTORS = json.loads((Path(__file__).parent / "vectors.json").read_text(encoding="utf-8"))

# Vector scheme -> the venue that signs it: a real venue, or a neutral fixture venue (conftest.py) for schemes
# no real venue uses yet.
VENUE_OF = {
    "kraken_spot_rest": "kraken-spot",
    "kraken_futures_authent": "kraken-futures",
    "binance_hmac_sha256": "binance",
    "bybit_v5_hmac": "bybit",
    "bybit_v5_prehash": "bybit",
    "okx_v5": "okx",
    "kucoin_sign": "kucoin",
    "kucoin_passphrase_v2": "kucoin",
    "gate_v4": "fixture-gate-v4",
    "bitget_v2": "fixture-bitget-v2",
    "bitget_prehash": "fixture-bitget-v2",
    "bitfinex_v2": "fixture-bitfinex-v2",
    "gemini_v1": "fixture-gemini-v1",
    "bitstamp_v2": "fixture-bitstamp-v2",
    "coinbase_legacy_hmac": "fixture-coinbase-legacy-hmac",
}
# Vectors of the signature primitives (a message, not a request): vector scheme -> (venue, key type) whose key
# format reads the key. No request of a venue signs exactly these messages.
PRIMITIVE_VENUE_OF = {
    "ed25519_rfc8032": ("fixture-binance-ed25519", None),
    "ecdsa_p256_rfc6979": ("fixture-coinbase-cdp-jwt", None),
    "cdp_ed25519_secret_layout": ("fixture-coinbase-cdp-jwt", "ed25519"),
}
COVERED = [v for v in VECTORS if v["verified"] and v["scheme"] in VENUE_OF]
PRIMITIVES = [v for v in VECTORS if v["verified"] and v["scheme"] in PRIMITIVE_VENUE_OF]
# Published by a venue without the key that made them: they cannot be recomputed by anyone.
UNVERIFIABLE = [v for v in VECTORS if v.get("unverifiable")]
ANY_SECRET = "any-secret-for-a-prehash-vector"


def _to_call(vector: dict[str, Any]) -> tuple[dict[str, str], Request]:
    """Map a vector's `inputs` onto credentials and a request."""
    i = vector["inputs"]
    scheme = vector["scheme"]
    secret = i.get("secret_b64") or i.get("secret") or ANY_SECRET
    creds = {"api_secret": secret}
    if "api_key" in i:
        creds["api_key"] = i["api_key"]
    if "passphrase" in i:
        creds["passphrase"] = i["passphrase"]
    if scheme == "kraken_spot_rest":
        return creds, Request("POST", i["uri_path"], body=i["postdata"], nonce=i["nonce"])
    if scheme == "kraken_futures_authent":
        return creds, Request("POST", i["endpoint_path"], body=i["postdata"], nonce=i["nonce"])
    if scheme == "binance_hmac_sha256":
        query = i.get("query_string", i.get("payload", ""))
        body = i.get("request_body", "")
        return creds, Request("POST" if body else "GET", "/api/v3/order", query=query, body=body)
    if scheme in ("bybit_v5_hmac", "bybit_v5_prehash"):
        post = i["payload"].startswith("{")
        return creds, Request(
            "POST" if post else "GET",
            "/v5/order/realtime",
            query="" if post else i["payload"],
            body=i["payload"] if post else "",
            timestamp=i["timestamp"],
            recv_window=i["recv_window"],
        )
    if scheme == "okx_v5":
        path, _, query = i["request_path"].partition("?")
        return creds, Request(i["method"], path, query=query, body=i["body"], timestamp=i["timestamp"])
    if scheme == "kucoin_sign":
        return creds, Request(i["method"], i["endpoint"], body=i["body"], timestamp=i["timestamp"])
    if scheme == "kucoin_passphrase_v2":
        return creds, Request("GET", "/api/v1/accounts", timestamp="1547015186532")
    if scheme == "gate_v4":
        return creds, Request(i["method"], i["url"], query=i["query"], body=i["body"], timestamp=i["timestamp"])
    if scheme in ("bitget_v2", "bitget_prehash"):
        return creds, Request(
            i["method"], i["request_path"], query=i["query"], body=i["body"], timestamp=i["timestamp"]
        )
    if scheme == "bitfinex_v2":
        return creds, Request("POST", "/" + i["api_path"], body=i["body"], nonce=i["nonce"])
    if scheme == "gemini_v1":
        return creds, Request("POST", "/v1/order/status", body=i["payload_json"])
    if scheme == "bitstamp_v2":
        return creds, Request(
            i["method"], i["path"], query=i["query"], body=i["body"], nonce=i["nonce"], timestamp=i["timestamp"]
        )
    if scheme == "coinbase_legacy_hmac":
        return creds, Request(i["method"], i["request_path"], body=i["body"], timestamp=i["timestamp"])
    raise AssertionError(f"unmapped scheme {scheme}")


def test_every_supported_scheme_has_a_verified_vector() -> None:
    pinned = {VENUE_OF[v["scheme"]] for v in COVERED}
    assert {v for v in VENUE_OF.values()} <= pinned
    assert len(COVERED) >= 24
    assert {v["scheme"] for v in PRIMITIVES} == set(PRIMITIVE_VENUE_OF)


def test_every_vector_is_reproduced_or_named_unverifiable() -> None:
    left = [v["id"] for v in VECTORS if v not in COVERED + PRIMITIVES + UNVERIFIABLE and v["verified"]]
    assert left == []


def test_fixture_venues_cover_the_registry(rules: Rules) -> None:
    schemes = {venue.signing.scheme for venue in rules.venues.values() if venue.signing}
    assert schemes == set(SCHEMES)


@pytest.mark.parametrize("vector", COVERED, ids=[v["id"] for v in COVERED])
def test_vector_reproduces(rules: Rules, vector: dict[str, Any]) -> None:
    creds, request = _to_call(vector)
    result = sign_request(rules, VENUE_OF[vector["scheme"]], creds, request)
    scheme, expected = vector["scheme"], vector["expected"]
    if scheme.endswith("_prehash"):
        assert result.prehash == expected
    elif scheme == "kucoin_passphrase_v2":
        assert result.headers["KC-API-PASSPHRASE"] == expected
    else:
        assert signatures_equal(result.signature, expected, vector.get("compare", "exact"))
        if vector.get("compare") != "hex-ci":
            assert result.signature == expected
    if scheme == "gemini_v1":
        assert result.headers["X-GEMINI-PAYLOAD"] == vector["inputs"]["payload_b64"]
        assert result.prehash == vector["inputs"]["payload_b64"]
    if scheme == "binance_hmac_sha256":
        i = vector["inputs"]
        assert result.prehash == i.get("query_string", i.get("payload", "")) + i.get("request_body", "")
    if scheme == "bitstamp_v2":
        assert result.headers["Content-Type"] == vector["inputs"]["content_type"]


def _pkcs8_ed25519(seed: bytes) -> str:
    """An Ed25519 private key as OpenSSL writes it (PKCS#8): a fixed 16-byte prefix, then the seed."""
    der = bytes.fromhex("302e020100300506032b657004220420") + seed
    return "-----BEGIN PRIVATE KEY-----\n" + base64.b64encode(der).decode() + "\n-----END PRIVATE KEY-----\n"


def _sec1_p256(scalar: bytes) -> str:
    """An EC P-256 private key as SEC1 (-----BEGIN EC PRIVATE KEY-----): version 1, the scalar, the curve."""
    der = bytes.fromhex("30310201010420") + scalar + bytes.fromhex("a00a06082a8648ce3d030107")
    body = base64.b64encode(der).decode()
    return "-----BEGIN EC PRIVATE KEY-----\n" + body + "\n-----END EC PRIVATE KEY-----\n"


def _read(rules: Rules, vector: dict[str, Any]) -> tuple[PrivateKey, list[str]]:
    """The vector's key read as its venue's key format reads a paste, and the diagnosis' errors and warnings."""
    venue_id, key_type = PRIMITIVE_VENUE_OF[vector["scheme"]]
    venue = rules.venue(venue_id, key_type)
    secret = venue.credential_for("secret")
    assert secret is not None
    i = vector["inputs"]
    if vector["scheme"] == "ed25519_rfc8032":
        pasted = _pkcs8_ed25519(bytes.fromhex(i["secret_key_hex"]))
    elif vector["scheme"] == "ecdsa_p256_rfc6979":
        pasted = _sec1_p256(bytes.fromhex(i["private_key_hex"]))
    else:
        pasted = i["secret_b64"]
    reading = read_private_key(pasted, secret.format, label=secret.label)
    assert reading.key is not None, reading.problems
    findings = diagnose_credentials(rules, venue_id, {secret.id: pasted}, key_type).findings
    return reading.key, [f.code for f in findings if f.field == secret.id and f.severity != "info"]


@pytest.mark.parametrize("vector", PRIMITIVES, ids=[v["id"] for v in PRIMITIVES])
def test_primitive_vector_reproduces(rules: Rules, vector: dict[str, Any]) -> None:
    key, problems = _read(rules, vector)
    # RFC 8032's first key also signs the Binance guide's Ed25519 example, so a paste of it is flagged as a
    # published sample (and nothing else); the other RFC keys are nobody's.
    published = ["private_key.sample"] if vector["id"] == "ed25519_rfc8032_test1" else []
    assert problems == published
    i = vector["inputs"]
    expected = vector["expected"].lower()
    if vector["scheme"] == "ed25519_rfc8032":
        assert sign(key, bytes.fromhex(i["message_hex"])).hex() == expected
        assert public_key(key).hex() == i["public_key_hex"]
    elif vector["scheme"] == "ecdsa_p256_rfc6979":
        # Deterministic ECDSA: the RFC's k, so the RFC's r || s.
        assert sign(key, i["message"].encode()).hex() == expected
        assert public_key(key).hex() == "04" + i["public_key_hex"].lower()
    else:
        # Coinbase's Ed25519 secret: seed, then public key; the public key the seed makes is its second half.
        assert public_key(key).hex() == expected == key.public.hex()


def test_only_the_vectors_published_without_their_key_are_left_out() -> None:
    """A vector is left out only when its venue published the signature but not the key that made it."""
    assert {v["id"] for v in UNVERIFIABLE} == {
        "binance_rest_rsa_example",
        "binance_rest_ed25519_example",
        "bybit_v5_docs_signature_get",
        "bybit_v5_docs_signature_post",
    }
    for vector in UNVERIFIABLE:
        assert vector["verified"] is False and vector["inputs"].get("private_key") is None, vector["id"]

"""Every verified vector for a supported scheme reproduces through sign_request (signature and prehash)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from checker import SCHEMES, Request, Rules, sign_request, signatures_equal

VECTORS = json.loads((Path(__file__).parent / "vectors.json").read_text(encoding="utf-8"))

# Vector scheme -> the venue that signs it: a real venue, or a neutral fixture venue (conftest.py) for schemes
# no real venue uses yet. Schemes outside SCHEMES (RSA, Ed25519, ECDSA,
# Coinbase JWT/legacy) are left out here by filtering.
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
}
COVERED = [v for v in VECTORS if v["verified"] and v["scheme"] in VENUE_OF]
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
    raise AssertionError(f"unmapped scheme {scheme}")


def test_every_supported_scheme_has_a_verified_vector() -> None:
    pinned = {VENUE_OF[v["scheme"]] for v in COVERED}
    assert {v for v in VENUE_OF.values()} <= pinned
    assert len(COVERED) >= 24


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

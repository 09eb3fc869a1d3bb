"""Fixture rules in the venues.json slice shape, and valid-looking credentials for them."""

from __future__ import annotations

import base64
import copy
import hashlib
import os
from typing import Any

import pytest
from hypothesis import settings

from checker import Rules, load_rules

settings.register_profile("ci", max_examples=2000, deadline=None)
settings.register_profile("dev", max_examples=150, deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


def fmt(alphabet: str, lo: int | None = None, hi: int | None = None, **extra: Any) -> dict[str, Any]:
    length = None if lo is None and hi is None else {"min": lo, "max": hi}
    return {
        "alphabet": alphabet,
        "length": length,
        "decoded_bytes": extra.get("decoded_bytes"),
        "prefix": extra.get("prefix"),
        "case": extra.get("case", "any"),
        "observed": extra.get("observed", False),
    }


def cred(
    field: str,
    label: str,
    secret: bool,
    format_: dict[str, Any],
    samples: list[str] | None = None,
    required: bool = True,
) -> dict[str, Any]:
    return {
        "id": field,
        "label": label,
        "secret": secret,
        "required": required,
        "format": format_,
        "samples": samples or [],
    }


def err(code: str, id_: str, kind: str, message: str = "", aliases: list[str] | None = None) -> dict[str, Any]:
    return {"code": code, "id": id_, "kind": kind, "message": message, "aliases": aliases or [], "cause": "", "fix": ""}


def signing(
    scheme: str,
    decoding: str = "raw",
    params: dict[str, str] | None = None,
    test_request: dict[str, Any] | None = None,
    example: dict[str, Any] | None = None,
    signs: list[str] | None = None,
    base_url: str = "https://api.example.com/",
) -> dict[str, Any]:
    return {
        "scheme": scheme,
        "summary": scheme,
        "secret_decoding": decoding,
        "signs": signs or [],
        "base_url": base_url,
        "params": params or {},
        "test_request": test_request,
        "example": example,
    }


def req(
    method: str,
    path: str,
    query: str = "",
    body: str = "",
    nonce: str | None = None,
    timestamp: str | None = None,
    recv_window: str | None = None,
) -> dict[str, Any]:
    return {
        "method": method,
        "path": path,
        "query": query,
        "body": body,
        "nonce": nonce,
        "timestamp": timestamp,
        "recv_window": recv_window,
    }


KRAKEN_DOC_KEY = "CJbfPw4tnbf/9en/ZmpewCTKEwmmzO18LXZcHQcu7HPLWre4l8+V9I3y"
KRAKEN_DOC_SECRET = "kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg=="
KRAKEN_FUTURES_DOC_KEY = "rRra59qKQs3y1egAgSaG0RJlBcbq97wTUXSxXxPdhRZdv7z9ijZRWgrf"
BINANCE_DOC_KEY = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A"
BINANCE_DOC_SECRET = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"
KRAKEN_ADDORDER_SIGNATURE = "4/dpxb3iT4tp/ZCVEwSnEsLxx0bqyhLpdfOpc6fn7OR8+UClSV5n9E6aSS8MPtnRfp32bAb0nmbRn6H8ndwLUQ=="
KRAKEN_ADDORDER_BODY = "nonce=1616492376594&ordertype=limit&pair=XBTUSD&price=37500&type=buy&volume=1.25"

KRAKEN_KEY = fmt("base64", 56, 56, decoded_bytes=42, case="mixed")
KRAKEN_SECRET = fmt("base64", 88, 88, decoded_bytes=64, case="mixed")

RULES_DATA: dict[str, Any] = {
    "venues": {
        "kraken-spot": {
            "id": "kraken-spot",
            "name": "Kraken Spot",
            "credentials": [
                cred("api_key", "API Key", False, KRAKEN_KEY, [KRAKEN_DOC_KEY]),
                cred("api_secret", "Private Key", True, KRAKEN_SECRET, [KRAKEN_DOC_SECRET]),
            ],
            "signing": signing(
                "kraken_spot_rest",
                "base64",
                signs=["nonce"],
                base_url="https://api.kraken.com/",
                test_request=req("POST", "/0/private/Balance", body="nonce={nonce}"),
                example={
                    "official": True,
                    "source_url": "https://docs.kraken.com/api/docs/guides/spot-rest-auth",
                    "note": "",
                    "credentials": {"api_secret": KRAKEN_DOC_SECRET},
                    "request": req("POST", "/0/private/AddOrder", body=KRAKEN_ADDORDER_BODY, nonce="1616492376594"),
                    "signature": KRAKEN_ADDORDER_SIGNATURE,
                    "prehash": "1616492376594" + KRAKEN_ADDORDER_BODY,
                    "compare": "exact",
                },
            ),
            "errors": [
                err("EAPI:Invalid key", "eapi-invalid-key", "invalid_key", "Invalid key"),
                err("EAPI:Invalid signature", "eapi-invalid-signature", "invalid_signature", "Invalid signature"),
                err("EAPI:Invalid nonce", "eapi-invalid-nonce", "nonce", "Invalid nonce"),
                err("EGeneral:Permission denied", "egeneral-permission-denied", "permission", "Permission denied"),
            ],
        },
        "kraken-futures": {
            "id": "kraken-futures",
            "name": "Kraken Futures",
            "credentials": [
                cred("api_key", "Public Key", False, KRAKEN_KEY, [KRAKEN_FUTURES_DOC_KEY]),
                cred("api_secret", "Private Key", True, KRAKEN_SECRET),
            ],
            "signing": signing(
                "kraken_futures_authent",
                "base64",
                params={"strip_prefix": "/derivatives"},
                test_request=req("GET", "/derivatives/api/v3/openpositions", nonce="{nonce}"),
            ),
            "errors": [
                err("authenticationError", "authentication-error", "invalid_key", "authentication error"),
                err(
                    "nonceBelowThreshold", "nonce-below-threshold", "nonce", "nonce below threshold", ["nonceDuplicate"]
                ),
            ],
        },
        "binance": {
            "id": "binance",
            "name": "Binance",
            "credentials": [
                cred("api_key", "API Key", False, fmt("alphanumeric", 64, 64, case="mixed"), [BINANCE_DOC_KEY]),
                cred("api_secret", "Secret Key", True, fmt("alphanumeric", 64, 64, case="mixed"), [BINANCE_DOC_SECRET]),
            ],
            "signing": signing(
                "binance_hmac_sha256",
                signs=["timestamp", "recv_window"],
                test_request=req("GET", "/api/v3/account", recv_window="5000"),
            ),
            "errors": [
                err("-2014", "bad-api-key-fmt", "invalid_key", "API-key format invalid.", ["BAD_API_KEY_FMT"]),
                err(
                    "-2015",
                    "rejected-mbx-key",
                    "invalid_key",
                    "Invalid API-key, IP, or permissions for action.",
                    ["REJECTED_MBX_KEY"],
                ),
                err(
                    "-1022",
                    "invalid-signature",
                    "invalid_signature",
                    "Signature for this request is not valid.",
                    ["INVALID_SIGNATURE"],
                ),
                err(
                    "-1021",
                    "invalid-timestamp",
                    "timestamp",
                    "Timestamp for this request is outside of the recvWindow.",
                    ["INVALID_TIMESTAMP"],
                ),
            ],
        },
        "bybit": {
            "id": "bybit",
            "name": "Bybit",
            "credentials": [
                cred("api_key", "API Key", False, fmt("alphanumeric", 18, 18, observed=True)),
                cred("api_secret", "API Secret", True, fmt("alphanumeric", 36, 36, observed=True)),
            ],
            "signing": signing(
                "bybit_v5_hmac",
                signs=["timestamp", "recv_window"],
                test_request=req("GET", "/v5/account/wallet-balance", query="accountType=UNIFIED"),
            ),
            "errors": [
                err("10003", "api-key-invalid", "invalid_key", "API key is invalid."),
                err(
                    "10004",
                    "error-sign",
                    "invalid_signature",
                    "Error sign, please check your signature generation algorithm.",
                ),
                err("10002", "request-time-window", "timestamp", "The request time exceeds the time window range."),
                err("10010", "unmatched-ip", "ip", "Unmatched IP, please check your API key's bound IP addresses."),
            ],
        },
        "okx": {
            "id": "okx",
            "name": "OKX",
            "credentials": [
                cred("api_key", "API Key", False, fmt("uuid", 36, 36, case="lower")),
                cred(
                    "api_secret",
                    "Secret Key",
                    True,
                    fmt("hex", 32, 32, case="upper"),
                    ["22582BD0CFF14C41EDBF1AB98506286D"],
                ),
                cred("passphrase", "Passphrase", True, fmt("printable", 1, 64, observed=False)),
            ],
            "signing": signing("okx_v5", signs=["timestamp"]),
            "errors": [
                err("50111", "invalid-ok-access-key", "invalid_key", "Invalid OK-ACCESS-KEY."),
                err("50113", "invalid-sign", "invalid_signature", "Invalid signature."),
                err("50105", "passphrase-incorrect", "invalid_passphrase", "OK-ACCESS-PASSPHRASE incorrect."),
                err("50101", "environment-mismatch", "environment", "APIKey does not match current environment."),
            ],
        },
        "kucoin": {
            "id": "kucoin",
            "name": "KuCoin",
            "credentials": [
                cred("api_key", "API Key", False, fmt("hex", 24, 24, case="lower"), ["5c2db93503aa674c74a31734"]),
                cred(
                    "api_secret",
                    "API Secret",
                    True,
                    fmt("uuid", 36, 36, case="lower"),
                    ["f03a5284-5c39-4aaa-9b20-dea10bdcf8e3"],
                ),
                cred("passphrase", "API Passphrase", True, fmt("printable", 7, 32, observed=False)),
            ],
            "signing": signing("kucoin_v2", signs=["timestamp"]),
            "errors": [
                err("400003", "kc-api-key-not-exists", "invalid_key", "KC-API-KEY not exists"),
                err("400005", "invalid-kc-api-sign", "invalid_signature", "Invalid KC-API-SIGN"),
                err("400004", "invalid-kc-api-passphrase", "invalid_passphrase", "Invalid KC-API-PASSPHRASE"),
            ],
        },
        # Minimal venues so every supported scheme runs through sign_request in the vector tests.
        "gate": {
            "id": "gate",
            "name": "Gate",
            "errors": [],
            "credentials": [
                cred("api_key", "Key", False, fmt("printable")),
                cred("api_secret", "Secret", True, fmt("printable")),
            ],
            "signing": signing("gate_v4"),
        },
        "bitget": {
            "id": "bitget",
            "name": "Bitget",
            "errors": [],
            "credentials": [
                cred("api_key", "API Key", False, fmt("printable")),
                cred("api_secret", "Secret Key", True, fmt("printable")),
                cred("passphrase", "Passphrase", True, fmt("printable")),
            ],
            "signing": signing("bitget_v2"),
        },
        "bitfinex": {
            "id": "bitfinex",
            "name": "Bitfinex",
            "errors": [],
            "credentials": [
                cred("api_key", "API Key", False, fmt("printable")),
                cred("api_secret", "API Secret", True, fmt("printable")),
            ],
            "signing": signing("bitfinex_v2"),
        },
        "gemini": {
            "id": "gemini",
            "name": "Gemini",
            "errors": [],
            "credentials": [
                cred("api_key", "API Key", False, fmt("printable")),
                cred("api_secret", "API Secret", True, fmt("printable")),
            ],
            "signing": signing("gemini_v1"),
        },
        "bitstamp": {
            "id": "bitstamp",
            "name": "Bitstamp",
            "errors": [],
            "credentials": [
                cred("api_key", "API Key", False, fmt("printable")),
                cred("api_secret", "API Secret", True, fmt("printable")),
            ],
            "signing": signing(
                "bitstamp_v2", params={"host": "www.bitstamp.net"}, base_url="https://www.bitstamp.net/"
            ),
        },
    }
}

RULES: Rules = load_rules(RULES_DATA)


def _alnum(seed: str, length: int) -> str:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    digest = hashlib.sha512(seed.encode()).digest() * 4
    return "".join(alphabet[b % len(alphabet)] for b in digest[:length])


def _bytes(seed: str, count: int) -> bytes:
    return (hashlib.sha512(seed.encode()).digest() * 2)[:count]


# Valid-looking, non-sample credentials per venue (deterministic, never published anywhere).
VALID: dict[str, dict[str, str]] = {
    "kraken-spot": {
        "api_key": base64.b64encode(_bytes("k-key", 42)).decode(),
        "api_secret": base64.b64encode(_bytes("k-secret", 64)).decode(),
    },
    "binance": {"api_key": _alnum("b-key", 64), "api_secret": _alnum("b-secret", 64)},
    "bybit": {"api_key": _alnum("y-key", 18), "api_secret": _alnum("y-secret", 36)},
    "okx": {
        "api_key": "3f2a9c1e-7b4d-4e8a-9c6f-1a2b3c4d5e6f",
        "api_secret": _bytes("o", 16).hex().upper(),
        "passphrase": "Correct.Horse-42",
    },
    "kucoin": {
        "api_key": _bytes("kc", 12).hex(),
        "api_secret": "0b7e4f1a-9c2d-4e3f-8a1b-6c5d4e3f2a1b",
        "passphrase": "Tr0ub4dor&3",
    },
}
VALID["kraken-futures"] = {
    "api_key": base64.b64encode(_bytes("kf-key", 42)).decode(),
    "api_secret": base64.b64encode(_bytes("kf-secret", 64)).decode(),
}


@pytest.fixture(scope="session")
def rules() -> Rules:
    return RULES


@pytest.fixture
def rules_data() -> dict[str, Any]:
    return copy.deepcopy(RULES_DATA)


@pytest.fixture(scope="session")
def valid() -> dict[str, dict[str, str]]:
    """Valid-looking credentials per venue; copy before changing."""
    return VALID

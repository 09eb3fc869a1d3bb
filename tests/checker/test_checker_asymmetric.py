"""Signing with private keys: Binance's Ed25519 and RSA signatures, Coinbase's CDP JWTs (ES256 and EdDSA).

Every signature the checker makes verifies with the matching public key, checked by OpenSSL (an implementation
the checker does not use) and by the packages' own verifiers; the deterministic ones (Ed25519, RSA PKCS#1 v1.5)
equal OpenSSL's byte for byte.
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import ecdsa
import pytest
import rsa
from conftest import CDP_ED25519_SECRET_TEXT, COINBASE_LEGACY_RETIRED, KEYS, RULES_DATA, key_file
from ecdsa.util import sigdecode_string

from checker import Request, Rules, SigningRefused, dispatch, handle, sign_request
from checker.browser import requirements

ROOT = Path(__file__).resolve().parents[2]
API_KEY = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A"
NAME = "organizations/00000000-0000-4000-8000-000000000001/apiKeys/00000000-0000-4000-8000-000000000002"
ORDER = Request(
    "POST",
    "/api/v3/order",
    query="symbol=BTCUSDT&side=SELL&type=LIMIT&timeInForce=GTC&quantity=1&price=0.2",
    timestamp="1668481559918",
    recv_window="5000",
)
ACCOUNTS = Request("GET", "/api/v3/brokerage/accounts", query="limit=1", nonce="1700000000000", timestamp="1700000000")
OPENSSL = shutil.which("openssl")
needs_openssl = pytest.mark.skipif(OPENSSL is None, reason="the openssl command is not installed")


def _openssl(tmp_path: Path, *args: str, message: bytes) -> subprocess.CompletedProcess[bytes]:
    """Run openssl on `message` (a file: Ed25519's one-shot signing cannot read a pipe)."""
    assert OPENSSL is not None
    data = tmp_path / "message.bin"
    data.write_bytes(message)
    where = [str(data)] if args[0] == "dgst" else ["-in", str(data)]
    return subprocess.run([OPENSSL, *args, *where], capture_output=True, check=False)


def _openssl_sign(tmp_path: Path, key: str, message: bytes, *, digest: bool) -> bytes:
    path = str(KEYS / key)
    args = ["dgst", "-sha256", "-sign", path] if digest else ["pkeyutl", "-sign", "-inkey", path, "-rawin"]
    done = _openssl(tmp_path, *args, message=message)
    assert done.returncode == 0, done.stderr
    return done.stdout


def _openssl_verifies(tmp_path: Path, public: str, message: bytes, signature: bytes, *, digest: bool) -> bool:
    sig = tmp_path / "signature.bin"
    sig.write_bytes(signature)
    path = str(KEYS / public)
    if digest:
        args = ["dgst", "-sha256", "-verify", path, "-signature", str(sig)]
    else:
        args = ["pkeyutl", "-verify", "-pubin", "-inkey", path, "-rawin", "-sigfile", str(sig)]
    return _openssl(tmp_path, *args, message=message).returncode == 0


def _der_signature(raw: bytes) -> bytes:
    """r || s (JWS) as the DER SEQUENCE OpenSSL verifies."""
    return bytes(ecdsa.util.sigencode_der(*sigdecode_string(raw, ecdsa.NIST256p.order), ecdsa.NIST256p.order))


def _unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# --- Binance: Ed25519 and RSA -------------------------------------------------------------------------------


def test_binance_ed25519_signature_is_openssls_and_verifies(rules: Rules, tmp_path: Path) -> None:
    credentials = {"api_key": API_KEY, "private_key": key_file("ed25519.pem")}
    result = sign_request(rules, "fixture-binance-ed25519", credentials, ORDER)
    assert result.prehash == ORDER.query + "&recvWindow=5000&timestamp=1668481559918"
    signature = base64.b64decode(result.signature)
    # An Ed25519 signature is 64 bytes: 88 base64 characters (the venue's published example is not one).
    assert len(signature) == 64 and len(result.signature) == 88
    public = ecdsa.VerifyingKey.from_pem(key_file("ed25519.pub.pem"))
    assert public.verify(signature, result.prehash.encode())
    if OPENSSL is not None:
        message = result.prehash.encode()
        assert _openssl_sign(tmp_path, "ed25519.pem", message, digest=False) == signature
        assert _openssl_verifies(tmp_path, "ed25519.pub.pem", message, signature, digest=False)


def test_binance_rsa_signature_is_openssls_and_verifies(rules: Rules, tmp_path: Path) -> None:
    credentials = {"api_key": API_KEY, "private_key": key_file("rsa-2048.pem")}
    result = sign_request(rules, "fixture-binance-rsa", credentials, ORDER)
    signature = base64.b64decode(result.signature)
    assert len(signature) == 256
    public = rsa.PublicKey.load_pkcs1_openssl_pem(key_file("rsa-2048.pub.pem").encode())
    assert rsa.verify(result.prehash.encode(), signature, public) == "SHA-256"
    if OPENSSL is not None:
        message = result.prehash.encode()
        assert _openssl_sign(tmp_path, "rsa-2048.pem", message, digest=True) == signature
        assert _openssl_verifies(tmp_path, "rsa-2048.pub.pem", message, signature, digest=True)


@pytest.mark.parametrize(
    ("venue", "key"), [("fixture-binance-ed25519", "ed25519.pem"), ("fixture-binance-rsa", "rsa-2048.pem")]
)
def test_binance_sends_the_signature_percent_encoded(rules: Rules, venue: str, key: str) -> None:
    result = sign_request(rules, venue, {"api_key": API_KEY, "private_key": key_file(key)}, ORDER)
    sent = result.send_query.rsplit("&signature=", 1)[1]
    encoded = result.signature.replace("+", "%2B").replace("/", "%2F").replace("=", "%3D")
    assert sent == encoded and "+" not in sent and "/" not in sent and "=" not in sent
    assert result.url.endswith("?" + result.send_query)
    assert result.headers["X-MBX-APIKEY"] == API_KEY


def test_binance_form_body_carries_the_encoded_signature(rules: Rules) -> None:
    body = "symbol=BTCUSDT&side=BUY&type=MARKET&quantity=1&timestamp=1668481559918"
    request = Request("POST", "/api/v3/order", body=body)
    result = sign_request(rules, "fixture-binance-ed25519", {"private_key": key_file("ed25519.pem")}, request)
    assert result.prehash == body
    assert result.send_body is not None and result.send_body.startswith(body + "&signature=")
    assert "%" in result.send_body or "+" not in result.signature


def test_the_literal_newline_form_signs_like_the_file(rules: Rules) -> None:
    pem = key_file("ed25519.pem")
    one_line = pem.strip().replace("\n", "\\n")
    first = sign_request(rules, "fixture-binance-ed25519", {"private_key": pem}, ORDER)
    second = sign_request(rules, "fixture-binance-ed25519", {"private_key": one_line}, ORDER)
    assert first.signature == second.signature


# --- Coinbase: CDP JWTs -------------------------------------------------------------------------------------


def _jwt(result: Any) -> tuple[dict[str, Any], dict[str, Any], bytes, bytes]:
    """A JWT's header and claims, decoded independently of the checker, its signing input and its signature."""
    header, claims, signature = result.signature.split(".")
    signed = f"{header}.{claims}".encode()
    return json.loads(_unb64url(header)), json.loads(_unb64url(claims)), signed, _unb64url(signature)


def test_coinbase_es256_jwt_claims_and_signature(rules: Rules, tmp_path: Path) -> None:
    credentials = {"api_key": NAME, "private_key": key_file("ec-p256.pem")}
    result = sign_request(rules, "fixture-coinbase-cdp-jwt", credentials, ACCOUNTS)
    header, claims, signed, signature = _jwt(result)
    assert header == {"alg": "ES256", "kid": NAME, "nonce": "1700000000000", "typ": "JWT"}
    assert claims == {
        "sub": NAME,
        "iss": "cdp",
        "nbf": 1700000000,
        "exp": 1700000120,
        "uri": "GET api.coinbase.com/api/v3/brokerage/accounts",
    }
    assert result.token == {"header": header, "payload": claims}
    assert result.prehash == signed.decode()
    assert result.headers["Authorization"] == f"Bearer {result.signature}"
    assert result.url == "https://api.example.com/api/v3/brokerage/accounts?limit=1"
    public = ecdsa.VerifyingKey.from_pem(key_file("ec-p256.pub.pem"))
    assert public.verify(signature, signed, hashfunc=hashlib.sha256, sigdecode=sigdecode_string)
    if OPENSSL is not None:
        assert _openssl_verifies(tmp_path, "ec-p256.pub.pem", signed, _der_signature(signature), digest=True)
    # RFC 6979: the same request signs the same; another nonce signs differently.
    assert sign_request(rules, "fixture-coinbase-cdp-jwt", credentials, ACCOUNTS).signature == result.signature
    other = Request(**{**ACCOUNTS.__dict__, "nonce": "1700000000001"})
    assert sign_request(rules, "fixture-coinbase-cdp-jwt", credentials, other).signature != result.signature


def test_coinbase_eddsa_jwt_for_an_ed25519_cdp_key(rules: Rules, tmp_path: Path) -> None:
    credentials = {"api_key": NAME, "private_key": CDP_ED25519_SECRET_TEXT}
    result = sign_request(rules, "fixture-coinbase-cdp-jwt", credentials, ACCOUNTS, key_type="ed25519")
    header, claims, signed, signature = _jwt(result)
    assert header["alg"] == "EdDSA" and claims["sub"] == NAME
    assert ecdsa.VerifyingKey.from_pem(key_file("ed25519.pub.pem")).verify(signature, signed)
    if OPENSSL is not None:
        assert _openssl_verifies(tmp_path, "ed25519.pub.pem", signed, signature, digest=False)


def test_coinbase_key_file_json_value_signs(rules: Rules) -> None:
    """The privateKey value as Coinbase's JSON file holds it: one line, literal \\n, accepted with a note."""
    one_line = key_file("ec-p256.pem").replace("\n", "\\n")
    credentials = {"api_key": NAME, "private_key": one_line}
    payload = {"op": "sign", "venue": "fixture-coinbase-cdp-jwt", "credentials": credentials}
    result = dispatch(rules, {**payload, "request": ACCOUNTS.__dict__})
    assert result["jwt"]["payload"]["uri"] == "GET api.coinbase.com/api/v3/brokerage/accounts"
    assert result["jwt"]["header"]["alg"] == "ES256"
    assert [f["code"] for f in result["findings"]] == ["private_key.literal_newlines"]
    assert one_line not in json.dumps(result) and "MHcCAQEE" not in json.dumps(result)


@pytest.mark.parametrize(("field", "value"), [("nonce", None), ("timestamp", None), ("timestamp", "2023-11-14")])
def test_coinbase_jwt_needs_nonce_and_seconds(rules: Rules, field: str, value: str | None) -> None:
    request = Request(**{**ACCOUNTS.__dict__, field: value})
    with pytest.raises(Exception, match=field):
        sign_request(
            rules, "fixture-coinbase-cdp-jwt", {"api_key": NAME, "private_key": key_file("ec-p256.pem")}, request
        )


# --- key types ----------------------------------------------------------------------------------------------


def test_a_venue_signs_as_each_of_its_key_types(rules: Rules) -> None:
    hmac_creds = {"api_key": API_KEY, "api_secret": API_KEY[::-1]}
    plain = sign_request(rules, "fixture-key-types", hmac_creds, ORDER)
    named = sign_request(rules, "fixture-key-types", hmac_creds, ORDER, key_type="hmac")
    assert plain.signature == named.signature and len(plain.signature) == 64
    ed25519 = {"api_key": API_KEY, "private_key": key_file("ed25519.pem")}
    ed = sign_request(rules, "fixture-key-types", ed25519, ORDER, key_type="ed25519")
    ours = sign_request(rules, "fixture-binance-ed25519", {"private_key": key_file("ed25519.pem")}, ORDER)
    assert ed.signature == ours.signature and ed.key_type == "ed25519"
    assert "Ed25519" in ed.formula


def test_an_unknown_key_type_is_a_clear_error(rules: Rules) -> None:
    payload = {"op": "diagnose", "venue": "fixture-key-types", "credentials": {}, "key_type": "dsa"}
    response = json.loads(handle(json.dumps(RULES_DATA), json.dumps(payload)))
    assert response["error"].startswith("Fixture (binance_hmac_sha256): key_type 'dsa' is not one of its key types")


def test_a_retired_key_type_is_never_signed_with(rules: Rules) -> None:
    credentials = {"api_key": "g3BLnUYMOQsIo9V5", "api_secret": "M4009eFnOoPwhNoMwJlsAHgIgleGVFPl"}
    request = Request("GET", "/api/v3/brokerage/accounts", timestamp="1700000000")
    with pytest.raises(SigningRefused, match=COINBASE_LEGACY_RETIRED):
        sign_request(rules, "fixture-coinbase-cdp-jwt", credentials, request, key_type="legacy")


def test_a_key_of_the_wrong_kind_is_refused_before_signing(rules: Rules) -> None:
    credentials = {"api_key": API_KEY, "private_key": key_file("rsa-2048.pem")}
    with pytest.raises(SigningRefused, match="RSA"):
        sign_request(rules, "fixture-binance-ed25519", credentials, ORDER)


def test_requirements_name_the_wheels_a_page_loads(rules: Rules) -> None:
    assert requirements(rules, "kraken-spot") == {"packages": []}
    assert requirements(rules, "fixture-key-types") == {"packages": ["ecdsa", "rsa", "six"]}
    assert requirements(rules, "fixture-key-types", "hmac") == {"packages": []}
    assert requirements(rules, "fixture-key-types", "rsa") == {"packages": ["rsa"]}
    assert requirements(rules, "fixture-coinbase-cdp-jwt") == {"packages": ["ecdsa", "six"]}


def test_selftest_runs_a_key_types_example(rules_data: dict[str, Any]) -> None:
    from checker import load_rules, run_selftest

    credentials = {"api_key": API_KEY, "private_key": key_file("ed25519.pem")}
    signed = sign_request(load_rules(rules_data), "fixture-key-types", credentials, ORDER, key_type="ed25519")
    venue = rules_data["venues"]["fixture-key-types"]
    venue["key_types"][0]["example"] = {
        "official": False,
        "source_url": "tests",
        "credentials": credentials,
        "request": {**ORDER.__dict__},
        "signature": signed.signature,
    }
    result = run_selftest(load_rules(rules_data), "fixture-key-types", "ed25519")
    assert result.ok and result.signature == signed.signature


def test_a_missing_signing_package_is_a_clear_error() -> None:
    """On a page that did not load the wheel, signing says which package it needs, never a traceback."""
    # The rules come from this process: loading the real venues self-tests their asymmetric examples, which
    # needs ecdsa, while the child must start without it.
    payload = {
        "op": "sign",
        "venue": "fixture-binance-ed25519",
        "credentials": {"private_key": key_file("ed25519.pem")},
        "request": {"method": "GET", "path": "/x", "timestamp": "1"},
    }
    script = (
        "import json, sys\n"
        "sys.modules['ecdsa'] = None\n"
        "from checker import handle\n"
        "rules, payload = json.load(sys.stdin)\n"
        "print(handle(json.dumps(rules), json.dumps(payload)))\n"
    )
    stdin = json.dumps([RULES_DATA, payload])
    done = subprocess.run(
        [sys.executable, "-c", script], input=stdin, capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert json.loads(done.stdout) == {
        "error": "signing with this key needs the Python package ecdsa, which is not loaded here"
    }


def test_the_page_flow_prepares_and_signs_a_jwt(rules_data: dict[str, Any]) -> None:
    """prepare fills a fresh nonce and the time in seconds for the key type's scheme; sign makes the JWT from it."""
    venue = rules_data["venues"]["fixture-coinbase-cdp-jwt"]
    venue["signing"]["test_request"] = {
        "method": "GET",
        "path": "/api/v3/brokerage/key_permissions",
        "nonce": "{nonce}",
        "timestamp": "{timestamp}",
    }
    rules_json = json.dumps(rules_data)
    base = {"venue": "fixture-coinbase-cdp-jwt", "key_type": "ed25519"}
    prepared = json.loads(handle(rules_json, json.dumps({**base, "op": "prepare", "now_ms": 1_700_000_000_123})))
    assert prepared["fields"]["nonce"] == "1700000000123" and prepared["fields"]["timestamp"] == "1700000000"
    credentials = {"api_key": NAME, "private_key": CDP_ED25519_SECRET_TEXT}
    request = {**base, "op": "sign", "credentials": credentials, "request": prepared["fields"]}
    signed = json.loads(handle(rules_json, json.dumps(request)))
    assert signed["jwt"]["header"]["alg"] == "EdDSA" and signed["jwt"]["payload"]["exp"] == 1700000120
    assert signed["findings"] == [] and CDP_ED25519_SECRET_TEXT not in json.dumps(signed)
    needs = json.loads(handle(rules_json, json.dumps({**base, "op": "requirements"})))
    assert needs == {"packages": ["ecdsa", "six"]}

"""`python -m checker sign` with private keys: Binance Ed25519 and RSA requests, Coinbase CDP JWTs, from the same
JSON as every venue (`{"venue", "credentials", "request"}`, plus "key_type" for a venue with several)."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import ecdsa
import pytest
import rsa
from conftest import RULES_DATA, checker_process, key_file, run_checker

ROOT = Path(__file__).resolve().parents[2]
NAME = "organizations/00000000-0000-4000-8000-000000000001/apiKeys/00000000-0000-4000-8000-000000000002"
API_KEY = "Q7xZp3Lm" * 8
BINANCE_REQUEST = {
    "method": "GET",
    "path": "/api/v3/account",
    "query": "omitZeroBalances=true",
    "timestamp": "1700000000000",
}
COINBASE_REQUEST = {
    "method": "GET",
    "path": "/api/v3/brokerage/key_permissions",
    "nonce": "1700000000000",
    "timestamp": 1700000000,
}


@pytest.fixture(scope="module")
def rules_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The test rules (real venues and the fixture venues) as a venues.json file."""
    path = tmp_path_factory.mktemp("rules") / "venues.json"
    path.write_text(json.dumps(RULES_DATA), encoding="utf-8")
    return path


def _sign(rules_file: Path, payload: dict[str, Any]) -> tuple[int, dict[str, Any], str]:
    done = checker_process(["sign", "--rules", str(rules_file)], json.dumps(payload))
    return done.returncode, json.loads(done.stdout), done.stdout


def test_binance_ed25519_from_the_command_line(rules_file: Path) -> None:
    pem = key_file("ed25519.pem")
    credentials = {"api_key": API_KEY, "private_key": pem}
    payload = {"venue": "fixture-binance-ed25519", "credentials": credentials, "request": BINANCE_REQUEST}
    code, out, text = _sign(rules_file, payload)
    assert code == 0, out
    assert out["prehash"] == "omitZeroBalances=true&timestamp=1700000000000"
    public = ecdsa.VerifyingKey.from_pem(key_file("ed25519.pub.pem"))
    assert public.verify(base64.b64decode(out["signature"]), out["prehash"].encode())
    assert out["send"]["query"].startswith(out["prehash"] + "&signature=") and "+" not in out["send"]["query"]
    assert "'X-MBX-APIKEY: " + API_KEY in out["curl"]
    assert pem.splitlines()[1] not in text


def test_binance_rsa_from_the_command_line_with_a_key_type(rules_file: Path) -> None:
    credentials = {"api_key": API_KEY, "private_key": key_file("rsa-2048.pem")}
    payload = {"venue": "fixture-key-types", "key_type": "rsa", "credentials": credentials, "request": BINANCE_REQUEST}
    code, out, _ = _sign(rules_file, payload)
    assert code == 0, out
    public = rsa.PublicKey.load_pkcs1_openssl_pem(key_file("rsa-2048.pub.pem").encode())
    assert rsa.verify(out["prehash"].encode(), base64.b64decode(out["signature"]), public) == "SHA-256"
    assert out["key_type"] == "rsa" and "RSASSA-PKCS1-v1_5" in out["formula"]


def test_coinbase_jwt_from_the_command_line_shows_its_claims(rules_file: Path) -> None:
    credentials = {"api_key": NAME, "private_key": key_file("ec-p256.pem").replace("\n", "\\n")}
    payload = {"venue": "fixture-coinbase-cdp-jwt", "credentials": credentials, "request": COINBASE_REQUEST}
    code, out, text = _sign(rules_file, payload)
    assert code == 0, out
    assert out["jwt"] == {
        "header": {"alg": "ES256", "kid": NAME, "nonce": "1700000000000", "typ": "JWT"},
        "payload": {
            "sub": NAME,
            "iss": "cdp",
            "nbf": 1700000000,
            "exp": 1700000120,
            "uri": "GET api.coinbase.com/api/v3/brokerage/key_permissions",
        },
    }
    assert out["headers"]["Authorization"] == "Bearer " + out["signature"]
    assert out["signature"].startswith(out["prehash"] + ".")
    assert [f["code"] for f in out["findings"]] == ["private_key.literal_newlines"]
    assert key_file("ec-p256.pem").splitlines()[1][:20] not in text


def test_a_wrong_key_exits_2_with_its_findings(rules_file: Path) -> None:
    credentials = {"api_key": NAME, "private_key": key_file("ec-p256.pub.pem")}
    payload = {"venue": "fixture-coinbase-cdp-jwt", "credentials": credentials, "request": COINBASE_REQUEST}
    code, out, text = _sign(rules_file, payload)
    assert code == 2
    assert "cannot sign" in out["error"] and "public key" in out["error"]
    assert "private_key.public_key" in {f["code"] for f in out["findings"]}


def test_requirements_from_the_command_line(rules_file: Path) -> None:
    code, out = run_checker(["requirements", "--rules", str(rules_file)], json.dumps({"venue": "fixture-key-types"}))
    assert (code, out) == (0, {"packages": ["ecdsa", "rsa", "six"]})

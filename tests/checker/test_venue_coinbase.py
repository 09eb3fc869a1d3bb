"""Coinbase Advanced (CDP keys) against the real venue data: its error texts land on the right guide entries,
the checker catches Coinbase's own pitfalls with the key file and the PEM, and the guide's signing example, an
ES256 JWT made with a test key, reproduces and verifies.

Error texts are what Coinbase answers, as public bug reports and bots show them (eprbell/dali-rp2#246,
coinbase/coinbase-advanced-py#19/#60, home-assistant/core#130687, ccxt/ccxt#22182 and #19034,
Drakkar-Software/OctoBot-Tentacles, coinbase-samples/exchange-scripts-py#16, ccxt/ccxt#10715,
home-assistant/home-assistant.io#17435). The test key (tests/checker/keys/coinbase-cdp-test.*) was made with
OpenSSL for the guide's example only and belongs to no Coinbase account.
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import ecdsa
import pytest
from conftest import CDP_ED25519_SECRET_TEXT, RULES_DATA, best_match, finding_codes, key_file
from ecdsa.util import sigdecode_string, sigencode_der

from checker import (
    Request,
    Rules,
    SigningRefused,
    diagnose_credentials,
    fill_request,
    handle,
    match_error,
    prepare_request,
    run_selftest,
    sign_request,
)

VENUE = "coinbase"
KEYS = Path(__file__).resolve().parent / "keys"
# The guide's signing example: a test key made for it, published, and so flagged as a sample when pasted.
TEST_KEY_FILE_TEXT = (KEYS / "coinbase-cdp-test.json").read_text(encoding="utf-8")
EXAMPLE_NAME = json.loads(TEST_KEY_FILE_TEXT)["name"]
EXAMPLE_PEM = key_file("coinbase-cdp-test.pem")
EXAMPLE_PUBLIC = key_file("coinbase-cdp-test.pub.pem")
# A key of the right kind that no guide prints: the checker's own P-256 test key, with a made-up key name.
NAME = "organizations/3f9d2c1e-6b7a-4c58-9e21-0a4b5c6d7e8f/apiKeys/b1c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d5e"
PEM = key_file("ec-p256.pem")
PUBLIC_PEM = key_file("ec-p256.pub.pem")
# The lines between the armour: what must never come back out of the checker.
PEM_BODY = [line for line in PEM.splitlines() if not line.startswith("-----")]
EXAMPLE_BODY = [line for line in EXAMPLE_PEM.splitlines() if not line.startswith("-----")]
CREDENTIALS = {"key_name": NAME, "private_key": PEM}
# Coinbase's own example legacy pair (docs.cdp.coinbase.com/coinbase-app/authentication-authorization/legacy-keys).
LEGACY = {"key_name": "g3BLnUYMOQsIo9V5", "private_key": "M4009eFnOoPwhNoMwJlsAHgIgleGVFPl"}
RETIRED = "Coinbase expired every legacy API key in February 2025."
ACCOUNTS = Request("GET", "/api/v3/brokerage/accounts", nonce="5f2c", timestamp="1764547200")


def _unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _jwt(token: str) -> tuple[dict[str, Any], dict[str, Any], bytes, bytes]:
    """A JWT's header and claims, decoded here (not by the checker), its signing input and its signature."""
    header, claims, signature = token.split(".")
    return (
        json.loads(_unb64url(header)),
        json.loads(_unb64url(claims)),
        f"{header}.{claims}".encode(),
        _unb64url(signature),
    )


def _verifies(signed: bytes, signature: bytes, public_pem: str, tmp_path: Path) -> bool:
    """ES256 verification with python-ecdsa's own PEM reader and, where installed, the OpenSSL CLI too."""
    public = ecdsa.VerifyingKey.from_pem(public_pem)
    ok = bool(public.verify(signature, signed, hashfunc=hashlib.sha256, sigdecode=sigdecode_string))
    openssl = shutil.which("openssl")
    if openssl is not None:
        r, s = sigdecode_string(signature, public.curve.order)
        (tmp_path / "input").write_bytes(signed)
        (tmp_path / "sig.der").write_bytes(sigencode_der(r, s, public.curve.order))
        (tmp_path / "pub.pem").write_text(public_pem, encoding="utf-8")
        run = [openssl, "dgst", "-sha256", "-verify", str(tmp_path / "pub.pem")]
        done = subprocess.run([*run, "-signature", str(tmp_path / "sig.der"), str(tmp_path / "input")], check=False)
        ok = ok and done.returncode == 0
    return ok


# (1) Coinbase's error texts, as bots and clients show them, land on the guide's entries --------------------------


@pytest.mark.parametrize(
    ("text", "anchor"),
    [
        # Advanced Trade's 401 body, and how clients wrap it.
        ("Unauthorized\n", "unauthorized"),
        ("Error <Response [401]>: b'Unauthorized\\n'", "unauthorized"),
        (
            "401 Client Error: Unauthorized Unauthorized for url: https://api.coinbase.com/api/v3/brokerage/accounts",
            "unauthorized",
        ),
        (
            "AuthenticationError: coinbase GET https://api.coinbase.com/api/v3/brokerage/products 401 Unauthorized "
            "Unauthorized",
            "unauthorized",
        ),
        ('{"type":"error","message":"authentication failure"}', "unauthorized"),
        # A key without the scope the request needs.
        (
            '{"error":"PERMISSION_DENIED","error_details":"Missing required scopes",'
            '"message":"Missing required scopes"}',
            "permission-denied",
        ),
        (
            'coinbase {"error":"unknown","error_details":"Missing required scopes",'
            '"message":"Missing required scopes"}',
            "permission-denied",
        ),
        ('coinbase {"error":"unknown","error_details":"missing required scopes"}', "permission-denied"),
        # A CDP key sent to Coinbase Exchange (printed as the issue shows it).
        ('401\n{\n   "message": "Invalid API Key"\n}', "invalid-api-key"),
        (
            "Authentication error connecting to coinbase: APIError(id=authentication_error): API Key disabled",
            "api-key-disabled",
        ),
        (
            '{"errors":[{"id":"invalid_authentication_method","message":"API access is blocked"}]}',
            "invalid-authentication-method",
        ),
        (
            'coinbase {"error":"INSUFFICIENT_FUND","error_details":"Insufficient balance in source account"}',
            "insufficient-fund",
        ),
        ('{"errors":[{"id":"rate_limit_exceeded","message":"Rate limit exceeded"}]}', "rate-limit-exceeded"),
    ],
)
def test_coinbase_error_texts(real_rules: Rules, text: str, anchor: str) -> None:
    assert best_match(real_rules, text) == (VENUE, anchor)


def test_gate_keeps_its_own_invalid_key_body(real_rules: Rules) -> None:
    # Coinbase Exchange's "Invalid API Key" is also Gate's wording for INVALID_KEY: Gate's label decides.
    assert best_match(real_rules, '{"label":"INVALID_KEY","message":"Invalid API Key"}') == ("gate", "invalid-key")


def test_reply_names_the_entry_and_the_fix(real_rules: Rules) -> None:
    best = match_error(real_rules, "Unauthorized")[0]
    assert best.reply.startswith("Coinbase Advanced error Unauthorized")
    assert "new token for every request" in best.fix and best.url == "venues/coinbase/#unauthorized"


# (2) Coinbase's own pitfalls, as the checker sees them -----------------------------------------------------------


def test_a_valid_key_passes(rules: Rules) -> None:
    diagnosis = diagnose_credentials(rules, VENUE, {**CREDENTIALS, "private_key": PEM.strip()})
    assert diagnosis.ok and diagnosis.findings == ()


def test_the_whole_key_file_in_the_private_key_field(rules: Rules) -> None:
    """Coinbase's downloaded JSON pasted whole: recognised, its parts named, the private key never echoed."""
    key_file_text = TEST_KEY_FILE_TEXT
    payload = {"op": "diagnose", "venue": VENUE, "credentials": {"key_name": NAME, "private_key": key_file_text}}
    answer = handle(json.dumps(RULES_DATA), json.dumps(payload))
    result = json.loads(answer)
    finding = next(f for f in result["findings"] if f["code"] == "private_key.cdp_json")
    assert finding["severity"] == "error" and not result["ok"]
    assert "'name'" in finding["message"] and "'privateKey'" in finding["message"]
    assert "API key name" in finding["hint"] and "Private key" in finding["hint"]
    assert all(line not in answer for line in EXAMPLE_BODY) and EXAMPLE_NAME not in answer
    # Positive control: the same body lines are in what was pasted.
    assert all(line in key_file_text for line in EXAMPLE_BODY)


def test_the_whole_key_file_in_the_key_name_field(rules: Rules) -> None:
    diagnosis = diagnose_credentials(rules, VENUE, {"key_name": TEST_KEY_FILE_TEXT, "private_key": ""})
    assert "key_name.cdp_json" in [f.code for f in diagnosis.findings] and not diagnosis.ok
    assert all(line not in json.dumps(diagnosis.to_dict()) for line in EXAMPLE_BODY)


def test_a_one_line_pem_with_literal_newlines_signs_like_the_real_one(rules: Rules) -> None:
    """The privateKey value as the key file and .env files hold it: \\n for every line break."""
    one_line = PEM.replace("\n", "\\n")
    assert "\n" not in one_line and finding_codes(rules, VENUE, {**CREDENTIALS, "private_key": one_line}) == [
        "private_key.literal_newlines"
    ]
    diagnosis = diagnose_credentials(rules, VENUE, {**CREDENTIALS, "private_key": one_line})
    assert diagnosis.ok and diagnosis.findings[0].severity == "info"
    assert (
        sign_request(rules, VENUE, {**CREDENTIALS, "private_key": one_line}, ACCOUNTS).signature
        == sign_request(rules, VENUE, CREDENTIALS, ACCOUNTS).signature
    )


def test_a_public_key_pasted_instead_of_the_private_one(rules: Rules) -> None:
    credentials = {**CREDENTIALS, "private_key": PUBLIC_PEM}
    diagnosis = diagnose_credentials(rules, VENUE, credentials)
    finding = next(f for f in diagnosis.findings if f.code == "private_key.public_key")
    assert finding.severity == "error" and finding.anchor == "unauthorized" and not diagnosis.ok
    with pytest.raises(SigningRefused):
        sign_request(rules, VENUE, credentials, ACCOUNTS)


def test_the_legacy_hmac_pair_is_recognised_as_retired(rules: Rules) -> None:
    diagnosis = diagnose_credentials(rules, VENUE, LEGACY)
    assert [f.code for f in diagnosis.findings] == ["key_name.retired_key"] and not diagnosis.ok
    finding = diagnosis.findings[0]
    assert RETIRED in finding.message and "legacy API key" in finding.message
    # It links to the guide's expired-key entry, not to the signature one.
    assert finding.anchor == "api-key-disabled"
    with pytest.raises(SigningRefused, match=RETIRED):
        sign_request(rules, VENUE, LEGACY, ACCOUNTS, key_type="legacy")


@pytest.mark.parametrize(("key", "code"), [("ec-secp256k1.pem", "key_curve"), ("ed25519.pem", "key_kind")])
def test_a_private_key_of_another_kind(rules: Rules, key: str, code: str) -> None:
    diagnosis = diagnose_credentials(rules, VENUE, {**CREDENTIALS, "private_key": key_file(key)})
    assert f"private_key.{code}" in [f.code for f in diagnosis.findings] and not diagnosis.ok


def test_an_ed25519_cdp_secret_is_named_as_such(rules: Rules, valid: dict[str, dict[str, str]]) -> None:
    # The developer platform's default algorithm: one line of base64 (seed, then public key), no PEM armour;
    # Advanced Trade's docs ask for ECDSA. The checker proves the pair (the public half derives from the seed).
    diagnosis = diagnose_credentials(rules, VENUE, {**CREDENTIALS, "private_key": CDP_ED25519_SECRET_TEXT})
    assert not diagnosis.ok and CDP_ED25519_SECRET_TEXT not in json.dumps(diagnosis.to_dict())
    findings = diagnosis.findings
    assert [f.code for f in findings] == ["private_key.key_kind"]
    assert "Ed25519 private key written as base64" in findings[0].message
    # Control: 64 random-looking bytes of base64 (a Kraken secret's shape) are not called an Ed25519 key.
    kraken = valid["kraken-spot"]["api_secret"]
    codes = finding_codes(rules, VENUE, {**CREDENTIALS, "private_key": kraken})
    assert "private_key.key_kind" not in codes and {"private_key.pem_missing", "private_key.other_venue"} <= set(codes)


def test_docs_example_key_name_is_flagged(rules: Rules) -> None:
    docs_name = "organizations/8f1ac569-ed29-48ae-b989-6798a975afab/apiKeys/87d98ae9-f31f-42ee-9b69-723d3ff9dd77"
    assert "key_name.sample" in finding_codes(rules, VENUE, {**CREDENTIALS, "key_name": docs_name})


def test_the_guides_test_key_is_flagged_as_a_sample(rules: Rules) -> None:
    # The guide prints it (and says the checker flags it): it must never pass for someone's own key.
    diagnosis = diagnose_credentials(rules, VENUE, {"key_name": EXAMPLE_NAME, "private_key": EXAMPLE_PEM})
    assert {"key_name.sample", "private_key.sample"} <= {f.code for f in diagnosis.findings} and not diagnosis.ok
    one_line = EXAMPLE_PEM.strip().replace("\n", "\\n")
    assert "private_key.sample" in finding_codes(rules, VENUE, {**CREDENTIALS, "private_key": one_line})
    # The YAML lists the block once; its body alone, re-wrapped or unwrapped, is the same key.
    body = "".join(line for line in EXAMPLE_PEM.splitlines() if not line.startswith("-----"))
    for pasted in (body, "\n".join(body[i : i + 40] for i in range(0, len(body), 40))):
        assert "private_key.sample" in finding_codes(rules, VENUE, {**CREDENTIALS, "private_key": pasted})
    # Control: another key of the same kind is nobody's sample.
    assert "private_key.sample" not in finding_codes(rules, VENUE, CREDENTIALS)


@pytest.mark.parametrize("key_name", ["bot-spot-2026-12", "87f1b87b-ca69-44b4-9ac1-5176cdbdecae"])
def test_a_nickname_or_bare_key_id_is_not_the_key_name(rules: Rules, key_name: str) -> None:
    # The token's sub and kid carry the whole organizations/…/apiKeys/… name.
    findings = diagnose_credentials(rules, VENUE, {**CREDENTIALS, "key_name": key_name}).findings
    prefix = next(f for f in findings if f.code == "key_name.prefix")
    # Coinbase answers a bad key name with the same `Unauthorized` as a bad signature: the finding leads there.
    assert prefix.anchor == "unauthorized"


def test_swapped_fields(rules: Rules) -> None:
    codes = finding_codes(rules, VENUE, {"key_name": PEM, "private_key": NAME})
    assert "key_name.pem" in codes and "private_key.pem_missing" in codes


# (3) The token: claims as Coinbase documents them, and a signature the public key verifies ----------------------


def test_a_valid_key_signs_a_jwt_that_verifies(rules: Rules, tmp_path: Path) -> None:
    request = Request("GET", "/api/v3/brokerage/accounts", query="limit=250", nonce="5f2c", timestamp="1764547200")
    result = sign_request(rules, VENUE, CREDENTIALS, request)
    header, claims, signed, signature = _jwt(result.signature)
    assert header == {"alg": "ES256", "kid": NAME, "nonce": "5f2c", "typ": "JWT"}
    # Two minutes, and only this method, host and path: the query string is not part of the uri claim.
    assert claims == {
        "sub": NAME,
        "iss": "cdp",
        "nbf": 1764547200,
        "exp": 1764547320,
        "uri": "GET api.coinbase.com/api/v3/brokerage/accounts",
    }
    assert result.url == "https://api.coinbase.com/api/v3/brokerage/accounts?limit=250"
    assert result.headers["Authorization"] == f"Bearer {result.signature}"
    assert _verifies(signed, signature, PUBLIC_PEM, tmp_path)
    assert all(line not in json.dumps(result.to_dict()) for line in PEM_BODY)


def test_a_tampered_token_does_not_verify(rules: Rules) -> None:
    """Control for the verification above: the same signature over other claims fails."""
    _, _, signed, signature = _jwt(sign_request(rules, VENUE, CREDENTIALS, ACCOUNTS).signature)
    other = _jwt(sign_request(rules, VENUE, CREDENTIALS, Request(**{**ACCOUNTS.__dict__, "path": "/x"})).signature)[2]
    public = ecdsa.VerifyingKey.from_pem(PUBLIC_PEM)
    assert public.verify(signature, signed, hashfunc=hashlib.sha256, sigdecode=sigdecode_string)
    with pytest.raises(ecdsa.BadSignatureError):
        public.verify(signature, other, hashfunc=hashlib.sha256, sigdecode=sigdecode_string)


def test_each_request_gets_its_own_token(rules: Rules) -> None:
    first = sign_request(rules, VENUE, CREDENTIALS, ACCOUNTS).signature
    assert sign_request(rules, VENUE, CREDENTIALS, ACCOUNTS).signature == first  # RFC 6979: reproducible
    for change in (
        {"path": "/api/v3/brokerage/orders"},
        {"method": "POST"},
        {"nonce": "5f2d"},
        {"timestamp": "1764547201"},
    ):
        assert sign_request(rules, VENUE, CREDENTIALS, Request(**{**ACCOUNTS.__dict__, **change})).signature != first


def test_the_test_request_and_the_key_information_request(rules: Rules) -> None:
    venue = rules.venue(VENUE)
    assert venue.signing is not None and venue.signing.test_request is not None and venue.key_info is not None
    fields = prepare_request(rules, VENUE, 1_764_547_200_123, {})["fields"]
    assert fields["timestamp"] == "1764547200" and fields["nonce"] and fields["path"] == "/api/v3/brokerage/accounts"
    info = fill_request(venue.key_info.request, nonce="5f2c", timestamp="1764547200")
    claims = _jwt(sign_request(rules, VENUE, CREDENTIALS, info).signature)[1]
    assert claims["uri"] == "GET api.coinbase.com/api/v3/brokerage/key_permissions"


# (4) The guide's signing example: a test key, reproduced and verified independently -----------------------------


def test_the_example_uses_the_published_test_key(real_rules: Rules) -> None:
    example = real_rules.venue(VENUE).signing.example  # type: ignore[union-attr]
    assert example is not None and not example.official
    assert example.credentials["private_key"].strip() == EXAMPLE_PEM.strip()
    assert example.credentials["key_name"] == EXAMPLE_NAME
    # The public key beside it is the private key's own.
    private = ecdsa.SigningKey.from_pem(EXAMPLE_PEM)
    assert private.get_verifying_key().to_string() == ecdsa.VerifyingKey.from_pem(EXAMPLE_PUBLIC).to_string()


def test_selftest_reproduces_the_example(real_rules: Rules, tmp_path: Path) -> None:
    result = run_selftest(real_rules, VENUE)
    assert result.ok and result.prehash_ok and not result.official
    header, claims, signed, signature = _jwt(result.signature)
    assert (header["alg"], header["kid"], header["nonce"]) == (
        "ES256",
        EXAMPLE_NAME,
        "ad898a2c0b3496184c7ad443b34124a8",
    )
    assert (claims["iss"], claims["nbf"], claims["exp"] - claims["nbf"]) == ("cdp", 1764547200, 120)
    assert _verifies(signed, signature, EXAMPLE_PUBLIC, tmp_path)
    # Independent of the checker: python-ecdsa's own PEM reader and RFC 6979 signer give the same token.
    expected = ecdsa.SigningKey.from_pem(EXAMPLE_PEM).sign_deterministic(signed, hashfunc=hashlib.sha256)
    assert base64.urlsafe_b64encode(expected).decode().rstrip("=") == result.signature.rsplit(".", 1)[1]


# (5) Verify the key: Coinbase's key_permissions answer, read with this guide's entries and revoke steps ---------


def _audit(rules_json: str, answer: Any, use_case: str) -> dict[str, Any]:
    payload = {"op": "audit", "venue": VENUE, "response": json.dumps(answer), "use_case": use_case}
    result: dict[str, Any] = json.loads(handle(rules_json, json.dumps(payload)))
    assert "error" not in result, result
    return result


def test_a_key_that_can_transfer_is_told_to_be_deleted() -> None:
    rules_json = json.dumps(RULES_DATA)
    answer = {
        "can_view": True,
        "can_trade": True,
        "can_transfer": True,
        "portfolio_uuid": "p",
        "portfolio_type": "DEFAULT",
    }
    result = _audit(rules_json, answer, "spot-trading-bot")
    withdraw = next(f for f in result["findings"] if f["code"] == "audit.withdraw.on")
    assert not result["ok"] and withdraw["severity"] == "error"
    assert "Secret API Keys" in withdraw["hint"] and "Configure" in withdraw["hint"]
    # Control: the same key without Transfer fits a trading bot.
    assert _audit(rules_json, {**answer, "can_transfer": False}, "spot-trading-bot")["ok"]


def test_a_scope_error_answer_links_to_the_permission_entry() -> None:
    error = {
        "error": "PERMISSION_DENIED",
        "error_details": "Missing required scopes",
        "message": "Missing required scopes",
    }
    [finding] = _audit(json.dumps(RULES_DATA), error, "spot-trading-bot")["findings"]
    assert finding["severity"] == "error" and finding["anchor"] == "permission-denied"

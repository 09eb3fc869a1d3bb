"""Diagnosing pasted private keys: armour, line breaks, DER, kind, curve, size, encryption, the wrong half, key
files pasted whole, retired and other key types. Findings name a position and a code, never the key."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from conftest import CDP_ED25519_SECRET_TEXT, COINBASE_LEGACY_RETIRED, RULES_DATA, key_file

from checker import Rules, diagnose_credentials, handle
from checker.findings import Finding

ED = "fixture-binance-ed25519"
RSA = "fixture-binance-rsa"
CDP = "fixture-coinbase-cdp-jwt"
TYPES = "fixture-key-types"
NAME = "organizations/00000000-0000-4000-8000-000000000001/apiKeys/00000000-0000-4000-8000-000000000002"
API_KEY = "Q7xZp3Lm" * 8
OPENSSH = "\n".join(
    [
        "-----BEGIN OPENSSH PRIVATE KEY-----",
        "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ==",
        "-----END OPENSSH PRIVATE KEY-----",
    ]
)
ED_PEM = key_file("ed25519.pem")
EC_PEM = key_file("ec-p256.pem")
ED_BODY = ED_PEM.splitlines()[1]


SECRET_FIELDS = ("private_key", "api_secret")


def _runs(text: str, width: int = 8) -> set[str]:
    """Every 8-character run of the key material in `text` (its base64 stretches; not the armour lines)."""
    stretches = re.findall(r"[A-Za-z0-9+/=]{20,}", text.replace("\\n", "\n"))
    return {s[i : i + width] for s in stretches for i in range(len(s) - width + 1)}


def _findings(
    rules: Rules, venue: str, credentials: dict[str, str], key_type: str | None = None, *, secret: str | None = None
) -> list[Finding]:
    findings = list(diagnose_credentials(rules, venue, credentials, key_type).findings)
    # Never the key: no run of a pasted secret (or of `secret`, pasted inside something) is in a message or hint.
    secrets = [secret] if secret is not None else [credentials.get(field, "") for field in SECRET_FIELDS]
    for text in secrets:
        for run in _runs(text):
            for finding in findings:
                assert run not in finding.message + finding.hint, (finding.code, run)
    return findings


def _codes(findings: list[Finding]) -> dict[str, tuple[str, int | None]]:
    return {f.code: (f.severity, f.position) for f in findings}


def _flip_first_byte_of_der(pem: str) -> str:
    lines = pem.splitlines()
    der = bytearray(base64.b64decode(lines[1] + "=" * (-len(lines[1]) % 4)))
    der[1] ^= 0x10  # the top SEQUENCE's length
    return "\n".join([lines[0], base64.b64encode(bytes(der)).decode(), *lines[2:]]) + "\n"


CASES: list[tuple[str, str, Callable[[], str], str, str, int | None]] = [
    ("armour missing", ED, lambda: ED_BODY, "private_key.pem_missing", "error", None),
    ("four dashes", ED, lambda: ED_PEM[1:], "private_key.pem_armour", "error", 0),
    ("cut off", ED, lambda: ED_PEM[:40], "private_key.pem_truncated", "error", 40),
    (
        "END of another kind",
        ED,
        lambda: ED_PEM.replace("END PRIVATE", "END EC PRIVATE"),
        "private_key.pem_armour",
        "error",
        ED_PEM.index("-----END"),
    ),
    ("END without BEGIN", ED, lambda: ED_PEM.split("\n", 1)[1], "private_key.pem_armour", "error", 65),
    ("zero-width space", ED, lambda: ED_PEM.replace("MC4C", "MC\u200b4C"), "private_key.pem_body", "error", 30),
    ("a base64 character lost", ED, lambda: ED_PEM.replace("MC4C", "MC4"), "private_key.pem_body", "error", None),
    ("DER damaged", ED, lambda: _flip_first_byte_of_der(ED_PEM), "private_key.der", "error", None),
    ("wrong kind", ED, lambda: key_file("rsa-2048-own.pem"), "private_key.key_kind", "error", None),
    ("wrong curve", CDP, lambda: key_file("ec-secp256k1.pem"), "private_key.key_curve", "error", None),
    ("key too small", RSA, lambda: key_file("rsa-1024.pem"), "private_key.key_size", "error", None),
    ("encrypted", ED, lambda: key_file("ed25519-encrypted.pem"), "private_key.encrypted", "error", None),
    ("public key", ED, lambda: key_file("ed25519.pub.pem"), "private_key.public_key", "error", None),
    ("RSA public key", RSA, lambda: key_file("rsa-2048.pub.pem"), "private_key.public_key", "error", None),
    ("certificate", CDP, lambda: key_file("certificate.pem"), "private_key.certificate", "error", None),
    ("OpenSSH file", ED, lambda: OPENSSH, "private_key.openssh", "error", None),
    ("literal \\n", CDP, lambda: EC_PEM.replace("\n", "\\n"), "private_key.literal_newlines", "info", 30),
    ("no line breaks", ED, lambda: ED_PEM.replace("\n", " "), "private_key.pem_one_line", "warning", None),
    ("text before", ED, lambda: "key.pem:\n" + ED_PEM, "private_key.pem_extra", "warning", 0),
    ("text after", ED, lambda: ED_PEM + "$ ", "private_key.pem_extra", "warning", len(ED_PEM)),
    (
        "with its public key",
        ED,
        lambda: ED_PEM + key_file("ed25519.pub.pem"),
        "private_key.pem_blocks",
        "warning",
        None,
    ),
    ("two private keys", CDP, lambda: EC_PEM + EC_PEM, "private_key.pem_blocks", "error", None),
    (
        "placeholder",
        CDP,
        lambda: "-----BEGIN EC PRIVATE KEY-----\nYOUR PRIVATE KEY\n-----END EC PRIVATE KEY-----\n",
        "private_key.placeholder",
        "error",
        None,
    ),
]


@pytest.mark.parametrize(("case", "venue", "value", "code", "severity", "position"), CASES, ids=[c[0] for c in CASES])
def test_a_pasted_key_problem_is_named(
    rules: Rules, case: str, venue: str, value: Callable[[], str], code: str, severity: str, position: int | None
) -> None:
    findings = _findings(rules, venue, {"api_key": API_KEY if venue != CDP else NAME, "private_key": value()})
    assert _codes(findings).get(code) == (severity, position), (case, _codes(findings))
    blocking = [f for f in findings if f.severity == "error"]
    assert (blocking != []) == (severity == "error"), case


def test_the_position_of_a_literal_newline_is_where_it_was_pasted(rules: Rules) -> None:
    value = EC_PEM.replace("\n", "\\n")
    (finding,) = [f for f in _findings(rules, CDP, {"private_key": value}) if f.code.endswith("literal_newlines")]
    assert finding.position == value.index("\\n")
    assert "Coinbase" in finding.hint or "JSON" in finding.hint


def test_a_clean_key_has_no_finding(rules: Rules) -> None:
    for venue, key in ((ED, "ed25519.pem"), (RSA, "rsa-2048-own.pem"), (CDP, "ec-p256.pem")):
        findings = _findings(rules, venue, {"api_key": NAME if venue == CDP else API_KEY, "private_key": key_file(key)})
        assert [f.code for f in findings] == ["private_key.trimmed"], venue  # the file's last line break


def test_cdp_ed25519_secret_whose_halves_do_not_belong_together(rules: Rules) -> None:
    raw = bytearray(base64.b64decode(CDP_ED25519_SECRET_TEXT))
    raw[-1] ^= 1
    damaged = base64.b64encode(bytes(raw)).decode()
    ok = _codes(_findings(rules, CDP, {"api_key": NAME, "private_key": CDP_ED25519_SECRET_TEXT}, "ed25519"))
    bad = _codes(_findings(rules, CDP, {"api_key": NAME, "private_key": damaged}, "ed25519"))
    assert ok == {}
    assert bad == {"private_key.key_halves": ("error", None)}


@pytest.mark.parametrize("field", ["private_key", "api_key"])
def test_the_cdp_key_file_pasted_whole_is_named_not_echoed(rules: Rules, field: str) -> None:
    key_json = json.dumps({"name": NAME, "privateKey": EC_PEM})
    findings = _findings(rules, CDP, {field: key_json}, secret=EC_PEM)
    (finding,) = [f for f in findings if f.code == f"{field}.cdp_json"]
    assert finding.severity == "error"
    assert "'name'" in finding.message and "'privateKey'" in finding.message
    assert "'name' into the api_key field" in finding.hint and "'privateKey'" in finding.hint
    assert NAME not in finding.message + finding.hint
    # Signing is refused while it stands, and no output holds any of the private key.
    payload = {"op": "sign", "venue": CDP, "credentials": {field: key_json}, "request": {"method": "GET", "path": "/"}}
    response = handle(json.dumps(RULES_DATA), json.dumps(payload))
    assert json.loads(response)["error"].startswith("not signed")
    assert not [run for run in _runs(EC_PEM) if run in response]


def test_a_new_cdp_key_file_with_an_id_is_recognised(rules: Rules) -> None:
    key_json = json.dumps({"id": "00000000-0000-4000-8000-000000000002", "privateKey": CDP_ED25519_SECRET_TEXT})
    findings = _findings(rules, CDP, {"private_key": key_json}, secret=CDP_ED25519_SECRET_TEXT)
    (finding,) = [f for f in findings if f.code == "private_key.cdp_json"]
    assert "'id'" in finding.message and "'id' into the api_key field" in finding.hint


def test_a_legacy_coinbase_pair_is_recognised_as_retired(rules: Rules) -> None:
    legacy = {"api_key": "g3BLnUYMOQsIo9V5", "private_key": "M4009eFnOoPwhNoMwJlsAHgIgleGVFPl"}
    findings = _findings(rules, CDP, legacy)
    assert [(f.code, f.severity) for f in findings] == [("api_key.retired_key", "error")]
    assert COINBASE_LEGACY_RETIRED in findings[0].message and "legacy API key" in findings[0].message
    payload = {"op": "sign", "venue": CDP, "credentials": legacy, "request": {"method": "GET", "path": "/"}}
    assert json.loads(handle(json.dumps(RULES_DATA), json.dumps(payload)))["error"].startswith("not signed")


def test_an_ed25519_cdp_secret_where_ecdsa_is_chosen_names_the_key_type(rules: Rules) -> None:
    findings = _findings(rules, CDP, {"api_key": NAME, "private_key": CDP_ED25519_SECRET_TEXT})
    assert [(f.code, f.severity) for f in findings] == [("private_key.other_key_type", "error")]
    assert "Ed25519 API key" in findings[0].message and "ECDSA API key" in findings[0].message


def test_an_hmac_secret_where_ed25519_is_chosen_names_the_key_type(rules: Rules) -> None:
    findings = _findings(rules, TYPES, {"api_key": API_KEY, "private_key": API_KEY[::-1]}, "ed25519")
    assert [(f.code, f.severity) for f in findings] == [("private_key.other_key_type", "error")]
    assert "HMAC key" in findings[0].message and "'HMAC key'" in findings[0].hint


def test_a_pem_in_the_hmac_secret_field_points_to_its_key_type(rules: Rules) -> None:
    findings = _findings(rules, TYPES, {"api_key": API_KEY, "api_secret": ED_PEM})
    (finding,) = [f for f in findings if f.code == "api_secret.pem"]
    assert "an Ed25519 private key" in finding.message and "'Ed25519 key'" in finding.hint


def test_a_private_key_in_the_key_field_is_not_signed(rules: Rules) -> None:
    payload: dict[str, Any] = {"op": "sign", "venue": ED, "credentials": {"api_key": ED_PEM, "private_key": ED_PEM}}
    payload["request"] = {"method": "GET", "path": "/api/v3/account", "timestamp": "1"}
    response = handle(json.dumps(RULES_DATA), json.dumps(payload))
    assert "not signed" in json.loads(response)["error"]
    assert ED_BODY[10:30] not in response


def test_an_ec_pem_where_the_ed25519_type_takes_base64_points_back(rules: Rules) -> None:
    findings = _findings(rules, CDP, {"api_key": NAME, "private_key": EC_PEM}, "ed25519")
    (finding,) = [f for f in findings if f.code == "private_key.pem"]
    assert "an EC private key on the P-256 curve" in finding.message
    assert "'ECDSA API key'" in finding.hint

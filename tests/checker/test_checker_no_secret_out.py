"""No output of the checker ever holds a secret-role value, whatever the reader pasted where.

Each case pastes a canary secret where a careless signer would echo it: into the key field (swapped), into both
fields, as another venue's key, with the key and secret run together. Signing is refused while such a finding
stands; and whatever is signed, every output string is searched for the canary and for any 12-character run of it.
"""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import RULES_DATA

from checker import Rules, dispatch, handle
from checker.browser import redact

ROOT = Path(__file__).resolve().parents[2]
REQUEST = {"method": "POST", "path": "/0/private/Balance", "body": "nonce=1", "nonce": "1"}


def _runs(secret: str, width: int = 12) -> set[str]:
    return {secret[i : i + width] for i in range(len(secret) - width + 1)}


def _leaks(output: str, secret: str) -> list[str]:
    return sorted(run for run in _runs(secret) if run in output)


def _canary(valid: dict[str, dict[str, str]]) -> str:
    # A real-looking Kraken Private Key, never published: 64 bytes, base64.
    return base64.b64encode(bytes(range(7, 71))).decode()


@pytest.fixture
def canary(valid: dict[str, dict[str, str]]) -> str:
    return _canary(valid)


def test_the_probe_sees_a_leak(canary: str) -> None:
    """Positive control: the search finds the canary, and a 12-character run of it, in an output."""
    assert _leaks(json.dumps({"curl": f"-H 'API-Key: {canary}'"}), canary)
    assert _leaks(f"part {canary[20:33]} of it", canary)
    assert not _leaks(f"<your Private Key> {canary[:11]}", canary)


@pytest.mark.parametrize(
    ("case", "credentials"),
    [
        ("swapped", lambda key, secret: {"api_key": secret, "api_secret": key}),
        ("identical", lambda key, secret: {"api_key": secret, "api_secret": secret}),
        ("key and secret together", lambda key, secret: {"api_key": f"{key}:{secret}", "api_secret": secret}),
    ],
)
def test_misplaced_secret_is_not_signed(
    rules: Rules, valid: dict[str, dict[str, str]], canary: str, case: str, credentials: Any
) -> None:
    pasted = credentials(valid["kraken-spot"]["api_key"], canary)
    for op in ("sign", "compare"):
        payload = {"op": op, "venue": "kraken-spot", "credentials": pasted, "request": REQUEST, "signature": "x"}
        response = handle(json.dumps(RULES_DATA), json.dumps(payload))
        assert "not signed" in json.loads(response)["error"], (case, op)
        assert _leaks(response, canary) == [], (case, op)


def test_another_venues_key_is_not_signed(rules: Rules, valid: dict[str, dict[str, str]]) -> None:
    pasted = {"api_key": valid["binance"]["api_key"], "api_secret": valid["binance"]["api_secret"]}
    response = json.loads(
        handle(
            json.dumps(RULES_DATA),
            json.dumps({"op": "sign", "venue": "kraken-spot", "credentials": pasted, "request": REQUEST}),
        )
    )
    assert "not signed" in response["error"] and "api_key" in response["error"]
    assert {f["code"] for f in response["findings"]} >= {"api_key.other_venue"}


def test_a_secret_sent_as_typed_is_replaced_in_every_output(rules: Rules, valid: dict[str, dict[str, str]]) -> None:
    """KuCoin and OKX send a passphrase; Bybit signs the key into the prehash. No secret value survives."""
    for venue in ("okx", "kucoin", "bybit", "binance", "kraken-spot"):
        credentials = dict(valid[venue])
        fields = dispatch(rules, {"op": "prepare", "venue": venue, "now_ms": 1_700_000_000_000})["fields"]
        signed = dispatch(rules, {"op": "sign", "venue": venue, "credentials": credentials, "request": fields})
        output = json.dumps(signed)
        for credential in rules.venue(venue).credentials:
            if credential.secret:
                assert credentials[credential.id] not in output, (venue, credential.id)


def test_redaction_replaces_values_inside_any_string() -> None:
    secrets = {"s3cr3t-value": "<your API Secret>", "s3cr3t": "<your Passphrase>"}
    data = {"curl": "x s3cr3t-value y", "headers": {"P": "s3cr3t"}, "list": ["as3cr3tb"], "n": 1}
    assert redact(data, secrets) == {
        "curl": "x <your API Secret> y",
        "headers": {"P": "<your Passphrase>"},
        "list": ["a<your Passphrase>b"],
        "n": 1,
    }


def test_the_command_line_prints_no_secret_for_swapped_kraken_credentials(
    tmp_path: Path, valid: dict[str, dict[str, str]], canary: str
) -> None:
    rules_file = tmp_path / "venues.json"
    rules_file.write_text(json.dumps(RULES_DATA), encoding="utf-8")
    pasted = {"api_key": canary, "api_secret": valid["kraken-spot"]["api_key"]}
    done = subprocess.run(
        [sys.executable, "-m", "checker", "sign", "--rules", str(rules_file)],
        input=json.dumps({"venue": "kraken-spot", "credentials": pasted, "request": REQUEST}),
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 2 and "not signed" in json.loads(done.stdout)["error"]
    assert _leaks(done.stdout + done.stderr, canary) == []

"""The page's entry: JSON string in, JSON string out, errors as {"error": ...}."""

from __future__ import annotations

import json
from typing import Any

import pytest

from checker import handle
from checker.browser import _parse_rules


@pytest.fixture(scope="module")
def rules_json() -> str:
    import importlib.util
    from pathlib import Path

    spec = importlib.util.spec_from_file_location("checker_tests_conftest_b", Path(__file__).with_name("conftest.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return json.dumps(module.RULES_DATA)


def call(rules_json: str, payload: Any) -> dict[str, Any]:
    result = json.loads(handle(rules_json, payload if isinstance(payload, str) else json.dumps(payload)))
    assert isinstance(result, dict)
    return result


def test_diagnose(rules_json: str, valid: dict[str, dict[str, str]]) -> None:
    creds = {**valid["kraken-spot"], "api_secret": valid["kraken-spot"]["api_secret"][:57] + "\u200b"}
    result = call(rules_json, {"op": "diagnose", "venue": "kraken-spot", "credentials": creds})
    assert result["ok"] is False
    assert result["findings"][0]["code"] == "api_secret.zero_width"


def test_sign_and_compare(rules_json: str) -> None:
    request = {
        "method": "POST",
        "path": "/0/private/AddOrder",
        "nonce": "1616492376594",
        "body": "nonce=1616492376594&ordertype=limit&pair=XBTUSD&price=37500&type=buy&volume=1.25",
    }
    secret = "kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg=="
    signed = call(
        rules_json, {"op": "sign", "venue": "kraken-spot", "credentials": {"api_secret": secret}, "request": request}
    )
    assert signed["signature"].startswith("4/dpxb3iT4tp")
    assert set(signed) >= {"signature", "headers", "prehash", "prehash_note", "findings"}
    compared = call(
        rules_json,
        {
            "op": "compare",
            "venue": "kraken-spot",
            "credentials": {"api_secret": secret},
            "request": request,
            "signature": signed["signature"].rstrip("="),
        },
    )
    assert compared["match"] is False and compared["likely_cause"] == "base64url"


def test_selftest(rules_json: str) -> None:
    result = call(rules_json, {"op": "selftest", "venue": "kraken-spot"})
    assert result["ok"] is True and result["official"] is True
    assert result["signature"] == result["expected"]
    assert result["source_url"].startswith("https://docs.kraken.com")


def test_match_error(rules_json: str) -> None:
    result = call(rules_json, {"op": "match_error", "text": "EAPI:Invalid signature"})
    assert result["matches"][0]["id"] == "eapi-invalid-signature"


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ("{not json", "request: not valid JSON"),
        ("[]", "request: expected a JSON object"),
        ({"op": "fly"}, "op: expected one of"),
        ({"op": "diagnose", "venue": "nope", "credentials": {}}, "unknown venue 'nope'"),
        ({"op": "diagnose", "venue": "binance"}, "credentials: required"),
        ({"op": "diagnose", "venue": "binance", "credentials": {"api_secret": 5}}, "credentials.api_secret"),
        ({"op": "sign", "venue": "binance", "credentials": {"api_secret": "x"}}, "request: expected an object"),
        (
            {"op": "sign", "venue": "binance", "credentials": {"api_secret": "x"}, "request": {"path": "/"}},
            "request.method: required",
        ),
    ],
)
def test_errors_come_back_as_json(rules_json: str, payload: Any, message: str) -> None:
    result = call(rules_json, payload)
    assert set(result) == {"error"} and message in result["error"]


def test_refused_signing_carries_findings(rules_json: str) -> None:
    result = call(
        rules_json,
        {
            "op": "sign",
            "venue": "kraken-spot",
            "credentials": {"api_secret": "a-b_c"},
            "request": {"method": "POST", "path": "/0/private/Balance", "nonce": "1"},
        },
    )
    assert "base64" in result["error"] and result["findings"]


def test_bad_rules_are_an_error_not_an_exception() -> None:
    assert "rules: not valid JSON" in json.loads(handle("{", "{}"))["error"]
    assert "rules.venues: required" in json.loads(handle("{}", "{}"))["error"]


def test_rules_are_parsed_once(rules_json: str) -> None:
    _parse_rules.cache_clear()
    for _ in range(3):
        call(rules_json, {"op": "match_error", "text": "x"})
    info = _parse_rules.cache_info()
    assert (info.misses, info.hits) == (1, 2)

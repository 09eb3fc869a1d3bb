"""The scheme registry, fresh request values in each venue's own format, and what the page is handed to show."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from conftest import RULES_DATA
from hypothesis import given
from hypothesis import strategies as st

from checker import SCHEMES, Rules, Scheme, dispatch, format_timestamp, handle, prepare_request
from checker.vocab import SECRET_DECODINGS, SIGNED_FIELDS, TIMESTAMP_FORMATS


@given(st.integers(min_value=0, max_value=253_402_300_799_999))  # up to 9999-12-31T23:59:59.999Z
def test_iso_timestamps_agree_with_datetime(now_ms: int) -> None:
    moment = datetime.datetime.fromtimestamp(now_ms // 1000, tz=datetime.UTC)
    expected = moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now_ms % 1000:03d}Z"
    assert format_timestamp(now_ms, "iso8601_ms") == expected


def test_timestamp_formats() -> None:
    assert format_timestamp(1_607_418_537_715, "unix_ms") == "1607418537715"
    assert format_timestamp(1_607_418_537_715, "unix_s") == "1607418537"
    assert format_timestamp(1_607_418_537_715, "iso8601_ms") == "2020-12-08T09:08:57.715Z"


def test_every_scheme_is_described_in_the_vocabularies() -> None:
    for scheme in SCHEMES.values():
        assert scheme.formula and scheme.id in scheme_ids()
        assert set(scheme.signs) <= set(SIGNED_FIELDS) and scheme.secret_decoding in SECRET_DECODINGS
        assert scheme.timestamp_format is None or scheme.timestamp_format in TIMESTAMP_FORMATS


def scheme_ids() -> set[str]:
    return set(SCHEMES)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"signs": ("clock",)}, "unknown signed field"),
        ({"secret_decoding": "rot13"}, "unknown signed field or secret decoding"),
        ({"signs": ("timestamp",), "timestamp_format": None}, "names its format"),
        ({"signs": ("nonce",), "timestamp_format": "unix_ms"}, "names its format"),
    ],
)
def test_a_scheme_declared_inconsistently_is_refused(changes: dict[str, Any], message: str) -> None:
    base: dict[str, Any] = {
        "id": "x",
        "formula": "f",
        "signs": ("nonce",),
        "secret_decoding": "raw",
        "sign": SCHEMES["bitfinex_v2"].sign,
    }
    with pytest.raises(ValueError, match=message):
        Scheme(**{**base, **changes})


@pytest.mark.parametrize(
    ("venue", "expected"),
    [
        ("kraken-spot", {"method": "POST", "body": "nonce=1607418537715", "nonce": "1607418537715"}),
        ("okx", {"timestamp": "2020-12-08T09:08:57.715Z"}),
        ("kucoin", {"timestamp": "1607418537715"}),
        ("bybit", {"timestamp": "1607418537715", "recv_window": "5000"}),
    ],
)
def test_prepare_fills_fresh_values_in_the_venues_format(rules: Rules, venue: str, expected: dict[str, str]) -> None:
    fields = prepare_request(rules, venue, 1_607_418_537_715, {})["fields"]
    assert {name: fields[name] for name in expected} == expected
    assert not any("{" in value for value in fields.values())  # no placeholder is left for the reader to fill


def test_prepare_carries_a_typed_nonce_into_the_body(rules: Rules) -> None:
    fields = prepare_request(rules, "kraken-spot", None, {"nonce": "42"})["fields"]
    assert (fields["nonce"], fields["body"]) == ("42", "nonce=42")


def test_the_page_gets_display_ready_results(valid: dict[str, dict[str, str]]) -> None:
    rules_json = json.dumps(RULES_DATA)

    def call(request: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = json.loads(handle(rules_json, json.dumps(request)))
        return result

    fields = call({"op": "prepare", "venue": "binance", "now_ms": 1_700_000_000_000})["fields"]
    signed = call({"op": "sign", "venue": "binance", "credentials": valid["binance"], "request": fields})
    assert signed["url"].startswith("https://api.binance.com/api/v3/account?")
    assert signed["url"].endswith(f"&signature={signed['signature']}")
    assert signed["curl"].startswith(f"curl -X GET '{signed['url']}' -H 'X-MBX-APIKEY: ")
    assert valid["binance"]["api_secret"] not in json.dumps(signed)
    selftest = call({"op": "selftest", "venue": "kraken-spot"})
    assert selftest["ok"] and selftest["link"] == "venues/kraken-spot/#signing-example"
    diagnosis = call({"op": "diagnose", "venue": "kraken-spot", "credentials": {"api_key": "", "api_secret": ""}})
    assert {f["link"] for f in diagnosis["findings"]} == {
        "venues/kraken-spot/#eapi-invalid-key",
        "venues/kraken-spot/#eapi-invalid-signature",
    }


def test_a_payload_sent_in_a_header_is_not_sent_as_a_body(rules: Rules) -> None:
    request = {"method": "POST", "path": "/v1/balances", "body": '{"request":"/v1/balances","nonce":1}'}
    credentials = {"api_key": "k", "api_secret": "s"}
    signed = dispatch(
        rules, {"op": "sign", "venue": "fixture-gemini-v1", "credentials": credentials, "request": request}
    )
    assert "--data-raw" not in signed["curl"] and signed["headers"]["X-GEMINI-PAYLOAD"] in signed["curl"]

"""Signing beyond the vectors: headers, Binance timestamp handling, missing input, the self-test."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest
from conftest import RULES_DATA

from checker import (
    CheckerInputError,
    Request,
    Rules,
    SigningRefused,
    dispatch,
    fill_request,
    handle,
    run_selftest,
    sign_request,
)
from checker.schemes import PASSPHRASE_PLACEHOLDER


def _json(request: Request) -> dict[str, Any]:
    return dataclasses.asdict(request)


def test_kraken_spot_headers_and_prehash_note(rules: Rules, valid: dict[str, dict[str, str]]) -> None:
    creds = valid["kraken-spot"]
    template = rules.venue("kraken-spot").signing.test_request  # type: ignore[union-attr]
    assert template is not None
    result = sign_request(rules, "kraken-spot", creds, fill_request(template, nonce=1616492376594))
    assert result.prehash == "1616492376594nonce=1616492376594"
    assert result.headers == {
        "API-Key": creds["api_key"],
        "API-Sign": result.signature,
        "Content-Type": "application/x-www-form-urlencoded",
    }
    assert result.prehash_note and "SHA256" in result.prehash_note
    assert creds["api_secret"] not in str(result.to_dict())


def test_signing_uses_the_trimmed_value_and_reports_it(rules: Rules, valid: dict[str, dict[str, str]]) -> None:
    request = Request("POST", "/0/private/Balance", body="nonce=1", nonce="1")
    clean = sign_request(rules, "kraken-spot", valid["kraken-spot"], request)
    padded = {**valid["kraken-spot"], "api_secret": valid["kraken-spot"]["api_secret"] + "\r\n"}
    result = sign_request(rules, "kraken-spot", padded, request)
    assert result.signature == clean.signature
    # Signing itself reports nothing; the browser entry composes it with the diagnosis, which tells the trim.
    response = dispatch(rules, {"op": "sign", "venue": "kraken-spot", "credentials": padded, "request": _json(request)})
    assert response["signature"] == clean.signature
    assert [f["code"] for f in response["findings"]] == ["api_secret.trimmed"]


def test_kraken_futures_strips_prefix_and_signs_query_for_get(rules: Rules, valid: dict[str, dict[str, str]]) -> None:
    request = Request("GET", "/derivatives/api/v3/fills", query="lastFillTime=2024", nonce="5")
    result = sign_request(rules, "kraken-futures", valid["kraken-futures"], request)
    assert result.prehash == "lastFillTime=20245/api/v3/fills"
    assert result.headers["Nonce"] == "5"


def test_binance_appends_recv_window_and_timestamp(rules: Rules, valid: dict[str, dict[str, str]]) -> None:
    request = Request(
        "GET", "/api/v3/account", query="omitZeroBalances=true", timestamp="1499827319559", recv_window="5000"
    )
    result = sign_request(rules, "binance", valid["binance"], request)
    assert result.query == "omitZeroBalances=true&recvWindow=5000&timestamp=1499827319559"
    assert result.prehash == result.query
    assert result.headers == {"X-MBX-APIKEY": valid["binance"]["api_key"]}
    # A query that already carries a timestamp is signed as given.
    again = sign_request(rules, "binance", valid["binance"], Request("GET", "/x", query=result.query, timestamp="1"))
    assert again.signature == result.signature


def test_binance_needs_a_timestamp(rules: Rules, valid: dict[str, dict[str, str]]) -> None:
    with pytest.raises(CheckerInputError, match="timestamp"):
        sign_request(rules, "binance", valid["binance"], Request("GET", "/api/v3/account"))


def test_bybit_headers(rules: Rules, valid: dict[str, dict[str, str]]) -> None:
    request = Request(
        "GET", "/v5/account/wallet-balance", query="accountType=UNIFIED", timestamp="1", recv_window="5000"
    )
    result = sign_request(rules, "bybit", valid["bybit"], request)
    assert result.signature == result.signature.lower()
    assert set(result.headers) == {"X-BAPI-API-KEY", "X-BAPI-TIMESTAMP", "X-BAPI-RECV-WINDOW", "X-BAPI-SIGN"}


@pytest.mark.parametrize(
    ("venue", "request_", "missing"),
    [
        ("kraken-spot", Request("POST", "/0/private/Balance", body="nonce=1"), "request.nonce"),
        ("bybit", Request("GET", "/v5/x", timestamp="1"), "request.recv_window"),
        ("okx", Request("GET", "/api/v5/account/balance"), "request.timestamp"),
        ("fixture-bitstamp-v2", Request("POST", "/api/v2/balance/", nonce="n", timestamp="1"), "api_key"),
        ("fixture-gemini-v1", Request("POST", "/v1/balances"), "request.body"),
    ],
)
def test_missing_input_is_a_clear_error(rules: Rules, venue: str, request_: Request, missing: str) -> None:
    secret = "czNjcjN0LXZhbHVlLXRoYXQtbXVzdC1ub3QtYXBwZWFy"  # valid base64, so Kraken gets to the request
    with pytest.raises(CheckerInputError) as raised:
        sign_request(rules, venue, {"api_secret": secret}, request_)
    assert missing in str(raised.value)
    assert secret not in str(raised.value)


def test_missing_secret(rules: Rules) -> None:
    with pytest.raises(CheckerInputError, match="signs with the Secret Key: it is missing"):
        sign_request(rules, "binance", {"api_key": "k"}, Request("GET", "/", timestamp="1"))


def test_undecodable_base64_secret_is_refused_with_findings(rules: Rules, valid: dict[str, dict[str, str]]) -> None:
    bad = valid["kraken-spot"]["api_secret"].replace("+", "-")[:-1]
    request = Request("POST", "/0/private/Balance", nonce="1")
    with pytest.raises(SigningRefused) as raised:
        sign_request(rules, "kraken-spot", {"api_secret": bad}, request)
    assert bad not in str(raised.value)
    response = handle(
        json.dumps(RULES_DATA),
        json.dumps(
            {"op": "sign", "venue": "kraken-spot", "credentials": {"api_secret": bad}, "request": _json(request)}
        ),
    )
    assert "base64" in json.loads(response)["error"]
    assert any(f["code"].startswith("api_secret.") for f in json.loads(response)["findings"])
    assert bad not in response


def test_plaintext_passphrase_never_in_headers(rules: Rules, valid: dict[str, dict[str, str]]) -> None:
    request = Request("GET", "/api/v5/account/balance", query="ccy=BTC", timestamp="2020-12-08T09:08:57.715Z")
    result = sign_request(rules, "okx", valid["okx"], request)
    assert result.headers["OK-ACCESS-PASSPHRASE"] == PASSPHRASE_PLACEHOLDER
    assert valid["okx"]["passphrase"] not in str(result.to_dict())
    assert valid["okx"]["api_secret"] not in str(result.to_dict())
    kucoin = sign_request(rules, "kucoin", valid["kucoin"], Request("GET", "/api/v1/accounts", timestamp="1"))
    assert kucoin.headers["KC-API-KEY-VERSION"] == "3"  # kucoin.yaml: KuCoin issues version 3 keys
    assert valid["kucoin"]["passphrase"] not in str(kucoin.to_dict())


def test_unsupported_scheme_and_unknown_venue(rules: Rules) -> None:
    with pytest.raises(CheckerInputError, match="unknown venue"):
        sign_request(rules, "nope", {}, Request("GET", "/"))


def test_selftest_reproduces_the_example(rules: Rules) -> None:
    kraken = run_selftest(rules, "kraken-spot")
    assert kraken.ok and kraken.official and kraken.signature == kraken.expected
    # Bybit's example is computed from its published prehash, which the checker also reproduces.
    bybit = run_selftest(rules, "bybit")
    assert bybit.ok and not bybit.official and bybit.prehash_ok and bybit.signature == bybit.expected
    with pytest.raises(CheckerInputError, match="no signing example"):
        run_selftest(rules, "fixture-gate-v4")


def test_what_goes_on_the_wire(rules: Rules, valid: dict[str, dict[str, str]]) -> None:
    # Binance sends its signature as a parameter after the signed ones; header venues send query and body as is.
    binance = sign_request(
        rules,
        "binance",
        valid["binance"],
        Request("GET", "/api/v3/account", timestamp="1700000000000", recv_window="5000"),
    )
    assert binance.send_query == f"recvWindow=5000&timestamp=1700000000000&signature={binance.signature}"
    assert binance.to_dict()["send"] == {"query": binance.send_query, "body": ""}
    in_body = sign_request(rules, "binance", valid["binance"], Request("POST", "/api/v3/order", body="timestamp=1"))
    assert (in_body.send_query, in_body.send_body) == ("", f"timestamp=1&signature={in_body.signature}")
    kraken = sign_request(
        rules, "kraken-spot", valid["kraken-spot"], Request("POST", "/0/private/Balance", body="nonce=1", nonce="1")
    )
    assert (kraken.send_query, kraken.send_body) == ("", "nonce=1")

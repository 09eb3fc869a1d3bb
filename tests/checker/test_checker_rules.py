"""Parsing the venues.json slice, and filling test requests."""

from __future__ import annotations

from typing import Any

import pytest

from checker import Request, Rules, RulesError, fill_request, load_rules


def test_fixture_rules_parse(rules: Rules) -> None:
    kraken = rules.venue("kraken-spot")
    secret = kraken.credential("api_secret")
    assert secret is not None and secret.format.decoded_bytes == 64 and secret.secret
    assert kraken.signing is not None and kraken.signing.example is not None
    assert kraken.signing.example.request.nonce == "1616492376594"
    assert kraken.first_error("nonce") is not None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.pop("venues"), "rules.venues: required"),
        (lambda d: d["venues"]["binance"].pop("credentials"), "venues.binance.credentials: required"),
        (
            lambda d: d["venues"]["binance"]["credentials"][0]["format"].update(alphabet="base62"),
            "venues.binance.credentials[0].format.alphabet: expected one of",
        ),
        (
            lambda d: d["venues"]["binance"]["credentials"][0]["format"].update(length={"min": 9, "max": 2}),
            "venues.binance.credentials[0].format.length: min 9 is greater than max 2",
        ),
        (
            lambda d: d["venues"]["binance"]["credentials"][1].update(role="private"),
            "venues.binance.credentials[1].role: expected one of 'key', 'secret', 'passphrase', got 'private'",
        ),
        (
            lambda d: d["venues"]["binance"]["credentials"][1].update(role="key"),
            "venues.binance.credentials[1].role: duplicate 'key'",
        ),
        (lambda d: d["venues"]["binance"]["errors"][0].update(kind="oops"), "venues.binance.errors[0].kind"),
        (lambda d: d["venues"]["binance"].update(id="binance-us"), "venues.binance.id: 'binance-us' does not match"),
        (
            lambda d: d["venues"]["binance"]["credentials"].append(d["venues"]["binance"]["credentials"][0]),
            "venues.binance.credentials[2].id: duplicate 'api_key'",
        ),
        (lambda d: d["venues"]["binance"]["signing"].pop("scheme"), "venues.binance.signing.scheme: required"),
        (
            lambda d: d["venues"]["kraken-spot"]["signing"]["example"].pop("signature"),
            "venues.kraken-spot.signing.example.signature: required",
        ),
    ],
)
def test_malformed_rules_name_the_path(rules_data: dict[str, Any], change: Any, message: str) -> None:
    change(rules_data)
    with pytest.raises(RulesError) as raised:
        load_rules(rules_data)
    assert message in str(raised.value)


def test_unknown_venue_lists_known(rules: Rules) -> None:
    with pytest.raises(ValueError, match="unknown venue 'nope'.*binance"):
        rules.venue("nope")


def test_fill_request() -> None:
    template = Request("POST", "/0/private/Balance", query="ts={timestamp}", body="nonce={nonce}&rw={recv_window}")
    filled = fill_request(template, nonce=17, timestamp="99", recv_window=5000)
    assert filled == Request(
        "POST",
        "/0/private/Balance",
        query="ts=99",
        body="nonce=17&rw=5000",
        nonce="17",
        timestamp="99",
        recv_window="5000",
    )
    # Values not given leave their placeholders (the signer then names what is missing).
    assert fill_request(template, nonce=1).query == "ts={timestamp}"


def test_numbers_in_requests_become_text(rules_data: dict[str, Any]) -> None:
    rules_data["venues"]["kraken-spot"]["signing"]["example"]["request"]["nonce"] = 1616492376594
    rules = load_rules(rules_data)
    assert rules.venue("kraken-spot").signing.example.request.nonce == "1616492376594"  # type: ignore[union-attr]

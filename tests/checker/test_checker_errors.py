"""Matching pasted exchange errors to troubleshooting anchors, and comparing signatures."""

from __future__ import annotations

import base64

import pytest

from checker import Rules, compare_signature, extract_values, match_error
from checker.errors import describe_values


def test_kraken_code_matches_exactly(rules: Rules) -> None:
    best = match_error(rules, "EAPI:Invalid nonce", "kraken-spot")[0]
    assert (best.venue, best.id, best.code, best.score, best.matched) == (
        "kraken-spot",
        "eapi-invalid-nonce",
        "EAPI:Invalid nonce",
        1.0,
        "code",
    )


def test_binance_json_error_with_request_ip(rules: Rules) -> None:
    text = '{"code":-2015,"msg":"Invalid API-key, IP, or permissions for action, request ip: 1.2.3.4"}'
    matches = match_error(rules, text)
    assert matches[0].id == "code-2015-rejected-mbx-key" and matches[0].venue == "binance"
    assert matches[0].values == {"request_ip": "1.2.3.4", "code": "-2015"}


def test_bybit_ret_code(rules: Rules) -> None:
    best = match_error(rules, "retCode 10003", "bybit")[0]
    assert best.id == "retcode-10003" and best.values["code"] == "10003"
    # No prefix match: 10003 is not KuCoin's 400003.
    assert all(m.id != "code-400003-key-not-exists" for m in match_error(rules, "retCode 10003"))


def test_alias_and_message_overlap(rules: Rules) -> None:
    assert match_error(rules, "INVALID_SIGNATURE", "binance")[0].matched == "alias"
    best = match_error(rules, "Signature for this request is not valid", "binance")[0]
    assert best.id == "code-1022-invalid-signature" and best.matched == "message" and best.score < 1.0


def test_nothing_matches_nonsense(rules: Rules) -> None:
    assert match_error(rules, "qwertyuiop") == []


def test_values_become_notes() -> None:
    ahead = extract_values("req_timestamp[1700000003000],server_timestamp[1700000000500],recv_window[5000]")
    assert describe_values(ahead, "Bybit") == [
        "The request's timestamp was 2.5 s ahead of Bybit's clock (the receive window is 5 s): the bot's clock is "
        "fast. Turn on time synchronisation (NTP)."
    ]
    bare = extract_values("connection refused from 198.51.100.7")
    assert bare == {"ip": "198.51.100.7"}
    assert "198.51.100.7" in describe_values(bare)[0] and "allow-list" in describe_values(bare)[0]
    assert describe_values({}) == []


def test_code_match_scores_higher_with_the_wording(rules: Rules) -> None:
    # The code decides the entry; repeating its message too makes the match certain.
    exact = match_error(rules, '{"code":-2015,"msg":"Invalid API-key, IP, or permissions for action."}', "binance")
    assert exact[0].score == 1.0
    bare = match_error(rules, "-2015", "binance")
    assert bare[0].id == "code-2015-rejected-mbx-key" and bare[0].score == 0.8


HEX = "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71"
B64 = "4/dpxb3iT4tp/ZCVEwSnEsLxx0bqyhLpdfOpc6fn7OR8+UClSV5n9E6aSS8MPtnRfp32bAb0nmbRn6H8ndwLUQ=="


@pytest.mark.parametrize(
    ("computed", "theirs", "compare", "match", "cause"),
    [
        (HEX, HEX, "exact", True, None),
        (HEX, HEX.upper(), "hex-ci", True, None),
        (HEX, HEX.upper(), "exact", False, "hex_case"),
        (HEX, HEX + "\n", "exact", True, "whitespace"),
        (B64, base64.b64decode(B64).hex(), "exact", False, "hex_instead_of_base64"),
        (HEX, base64.b64encode(bytes.fromhex(HEX)).decode(), "hex-ci", False, "base64_instead_of_hex"),
        (HEX, HEX[:40], "hex-ci", False, "truncated"),
        (B64, B64.replace("+", "%2B").replace("/", "%2F").replace("=", "%3D"), "exact", False, "url_encoded"),
        (B64, B64.rstrip("="), "exact", False, "base64url"),
        (HEX, "f" * 64, "hex-ci", False, "different_input"),
        (HEX, "f" * 96, "hex-ci", False, "different_algorithm"),
    ],
)
def test_compare_signature(computed: str, theirs: str, compare: str, match: bool, cause: str | None) -> None:
    result = compare_signature(computed, theirs, compare)  # type: ignore[arg-type]
    assert (result.match, result.likely_cause) == (match, cause)

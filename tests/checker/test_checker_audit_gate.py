"""The key audit for Gate (API v4): GET /api/v4/account/main_keys, read by audit `gate_main_keys`.

Gate's Account reference (https://www.gate.com/docs/developers/apiv4/en/account, "Query All Main Account Key
Information", read 2026-12-02): every key of the main account with `perms` (name, read_only), `ip_whitelist`,
`currency_pairs`, `state` and the key masked; the schema says one object, the example is a list; no permission
name is the key form's Withdraw product, so the answer never says whether a key can withdraw. Errors: Gate's
{"label", "message"} envelope (Error handling section) with the labels of the guide's entries.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import RULES
from test_checker_audit import GOOD, audit, audited, codes, leaks, one

from checker import AUDITS

VENUE = "gate"
# Gate's example answer, verbatim: two keys, both Account and Spot at Read and Write, neither bound.
DOCS_EXAMPLE = [
    {
        "state": 1,
        "mode": 1,
        "name": "test1",
        "user_id": 1,
        "perms": [{"name": "account", "read_only": False}, {"name": "spot", "read_only": False}],
        "ip_whitelist": [],
        "currency_pairs": ["BTC_USD", "ETH_USD"],
        "key": "c5dcfbf1f3a7*****",
        "created_at": 1753030929,
        "update_at": 1756300567,
        "last_access": 1753030929,
    },
    {
        "state": 1,
        "mode": 1,
        "name": "test2",
        "user_id": 1,
        "perms": [{"name": "spot", "read_only": False}, {"name": "account", "read_only": False}],
        "ip_whitelist": [],
        "currency_pairs": ["BTC_USD", "ETH_USD"],
        "key": "52fd0035f665*****",
        "created_at": 1753897991,
        "update_at": 1756300567,
        "last_access": 1753897991,
    },
]


def gate_key(perms: dict[str, bool], ips: list[str] | None = None) -> dict[str, Any]:
    """One key as the answer lists it: product name → read-only."""
    return {
        "state": 1,
        "mode": 1,
        "name": "bot-spot-2026-12",
        "user_id": 27183540,
        "perms": [{"name": name, "read_only": read_only} for name, read_only in perms.items()],
        "ip_whitelist": ["203.0.113.7", "203.0.113.8"] if ips is None else ips,
        "currency_pairs": [],
        "key": "9f1c2e7a4b3d*****",
        "created_at": 1764500000,
        "update_at": 1764500100,
        "last_access": 1764583200,
    }


SPOT_BOT = [gate_key({"spot": False, "account": True})]
ERRORS = [
    ({"label": "INVALID_SIGNATURE", "message": "Signature mismatch"}, "invalid-signature"),
    ({"label": "INVALID_KEY", "message": "Invalid key provided"}, "invalid-key"),
    ({"label": "REQUEST_EXPIRED", "message": "gap between request Timestamp and server time exceeds 60"}, None),
    ({"label": "FORBIDDEN", "message": "Request API key does not have account permission"}, "forbidden"),
    ({"label": "IP_FORBIDDEN", "message": "Request IP not in whitelist"}, "ip-forbidden"),
]


def check(response: Any, **extra: Any) -> dict[str, Any]:
    return audited(VENUE, response, **extra)


def test_withdrawal_is_never_told_and_is_a_warning_to_check_by_eye() -> None:
    result = check(SPOT_BOT, use_case="spot-trading-bot")
    assert result["ok"] is True, result
    finding = one(result, "audit.withdraw.unknown")
    assert finding["severity"] == "warning" and "Gate's API key page" in finding["hint"]
    assert "2 IP addresses" in one(result, "audit.ip.bound")["message"]
    assert one(result, "audit.use_case.fits")
    assert "audit.keys.several" not in codes(result)


def test_the_documented_example_lists_two_keys_and_reports_what_holds_for_both() -> None:
    result = check(DOCS_EXAMPLE, use_case="spot-trading-bot")
    assert "2 keys" in one(result, "audit.keys.several")["message"]
    assert one(result, "audit.ip.unbound")["severity"] == "warning"
    assert "90 days" in one(result, "audit.ip.unbound")["message"]  # the venue's consequence
    assert {"audit.withdraw.unknown", "audit.use_case.fits"} <= set(codes(result))
    for value in ("c5dcfbf1f3a7", "52fd0035f665", "test1", "test2"):
        assert value not in json.dumps(result)


def test_keys_that_differ_leave_that_fact_untold() -> None:
    response = [gate_key({"spot": False}), gate_key({"spot": False}, ips=[])]
    result = check(response)
    assert not {"audit.ip.bound", "audit.ip.unbound"} & set(codes(result))
    assert "bound to IP addresses" in one(result, "audit.not_told")["message"]


def test_the_schemas_single_object_is_read_too() -> None:
    assert "audit.ip.bound" in codes(check(SPOT_BOT[0]))


def test_wallet_read_and_write_moves_funds_to_sub_accounts_an_error() -> None:
    result = check([gate_key({"spot": False, "wallet": False})])
    finding = one(result, "audit.transfer.on")
    assert finding["severity"] == "error" and finding["hint"].startswith("Delete the key now")
    assert "audit.transfer.on" not in codes(check([gate_key({"spot": False, "wallet": True})]))


def test_an_undocumented_withdrawal_name_is_taken_at_its_word() -> None:
    result = check([gate_key({"spot": False, "withdraw": False})])
    assert result["findings"][0]["code"] == "audit.withdraw.on"


def test_read_only_and_futures() -> None:
    tracker = [gate_key({"spot": True, "futures": True, "account": True})]
    ok = check(tracker, use_case="read-only-portfolio-tracker")
    assert ok["ok"] is True and "only reads" in one(ok, "audit.use_case.fits")["message"]
    assert one(check(tracker, use_case="spot-trading-bot"), "audit.use_case.cannot_trade")
    assert check([gate_key({"futures": False})], use_case="futures-trading-bot")["ok"] is True


def test_a_product_this_checker_does_not_know() -> None:
    one(check([gate_key({"spot": False, "launchpool": False})]), "audit.permission.unknown")


@pytest.mark.parametrize(("response", "entry"), ERRORS)
def test_an_error_answer_lands_on_its_entry(response: Any, entry: str | None) -> None:
    [finding] = check(response)["findings"]
    expected = entry or next(e.id for e in RULES.venue(VENUE).errors if e.code == response["label"])
    assert finding["anchor"] == expected and finding["severity"] == "error"


def test_each_answer_has_one_shape() -> None:
    for response in (DOCS_EXAMPLE, SPOT_BOT, SPOT_BOT[0]):
        assert [a.id for a in AUDITS.values() if a.recognise(response)] == ["gate_main_keys"]
    for response, _ in ERRORS:
        assert [a.id for a in AUDITS.values() if a.error(response)] == ["gate_main_keys"]


def test_damaged_and_misplaced_pastes() -> None:
    text = json.dumps(DOCS_EXAMPLE, indent=2)
    assert codes(check(text[: len(text) // 2 + text[len(text) // 2 :].index(",") + 1])) == ["audit.paste.truncated"]
    # The test request's answer (spot balances) and the signing key's account detail: Gate's, other requests.
    balances = [{"currency": "ETH", "available": "968.8", "locked": "0"}]
    detail = {"user_id": 1667201533, "ip_whitelist": ["127.0.0.1"], "currency_pairs": ["USDT_BTC"], "key": {"mode": 1}}
    assert codes(check(balances)) == ["audit.paste.other_request"]
    assert codes(check(detail)) == ["audit.paste.other_request"]
    assert codes(check(GOOD["okx"])) == ["audit.paste.other_venue"]
    assert "Gate" in one(audit("okx", DOCS_EXAMPLE), "audit.paste.other_venue")["message"]


def test_the_probe_sees_a_leak_in_these_answers() -> None:
    """Positive control for the leak check of check()."""
    assert "c5dcfbf1f3a7*****" in leaks([{"message": "key c5dcfbf1f3a7*****"}], DOCS_EXAMPLE)
    assert "203.0.113.7" in leaks([{"hint": "bound to 203.0.113.7"}], SPOT_BOT)

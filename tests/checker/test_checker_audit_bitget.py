"""The key audit for Bitget (Classic account, API v2): GET /api/v2/spot/account/info, audit `bitget_account_info`.

Bitget's "Get Account Information" (https://www.bitget.com/api-doc/spot/account/Get-Account-Info and its copy with
the full code list, https://www.bitget.live/api-doc/spot/account/Get-Account-Info, read 2026-12-02): `ips` (String,
"IP whitelist") and `authorities` (Array), read-only codes coor, cpor, stor, smor, ttor, wtor, taxr, chor, p2pr,
read-and-write codes coow, cpow, stow, smow, ttow, wtow (wallet transfer), wwow (wallet withdrawal), chow, p2p.
Errors: Bitget's envelope {"code", "msg", "requestTime", "data"} with the texts of the guide's entries.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import RULES
from test_checker_audit import GOOD, audit, audited, codes, leaks, one

from checker import AUDITS

VENUE = "bitget"
# Bitget's example answer, verbatim (its authorities are older words than the documented codes).
DOCS_EXAMPLE = {
    "code": "00000",
    "msg": "success",
    "requestTime": 1695808949356,
    "data": {
        "userId": "**********",
        "inviterId": "**********",
        "ips": "127.0.0.1",
        "authorities": ["trade", "readonly"],
        "parentId": 1,
        "traderType": "trader",
        "channelCode": "XXX",
        "channel": "YYY",
        "regisTime": "1246566789345",
    },
}


def bitget(authorities: list[str], ips: str | None = "203.0.113.7,203.0.113.8") -> dict[str, Any]:
    data: dict[str, Any] = {
        "userId": "4571190248",
        "inviterId": "",
        "authorities": authorities,
        "parentId": 4571190248,
        "traderType": "not_trader",
        "channelCode": "",
        "channel": "",
        "regisTime": "1764500000000",
    }
    if ips is not None:
        data["ips"] = ips
    return {"code": "00000", "msg": "success", "requestTime": 1764583200456, "data": data}


SPOT_BOT = bitget(["stor", "stow", "wtor"])
ERRORS = [
    ({"code": "40009", "msg": "sign signature error", "requestTime": 1755453539736, "data": None}, "40009"),
    ({"code": "40037", "msg": "Apikey does not exist", "requestTime": "1698871811447", "data": None}, "40037"),
    (
        {
            "code": "40085",
            "msg": "You are in Unified Account mode, and the Classic Account API is not supported at this time",
            "requestTime": 1757926150447,
            "data": None,
        },
        "40085",
    ),
    (
        {"code": "40014", "msg": "Incorrect permissions, need SPOT permissions", "requestTime": 1764583200456},
        "40014",
    ),
]


def check(response: Any, **extra: Any) -> dict[str, Any]:
    return audited(VENUE, response, **extra)


def test_a_spot_key_bound_to_two_addresses_fits_a_spot_bot() -> None:
    result = check(SPOT_BOT, use_case="spot-trading-bot")
    assert result["ok"] is True, result
    assert "cannot withdraw funds or transfer them" in one(result, "audit.withdraw.off")["message"]
    assert "2 IP addresses" in one(result, "audit.ip.bound")["message"]
    assert "data.authorities" in one(result, "audit.use_case.fits")["message"]


def test_the_documented_example() -> None:
    result = check(DOCS_EXAMPLE, use_case="spot-trading-bot")
    assert {"audit.withdraw.off", "audit.use_case.fits"} <= set(codes(result))
    assert "1 IP address" in one(result, "audit.ip.bound")["message"]
    assert "127.0.0.1" not in json.dumps(result)


def test_withdrawal_is_an_error_with_the_revoke_steps() -> None:
    result = check(bitget(["stow", "wwow"]), use_case="spot-trading-bot")
    assert result["ok"] is False
    finding = result["findings"][0]
    assert finding["code"] == "audit.withdraw.on" and finding["hint"].startswith("Delete the key now")


@pytest.mark.parametrize("code", ["wtow", "p2p"])
def test_transfers_to_other_accounts_are_an_error(code: str) -> None:
    finding = one(check(bitget(["stow", code])), "audit.transfer.on")
    assert finding["severity"] == "error"


@pytest.mark.parametrize(("ips", "present"), [("", True), (None, False)])
def test_a_key_without_addresses_is_a_warning(ips: str | None, present: bool) -> None:
    response = bitget(["stow"], ips=ips)
    assert ("ips" in response["data"]) is present
    assert one(check(response), "audit.ip.unbound")["severity"] == "warning"


def test_read_only_codes_and_use_cases() -> None:
    tracker = bitget(["stor", "coor", "cpor", "wtor"])
    result = check(tracker, use_case="read-only-portfolio-tracker")
    assert result["ok"] is True and "only reads" in one(result, "audit.use_case.fits")["message"]
    assert one(check(tracker, use_case="spot-trading-bot"), "audit.use_case.cannot_trade")
    futures = check(bitget(["coow", "cpow"]), use_case="futures-trading-bot")
    assert futures["ok"] is True
    # Sub-account management is more than reading, though not trading.
    one(check(bitget(["stor", "chow"]), use_case="read-only-portfolio-tracker"), "audit.use_case.not_read_only")


def test_a_code_this_checker_does_not_know() -> None:
    result = check(bitget(["stow", "uta_mgt"]))
    assert one(result, "audit.permission.unknown")["severity"] == "warning"


@pytest.mark.parametrize(("response", "code"), ERRORS)
def test_an_error_answer_lands_on_its_entry(response: Any, code: str) -> None:
    [finding] = check(response)["findings"]
    entry = next(e for e in RULES.venue(VENUE).errors if e.code == code)
    assert finding["anchor"] == entry.id and finding["severity"] == "error"


def test_bitget_errors_are_not_taken_for_okx_errors() -> None:
    """Both venues send five-digit codes as strings with "msg"; only Bitget's carry "requestTime"."""
    for response, _ in ERRORS:
        assert [a.id for a in AUDITS.values() if a.error(response)] == ["bitget_account_info"]
    assert [a.id for a in AUDITS.values() if a.error({"msg": "Invalid Sign", "code": "50113"})] == [
        "okx_account_config"
    ]


def test_each_answer_has_one_shape() -> None:
    for response in (DOCS_EXAMPLE, SPOT_BOT, bitget(["wwow"], ips="")):
        assert [a.id for a in AUDITS.values() if a.recognise(response)] == ["bitget_account_info"]


def test_damaged_and_misplaced_pastes() -> None:
    text = json.dumps(SPOT_BOT, indent=2)
    assert codes(check(text[: text.rindex(",") + 1])) == ["audit.paste.truncated"]
    assets = {"code": "00000", "msg": "success", "requestTime": 1764583200456, "data": [{"coin": "USDT"}]}
    assert codes(check(assets)) == ["audit.paste.other_request"]
    assert codes(check(GOOD["okx"])) == ["audit.paste.other_venue"]
    assert "Bitget" in one(audit("okx", SPOT_BOT), "audit.paste.other_venue")["message"]
    assert "Bitget" in one(audit("okx", ERRORS[0][0]), "audit.paste.other_venue")["message"]


def test_the_probe_sees_a_leak_in_these_answers() -> None:
    """Positive control for the leak check of check()."""
    assert "4571190248" in leaks([{"message": "user 4571190248"}], SPOT_BOT)
    assert "203.0.113.7,203.0.113.8" in leaks([{"message": "203.0.113.7,203.0.113.8"}], SPOT_BOT)

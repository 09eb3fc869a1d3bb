"""The key audit for Gemini: POST /v1/roles, read by audit `gemini_roles`.

Answers from Gemini's "Roles Endpoint" reference (https://developer.gemini.com/rest-api/common/admin/roles-endpoint,
read 2026-12-02): isAuditor, isFundManager and isTrader for every key, isAccountAdmin and counterparty_id for
Master keys only; "The Auditor role cannot be combined with other roles". What each role may do: Gemini's Roles
page (https://developer.gemini.com/roles): Fund Manager withdraws and transfers between the group's accounts.
Errors: the Error Codes page's envelope (result "error", reason, message); the MissingRole text is the example on
https://docs.gemini.com/websocket/overview/requests/roles.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from test_checker_audit import GOOD, audit, audited, codes, leaks, one

from checker import AUDITS

VENUE = "gemini"
# Gemini's own example answer ("Successful response for account-scoped key"), verbatim.
DOCS_EXAMPLE = {"isAuditor": False, "isFundManager": True, "isTrader": True}
TRADER = {"isAuditor": False, "isFundManager": False, "isTrader": True}
AUDITOR = {"isAuditor": True, "isFundManager": False, "isTrader": False}
# A Master key's answer adds the two Master-only fields (the counterparty id is the one in Gemini's Get Accounts
# example).
MASTER = {**TRADER, "isAccountAdmin": True, "counterparty_id": "EMONNYXH"}
ERRORS: list[tuple[Any, str]] = [
    ({"result": "error", "reason": "InvalidSignature", "message": "InvalidSignature"}, "invalid-signature"),
    (
        {
            "result": "error",
            "reason": "InvalidNonce",
            "message": "Nonce '1533831705' has not increased since your last call to the Gemini API.",
        },
        "invalid-nonce",
    ),
    (
        {
            "result": "error",
            "reason": "MissingRole",
            "message": "To access this endpoint, you need to log in to the website and go to the settings page to "
            "assign one of these roles [FundManager] to API key wujB3szN54gtJ4QDhqRJ which currently has roles "
            "[Trader]",
        },
        "missing-role",
    ),
]
# The test request's answer (/v1/balances), from Gemini's Get Available Balances example.
BALANCES = [
    {
        "type": "exchange",
        "currency": "BTC",
        "amount": "1154.62034001",
        "available": "1129.10517279",
        "availableForWithdrawal": "1129.10517279",
    }
]


def check(response: Any, **extra: Any) -> dict[str, Any]:
    return audited(VENUE, response, **extra)


def test_the_documented_example_is_a_fund_manager_an_error_with_the_revoke_steps() -> None:
    result = check(DOCS_EXAMPLE, use_case="spot-trading-bot")
    assert result["ok"] is False
    finding = result["findings"][0]
    assert finding["code"] == "audit.withdraw.on" and "isFundManager" in finding["message"]
    assert finding["hint"].startswith("Delete the key now")
    assert "audit.transfer.on" not in codes(result), "Fund Manager's transfers are part of the one finding"


def test_a_trader_key_fits_a_trading_bot_and_the_answer_says_nothing_of_ip_or_expiry() -> None:
    result = check(TRADER, use_case="spot-trading-bot")
    assert result["ok"] is True
    assert "cannot withdraw funds or transfer them" in one(result, "audit.withdraw.off")["message"]
    assert "isTrader" in one(result, "audit.use_case.fits")["message"]
    message = one(result, "audit.not_told")["message"]
    assert "bound to IP addresses" in message and "expires" in message
    assert not {"audit.ip.bound", "audit.ip.unbound", "audit.expiry.never"} & set(codes(result))


def test_an_auditor_key_only_reads() -> None:
    tracker = check(AUDITOR, use_case="read-only-portfolio-tracker")
    assert tracker["ok"] is True and "only reads" in one(tracker, "audit.use_case.fits")["message"]
    assert one(check(AUDITOR, use_case="spot-trading-bot"), "audit.use_case.cannot_trade")["severity"] == "error"
    assert one(check(TRADER, use_case="read-only-portfolio-tracker"), "audit.use_case.not_read_only")


def test_a_master_key_is_a_warning_and_its_counterparty_is_never_shown() -> None:
    result = check(MASTER, use_case="spot-trading-bot")
    finding = one(result, "audit.account.all")
    assert finding["severity"] == "warning" and "every account of your group" in finding["message"]
    assert "EMONNYXH" not in json.dumps(result)
    # An account-level key's answer does not say which account it belongs to.
    assert "sub-account" in one(check(TRADER), "audit.not_told")["message"]


def test_a_role_this_checker_does_not_know() -> None:
    result = check({**AUDITOR, "isWealthManager": True}, use_case="read-only-portfolio-tracker")
    assert one(result, "audit.permission.unknown")["severity"] == "warning"
    one(result, "audit.use_case.not_read_only")


@pytest.mark.parametrize(("response", "entry"), ERRORS)
def test_an_error_answer_lands_on_its_entry(response: Any, entry: str) -> None:
    [finding] = check(response)["findings"]
    assert finding["anchor"] == entry and finding["link"] == f"venues/{VENUE}/#{entry}"
    assert "wujB3szN54gtJ4QDhqRJ" not in json.dumps(finding)


def test_each_answer_has_one_shape() -> None:
    for response in (DOCS_EXAMPLE, TRADER, AUDITOR, MASTER):
        assert [a.id for a in AUDITS.values() if a.recognise(response)] == ["gemini_roles"]
    for response, _ in ERRORS:
        assert [a.id for a in AUDITS.values() if a.error(response)] == ["gemini_roles"]


def test_damaged_and_misplaced_pastes() -> None:
    text = json.dumps(DOCS_EXAMPLE, indent=2)
    assert codes(check(text[: text.rindex(",") + 1])) == ["audit.paste.truncated"]
    # The test request's answer, a list: Gemini's, but another request.
    assert codes(check(BALANCES)) == ["audit.paste.other_request"]
    assert codes(check(GOOD["okx"])) == ["audit.paste.other_venue"]
    assert "Gemini" in one(audit("okx", TRADER), "audit.paste.other_venue")["message"]
    assert "Gemini" in one(audit("okx", ERRORS[0][0]), "audit.paste.other_venue")["message"]
    assert codes(check("[1, 2]")) == ["audit.paste.unknown_shape"]


def test_the_probe_sees_a_leak_in_these_answers() -> None:
    """Positive control for the leak check of check()."""
    assert leaks([{"message": "counterparty EMONNYXH"}], MASTER) == ["EMONNYXH"]
    # A key inside an error message is caught by its 12-character runs.
    assert "jB3szN54gtJ4" in leaks([{"hint": "key wujB3szN54gtJ4QDhqRJ"}], ERRORS[2][0])

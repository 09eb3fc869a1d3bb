"""The key audit for Coinbase Advanced Trade: GET /api/v3/brokerage/key_permissions, read by audit `coinbase`.

Answers come from Coinbase's reference page "Get API Key Permissions"
(https://docs.cdp.coinbase.com/api-reference/advanced-trade-api/rest-api/data-api/get-api-key-permissions, read
2026-12-02): the fields can_view, can_trade, can_transfer ("deposit/withdrawal permissions"), can_receive,
portfolio_uuid and portfolio_type (UNDEFINED, DEFAULT, CONSUMER, INTX), and the grpc-gateway error envelope
(error, code, message, details). Checked against the real Coinbase guide (venues/coinbase.yaml names the audit).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import RULES, RULES_DATA
from test_checker_audit import GOOD, leaks

from checker import AUDITS, handle
from checker.errors import plain_text

VENUE = "coinbase"
RULES_JSON = json.dumps(RULES_DATA)

# Coinbase's example answer, verbatim: every permission true, placeholders for the portfolio.
DOCS_EXAMPLE = {
    "can_view": True,
    "can_trade": True,
    "can_transfer": True,
    "can_receive": True,
    "portfolio_uuid": "<string>",
    "portfolio_type": "UNDEFINED",
}
# Coinbase's documented error envelope, verbatim (the "default" answer of the same page).
DOCS_ERROR = {
    "error": "<string>",
    "code": 123,
    "message": "<string>",
    "details": [{"type_url": "<string>", "value": "aSDinaTvuI8gbWludGxpZnk="}],
}
# The error Advanced Trade sends for a key without the scope an endpoint needs (as quoted by client libraries).
SCOPE_ERROR = {
    "error": "PERMISSION_DENIED",
    "error_details": "Missing required scopes",
    "message": "Missing required scopes",
}


def coinbase(*, trade: bool = True, transfer: bool = False, portfolio: str = "DEFAULT") -> dict[str, Any]:
    return {
        "can_view": True,
        "can_trade": trade,
        "can_transfer": transfer,
        "can_receive": False,
        "portfolio_uuid": "7d0f7d8e-1c2b-4e57-9a3b-5b1de0f2c9a4",
        "portfolio_type": portfolio,
    }


def audit(response: Any, **extra: Any) -> dict[str, Any]:
    text = response if isinstance(response, str) else json.dumps(response, indent=2)
    result: dict[str, Any] = json.loads(
        handle(RULES_JSON, json.dumps({"op": "audit", "venue": VENUE, "response": text, **extra}))
    )
    assert "error" not in result, result
    # Every value of a JSON answer is the reader's (the venue's own words aside): none may come back.
    assert isinstance(response, str) or not leaks(result["findings"], response), result
    return result


def codes(result: dict[str, Any]) -> list[str]:
    return [f["code"] for f in result["findings"]]


def one(result: dict[str, Any], code: str) -> dict[str, Any]:
    found: list[dict[str, Any]] = [f for f in result["findings"] if f["code"] == code]
    assert len(found) == 1, (code, codes(result))
    return found[0]


def test_the_reader_is_registered_as_coinbase_and_the_guide_names_it() -> None:
    assert "coinbase" in AUDITS
    key_info = RULES.venue(VENUE).key_info
    assert key_info is not None and key_info.audit == "coinbase"


def test_the_documented_example_can_withdraw_and_is_an_error_with_the_revoke_steps() -> None:
    result = audit(DOCS_EXAMPLE, use_case="spot-trading-bot")
    assert result["ok"] is False
    finding = result["findings"][0]
    assert finding["code"] == "audit.withdraw.on" and finding["severity"] == "error"
    key_info = RULES.venue(VENUE).key_info
    assert key_info is not None
    assert "can_transfer" in finding["message"] and finding["hint"] == plain_text(key_info.revoke)
    # Transfer is the withdrawal permission here: said once, not twice.
    assert "audit.transfer.on" not in codes(result)


def test_a_trading_key_without_transfer_fits_a_trading_bot() -> None:
    result = audit(coinbase(), use_case="spot-trading-bot")
    assert result["ok"] is True
    assert "cannot withdraw funds or transfer them" in one(result, "audit.withdraw.off")["message"]
    assert "can_trade" in one(result, "audit.use_case.fits")["message"]
    # IP addresses and expiry are not in the answer: said, never guessed.
    message = one(result, "audit.not_told")["message"]
    assert "bound to IP addresses" in message and "expires" in message
    assert "audit.ip.bound" not in codes(result) and "audit.ip.unbound" not in codes(result)


def test_a_view_only_key() -> None:
    tracker = audit(coinbase(trade=False), use_case="read-only-portfolio-tracker")
    assert tracker["ok"] is True and "only reads" in one(tracker, "audit.use_case.fits")["message"]
    bot = audit(coinbase(trade=False), use_case="spot-trading-bot")
    assert one(bot, "audit.use_case.cannot_trade")["severity"] == "error"
    assert one(audit(coinbase(), use_case="read-only-portfolio-tracker"), "audit.use_case.not_read_only")


def test_the_default_portfolio_is_the_main_account_and_others_are_not_guessed() -> None:
    assert "portfolio_type" in one(audit(coinbase()), "audit.account.main")["message"]
    for portfolio in ("CONSUMER", "INTX", "UNDEFINED"):
        result = audit(coinbase(portfolio=portfolio))
        assert "audit.account.main" not in codes(result) and "audit.account.sub" not in codes(result)
        assert "sub-account" in one(result, "audit.not_told")["message"]


@pytest.mark.parametrize("response", [DOCS_ERROR, SCOPE_ERROR, {**SCOPE_ERROR, "error": "unknown"}])
def test_an_error_answer_is_recognised(response: Any) -> None:
    [finding] = audit(response)["findings"]
    assert finding["code"].startswith("audit.venue_error") and finding["severity"] == "error"
    assert "answered with an error" in finding["message"]


def test_missing_scopes_land_on_the_guides_entry() -> None:
    [finding] = audit(SCOPE_ERROR)["findings"]
    entry = next(e for e in RULES.venue(VENUE).errors if e.code == "PERMISSION_DENIED")
    assert finding["anchor"] == entry.id and finding["code"] == f"audit.venue_error.{entry.kind}"


def test_coinbase_errors_are_not_taken_for_kraken_futures_errors() -> None:
    """Both envelopes hold "error" and "message"; Kraken's key service never sends code/details/error_details."""
    shapes = [audit_.id for audit_ in AUDITS.values() if audit_.error(SCOPE_ERROR) or audit_.error(DOCS_ERROR)]
    assert shapes == ["coinbase"]
    kraken = {"error": "UNAUTHORIZED", "message": "API key is not found or request signature is invalid."}
    assert [audit_.id for audit_ in AUDITS.values() if audit_.error(kraken)] == ["kraken_futures_v3_check"]


def test_only_coinbase_recognises_its_answer() -> None:
    for response in (DOCS_EXAMPLE, coinbase(), coinbase(trade=False, transfer=True)):
        assert [a.id for a in AUDITS.values() if a.recognise(response)] == ["coinbase"]


def test_the_plain_unauthorized_body_is_not_json() -> None:
    """A rejected JWT gets HTTP 401 with the text body "Unauthorized"."""
    result = audit("HTTP/2 401\r\ncontent-type: text/plain\r\n\r\nUnauthorized\n")
    assert "audit.paste.not_json" in codes(result) and result["ok"] is False


def test_damaged_pastes() -> None:
    text = json.dumps(DOCS_EXAMPLE, indent=2)
    assert codes(audit(text[: len(text) // 2])) == ["audit.paste.truncated"]
    assert "audit.paste.other_venue" in codes(audit(GOOD["okx"]))
    assert codes(audit({"accounts": [], "has_next": False, "cursor": "", "size": 0})) == ["audit.paste.other_request"]
    with_headers = audit("HTTP/2 200\r\ncontent-type: application/json\r\n\r\n" + json.dumps(coinbase()))
    assert "audit.paste.http_headers" in codes(with_headers) and "audit.withdraw.off" in codes(with_headers)
    assert not leaks(with_headers["findings"], coinbase())


def test_the_probe_sees_a_leak_in_this_answer() -> None:
    """Positive control for the leak check every audit() call makes."""
    finding = {"message": "portfolio 7d0f7d8e-1c2b-4e57-9a3b-5b1de0f2c9a4"}
    assert "7d0f7d8e-1c2b-4e57-9a3b-5b1de0f2c9a4" in leaks([finding], coinbase())

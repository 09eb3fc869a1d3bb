"""The key audit for Bitfinex: POST /v2/auth/r/permissions, read by audit `bitfinex_permissions`.

Bitfinex's Key Permissions reference (https://docs.bitfinex.com/reference/key-permissions, read 2026-12-02)
documents the answer as a JSON array of [SCOPE, READ, WRITE] arrays, SCOPE one of account, history, orders,
positions, funding, settings, wallets, withdraw, ui_withdraw, bfxpay and READ/WRITE 0 or 1; it prints no example
body, so the answers below follow that table. Error texts: Bitfinex's v2 error arrays ["error", CODE, TEXT]
(REST General, Requirements and Limitations; texts as Bitfinex's own libraries and the guide's entries give them).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from test_checker_audit import GOOD, audit, audited, codes, leaks, one

from checker import AUDITS

VENUE = "bitfinex"
SCOPES = ("account", "history", "orders", "positions", "funding", "settings", "wallets", "withdraw", "ui_withdraw")


def bitfinex(read: tuple[str, ...] = ("orders", "wallets"), write: tuple[str, ...] = ("orders",)) -> list[Any]:
    """The answer for a key with these scopes on, one entry per documented scope, in the table's order."""
    return [[scope, int(scope in read), int(scope in write)] for scope in (*SCOPES, "bfxpay")]


TRADING = bitfinex()
READ_ONLY = bitfinex(read=("orders", "wallets", "history"), write=())
ERRORS: list[tuple[Any, str]] = [
    (["error", 10100, "apikey: digest invalid"], "apikey-digest-invalid"),
    (["error", 10100, "apikey: invalid"], "apikey-invalid"),
    (["error", 10114, "nonce: small"], "code-10114-nonce-small"),
    ({"error": "ERR_RATE_LIMIT"}, "err-rate-limit"),
]
# The test request's answer (POST /v2/auth/r/wallets): one array per wallet, from the Wallets reference.
WALLETS = [["exchange", "USD", 1520.4471, 0, 1520.4471, None, None], ["exchange", "BTC", 0.041, 0, 0.041, None, None]]


def check(response: Any, **extra: Any) -> dict[str, Any]:
    return audited(VENUE, response, **extra)


def test_the_answer_is_a_list_and_it_is_read() -> None:
    result = check(TRADING, use_case="spot-trading-bot")
    assert result["ok"] is True, result
    assert "cannot withdraw funds or transfer them" in one(result, "audit.withdraw.off")["message"]
    assert '"orders"' in one(result, "audit.use_case.fits")["message"]
    message = one(result, "audit.not_told")["message"]
    assert "bound to IP addresses" in message and "expires" in message


@pytest.mark.parametrize("scope", ["withdraw", "ui_withdraw", "eaas_withdraw"])
def test_any_withdrawal_write_is_an_error_with_the_revoke_steps(scope: str) -> None:
    response = [*TRADING, [scope, 0, 1]] if scope == "eaas_withdraw" else bitfinex(write=("orders", scope))
    result = check(response, use_case="spot-trading-bot")
    assert result["ok"] is False
    finding = result["findings"][0]
    assert finding["code"] == "audit.withdraw.on" and finding["hint"].startswith("Delete the key now")


def test_wallet_transfers_are_a_warning() -> None:
    finding = one(check(bitfinex(write=("orders", "wallets"))), "audit.transfer.on")
    assert finding["severity"] == "warning" and '"wallets"' in finding["message"]


def test_read_only_and_lending() -> None:
    tracker = check(READ_ONLY, use_case="read-only-portfolio-tracker")
    assert tracker["ok"] is True and "only reads" in one(tracker, "audit.use_case.fits")["message"]
    assert one(check(READ_ONLY, use_case="spot-trading-bot"), "audit.use_case.cannot_trade")
    # Funding offers are a lending bot's orders.
    lending = check(bitfinex(read=("funding", "wallets"), write=("funding",)), use_case="lending-bot")
    assert lending["ok"] is True and '"funding"' in one(lending, "audit.use_case.fits")["message"]
    # Settings write is more than reading, though not trading.
    one(check(bitfinex(write=("settings",)), use_case="read-only-portfolio-tracker"), "audit.use_case.not_read_only")


def test_undocumented_scopes_are_accepted_and_counted_only_when_granted() -> None:
    assert "audit.permission.unknown" not in codes(check([*TRADING, ["eaas_agreement", 0, 0]]))
    one(check([*TRADING, ["eaas_brokerage", 1, 0]]), "audit.permission.unknown")


def test_an_answer_without_the_withdraw_scope_does_not_say() -> None:
    response = [entry for entry in TRADING if entry[0] not in ("withdraw", "ui_withdraw")]
    assert one(check(response), "audit.withdraw.unknown")["severity"] == "warning"


@pytest.mark.parametrize(("response", "entry"), ERRORS)
def test_an_error_answer_lands_on_its_entry(response: Any, entry: str) -> None:
    [finding] = check(response)["findings"]
    assert finding["anchor"] == entry and finding["severity"] == "error"


def test_each_answer_has_one_shape() -> None:
    for response in (TRADING, READ_ONLY, bitfinex(write=SCOPES)):
        assert [a.id for a in AUDITS.values() if a.recognise(response)] == ["bitfinex_permissions"]
        assert not any(a.error(response) for a in AUDITS.values())
    for response, _ in ERRORS:
        assert [a.id for a in AUDITS.values() if a.error(response)] == ["bitfinex_permissions"]


def test_damaged_and_misplaced_pastes() -> None:
    text = json.dumps(TRADING)
    assert codes(check(text[: text.rindex(",") + 1])) == ["audit.paste.truncated"]
    assert codes(check(WALLETS)) == ["audit.paste.other_request"]
    assert codes(check(GOOD["okx"])) == ["audit.paste.other_venue"]
    assert codes(check('{"hello": "world"}')) == ["audit.paste.unknown_shape"]
    assert codes(check("[1, 2, 3]")) == ["audit.paste.unknown_shape"]
    assert codes(check('"just text"')) == ["audit.paste.not_object"]
    # On another venue's guide, Bitfinex's array answer and its error array are named, not refused as lists.
    for response in (TRADING, ERRORS[0][0]):
        assert "Bitfinex" in one(audit("okx", response), "audit.paste.other_venue")["message"]
    # A list no venue sends is still not an answer there.
    assert codes(audit("okx", "[1, 2, 3]")) == ["audit.paste.not_object"]


def test_the_probe_sees_a_leak_in_these_answers() -> None:
    """Positive control for the leak check of check(): a wallet balance shown back is caught."""
    assert leaks([{"message": "balance 1520.4471"}], WALLETS) == ["1520.4471"]

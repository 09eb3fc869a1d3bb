"""Verify the key, on a guide: build the venue's signed key check, paste its answer back, read the verdict.

The answers are written from OKX's documentation (GET /api/v5/account/config): `perm` lists what the key may
do and `ip` the addresses it is bound to. No value of the pasted answer may appear on the page afterwards.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

OKX = "/venues/okx/"
CREDENTIALS = {
    "api_key": "3f2a9c1e-7b4d-4e8a-9c6f-1a2b3c4d5e6f",
    "api_secret": "0A1B2C3D4E5F60718293A4B5C6D7E8F9",
    "passphrase": "Correct.Horse-42",
}
# Values that would identify the reader's account if they leaked into the page: every one is checked.
LABEL, UID, IP = "canary-label-7Q2", "44071290385762811", "203.0.113.77"


def answer(perm: str, ip: str) -> str:
    config = {"uid": UID, "mainUid": UID, "label": LABEL, "perm": perm, "ip": ip, "acctLv": "2"}
    return json.dumps({"code": "0", "msg": "", "data": [config]})


def verify(form: Any, pasted: str, use_case: str) -> Any:
    for name, value in CREDENTIALS.items():
        form.locator(f'[name="{name}"]').fill(value)
    form.locator("summary", has_text="Verify the key").click()
    form.locator('[data-kg-input="use_case"]').select_option(use_case)
    form.locator('[data-kg-action="key-info"]').click()
    curl = form.locator('[data-kg-out="keyinfo_curl"]')
    expect(curl).to_contain_text("/api/v5/account/config")
    expect(curl).to_contain_text("OK-ACCESS-SIGN")
    form.locator('[data-kg-input="key_answer"]').fill(pasted)
    form.locator('[data-kg-action="audit"]').click()
    verdict = form.locator('[data-kg-out="audit"]')
    expect(verdict.locator(".kg-finding").first).to_be_visible()
    return verdict


def test_a_key_that_can_withdraw_gets_an_error_and_the_way_to_revoke_it(checker: Any, page: Page) -> None:
    form = checker(OKX, "okx")
    verdict = verify(form, answer("read_only,trade,withdraw", ""), "spot-trading-bot")
    withdraw = verdict.locator(".kg-finding.kg-error", has_text="withdraw")
    expect(withdraw).to_have_count(1)
    expect(withdraw).to_contain_text("Delete the key now")
    expect(verdict.locator(".kg-finding.kg-warning", has_text="IP")).to_have_count(1)
    expect(verdict).to_contain_text("This key needs attention")
    text = page.locator("body").inner_text()
    for value in (LABEL, UID, CREDENTIALS["api_secret"], CREDENTIALS["passphrase"]):
        assert value not in text


def test_a_bound_trading_key_fits_a_trading_bot(checker: Any, page: Page) -> None:
    form = checker(OKX, "okx")
    verdict = verify(form, answer("read_only,trade", IP), "spot-trading-bot")
    expect(verdict.locator(".kg-finding.kg-error")).to_have_count(0)
    expect(verdict).to_contain_text("Nothing in the answer says this key can do more")
    assert IP not in page.locator("body").inner_text()


def test_the_same_key_is_too_strong_for_a_tracker(checker: Any) -> None:
    form = checker(OKX, "okx")
    verdict = verify(form, answer("read_only,trade", IP), "read-only-portfolio-tracker")
    expect(verdict.locator(".kg-finding.kg-warning")).not_to_have_count(0)


# Bitfinex answers with a JSON array of [scope, read, write] entries (docs.bitfinex.com/reference/key-permissions):
# the page reads a pasted array, not only objects. A scope the checker does not know carries a canary name.
BITFINEX = "/venues/bitfinex/"
SCOPE_CANARY = "canary_scope_7Q2"


def test_bitfinex_answers_as_an_array_and_the_withdraw_write_flag_is_an_error(checker: Any, page: Page) -> None:
    form = checker(BITFINEX, "bitfinex")
    form.locator('[name="api_key"]').fill("Q7mZ2xkP9vLr4TnW8cYb3HsJ6dFg1AeK5uNiOpRt0Ws")
    form.locator('[name="api_secret"]').fill("hT4kW9qZ2mXv7LcN1bRj5YsD8fGp3AeU6oIiKtEw0Ql")
    form.locator("summary", has_text="Verify the key").click()
    form.locator('[data-kg-input="use_case"]').select_option("spot-trading-bot")
    form.locator('[data-kg-action="key-info"]').click()
    curl = form.locator('[data-kg-out="keyinfo_curl"]')
    expect(curl).to_contain_text("/v2/auth/r/permissions")
    expect(curl).to_contain_text("bfx-signature")
    scopes = ["account", "history", "orders", "positions", "funding", "settings", "wallets", "withdraw"]
    rows = [[scope, 1, int(scope in ("orders", "withdraw"))] for scope in scopes] + [[SCOPE_CANARY, 1, 0]]
    form.locator('[data-kg-input="key_answer"]').fill(json.dumps(rows))
    form.locator('[data-kg-action="audit"]').click()
    verdict = form.locator('[data-kg-out="audit"]')
    withdraw = verdict.locator(".kg-finding.kg-error", has_text="withdraw")
    expect(withdraw).to_have_count(1)
    expect(withdraw).to_contain_text("Delete the key now")
    expect(verdict.locator(".kg-finding.kg-warning", has_text="permission")).to_have_count(1)
    expect(verdict).to_contain_text("This key needs attention")
    assert SCOPE_CANARY not in page.locator("body").inner_text()

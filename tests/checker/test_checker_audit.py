"""The key audit: a pasted answer to a venue's key-information request in, findings on what the key can do out.

The answers are written from each venue's documentation (field names, value vocabularies, error envelopes; the
docs' own examples where they publish one, see /work/notes/keyinfo-*.md). Every response value is made up or the
docs' example value; no finding may repeat any of them.
"""

from __future__ import annotations

import copy
import datetime
import io
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import RULES, RULES_DATA, VALID, run_checker

from checker import AUDITS, CheckerInputError, KeyFacts, Rules, audit_response, handle, load_rules
from checker.audit import _iso_ms, audit_for
from checker.cli import run
from checker.keyfacts import facts_findings
from checker.rules import RulesError

ROOT = Path(__file__).resolve().parents[2]
VENUES = ("kraken-spot", "kraken-futures", "binance", "bybit", "okx", "kucoin")
DAY = 86_400_000
NOW = int(datetime.datetime(2026, 12, 1, tzinfo=datetime.UTC).timestamp() * 1000)
RULES_JSON = json.dumps(RULES_DATA)


def _iso(ms: int) -> str:
    return datetime.datetime.fromtimestamp(ms / 1000, datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- answers written from the documentation ------------------------------------------------------------------

KRAKEN_TRADING = ["query-funds", "query-open-trades", "query-closed-trades", "modify-trades", "close-trades"]
KRAKEN_READING = ["query-funds", "query-open-trades", "query-closed-trades", "query-ledger"]


def kraken_spot(
    permissions: list[str] | None = None, ips: list[str] | None = None, valid_until: str = "0"
) -> dict[str, Any]:
    """Kraken's GetApiKeyInfo answer (docs.kraken.com Get API Key Info), with this key's settings."""
    return {
        "error": [],
        "result": {
            "apiKeyName": "bot-spot-2026-12",
            "apiKey": "mZP1k8BvWq3v1m4yQ9sJd2QeZr7u6KcP0nT5aXhLwE3fVb8Gy2RiN4oS",
            "nonce": "1764583200123",
            "nonceWindow": 0,
            "permissions": KRAKEN_TRADING if permissions is None else permissions,
            "iban": "AA31 N84G KQZT 7RWE",
            "validUntil": valid_until,
            "queryFrom": "0",
            "queryTo": "0",
            "createdTime": "1764500000",
            "modifiedTime": "1764500100",
            "ipAllowlist": ["198.51.100.23", "2001:db8::/48"] if ips is None else ips,
            "lastUsed": "1764583200",
        },
    }


def kraken_futures(general: str = "FULL_ACCESS", transfer: str = "NO_ACCESS", blocks: list[str] | None = None) -> Any:
    """Kraken's Check v3 API key answer; permissions filled from the schema (general, transfer access levels)."""
    blocks = ["198.51.100.0/28"] if blocks is None else blocks
    return {
        "apiKey": "Tq8wZ3kLm1Vx5pRb7NcY2hJd4Fs6Gt9Ka0Ue8Wi2Ol4Pn6Qr8Sb1Dc3Ef5Hg7J",
        "accountUid": "7b1e4c2a-9f3d-4e6b-8a5c-0d2f1e3b4c5d",
        "iiban": "AA47 N84G CPZX QW2R",
        "createdAt": "2026-11-20T09:30:00Z",
        "permissions": {"general": general, "transfer": transfer},
        "allowedCidrBlock": blocks[0] if blocks else None,
        "allowedCidrBlocks": blocks,
    }


def binance(
    *,
    withdraw: bool = False,
    ip: bool = True,
    trading: bool = True,
    internal: bool = False,
    universal: bool = False,
    **extra: Any,
) -> dict[str, Any]:
    """Binance's Get API Key Permission answer (developers.binance.com, wallet/account/api-key-permission)."""
    return {
        "ipRestrict": ip,
        "createTime": 1764500000000,
        "enableReading": True,
        "enableWithdrawals": withdraw,
        "enableInternalTransfer": internal,
        "enableMargin": False,
        "enableFutures": False,
        "permitsUniversalTransfer": universal,
        "enableVanillaOptions": False,
        "enableFixApiTrade": False,
        "enableFixReadOnly": False,
        "enableSpotAndMarginTrading": trading,
        "enablePortfolioMarginTrading": False,
        **extra,
    }


def bybit(
    *,
    read_only: int = 0,
    wallet: list[str] | None = None,
    ips: list[str] | None = None,
    expired_at: str | None = None,
    master: bool = True,
    earn: list[str] | None = None,
) -> dict[str, Any]:
    """Bybit's Get API Key Information answer (bybit-exchange.github.io/docs/v5/user/apikey-info)."""
    ips = ["198.51.100.23", "198.51.100.24"] if ips is None else ips
    unbound = ips == ["*"]
    return {
        "retCode": 0,
        "retMsg": "",
        "result": {
            "id": "48213377",
            "note": "bot-spot-2026-12",
            "apiKey": "Q1w2E3r4T5y6U7i8O9",
            "readOnly": read_only,
            "secret": "",
            "permissions": {
                "ContractTrade": [] if read_only else ["Order", "Position"],
                "Spot": [] if read_only else ["SpotTrade"],
                "Wallet": wallet or [],
                "Options": [],
                "Derivatives": [],
                "CopyTrading": [],
                "BlockTrade": [],
                "Exchange": [],
                "NFT": [],
                "Affiliate": [],
                "Earn": earn or [],
            },
            "ips": ips,
            "type": 1,
            "deadlineDay": 66 if unbound else -2,
            "expiredAt": expired_at or (_iso(NOW + 66 * DAY) if unbound else "1970-01-01T00:00:00Z"),
            "createdAt": "2026-11-20T09:30:00Z",
            "unified": 0,
            "uta": 1,
            "userID": 53190442,
            "inviterID": 0,
            "vipLevel": "No VIP",
            "mktMakerLevel": "0",
            "affiliateID": 0,
            "rsaPublicKey": "",
            "isMaster": master,
            "parentUid": "0" if master else "53190001",
            "kycLevel": "LEVEL_DEFAULT",
            "kycRegion": "",
        },
        "retExtInfo": {},
        "time": 1764583200456,
    }


def okx(*, perm: str = "read_only,trade", ip: str = "198.51.100.23,198.51.100.24", sub: bool = False) -> Any:
    """OKX's Get account configuration answer (okx.com/docs-v5, trading-account-rest-api-get-account-configuration)."""
    return {
        "code": "0",
        "data": [
            {
                "acctLv": "2",
                "acctStpMode": "cancel_maker",
                "autoLoan": False,
                "ctIsoMode": "automatic",
                "enableSpotBorrow": False,
                "greeksType": "PA",
                "feeType": "0",
                "ip": ip,
                "type": "1" if sub else "0",
                "kycLv": "2",
                "label": "bot-spot-2026-12",
                "level": "Lv1",
                "levelTmp": "",
                "liquidationGear": "-1",
                "mainUid": "61824409377291200",
                "mgnIsoMode": "automatic",
                "opAuth": "0",
                "perm": perm,
                "posMode": "net_mode",
                "roleType": "0",
                "spotBorrowAutoRepay": False,
                "spotOffsetType": "",
                "spotRoleType": "0",
                "spotTraderInsts": [],
                "stgyType": "0",
                "traderInsts": [],
                "uid": "61824409377291377" if sub else "61824409377291200",
                "settleCcy": "USDC",
                "settleCcyList": ["USD", "USDC", "USDG"],
            }
        ],
        "msg": "",
    }


def kucoin(*, permission: str = "General,Spot", ips: str | None = "198.**.23,198.**.24", sub: bool = False) -> Any:
    """KuCoin's Get Apikey Info answer (GetApikeyInfoResp of KuCoin's generated universal SDK)."""
    data: dict[str, Any] = {
        "remark": "bot-spot-2026-12",
        "apiKey": "6925d1f84b7c3a0001e2f7a1",
        "apiVersion": 3,
        "permission": permission,
        "createdAt": 1764500000000,
        "uid": 238871245,
        "isMaster": not sub,
    }
    if ips is not None:
        data["ipWhitelist"] = ips
    if sub:
        data["subName"] = "botsub2026"
    return {"code": "200000", "data": data}


# Each venue's answer for a key set up as its guide says (trading, bound, cannot withdraw), and its variants.
GOOD: dict[str, Any] = {
    "kraken-spot": kraken_spot(),
    "kraken-futures": kraken_futures(),
    "binance": binance(),
    "bybit": bybit(),
    "okx": okx(),
    "kucoin": kucoin(),
}
WITHDRAW: dict[str, Any] = {
    "kraken-spot": kraken_spot([*KRAKEN_TRADING, "withdraw-funds"]),
    "kraken-futures": kraken_futures(transfer="FULL_ACCESS"),
    "binance": binance(withdraw=True),
    "bybit": bybit(wallet=["Withdraw"]),
    "okx": okx(perm="read_only,trade,withdraw"),
    "kucoin": kucoin(permission="General,Spot,Transfer"),
}
UNBOUND: dict[str, Any] = {
    "kraken-spot": kraken_spot(ips=[]),
    "kraken-futures": kraken_futures(blocks=[]),
    "binance": binance(ip=False),
    "bybit": bybit(ips=["*"]),
    "okx": okx(ip=""),
    "kucoin": kucoin(ips=""),
}
READ_ONLY: dict[str, Any] = {
    "kraken-spot": kraken_spot(KRAKEN_READING),
    "kraken-futures": kraken_futures(general="READ_ONLY"),
    "binance": binance(trading=False),
    "bybit": bybit(read_only=1),
    "okx": okx(perm="read_only"),
    "kucoin": kucoin(permission="General"),
}
# The venues' own published examples, verbatim (Binance's without its // comments).
DOCS_EXAMPLES: dict[str, Any] = {
    "kraken-spot": {
        "error": [],
        "result": {
            "apiKeyName": "my-api-key",
            "apiKey": "4/SDrDBcOOPnm3nPlNfEMMJDeRcIVqPz+QhRxIodyZbI9po/aVRiHsgX",
            "nonce": "1772627060997",
            "nonceWindow": 0,
            "permissions": ["query-funds", "withdraw-funds", "query-open-trades", "modify-trades"],
            "iban": "AA88 N84G WOAK NMOI",
            "validUntil": "0",
            "queryFrom": "0",
            "queryTo": "0",
            "createdTime": "1772542900",
            "modifiedTime": "1772543095",
            "ipAllowlist": [],
            "lastUsed": "1772627061",
        },
    },
    "kraken-futures": {
        "apiKey": "Gom9BsP75m41c9fuY6oJk/unMWaDZjYIcTP4/5kqPvtzdbj5JU5/Fyeb",
        "accountUid": "3c90c3cc-0d44-4b50-8888-8dd25736052a",
        "iiban": "AA08 N84G CPAR UN7A",
        "createdAt": "2019-08-24T14:15:22Z",
        "permissions": {},
        "allowedCidrBlock": "192.168.0.0/16",
        "allowedCidrBlocks": ["192.168.0.0/16"],
    },
    "binance": {
        "ipRestrict": False,
        "createTime": 1698645219000,
        "enableReading": True,
        "enableWithdrawals": False,
        "enableInternalTransfer": False,
        "enableMargin": False,
        "enableFutures": False,
        "permitsUniversalTransfer": False,
        "enableVanillaOptions": False,
        "enableFixApiTrade": False,
        "enableFixReadOnly": True,
        "enableSpotAndMarginTrading": False,
        "enablePortfolioMarginTrading": True,
    },
    "bybit": {
        "retCode": 0,
        "retMsg": "",
        "result": {
            "id": "13770661",
            "note": "readwrite api key",
            "apiKey": "XXXXXX",
            "readOnly": 0,
            "secret": "",
            "permissions": {
                "ContractTrade": ["Order", "Position"],
                "Spot": ["SpotTrade"],
                "Wallet": ["AccountTransfer", "SubMemberTransfer"],
                "Options": ["OptionsTrade"],
                "Derivatives": [],
                "CopyTrading": [],
                "BlockTrade": [],
                "Exchange": [],
                "NFT": [],
                "Affiliate": [],
                "Earn": [],
            },
            "ips": ["*"],
            "type": 1,
            "deadlineDay": 66,
            "expiredAt": "2023-12-22T07:20:25Z",
            "createdAt": "2022-10-16T02:24:40Z",
            "unified": 0,
            "uta": 0,
            "userID": 24617703,
            "inviterID": 0,
            "vipLevel": "No VIP",
            "mktMakerLevel": "0",
            "affiliateID": 0,
            "rsaPublicKey": "",
            "isMaster": True,
            "parentUid": "0",
            "kycLevel": "LEVEL_DEFAULT",
            "kycRegion": "",
        },
        "retExtInfo": {},
        "time": 1697525990798,
    },
    "okx": {
        "code": "0",
        "data": [
            {
                "acctLv": "2",
                "acctStpMode": "cancel_maker",
                "autoLoan": False,
                "ctIsoMode": "automatic",
                "enableSpotBorrow": False,
                "greeksType": "PA",
                "feeType": "0",
                "ip": "",
                "type": "0",
                "kycLv": "3",
                "label": "v5 test",
                "level": "Lv1",
                "levelTmp": "",
                "liquidationGear": "-1",
                "mainUid": "44705892343619584",
                "mgnIsoMode": "automatic",
                "opAuth": "1",
                "perm": "read_only,withdraw,trade",
                "posMode": "long_short_mode",
                "roleType": "0",
                "spotBorrowAutoRepay": False,
                "spotOffsetType": "",
                "spotRoleType": "0",
                "spotTraderInsts": [],
                "stgyType": "0",
                "traderInsts": [],
                "uid": "44705892343619584",
                "settleCcy": "USDC",
                "settleCcyList": ["USD", "USDC", "USDG"],
            }
        ],
        "msg": "",
    },
    "kucoin": {
        "code": "200000",
        "data": {
            "remark": "account1",
            "apiKey": "6705f5c311545b000157d3eb",
            "apiVersion": 3,
            "permission": "General,Futures,Spot,Earn,InnerTransfer,Transfer,Margin",
            "ipWhitelist": "203.**.154,103.**.34",
            "createdAt": 1728443843000,
            "uid": 165111215,
            "isMaster": True,
        },
    },
}
# Error answers in each venue's documented envelope, and the troubleshooting entry each must land on.
ERRORS: list[tuple[str, Any, str]] = [
    ("kraken-spot", {"error": ["EAPI:Invalid signature"], "result": {}}, "eapi-invalid-signature"),
    ("kraken-spot", {"error": ["EAPI:Invalid nonce"], "result": {}}, "eapi-invalid-nonce"),
    ("kraken-spot", {"error": ["EAPI:Invalid key"], "result": {}}, "eapi-invalid-key"),
    (
        "kraken-futures",
        {"error": "UNAUTHORIZED", "message": "API key is not found or request signature is invalid.", "suberror": None},
        "authentication-error",
    ),
    (
        "kraken-futures",
        {"result": "error", "serverTime": "2026-12-01T10:00:00.000Z", "error": "nonceBelowThreshold"},
        "nonce-below-threshold",
    ),
    ("binance", {"code": -1022, "msg": "Signature for this request is not valid."}, "code-1022-invalid-signature"),
    (
        "binance",
        {"code": -1021, "msg": "Timestamp for this request is outside of the recvWindow."},
        "code-1021-invalid-timestamp",
    ),
    (
        "binance",
        {"code": -2015, "msg": "Invalid API-key, IP, or permissions for action."},
        "code-2015-rejected-mbx-key",
    ),
    (
        "bybit",
        {
            "retCode": 10004,
            "retMsg": "error sign! origin_string[1764583200000Q1w2E3r4T5y6U7i8O95000]",
            "result": {},
            "retExtInfo": {},
            "time": 1764583200040,
        },
        "retcode-10004",
    ),
    (
        "bybit",
        {
            "retCode": 10002,
            "retMsg": "invalid request, please check your server timestamp or recv_window param. "
            "req_timestamp[1764583200000],server_timestamp[1764583209000],recv_window[5000]",
            "result": {},
            "retExtInfo": {},
            "time": 1764583209001,
        },
        "retcode-10002",
    ),
    (
        "bybit",
        {
            "retCode": 10010,
            "retMsg": "Unmatched IP, please check your API key's bound IP addresses.",
            "result": {},
            "retExtInfo": {},
            "time": 1764583200040,
        },
        "retcode-10010",
    ),
    ("okx", {"msg": "Invalid Sign", "code": "50113"}, "code-50113-invalid-signature"),
    ("okx", {"msg": "Timestamp request expired", "code": "50102"}, "code-50102-timestamp-expired"),
    ("okx", {"code": "50102", "data": [], "msg": "Timestamp request expired"}, "code-50102-timestamp-expired"),
    ("okx", {"msg": "API key doesn't exist", "code": "50119"}, "code-50119-api-key-does-not-exist"),
    ("kucoin", {"code": "400005", "msg": "Invalid KC-API-SIGN."}, "code-400005-signature-error"),
    ("kucoin", {"code": "400002", "msg": "Invalid KC-API-TIMESTAMP."}, "code-400002-invalid-timestamp"),
    ("kucoin", {"code": "400003", "msg": "KC-API-KEY does not exist."}, "code-400003-key-not-exists"),
]
# Each venue's answer to its test request (balance or account): the venue's envelope, not the key check.
TEST_REQUEST_ANSWERS: dict[str, Any] = {
    "kraken-spot": {"error": [], "result": {"ZUSD": "1520.4471", "XXBT": "0.0410000000"}},
    "kraken-futures": {
        "result": "success",
        "accounts": {"flex": {"type": "multiCollateralMarginAccount", "currencies": {}}},
        "serverTime": "2026-12-01T10:00:00.000Z",
    },
    "binance": {
        "makerCommission": 15,
        "canTrade": True,
        "canWithdraw": True,
        "accountType": "SPOT",
        "balances": [{"asset": "BTC", "free": "0.04100000", "locked": "0.00000000"}],
        "permissions": ["SPOT"],
    },
    "bybit": {
        "retCode": 0,
        "retMsg": "OK",
        "result": {"list": [{"accountType": "UNIFIED", "totalEquity": "2381.7164"}]},
        "retExtInfo": {},
        "time": 1764583200456,
    },
    "okx": {"code": "0", "data": [{"totalEq": "2381.7164", "details": []}], "msg": ""},
    "kucoin": {"code": "200000", "data": [{"id": "5bd6e9286d99522a52e458de", "currency": "BTC", "type": "main"}]},
}


def venue_use_case(venue: str, kind: str) -> str:
    return next(u.id for u in RULES.venue(venue).use_cases if u.kind == kind)


# --- helpers -----------------------------------------------------------------------------------------------


def audit(venue: str, response: Any, **extra: Any) -> dict[str, Any]:
    """The page's call: op audit through handle(), as the page makes it."""
    text = response if isinstance(response, str) else json.dumps(response, indent=2)
    result = json.loads(handle(RULES_JSON, json.dumps({"op": "audit", "venue": venue, "response": text, **extra})))
    assert "error" not in result, result
    assert set(result) == {"ok", "findings"}
    for finding in result["findings"]:
        assert finding["code"].startswith("audit."), finding
        assert finding["field"] == "response"
        assert finding["severity"] in ("error", "warning", "info")
    return result


def codes(result: dict[str, Any]) -> list[str]:
    return [f["code"] for f in result["findings"]]


def one(result: dict[str, Any], code: str) -> dict[str, Any]:
    found = [f for f in result["findings"] if f["code"] == code]
    assert len(found) == 1, (code, codes(result))
    return found[0]


# --- what the key can do, venue by venue -------------------------------------------------------------------


@pytest.mark.parametrize("venue", VENUES)
def test_a_key_set_up_as_the_guide_says_passes(venue: str) -> None:
    result = audit(venue, GOOD[venue], use_case=venue_use_case(venue, "trading"), now_ms=NOW)
    assert result["ok"] is True, result
    assert one(result, "audit.withdraw.off")["severity"] == "info"
    assert one(result, "audit.ip.bound")["severity"] == "info"
    assert one(result, "audit.use_case.fits")["severity"] == "info"
    assert not [f for f in result["findings"] if f["severity"] != "info"]


@pytest.mark.parametrize("venue", VENUES)
def test_a_key_that_can_withdraw_is_an_error_revoke_it_now(venue: str) -> None:
    result = audit(venue, WITHDRAW[venue])
    assert result["ok"] is False
    finding = one(result, "audit.withdraw.on")
    assert finding["severity"] == "error" and "withdraw" in finding["code"]
    assert "Revoke it now" in finding["message"]
    # The hint is the venue's own revoke steps, as plain text.
    key_info = RULES.venue(venue).key_info
    assert key_info is not None and finding["hint"].startswith("Delete the key now")
    assert result["findings"][0] == finding, "the most serious finding comes first"
    # Only that finding about withdrawal is an error about withdrawal.
    assert [f["code"] for f in result["findings"] if "withdraw" in f["code"]] == ["audit.withdraw.on"]


@pytest.mark.parametrize("venue", VENUES)
def test_a_key_that_cannot_withdraw_says_so(venue: str) -> None:
    finding = one(audit(venue, GOOD[venue]), "audit.withdraw.off")
    assert finding["severity"] == "info" and "cannot withdraw" in finding["message"]


@pytest.mark.parametrize("venue", VENUES)
def test_a_key_bound_to_no_ip_is_a_warning_with_the_venues_consequence(venue: str) -> None:
    result = audit(venue, UNBOUND[venue])
    finding = one(result, "audit.ip.unbound")
    assert finding["severity"] == "warning" and "ip" in finding["code"]
    assert "not bound to any IP address" in finding["message"]
    key_info = RULES.venue(venue).key_info
    assert key_info is not None
    if key_info.unbound_ip:
        # The venue's documented consequence travels with the warning, as plain text.
        assert key_info.unbound_ip.split("**")[0].strip() in finding["message"]
    assert "audit.ip.bound" not in codes(result)


@pytest.mark.parametrize(
    ("venue", "words"),
    [
        ("binance", "30 days"),
        ("bybit", "90 days"),
        ("okx", "14 days"),
        ("kucoin", "30 days"),
    ],
)
def test_the_unbound_consequence_is_the_documented_one(venue: str, words: str) -> None:
    assert words in one(audit(venue, UNBOUND[venue]), "audit.ip.unbound")["message"]


@pytest.mark.parametrize(
    ("venue", "count"),
    [("kraken-spot", "2 IP addresses"), ("kraken-futures", "1 IP address"), ("bybit", "2 IP"), ("okx", "2 IP")],
)
def test_a_bound_key_counts_its_addresses_and_never_names_them(venue: str, count: str) -> None:
    assert count in one(audit(venue, GOOD[venue]), "audit.ip.bound")["message"]


def test_masked_kucoin_addresses_are_counted() -> None:
    assert "2 IP addresses" in one(audit("kucoin", GOOD["kucoin"]), "audit.ip.bound")["message"]


def test_binance_says_bound_without_listing() -> None:
    message = one(audit("binance", GOOD["binance"]), "audit.ip.bound")["message"]
    assert "does not list them" in message and "ipRestrict" in message


@pytest.mark.parametrize("blocks", [["0.0.0.0/0"], ["::/0"], []])
def test_kraken_futures_open_ranges_are_unbound(blocks: list[str]) -> None:
    one(audit("kraken-futures", kraken_futures(blocks=blocks)), "audit.ip.unbound")


def test_kucoin_without_a_whitelist_field_is_unbound() -> None:
    one(audit("kucoin", kucoin(ips=None)), "audit.ip.unbound")


# --- expiry ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("valid_until_days", "code", "severity", "words"),
    [
        (-3, "audit.expiry.expired", "error", "expired 3 days ago"),
        (5, "audit.expiry.soon", "warning", "expires in 5 days"),
        (200, "audit.expiry.date", "info", "expires in 200 days"),
    ],
)
def test_kraken_spot_expiry(valid_until_days: int, code: str, severity: str, words: str) -> None:
    valid_until = str((NOW + valid_until_days * DAY) // 1000)
    result = audit("kraken-spot", kraken_spot(valid_until=valid_until), now_ms=NOW)
    finding = one(result, code)
    assert finding["severity"] == severity and words in finding["message"]
    assert "validUntil" in finding["message"]


def test_kraken_spot_without_expiry_never_expires() -> None:
    one(audit("kraken-spot", kraken_spot(valid_until="0"), now_ms=NOW), "audit.expiry.never")


def test_without_today_an_expiry_date_is_only_noted() -> None:
    valid_until = str((NOW + 5 * DAY) // 1000)
    finding = one(audit("kraken-spot", kraken_spot(valid_until=valid_until)), "audit.expiry.date")
    assert "not given today's date" in finding["message"]


@pytest.mark.parametrize(
    ("days", "code", "severity"),
    [(-10, "audit.expiry.expired", "error"), (6, "audit.expiry.soon", "warning"), (66, "audit.expiry.date", "info")],
)
def test_bybit_unbound_key_expiry(days: int, code: str, severity: str) -> None:
    result = audit("bybit", bybit(ips=["*"], expired_at=_iso(NOW + days * DAY)), now_ms=NOW)
    assert one(result, code)["severity"] == severity
    one(result, "audit.ip.unbound")


def test_bybit_bound_key_never_expires() -> None:
    finding = one(audit("bybit", GOOD["bybit"], now_ms=NOW), "audit.expiry.never")
    assert "result.ips" in finding["message"]
    response = bybit()
    del response["result"]["expiredAt"], response["result"]["deadlineDay"]
    one(audit("bybit", response, now_ms=NOW), "audit.expiry.never")


def test_binance_trading_permission_lapse() -> None:
    lapsed = audit("binance", binance(ip=False, tradingAuthorityExpirationTime=NOW - 2 * DAY), now_ms=NOW)
    assert one(lapsed, "audit.expiry.trading")["severity"] == "warning"
    soon = audit("binance", binance(ip=False, tradingAuthorityExpirationTime=NOW + 20 * DAY), now_ms=NOW)
    assert "lapses in 20 days" in one(soon, "audit.expiry.trading")["message"]


@pytest.mark.parametrize("venue", ["kraken-futures", "binance", "okx", "kucoin"])
def test_venues_that_report_no_expiry_say_they_cannot_tell(venue: str) -> None:
    result = audit(venue, GOOD[venue], now_ms=NOW)
    assert "expires" in one(result, "audit.not_told")["message"]
    assert not [c for c in codes(result) if c.startswith("audit.expiry")]


# --- trading against the reader's use case -----------------------------------------------------------------


@pytest.mark.parametrize("venue", VENUES)
def test_a_trading_key_for_a_read_only_use_case_is_a_warning(venue: str) -> None:
    use_case = venue_use_case(venue, "read_only")
    result = audit(venue, GOOD[venue], use_case=use_case)
    finding = one(result, "audit.use_case.not_read_only")
    assert finding["severity"] == "warning" and "place orders" in finding["message"]
    assert RULES.venue(venue).use_case(use_case).title in finding["message"]  # type: ignore[union-attr]


@pytest.mark.parametrize("venue", VENUES)
def test_a_read_only_key_for_a_trading_use_case_is_an_error(venue: str) -> None:
    result = audit(venue, READ_ONLY[venue], use_case=venue_use_case(venue, "trading"))
    assert result["ok"] is False
    finding = one(result, "audit.use_case.cannot_trade")
    assert finding["severity"] == "error" and "cannot place orders" in finding["message"]


@pytest.mark.parametrize("venue", VENUES)
def test_a_read_only_key_for_a_read_only_use_case_fits(venue: str) -> None:
    result = audit(venue, READ_ONLY[venue], use_case=venue_use_case(venue, "read_only"))
    assert result["ok"] is True
    assert "only reads" in one(result, "audit.use_case.fits")["message"]


@pytest.mark.parametrize("venue", VENUES)
def test_without_a_use_case_the_key_is_described(venue: str) -> None:
    assert one(audit(venue, GOOD[venue]), "audit.trading.on")["severity"] == "info"
    assert "only reads" in one(audit(venue, READ_ONLY[venue]), "audit.trading.off")["message"]


def test_an_unknown_use_case_is_malformed_input() -> None:
    result = json.loads(
        handle(RULES_JSON, json.dumps({"op": "audit", "venue": "okx", "response": "{}", "use_case": "moon-bot"}))
    )
    assert set(result) == {"error"} and "moon-bot" in result["error"] and "spot-trading-bot" in result["error"]


# --- transfers ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("venue", "response", "severity"),
    [
        ("binance", binance(internal=True), "error"),
        ("binance", binance(universal=True), "error"),
        ("bybit", bybit(wallet=["SubMemberTransfer"]), "error"),
        ("bybit", bybit(wallet=["AccountTransfer"]), "warning"),
        ("bybit", bybit(earn=["Earn"]), "warning"),
        ("kraken-spot", kraken_spot([*KRAKEN_TRADING, "earn-funds"]), "warning"),
        ("kucoin", kucoin(permission="General,Spot,InnerTransfer"), "warning"),
    ],
)
def test_transfer_rights_are_an_error_or_a_warning_as_the_facts_warrant(
    venue: str, response: Any, severity: str
) -> None:
    result = audit(venue, response)
    assert one(result, "audit.transfer.on")["severity"] == severity
    assert "cannot withdraw" in one(result, "audit.withdraw.off")["message"]


def test_okx_trade_includes_transfers_and_says_so_quietly() -> None:
    result = audit("okx", GOOD["okx"])
    assert one(result, "audit.transfer.with_trading")["severity"] == "info"
    assert result["ok"] is True


def test_kraken_futures_withdrawal_is_reported_once() -> None:
    result = audit("kraken-futures", WITHDRAW["kraken-futures"])
    assert "audit.transfer.on" not in codes(result)


# --- sub-accounts ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("venue", "response", "field"),
    [
        ("bybit", bybit(master=False), "result.isMaster"),
        ("okx", okx(sub=True), "data.uid, data.mainUid"),
        ("kucoin", kucoin(sub=True), "data.isMaster"),
    ],
)
def test_a_sub_account_key_is_noted(venue: str, response: Any, field: str) -> None:
    finding = one(audit(venue, response), "audit.account.sub")
    assert finding["severity"] == "info" and field in finding["message"]
    assert "audit.account.main" in codes(audit(venue, GOOD[venue]))


def test_bybit_sub_account_from_parent_uid() -> None:
    response = bybit(master=False)
    del response["result"]["isMaster"]
    assert "result.parentUid" in one(audit("bybit", response), "audit.account.sub")["message"]


def test_okx_sub_account_from_type_when_uids_are_missing() -> None:
    response = okx(sub=True)
    del response["data"][0]["uid"]
    one(audit("okx", response), "audit.account.sub")


@pytest.mark.parametrize("venue", ["kraken-spot", "kraken-futures", "binance"])
def test_venues_that_do_not_report_sub_accounts_say_so(venue: str) -> None:
    assert "sub-account" in one(audit(venue, GOOD[venue]), "audit.not_told")["message"]


# --- permissions this checker does not know ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("venue", "response"),
    [
        ("kraken-spot", kraken_spot([*KRAKEN_TRADING, "manage-staking"])),
        ("okx", okx(perm="read_only,trade,lend")),
        ("kucoin", kucoin(permission="General,Spot,Copytrading")),
        ("binance", binance(enableOptionsBlockTrade=True)),
        ("kraken-futures", {**kraken_futures(), "permissions": {"general": "FULL_ACCESS", "staking": "FULL_ACCESS"}}),
    ],
)
def test_unknown_permissions_are_a_warning_and_not_read_only(venue: str, response: Any) -> None:
    finding = one(audit(venue, response), "audit.permission.unknown")
    assert finding["severity"] == "warning" and "1 permission" in finding["message"]


def test_an_unknown_permission_makes_a_key_not_read_only() -> None:
    result = audit(
        "kraken-spot", kraken_spot([*KRAKEN_READING, "manage-staking"]), use_case="read-only-portfolio-tracker"
    )
    one(result, "audit.use_case.not_read_only")


def test_bybit_accepts_permission_groups_it_does_not_know() -> None:
    response = bybit()
    response["result"]["permissions"]["FiatGlobalPay"] = []
    assert "audit.permission.unknown" not in codes(audit("bybit", response))
    response["result"]["permissions"]["FiatGlobalPay"] = ["FiatGlobalPayOrder"]
    one(audit("bybit", response), "audit.permission.unknown")


# --- the venues' own examples ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("venue", "expected"),
    [
        ("kraken-spot", {"audit.withdraw.on", "audit.ip.unbound", "audit.expiry.never", "audit.trading.on"}),
        ("kraken-futures", {"audit.ip.bound", "audit.not_told"}),
        ("binance", {"audit.withdraw.off", "audit.ip.unbound", "audit.trading.on"}),
        ("bybit", {"audit.transfer.on", "audit.ip.unbound", "audit.expiry.expired", "audit.account.main"}),
        ("okx", {"audit.withdraw.on", "audit.ip.unbound", "audit.trading.on", "audit.account.main"}),
        ("kucoin", {"audit.withdraw.on", "audit.ip.bound", "audit.transfer.on", "audit.account.main"}),
    ],
)
def test_the_documented_examples(venue: str, expected: set[str]) -> None:
    result = audit(venue, DOCS_EXAMPLES[venue], now_ms=NOW)
    assert expected <= set(codes(result)), codes(result)


def test_kraken_futures_docs_example_has_empty_permissions_and_says_it_cannot_tell() -> None:
    result = audit("kraken-futures", DOCS_EXAMPLES["kraken-futures"])
    # Withdrawal, the first question, left open is a warning of its own with what to check by eye.
    unknown = one(result, "audit.withdraw.unknown")
    assert unknown["severity"] == "warning" and "does not say whether this key can withdraw" in unknown["message"]
    assert "check that nothing that withdraws funds is switched on" in unknown["hint"]
    message = one(result, "audit.not_told")["message"]
    assert "withdraw" not in message and "whether it can place orders" in message


# --- error answers go to the error lookup ------------------------------------------------------------------


@pytest.mark.parametrize(("venue", "response", "entry"), ERRORS)
def test_an_error_answer_lands_on_its_troubleshooting_entry(venue: str, response: Any, entry: str) -> None:
    result = audit(venue, response)
    assert result["ok"] is False
    [finding] = result["findings"]
    kind = next(e.kind for e in RULES.venue(venue).errors if e.id == entry)
    assert finding["code"] == f"audit.venue_error.{kind}" and finding["severity"] == "error"
    assert finding["anchor"] == entry
    assert finding["link"] == f"venues/{venue}/#{entry}"
    assert "answered with an error" in finding["message"] and finding["hint"]


def test_an_error_answer_this_guide_has_no_entry_for() -> None:
    [finding] = audit("bybit", {"retCode": 170213, "retMsg": "Order does not exist.", "result": {}})["findings"]
    assert finding["code"] == "audit.venue_error" and finding["link"] is None


# --- damaged pastes ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("venue", VENUES)
def test_truncated_json(venue: str) -> None:
    text = json.dumps(GOOD[venue], indent=2)
    for cut in (len(text) // 3, len(text) // 2, len(text) - 2):
        [finding] = audit(venue, text[:cut])["findings"]
        assert finding["code"] == "audit.paste.truncated" and finding["severity"] == "error"
        assert "cut off" in finding["message"]


@pytest.mark.parametrize("venue", VENUES)
def test_a_whole_http_response_is_read_after_its_headers(venue: str) -> None:
    headers = (
        "HTTP/2 200 \r\ndate: Tue, 01 Dec 2026 10:00:00 GMT\r\ncontent-type: application/json\r\n"
        "x-request-id: 7f3e9c2a-5b11-4c3d\r\nset-cookie: __cf_bm=Zk3x9Qp2Lm8Rt4Vw; path=/; HttpOnly\r\n\r\n"
    )
    result = audit(venue, headers + json.dumps(WITHDRAW[venue]))
    assert one(result, "audit.paste.http_headers")["severity"] == "info"
    one(result, "audit.withdraw.on")


def test_a_proxy_header_block_and_curl_verbose_output() -> None:
    proxied = "HTTP/1.1 200 Connection established\r\n\r\nHTTP/2 200\r\ncontent-type: application/json\r\n\r\n"
    one(audit("okx", proxied + json.dumps(UNBOUND["okx"])), "audit.ip.unbound")
    verbose = (
        "* Host www.okx.com:443 was resolved.\n*   Trying 198.51.100.9:443...\n> GET /api/v5/account/config HTTP/2\n"
        "> Host: www.okx.com\n>\n< HTTP/2 200\n< content-type: application/json\n<\n"
        + json.dumps(UNBOUND["okx"])
        + "\n* Connection #0 to host www.okx.com left intact\n"
    )
    result = audit("okx", verbose)
    assert "verbose" in one(result, "audit.paste.http_headers")["message"]
    one(result, "audit.ip.unbound")


def test_headers_without_a_body() -> None:
    [finding] = audit("binance", "HTTP/2 401\r\ncontent-type: application/json\r\n\r\n")["findings"]
    assert finding["code"] == "audit.paste.no_body"


def test_an_http_status_the_guide_explains_is_looked_up() -> None:
    """Bybit documents HTTP 403 (a US address, a rate limit): a block page with that status lands on its entry."""
    result = audit("bybit", "HTTP/2 403\r\ncontent-type: text/html\r\n\r\n" + CLOUDFLARE)
    assert codes(result) == ["audit.paste.html", "audit.venue_error.ip", "audit.paste.http_headers"]
    assert result["findings"][1]["link"] == "venues/bybit/#http-403"
    empty = audit("bybit", "HTTP/1.1 200 Connection established\r\n\r\nHTTP/2 401\r\nserver: x\r\n\r\n")
    assert codes(empty) == ["audit.paste.no_body", "audit.venue_error.invalid_key"]
    # A status no entry explains adds nothing.
    assert codes(audit("okx", "HTTP/2 404\r\n\r\n")) == ["audit.paste.no_body"]


def signed_curl(venue: str) -> str:
    result = json.loads(
        handle(
            RULES_JSON,
            json.dumps(
                {
                    "op": "sign",
                    "venue": venue,
                    "credentials": VALID[venue],
                    "request_kind": "key_info",
                    "now_ms": NOW,
                }
            ),
        )
    )
    assert "error" not in result, result
    return str(result["curl"])


@pytest.mark.parametrize("venue", VENUES)
def test_the_curl_command_itself(venue: str) -> None:
    [finding] = audit(venue, signed_curl(venue))["findings"]
    assert finding["code"] == "audit.paste.curl_command" and finding["severity"] == "error"
    # A command written over several lines, as docs print it, and after a shell prompt.
    multi = "$ " + signed_curl(venue).replace(" -H ", " \\\n  -H ")
    assert codes(audit(venue, multi)) == ["audit.paste.curl_command"]


@pytest.mark.parametrize("venue", VENUES)
def test_the_command_with_its_answer_is_read(venue: str) -> None:
    result = audit(venue, signed_curl(venue) + "\n" + json.dumps(UNBOUND[venue]) + "%\n")
    assert {"audit.paste.command_included", "audit.paste.trailing_text", "audit.ip.unbound"} <= set(codes(result))


def test_a_curl_failure() -> None:
    [finding] = audit("bybit", "curl: (6) Could not resolve host: api.bybit.com")["findings"]
    assert finding["code"] == "audit.paste.curl_error"


@pytest.mark.parametrize("venue", VENUES)
@pytest.mark.parametrize("other", VENUES)
def test_another_venues_answer_names_that_venue(venue: str, other: str) -> None:
    if venue == other:
        return
    [finding] = audit(venue, GOOD[other])["findings"]
    assert finding["code"] == "audit.paste.other_venue" and finding["severity"] == "error"
    name = RULES.venue(other).name
    assert finding["message"].startswith(f"This is {name}'") and "answer to its key check" in finding["message"]
    assert finding["link"] == f"venues/{other}/"


@pytest.mark.parametrize(("venue", "response", "entry"), ERRORS)
def test_another_venues_error_names_that_venue(venue: str, response: Any, entry: str) -> None:
    elsewhere = "okx" if venue != "okx" else "kucoin"
    [finding] = audit(elsewhere, response)["findings"]
    assert finding["code"] == "audit.paste.other_venue"
    assert RULES.venue(venue).name in finding["message"] and "error answer" in finding["message"]


@pytest.mark.parametrize("venue", VENUES)
def test_the_test_requests_answer_is_another_request(venue: str) -> None:
    [finding] = audit(venue, TEST_REQUEST_ANSWERS[venue])["findings"]
    assert finding["code"] == "audit.paste.other_request"
    key_info = RULES.venue(venue).key_info
    assert key_info is not None and key_info.request.path in finding["message"]


@pytest.mark.parametrize("text", ["", "   \n\t ", "\ufeff"])
def test_empty(text: str) -> None:
    [finding] = audit("kucoin", text)["findings"]
    assert finding["code"] == "audit.paste.empty" and finding["severity"] == "error"


CLOUDFLARE = (
    '<!DOCTYPE html>\n<html lang="en-US">\n<head><title>Attention Required! | Cloudflare</title></head>\n'
    "<body><h1>Sorry, you have been blocked</h1><p>Cloudflare Ray ID: <strong>8e1f2a3b4c5d6e7f</strong></p>"
    "<p>Your IP: 198.51.100.77</p></body></html>"
)


@pytest.mark.parametrize("venue", VENUES)
def test_an_html_error_page(venue: str) -> None:
    for text in (CLOUDFLARE, "HTTP/2 403\r\ncontent-type: text/html\r\n\r\n" + CLOUDFLARE):
        result = audit(venue, text)
        assert "audit.paste.html" in codes(result) and result["ok"] is False
        shown = json.dumps(result)
        assert "8e1f2a3b4c5d6e7f" not in shown and "198.51.100.77" not in shown and "Attention" not in shown


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Forbidden", "audit.paste.not_json"),
        ("error code: 1020", "audit.paste.not_json"),
        ("{'error': [], 'result': {}}", "audit.paste.not_json"),
        ("[1, 2, 3]", "audit.paste.not_object"),
        ("42", "audit.paste.not_json"),
        ('"just text"', "audit.paste.not_object"),
        ("[" * 100_000, "audit.paste.not_json"),
        ('{"hello": "world"}', "audit.paste.unknown_shape"),
        ("x" * 200_001, "audit.paste.too_long"),
    ],
)
def test_not_an_answer(text: str, code: str) -> None:
    result = audit("kraken-spot", text)
    assert code in codes(result) and result["ok"] is False


def test_deep_nesting_is_not_a_crash() -> None:
    result = audit("okx", "[" * 100_000 + "]" * 100_000)
    assert codes(result) == ["audit.paste.not_json"]


def test_an_answer_pasted_as_a_quoted_string_is_read() -> None:
    result = audit("okx", json.dumps(json.dumps(UNBOUND["okx"])))
    assert {"audit.paste.quoted_json", "audit.ip.unbound"} <= set(codes(result))


@pytest.mark.parametrize("venue", VENUES)
def test_wrong_value_types_never_raise(venue: str) -> None:
    """A recognised answer whose values have unexpected types says it cannot tell; it never raises."""

    def mangle(value: Any) -> Iterator[Any]:
        yield from (None, 7, "x", [], {}, True, ["a", 1])

    response = copy.deepcopy(GOOD[venue])
    inner = response.get("result") or response.get("data") or response
    inner = inner[0] if isinstance(inner, list) else inner
    if not isinstance(inner, dict):
        inner = response
    for name in list(inner):
        for bad in mangle(inner[name]):
            mangled = copy.deepcopy(response)
            target = mangled.get("result") or mangled.get("data") or mangled
            target = target[0] if isinstance(target, list) else target
            if not isinstance(target, dict):
                target = mangled
            target[name] = bad
            audit(venue, mangled)


# --- the registry, the rules, the request ------------------------------------------------------------------


def test_each_answer_has_exactly_one_shape() -> None:
    """The audits' shapes do not overlap: every answer above is recognised by its own audit alone."""
    for venue in VENUES:
        own = audit_for(RULES.venue(venue))[1]
        for response in (GOOD[venue], WITHDRAW[venue], UNBOUND[venue], READ_ONLY[venue], DOCS_EXAMPLES[venue]):
            assert [a.id for a in AUDITS.values() if a.recognise(response)] == [own.id], venue
            assert not any(a.error(response) for a in AUDITS.values())
    for venue, response, _ in ERRORS:
        own = audit_for(RULES.venue(venue))[1]
        assert [a.id for a in AUDITS.values() if a.error(response)] == [own.id], (venue, response)
        assert not any(a.recognise(response) for a in AUDITS.values())


def test_every_real_venue_names_a_registered_audit() -> None:
    for venue in VENUES:
        key_info, audit_ = audit_for(RULES.venue(venue))
        assert audit_.id in AUDITS and key_info.revoke


def test_the_key_info_request_fills_like_the_test_request() -> None:
    for venue in VENUES:
        v = RULES.venue(venue)
        assert v.key_info is not None and v.signing is not None and v.signing.test_request is not None
        for name in ("nonce", "timestamp", "recv_window"):
            assert (getattr(v.key_info.request, name) is None) == (getattr(v.signing.test_request, name) is None)


@pytest.mark.parametrize("venue", VENUES)
def test_prepare_and_sign_the_key_info_request(venue: str) -> None:
    key_info = RULES.venue(venue).key_info
    assert key_info is not None
    prepared = json.loads(
        handle(RULES_JSON, json.dumps({"op": "prepare", "venue": venue, "now_ms": NOW, "request_kind": "key_info"}))
    )
    assert prepared["fields"]["path"] == key_info.request.path
    assert not [value for value in prepared["fields"].values() if "{" in value], "every placeholder is filled"
    signed = json.loads(
        handle(
            RULES_JSON,
            json.dumps(
                {
                    "op": "sign",
                    "venue": venue,
                    "credentials": VALID[venue],
                    "request_kind": "key_info",
                    "request": prepared["fields"],
                }
            ),
        )
    )
    assert key_info.request.path in signed["url"] and signed["curl"].startswith("curl -X ")
    assert signed["curl"] == signed_curl(venue), "sign fills the key-information request itself from now_ms"
    for credential in RULES.venue(venue).credentials:
        if credential.secret:
            assert VALID[venue][credential.id] not in json.dumps(signed)


def test_the_test_request_stays_the_default() -> None:
    prepared = json.loads(handle(RULES_JSON, json.dumps({"op": "prepare", "venue": "okx", "now_ms": NOW})))
    assert prepared["fields"]["path"] == "/api/v5/account/balance"


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"op": "prepare", "venue": "okx", "request_kind": "balance"}, "request_kind: expected one of"),
        ({"op": "sign", "venue": "okx", "credentials": VALID["okx"], "request_kind": "key_info"}, "now_ms"),
        ({"op": "audit", "venue": "okx"}, "response: required"),
        ({"op": "audit", "venue": "okx", "response": 42}, "response: required"),
        ({"op": "audit", "venue": "nope", "response": "{}"}, "unknown venue"),
        ({"op": "audit", "venue": "okx", "response": "{}", "now_ms": "today"}, "now_ms"),
    ],
)
def test_malformed_requests_come_back_as_errors(payload: dict[str, Any], message: str) -> None:
    result = json.loads(handle(RULES_JSON, json.dumps(payload)))
    assert set(result) == {"error"} and message in result["error"]


def test_a_venue_without_key_info_cannot_be_audited(rules_data: dict[str, Any]) -> None:
    rules_data["venues"]["okx"]["key_info"] = None
    result = json.loads(handle(json.dumps(rules_data), json.dumps({"op": "audit", "venue": "okx", "response": "{}"})))
    assert "no key-information request" in result["error"]


def test_a_base_url_sends_the_key_check_elsewhere(rules_data: dict[str, Any]) -> None:
    rules_data["venues"]["okx"]["key_info"]["base_url"] = "https://eea.okx.com/"
    signed = json.loads(
        handle(
            json.dumps(rules_data),
            json.dumps(
                {"op": "sign", "venue": "okx", "credentials": VALID["okx"], "request_kind": "key_info", "now_ms": NOW}
            ),
        )
    )
    assert signed["url"] == "https://eea.okx.com/api/v5/account/config"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda v: v["key_info"].update(audit=7), "key_info.audit: expected a string"),
        (lambda v: v["key_info"].update(request=[]), "key_info.request: expected an object"),
        (lambda v: v["key_info"].pop("revoke"), "key_info.revoke: required"),
        (lambda v: v["use_cases"][0].update(kind="hodl"), "use_cases[0].kind: expected one of"),
        (lambda v: v.update(key_info="x"), "key_info: expected an object"),
    ],
)
def test_malformed_key_info_names_the_path(
    rules_data: dict[str, Any], change: Callable[[dict[str, Any]], Any], message: str
) -> None:
    change(rules_data["venues"]["bybit"])
    with pytest.raises(CheckerInputError, match=message.replace("[", r"\[").replace("]", r"\]")):
        load_rules(rules_data)


def test_an_unknown_audit_id_is_a_clear_error(rules_data: dict[str, Any]) -> None:
    rules_data["venues"]["bybit"]["key_info"]["audit"] = "bybit_v9"
    with pytest.raises(CheckerInputError, match="key audit 'bybit_v9' is not one of"):
        audit_response(load_rules(rules_data), "bybit", "{}")


def test_rules_error_is_an_input_error() -> None:
    assert issubclass(RulesError, CheckerInputError)


def test_iso_times_without_datetime() -> None:
    """The checker reads ISO 8601 times without datetime (no clock, nothing platform-specific): same answers."""
    for day in range(-400, 60_000, 37):
        moment = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC) + datetime.timedelta(days=day, seconds=day * 13)
        assert _iso_ms(moment.strftime("%Y-%m-%dT%H:%M:%SZ")) == int(moment.timestamp()) * 1000
    assert _iso_ms("2023-12-22T07:20:25.123Z") == _iso_ms("2023-12-22T07:20:25+00:00")
    for bad in ("2023-12-22", "2023-13-01T00:00:00Z", "2023-12-22T07:20:25+02:00", 1703229625, None):
        assert _iso_ms(bad) is None


# --- no value of the answer in any finding -----------------------------------------------------------------


def values_of(data: Any) -> Iterator[str]:
    """Every string and number in a JSON value, as text."""
    if isinstance(data, dict):
        for item in data.values():
            yield from values_of(item)
    elif isinstance(data, list):
        for item in data:
            yield from values_of(item)
    elif isinstance(data, str):
        yield data
    elif isinstance(data, int | float) and not isinstance(data, bool):
        yield json.dumps(data)


# Words the venues' documentation publishes as vocabulary (permission names, access levels, envelope values, error
# codes): a finding may use them, since they are not the reader's. Every other value of an answer is the reader's.
PUBLISHED = {word for audit_ in AUDITS.values() for word in audit_.vocabulary} | {
    entry.code for venue_ in RULES.venues.values() for entry in venue_.errors
}


def probes(response: Any) -> set[str]:
    """What must not be shown: every value of 4 characters or more, and every 12-character run of each word in it
    (a key inside an error message, such as Bybit's origin_string)."""
    found: set[str] = set()
    for value in values_of(response):
        if len(value) < 4 or value in PUBLISHED:
            continue
        found.add(value)
        for word in value.split():
            found.update(word[i : i + 12] for i in range(len(word) - 11))
    return found


def audited(venue: str, response: Any, **extra: Any) -> dict[str, Any]:
    """`audit`, and no value of a pasted answer (unless pasted as damaged text) is shown in any finding."""
    result = audit(venue, response, **extra)
    assert isinstance(response, str) or not leaks(result["findings"], response), result
    return result


def leaks(findings: list[dict[str, Any]], response: Any) -> list[str]:
    shown = "\n".join(str(value) for finding in findings for value in finding.values() if value is not None)
    return sorted(value for value in probes(response) if value in shown)


def every_pasted_answer() -> Iterator[tuple[str, Any, dict[str, Any]]]:
    for venue in VENUES:
        kinds = ("read_only", "trading")
        for response in (GOOD, WITHDRAW, UNBOUND, READ_ONLY, DOCS_EXAMPLES, TEST_REQUEST_ANSWERS):
            for kind in kinds:
                yield venue, response[venue], {"use_case": venue_use_case(venue, kind), "now_ms": NOW}
        for other in VENUES:
            yield venue, GOOD[other], {}
    for venue, response, _ in ERRORS:
        yield venue, response, {}
        yield "okx" if venue != "okx" else "bybit", response, {}
    yield "kraken-spot", kraken_spot(valid_until=str((NOW + 3 * DAY) // 1000)), {"now_ms": NOW}
    yield "bybit", bybit(ips=["*"], expired_at=_iso(NOW - 5 * DAY), master=False), {"now_ms": NOW}
    yield "binance", binance(ip=False, tradingAuthorityExpirationTime=NOW + 9 * DAY), {"now_ms": NOW}
    yield "kucoin", kucoin(sub=True, permission="General,Spot,InnerTransfer,Transfer"), {}
    yield "okx", okx(sub=True, perm="read_only,trade,lend"), {}


def test_the_probe_sees_a_leak() -> None:
    """Positive control: a finding that repeats a value of the answer is caught, whole or inside a sentence."""
    response = bybit(master=False)
    finding = {"code": "audit.x", "message": "The key Q1w2E3r4T5y6U7i8O9 belongs to 53190001.", "hint": ""}
    assert {"53190001", "Q1w2E3r4T5y6U7i8O9", "Q1w2E3r4T5y6"} <= set(leaks([finding], response))
    # A key inside an error message is caught by its runs.
    error = ERRORS[8][1]
    assert leaks([{"message": "key E3r4T5y6U7i8 was used"}], error) == ["E3r4T5y6U7i8"]
    assert "bot-spot-2026-12" in leaks([{"link": "venues/okx/#bot-spot-2026-12"}], okx())
    # The venue's own vocabulary and error codes are not the reader's values.
    assert leaks([{"message": "retcode-10004 Withdraw"}], {"retCode": 10004, "x": ["Withdraw"]}) == []


def test_no_value_of_any_answer_appears_in_any_finding() -> None:
    checked = 0
    for venue, response, extra in every_pasted_answer():
        for text in (json.dumps(response), json.dumps(response, indent=2), "HTTP/2 200\r\n\r\n" + json.dumps(response)):
            result = audit(venue, text, **extra)
            assert not leaks(result["findings"], response), (venue, response, result)
            # Damaged copies of the same answer leak nothing either.
            cut = audit(venue, text[: len(text) * 2 // 3], **extra)
            assert not leaks(cut["findings"], response), (venue, response, cut)
            checked += 1
    assert checked > 300


def test_facts_findings_take_only_facts() -> None:
    """The generic findings see KeyFacts, which holds booleans, counts, times and field names: nothing else."""
    venue = RULES.venue("bybit")
    key_info, _ = audit_for(venue)
    facts = KeyFacts(can_withdraw=True, ip_bound=False, fields={"withdraw": "w", "ip": "i"})
    found = {f.code for f in facts_findings(venue, key_info, facts)}
    assert {"audit.withdraw.on", "audit.ip.unbound", "audit.not_told"} <= found


# --- the command line --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def rules_file(real_rules_file: Path) -> Path:
    return real_rules_file


def test_cli_audit(rules_file: Path) -> None:
    stdin = json.dumps({"venue": "okx", "response": json.dumps(DOCS_EXAMPLES["okx"])})
    code, out = run_checker(["audit", "--rules", str(rules_file)], stdin)
    assert code == 0 and out["ok"] is False
    assert out["findings"][0]["code"] == "audit.withdraw.on"
    assert "44705892343619584" not in json.dumps(out) and "v5 test" not in json.dumps(out)


@pytest.mark.parametrize(
    ("stdin", "message"),
    [
        ("not json", "stdin: not valid JSON"),
        ('{"venue": "okx"}', "response: required"),
        ('{"venue": "okx", "response": {"code": "0"}}', "response: required, as a string"),
        ('{"venue": "okx", "response": "{}", "use_case": "moon-bot"}', "no use case 'moon-bot'"),
    ],
)
def test_cli_audit_malformed_input_exits_2(rules_file: Path, stdin: str, message: str) -> None:
    code, out = run_checker(["audit", "--rules", str(rules_file)], stdin)
    assert code == 2 and set(out) == {"error"} and message in out["error"]


def test_cli_audit_with_rules_loaded_by_the_caller() -> None:
    stdout = io.StringIO()
    payload = {"venue": "binance", "response": json.dumps(UNBOUND["binance"]), "use_case": "spot-trading-bot"}
    code = run(["audit"], io.StringIO(json.dumps(payload)), stdout, rules=RULES)
    assert code == 0
    result = json.loads(stdout.getvalue())
    assert result["ok"] is True and "audit.ip.unbound" in [f["code"] for f in result["findings"]]


def test_rules_type() -> None:
    assert isinstance(RULES, Rules)


def test_a_venue_whose_answer_the_checker_cannot_read_yet_says_so(rules_data: dict[str, Any]) -> None:
    """A venue whose key-information request has no reader (audit null in its rules) gets a clear error."""
    rules_data["venues"]["okx"]["key_info"]["audit"] = None
    response = json.loads(handle(json.dumps(rules_data), json.dumps({"op": "audit", "venue": "okx", "response": "{}"})))
    assert response == {"error": "OKX: the checker cannot read this venue's key-information answer yet"}

"""The key audit: what the key that signed a request may do, read from the venue's own answer.

The reader runs the signed key-information request (the curl line this checker builds) on their own machine and
pastes the answer back. Each venue answers in its own shape: one `Audit` per shape recognises it and reads it into
`KeyFacts` (checker.keyfacts), a neutral value; the findings on those facts are generic. No finding repeats a value
of the answer: not the key, an address, an account id or the key's label. A venue's YAML names its audit
(`key_info.audit`); the registry below is the one list of audits, as `checker.schemes.SCHEMES` is of signing
schemes. A venue's error answer goes to the error lookup; damaged pastes are checker.paste's.

No clock: "today", for expiry, comes in as `now_ms`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from checker.errors import match_error, plain_text
from checker.findings import Diagnosis, Finding
from checker.keyfacts import Expiry, KeyFacts, audit_finding, by_severity, facts_findings, join_words, possessive
from checker.paste import read_paste
from checker.rules import CheckerInputError, ErrorEntry, KeyInfo, Rules, Venue
from checker.vocab import ERROR_KINDS


@dataclass(frozen=True)
class VenueError:
    """A venue's error answer: the text the error lookup reads, and the kind to fall back on without a match."""

    text: str
    kind: str | None = None


@dataclass(frozen=True)
class Audit:
    """One venue answer shape.

    Attributes:
        id: What a venue's `key_info.audit` names.
        answer: The answer's shape in words, for a paste that has another shape.
        recognise: True for a parsed JSON value that is this shape's answer to the key-information request.
        read: The facts in a recognised answer; never raises, whatever the values' types.
        error: The venue's error answer (bad signature, expired timestamp, ...) read for the error lookup, or None.
        envelope: True for any successful answer of this venue's API (another request's answer).
        vocabulary: The documented words the answers use (permission names, access levels, envelope values such as
            "success"): the venue's vocabulary, not the reader's data.
        lists: The venue's API answers with JSON arrays too (its key check, its errors or other requests), so a
            pasted array is read, not refused (checker.paste).
    """

    id: str
    answer: str
    recognise: Callable[[Any], bool]
    read: Callable[[Any], KeyFacts]
    error: Callable[[Any], VenueError | None]
    envelope: Callable[[Any], bool]
    vocabulary: frozenset[str] = frozenset()
    lists: bool = False


# --- reading JSON values without trusting their types ------------------------------------------------------


def _dict(value: Any) -> dict[str, Any] | None:
    return value if isinstance(value, dict) else None


def _strings(value: Any) -> list[str] | None:
    """A list of strings, or None for anything else."""
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return list(value)
    return None


def _items(value: Any) -> list[str] | None:
    """A comma-separated string or a list of strings, as trimmed non-empty items; None for anything else."""
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    items = _strings(value)
    return None if items is None else [item.strip() for item in items if item.strip()]


def _bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value in ("true", "false"):
        return value == "true"
    return None


def _int(value: Any) -> int | None:
    """An integer written as a JSON number or as a string of digits."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?\d{1,19}", value.strip()):
        return int(value)
    return None


def _any_true(values: Sequence[bool | None]) -> bool | None:
    """True if any is True, False if all are False, else None."""
    if any(v is True for v in values):
        return True
    return False if values and all(v is False for v in values) else None


def _days_from_civil(year: int, month: int, day: int) -> int:
    """Days since 1970-01-01 of a date (H. Hinnant's algorithm; the checker has no datetime)."""
    year -= month <= 2
    era = year // 400
    year_of_era = year - era * 400
    day_of_year = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    return era * 146_097 + day_of_era - 719_468


_ISO_UTC = re.compile(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:Z|[+-]00:?00)\Z")


def _iso_ms(value: Any) -> int | None:
    """Unix milliseconds of an ISO 8601 UTC time such as 2023-12-22T07:20:25Z; None for anything else."""
    match = _ISO_UTC.match(value.strip()) if isinstance(value, str) else None
    if match is None:
        return None
    year, month, day, hours, minutes, seconds = (int(group) for group in match.groups())
    if not (1 <= month <= 12 and 1 <= day <= 31 and hours < 24 and minutes < 60 and seconds < 61):
        return None
    return (_days_from_civil(year, month, day) * 86_400 + hours * 3600 + minutes * 60 + seconds) * 1000


# --- Kraken Spot: POST /0/private/GetApiKeyInfo ----------------------------------------------------------

_KRAKEN_WITHDRAW = frozenset({"withdraw-funds", "add-withdraw-address", "update-withdraw-address"})
_KRAKEN_READ = frozenset(
    {"query-funds", "query-open-trades", "query-closed-trades", "query-ledger", "export-data", "create-ws-token"}
)
_KRAKEN_PERMISSIONS = _KRAKEN_WITHDRAW | _KRAKEN_READ | {"add-funds", "earn-funds", "modify-trades", "close-trades"}


def _kraken_spot_result(obj: Any) -> dict[str, Any] | None:
    if not isinstance(obj, dict) or obj.get("error") not in ([], None):
        return None
    result = _dict(obj.get("result"))
    if result is None or not isinstance(result.get("permissions"), list):
        return None
    return result if {"ipAllowlist", "validUntil", "nonceWindow", "apiKeyName"} & result.keys() else None


def _unix_seconds_or_never(value: Any) -> Expiry:
    seconds = _int(value)
    if seconds is None or seconds < 0:
        return None
    return "never" if seconds == 0 else seconds * 1000


def read_kraken_spot(obj: Mapping[str, Any]) -> KeyFacts:
    result = _kraken_spot_result(obj) or {}
    permissions = _strings(result.get("permissions"))
    granted = set(permissions) if permissions is not None else None
    allowlist = _strings(result.get("ipAllowlist"))
    where = "result.permissions"
    return KeyFacts(
        can_withdraw=None if granted is None else bool(granted & _KRAKEN_WITHDRAW),
        # Earn moves balances into and out of Earn products; Kraken documents no other transfer permission.
        can_transfer=None if granted is None else "earn-funds" in granted,
        transfer_scope="wallets" if granted and "earn-funds" in granted else None,
        can_trade=None if granted is None else "modify-trades" in granted,
        read_only=None if granted is None else granted <= _KRAKEN_READ,
        unknown_permissions=0 if granted is None else len(granted - _KRAKEN_PERMISSIONS),
        ip_bound=None if allowlist is None else bool(allowlist),
        ip_count=len(allowlist) if allowlist else None,
        expires=_unix_seconds_or_never(result.get("validUntil")),
        fields={
            "withdraw": where,
            "transfer": where,
            "trade": where,
            "permissions": where,
            "ip": "result.ipAllowlist",
            "expiry": "result.validUntil",
        },
    )


def _kraken_spot_error(obj: Any) -> VenueError | None:
    errors = _strings(obj.get("error")) if isinstance(obj, dict) else None
    return VenueError(" ".join(errors)) if errors else None


def _kraken_spot_envelope(obj: Any) -> bool:
    return isinstance(obj, dict) and obj.get("error") == [] and "result" in obj


# --- Kraken Futures (Derivatives): GET /api/auth/v1/api-keys/v3/check --------------------------------------

_LEVELS = ("NO_ACCESS", "READ_ONLY", "FULL_ACCESS")
_OPEN_RANGES = frozenset({"0.0.0.0/0", "::/0"})


def _is_kraken_futures(obj: Any) -> bool:
    return (
        isinstance(obj, dict)
        and isinstance(obj.get("permissions"), dict)
        and bool({"allowedCidrBlocks", "allowedCidrBlock", "accountUid"} & obj.keys())
        and "result" not in obj
    )


def _level(permissions: Mapping[str, Any], name: str) -> str | None:
    value = permissions.get(name)
    return value if value in _LEVELS else None


def read_kraken_futures(obj: Mapping[str, Any]) -> KeyFacts:
    permissions = _dict(obj.get("permissions")) or {}
    general, transfer = _level(permissions, "general"), _level(permissions, "transfer")
    # `transfer` is the key form's Withdrawal API setting (funds out of the derivatives wallet).
    withdraw = None if transfer is None else transfer == "FULL_ACCESS"
    if general is not None and transfer is not None:
        read_only: bool | None = "FULL_ACCESS" not in (general, transfer)
    else:
        read_only = False if "FULL_ACCESS" in (general, transfer) else None
    unknown = sum(
        1
        for name, value in permissions.items()
        if (name in ("general", "transfer") and value not in _LEVELS)
        or (name not in ("general", "transfer") and value != "NO_ACCESS")
    )
    blocks = _strings(obj.get("allowedCidrBlocks"))
    if blocks is None and "allowedCidrBlock" in obj:
        single = obj.get("allowedCidrBlock")
        blocks = [single] if isinstance(single, str) else [] if single is None else None
    open_range = blocks is not None and any(block.strip() in _OPEN_RANGES for block in blocks)
    return KeyFacts(
        can_withdraw=withdraw,
        # Withdrawal API is the one setting that moves funds; when it is on, the withdrawal finding says it all.
        can_transfer=False if withdraw is False else None,
        can_trade=None if general is None else general == "FULL_ACCESS",
        read_only=read_only,
        unknown_permissions=unknown,
        ip_bound=None if blocks is None else bool(blocks) and not open_range,
        ip_count=len(blocks) if blocks and not open_range else None,
        fields={
            "withdraw": "permissions.transfer",
            "transfer": "permissions.transfer",
            "trade": "permissions.general",
            "permissions": "permissions",
            "ip": "allowedCidrBlocks",
        },
    )


def _kraken_futures_error(obj: Any) -> VenueError | None:
    if not isinstance(obj, dict) or not isinstance(obj.get("error"), str):
        return None
    if obj.get("result") == "error":  # the Derivatives REST API's envelope
        return VenueError(obj["error"])
    if "message" in obj and not {"permissions", *_GRPC_ERROR} & obj.keys():
        # The key service documents one error: HTTP 401, "API key is not found or request signature is invalid".
        message = obj.get("message")
        return VenueError(f"{obj['error']} {message if isinstance(message, str) else ''}", kind="invalid_key")
    return None


def _kraken_futures_envelope(obj: Any) -> bool:
    return isinstance(obj, dict) and obj.get("result") == "success"


# --- Binance: GET /sapi/v1/account/apiRestrictions ---------------------------------------------------------

_BINANCE_TRADE = (
    "enableSpotAndMarginTrading",
    "enableFutures",
    "enableVanillaOptions",
    "enablePortfolioMarginTrading",
    "enableFixApiTrade",
)
_BINANCE_TRANSFER = ("enableInternalTransfer", "permitsUniversalTransfer")
_BINANCE_KNOWN = frozenset(
    {
        "ipRestrict",
        "createTime",
        "enableReading",
        "enableWithdrawals",
        "enableMargin",
        "enableFixReadOnly",
        "tradingAuthorityExpirationTime",
        *_BINANCE_TRADE,
        *_BINANCE_TRANSFER,
    }
)


def _is_binance(obj: Any) -> bool:
    return isinstance(obj, dict) and "ipRestrict" in obj and bool({"enableWithdrawals", "enableReading"} & obj.keys())


def _named(obj: Mapping[str, Any], names: Sequence[str], default: Sequence[str]) -> str:
    """The fields among `names` that are true, or `default` when none is: what told the reader."""
    chosen = [name for name in names if _bool(obj.get(name)) is True] or list(default)
    return ", ".join(chosen)


def read_binance(obj: Mapping[str, Any]) -> KeyFacts:
    withdraw = _bool(obj.get("enableWithdrawals"))
    transfer = _any_true([_bool(obj.get(name)) for name in _BINANCE_TRANSFER])
    trades = [_bool(obj.get(name)) for name in _BINANCE_TRADE if name in obj]
    trade = True if any(t is True for t in trades) else False if _bool(obj.get(_BINANCE_TRADE[0])) is False else None
    unknown = sum(
        1
        for name, value in obj.items()
        if name not in _BINANCE_KNOWN and name.startswith(("enable", "permits")) and _bool(value) is True
    )
    # Margin loans, repayments and spot-margin transfers are writes, though not trading.
    writes = [withdraw, transfer, trade, _bool(obj.get("enableMargin"))]
    read_only = (
        False if any(w is True for w in writes) or unknown else True if all(w is False for w in writes) else None
    )
    expiry = _int(obj.get("tradingAuthorityExpirationTime"))
    return KeyFacts(
        can_withdraw=withdraw,
        can_transfer=transfer,
        transfer_scope="accounts" if transfer else None,
        can_trade=trade,
        read_only=read_only,
        unknown_permissions=unknown,
        ip_bound=_bool(obj.get("ipRestrict")),
        trading_expires=expiry if expiry is not None and expiry > 0 else None,
        fields={
            "withdraw": "enableWithdrawals",
            "transfer": _named(obj, _BINANCE_TRANSFER, _BINANCE_TRANSFER),
            "trade": _named(obj, _BINANCE_TRADE, _BINANCE_TRADE[:2]),
            "permissions": "the enable and permits fields",
            "ip": "ipRestrict",
            "trading_expiry": "tradingAuthorityExpirationTime",
        },
    )


def _binance_error(obj: Any) -> VenueError | None:
    if not isinstance(obj, dict) or not isinstance(obj.get("msg"), str):
        return None
    code = obj.get("code")
    if isinstance(code, int) and not isinstance(code, bool) and code < 0:
        return VenueError(f"{code} {obj['msg']}")
    return None


def _binance_envelope(obj: Any) -> bool:
    return (
        isinstance(obj, dict) and "code" not in obj and bool({"balances", "makerCommission", "canTrade"} & obj.keys())
    )


# --- Bybit: GET /v5/user/query-api -------------------------------------------------------------------------

_BYBIT_TRADE_GROUPS = ("ContractTrade", "Spot", "Options", "Derivatives", "CopyTrading", "BlockTrade")
# Groups whose permissions pay other people: P2P orders and adverts, Bybit Pay.
_BYBIT_PAY_GROUPS = ("FiatP2P", "FiatBybitPay")
_BYBIT_GROUPS = frozenset(
    {*_BYBIT_TRADE_GROUPS, *_BYBIT_PAY_GROUPS, "Wallet", "Exchange", "Earn", "NFT", "Affiliate", "FiatConvertBroker"}
)
_BYBIT_WALLET = frozenset({"AccountTransfer", "SubMemberTransfer", "SubMemberTransferList", "Withdraw"})
_BYBIT_VOCABULARY = _BYBIT_WALLET | {
    "Order",
    "Position",
    "SpotTrade",
    "OptionsTrade",
    "DerivativesTrade",
    "ExchangeHistory",
    "Earn",
    "CopyTrading",
    "BlockTrade",
    "NFT",
    "Affiliate",
    "FiatP2POrder",
    "Advertising",
    "FaitPayOrder",
    "FiatConvertBrokerOrder",
}


def _bybit_result(obj: Any) -> dict[str, Any] | None:
    if not isinstance(obj, dict) or obj.get("retCode", 0) != 0:
        return None
    result = _dict(obj.get("result"))
    if result is None or not isinstance(result.get("permissions"), dict):
        return None
    return result if {"ips", "readOnly"} & result.keys() else None


def read_bybit(obj: Mapping[str, Any]) -> KeyFacts:
    result = _bybit_result(obj) or {}
    permissions = _dict(result.get("permissions")) or {}
    groups = {name: _strings(value) or [] for name, value in permissions.items()}
    wallet = set(groups.get("Wallet", []))
    between = bool(wallet & {"SubMemberTransfer", "SubMemberTransferList"}) or any(
        groups.get(name) for name in _BYBIT_PAY_GROUPS
    )
    own = "AccountTransfer" in wallet or bool(groups.get("Earn"))
    flag = _int(result.get("readOnly"))
    read_only = None if flag not in (0, 1) else flag == 1
    trades = any(groups.get(name) for name in _BYBIT_TRADE_GROUPS)
    ips = _items(result.get("ips"))
    bound = None if ips is None else any(ip != "*" for ip in ips)
    dated = _iso_ms(result.get("expiredAt"))
    # The epoch stands for "no date"; Bybit dates only keys without bound IPs (or after a password change).
    expires: Expiry = dated if dated is not None and dated > 0 else "never" if bound else None
    master = _bool(result.get("isMaster"))
    parent = result.get("parentUid")
    sub = (not master) if master is not None else (parent != "0") if isinstance(parent, str) else None
    unknown = sum(1 for name, items in groups.items() if name not in _BYBIT_GROUPS and items) + len(
        wallet - _BYBIT_WALLET
    )
    return KeyFacts(
        can_withdraw=None if not permissions else "Withdraw" in wallet,
        can_transfer=None if not permissions else between or own,
        transfer_scope="accounts" if between else "wallets" if own else None,
        can_trade=None if read_only is None else (not read_only and trades),
        read_only=read_only,
        unknown_permissions=unknown,
        ip_bound=bound,
        ip_count=len(ips) if bound and ips else None,
        expires=expires,
        sub_account=sub,
        fields={
            "withdraw": "result.permissions.Wallet",
            "transfer": "result.permissions",
            "trade": "result.readOnly, result.permissions",
            "permissions": "result.permissions",
            "ip": "result.ips",
            "expiry": "result.expiredAt" if expires != "never" else "result.ips, result.expiredAt",
            "account": "result.isMaster" if master is not None else "result.parentUid",
        },
    )


def _bybit_error(obj: Any) -> VenueError | None:
    if not isinstance(obj, dict) or "retMsg" not in obj:
        return None
    code = _int(obj.get("retCode"))
    if code is None or code == 0:
        return None
    message = obj.get("retMsg")
    return VenueError(f"{code} {message if isinstance(message, str) else ''}")


def _bybit_envelope(obj: Any) -> bool:
    return isinstance(obj, dict) and obj.get("retCode") == 0 and "result" in obj


# --- OKX: GET /api/v5/account/config -----------------------------------------------------------------------

_OKX_PERMS = frozenset({"read_only", "trade", "withdraw"})


def _okx_config(obj: Any) -> dict[str, Any] | None:
    if not isinstance(obj, dict) or obj.get("code", "0") != "0":
        return None
    data = obj.get("data")
    first = _dict(data[0]) if isinstance(data, list) and data else None
    return first if first is not None and "perm" in first else None


def read_okx(obj: Mapping[str, Any]) -> KeyFacts:
    config = _okx_config(obj) or {}
    perms = _items(config.get("perm"))
    granted = set(perms) if perms else None
    ips = _items(config.get("ip"))
    uid, main = config.get("uid"), config.get("mainUid")
    if isinstance(uid, str | int) and isinstance(main, str | int) and str(uid) and str(main):
        sub: bool | None = str(uid) != str(main)
        account = "data.uid, data.mainUid"
    else:
        kind = config.get("type")
        sub = None if not isinstance(kind, str) or not kind.isdigit() else kind != "0"
        account = "data.type"
    trade = None if granted is None else "trade" in granted
    return KeyFacts(
        can_withdraw=None if granted is None else "withdraw" in granted,
        # OKX's Trade permission includes funding transfers; there is no transfer permission of its own.
        can_transfer=trade,
        transfer_scope="accounts" if trade else None,
        transfer_with_trading=True,
        can_trade=trade,
        read_only=None if granted is None else granted <= {"read_only"},
        unknown_permissions=0 if granted is None else len(granted - _OKX_PERMS),
        ip_bound=None if ips is None else bool(ips),
        ip_count=len(ips) if ips else None,
        sub_account=sub,
        fields={
            "withdraw": "data.perm",
            "transfer": "data.perm",
            "trade": "data.perm",
            "permissions": "data.perm",
            "ip": "data.ip",
            "account": account,
        },
    )


def _okx_error(obj: Any) -> VenueError | None:
    if not isinstance(obj, dict) or not isinstance(obj.get("msg"), str):
        return None
    code = obj.get("code")
    # OKX's codes are five digits, as strings; KuCoin's have six; Bitget's five come with "requestTime".
    if isinstance(code, str) and re.fullmatch(r"\d{5}", code) and "requestTime" not in obj:
        return VenueError(f"{code} {obj['msg']}")
    return None


def _okx_envelope(obj: Any) -> bool:
    return isinstance(obj, dict) and obj.get("code") == "0" and isinstance(obj.get("data"), list)


# --- KuCoin: GET /api/v1/user/api-key ----------------------------------------------------------------------

_KUCOIN_TRADE = frozenset({"Spot", "Margin", "Futures"})
_KUCOIN_PERMS = _KUCOIN_TRADE | {"General", "InnerTransfer", "Transfer", "Earn"}
_KUCOIN_OK = "200000"


def _kucoin_data(obj: Any) -> dict[str, Any] | None:
    if not isinstance(obj, dict) or obj.get("code") != _KUCOIN_OK:
        return None
    data = _dict(obj.get("data"))
    if data is None or "permission" not in data:
        return None
    return data if {"apiVersion", "ipWhitelist", "apiKey", "isMaster", "remark"} & data.keys() else None


def read_kucoin(obj: Mapping[str, Any]) -> KeyFacts:
    data = _kucoin_data(obj) or {}
    perms = _items(data.get("permission"))
    granted = set(perms) if perms else None
    # KuCoin does not document what an unbound key answers: an empty or missing whitelist is read as unbound.
    raw = data.get("ipWhitelist")
    ips = [] if raw is None else _items(raw)
    master = _bool(data.get("isMaster"))
    own = granted is not None and bool(granted & {"InnerTransfer", "Earn"})
    return KeyFacts(
        # KuCoin's Transfer permission is its withdrawal permission.
        can_withdraw=None if granted is None else "Transfer" in granted,
        can_transfer=None if granted is None else own,
        transfer_scope="wallets" if own else None,
        can_trade=None if granted is None else bool(granted & _KUCOIN_TRADE),
        read_only=None if granted is None else granted <= {"General"},
        unknown_permissions=0 if granted is None else len(granted - _KUCOIN_PERMS),
        ip_bound=None if ips is None else bool(ips),
        ip_count=len(ips) if ips else None,
        sub_account=(not master) if master is not None else True if "subName" in data else None,
        fields={
            "withdraw": "data.permission",
            "transfer": "data.permission",
            "trade": "data.permission",
            "permissions": "data.permission",
            "ip": "data.ipWhitelist",
            "account": "data.isMaster" if master is not None else "data.subName",
        },
    )


def _kucoin_error(obj: Any) -> VenueError | None:
    if not isinstance(obj, dict) or not isinstance(obj.get("msg"), str):
        return None
    code = obj.get("code")
    if isinstance(code, str) and re.fullmatch(r"\d{6}", code) and code != _KUCOIN_OK:
        return VenueError(f"{code} {obj['msg']}")
    return None


def _kucoin_envelope(obj: Any) -> bool:
    return isinstance(obj, dict) and obj.get("code") == _KUCOIN_OK and "data" in obj


# --- Coinbase Advanced Trade: GET /api/v3/brokerage/key_permissions -----------------------------------------

_COINBASE_FLAGS = ("can_view", "can_trade", "can_transfer")
_COINBASE_PORTFOLIOS = frozenset({"UNDEFINED", "DEFAULT", "CONSUMER", "INTX"})
# The grpc-gateway error envelope ("error", "code", "message", "details") and Coinbase's "error_details".
_GRPC_ERROR = frozenset({"code", "details", "error_details"})
_GRPC_KINDS = {"UNAUTHENTICATED": "invalid_key", "PERMISSION_DENIED": "permission"}


def _is_coinbase(obj: Any) -> bool:
    return isinstance(obj, dict) and all(name in obj for name in _COINBASE_FLAGS) and "error" not in obj


def read_coinbase(obj: Any) -> KeyFacts:
    # can_view is what every key has; can_receive (inbound payments) moves nothing out: neither is judged.
    trade, transfer = _bool(obj.get("can_trade")), _bool(obj.get("can_transfer"))
    return KeyFacts(
        # Coinbase's Transfer permission is "deposit/withdrawal": it sends funds on and off the platform.
        can_withdraw=transfer,
        can_transfer=False if transfer is False else None,
        can_trade=trade,
        read_only=None if trade is None or transfer is None else not (trade or transfer),
        sub_account=False if obj.get("portfolio_type") == "DEFAULT" else None,
        fields={
            "withdraw": "can_transfer",
            "transfer": "can_transfer",
            "trade": "can_trade",
            "permissions": "can_view, can_trade, can_transfer",
            "account": "portfolio_type",
        },
    )


def _coinbase_error(obj: Any) -> VenueError | None:
    if not isinstance(obj, dict) or not isinstance(obj.get("error"), str) or not _GRPC_ERROR & obj.keys():
        return None
    message = obj.get("message")
    text = f"{obj['error']} {message if isinstance(message, str) else ''}".strip()
    return VenueError(text, kind=_GRPC_KINDS.get(obj["error"]))


def _coinbase_envelope(obj: Any) -> bool:
    return isinstance(obj, dict) and bool({"has_next", "portfolios", "breakdown"} & obj.keys()) and "error" not in obj


# --- Gemini: POST /v1/roles --------------------------------------------------------------------------------

_GEMINI_ROLES = ("isAuditor", "isFundManager", "isTrader")
# Only a Master key's answer carries these.
_GEMINI_MASTER = ("isAccountAdmin", "counterparty_id")


def _is_gemini(obj: Any) -> bool:
    return isinstance(obj, dict) and all(name in obj for name in _GEMINI_ROLES) and "result" not in obj


def read_gemini(obj: Any) -> KeyFacts:
    # Read-only is what the other roles leave (Auditor cannot be combined with them), so isAuditor adds nothing.
    fund_manager, trader = _bool(obj.get("isFundManager")), _bool(obj.get("isTrader"))
    master = any(name in obj for name in _GEMINI_MASTER)
    admin = _bool(obj.get("isAccountAdmin")) if master else False
    known = {*_GEMINI_ROLES, *_GEMINI_MASTER}
    unknown = sum(1 for name, value in obj.items() if name not in known and _bool(value) is True)
    writes = [fund_manager, trader, admin]
    read_only = (
        False if any(w is True for w in writes) or unknown else True if all(w is False for w in writes) else None
    )
    return KeyFacts(
        # Fund Manager withdraws and moves funds between the group's accounts: the withdrawal finding covers both.
        can_withdraw=fund_manager,
        can_transfer=False if fund_manager is False else None,
        can_trade=trader,
        read_only=read_only,
        unknown_permissions=unknown,
        # A Master key acts for every account of the group; an account key's answer does not say which account.
        all_accounts=master,
        fields={
            "withdraw": "isFundManager",
            "transfer": "isFundManager",
            "trade": "isTrader",
            "permissions": "the role fields",
            "account": "isAccountAdmin, counterparty_id",
        },
    )


def _gemini_error(obj: Any) -> VenueError | None:
    if not isinstance(obj, dict) or obj.get("result") != "error" or not isinstance(obj.get("reason"), str):
        return None
    message = obj.get("message")
    return VenueError(f"{obj['reason']} {message if isinstance(message, str) else ''}".strip())


def _gemini_envelope(obj: Any) -> bool:
    # The balances answer (the test request): a list of objects with "currency" and "amount".
    return isinstance(obj, list) and all(isinstance(row, dict) and {"currency", "amount"} <= row.keys() for row in obj)


# --- Bitfinex: POST /v2/auth/r/permissions -----------------------------------------------------------------

# Scopes from Bitfinex's Key Permissions reference; live answers also carry undocumented `eaas_*` scopes.
_BITFINEX_SCOPES = frozenset(
    {"account", "history", "orders", "positions", "funding", "settings", "wallets", "withdraw", "ui_withdraw", "bfxpay"}
)
# ui_withdraw is not explained by Bitfinex; eaas_withdraw is seen live: both read as withdrawal, to be safe.
_BITFINEX_WITHDRAW = ("withdraw", "ui_withdraw", "eaas_withdraw")
# Orders places and cancels orders; funding offers, cancels and closes loans (a lending bot's orders).
_BITFINEX_TRADE = ("orders", "funding")


def _flag(value: Any) -> bool | None:
    """Bitfinex's 0/1 permission flag."""
    if isinstance(value, bool):
        return value
    return value == 1 if value in (0, 1) else None


def _bitfinex_rows(obj: Any) -> dict[str, tuple[bool | None, bool | None]] | None:
    """Scope → (read, write), for a list of [scope, read, write] entries; None for anything else."""
    if not isinstance(obj, list) or not obj:
        return None
    rows: dict[str, tuple[bool | None, bool | None]] = {}
    for row in obj:
        if not isinstance(row, list) or len(row) < 3 or not isinstance(row[0], str):
            return None
        rows[row[0]] = (_flag(row[1]), _flag(row[2]))
    return rows if _BITFINEX_SCOPES & rows.keys() else None


def read_bitfinex(obj: Any) -> KeyFacts:
    rows = _bitfinex_rows(obj) or {}

    def write(*scopes: str) -> bool | None:
        present = [rows[scope][1] for scope in scopes if scope in rows]
        return _any_true(present)

    withdraw = write(*_BITFINEX_WITHDRAW)
    if "withdraw" not in rows and withdraw is not True:
        withdraw = None
    trade = write(*_BITFINEX_TRADE) if "orders" in rows else None
    writes = [flags[1] for flags in rows.values()]
    unknown = sum(1 for scope, flags in rows.items() if scope not in _BITFINEX_SCOPES and True in flags)
    granted = [scope for scope in _BITFINEX_TRADE if scope in rows and rows[scope][1]]
    return KeyFacts(
        can_withdraw=withdraw,
        # wallets write: "Transfer between your wallets" (exchange, margin, funding).
        can_transfer=write("wallets") if "wallets" in rows else None,
        transfer_scope="wallets",
        can_trade=trade,
        read_only=None if not writes else not any(w is True for w in writes) and not unknown,
        unknown_permissions=unknown,
        fields={
            "withdraw": 'the "withdraw" and "ui_withdraw" entries',
            "transfer": 'the "wallets" entry',
            "trade": " and ".join(f'the "{scope}" entry' for scope in granted or _BITFINEX_TRADE[:1]),
            "permissions": "the answer's entries",
        },
    )


def _bitfinex_error(obj: Any) -> VenueError | None:
    if isinstance(obj, list) and len(obj) >= 3 and obj[0] == "error":
        code, message = obj[1], obj[2]
        return VenueError(f"{code if isinstance(code, int) else ''} {message if isinstance(message, str) else ''}")
    if isinstance(obj, dict) and set(obj) == {"error"} and obj["error"] == "ERR_RATE_LIMIT":
        return VenueError("ERR_RATE_LIMIT")
    return None


def _bitfinex_envelope(obj: Any) -> bool:
    # Authenticated v2 answers are arrays of arrays (wallets, orders, positions).
    return isinstance(obj, list) and bool(obj) and all(isinstance(row, list) for row in obj) and obj[0] != "error"


# --- Bitget (Classic account, API v2): GET /api/v2/spot/account/info ----------------------------------------

_BITGET_OK = "00000"
_BITGET_WITHDRAW = frozenset({"wwow"})
# Wallet transfer moves funds between the account's products and its sub-accounts; P2P pays other users.
_BITGET_TRANSFER = frozenset({"wtow", "p2p", "p2pw"})
# "trade" and "readonly" are in the docs' example answer, not in their list of codes.
_BITGET_TRADE = frozenset({"stow", "smow", "coow", "cpow", "ttow", "trade"})
_BITGET_READ = frozenset({"coor", "cpor", "stor", "smor", "ttor", "wtor", "taxr", "chor", "p2pr", "pllr", "readonly"})
_BITGET_CODES = _BITGET_WITHDRAW | _BITGET_TRANSFER | _BITGET_TRADE | _BITGET_READ | {"chow", "pllw", "taxw"}


def _bitget_data(obj: Any) -> dict[str, Any] | None:
    if not isinstance(obj, dict) or obj.get("code") != _BITGET_OK:
        return None
    data = _dict(obj.get("data"))
    return data if data is not None and "authorities" in data else None


def read_bitget(obj: Any) -> KeyFacts:
    data = _bitget_data(obj) or {}
    codes = _items(data.get("authorities"))
    granted = set(codes) if codes else None
    # Bitget does not document what an unbound key answers: empty, null or no "ips" are read as unbound.
    raw = data.get("ips")
    ips = [] if raw is None else _items(raw)
    return KeyFacts(
        can_withdraw=None if granted is None else bool(granted & _BITGET_WITHDRAW),
        can_transfer=None if granted is None else bool(granted & _BITGET_TRANSFER),
        transfer_scope="accounts",
        can_trade=None if granted is None else bool(granted & _BITGET_TRADE),
        read_only=None if granted is None else granted <= _BITGET_READ,
        unknown_permissions=0 if granted is None else len(granted - _BITGET_CODES),
        ip_bound=None if ips is None else bool(ips),
        ip_count=len(ips) if ips else None,
        fields={
            "withdraw": "data.authorities",
            "transfer": "data.authorities",
            "trade": "data.authorities",
            "permissions": "data.authorities",
            "ip": "data.ips",
        },
    )


def _bitget_error(obj: Any) -> VenueError | None:
    if not isinstance(obj, dict) or not isinstance(obj.get("msg"), str) or "requestTime" not in obj:
        return None
    code = obj.get("code")
    if isinstance(code, str) and re.fullmatch(r"\d{3,5}", code) and code != _BITGET_OK:
        return VenueError(f"{code} {obj['msg']}")
    return None


def _bitget_envelope(obj: Any) -> bool:
    return isinstance(obj, dict) and obj.get("code") == _BITGET_OK and "requestTime" in obj


# --- Gate (API v4): GET /api/v4/account/main_keys ----------------------------------------------------------

# The documented permission names; none of them is the key form's Withdraw product.
_GATE_TRADE = frozenset({"spot", "futures", "delivery", "options", "margin", "unified", "copy", "pilot", "alpha"})
_GATE_PERMS = _GATE_TRADE | {"wallet", "earn", "custody", "account", "loan", "otc", "crossx"}
# Not documented: read as withdrawal should Gate ever list it.
_GATE_WITHDRAW = frozenset({"withdraw", "withdrawal", "withdrawals"})


def _gate_key(row: Any) -> bool:
    return isinstance(row, dict) and isinstance(row.get("perms"), list) and "ip_whitelist" in row


def _gate_rows(obj: Any) -> list[dict[str, Any]] | None:
    """The keys the answer lists: Gate's schema says one object, its example a list of them."""
    if _gate_key(obj):
        return [obj]
    if isinstance(obj, list) and obj and all(_gate_key(row) for row in obj):
        return list(obj)
    return None


def _gate_facts(row: Mapping[str, Any]) -> dict[str, Any]:
    perms = [_dict(perm) for perm in row.get("perms") or []]
    granted: dict[str, bool | None] = {}  # name → read-only
    for perm in perms:
        if perm is not None and isinstance(perm.get("name"), str):
            granted[perm["name"]] = _bool(perm.get("read_only"))
    writable = {name for name, read_only in granted.items() if read_only is False}
    ips = _strings(row.get("ip_whitelist"))
    unknown = [name for name in granted if name not in _GATE_PERMS]
    return {
        "can_withdraw": True if writable & _GATE_WITHDRAW else None,
        "can_transfer": "wallet" in writable,
        "can_trade": bool(writable & _GATE_TRADE),
        "read_only": None if not granted else all(read_only is True for read_only in granted.values()),
        "unknown_permissions": len(unknown),
        "ip_bound": None if ips is None else bool(ips),
        "ip_count": len(ips) if ips else None,
    }


def read_gate(obj: Any) -> KeyFacts:
    rows = [_gate_facts(row) for row in _gate_rows(obj) or []]

    def shared(name: str) -> Any:
        """The fact when every key listed has it, else None (the answer does not say which key signed)."""
        values = {repr(row[name]) for row in rows}
        return rows[0][name] if rows and len(values) == 1 else None

    transfer = shared("can_transfer")
    return KeyFacts(
        can_withdraw=shared("can_withdraw"),
        # Wallet Read and Write moves funds between your accounts, sub-accounts included.
        can_transfer=transfer,
        transfer_scope="accounts",
        can_trade=shared("can_trade"),
        read_only=shared("read_only"),
        unknown_permissions=max((row["unknown_permissions"] for row in rows), default=0),
        ip_bound=shared("ip_bound"),
        ip_count=shared("ip_count"),
        listed_keys=len(rows),
        fields={
            "withdraw": "perms",
            "transfer": "perms (wallet)",
            "trade": "perms",
            "permissions": "perms",
            "ip": "ip_whitelist",
        },
    )


def _gate_error(obj: Any) -> VenueError | None:
    if not isinstance(obj, dict) or not isinstance(obj.get("label"), str) or "message" not in obj:
        return None
    message = obj.get("message")
    return VenueError(f"{obj['label']} {message if isinstance(message, str) else ''}".strip())


def _gate_envelope(obj: Any) -> bool:
    # The test request's spot balances (a list of objects with "currency"), or the signing key's account detail.
    if isinstance(obj, list):
        return bool(obj) and all(isinstance(row, dict) and "currency" in row for row in obj)
    return isinstance(obj, dict) and {"user_id", "currency_pairs"} <= obj.keys()


def _audits(*audits: Audit) -> dict[str, Audit]:
    return {audit.id: audit for audit in audits}


AUDITS: Mapping[str, Audit] = _audits(
    Audit(
        id="kraken_spot_api_key_info",
        answer='an object whose "result" holds "permissions", "ipAllowlist" and "validUntil"',
        recognise=lambda obj: _kraken_spot_result(obj) is not None,
        read=read_kraken_spot,
        error=_kraken_spot_error,
        envelope=_kraken_spot_envelope,
        vocabulary=_KRAKEN_PERMISSIONS,
    ),
    Audit(
        id="kraken_futures_v3_check",
        answer='an object with "permissions", "allowedCidrBlocks" and "accountUid"',
        recognise=_is_kraken_futures,
        read=read_kraken_futures,
        error=_kraken_futures_error,
        envelope=_kraken_futures_envelope,
        vocabulary=frozenset({*_LEVELS, "success", "error"}),
    ),
    Audit(
        id="binance_api_restrictions",
        answer='an object with "ipRestrict", "enableReading", "enableWithdrawals" and the other enable fields',
        recognise=_is_binance,
        read=read_binance,
        error=_binance_error,
        envelope=_binance_envelope,
    ),
    Audit(
        id="bybit_query_api",
        answer='an object with "retCode" 0 whose "result" holds "readOnly", "permissions" and "ips"',
        recognise=lambda obj: _bybit_result(obj) is not None,
        read=read_bybit,
        error=_bybit_error,
        envelope=_bybit_envelope,
        vocabulary=_BYBIT_VOCABULARY,
    ),
    Audit(
        id="okx_account_config",
        answer='an object with "code" "0" whose "data" list holds an object with "perm" and "ip"',
        recognise=lambda obj: _okx_config(obj) is not None,
        read=read_okx,
        error=_okx_error,
        envelope=_okx_envelope,
        vocabulary=_OKX_PERMS,
    ),
    Audit(
        id="kucoin_api_key_info",
        answer='an object with "code" "200000" whose "data" holds "permission", "ipWhitelist" and "isMaster"',
        recognise=lambda obj: _kucoin_data(obj) is not None,
        read=read_kucoin,
        error=_kucoin_error,
        envelope=_kucoin_envelope,
        vocabulary=_KUCOIN_PERMS,
    ),
    Audit(
        id="coinbase",
        answer='an object with "can_view", "can_trade", "can_transfer" and "portfolio_type"',
        recognise=_is_coinbase,
        read=read_coinbase,
        error=_coinbase_error,
        envelope=_coinbase_envelope,
        vocabulary=_COINBASE_PORTFOLIOS,
    ),
    Audit(
        id="gemini_roles",
        answer='an object with "isAuditor", "isFundManager" and "isTrader"',
        recognise=_is_gemini,
        read=read_gemini,
        error=_gemini_error,
        envelope=_gemini_envelope,
        vocabulary=frozenset({"error"}),
        lists=True,
    ),
    Audit(
        id="bitfinex_permissions",
        answer='a list of [scope, read, write] entries such as ["withdraw", 0, 0]',
        recognise=lambda obj: _bitfinex_rows(obj) is not None,
        read=read_bitfinex,
        error=_bitfinex_error,
        envelope=_bitfinex_envelope,
        vocabulary=_BITFINEX_SCOPES | {"error", "ERR_RATE_LIMIT"},
        lists=True,
    ),
    Audit(
        id="bitget_account_info",
        answer='an object with "code" "00000" whose "data" holds "authorities" and "ips"',
        recognise=lambda obj: _bitget_data(obj) is not None,
        read=read_bitget,
        error=_bitget_error,
        envelope=_bitget_envelope,
        vocabulary=_BITGET_CODES | {_BITGET_OK, "success"},
    ),
    Audit(
        id="gate_main_keys",
        answer='a list of the account\'s keys, each an object with "perms" and "ip_whitelist"',
        recognise=lambda obj: _gate_rows(obj) is not None,
        read=read_gate,
        error=_gate_error,
        envelope=_gate_envelope,
        vocabulary=_GATE_PERMS,
        lists=True,
    ),
)


def audit_for(venue: Venue) -> tuple[KeyInfo, Audit]:
    """The venue's key-information request and the audit its rules name; a clear error when there is none."""
    if venue.key_info is None:
        raise CheckerInputError(f"{venue.name}: the rules carry no key-information request to audit")
    if venue.key_info.audit is None:
        raise CheckerInputError(f"{venue.name}: the checker cannot read this venue's key-information answer yet")
    audit = AUDITS.get(venue.key_info.audit)
    if audit is None:
        known = ", ".join(sorted(AUDITS))
        raise CheckerInputError(f"{venue.name}: key audit {venue.key_info.audit!r} is not one of {known}")
    return venue.key_info, audit


# --- classifying the parsed answer -------------------------------------------------------------------------


def _error_finding(rules: Rules, venue: Venue, error: VenueError) -> Finding:
    """A venue error answer, linked to the venue's troubleshooting entry for it when there is one."""
    entries = {entry.id: entry for entry in venue.errors}
    matches = match_error(rules, error.text, venue.id, limit=1)
    entry: ErrorEntry | None = None
    if matches and matches[0].matched in ("code", "alias"):
        entry = entries.get(matches[0].id)
    if entry is None and error.kind is not None:
        entry = venue.first_error(error.kind)
    if entry is None and matches and matches[0].score >= 0.5:
        entry = entries.get(matches[0].id)
    if entry is None:
        return audit_finding(
            "venue_error",
            "error",
            f"{venue.name} answered with an error, not with the key's details; this guide has no entry for it.",
            "Paste the answer into the error lookup on this page, or look the error up in the venue's documentation.",
        )
    words = ERROR_KINDS[entry.kind]
    return audit_finding(
        f"venue_error.{entry.kind}",
        "error",
        f"{venue.name} answered with an error, not with the key's details: {words[0].lower() + words[1:]}. The "
        "linked entry says what it means.",
        plain_text(entry.fix),
        anchor=entry.id,
    )


def _status_finding(rules: Rules, venue: Venue, status: int) -> Finding | None:
    """The venue's troubleshooting entry for an HTTP status, when its guide has one under that code."""
    text = f"HTTP {status}"
    matches = match_error(rules, text, venue.id, limit=1)
    return _error_finding(rules, venue, VenueError(text)) if matches and matches[0].matched == "code" else None


def _users(rules: Rules, audit_id: str) -> list[Venue]:
    """The venues whose rules name this audit."""
    return [v for v in rules.venues.values() if v.key_info is not None and v.key_info.audit == audit_id]


# A paste in another venue's shape: what it is, and what to do besides running this venue's command.
_OTHER_SHAPES = {
    "key_check": ("This is {others} answer to its key check, not {venues}.", ""),
    "error": (
        "This is an error answer in {others} format, not {venues}.",
        "The error lookup on the {other} guide explains it. ",
    ),
    "answer": ("This is an answer of {others} API, not of {venues}.", ""),
}


def _has_shape(audit: Audit, shape: str, value: Any) -> bool:
    if shape == "key_check":
        return audit.recognise(value)
    if shape == "error":
        return audit.error(value) is not None
    return audit.envelope(value)


def _other_venue(rules: Rules, own: Audit, value: Any, venue: Venue, shapes: Sequence[str]) -> Finding | None:
    """A finding when the answer has the shape of another venue's key check, error or answer (in that order)."""
    for shape in shapes:
        for audit in AUDITS.values():
            users = _users(rules, audit.id) if audit.id != own.id else []
            if users and _has_shape(audit, shape, value):
                other = join_words([user.name for user in users], "or")
                words = {"other": other, "others": possessive(other), "venues": possessive(venue.name)}
                message, hint = (text.format(**words) for text in _OTHER_SHAPES[shape])
                return audit_finding(
                    "paste.other_venue",
                    "error",
                    message,
                    hint
                    + f"Run {possessive(venue.name)} key check command, or check this answer on the {other} guide.",
                    guide=users[0].guide_url or None,
                )
    return None


def audit_response(
    rules: Rules, venue_id: str, response: str, *, use_case: str | None = None, now_ms: int | None = None
) -> Diagnosis:
    """Read a pasted answer to the venue's key-information request and say what the key can do.

    Args:
        rules: The checker's rules.
        venue_id: The venue whose key check the reader ran.
        response: The pasted text, as pasted: the JSON answer, possibly with HTTP headers, the command before it
            or a prompt after it.
        use_case: The id of the venue's use case the reader picked; the key's trading rights are judged against it.
        now_ms: Today, as Unix milliseconds (the page's clock), for expiry.

    Returns:
        The findings; `ok` is False when any is an error. No finding holds a value of the answer.

    Raises:
        CheckerInputError: For an unknown venue or use case, or a venue without a key-information request.
    """
    venue = rules.venue(venue_id)
    key_info, audit = audit_for(venue)
    picked = None
    if use_case is not None:
        picked = venue.use_case(use_case)
        if picked is None:
            known = ", ".join(u.id for u in venue.use_cases) or "none"
            raise CheckerInputError(f"use_case: {venue.name} has no use case {use_case!r} (known: {known})")
    paste = read_paste(response, venue, lists=audit.lists)
    if not paste.parsed:
        findings = list(paste.findings)
        if isinstance(paste.value, list):
            # A list this venue never answers with: another venue's answer names that venue instead.
            other = _other_venue(rules, audit, paste.value, venue, ("key_check", "error", "answer"))
            if other is not None:
                findings = [f for f in findings if f.code != "audit.paste.not_object"] + [other]
        if paste.status is not None and paste.status >= 400:
            # No JSON, but the status line may be an error the guide explains (Bybit's HTTP 403 for a US address).
            status = _status_finding(rules, venue, paste.status)
            findings += [status] if status is not None else []
        return Diagnosis(findings=tuple(by_severity(findings)))
    value: Any = paste.value
    findings = list(paste.findings)
    if audit.recognise(value):
        findings += facts_findings(venue, key_info, audit.read(value), picked, now_ms)
    elif (error := audit.error(value)) is not None:
        findings.append(_error_finding(rules, venue, error))
    elif (other := _other_venue(rules, audit, value, venue, ("key_check", "error"))) is not None:
        findings.append(other)
    elif audit.envelope(value):
        request = key_info.request
        findings.append(
            audit_finding(
                "paste.other_request",
                "error",
                f"This is an answer of {possessive(venue.name)} API, but to another request, not to the key check "
                f"({request.method} {request.path}).",
                "Run the key check command, not the test request, and paste its answer.",
            )
        )
    elif (other := _other_venue(rules, audit, value, venue, ("answer",))) is not None:
        findings.append(other)
    else:
        findings.append(
            audit_finding(
                "paste.unknown_shape",
                "error",
                f"This JSON is not {possessive(venue.name)} answer to the key check, which is {audit.answer}.",
                "Paste the answer of the key check command as it printed it.",
            )
        )
    return Diagnosis(findings=tuple(by_severity(findings)))

"""What a key may do, as a neutral value, and what a reader should know about a key with those facts.

Each venue's answer to its key-information request is read into `KeyFacts` (checker.audit); the findings here are
the same for every venue. They name the answer's fields and counts, never a value of the answer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, TypeAlias

from checker.errors import plain_text
from checker.findings import Finding, Severity
from checker.rules import KeyInfo, UseCase, Venue

# When a key expires: Unix milliseconds, "never", or None when the answer cannot tell.
Expiry: TypeAlias = int | Literal["never"] | None
# Where a transfer permission moves funds: between the account's own wallets and products (spot, futures, Earn),
# or to other accounts (sub-accounts, the main account, other people).
TransferScope: TypeAlias = Literal["wallets", "accounts"]

# Every finding of the audit is about the pasted answer, the one input field of the audit.
FIELD = "response"
# An expiry this close is a warning, not a note.
SOON_DAYS = 14
_DAY_MS = 86_400_000


@dataclass(frozen=True)
class KeyFacts:
    """What a venue's answer says about the key that signed the request; each fact None when it cannot tell.

    Attributes:
        can_withdraw: The key may withdraw funds (or manage withdrawal addresses).
        can_transfer: The key may move funds, see `transfer_scope`.
        transfer_scope: Where its transfers go, when it can transfer.
        transfer_with_trading: The venue grants transfers with its trading permission: not one the reader can
            switch off on its own.
        ip_bound: The key works only from the IP addresses bound to it.
        ip_count: How many addresses or ranges are bound, when the answer lists them.
        expires: When the key stops working (Unix ms), "never", or None.
        trading_expires: When the key's trading permission lapses (Unix ms), for venues that say so.
        can_trade: The key may place orders.
        read_only: The key may only read: no orders, cancellations or transfers of any kind.
        sub_account: The key belongs to a sub-account (False: to the main account).
        all_accounts: The key acts for every account of the group (Gemini's Master keys), not for one account.
        unknown_permissions: Granted permissions this checker does not know.
        listed_keys: For an answer that lists several keys of the account without saying which one signed the
            request, how many: the other facts then hold for every key listed.
        fields: For each topic (withdraw, transfer, trade, ip, expiry, account, permissions), the answer's fields
            that told it, as the reader finds them in the pasted JSON ("result.permissions", or several: "a, b").
    """

    can_withdraw: bool | None = None
    can_transfer: bool | None = None
    transfer_scope: TransferScope | None = None
    transfer_with_trading: bool = False
    ip_bound: bool | None = None
    ip_count: int | None = None
    expires: Expiry = None
    trading_expires: int | None = None
    can_trade: bool | None = None
    read_only: bool | None = None
    sub_account: bool | None = None
    all_accounts: bool = False
    unknown_permissions: int = 0
    listed_keys: int | None = None
    fields: Mapping[str, str] = field(default_factory=dict)


# --- findings ----------------------------------------------------------------------------------------------


def audit_finding(
    code: str,
    severity: Severity,
    message: str,
    hint: str = "",
    anchor: str | None = None,
    guide: str | None = None,
) -> Finding:
    """A finding of the key audit: about the pasted answer, with its code in the audit's namespace."""
    return Finding(
        code=f"audit.{code}",
        severity=severity,
        field=FIELD,
        position=None,
        message=message,
        hint=hint,
        anchor=anchor,
        guide=guide,
    )


def by_severity(findings: Sequence[Finding]) -> list[Finding]:
    """Errors first, then warnings, then notes; the order within each as found."""
    order = {"error": 0, "warning": 1, "info": 2}
    return sorted(findings, key=lambda f: order[f.severity])


def plural(count: int, singular: str, plural: str | None = None) -> str:
    return f"{count} {singular if count == 1 else plural or singular + 's'}"


def possessive(name: str) -> str:
    """A name's possessive: Binance's, Kraken Futures'."""
    return name + ("'" if name.endswith("s") else "'s")


def join_words(words: Sequence[str], last: str = "and") -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + f" {last} " + words[-1]


def _days(delta_ms: int) -> int:
    return abs(delta_ms) // _DAY_MS


def _withdraw_findings(venue: Venue, key_info: KeyInfo, facts: KeyFacts) -> list[Finding]:
    where = facts.fields
    revoke = plain_text(key_info.revoke)
    if facts.can_withdraw:
        return [
            audit_finding(
                "withdraw.on",
                "error",
                f"This key can withdraw funds (from {where['withdraw']}). Revoke it now: anyone who has a copy of "
                "it can send your funds off the account.",
                revoke,
            )
        ]
    if facts.can_withdraw is False:
        told = [where["withdraw"]]
        also = ""
        if facts.can_transfer is False:
            also = " or transfer them"
            told += [where["transfer"]] if where["transfer"] not in told else []
        return [
            audit_finding("withdraw.off", "info", f"This key cannot withdraw funds{also} (from {', '.join(told)}).")
        ]
    # The audit's first question: an answer that leaves it open is a warning, not a note among the gaps.
    return [
        audit_finding(
            "withdraw.unknown",
            "warning",
            f"{possessive(venue.name)} answer does not say whether this key can withdraw funds.",
            f"Open the key on {possessive(venue.name)} API key page and check that nothing that withdraws funds is "
            "switched on.",
        )
    ]


def _transfer_findings(venue: Venue, key_info: KeyInfo, facts: KeyFacts) -> list[Finding]:
    where = facts.fields
    if not facts.can_transfer:
        return []
    if facts.transfer_with_trading:
        return [
            audit_finding(
                "transfer.with_trading",
                "info",
                f"This key's trading permission also lets it move funds between your own {venue.name} accounts "
                f"(from {where['transfer']}); {venue.name} grants the two together.",
                "Bind the key to your bot's IP addresses, and keep on the account only the funds the bot trades.",
            )
        ]
    if facts.transfer_scope == "accounts":
        return [
            audit_finding(
                "transfer.on",
                "error",
                f"This key can move funds to other accounts, such as sub-accounts (from {where['transfer']}). A bot "
                "never needs that: revoke the key and create one without it.",
                plain_text(key_info.revoke),
            )
        ]
    return [
        audit_finding(
            "transfer.on",
            "warning",
            f"This key can move funds between your own wallets or into Earn products (from {where['transfer']}). "
            "A trading bot does not need that.",
            "Untick it on the key's page, or create a new key without it.",
        )
    ]


def _use_findings(facts: KeyFacts, use_case: UseCase | None) -> tuple[list[Finding], bool]:
    """Findings on trading against the reader's use case; the bool says whether the answer could tell."""
    where = facts.fields.get("trade", "the answer")
    if use_case is None:
        if facts.can_trade:
            return [audit_finding("trading.on", "info", f"This key can place orders (from {where}).")], True
        if facts.read_only:
            return [
                audit_finding(
                    "trading.off", "info", f"This key only reads: it cannot place orders or move funds (from {where})."
                )
            ], True
        if facts.can_trade is False:
            return [audit_finding("trading.off", "info", f"This key cannot place orders (from {where}).")], True
        return [], False
    title = use_case.title
    if use_case.kind == "read_only":
        if facts.read_only is False:
            does = "place orders" if facts.can_trade else "do more than read"
            return [
                audit_finding(
                    "use_case.not_read_only",
                    "warning",
                    f"You picked {title}, which only reads, but this key can {does} (from {where}).",
                    f"Create a key with only the permissions the checklist for {title} lists, and delete this one.",
                )
            ], True
        if facts.read_only:
            return [
                audit_finding("use_case.fits", "info", f"This key only reads, as {title} needs (from {where}).")
            ], True
        return [], False
    if facts.can_trade is False:
        return [
            audit_finding(
                "use_case.cannot_trade",
                "error",
                f"You picked {title}, which places orders, but this key cannot place orders (from {where}).",
                f"Edit the key's permissions as the checklist for {title} says, or create a new key.",
            )
        ], True
    if facts.can_trade:
        return [
            audit_finding("use_case.fits", "info", f"This key can place orders, as {title} needs (from {where}).")
        ], True
    return [], False


def _ip_findings(venue: Venue, key_info: KeyInfo, facts: KeyFacts) -> list[Finding]:
    where = facts.fields.get("ip", "the answer")
    if facts.ip_bound is False:
        consequence = plain_text(key_info.unbound_ip)
        return [
            audit_finding(
                "ip.unbound",
                "warning",
                f"This key is not bound to any IP address (from {where}): anyone who has a copy can use it from "
                "anywhere." + (f" {consequence}" if consequence else ""),
                f"Add your bot's outbound IP addresses to the key's IP allowlist on {venue.name}, then check again.",
            )
        ]
    if facts.ip_bound:
        bound = (
            f"to {plural(facts.ip_count, 'IP address', 'IP addresses')} or "
            f"{'range' if facts.ip_count == 1 else 'ranges'} (from {where})"
            if facts.ip_count is not None
            else f"to IP addresses (from {where}); the answer does not list them"
        )
        return [
            audit_finding(
                "ip.bound",
                "info",
                f"This key is bound {bound}.",
                f"Check on the key's page that {'it is' if facts.ip_count == 1 else 'they are'} your bot's "
                f"{'address' if facts.ip_count == 1 else 'addresses'}.",
            )
        ]
    return []


def _expiry_findings(facts: KeyFacts, now_ms: int | None) -> list[Finding]:
    findings: list[Finding] = []
    where = facts.fields.get("expiry", "the answer")
    if facts.expires == "never":
        findings.append(
            audit_finding(
                "expiry.never",
                "info",
                f"This key has no expiry date (from {where}).",
                "Replace it on a schedule you choose, and at once if you suspect it leaked.",
            )
        )
    elif isinstance(facts.expires, int):
        findings.append(_dated("expiry", "This key", facts.expires, now_ms, where))
    if facts.trading_expires is not None:
        findings.append(
            _dated(
                "expiry.trading",
                "This key's trading permission",
                facts.trading_expires,
                now_ms,
                facts.fields.get("trading_expiry", "the answer"),
            )
        )
    return findings


def _dated(code: str, subject: str, when_ms: int, now_ms: int | None, where: str) -> Finding:
    trading = code == "expiry.trading"
    if now_ms is None:
        return audit_finding(
            code if trading else "expiry.date",
            "info",
            f"{subject} has an expiry date (from {where}); the checker was not given today's date to say how far "
            "off it is.",
        )
    delta = when_ms - now_ms
    days = _days(delta)
    if delta <= 0:
        ago = "today" if days == 0 else f"{plural(days, 'day')} ago"
        if trading:
            return audit_finding(
                code,
                "warning",
                f"{subject} lapsed {ago} (from {where}): the key cannot place orders until you tick it again.",
            )
        return audit_finding(
            "expiry.expired",
            "error",
            f"{subject} expired {ago} (from {where}): it no longer works.",
            "Create a new key, following this guide.",
        )
    left = "within a day" if days == 0 else f"in {plural(days, 'day')}"
    verb = "lapses" if trading else "expires"
    if days < SOON_DAYS:
        return audit_finding(
            code if trading else "expiry.soon",
            "warning",
            f"{subject} {verb} {left} (from {where}).",
            "Prepare its replacement before then, and switch the bot over in time.",
        )
    return audit_finding(code if trading else "expiry.date", "info", f"{subject} {verb} {left} (from {where}).")


def _account_findings(facts: KeyFacts) -> list[Finding]:
    where = facts.fields.get("account", "the answer")
    if facts.all_accounts:
        return [
            audit_finding(
                "account.all",
                "warning",
                f"This key acts for every account of your group (from {where}): a leaked copy reaches all of them.",
                "Create a key in the one account that holds the bot's funds, and delete this one.",
            )
        ]
    if facts.sub_account:
        return [
            audit_finding(
                "account.sub",
                "info",
                f"This key belongs to a sub-account (from {where}): a leaked copy reaches only that sub-account.",
            )
        ]
    if facts.sub_account is False:
        return [
            audit_finding(
                "account.main",
                "info",
                f"This key belongs to the main account (from {where}).",
                "A sub-account that holds only the bot's funds limits what a leaked key can reach.",
            )
        ]
    return []


# What an answer may leave untold, each completing "does not say …"; the first names the key, the rest say "it".
# Withdrawal is not among them: an answer silent on it gets a warning of its own.
_NOT_TOLD = {
    "transfer": "whether {key} can transfer funds",
    "trade": "whether {key} can place orders",
    "ip": "whether {key} is bound to IP addresses",
    "expiry": "when {key} expires",
    "account": "whether {key} belongs to a sub-account",
}


def facts_findings(
    venue: Venue, key_info: KeyInfo, facts: KeyFacts, use_case: UseCase | None = None, now_ms: int | None = None
) -> list[Finding]:
    """What the reader should know about a key with these facts: the most serious first."""
    use, told_trade = _use_findings(facts, use_case)
    findings = [
        *_withdraw_findings(venue, key_info, facts),
        *_transfer_findings(venue, key_info, facts),
        *use,
        *_ip_findings(venue, key_info, facts),
        *_expiry_findings(facts, now_ms),
        *_account_findings(facts),
    ]
    if facts.unknown_permissions:
        count = facts.unknown_permissions
        findings.append(
            audit_finding(
                "permission.unknown",
                "warning",
                f"{plural(count, 'permission')} in {facts.fields.get('permissions', 'the answer')} "
                f"{'is not one' if count == 1 else 'are not ones'} this checker knows.",
                f"Open the key on {venue.name} and check what {'it allows' if count == 1 else 'they allow'}; "
                "untick anything your bot does not need.",
            )
        )
    if facts.listed_keys is not None and facts.listed_keys > 1:
        findings.append(
            audit_finding(
                "keys.several",
                "info",
                f"The answer lists {facts.listed_keys} keys of the account and does not say which one signed the "
                "request: the checker reports only what holds for all of them.",
                "Delete the keys you no longer use, then check again.",
            )
        )
    unknown = {
        "transfer": facts.can_transfer is None and not facts.can_withdraw,
        "trade": not told_trade,
        "ip": facts.ip_bound is None,
        "expiry": facts.expires is None,
        "account": facts.sub_account is None and not facts.all_accounts,
    }
    gaps = [words for topic, words in _NOT_TOLD.items() if unknown[topic]]
    gaps = [words.format(key="the key" if index == 0 else "it") for index, words in enumerate(gaps)]
    if gaps:
        findings.append(
            audit_finding("not_told", "info", f"{possessive(venue.name)} answer does not say {join_words(gaps, 'or')}.")
        )
    return by_severity(findings)

"""Match a pasted exchange error text to a venue's troubleshooting entries, and compare signatures."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from checker.rules import ErrorEntry, Rules, Venue

_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "is",
        "are",
        "was",
        "be",
        "to",
        "of",
        "for",
        "in",
        "on",
        "or",
        "and",
        "this",
        "that",
        "with",
        "your",
        "you",
        "not",
        "no",
        "by",
        "at",
        "as",
        "it",
        "from",
        "request",
        "error",
        "code",
        "msg",
        "message",
        "please",
        "check",
    ]
)
_REQUEST_IP = re.compile(r"request\s*ip\s*[:=]?\s*([0-9a-fA-F:.]*[0-9a-fA-F])", re.IGNORECASE)
_IPV4 = re.compile(r"(?<![\d.])((?:\d{1,3}\.){3}\d{1,3})(?![\d.])")
_JSON_CODE = re.compile(r"[\"']?(?:code|retCode|ret_code|label|status_code)[\"']?\s*[:=]?\s*[\"']?(-?[A-Za-z0-9_]+)")
# Bybit-style timing facts: `req_timestamp[1672138345000],server_timestamp[...],recv_window[5000]`.
_TIMING = re.compile(r"(req_timestamp|server_timestamp|recv_window)\s*[\[:=]\s*(\d{1,16})", re.IGNORECASE)
_HEX = re.compile(r"[0-9a-fA-F]+\Z")
_B64 = re.compile(r"[A-Za-z0-9+/]+={0,2}\Z")
# Markdown a venue's cause and fix may use, for the plain-text support reply.
_MD_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
_MD_CODE = re.compile(r"(`+)(.+?)\1", re.DOTALL)
_MD_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1", re.DOTALL)
_MD_EM = re.compile(r"(?<![\w*])([*_])(?=\S)(.+?)(?<=\S)\1(?![\w*])", re.DOTALL)
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|<>])")


@dataclass(frozen=True)
class ErrorMatch:
    """One troubleshooting entry that fits the pasted text.

    `values` holds what was read out of the text, `notes` says what each value means for the fix, and
    `url` is the entry's address on the site (relative to the site root unless a site URL was given), and
    `reply` is a plain-text answer support can paste, ending with that address.
    """

    venue: str
    id: str
    code: str
    kind: str
    score: float
    matched: str
    values: Mapping[str, str] = field(default_factory=dict)
    venue_name: str = ""
    message: str = ""
    cause: str = ""
    fix: str = ""
    notes: tuple[str, ...] = ()
    reply: str = ""
    url: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "venue": self.venue,
            "venue_name": self.venue_name,
            "id": self.id,
            "code": self.code,
            "kind": self.kind,
            "score": self.score,
            "matched": self.matched,
            "message": self.message,
            "cause": self.cause,
            "fix": self.fix,
            "values": dict(self.values),
            "notes": list(self.notes),
            "reply": self.reply,
            "url": self.url,
        }


def _tokens(text: str) -> set[str]:
    return {t for t in re.findall(r"[a-z0-9]+", text.lower()) if len(t) > 1 and t not in _STOPWORDS}


# A camelCase code ("authenticationError") is matched with its case: CCXT names its exception classes in
# PascalCase ("AuthenticationError: coinbase GET … 401"), and those must not read as another venue's code.
_CAMEL_CASE = re.compile(r"[a-z][a-z0-9]*[A-Z][A-Za-z0-9]*")


def _contains_code(text: str, code: str) -> bool:
    code = code.strip()
    if not code:
        return False
    flags = 0 if _CAMEL_CASE.fullmatch(code) else re.IGNORECASE
    return re.search(r"(?<![A-Za-z0-9_])" + re.escape(code) + r"(?![A-Za-z0-9_])", text, flags) is not None


def extract_values(text: str) -> dict[str, str]:
    """Read facts a fix needs out of an error text: the request IP the venue saw, the code, timings."""
    values: dict[str, str] = {}
    match = _REQUEST_IP.search(text)
    if match:
        values["request_ip"] = match.group(1)
    else:
        ip = _IPV4.search(text)
        if ip:
            values["ip"] = ip.group(1)
    code = _JSON_CODE.search(text)
    if code:
        values["code"] = code.group(1)
    for name, number in _TIMING.findall(text):
        values.setdefault("request_timestamp" if name.lower() == "req_timestamp" else name.lower(), number)
    return values


def _seconds(milliseconds: int) -> str:
    return f"{milliseconds / 1000:.1f}".rstrip("0").rstrip(".") + " s"


def describe_values(values: Mapping[str, str], venue_name: str = "The exchange") -> list[str]:
    """Plain sentences saying what each value read out of an error text means for the fix."""
    notes: list[str] = []
    if "request_ip" in values:
        notes.append(
            f"{venue_name} saw the request come from {values['request_ip']}. Compare this address with the "
            "IP allow-list on the key: if it is not on the list, add it, or run the bot from an address that is."
        )
    elif "ip" in values:
        notes.append(
            f"The message mentions the address {values['ip']}. If your bot connects from it, check that it is on "
            "the key's IP allow-list."
        )
    sent, seen = values.get("request_timestamp"), values.get("server_timestamp")
    if sent is not None and seen is not None:
        gap = int(seen) - int(sent)
        window = values.get("recv_window")
        allowed = f" (the receive window is {_seconds(int(window))})" if window is not None else ""
        if gap >= 0:
            notes.append(
                f"The request's timestamp was {_seconds(gap)} behind {venue_name}'s clock{allowed}: the bot's "
                "clock is slow or the request took long to arrive. Turn on time synchronisation (NTP)."
            )
        else:
            notes.append(
                f"The request's timestamp was {_seconds(-gap)} ahead of {venue_name}'s clock{allowed}: the bot's "
                "clock is fast. Turn on time synchronisation (NTP)."
            )
    return notes


def plain_text(markdown: str) -> str:
    """A venue's Markdown (cause, fix) as one line of plain text: no backticks, emphasis or link syntax."""
    text = _MD_LINK.sub(lambda m: m.group(1) + (f" ({m.group(2)})" if m.group(2).startswith("http") else ""), markdown)
    text = _MD_CODE.sub(lambda m: m.group(2).strip(), text)
    text = _MD_STRONG.sub(r"\2", text)
    text = _MD_EM.sub(r"\2", text)
    text = _MD_ESCAPE.sub(r"\1", text)
    return " ".join(text.split())


def entry_url(venue: Venue, entry: ErrorEntry, site_url: str = "") -> str:
    """Where the entry is on its guide: `site_url` + the guide's path + `#` + the entry's anchor."""
    return f"{site_url}{venue.guide_url}#{entry.id}"


def support_reply(venue: Venue, entry: ErrorEntry, notes: Sequence[str] = (), link: str = "") -> str:
    """A short plain-text answer for a support chat: what the error means, the fix, facts, the link."""
    said = f": “{plain_text(entry.message)}”" if entry.message else ""
    parts = [
        f"{venue.name} error {entry.code}{said}",
        f"What it means: {plain_text(entry.cause)}" if entry.cause else "",
        f"How to fix it: {plain_text(entry.fix)}" if entry.fix else "",
        *notes,
        f"Step by step: {link}" if link else "",
    ]
    return "\n\n".join(part for part in parts if part)


def _coverage(candidate: str, words: set[str]) -> float:
    wanted = _tokens(candidate)
    return len(wanted & words) / len(wanted) if wanted else 0.0


def _score(entry: ErrorEntry, text: str, words: set[str]) -> tuple[float, str]:
    # A code in the text decides; the wording breaks ties between venues that share a code (Binance -2015
    # is "invalid key, IP or permissions", Bybit's spot -2015 is "api key has expired").
    wordings = [w for w in (entry.message, *entry.aliases) if _tokens(w)]
    if _contains_code(text, entry.code):
        fit = max((_coverage(w, words) for w in wordings), default=1.0)
        return round(0.8 + 0.2 * fit, 3), "code"
    if any(_contains_code(text, alias) for alias in entry.aliases):
        fit = max((_coverage(w, words) for w in (entry.message, entry.code) if _tokens(w)), default=1.0)
        return round(0.75 + 0.2 * fit, 3), "alias"
    fit = max((_coverage(w, words) for w in (entry.code, *wordings)), default=0.0)
    return round(0.7 * fit, 3), "message"


def match_error(
    rules: Rules, text: str, venue: str | None = None, limit: int = 5, site_url: str = ""
) -> list[ErrorMatch]:
    """Rank troubleshooting entries (of one venue, or of all) against a pasted error text, best first.

    `site_url` (the site's absolute root URL, ending in '/') makes each match's address absolute, for replies
    that are pasted outside the site.
    """
    venues: list[Venue] = [rules.venue(venue)] if venue is not None else list(rules.venues.values())
    words = _tokens(text)
    values = extract_values(text)
    ranked: list[tuple[float, int, Venue, ErrorEntry, str]] = []
    for order, (candidate, entry) in enumerate((v, e) for v in venues for e in v.errors):
        score, how = _score(entry, text, words)
        if score >= 0.2:
            ranked.append((score, order, candidate, entry, how))
    ranked.sort(key=lambda item: (-item[0], item[1]))
    # Once a code matches, entries that merely share a word or two with the text are noise.
    floor = ranked[0][0] - 0.5 if ranked else 0.0
    matches = []
    for score, _, candidate, entry, how in [item for item in ranked if item[0] >= floor][:limit]:
        # What the text says (the IP the venue saw) is told once, with the best match: saying "Bybit saw the
        # request come from …" under a runner-up would put words in another venue's mouth.
        notes = tuple(describe_values(values, candidate.name)) if score == ranked[0][0] else ()
        url = entry_url(candidate, entry, site_url)
        matches.append(
            ErrorMatch(
                venue=candidate.id,
                id=entry.id,
                code=entry.code,
                kind=entry.kind,
                score=score,
                matched=how,
                values=values,
                venue_name=candidate.name,
                message=plain_text(entry.message),
                cause=plain_text(entry.cause),
                fix=plain_text(entry.fix),
                notes=notes,
                reply=support_reply(candidate, entry, notes, url),
                url=url,
            )
        )
    return matches


@dataclass(frozen=True)
class SignatureComparison:
    match: bool
    likely_cause: str | None
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {"match": self.match, "likely_cause": self.likely_cause, "message": self.message}


def _decode_b64(text: str) -> bytes | None:
    try:
        return base64.b64decode(text, validate=True) if _B64.match(text) else None
    except (binascii.Error, ValueError):
        return None


def _decode_hex(text: str) -> bytes | None:
    return bytes.fromhex(text) if _HEX.match(text) and len(text) % 2 == 0 else None


def compare_signature(computed: str, theirs: str, compare: str = "exact") -> SignatureComparison:
    """Compare the checker's signature with one the reader's code produced, and guess why they differ."""

    def equal(a: str, b: str) -> bool:
        return a.lower() == b.lower() if compare == "hex-ci" else a == b

    if equal(computed, theirs):
        return SignatureComparison(True, None, "The signatures match.")
    stripped = theirs.strip()
    if stripped and equal(computed, stripped):
        return SignatureComparison(
            True, "whitespace", "The signatures match once surrounding whitespace is removed from yours."
        )
    if computed.lower() == stripped.lower():
        return SignatureComparison(
            False, "hex_case", "Same hex digits in a different letter case; this venue compares them exactly."
        )
    mine_hex, mine_b64 = _decode_hex(computed), _decode_b64(computed)
    theirs_hex, theirs_b64 = _decode_hex(stripped), _decode_b64(stripped)
    if mine_b64 is not None and theirs_hex is not None and theirs_hex == mine_b64:
        return SignatureComparison(
            False, "hex_instead_of_base64", "Yours is the same MAC written in hex; this venue expects base64."
        )
    if mine_hex is not None and theirs_b64 is not None and theirs_b64 == mine_hex:
        return SignatureComparison(
            False, "base64_instead_of_hex", "Yours is the same MAC written in base64; this venue expects hex."
        )
    unquoted = stripped.replace("%2B", "+").replace("%2F", "/").replace("%3D", "=")
    unquoted = unquoted.replace("%2b", "+").replace("%2f", "/").replace("%3d", "=")
    if unquoted != stripped and equal(computed, unquoted):
        return SignatureComparison(False, "url_encoded", "Yours is the same signature, percent-encoded.")
    if stripped.replace("-", "+").replace("_", "/") == computed or stripped + "=" * (-len(stripped) % 4) == computed:
        return SignatureComparison(
            False,
            "base64url",
            "Yours is the same MAC in URL-safe base64 or without padding; use standard base64.",
        )
    if stripped and len(stripped) < len(computed) and equal(computed[: len(stripped)], stripped):
        return SignatureComparison(False, "truncated", "Yours is the start of the right signature: it was cut off.")
    if len(stripped) != len(computed):
        return SignatureComparison(
            False,
            "different_algorithm",
            f"Yours has {len(stripped)} characters, the expected one {len(computed)}: a different hash, encoding "
            "or key decoding is likely.",
        )
    return SignatureComparison(
        False,
        "different_input",
        "Same shape, different value: the signed text or the secret differs. Compare your prehash with ours.",
    )

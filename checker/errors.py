"""Match a pasted exchange error text to a venue's troubleshooting entries, and compare signatures."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from checker.rules import Compare, ErrorEntry, Rules, Venue

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
_HEX = re.compile(r"[0-9a-fA-F]+\Z")
_B64 = re.compile(r"[A-Za-z0-9+/]+={0,2}\Z")


@dataclass(frozen=True)
class ErrorMatch:
    """One troubleshooting entry that fits the pasted text; `values` holds what was read out of the text."""

    venue: str
    id: str
    code: str
    kind: str
    score: float
    matched: str
    values: Mapping[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "venue": self.venue,
            "id": self.id,
            "code": self.code,
            "kind": self.kind,
            "score": self.score,
            "matched": self.matched,
            "values": dict(self.values),
        }


def _tokens(text: str) -> set[str]:
    return {t for t in re.findall(r"[a-z0-9]+", text.lower()) if len(t) > 1 and t not in _STOPWORDS}


def _contains_code(text: str, code: str) -> bool:
    if not code.strip():
        return False
    return (
        re.search(r"(?<![A-Za-z0-9_])" + re.escape(code.strip()) + r"(?![A-Za-z0-9_])", text, re.IGNORECASE) is not None
    )


def extract_values(text: str) -> dict[str, str]:
    """Read facts a fix needs out of an error text: the request IP the venue saw, the error code."""
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
    return values


def _score(entry: ErrorEntry, text: str, words: set[str]) -> tuple[float, str]:
    if _contains_code(text, entry.code):
        return 1.0, "code"
    if any(_contains_code(text, alias) for alias in entry.aliases):
        return 0.95, "alias"
    wanted = _tokens(" ".join([entry.code, entry.message, *entry.aliases]))
    if not wanted or not words:
        return 0.0, "message"
    overlap = len(wanted & words)
    # Overlap relative to the entry's own words, so short specific messages are not drowned by long ones.
    return round(0.8 * overlap / len(wanted), 3), "message"


def match_error(rules: Rules, text: str, venue: str | None = None, limit: int = 5) -> list[ErrorMatch]:
    """Rank troubleshooting entries (of one venue, or of all) against a pasted error text, best first."""
    venues: list[Venue] = [rules.venue(venue)] if venue is not None else list(rules.venues.values())
    words = _tokens(text)
    values = extract_values(text)
    ranked: list[tuple[float, int, ErrorMatch]] = []
    order = 0
    for candidate in venues:
        for entry in candidate.errors:
            score, how = _score(entry, text, words)
            order += 1
            if score >= 0.2:
                ranked.append(
                    (
                        score,
                        order,
                        ErrorMatch(candidate.id, entry.id, entry.code, entry.kind, score, how, values),
                    )
                )
    ranked.sort(key=lambda item: (-item[0], item[1]))
    return [item[2] for item in ranked[:limit]]


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


def compare_signature(computed: str, theirs: str, compare: Compare = "exact") -> SignatureComparison:
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

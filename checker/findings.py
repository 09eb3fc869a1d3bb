"""Finding values returned by the diagnosis, and the one way a code point is described to a reader."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any, Literal, TypeAlias

Severity: TypeAlias = Literal["error", "warning", "info"]

# Control characters have no Unicode name; readers still need a word for them.
_CONTROL_NAMES = {
    0x00: "NULL",
    0x07: "BELL",
    0x08: "BACKSPACE",
    0x09: "CHARACTER TABULATION",
    0x0A: "LINE FEED",
    0x0B: "LINE TABULATION",
    0x0C: "FORM FEED",
    0x0D: "CARRIAGE RETURN",
    0x1B: "ESCAPE",
    0x7F: "DELETE",
    0x85: "NEXT LINE",
}


@dataclass(frozen=True)
class Finding:
    """One problem (or note) about one input field (a credential, or the key audit's pasted answer).

    The message names a position and a code point, never the value or any run of it. `anchor` is on the guide of
    the venue being checked, unless `guide` names another venue's guide (site-relative, "venues/binance/").
    """

    code: str
    severity: Severity
    field: str
    position: int | None
    message: str
    hint: str
    anchor: str | None
    guide: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity,
            "field": self.field,
            "position": self.position,
            "message": self.message,
            "hint": self.hint,
            "anchor": self.anchor,
        }


@dataclass(frozen=True)
class Violation:
    """One way a value breaks its format (or its key structure). Positions count from the start of the value as
    checked."""

    problem: str
    severity: Severity
    position: int | None
    message: str
    hint: str


@dataclass(frozen=True)
class Diagnosis:
    """All findings for a set of credentials; ok only when none is an error."""

    findings: tuple[Finding, ...]

    @property
    def ok(self) -> bool:
        return not any(f.severity == "error" for f in self.findings)

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "findings": [f.to_dict() for f in self.findings]}


def describe_char(char: str) -> str:
    """`U+200B ZERO WIDTH SPACE`: the code point and its name, safe to show (one character is no run)."""
    point = ord(char)
    if 0xD800 <= point <= 0xDFFF:
        return f"U+{point:04X} (a lone surrogate, half of a broken character)"
    name = unicodedata.name(char, "") or _CONTROL_NAMES.get(point, "")
    if not name:
        category = unicodedata.category(char)
        name = "(control character)" if category == "Cc" else f"(unnamed, category {category})"
    return f"U+{point:04X} {name}"

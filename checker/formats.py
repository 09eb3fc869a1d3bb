"""Key-format rules, stated once: every violation of a format, and the one description of it.

`format_violations` is the single statement of the rules. `matches_format` is "no violations"; the
diagnosis turns each violation into a finding; the guides show `describe_format` as their key-format text.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator

from checker.findings import Severity, Violation, describe_char
from checker.keys import key_violations
from checker.rules import Format
from checker.vocab import ALPHABETS, CASES, KEY_KINDS

# The characters of each alphabet. Keys follow checker.vocab.ALPHABETS (an import-time check says so).
_CHARACTERS = {
    "base64": frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="),
    "base64url": frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_="),
    "hex": frozenset("0123456789abcdefABCDEF"),
    "alphanumeric": frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"),
    "uuid": frozenset("0123456789abcdefABCDEF-"),
    "printable": frozenset(chr(c) for c in range(0x20, 0x7F)),
    # A PEM block's lines; checker.keys reads it (format_violations hands a key format over whole).
    "pem": frozenset([*(chr(c) for c in range(0x20, 0x7F)), "\n", "\r", "\t"]),
}
if set(_CHARACTERS) != set(ALPHABETS):  # pragma: no cover - a programming error, caught at import
    raise RuntimeError("checker.formats: every alphabet of checker.vocab needs its characters here")
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\Z")
# A format checked against the venue's examples, not its documentation, only warns about counts and case.
_MIXED_CASE_MIN_LETTERS = 8


def describe_format(fmt: Format, *, with_origin: bool = True) -> str:
    """Plain words for a format, e.g. `56 standard base64 characters (… ) (42 bytes once decoded)`."""
    words = ALPHABETS[fmt.alphabet]
    length = fmt.length
    low, high = (None, None) if length is None else (length.min, length.max)
    if low is not None and low == high:
        text = f"{low} {words}"
    elif low is not None and high is not None:
        text = f"{low} to {high} {words}"
    elif low is not None:
        text = f"at least {low} {words}"
    elif high is not None:
        text = f"at most {high} {words}"
    else:
        text = words
    if fmt.prefix:
        text += f", starting with {fmt.prefix!r}"
    if fmt.decoded_bytes is not None:
        text += f" ({fmt.decoded_bytes} bytes once decoded)"
    if fmt.key is not None:
        text += f", holding {KEY_KINDS[fmt.key]}"
        if fmt.key_bits:
            text += f" of {' or '.join(str(bits) for bits in fmt.key_bits)} bits"
    if CASES[fmt.case]:
        text += f", {CASES[fmt.case]}"
    if with_origin and fmt.observed:
        text += " (as seen in the venue's examples; not documented)"
    return text


def article(label: str) -> str:
    """'a' or 'an' before a credential's label, as it is read aloud: "an API Key", "a Secret Key", "a UID"."""
    first = label.split()[0] if label.split() else label
    if first.isupper() and first.isalpha():
        # An acronym is spelled out: A, E, F, H, I, L, M, N, O, R, S and X start with a vowel sound.
        return "an" if first[0] in "AEFHILMNORSX" else "a"
    return "an" if first[:1].lower() in "aeiou" else "a"


def matches_format(value: str, fmt: Format) -> bool:
    """True when `value` breaks no rule of `fmt` (used to recognise a value that belongs elsewhere).

    A note breaks no rule; nor does a warning about a private key that was read (no line breaks, say).
    """
    return bool(value) and all(
        v.severity == "info" or (v.severity == "warning" and fmt.key is not None) for v in format_violations(value, fmt)
    )


def format_violations(value: str, fmt: Format, *, label: str = "value", offset: int = 0) -> Iterator[Violation]:
    """Every rule of `fmt` that `value` breaks, in reading order.

    Args:
        value: The value as checked (already trimmed and unwrapped by the diagnosis).
        fmt: The credential's declared format.
        label: The credential's name as the venue shows it, for messages.
        offset: Where `value` starts in what the reader pasted; positions in messages are shifted by it.
    """
    if fmt.alphabet == "pem":
        # A PEM block has its own grammar (armour, lines, DER inside); the key reader states it.
        yield from key_violations(value, fmt, label=label, offset=offset)
        return
    described = describe_format(fmt, with_origin=False)
    a_label = f"{article(label).capitalize()} {label}"
    soft: Severity = "warning" if fmt.observed else "error"
    if fmt.prefix and not value.startswith(fmt.prefix):
        yield Violation("prefix", "error", offset, f"does not start with {fmt.prefix!r}.", f"{a_label} is {described}.")
    bad = [i for i, c in enumerate(value) if c not in _CHARACTERS[fmt.alphabet]]
    urlsafe = [i for i in bad if value[i] in "-_"] if fmt.alphabet == "base64" else []
    if urlsafe:
        at = offset + urlsafe[0]
        yield Violation(
            "base64url",
            "error",
            at,
            f"position {at} is {describe_char(value[urlsafe[0]])}: URL-safe base64 where standard base64 "
            "(+ and /) is expected.",
            "Something converted the value to URL-safe base64. Copy it again from the venue; do not "
            "replace characters by hand.",
        )
        bad = [i for i in bad if value[i] not in "-_"]
    if bad:
        # A stray character is wrong even where the format was only observed; only counts are uncertain.
        at = offset + bad[0]
        yield Violation(
            "alphabet",
            "error",
            at,
            f"position {at} is {describe_char(value[bad[0]])}, which is not allowed; expected "
            f"{ALPHABETS[fmt.alphabet]}.",
            f"{a_label} is {described}.",
        )
    length_ok = True
    if fmt.length is not None:
        low, high = fmt.length.min, fmt.length.max
        if (low is not None and len(value) < low) or (high is not None and len(value) > high):
            length_ok = False
            expected = str(low) if low == high else f"{low if low is not None else 0} to {high or 'any'}"
            yield Violation(
                "length",
                soft,
                None,
                f"is {len(value)} characters long; expected {expected}.",
                f"{a_label} is {described}. A wrong length usually means a partial copy or a different key.",
            )
    if fmt.alphabet == "uuid" and not bad and length_ok and not _UUID.match(value):
        yield Violation(
            "uuid_shape",
            soft,
            None,
            "is not shaped like a UUID (8-4-4-4-12 hex digits separated by dashes).",
            f"{a_label} is {described}.",
        )
    if fmt.alphabet in ("base64", "base64url") and not bad and not urlsafe:
        decoding = list(_base64_violations(value, fmt, label, offset))
        yield from decoding
        if fmt.key is not None and length_ok and not decoding:
            yield from key_violations(value, fmt, label=label, offset=offset)
    yield from _case_violations(value, fmt, offset)


def _base64_violations(value: str, fmt: Format, label: str, offset: int) -> Iterator[Violation]:
    stripped = value.rstrip("=")
    if "=" in stripped:
        at = offset + stripped.index("=")
        yield Violation(
            "base64_padding",
            "error",
            at,
            f"position {at} is '=' inside the value; padding may only appear at the end.",
            "Two values may have been pasted together, or the copy is damaged.",
        )
        return
    if len(value) % 4:
        if len(stripped) % 4 == 1:
            message = (
                f"is {len(value)} characters long, which no base64 value can be (a character is missing or extra)."
            )
        else:
            message = f"is missing its base64 padding: {(4 - len(value) % 4) % 4} '=' at the end."
        yield Violation(
            "base64_padding",
            "error",
            offset + len(value),
            message,
            "The trailing '=' characters are part of the value. Copy it again including them.",
        )
        return
    try:
        decoded = base64.b64decode(value.replace("-", "+").replace("_", "/"), validate=True)
    except (binascii.Error, ValueError):
        yield Violation(
            "base64_invalid", "error", None, "cannot be decoded as base64.", "Copy the value again from the venue."
        )
        return
    if fmt.decoded_bytes is not None and len(decoded) != fmt.decoded_bytes:
        yield Violation(
            "decoded_length",
            "error",
            None,
            f"decodes to {len(decoded)} bytes; expected {fmt.decoded_bytes} bytes.",
            f"{article(label).capitalize()} {label} is {describe_format(fmt, with_origin=False)}.",
        )


def _case_violations(value: str, fmt: Format, offset: int) -> Iterator[Violation]:
    letters = [(i, c) for i, c in enumerate(value) if c.isascii() and c.isalpha()]
    wrong = None
    if fmt.case == "lower":
        wrong = next((i for i, c in letters if c.isupper()), None)
    elif fmt.case == "upper":
        wrong = next((i for i, c in letters if c.islower()), None)
    if wrong is not None:
        at = offset + wrong
        yield Violation(
            "case",
            "warning" if fmt.observed else "error",
            at,
            f"position {at} is {describe_char(value[wrong])}; expected {CASES[fmt.case]} letters only.",
            "Letter case matters: the value is used exactly as typed. Check Caps Lock and auto-capitalisation.",
        )
    elif (
        fmt.case == "mixed" and len(letters) >= _MIXED_CASE_MIN_LETTERS and len({c.isupper() for _, c in letters}) == 1
    ):
        which = "upper" if letters[0][1].isupper() else "lower"
        yield Violation(
            "case",
            "warning",
            None,
            f"every letter is {which}case, but this value normally mixes both.",
            "Letter case matters. Caps Lock, auto-capitalisation or a tool that changed case would break it.",
        )

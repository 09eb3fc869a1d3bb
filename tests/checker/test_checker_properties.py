"""Properties of the diagnosis over generated input (profile "ci" runs 2000 examples when CI is set)."""

from __future__ import annotations

import base64
import importlib.util
import unicodedata
import uuid
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from checker import Credential, Format, Rules, diagnose_credentials

# Any code point, lone surrogates included (they arrive from JavaScript strings).
ANY_CHAR = st.characters(codec=None, exclude_categories=())
ANY_TEXT = st.text(ANY_CHAR, max_size=200)
TRICKY = st.sampled_from(
    [
        "\u200b",
        "\ufeff",
        "\u00a0",
        "\u2028",
        "\u0430",
        "\uff21",
        "\x00",
        "\ud800",
        "\u2026",
        "...",
        "\u2022",
        "***",
        '"',
        "\u201c",
        "`",
        "b'",
        "=",
        ":",
        ",",
        " ",
        "\n",
        "\\n",
        "-----BEGIN PRIVATE KEY-----",
        "{",
        "}",
        "export X=",
    ]
)

_ALPHABETS = {
    "alphanumeric": "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
    "hex": "0123456789abcdef",
    "printable": "".join(chr(c) for c in range(0x21, 0x7F)),
}


def valid_value(fmt: Format) -> st.SearchStrategy[str]:
    """Values that satisfy `fmt` (placeholder-looking ones are possible and fine for these properties)."""
    if fmt.key is not None:
        # A private key is valid only as a whole: the test key of its kind (tests/checker/keys/).
        return st.just(CONFTEST.valid_value(fmt, "property"))
    low = fmt.length.min if fmt.length and fmt.length.min is not None else 8
    high = fmt.length.max if fmt.length and fmt.length.max is not None else max(low, 40)
    if fmt.alphabet in ("base64", "base64url"):
        size = fmt.decoded_bytes or (low * 3 // 4)
        encode = base64.b64encode if fmt.alphabet == "base64" else base64.urlsafe_b64encode
        return st.binary(min_size=size, max_size=size).map(lambda b: encode(b).decode())
    if fmt.alphabet == "uuid":
        return st.uuids().map(str) if fmt.case != "upper" else st.uuids().map(lambda u: str(u).upper())
    alphabet = _ALPHABETS[fmt.alphabet]
    if fmt.case == "upper":
        alphabet = alphabet.upper()
    return st.text(st.sampled_from(sorted(set(alphabet))), min_size=low, max_size=high)


def _venue_credentials(rules: Rules) -> st.SearchStrategy[tuple[str, dict[str, str]]]:
    def for_venue(venue_id: str) -> st.SearchStrategy[tuple[str, dict[str, str]]]:
        creds = rules.venue(venue_id).credentials
        return st.fixed_dictionaries({c.id: valid_value(c.format) for c in creds}).map(lambda d: (venue_id, d))

    return st.sampled_from(sorted(rules.venues)).flatmap(for_venue)


def _conftest() -> Any:
    # @given strategies need the rules at import time, before fixtures exist. Load this directory's
    # conftest by path: the bare name "conftest" may be another directory's.
    spec = importlib.util.spec_from_file_location("checker_tests_conftest", Path(__file__).with_name("conftest.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


CONFTEST = _conftest()
RULES: Rules = CONFTEST.RULES


@given(venue=st.sampled_from(sorted(RULES.venues)), data=st.data())
def test_diagnose_never_raises(venue: str, data: st.DataObject) -> None:
    fields = [c.id for c in RULES.venue(venue).credentials] + ["extra"]
    text = st.one_of(ANY_TEXT, st.lists(st.one_of(TRICKY, ANY_TEXT), max_size=6).map("".join))
    creds = data.draw(st.fixed_dictionaries({}, optional={f: text for f in fields}))
    result = diagnose_credentials(RULES, venue, creds).to_dict()
    assert result["ok"] == all(f["severity"] != "error" for f in result["findings"])
    for finding in result["findings"]:
        assert finding["code"].startswith(finding["field"] + ".")
        assert finding["severity"] in ("error", "warning", "info")


def _runs(secret: str, size: int = 6) -> set[str]:
    return {secret[i : i + size] for i in range(len(secret) - size + 1)}


# Words the checker writes on its own: its source (every message template), the rules' names and labels, and
# Unicode character names. A run of the value that also occurs here can appear in a message by coincidence
# (Hypothesis does find secrets like "00edenti" against "credential"); any other run in a message is an echo.
_CHECKER = Path(__file__).resolve().parents[2] / "checker"
_CORPUS = "\n".join(p.read_text(encoding="utf-8") for p in sorted(_CHECKER.glob("*.py")))
_CORPUS += "\n".join(f"{v.name} {c.label} {c.id} {v.id}" for v in RULES.venues.values() for c in v.credentials)


def _leaks(rules: Rules, venue: str, creds: dict[str, str]) -> list[str]:
    names = " ".join(unicodedata.name(ch, "") for v in creds.values() for ch in set(v))
    runs = {r for v in creds.values() for r in _runs(v) if r not in _CORPUS and r not in names}
    leaks = []
    for finding in diagnose_credentials(rules, venue, creds).findings:
        for text in (finding.code, finding.message, finding.hint, finding.anchor or ""):
            leaks.extend(run for run in runs if run in text)
    return leaks


@given(
    pair=_venue_credentials(RULES),
    extra=st.lists(st.tuples(st.integers(0, 200), st.one_of(TRICKY, ANY_TEXT))),
    field_index=st.integers(0, 5),
)
def test_no_finding_repeats_the_value(
    pair: tuple[str, dict[str, str]], extra: list[tuple[int, str]], field_index: int
) -> None:
    venue, creds = pair
    field = sorted(creds)[field_index % len(creds)]
    value = creds[field]
    for position, text in extra:
        position %= len(value) + 1
        value = value[:position] + text + value[position:]
    creds = {**creds, field: value}
    assert _leaks(RULES, venue, creds) == []


@given(
    pair=_venue_credentials(RULES),
    before=st.text(" \t\r\n", max_size=4),
    after=st.text(" \t\r\n", max_size=4),
    field_index=st.integers(0, 5),
)
def test_outer_whitespace_only_adds_a_trim_note(
    pair: tuple[str, dict[str, str]], before: str, after: str, field_index: int
) -> None:
    venue, creds = pair
    field = sorted(creds)[field_index % len(creds)]
    plain = diagnose_credentials(RULES, venue, creds)
    padded = diagnose_credentials(RULES, venue, {**creds, field: before + creds[field] + after})
    trim = f"{field}.trimmed"
    assert padded.ok == plain.ok
    assert {(f.code, f.severity) for f in padded.findings if f.code != trim} == {
        (f.code, f.severity) for f in plain.findings
    }
    assert any(f.code == trim for f in padded.findings) == bool(before or after)


def test_credentials_strategy_is_valid() -> None:
    # Guard the generator itself: the formats of the fixture venues all have a strategy.
    for venue in RULES.venues.values():
        for credential in venue.credentials:
            assert isinstance(credential, Credential)
            valid_value(credential.format)
    assert str(uuid.UUID(int=0))

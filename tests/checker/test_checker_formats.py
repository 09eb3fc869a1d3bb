"""One statement of the key-format rules: recognising a value and diagnosing it never disagree."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from checker import Format, Length, Rules, describe_format, diagnose_credentials, format_violations, matches_format

# Characters that exercise every rule: each alphabet, padding, dashes, a space, case.
_CHARS = st.sampled_from(list("AZaz09+/=-_ fF") + ["g", "G", "."])


def _format_findings(rules: Rules, venue: str, field: str, value: str) -> list[str]:
    credentials = {c.id: "" for c in rules.venue(venue).credentials}
    findings = diagnose_credentials(rules, venue, {**credentials, field: value}).findings
    return [f.code for f in findings if f.field == field and f.severity in ("error", "warning")]


@pytest.mark.parametrize(
    ("venue", "field"),
    [("kraken-spot", "api_key"), ("binance", "api_secret"), ("kucoin", "api_secret"), ("okx", "api_secret")],
)
@given(data=st.data())
def test_a_matching_value_has_no_format_finding_and_a_failing_one_has_one(
    rules: Rules, valid: dict[str, dict[str, str]], venue: str, field: str, data: st.DataObject
) -> None:
    credential = rules.venue(venue).credential(field)
    assert credential is not None
    base = valid[venue][field]
    # A valid value with a few characters replaced: sometimes still valid, mostly not.
    for _ in range(data.draw(st.integers(min_value=0, max_value=3))):
        index = data.draw(st.integers(min_value=0, max_value=len(base) - 1))
        base = base[:index] + data.draw(_CHARS) + base[index + 1 :]
    findings = _format_findings(rules, venue, field, base)
    if matches_format(base, credential.format):
        assert findings == [], (base, findings)
    else:
        assert findings, base


def test_matching_is_no_violations() -> None:
    fmt = Format(alphabet="uuid", length=Length(36, 36), case="lower")
    assert matches_format("0b7e4f1a-9c2d-4e3f-8a1b-6c5d4e3f2a1b", fmt)
    upper = "0B7E4F1A-9C2D-4E3F-8A1B-6C5D4E3F2A1B"
    assert [v.problem for v in format_violations(upper, fmt)] == ["case"] and not matches_format(upper, fmt)
    no_dashes = "0b7e4f1a9c2d4e3f8a1b6c5d4e3f2a1b0000"
    assert [v.problem for v in format_violations(no_dashes, fmt)] == ["uuid_shape"]
    # A printable value may hold spaces (a passphrase the reader chose): both the match and the rules agree.
    assert matches_format("blue horse 123", Format(alphabet="printable"))


def test_violations_name_positions_in_the_pasted_value() -> None:
    fmt = Format(alphabet="hex", length=Length(8, 8))
    (violation,) = format_violations("12x45678", fmt, label="API Key", offset=3)
    assert (violation.problem, violation.position) == ("alphabet", 5)
    assert violation.message.startswith("position 5 is U+0078 LATIN SMALL LETTER X")
    assert violation.hint == f"An API Key is {describe_format(fmt)}."

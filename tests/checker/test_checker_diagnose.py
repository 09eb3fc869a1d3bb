"""One test per bad-input class: the specific finding code, field and position."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from conftest import key_file

from checker import MAX_LENGTH, Finding, Rules, diagnose_credentials, load_rules
from checker.formats import article

Creds = dict[str, str]


def _find(findings: tuple[Finding, ...], code: str) -> Finding:
    matches = [f for f in findings if f.code == code]
    assert matches, f"{code} not in {[f.code for f in findings]}"
    return matches[0]


def _insert(value: str, index: int, text: str) -> str:
    return value[:index] + text + value[index:]


def _replace(value: str, index: int, char: str) -> str:
    return value[:index] + char + value[index + 1 :]


# (case id, venue, field, change to the valid value, expected code, expected position, expected severity)
CASES: list[tuple[str, str, str, Callable[[str], str], str, int | None, str]] = [
    ("trailing newline", "kraken-spot", "api_secret", lambda v: v + "\n", "api_secret.trimmed", None, "info"),
    (
        "interior space",
        "kraken-spot",
        "api_secret",
        lambda v: _insert(v, 40, " "),
        "api_secret.interior_whitespace",
        40,
        "error",
    ),
    (
        "interior newline",
        "binance",
        "api_key",
        lambda v: _insert(v, 32, "\r\n"),
        "api_key.interior_whitespace",
        32,
        "error",
    ),
    (
        "zero width space",
        "kraken-spot",
        "api_secret",
        lambda v: _insert(v, 57, "\u200b"),
        "api_secret.zero_width",
        57,
        "error",
    ),
    (
        "zero width joiner",
        "binance",
        "api_secret",
        lambda v: _insert(v, 3, "\u200d"),
        "api_secret.zero_width",
        3,
        "error",
    ),
    ("word joiner", "binance", "api_secret", lambda v: _insert(v, 9, "\u2060"), "api_secret.zero_width", 9, "error"),
    ("bom", "kraken-spot", "api_key", lambda v: "\ufeff" + v, "api_key.bom", 0, "error"),
    ("nbsp", "kraken-spot", "api_key", lambda v: _insert(v, 3, "\u00a0"), "api_key.unicode_space", 3, "error"),
    ("line separator", "binance", "api_key", lambda v: _insert(v, 7, "\u2028"), "api_key.unicode_space", 7, "error"),
    ("cyrillic a", "binance", "api_key", lambda v: _replace(v, 5, "\u0430"), "api_key.homoglyph", 5, "error"),
    (
        "greek omicron",
        "binance",
        "api_secret",
        lambda v: _replace(v, 11, "\u039f"),
        "api_secret.homoglyph",
        11,
        "error",
    ),
    ("fullwidth A", "binance", "api_key", lambda v: _replace(v, 5, "\uff21"), "api_key.fullwidth", 5, "error"),
    ("bell", "binance", "api_key", lambda v: _replace(v, 5, "\x07"), "api_key.control", 5, "error"),
    ("lone surrogate", "binance", "api_secret", lambda v: _replace(v, 8, "\ud800"), "api_secret.control", 8, "error"),
    ("straight quotes", "binance", "api_key", lambda v: f'"{v}"', "api_key.quoted", 0, "error"),
    ("smart quotes", "binance", "api_secret", lambda v: f"\u201c{v}\u201d", "api_secret.quoted", 0, "error"),
    ("backticks", "binance", "api_secret", lambda v: f"`{v}`", "api_secret.quoted", 0, "error"),
    ("closing quote only", "binance", "api_secret", lambda v: v + "'", "api_secret.quoted", 64, "error"),
    ("bytes literal", "binance", "api_secret", lambda v: f"b'{v}'", "api_secret.bytes_literal", 0, "error"),
    ("env assignment", "binance", "api_key", lambda v: f"BINANCE_API_KEY={v}", "api_key.env_wrapper", 0, "error"),
    ("export", "binance", "api_secret", lambda v: f"export API_SECRET={v}", "api_secret.env_wrapper", 0, "error"),
    ("json entry", "binance", "api_secret", lambda v: f'"secret": "{v}"', "api_secret.json_wrapper", 0, "error"),
    (
        "json object",
        "binance",
        "api_secret",
        lambda v: f'{{"key": "a", "secret": "{v}"}}',
        "api_secret.json_wrapper",
        0,
        "error",
    ),
    (
        "pem",
        "binance",
        "api_secret",
        lambda v: "-----BEGIN PRIVATE KEY-----\nMC4CAQAw\n-----END PRIVATE KEY-----",
        "api_secret.pem",
        0,
        "error",
    ),
    (
        "cdp json",
        "kraken-spot",
        "api_secret",
        lambda v: '{"name": "organizations/1/apiKeys/2", "privateKey": "-----BEGIN EC PRIVATE KEY-----\\nMHc\\n"}',
        "api_secret.cdp_json",
        0,
        "error",
    ),
    (
        "url-safe base64",
        "kraken-spot",
        "api_secret",
        lambda v: _replace(v, 10, "-"),
        "api_secret.base64url",
        10,
        "error",
    ),
    ("url-safe underscore", "kraken-spot", "api_key", lambda v: _replace(v, 12, "_"), "api_key.base64url", 12, "error"),
    ("missing padding", "kraken-spot", "api_secret", lambda v: v.rstrip("="), "api_secret.base64_padding", 86, "error"),
    ("decoded length", "kraken-spot", "api_secret", lambda v: v[:84], "api_secret.decoded_length", None, "error"),
    # Binance's lengths are observed, not documented: a different length only warns.
    ("wrong length", "binance", "api_key", lambda v: v[:60], "api_key.length", None, "warning"),
    ("alphabet", "binance", "api_key", lambda v: _replace(v, 10, "$"), "api_key.alphabet", 10, "error"),
    ("hex alphabet", "kucoin", "api_key", lambda v: _replace(v, 4, "g"), "api_key.alphabet", 4, "error"),
    ("all upper", "binance", "api_key", lambda v: v.upper(), "api_key.case", None, "warning"),
    ("lowercase hex", "okx", "api_secret", lambda v: "a" + v[1:], "api_secret.case", 0, "warning"),
    ("masked stars", "binance", "api_key", lambda v: "****" + v[-4:], "api_key.masked", 0, "error"),
    ("masked bullets", "binance", "api_secret", lambda v: v[:4] + "\u2022" * 8, "api_secret.masked", 4, "error"),
    ("ellipsis", "binance", "api_key", lambda v: v[:20] + "\u2026", "api_key.truncated", 20, "error"),
    ("three dots", "binance", "api_secret", lambda v: v[:20] + "...", "api_secret.truncated", 20, "error"),
    (
        "placeholder words",
        "binance",
        "api_secret",
        lambda v: "your-secret-here",
        "api_secret.placeholder",
        None,
        "error",
    ),
    ("placeholder xxxx", "binance", "api_key", lambda v: "xxxxxxxxxxxx", "api_key.placeholder", None, "error"),
    ("placeholder brackets", "binance", "api_secret", lambda v: "<SECRET>", "api_secret.placeholder", None, "error"),
    ("placeholder caps", "binance", "api_key", lambda v: "YOUR_API_KEY", "api_key.placeholder", None, "error"),
    ("combined colon", "binance", "api_key", lambda v: v + ":" + "Q" * 3 + v[3:], "api_key.combined", 64, "error"),
    ("combined space", "bybit", "api_secret", lambda v: "A1b2C3d4E5f6G7h8I9 " + v, "api_secret.combined", 18, "error"),
    (
        "combined comma",
        "kucoin",
        "api_key",
        lambda v: v + ",0b7e4f1a-9c2d-4e3f-8a1b-6c5d4e3f2a1b",
        "api_key.combined",
        24,
        "error",
    ),
    ("empty", "kucoin", "passphrase", lambda v: "", "passphrase.empty", None, "error"),
    ("only whitespace", "binance", "api_secret", lambda v: " \n", "api_secret.empty", None, "error"),
    ("too long", "binance", "api_key", lambda v: "A" * (MAX_LENGTH + 1), "api_key.too_long", None, "error"),
    (
        "escaped newline",
        "binance",
        "api_secret",
        lambda v: v[:30] + "\\n" + v[30:],
        "api_secret.escape_sequence",
        30,
        "error",
    ),
    (
        "uuid shape",
        "kucoin",
        "api_secret",
        lambda v: v.replace("-", "")[:32] + "abcd",
        "api_secret.uuid_shape",
        None,
        "warning",
    ),
]


@pytest.mark.parametrize(
    ("venue", "field", "change", "code", "position", "severity"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_bad_input_is_named(
    rules: Rules,
    valid: dict[str, Creds],
    venue: str,
    field: str,
    change: Callable[[str], str],
    code: str,
    position: int | None,
    severity: str,
) -> None:
    creds = dict(valid[venue])
    creds[field] = change(creds[field])
    diagnosis = diagnose_credentials(rules, venue, creds)
    finding = _find(diagnosis.findings, code)
    assert (finding.field, finding.position, finding.severity) == (field, position, severity)
    assert diagnosis.ok is (severity != "error" and not any(f.severity == "error" for f in diagnosis.findings))


def test_valid_credentials_pass(rules: Rules, valid: dict[str, Creds]) -> None:
    for venue, creds in valid.items():
        diagnosis = diagnose_credentials(rules, venue, creds)
        assert diagnosis.ok, (venue, diagnosis.findings)
        assert all(f.severity == "info" for f in diagnosis.findings)


def test_trim_is_reported_in_words(rules: Rules, valid: dict[str, Creds]) -> None:
    creds = {**valid["kraken-spot"], "api_secret": valid["kraken-spot"]["api_secret"] + "\n"}
    finding = _find(diagnose_credentials(rules, "kraken-spot", creds).findings, "api_secret.trimmed")
    assert "removed 1 trailing newline" in finding.message
    creds["api_secret"] = "  \t" + valid["kraken-spot"]["api_secret"] + "\r\n"
    message = _find(diagnose_credentials(rules, "kraken-spot", creds).findings, "api_secret.trimmed").message
    assert "2 leading spaces" in message and "1 leading tab" in message and "1 trailing newline" in message


def test_position_counts_from_the_value_as_pasted(rules: Rules, valid: dict[str, Creds]) -> None:
    secret = valid["kraken-spot"]["api_secret"]
    creds = {**valid["kraken-spot"], "api_secret": "  " + _insert(secret, 57, "\u200b")}
    finding = _find(diagnose_credentials(rules, "kraken-spot", creds).findings, "api_secret.zero_width")
    assert finding.position == 59
    assert finding.message == "Private Key: position 59 is U+200B ZERO WIDTH SPACE: an invisible zero-width character."


def test_wrapped_value_is_checked_inside(rules: Rules, valid: dict[str, Creds]) -> None:
    inner = _replace(valid["binance"]["api_key"], 3, "\u0430")
    findings = diagnose_credentials(rules, "binance", {**valid["binance"], "api_key": f'export KEY="{inner}"'}).findings
    codes = [f.code for f in findings]
    assert "api_key.env_wrapper" in codes and "api_key.quoted" in codes
    assert _find(findings, "api_key.homoglyph").position == len('export KEY="') + 3


def test_docs_sample_is_rejected(rules: Rules, valid: dict[str, Creds]) -> None:
    sample = rules.venue("binance").credential("api_key").samples[0]  # type: ignore[union-attr]
    finding = _find(
        diagnose_credentials(rules, "binance", {**valid["binance"], "api_key": sample}).findings, "api_key.sample"
    )
    assert finding.severity == "error"
    # A sample from another venue's docs is recognised as well.
    kraken = rules.venue("kraken-spot").credential("api_secret").samples[0]  # type: ignore[union-attr]
    findings = diagnose_credentials(rules, "kraken-futures", {"api_key": "", "api_secret": kraken}).findings
    assert "Kraken Spot" in _find(findings, "api_secret.sample").message


def test_swap_is_detected_when_formats_differ(rules: Rules, valid: dict[str, Creds]) -> None:
    creds = valid["kraken-spot"]
    swapped = {"api_key": creds["api_secret"], "api_secret": creds["api_key"]}
    findings = diagnose_credentials(rules, "kraken-spot", swapped).findings
    # One root cause, one finding: the length and decoding problems of both fields are its consequences.
    assert [f.code for f in findings] == ["api_key.swapped"]
    assert findings[0].anchor == "eapi-invalid-key" and "in each other's fields" in findings[0].message
    # Only the secret in the key field: that field's swap, and the secret field's own problem stays.
    one_way = {"api_key": creds["api_secret"], "api_secret": creds["api_secret"][:-8]}
    codes = [f.code for f in diagnose_credentials(rules, "kraken-spot", one_way).findings]
    assert "api_key.swapped" in codes and not any(c.startswith("api_key.") and c != "api_key.swapped" for c in codes)


def test_a_length_from_examples_is_said_once(rules: Rules, valid: dict[str, Creds]) -> None:
    creds = {"api_key": valid["binance"]["api_key"][:60], "api_secret": valid["binance"]["api_secret"][:60]}
    findings = diagnose_credentials(rules, "binance", creds).findings
    assert [f.code for f in findings if f.code.endswith(".length")] == ["api_key.length", "api_secret.length"]
    assert [f.code for f in findings if f.code.endswith("observed_format")] == ["api_key.observed_format"]
    assert not any("examples" in f.message or "examples" in f.hint for f in findings if f.severity == "warning")


@pytest.mark.parametrize(
    ("label", "expected"),
    [("API Key", "an API Key"), ("Secret Key", "a Secret Key"), ("UID", "a UID"), ("OKX key", "an OKX key")],
)
def test_labels_take_the_right_article(label: str, expected: str) -> None:
    assert f"{article(label)} {label}" == expected


def test_swap_cannot_be_detected_when_formats_match(rules: Rules, valid: dict[str, Creds]) -> None:
    creds = valid["binance"]
    swapped = {"api_key": creds["api_secret"], "api_secret": creds["api_key"]}
    diagnosis = diagnose_credentials(rules, "binance", swapped)
    finding = _find(diagnosis.findings, "api_secret.swap_undetectable")
    assert diagnosis.ok and finding.severity == "info" and "cannot be detected" in finding.message


def test_key_equal_to_secret(rules: Rules, valid: dict[str, Creds]) -> None:
    key = valid["binance"]["api_key"]
    finding = _find(
        diagnose_credentials(rules, "binance", {"api_key": key, "api_secret": key}).findings, "api_secret.same_as_key"
    )
    assert finding.severity == "error" and finding.field == "api_secret"


def test_key_of_another_venue(rules: Rules, valid: dict[str, Creds]) -> None:
    creds = {**valid["kraken-spot"], "api_key": valid["binance"]["api_key"]}
    finding = _find(diagnose_credentials(rules, "kraken-spot", creds).findings, "api_key.other_venue")
    assert "Binance" in finding.message and finding.anchor == "eapi-invalid-key"
    creds = {**valid["binance"], "api_secret": valid["kucoin"]["api_secret"]}
    finding = _find(diagnose_credentials(rules, "binance", creds).findings, "api_secret.other_venue")
    assert "KuCoin" in finding.message and finding.anchor == "code-2015-rejected-mbx-key"


def test_anchors_follow_the_field_kind(rules: Rules, valid: dict[str, Creds]) -> None:
    creds = {"api_key": "", "api_secret": "", "passphrase": ""}
    findings = diagnose_credentials(rules, "kucoin", creds).findings
    anchors = {f.field: f.anchor for f in findings}
    # The link follows the credential's declared role: key, secret (signature), passphrase.
    assert anchors == {
        "api_key": "code-400003-key-not-exists",
        "api_secret": "code-400005-signature-error",
        "passphrase": "code-400004-passphrase-error",
    }
    findings = diagnose_credentials(rules, "fixture-gate-v4", {"api_key": ""}).findings
    assert findings[0].anchor is None


def test_passphrase_space_is_only_a_warning(rules: Rules, valid: dict[str, Creds]) -> None:
    creds = {**valid["kucoin"], "passphrase": "blue horse 123"}
    diagnosis = diagnose_credentials(rules, "kucoin", creds)
    assert _find(diagnosis.findings, "passphrase.interior_whitespace").severity == "warning"


def test_placeholder_passphrase_is_only_a_warning(rules: Rules, valid: dict[str, Creds]) -> None:
    diagnosis = diagnose_credentials(rules, "kucoin", {**valid["kucoin"], "passphrase": "mypassphrase"})
    assert _find(diagnosis.findings, "passphrase.placeholder").severity == "warning"


def test_unknown_field_is_noted(rules: Rules, valid: dict[str, Creds]) -> None:
    diagnosis = diagnose_credentials(rules, "binance", {**valid["binance"], "otp": "123456"})
    assert _find(diagnosis.findings, "otp.unknown_field").severity == "info"


def test_observed_format_mismatch_is_a_warning(rules: Rules, valid: dict[str, Creds]) -> None:
    creds = {**valid["bybit"], "api_key": valid["bybit"]["api_key"] + "Z9" * 4}
    diagnosis = diagnose_credentials(rules, "bybit", creds)
    assert _find(diagnosis.findings, "api_key.length").severity == "warning"
    assert diagnosis.ok


def test_documented_format_mismatch_is_an_error(rules_data: dict[str, Any], valid: dict[str, Creds]) -> None:
    for credential in rules_data["venues"]["bybit"]["credentials"]:
        credential["format"]["observed"] = False
    creds = {**valid["bybit"], "api_key": valid["bybit"]["api_key"] + "Z9" * 4}
    diagnosis = diagnose_credentials(load_rules(rules_data), "bybit", creds)
    assert _find(diagnosis.findings, "api_key.length").severity == "error"
    assert not diagnosis.ok


def test_result_shape(rules: Rules) -> None:
    result = diagnose_credentials(rules, "binance", {"api_key": "", "api_secret": ""}).to_dict()
    assert result["ok"] is False
    assert set(result["findings"][0]) == {"code", "severity", "field", "position", "message", "hint", "anchor"}


def test_a_signing_examples_key_is_a_sample_without_being_listed(real_rules: Rules) -> None:
    # Binance's Ed25519 example signs with RFC 8032's published test key, printed on the guide; the YAML lists it
    # once (in the example), and the checker still flags it when pasted, under that key type.
    example = real_rules.venue("binance", "ed25519").signing
    assert example is not None and example.example is not None
    printed = example.example.credentials["private_key"]
    assert (
        printed
        not in next(c for c in real_rules.venue("binance", "ed25519").credentials if c.id == "private_key").samples
    )
    own = {"api_key": "A" * 30 + "b" * 34, "private_key": printed}
    findings = diagnose_credentials(real_rules, "binance", own, "ed25519").findings
    assert "private_key.sample" in [f.code for f in findings]
    # Control: another Ed25519 key is not.
    other = {**own, "private_key": key_file("ed25519.pem")}
    assert "private_key.sample" not in [
        f.code for f in diagnose_credentials(real_rules, "binance", other, "ed25519").findings
    ]

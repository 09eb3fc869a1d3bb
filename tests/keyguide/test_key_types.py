"""Key types: a venue that issues several kinds of key (venue.key_types), from the YAML to venues.json and the guide.

Problems are asserted as the exact lines writers see, with line numbers found in the test's own text; the
examples are checked against OpenSSL, not only against the checker that the build runs.
"""

from __future__ import annotations

import base64
import datetime
import re
import subprocess
from pathlib import Path

import pytest

from checker import load_rules, run_selftest
from checker.schemes import SCHEMES
from keyguide.dataset import rules_slice
from keyguide.loader import LoadedVenue, load_venue_text
from keyguide.model import Venue
from keyguide.registry import Anchor, load_registry
from keyguide.render import PageRenderer
from keyguide.site import SiteConfig

from sitekit import to_html

ROOT = Path(__file__).resolve().parents[2]
BINANCE = (ROOT / "venues" / "binance.yaml").read_text(encoding="utf-8")
FILE = "venues/binance.yaml"
TODAY = datetime.date(2026, 12, 2)
# RFC 8032 section 7.1, TEST 1: the public half of the computed Binance Ed25519 example's test key.
RFC8032_TEST1_PUBLIC = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
RSA_PUBLIC_PEM = ROOT / "tests" / "checker" / "keys" / "rsa-2048.pub.pem"

# A retired key type, as a venue declares a kind it no longer accepts (Coinbase's legacy keys).
RETIRED = """  - id: legacy
    label: Legacy key
    scheme: coinbase_legacy_hmac
    credentials:
      - id: api_key
        label: API Key
        role: key
        format: {alphabet: alphanumeric, length: {min: 16, max: 16}}
      - id: api_secret
        label: API Secret
        role: secret
        format: {alphabet: alphanumeric, length: {min: 32, max: 32}}
    retired: These keys stopped working. Create a new key instead.
"""


def load(text: str) -> LoadedVenue:
    return load_venue_text(text, FILE, "binance")


def edit(old: str, new: str, text: str = BINANCE, count: int = 1) -> str:
    assert text.count(old) >= count, old
    return text.replace(old, new, count)


def line_of(text: str, marker: str, start: str = "") -> int:
    """The 1-based line of the first `marker` after `start` (both literal text of the file)."""
    offset = text.index(start) if start else 0
    return text[: text.index(marker, offset)].count("\n") + 1


def lines(loaded: LoadedVenue) -> list[str]:
    return [p.format() for p in loaded.problems]


def with_retired(text: str = BINANCE) -> str:
    """The file with RETIRED appended to its key types (they are the last list before key_info)."""
    return edit("\nkey_info:\n", "\n" + RETIRED + "key_info:\n", text)


def ed25519_example() -> str:
    """The Ed25519 key type's example block, as the file writes it."""
    return BINANCE[BINANCE.index("    example:\n", BINANCE.index("  - id: ed25519")) : BINANCE.index("  - id: hmac")]


# The real file ------------------------------------------------------------------------------------------


def test_binance_declares_three_key_types_and_loads() -> None:
    loaded = load(BINANCE)
    assert lines(loaded) == []
    assert loaded.venue is not None
    assert [(k.id, k.scheme) for k in loaded.venue.key_types] == [
        ("ed25519", "binance_ed25519"),
        ("hmac", None),
        ("rsa", "binance_rsa"),
    ]


def test_a_retired_key_type_loads_without_an_example() -> None:
    assert lines(load(with_retired())) == []


# Format fields ------------------------------------------------------------------------------------------


def test_pem_without_key_kind() -> None:
    text = edit("          alphabet: pem\n          key: ed25519\n", "          alphabet: pem\n")
    line = line_of(text, "        format:", start="      - id: private_key")
    assert (
        f"{FILE}:{line}: key_types[0].credentials[1].format.key: a PEM credential names the kind of key it holds — "
        "add 'key:' ('ed25519', 'ec_p256', 'rsa')" in lines(load(text))
    )


def test_key_kind_on_an_alphanumeric_secret() -> None:
    secret = "  - id: api_secret\n    label: Secret Key\n    role: secret\n    format:\n"
    text = edit(secret, secret + "      key: rsa\n")
    line = line_of(text, "      key: rsa\n")
    path = "credentials[1].format.key"
    assert lines(load(text)) == [
        f"{FILE}:{line}: {path}: a private key is written as 'pem' or 'base64', not 'alphanumeric' — change the "
        "alphabet or remove 'key'",
        f"{FILE}:{line}: {path}: scheme 'binance_hmac_sha256' signs with the secret as an HMAC key, not with a "
        "private key — remove 'key', or give this key its own scheme",
    ]


def test_key_bits_only_with_rsa() -> None:
    text = edit("          key: ed25519\n", "          key: ed25519\n          key_bits: [2048]\n")
    line = line_of(text, "          key_bits: [2048]")
    assert lines(load(text)) == [
        f"{FILE}:{line}: key_types[0].credentials[1].format.key_bits: only an RSA key has a size to choose — "
        "remove key_bits, or set 'key: rsa'"
    ]


def test_schema_refuses_unknown_key_kinds_and_sizes() -> None:
    text = edit("          key: ed25519\n", "          key: dsa\n")
    line = line_of(text, "          key: dsa")
    assert lines(load(text)) == [
        f"{FILE}:{line}: key_types[0].credentials[1].format.key: expected one of 'ed25519', 'ec_p256', 'rsa', "
        "got 'dsa' — did you mean 'rsa'?"
    ]
    text = edit("          key_bits: [2048, 4096]\n", "          key_bits: [0, 4096]\n")
    assert [p.line for p in load(text).problems] == [line_of(text, "          key_bits: [0, 4096]")]


# Key types ----------------------------------------------------------------------------------------------


def test_key_type_ids_are_unique() -> None:
    text = edit("  - id: rsa\n", "  - id: ed25519\n")
    line = line_of(text, "  - id: ed25519\n    label: RSA key")
    problems = lines(load(text))
    assert (
        f"{FILE}:{line}: key_types[2].id: duplicate key type id 'ed25519' (also key_types[0]) — ids must be unique"
        in problems
    )


def test_the_venues_own_key_type_carries_no_example() -> None:
    label = "  - id: hmac\n    label: HMAC key (system-generated, deprecated by Binance)\n"
    text = edit(label, label + ed25519_example())
    line = line_of(text, "    example:\n", start="  - id: hmac")
    assert lines(load(text)) == [
        f"{FILE}:{line}: key_types[1].example: this key type is the venue's own credentials and scheme, whose "
        "example is signing.example — remove it, or give the key type its own scheme or credentials"
    ]


def test_the_scheme_must_sign_with_the_kind_of_key_the_secret_holds() -> None:
    text = edit("    scheme: binance_ed25519\n", "    scheme: binance_rsa\n")
    line = line_of(text, "    scheme: binance_rsa\n")
    assert (
        f"{FILE}:{line}: key_types[0].scheme: scheme 'binance_rsa' signs with 'rsa' keys, but the secret "
        "'private_key' holds 'ed25519' — choose the scheme for this kind of key" in lines(load(text))
    )


def test_an_hmac_scheme_refuses_a_private_key_secret() -> None:
    text = edit("    scheme: binance_ed25519\n", "    scheme: binance_hmac_sha256\n")
    line = line_of(text, "          key: ed25519")
    assert (
        f"{FILE}:{line}: key_types[0].credentials[1].format.key: scheme 'binance_hmac_sha256' signs with the "
        "secret as an HMAC key, not with a private key — remove 'key', or give this key its own scheme"
        in lines(load(text))
    )


def test_a_retired_key_type_needs_no_example() -> None:
    text = edit("    retired: These", ed25519_example() + "    retired: These", with_retired())
    line = line_of(text, "    example:\n", start="  - id: legacy")
    assert (
        f"{FILE}:{line}: key_types[3].example: a retired key type is never signed with — remove its example"
        in lines(load(text))
    )


def test_a_key_type_that_signs_its_own_way_needs_an_example() -> None:
    start = BINANCE.index("    example:\n", BINANCE.index("  - id: rsa"))
    text = BINANCE[:start] + BINANCE[BINANCE.index("key_info:\n") :]
    line = line_of(text, "  - id: rsa")
    assert lines(load(text)) == [
        f"{FILE}:{line}: key_types[2]: key type 'rsa' signs with its own scheme or credentials — add its signing "
        "example (the build reproduces it)"
    ]


def test_key_types_include_the_venues_own() -> None:
    text = edit("  - id: hmac\n    label: HMAC key (system-generated, deprecated by Binance)\n", "")
    line = line_of(text, "key_types:")
    assert lines(load(text)) == [
        f"{FILE}:{line}: key_types: no key type is the venue's own credentials and scheme — add an entry without "
        "scheme and credentials (e.g. {id: hmac, label: HMAC key})"
    ]


def test_key_type_anchors_clash_with_other_ids() -> None:
    text = edit("  - id: label-key\n", "  - id: key-type-rsa\n")
    line = line_of(text, "  - id: rsa\n")
    assert any(
        p.startswith(f"{FILE}:{line}: key_types[2].id: duplicate anchor id 'key-type-rsa'") for p in lines(load(text))
    )


# Build self-test ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("key_type", ["ed25519", "rsa"])
def test_build_fails_on_a_damaged_key_type_example(key_type: str) -> None:
    start = BINANCE.index(f"  - id: {key_type}\n")
    signature_line = re.compile(r"^      signature: (\S+)$", re.MULTILINE).search(BINANCE, start)
    assert signature_line is not None
    good = signature_line.group(1)
    damaged = good[:10] + ("A" if good[10] != "A" else "B") + good[11:]
    text = BINANCE[: signature_line.start(1)] + damaged + BINANCE[signature_line.end(1) :]
    index = ["ed25519", "hmac", "rsa"].index(key_type)
    problems = lines(load(text))
    assert len(problems) == 1
    line = signature_line.string[: signature_line.start()].count("\n") + 1
    assert problems[0].startswith(
        f"{FILE}:{line}: key_types[{index}].example.signature: does not reproduce: the checker computes {good!r}"
    )
    assert lines(load(BINANCE)) == []  # the control: the undamaged file passes


def test_build_fails_on_a_damaged_key_type_request() -> None:
    start = BINANCE.index("  - id: ed25519\n")
    text = BINANCE[:start] + BINANCE[start:].replace("price=0.2&", "price=0.3&", 1)
    assert len(load(text).problems) == 1 and "key_types[0].example.signature" in lines(load(text))[0]


# The examples verify outside the checker -------------------------------------------------------------


def _example(venue: Venue, key_type: str) -> tuple[str, str, bytes]:
    kt = next(k for k in venue.key_types if k.id == key_type)
    assert kt.example is not None
    return kt.example.credentials["private_key"], kt.example.request.query, base64.b64decode(kt.example.signature)


def test_the_ed25519_example_verifies_with_the_rfc8032_public_key(tmp_path: Path) -> None:
    venue = load(BINANCE).venue
    assert venue is not None
    private, payload, signature = _example(venue, "ed25519")
    assert len(signature) == 64
    # SubjectPublicKeyInfo for Ed25519: a fixed 12-byte prefix and the 32-byte key.
    spki = bytes.fromhex("302a300506032b6570032100" + RFC8032_TEST1_PUBLIC)
    (tmp_path / "pub.der").write_bytes(spki)
    (tmp_path / "msg").write_bytes(payload.encode())
    (tmp_path / "sig").write_bytes(signature)
    verify = ["openssl", "pkeyutl", "-verify", "-pubin", "-keyform", "DER", "-inkey", str(tmp_path / "pub.der")]
    ok = subprocess.run(
        [*verify, "-rawin", "-in", str(tmp_path / "msg"), "-sigfile", str(tmp_path / "sig")], check=False
    )
    assert ok.returncode == 0
    (tmp_path / "msg").write_bytes(payload.replace("0.2", "0.3").encode())
    bad = subprocess.run(
        [*verify, "-rawin", "-in", str(tmp_path / "msg"), "-sigfile", str(tmp_path / "sig")],
        check=False,
        capture_output=True,
    )
    assert bad.returncode != 0  # the control: another message does not verify
    # The example's private key is that test vector's.
    derived = subprocess.run(
        ["openssl", "pkey", "-pubout", "-outform", "DER"], input=private.encode(), capture_output=True, check=True
    )
    assert derived.stdout[-32:].hex() == RFC8032_TEST1_PUBLIC


def test_the_rsa_example_verifies_with_the_test_keys_public_half(tmp_path: Path) -> None:
    venue = load(BINANCE).venue
    assert venue is not None
    _, payload, signature = _example(venue, "rsa")
    (tmp_path / "sig").write_bytes(signature)
    command = ["openssl", "dgst", "-sha256", "-verify", str(RSA_PUBLIC_PEM), "-signature", str(tmp_path / "sig")]
    assert subprocess.run(command, input=payload.encode(), capture_output=True, check=False).returncode == 0
    bad = subprocess.run(command, input=payload.replace("SELL", "BUY").encode(), capture_output=True, check=False)
    assert bad.returncode != 0


# Export -------------------------------------------------------------------------------------------------


def test_venues_json_carries_key_types_as_declared() -> None:
    venue = load(with_retired()).venue
    assert venue is not None
    data = rules_slice([venue])["venues"]["binance"]
    types = {k["id"]: k for k in data["key_types"]}
    assert list(types) == ["ed25519", "hmac", "rsa", "legacy"]
    # Left-out fields stay out: the checker takes the venue's own for them.
    assert types["hmac"] == {
        "id": "hmac",
        "label": "HMAC key (system-generated, deprecated by Binance)",
    }
    assert set(types["ed25519"]) == {"id", "label", "scheme", "credentials", "example"}
    assert types["rsa"]["credentials"][1]["format"]["key_bits"] == [2048, 4096]
    assert types["legacy"]["retired"] == "These keys stopped working. Create a new key instead."
    assert "example" not in types["legacy"]
    # The checker reads it, and each example reproduces from the exported data.
    rules = load_rules(rules_slice([venue]))
    assert [k.id for k in rules.venue("binance").key_types] == list(types)
    for key_type in ("ed25519", "rsa"):
        assert run_selftest(rules, "binance", key_type).ok


def test_the_checker_names_the_packages_each_key_type_needs() -> None:
    # The page asks before it signs (checker.browser's `requirements`): none for HMAC or a retired key type.
    venue = load(with_retired()).venue
    assert venue is not None
    rules = load_rules(rules_slice([venue]))
    from checker.browser import requirements

    needs = {k.id: requirements(rules, "binance", k.id)["packages"] for k in rules.venue("binance").key_types}
    assert needs == {"ed25519": ["ecdsa", "six"], "hmac": [], "rsa": ["rsa"], "legacy": []}


# Guide --------------------------------------------------------------------------------------------------


def _guide(venue: Venue) -> str:
    return str(to_html(PageRenderer(ROOT / "macros", SiteConfig()).venue_page(venue, today=TODAY)))


def test_guide_shows_each_key_type_with_its_anchor_format_and_formula() -> None:
    venue = load(with_retired()).venue
    assert venue is not None
    html = _guide(venue)
    signing = html.split('<h2 id="signing"', 1)[1].split('<h2 id="security"', 1)[0]
    assert re.findall(r'<h4 id="(key-type-[^"]+)"', signing) == [
        "key-type-ed25519",
        "key-type-hmac",
        "key-type-rsa",
        "key-type-legacy",
    ]
    assert '<h3 id="key-types"' in signing
    ed25519 = signing.split('id="key-type-ed25519"', 1)[1].split('id="key-type-hmac"', 1)[0]
    assert "holding an Ed25519 private key" in ed25519
    assert "base64(Ed25519 signature by the private key of query string + request body)" in ed25519
    rsa = signing.split('id="key-type-rsa"', 1)[1].split('id="key-type-legacy"', 1)[0]
    assert "holding an RSA private key of 2048 or 4096 bits" in rsa
    assert "RSASSA-PKCS1-v1_5" in rsa and SCHEMES["binance_rsa"].formula.split(" by ")[0] in rsa
    legacy = signing.split('id="key-type-legacy"', 1)[1]
    assert "These keys stopped working. Create a new key instead." in legacy
    assert "XtZirsmmi0noRzUf" in ed25519 and "XtZirsmmi0noRzUf" not in legacy
    assert "no longer accepts the Legacy key" in signing
    # The quick facts link the other kinds.
    facts = html.split('<h2 id="quick-facts"', 1)[1].split("</table>", 1)[0]
    assert 'href="#key-type-ed25519"' in facts and 'href="#key-type-hmac"' not in facts


def test_a_venue_without_key_types_has_no_key_types_part() -> None:
    venue = load(BINANCE).venue
    assert venue is not None
    html = _guide(venue.model_copy(update={"key_types": []}))
    assert 'id="key-types"' not in html and "key-type-" not in html


def test_key_type_anchors_are_published_and_registered(built_site: Path) -> None:
    registry = load_registry(ROOT / "anchors.txt")
    published = (built_site / "venues" / "binance" / "index.html").read_text(encoding="utf-8")
    for anchor in ("key-types", "key-type-ed25519", "key-type-hmac", "key-type-rsa"):
        assert f'id="{anchor}"' in published
        assert Anchor("venues/binance/", anchor) in registry
    comparison = (built_site / "comparison" / "index.html").read_text(encoding="utf-8")
    assert 'href="../venues/binance/#key-type-ed25519"' in comparison


def test_a_sample_that_copies_the_example_is_refused() -> None:
    # The example's API Key is a sample already (the checker flags every value a signing example prints).
    key = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A"
    text = edit(
        "          observed: true\n      - id: private_key\n",
        f"          observed: true\n        samples:\n          - {key}\n      - id: private_key\n",
    )
    line = line_of(text, f"          - {key}")
    assert lines(load(text)) == [
        f"{FILE}:{line}: key_types[0].credentials[0].samples[0]: this is the signing example's value, which the "
        "checker flags as a sample already — remove it"
    ]

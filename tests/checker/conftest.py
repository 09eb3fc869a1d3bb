"""The rules the checker tests run on: the real venues.json export, plus neutral fixture venues for schemes no
real venue uses yet (and for key types); and valid-looking credentials made from each venue's declared formats.
Private keys come from tests/checker/keys/ (made with OpenSSL for these tests only)."""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from checker import Format, Rules, diagnose_credentials, load_rules, match_error, matches_format
from keyguide.dataset import rules_slice
from keyguide.loader import load_directory

settings.register_profile("ci", max_examples=2000, deadline=None)
settings.register_profile("dev", max_examples=150, deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


ROOT = Path(__file__).resolve().parents[2]
KEYS = Path(__file__).resolve().parent / "keys"


def key_file(name: str) -> str:
    """A test key's PEM text (tests/checker/keys/)."""
    return (KEYS / name).read_text(encoding="utf-8")


def best_match(rules: Rules, text: str) -> tuple[str, str]:
    """The (venue, entry id) the error lookup ranks first for a pasted text; fails when nothing matches."""
    matches = match_error(rules, text)
    assert matches, f"nothing matches {text!r}"
    return matches[0].venue, matches[0].id


def finding_codes(rules: Rules, venue: str, credentials: dict[str, str]) -> list[str]:
    """The codes of the checker's findings on pasted credentials, in its order."""
    return [f.code for f in diagnose_credentials(rules, venue, credentials).findings]


def _der(pem: str) -> bytes:
    return base64.b64decode("".join(line for line in pem.splitlines() if not line.startswith("-----")))


# The Ed25519 test key as Coinbase CDP writes an Ed25519 secret: base64 of the 32-byte seed, then the 32-byte
# public key (the last 32 bytes of each DER form).
CDP_ED25519_SECRET = base64.b64encode(_der(key_file("ed25519.pem"))[-32:] + _der(key_file("ed25519.pub.pem"))[-32:])
CDP_ED25519_SECRET_TEXT = CDP_ED25519_SECRET.decode()
# The test key each kind of private key format is filled with.
KEY_OF_KIND = {"ed25519": "ed25519.pem", "ec_p256": "ec-p256.pem", "rsa": "rsa-2048-own.pem"}


def _real_venues() -> dict[str, Any]:
    """The real venues as the build exports them to the page (venues.json), never hand copies."""
    loaded = load_directory(ROOT / "venues")
    assert not loaded.problems, [p.format() for p in loaded.problems]
    return rules_slice(loaded.venues)["venues"]


PRINTABLE = {"alphabet": "printable", "length": None, "decoded_bytes": None, "prefix": None, "case": "any"}


def _format(alphabet: str = "printable", **extra: Any) -> dict[str, Any]:
    return {**PRINTABLE, "alphabet": alphabet, **extra}


def _credential(cid: str, role: str, fmt: dict[str, Any] | None = None, label: str | None = None) -> dict[str, Any]:
    return {"id": cid, "label": label or cid, "role": role, "required": True, "format": fmt or PRINTABLE, "samples": []}


def _fixture_venue(
    scheme: str,
    *,
    passphrase: bool = False,
    params: dict[str, str] | None = None,
    secret: dict[str, Any] | None = None,
    key: dict[str, Any] | None = None,
    venue_id: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A neutral venue for a scheme no real venue uses yet, so every scheme runs through sign_request."""
    venue_id = venue_id or "fixture-" + scheme.replace("_", "-")
    secret_id = "private_key" if secret is not None and "key" in secret else "api_secret"
    credentials = [_credential("api_key", "key", key), _credential(secret_id, "secret", secret)]
    if passphrase:
        credentials.append(_credential("passphrase", "passphrase"))
    return {
        "id": venue_id,
        "name": f"Fixture ({scheme})",
        "credentials": credentials,
        "signing": {"scheme": scheme, "base_url": "https://api.example.com", "params": params or {}},
        "errors": [],
        "guide_url": f"venues/{venue_id}/",
        **extra,
    }


ED25519_PEM = _format("pem", key="ed25519")
RSA_PEM = _format("pem", key="rsa", key_bits=[2048, 4096])
EC_PEM = _format("pem", key="ec_p256")
CDP_NAME = _format(prefix="organizations/")
ALNUM_64 = _format("alphanumeric", length={"min": 64, "max": 64})
LEGACY_KEY = _format("alphanumeric", length={"min": 16, "max": 16})
LEGACY_SECRET = _format("alphanumeric", length={"min": 32, "max": 32})
COINBASE_LEGACY_RETIRED = "Coinbase expired every legacy API key in February 2025."

FIXTURE_VENUES = [
    _fixture_venue("gate_v4"),
    _fixture_venue("bitget_v2", passphrase=True),
    _fixture_venue("bitfinex_v2"),
    _fixture_venue("gemini_v1"),
    _fixture_venue("bitstamp_v2", params={"host": "www.bitstamp.net"}),
    _fixture_venue("binance_ed25519", secret=ED25519_PEM),
    _fixture_venue("binance_rsa", secret=RSA_PEM),
    _fixture_venue("coinbase_legacy_hmac"),
    # Coinbase's shape: CDP key names, EC P-256 keys (what Advanced Trade accepts), an Ed25519 variant, and the
    # legacy HMAC keys it retired.
    _fixture_venue(
        "coinbase_cdp_jwt",
        key=CDP_NAME,
        secret=EC_PEM,
        params={"host": "api.coinbase.com"},
        key_types=[
            {"id": "ecdsa", "label": "ECDSA API key"},
            {
                "id": "ed25519",
                "label": "Ed25519 API key",
                "credentials": [
                    _credential("api_key", "key", CDP_NAME),
                    _credential(
                        "private_key",
                        "secret",
                        _format("base64", length={"min": 88, "max": 88}, decoded_bytes=64, key="ed25519"),
                    ),
                ],
            },
            {
                "id": "legacy",
                "label": "legacy API key",
                "scheme": "coinbase_legacy_hmac",
                "credentials": [
                    _credential("api_key", "key", LEGACY_KEY),
                    _credential("api_secret", "secret", LEGACY_SECRET),
                ],
                "retired": COINBASE_LEGACY_RETIRED,
            },
        ],
    ),
    # Binance's shape: one venue, three key types; HMAC is the venue's own declaration.
    _fixture_venue(
        "binance_hmac_sha256",
        venue_id="fixture-key-types",
        key=ALNUM_64,
        secret=ALNUM_64,
        key_types=[
            {
                "id": "ed25519",
                "label": "Ed25519 key",
                "scheme": "binance_ed25519",
                "credentials": [
                    _credential("api_key", "key", ALNUM_64),
                    _credential("private_key", "secret", ED25519_PEM),
                ],
            },
            {"id": "hmac", "label": "HMAC key"},
            {
                "id": "rsa",
                "label": "RSA key",
                "scheme": "binance_rsa",
                "credentials": [_credential("api_key", "key", ALNUM_64), _credential("private_key", "secret", RSA_PEM)],
            },
        ],
    ),
]
RULES_DATA: dict[str, Any] = {"venues": {**_real_venues(), **{v["id"]: v for v in FIXTURE_VENUES}}}
RULES: Rules = load_rules(RULES_DATA)


def valid_value(fmt: Format, seed: str) -> str:
    """A value that satisfies `fmt` (checked with the checker's own rule), deterministic, never published."""
    digest = hashlib.sha512(seed.encode()).digest() * 8
    low = fmt.length.min if fmt.length is not None and fmt.length.min is not None else 24
    if fmt.key is not None:
        value = CDP_ED25519_SECRET_TEXT if fmt.alphabet == "base64" else key_file(KEY_OF_KIND[fmt.key]).strip()
        assert matches_format(value, fmt), (seed, fmt)
        return value
    if fmt.alphabet == "base64":
        value = base64.b64encode(digest[: fmt.decoded_bytes or low * 3 // 4]).decode()
    elif fmt.alphabet == "uuid":
        text = digest[:16].hex()
        value = "-".join((text[:8], text[8:12], text[12:16], text[16:20], text[20:32]))
    elif fmt.alphabet == "hex":
        value = digest[: (low + 1) // 2].hex()[:low]
    else:
        letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
        # A declared length counts the whole value, the prefix included.
        prefix = fmt.prefix or ""
        value = prefix + "".join(letters[b % len(letters)] for b in digest[: max(low - len(prefix), 1)])
    value = value.upper() if fmt.case == "upper" else value.lower() if fmt.case == "lower" else value
    assert matches_format(value, fmt), (seed, fmt)
    return value


# Valid-looking, non-sample credentials for every real venue, made from its declared formats.
VALID: dict[str, dict[str, str]] = {
    venue.id: {c.id: valid_value(c.format, f"{venue.id}-{c.id}") for c in venue.credentials}
    for venue in RULES.venues.values()
}


@pytest.fixture(scope="session")
def real_rules() -> Rules:
    """Exactly the rules the site publishes (venues.json), through JSON as the page reads them."""
    return load_rules(json.loads(json.dumps(rules_slice(load_directory(ROOT / "venues").require()))))


@pytest.fixture(scope="session")
def rules() -> Rules:
    return RULES


@pytest.fixture
def rules_data() -> dict[str, Any]:
    return copy.deepcopy(RULES_DATA)


@pytest.fixture(scope="session")
def valid() -> dict[str, dict[str, str]]:
    """Valid-looking credentials per venue; copy before changing."""
    return VALID


# The command line runs in an interpreter where importing any build-side or third-party package fails (the
# signing packages aside): the checker must not need one.
WITHOUT_BUILD_SIDE = (
    "import sys\n"
    "for name in ('keyguide', 'pydantic', 'yaml', 'mkdocs', 'jinja2'):\n"
    "    sys.modules[name] = None\n"
    "from checker.cli import main\n"
    "sys.exit(main(sys.argv[1:]))\n"
)


def checker_process(args: list[str], stdin: str) -> subprocess.CompletedProcess[str]:
    """`python -m checker ARGS` with `stdin`, as a writer or a bot's operator runs it; never a traceback."""
    done = subprocess.run(
        [sys.executable, "-c", WITHOUT_BUILD_SIDE, *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert "Traceback" not in done.stderr, done.stderr
    return done


def run_checker(args: list[str], stdin: str) -> tuple[int, dict[str, Any]]:
    """The command's exit code and its one JSON object."""
    done = checker_process(args, stdin)
    return done.returncode, json.loads(done.stdout)


@pytest.fixture(scope="session")
def real_rules_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real venues' rules slice, written by the project's own command (the site publishes the same JSON)."""
    path = tmp_path_factory.mktemp("rules") / "venues.json"
    written = subprocess.run(
        [sys.executable, "-m", "keyguide.cli", "rules", "-o", str(path)], cwd=ROOT, capture_output=True, text=True
    )
    assert written.returncode == 0, written.stderr
    return path

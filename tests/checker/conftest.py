"""The rules the checker tests run on: the real venues.json export, plus neutral fixture venues for schemes no
real venue uses yet; and valid-looking credentials made from each venue's declared formats."""

from __future__ import annotations

import base64
import copy
import hashlib
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from checker import Format, Rules, load_rules, matches_format
from keyguide.dataset import rules_slice
from keyguide.loader import load_directory

settings.register_profile("ci", max_examples=2000, deadline=None)
settings.register_profile("dev", max_examples=150, deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


ROOT = Path(__file__).resolve().parents[2]


def _real_venues() -> dict[str, Any]:
    """The real venues as the build exports them to the page (venues.json), never hand copies."""
    loaded = load_directory(ROOT / "venues")
    assert not loaded.problems, [p.format() for p in loaded.problems]
    return rules_slice(loaded.venues)["venues"]


def _fixture_venue(scheme: str, *, passphrase: bool = False, params: dict[str, str] | None = None) -> dict[str, Any]:
    """A neutral venue for a scheme no real venue uses yet, so every scheme runs through sign_request."""
    printable = {"alphabet": "printable", "length": None, "decoded_bytes": None, "prefix": None, "case": "any"}
    roles = [("api_key", "key"), ("api_secret", "secret")] + ([("passphrase", "passphrase")] if passphrase else [])
    venue_id = "fixture-" + scheme.replace("_", "-")
    return {
        "id": venue_id,
        "name": f"Fixture ({scheme})",
        "credentials": [
            {"id": cid, "label": cid, "role": role, "required": True, "format": printable, "samples": []}
            for cid, role in roles
        ],
        "signing": {"scheme": scheme, "base_url": "https://api.example.com", "params": params or {}},
        "errors": [],
        "guide_url": f"venues/{venue_id}/",
    }


FIXTURE_VENUES = [
    _fixture_venue("gate_v4"),
    _fixture_venue("bitget_v2", passphrase=True),
    _fixture_venue("bitfinex_v2"),
    _fixture_venue("gemini_v1"),
    _fixture_venue("bitstamp_v2", params={"host": "www.bitstamp.net"}),
]
RULES_DATA: dict[str, Any] = {"venues": {**_real_venues(), **{v["id"]: v for v in FIXTURE_VENUES}}}
RULES: Rules = load_rules(RULES_DATA)


def valid_value(fmt: Format, seed: str) -> str:
    """A value that satisfies `fmt` (checked with the checker's own rule), deterministic, never published."""
    digest = hashlib.sha512(seed.encode()).digest() * 8
    low = fmt.length.min if fmt.length is not None and fmt.length.min is not None else 24
    if fmt.alphabet == "base64":
        value = base64.b64encode(digest[: fmt.decoded_bytes or low * 3 // 4]).decode()
    elif fmt.alphabet == "uuid":
        text = digest[:16].hex()
        value = "-".join((text[:8], text[8:12], text[12:16], text[16:20], text[20:32]))
    elif fmt.alphabet == "hex":
        value = digest[: (low + 1) // 2].hex()[:low]
    else:
        letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
        value = "".join(letters[b % len(letters)] for b in digest[:low])
    value = value.upper() if fmt.case == "upper" else value.lower() if fmt.case == "lower" else value
    assert matches_format(value, fmt), (seed, fmt)
    return value


# Valid-looking, non-sample credentials for every real venue, made from its declared formats.
VALID: dict[str, dict[str, str]] = {
    venue.id: {c.id: valid_value(c.format, f"{venue.id}-{c.id}") for c in venue.credentials}
    for venue in RULES.venues.values()
}


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

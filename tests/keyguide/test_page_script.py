"""The page script is DOM wiring only: it names no venue, scheme, header, anchor, base URL or site layout.

Everything of that kind reaches the page from the checker (checker/browser.py) or from the markup
(macros/), so a new venue or scheme never needs a change to the JavaScript.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from checker import SCHEMES, load_rules, run_selftest, sign_request
from checker.vocab import REQUEST_FIELDS, TIMESTAMP_FORMATS
from keyguide.anchors import GUIDES_DIR, RESERVED_IDS
from keyguide.dataset import rules_slice
from keyguide.loader import load_directory
from keyguide.registry import load_registry

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = sorted((ROOT / "content" / "assets" / "keyguide").glob("*.js"))
_COMMENT = re.compile(r"/\*.*?\*/|(?<![:\"'\\])//[^\n]*", re.DOTALL)
_LITERAL = re.compile(r'"((?:[^"\\\n]|\\.)*)"|\'((?:[^\'\\\n]|\\.)*)\'')


def _literals(code: str) -> list[str]:
    """The string literals of a script, comments left out (prose about the code is not knowledge in it)."""
    return [a or b for a, b in _LITERAL.findall(_COMMENT.sub(" ", code))]


def _forbidden() -> dict[str, set[str]]:
    venues = load_directory(ROOT / "venues").require()
    rules = load_rules(rules_slice(venues))
    headers: set[str] = set()
    for venue in rules.venues.values():
        assert venue.signing is not None and venue.signing.example is not None
        example = venue.signing.example
        credentials = {c.id: example.credentials.get(c.id, "x") for c in venue.credentials}
        headers |= set(sign_request(rules, venue.id, credentials, example.request).headers)
        assert run_selftest(rules, venue.id).ok
    return {
        "venue id": {v.id for v in venues},
        "scheme id": set(SCHEMES),
        "header name": headers | {"Content-Length"},
        "anchor id": {a.id for a in load_registry(ROOT / "anchors.txt") if a.page.startswith(GUIDES_DIR + "/")}
        | set(RESERVED_IDS),
        "base URL": {v.signing.base_url.unicode_string().rstrip("/") for v in venues},
        "request field": set(REQUEST_FIELDS) - {"method", "path", "query", "body"},
        "timestamp format": set(TIMESTAMP_FORMATS),
        "guide folder": {f"{GUIDES_DIR}/"},
    }


FORBIDDEN = _forbidden()


def _found(name: str, literals: list[str]) -> bool:
    """A name written as a whole literal, or as a part of a URL, anchor or header line inside one."""
    pattern = re.compile(r"(?:^|[#/])" + re.escape(name) + r"(?:$|[/:#?])")
    return any(pattern.search(literal) for literal in literals)


@pytest.mark.parametrize("script", SCRIPTS, ids=[p.name for p in SCRIPTS])
def test_the_page_script_knows_no_venue_rule(script: Path) -> None:
    literals = _literals(script.read_text(encoding="utf-8"))
    found = {kind: sorted(n for n in names if _found(n, literals)) for kind, names in FORBIDDEN.items()}
    assert {kind: names for kind, names in found.items() if names} == {}


def test_the_probe_would_catch_a_leak() -> None:
    """Positive control: each kind of name, planted in code, is found (and a comment or prose is not)."""
    for kind, names in FORBIDDEN.items():
        name = sorted(names)[0]
        for planted in (f'var x = "{name}";', f"url = '#{name}';", f'h = "{name}: " + v;'):
            assert _found(name, _literals(planted)), (kind, planted)
        prose = f'// {name}\n/* "{name}" */ var y = "Copy the {name} value";'
        assert not _found(name, _literals(prose)), kind

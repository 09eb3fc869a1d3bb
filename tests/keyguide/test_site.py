"""The built site: a page per venue, every YAML anchor present, nothing loaded from another origin."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from keyguide.checks import page_anchors
from keyguide.loader import load_directory

ROOT = Path(__file__).resolve().parents[2]
VENUES = load_directory(ROOT / "venues").require()
OWN_ORIGIN = "127.0.0.1:8000"  # mkdocs.yml site_url

# Attributes whose URL the browser fetches by itself (a plain <a href> is navigation, not a load).
LOADING_ATTRS = {
    "script": ("src",),
    "link": ("href",),
    "img": ("src", "srcset"),
    "iframe": ("src",),
    "source": ("src", "srcset"),
    "video": ("src", "poster"),
    "audio": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "form": ("action",),
    "use": ("href", "xlink:href"),
    "image": ("href", "xlink:href"),
}
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")\s]+)|@import\s+['"]([^'"]+)""")
ABSOLUTE_URL = re.compile(r"https?://[A-Za-z0-9.-]+(?::\d+)?")

# Absolute URLs that the pinned vendor scripts contain without ever loading them here (spike.md §1). A new
# origin appearing after an upgrade fails the test until someone has looked at it. Our own scripts may
# contain none. The runtime crawl in tests/browser/ proves what is actually requested.
VENDOR_URL_ALLOWLIST = {
    # mkdocs-material bundle: mermaid loads only on pages with mermaid diagrams, api.github.com only with
    # a repo_url; clipboard.js keeps its licence banner.
    "https://unpkg.com",
    "https://api.github.com",
    "https://clipboardjs.com",
    # lunr and its language stemmers (search): licence and reference URLs in comments.
    "http://chasen.org",
    "http://code.google.com",
    "http://docs.python.org",
    "http://en.wikipedia.org",
    "http://lunrjs.com",
    "http://msdn.microsoft.com",
    "http://narwhaljs.org",
    "http://people.mozilla.org",
    "http://snowball.tartarus.org",
    "http://tartarus.org",
    "http://underscorejs.org",
    "http://wiki.commonjs.org",
    "http://wiki.ecmascript.org",
    "http://www.mozilla.org",
    "https://bit.ly",
    "https://developer.mozilla.org",
    "https://github.com",
    # pyodide.mjs: the CDN fallback runs only under Node, never in a browser (spike.md §2).
    "https://cdn.jsdelivr.net",
}


def _is_foreign(url: str) -> bool:
    parts = urlsplit(url.strip())
    if parts.scheme in ("", "data", "blob", "mailto", "javascript") and not url.strip().startswith("//"):
        return False
    return parts.netloc != OWN_ORIGIN


class _LoadCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        wanted = LOADING_ATTRS.get(tag, ())
        for name, value in attrs:
            if value is None:
                continue
            if name in wanted:
                if tag == "link" and any(k == "rel" and v in ("canonical",) for k, v in attrs):
                    continue
                self.urls.extend(part.split()[0] for part in value.split(",") if part.strip())
            if name == "style":
                self.urls.extend(a or b for a, b in CSS_URL.findall(value))


@pytest.mark.parametrize("venue", VENUES, ids=lambda v: v.id)
def test_every_venue_has_a_page_with_all_its_anchors(built_site: Path, venue) -> None:  # type: ignore[no-untyped-def]
    page = built_site / "venues" / venue.id / "index.html"
    html = page.read_text(encoding="utf-8")
    ids = set(re.findall(r'\sid="([^"]+)"', html))
    missing = [anchor for _, anchor in page_anchors(venue) if anchor not in ids]
    assert missing == []


def test_every_error_anchor_is_an_id_in_its_page(built_site: Path) -> None:
    for venue in VENUES:
        html = (built_site / "venues" / venue.id / "index.html").read_text(encoding="utf-8")
        for error in venue.errors:
            assert f'id="{error.id}"' in html, f"{venue.id}: #{error.id}"


def test_cross_venue_pages_exist(built_site: Path) -> None:
    for page in ("index.html", "venues/index.html", "comparison/index.html", "errors/index.html"):
        assert (built_site / page).is_file(), page
    errors_page = (built_site / "errors" / "index.html").read_text(encoding="utf-8")
    for venue in VENUES:
        for error in venue.errors:
            assert f'href="../venues/{venue.id}/#{error.id}"' in errors_page, f"{venue.id}#{error.id}"


def test_no_page_loads_anything_from_another_origin(built_site: Path) -> None:
    foreign = []
    for page in built_site.rglob("*.html"):
        collector = _LoadCollector()
        collector.feed(page.read_text(encoding="utf-8"))
        foreign.extend(f"{page.relative_to(built_site)}: {url}" for url in collector.urls if _is_foreign(url))
    assert foreign == []


def test_no_stylesheet_loads_from_another_origin(built_site: Path) -> None:
    foreign = []
    for sheet in built_site.rglob("*.css"):
        for a, b in CSS_URL.findall(sheet.read_text(encoding="utf-8")):
            if _is_foreign(a or b):
                foreign.append(f"{sheet.relative_to(built_site)}: {a or b}")
    assert foreign == []


def test_scripts_reference_no_other_origin(built_site: Path) -> None:
    foreign = []
    for script in [*built_site.rglob("*.js"), *built_site.rglob("*.mjs")]:
        origins = set(ABSOLUTE_URL.findall(script.read_text(encoding="utf-8", errors="replace")))
        ours = "assets/keyguide" in script.as_posix()
        unexpected = origins if ours else origins - VENDOR_URL_ALLOWLIST
        foreign.extend(f"{script.relative_to(built_site)}: {o}" for o in sorted(unexpected) if OWN_ORIGIN not in o)
    assert foreign == []


def test_theme_fonts_and_generator_are_off(built_site: Path) -> None:
    html = (built_site / "index.html").read_text(encoding="utf-8")
    assert "fonts.googleapis.com" not in html and "fonts.gstatic.com" not in html
    assert "squidfunk.github.io" not in html


def test_navigation_lists_every_venue(built_site: Path) -> None:
    # mkdocs.yml names "venues/" once; the plugin expands it to the index and one guide per venue file.
    home = (built_site / "index.html").read_text(encoding="utf-8")
    for venue in VENUES:
        assert f'href="venues/{venue.id}/"' in home, venue.id


@pytest.mark.parametrize("venue", VENUES, ids=lambda v: v.id)
def test_checker_fields_are_named_after_the_credentials(built_site: Path, venue) -> None:  # type: ignore[no-untyped-def]
    html = (built_site / "venues" / venue.id / "index.html").read_text(encoding="utf-8")
    for credential in venue.credentials:
        field = re.search(rf'<(input|textarea) [^>]*name="{credential.id}"[^>]*>', html)
        assert field is not None, credential.id
        tag = field.group(0)
        # Secrets too are type=text, masked by the page script: a password field makes password managers
        # take the form for a login (macros/checker.j2, tests/browser/test_checker_page.py). A PEM private key
        # is a textarea (an input drops its line breaks), masked the same way.
        multi_line = credential.format.alphabet == "pem"
        assert field.group(1) == ("textarea" if multi_line else "input"), credential.id
        assert multi_line or 'type="text"' in tag
        assert f'data-kg-secret="{"true" if credential.secret else "false"}"' in tag
        for attribute in ('autocomplete="off"', 'spellcheck="false"', 'autocapitalize="off"', "data-1p-ignore"):
            assert attribute in tag, (credential.id, attribute)

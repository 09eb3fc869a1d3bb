"""Our page assets as the site publishes them: fingerprinted scripts, the loader linked to checker.js, the
stylesheet inlined into each page, and which files may be cached for good.

- Fingerprinted names (`checker.1a2b3c4d5e6f.js`): a name stands for exactly one content, so hosts may let
  browsers keep the file for a year (`_headers`, see `long_cache_paths`) and an edit can never meet a stale copy.
- loader.js is what pages load; it adds checker.js only when the reader shows intent. Subresource Integrity
  cannot be written on a tag that does not exist yet, so the build writes checker.js's name and digest into
  loader.js, whose own digest every page carries: a changed checker.js is refused either way.
- keyguide.css is small and blocks rendering: inlined as a `<style>` element, whose hash the page policy names.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from collections.abc import Iterable

from .integrity import sri_digest
from .runtime import BrowserAssetsError

ASSETS_DIR = "assets/keyguide"
LOADER_URI = f"{ASSETS_DIR}/loader.js"
CHECKER_URI = f"{ASSETS_DIR}/checker.js"
INLINE_STYLES = frozenset({f"{ASSETS_DIR}/keyguide.css"})
# The two lines of loader.js the build rewrites (each must be there exactly once).
_CHECKER_LINE = 'var CHECKER = "checker.js";'
_INTEGRITY_LINE = 'var INTEGRITY = "";'
# A content hash in a file name, as ours and the theme's carry it (`bundle.79ae519e.min.js`).
_FINGERPRINT = re.compile(
    r"\.[0-9a-f]{8,}\.(?:min\.)?(?:js|css)$|^checker-[0-9a-f]{16}\.snapshot\.gz$|^stdlib-[0-9a-f]{16}\.zip$"
)


def fingerprinted(uri: str, content: bytes) -> str:
    """`uri` with the first 12 hex digits of its content's SHA-256 before the extension."""
    stem, ext = posixpath.splitext(uri)
    return f"{stem}.{hashlib.sha256(content).hexdigest()[:12]}{ext}"


def page_scripts(loader: bytes, checker: bytes) -> dict[str, bytes]:
    """The loader and checker.js under fingerprinted names, the loader pointing at checker.js with its digest.

    Raises:
        BrowserAssetsError: loader.js does not have the lines the build rewrites.
    """
    checker_uri = fingerprinted(CHECKER_URI, checker)
    text = loader.decode("utf-8")
    for line in (_CHECKER_LINE, _INTEGRITY_LINE):
        if text.count(line) != 1:
            raise BrowserAssetsError(f"{LOADER_URI}: expected the line {line!r} once, found {text.count(line)}")
    text = text.replace(_CHECKER_LINE, f'var CHECKER = "{posixpath.basename(checker_uri)}";')
    text = text.replace(_INTEGRITY_LINE, f'var INTEGRITY = "{sri_digest(checker)}";')
    linked = text.encode("utf-8")
    return {fingerprinted(LOADER_URI, linked): linked, checker_uri: checker}


def is_loader(uri: str) -> bool:
    """`uri` is the loader, by its source name or a fingerprinted one (a rebuild under `mkdocs serve`)."""
    return uri == LOADER_URI or re.fullmatch(rf"{re.escape(ASSETS_DIR)}/loader\.[0-9a-f]{{12}}\.js", uri) is not None


def inline_style(css: str, uri: str) -> str:
    """`css` as the text of a `<style>` element.

    Raises:
        BrowserAssetsError: The text would end the element early.
    """
    if "</style" in css.lower():
        raise BrowserAssetsError(f"{uri}: contains '</style', which would end the inlined <style> element")
    return css


def long_cache_paths(uris: Iterable[str], site_path: str = "/") -> list[str]:
    """Site paths (for `_headers`) of the published files whose name carries their content's hash."""
    return sorted(site_path + uri for uri in uris if _FINGERPRINT.search(posixpath.basename(uri)))

"""Subresource Integrity on every script and stylesheet a page loads, from the bytes the site publishes.

A browser then runs a script or applies a stylesheet only if its bytes hash to what the page says: a file
changed on the host, by a cache or on the way, is refused. It covers `<script src>` and
`<link rel="stylesheet">` only; what the checker's script fetches itself (Pyodide, the wheel) is checked
against the manifests and runtime.json instead.
"""

from __future__ import annotations

import base64
import hashlib
import posixpath
from collections.abc import Callable, Sequence
from urllib.parse import unquote, urlsplit

from .policy import PolicyError
from .scan import Load


def sri_digest(content: bytes) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(content).digest()).decode("ascii")


def site_uri(url: str, page_dir: str, site_path: str = "/") -> str | None:
    """The site-relative path `url` points to from a page in `page_dir`, or None if it leaves the site.

    Args:
        url: As written in the page (relative, or absolute-path as on 404.html).
        page_dir: The page's directory in the site ("" for the root, "venues/kraken-spot").
        site_path: The path the site is served under (from site_url), ending in "/".
    """
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not parts.path:
        return None
    if parts.path.startswith("/"):
        if not parts.path.startswith(site_path):
            return None
        path = parts.path[len(site_path) :]
    else:
        path = posixpath.join(page_dir, parts.path)
    normal = posixpath.normpath("/" + unquote(path)).lstrip("/")
    return normal or None


def add_integrity(
    html: str,
    loads: Sequence[Load],
    page_dir: str,
    digest_of: Callable[[str], str | None],
    *,
    site_path: str = "/",
    inline_of: Callable[[str], str | None] = lambda uri: None,
) -> str:
    """`html` with `integrity` and `crossorigin="anonymous"` on every load, and some stylesheets inlined.

    Args:
        loads: The page's `<script src>` and `<link rel="stylesheet">` tags (from `scan_page`).
        digest_of: The SRI digest of a published file by site URI, None if the site does not publish it.
        inline_of: The text of a stylesheet the page carries inline instead of loading it (a `<style>`
            element in place of its `<link>`), by site URI; None for every other load.

    Raises:
        PolicyError: A load points off the site or to a file the site does not publish, or carries an
            integrity or crossorigin value other than the one computed.
    """
    pieces = []
    position = 0
    for load in sorted(loads, key=lambda item: item.start):
        uri = site_uri(load.url, page_dir, site_path)
        digest = None if uri is None else digest_of(uri)
        if digest is None:
            raise PolicyError(f"loads {load.url!r}, which this site does not publish")
        attrs = dict(load.attrs)
        if attrs.get("integrity", digest) != digest:
            raise PolicyError(f"{load.url!r} carries integrity {attrs['integrity']!r}, its bytes hash to {digest!r}")
        if attrs.get("crossorigin", "anonymous") != "anonymous":
            raise PolicyError(f"{load.url!r} carries crossorigin={attrs['crossorigin']!r}")
        if html[load.start : load.start + len(load.tag)] != load.tag:
            raise PolicyError(f"could not find the tag {load.tag!r} where the parser read it")
        inline = None if uri is None or load.tag.lower().startswith("<script") else inline_of(uri)
        if inline is not None:
            pieces.append(html[position : load.start] + f"<style>{inline}</style>")
            position = load.start + len(load.tag)
            continue
        added = "" if "integrity" in attrs else f' integrity="{digest}"'
        added += "" if "crossorigin" in attrs else ' crossorigin="anonymous"'
        end = len(load.tag) - (2 if load.tag.endswith("/>") else 1)
        pieces.append(html[position : load.start] + load.tag[:end].rstrip() + added + load.tag[end:])
        position = load.start + len(load.tag)
    pieces.append(html[position:])
    return "".join(pieces)

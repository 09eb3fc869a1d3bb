"""The Content-Security-Policy every page carries, the `_headers` file, and the development-server variant.

Why a meta tag: static hosts such as GitHub Pages cannot send headers. A meta policy governs the page only
from where it appears, so it goes first in <head>, right after <meta charset>. It cannot carry
`frame-ancestors` and does not reach a worker loaded from a URL; hosts that honour `_headers` get the same
policy as a header, plus framing, sniffing, opener and permissions protection (see `headers_file`).

What a policy does not govern, whatever it says: top-level navigation (links, `location`, `window.open`),
WebRTC (STUN/TURN) and DNS prefetching. The page script handles those where the checker runs; the words on
content/security.md say exactly this much and no more.

The script hashes are not taken from the finished page: `theme.py` derives the theme's own inline scripts
from its templates, and `scan.py` fails the build on any other inline script (see `BrowserAssets`).
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable
from urllib.parse import urlsplit

_META_CHARSET = re.compile(r"<meta\s+charset\s*=\s*[\"']?[\w-]+[\"']?\s*/?>", re.IGNORECASE)
_HEAD = re.compile(r"<head\b[^>]*>", re.IGNORECASE)
_BODY = re.compile(r"<body\b[^>]*>", re.IGNORECASE)
_CSP_META = re.compile(r"<meta\s+http-equiv\s*=\s*[\"']?content-security-policy", re.IGNORECASE)

REFERRER_META = '<meta name="referrer" content="no-referrer">'
# Chromium prefetches DNS for links on the page (a lookup of another origin's name is a request the policy
# does not see). The page script turns it off too; this tag works before any script runs.
DNS_PREFETCH_META = '<meta http-equiv="x-dns-prefetch-control" content="off">'
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost"})
DEV_BANNER_CLASS = "kg-dev-banner"
DEV_BANNER = (
    f'<div class="{DEV_BANNER_CLASS}" role="note" style="background:#b71c1c;color:#fff;padding:.6rem 1rem;'
    'font:600 .8rem/1.4 system-ui,sans-serif;text-align:center">'
    "Development server (mkdocs serve): this page's protections differ from the published site. Its "
    "Content-Security-Policy allows inline scripts (for live reload) and checks no script hashes. "
    "Do not paste a real key here."
    "</div>"
)
# What the browser sends to the policy for each feature the site never uses (Permissions-Policy header).
DISABLED_FEATURES = (
    "camera",
    "microphone",
    "geolocation",
    "payment",
    "usb",
    "serial",
    "hid",
    "midi",
    "display-capture",
    "clipboard-read",
    "browsing-topics",
)


class PolicyError(ValueError):
    """A page cannot be given its policy: no <head>, a policy already there, or markup the policy must not allow."""


def script_hash(text: str) -> str:
    """The CSP source expression (`'sha256-…'`) a browser computes for an inline script's text."""
    # The HTML parser turns CR LF and lone CR into LF before the browser hashes the text.
    normalised = text.replace("\r\n", "\n").replace("\r", "\n")
    digest = base64.b64encode(hashlib.sha256(normalised.encode("utf-8")).digest()).decode("ascii")
    return f"'sha256-{digest}'"


def worker_source(site_url: str | None, worker_uri: str | None) -> str:
    """The `worker-src` value: exactly the one worker the site starts (Material's search worker).

    A CSP source cannot be a bare path: narrowing to one file needs the absolute URL, so it is built from
    `site_url`. On a loopback host the port is left open (`:*`): the same build is previewed and tested on
    whatever free port a local server gets. Without `site_url` the origin is unknown at build time, and the
    policy can only say `'self'` (any script of this origin may then be started as a worker, which a meta
    policy does not govern: one more reason the checker refuses to start without a known, dedicated origin).

    Args:
        site_url: The published address of the site (mkdocs.yml `site_url`), or None.
        worker_uri: The worker script's site-relative path, or None when the site starts no worker.
    """
    if worker_uri is None:
        return "'none'"
    if not site_url:
        return "'self'"
    parts = urlsplit(site_url)
    host = (parts.hostname or "").lower()
    path = parts.path if parts.path.endswith("/") else parts.path + "/"
    if host in LOOPBACK_HOSTS:  # either loopback name, any port: still one file
        authorities = [f"{name}:*" for name in sorted(LOOPBACK_HOSTS)]
    else:
        authorities = [host if parts.port is None else f"{host}:{parts.port}"]
    return " ".join(f"{parts.scheme}://{authority}{path}{worker_uri.lstrip('/')}" for authority in authorities)


def content_security_policy(
    script_hashes: Iterable[str],
    *,
    worker: str = "'self'",
    header: bool = False,
    serving: bool = False,
    style_hashes: Iterable[str] = (),
) -> str:
    """The policy. No 'unsafe-eval': Pyodide needs only 'wasm-unsafe-eval' to compile its WebAssembly.

    `connect-src 'self'` is what keeps a pasted secret on the page: fetch, XHR, WebSocket, EventSource and
    beacons from this page, including Python's `js.fetch` (Pyodide runs on the page's main thread), reach
    no other origin.

    Args:
        script_hashes: Hashes of the theme's inline scripts on the page (`'sha256-…'`).
        worker: The `worker-src` value (see `worker_source`).
        header: For the `_headers` file: adds what a meta tag cannot carry.
        serving: For `mkdocs serve`: no hashes, and 'unsafe-inline' instead, because the live-reload script
            MkDocs injects is inline and differs on every request (its epoch and a request id are in the
            text), so no build-time hash can name it. A policy with a hash ignores 'unsafe-inline'.
        style_hashes: Hashes of the `<style>` elements the build inlined (our stylesheet). With any, only
            those `<style>` elements apply; style attributes stay allowed (`style-src-attr`): Markdown
            writes them (table alignment) and they cannot send anything (img, font and connect are 'self').
    """
    if serving:
        script_src = ["'self'", "'wasm-unsafe-eval'", "'unsafe-inline'"]
    else:
        script_src = ["'self'", "'wasm-unsafe-eval'", *script_hashes]
    directives = [
        "default-src 'none'",
        "script-src " + " ".join(script_src),
        *style_directives(() if serving else style_hashes),
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        f"worker-src {worker}",
        "manifest-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "object-src 'none'",
    ]
    if header:
        directives.append("frame-ancestors 'none'")  # ignored in a meta tag, so header only
    return "; ".join(directives)


def style_directives(style_hashes: Iterable[str]) -> list[str]:
    """`style-src` (and `style-src-attr` when hashes name the `<style>` elements) of the policy."""
    hashes = sorted(set(style_hashes))
    if not hashes:
        return ["style-src 'self' 'unsafe-inline'"]  # inline styles cannot send anything: img/font/connect are 'self'
    return ["style-src 'self' " + " ".join(hashes), "style-src-attr 'unsafe-inline'"]


def secure_page(html: str, policy: str) -> str:
    """`html` with the policy, no-referrer and no-DNS-prefetch meta tags right after <meta charset>."""
    if _CSP_META.search(html):
        raise PolicyError("the page already has a Content-Security-Policy meta tag")
    tags = f'<meta http-equiv="Content-Security-Policy" content="{policy}">{REFERRER_META}{DNS_PREFETCH_META}'
    return _insert_first_in_head(html, tags)


def add_dev_banner(html: str) -> str:
    """`html` with the development-server banner first in <body>."""
    body = _BODY.search(html)
    if body is None:
        raise PolicyError("the page has no <body> to show the development-server banner in")
    return html[: body.end()] + DEV_BANNER + html[body.end() :]


def _insert_first_in_head(html: str, tags: str) -> str:
    anchor = _META_CHARSET.search(html) or _HEAD.search(html)
    if anchor is None:
        raise PolicyError("the page has no <head> to put its Content-Security-Policy in")
    return html[: anchor.end()] + tags + html[anchor.end() :]


def headers_file(
    script_hashes: Iterable[str],
    *,
    worker: str = "'self'",
    style_hashes: Iterable[str] = (),
    long_cache: Iterable[str] = (),
) -> str:
    """A `_headers` file (Netlify and Cloudflare Pages syntax) sending the policy as real headers.

    One rule for every path: the hashes are the union over all pages (each page's meta tag still narrows
    its own to exactly its scripts, since a browser enforces both policies). As a header the policy also
    governs the search worker, which a meta tag cannot reach.

    `long_cache`: site paths of files whose name carries their content's hash; a browser may keep each
    for a year without asking again (a new content gets a new name).
    """
    policy = content_security_policy(sorted(set(script_hashes)), worker=worker, header=True, style_hashes=style_hashes)
    permissions = ", ".join(f"{feature}=()" for feature in DISABLED_FEATURES)
    return (
        "# Generated by keyguide: the same policy as each page's meta tag, plus what only a header can carry.\n"
        "/*\n"
        f"  Content-Security-Policy: {policy}\n"
        "  X-Content-Type-Options: nosniff\n"
        "  Referrer-Policy: no-referrer\n"
        "  Cross-Origin-Opener-Policy: same-origin\n"
        "  Cross-Origin-Resource-Policy: same-origin\n"
        f"  Permissions-Policy: {permissions}\n"
        "  X-Frame-Options: DENY\n"
        "  X-DNS-Prefetch-Control: off\n"
    ) + "".join(f"{path}\n  Cache-Control: public, max-age=31536000, immutable\n" for path in long_cache)

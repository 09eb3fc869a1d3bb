"""Independent readers of a Content-Security-Policy and a `_headers` file, and what the site's must say.

The tests compare parsed directives with expected sets, never substrings: a source added anywhere fails.
"""

from __future__ import annotations

from collections.abc import Sequence


def parse_policy(text: str) -> dict[str, list[str]]:
    """CSP3 parsing: directives split on ';', name then sources; a repeated name is an error here."""
    directives: dict[str, list[str]] = {}
    for part in text.split(";"):
        tokens = part.split()
        if not tokens:
            continue
        name = tokens[0].lower()
        assert name not in directives, f"directive {name} given twice"
        directives[name] = tokens[1:]
    return directives


def expected_policy(
    hashes: list[str], worker: str, *, header: bool = False, styles: Sequence[str] = ()
) -> dict[str, set[str]]:
    """What the policy must say; `styles`: hashes of the `<style>` elements a page carries (our stylesheet)."""
    expected = {
        "default-src": {"'none'"},
        "script-src": {"'self'", "'wasm-unsafe-eval'", *hashes},
        "style-src": {"'self'", *styles} if styles else {"'self'", "'unsafe-inline'"},
        "img-src": {"'self'", "data:"},
        "font-src": {"'self'"},
        "connect-src": {"'self'"},
        "worker-src": set(worker.split()),
        "manifest-src": {"'self'"},
        "base-uri": {"'none'"},
        "form-action": {"'none'"},
        "object-src": {"'none'"},
    }
    if styles:
        expected["style-src-attr"] = {"'unsafe-inline'"}  # Markdown's table alignment; sends nothing
    if header:
        expected["frame-ancestors"] = {"'none'"}
    return expected


def as_sets(policy: dict[str, list[str]]) -> dict[str, set[str]]:
    return {name: set(sources) for name, sources in policy.items()}


def parse_headers(text: str) -> dict[str, dict[str, str]]:
    """Netlify/Cloudflare `_headers`: a path line, then indented `Name: value` lines."""
    rules: dict[str, dict[str, str]] = {}
    current: dict[str, str] | None = None
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if not line[0].isspace():
            current = rules.setdefault(line.strip(), {})
            continue
        assert current is not None, f"header outside a path rule: {line!r}"
        name, value = line.strip().split(":", 1)
        assert name not in current, f"header {name} given twice"
        current[name] = value.strip()
    return rules


EXPECTED_HEADERS = {
    "Content-Security-Policy",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "Cross-Origin-Opener-Policy",
    "Cross-Origin-Resource-Policy",
    "Permissions-Policy",
    "X-Frame-Options",
    "X-DNS-Prefetch-Control",
}


LONG_CACHE = {"Cache-Control": "public, max-age=31536000, immutable"}


def check_headers(
    text: str, hashes: list[str], worker: str, *, styles: Sequence[str] = (), long_cache: Sequence[str] = ()
) -> None:
    """The `_headers` file: the policy and protections for every path, then a year's cache for `long_cache`."""
    rules = parse_headers(text)
    assert list(rules) == ["/*", *long_cache]
    assert all(rules[path] == LONG_CACHE for path in long_cache)
    headers = rules["/*"]
    assert set(headers) == EXPECTED_HEADERS
    expected = expected_policy(hashes, worker, header=True, styles=styles)
    assert as_sets(parse_policy(headers["Content-Security-Policy"])) == expected
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert headers["Cross-Origin-Resource-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-DNS-Prefetch-Control"] == "off"
    features = dict(item.strip().split("=", 1) for item in headers["Permissions-Policy"].split(","))
    assert {"camera", "microphone", "geolocation", "payment", "usb"} <= set(features)
    assert set(features.values()) == {"()"}

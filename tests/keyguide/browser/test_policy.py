"""The page policy, its `_headers` twin and the development-server variant, parsed directive by directive."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import pytest

from keyguide.browser import BrowserAssets
from keyguide.browser.policy import (
    DEV_BANNER_CLASS,
    PolicyError,
    content_security_policy,
    headers_file,
    script_hash,
    secure_page,
    worker_source,
)
from keyguide.browser.theme import AllowedScripts

from policykit import as_sets, check_headers, expected_policy, parse_policy

ROOT = Path(__file__).resolve().parents[3]
WORKER = "assets/javascripts/workers/search.a7633da7.min.js"


def test_the_parser_sees_a_weakened_policy() -> None:
    """Positive control: the comparison below fails for a policy with one source too many."""
    weakened = content_security_policy(["'sha256-abc'"]).replace("connect-src 'self'", "connect-src 'self' https:")
    assert as_sets(parse_policy(weakened)) != expected_policy(["'sha256-abc'"], "'self'")


def test_every_directive_of_the_meta_policy() -> None:
    policy = parse_policy(content_security_policy(["'sha256-abc'"], worker="https://k.example/" + WORKER))
    assert as_sets(policy) == expected_policy(["'sha256-abc'"], "https://k.example/" + WORKER)
    assert policy["script-src"][:2] == ["'self'", "'wasm-unsafe-eval'"]
    for source in policy["script-src"]:
        assert source in ("'self'", "'wasm-unsafe-eval'") or source.startswith("'sha256-"), source


def test_header_policy_adds_only_frame_ancestors() -> None:
    policy = parse_policy(content_security_policy([], header=True))
    assert as_sets(policy) == expected_policy([], "'self'", header=True)


def test_serve_policy_has_no_hashes_and_allows_inline_scripts() -> None:
    """mkdocs serve injects a live-reload script whose text changes per request: no hash can name it."""
    policy = as_sets(parse_policy(content_security_policy(["'sha256-abc'"], worker="'self'", serving=True)))
    expected = expected_policy([], "'self'")
    expected["script-src"] = {"'self'", "'wasm-unsafe-eval'", "'unsafe-inline'"}
    assert policy == expected


@pytest.mark.parametrize(
    ("site_url", "worker"),
    [
        ("https://keys.example.com/", f"https://keys.example.com/{WORKER}"),
        ("https://keys.example.com:8443/docs/", f"https://keys.example.com:8443/docs/{WORKER}"),
        ("https://owner.github.io/keyguide", f"https://owner.github.io/keyguide/{WORKER}"),
        ("http://127.0.0.1:8000/", f"http://127.0.0.1:*/{WORKER} http://localhost:*/{WORKER}"),
        (None, "'self'"),
    ],
)
def test_worker_src_names_the_one_worker(site_url: str | None, worker: str) -> None:
    assert worker_source(site_url, WORKER) == worker
    assert worker_source(site_url, None) == "'none'"


def test_script_hash_is_what_a_browser_computes() -> None:
    digest = base64.b64encode(hashlib.sha256(b"var a = 1;\n").digest()).decode()
    assert script_hash("var a = 1;\r\n") == script_hash("var a = 1;\r") == f"'sha256-{digest}'"


PAGE = """<!doctype html><html><head>
<meta charset="utf-8"><title>t</title>
<script>var a = 1;</script>
<script id="__config" type="application/json">{"base": ".."}</script>
</head><body><p>x</p></body></html>"""
ALLOWED = AllowedScripts(
    frozenset({((), "var a = 1;")}), frozenset({(("id", "__config"), ("type", "application/json"))})
)


def test_policy_and_meta_tags_go_first_in_head_once() -> None:
    page = secure_page(PAGE, "default-src 'none'")
    head = page.split("<title>")[0]
    charset = head.index('<meta charset="utf-8">') + len('<meta charset="utf-8">')
    assert head.index('<meta http-equiv="Content-Security-Policy"') == charset
    assert '<meta name="referrer" content="no-referrer">' in head
    assert '<meta http-equiv="x-dns-prefetch-control" content="off">' in head
    with pytest.raises(PolicyError):
        secure_page(page, "default-src 'none'")
    with pytest.raises(PolicyError, match="no <head>"):
        secure_page("<p>fragment</p>", "default-src 'none'")


def test_a_page_gets_exactly_its_theme_script_hashes() -> None:
    assets = BrowserAssets(ROOT, site_url="http://127.0.0.1:8000/")
    page = assets.secure_html(PAGE, where="p.md", page_dir="", allowed=ALLOWED)
    meta = page.split('<meta http-equiv="Content-Security-Policy" content="')[1].split('"')[0]
    assert parse_policy(meta)["script-src"] == ["'self'", "'wasm-unsafe-eval'", script_hash("var a = 1;")]
    assert DEV_BANNER_CLASS not in page


def test_serving_gets_the_dev_policy_and_a_banner() -> None:
    assets = BrowserAssets(ROOT, site_url="http://127.0.0.1:8000/", serving=True)
    page = assets.secure_html(PAGE, where="p.md", page_dir="", allowed=ALLOWED)
    meta = page.split('<meta http-equiv="Content-Security-Policy" content="')[1].split('"')[0]
    assert "'unsafe-inline'" in parse_policy(meta)["script-src"]
    assert not [s for s in parse_policy(meta)["script-src"] if s.startswith("'sha")]
    body = page.split("<body>")[1]
    assert body.startswith(f'<div class="{DEV_BANNER_CLASS}" role="note"')
    assert "Development server" in body and "protections differ" in body


def test_headers_file_every_header_parsed() -> None:
    check_headers(
        headers_file(["'sha256-b'", "'sha256-a'", "'sha256-a'"], worker="'self'"),
        ["'sha256-a'", "'sha256-b'"],
        "'self'",
    )


def test_headers_check_fails_on_a_missing_header() -> None:
    """Positive control for check_headers."""
    text = headers_file([], worker="'self'").replace("  X-Frame-Options: DENY\n", "")
    with pytest.raises(AssertionError):
        check_headers(text, [], "'self'")


def test_headers_collect_every_page_hash() -> None:
    assets = BrowserAssets(ROOT, site_url="http://127.0.0.1:8000/")
    other = AllowedScripts(frozenset({((), "var b = 2;")}), ALLOWED.data)
    assets.secure_html(PAGE, where="a.md", page_dir="", allowed=ALLOWED)
    assets.secure_html(PAGE.replace("var a = 1;", "var b = 2;"), where="b.md", page_dir="", allowed=other)
    hashes = sorted([script_hash("var a = 1;"), script_hash("var b = 2;")])
    check_headers(assets.extra_site_files()["_headers"], hashes, "'self'")

"""Our page assets as published: the loader linked to a fingerprinted checker.js, the stylesheet inlined and
named by the policy, a year's cache for files named by their content, and the Pyodide memory snapshot."""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import re
import struct
from pathlib import Path

import pytest

from keyguide.browser.assets import (
    CHECKER_URI,
    LOADER_URI,
    fingerprinted,
    inline_style,
    is_loader,
    long_cache_paths,
    page_scripts,
)
from keyguide.browser.integrity import add_integrity, sri_digest
from keyguide.browser.policy import content_security_policy, headers_file, script_hash
from keyguide.browser.runtime import BrowserAssetsError
from keyguide.browser.scan import scan_page
from keyguide.browser.snapshot import Snapshot, SnapshotStore

from policykit import as_sets, check_headers, expected_policy, parse_policy

ROOT = Path(__file__).resolve().parents[3]
LOADER = (ROOT / "content/assets/keyguide/loader.js").read_bytes()
CHECKER = b"(function () { /* checker */ })();\n"
# Pyodide's snapshot header (pyodide.asm.mjs, makeSnapshot): a magic number, then the offset of the memory.
SNAPSHOT_MAGIC = 1886286592


def sha384(content: bytes) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(content).digest()).decode()


# ---- the loader and checker.js ------------------------------------------------------------------------------


def test_the_loader_names_checker_js_by_its_content_and_carries_its_digest() -> None:
    scripts = page_scripts(LOADER, CHECKER)
    checker_name = f"checker.{hashlib.sha256(CHECKER).hexdigest()[:12]}.js"
    assert scripts[f"assets/keyguide/{checker_name}"] == CHECKER
    (loader_uri,) = [uri for uri in scripts if uri != f"assets/keyguide/{checker_name}"]
    linked = scripts[loader_uri]
    assert loader_uri == f"assets/keyguide/loader.{hashlib.sha256(linked).hexdigest()[:12]}.js"
    text = linked.decode()
    assert f'var CHECKER = "{checker_name}";' in text
    assert f'var INTEGRITY = "{sha384(CHECKER)}";' in text
    # Only those two lines changed.
    assert len(text.splitlines()) == len(LOADER.decode().splitlines())


def test_another_checker_gives_another_loader() -> None:
    one, other = page_scripts(LOADER, CHECKER), page_scripts(LOADER, CHECKER + b"\n")
    assert set(one).isdisjoint(other)


def test_a_loader_without_the_lines_the_build_writes_stops_the_build() -> None:
    with pytest.raises(BrowserAssetsError, match="var INTEGRITY"):
        page_scripts(LOADER.replace(b'var INTEGRITY = "";', b'var INTEGRITY = "x";'), CHECKER)
    doubled = LOADER + b'\nvar CHECKER = "checker.js";\n'
    with pytest.raises(BrowserAssetsError, match="found 2"):
        page_scripts(doubled, CHECKER)


@pytest.mark.parametrize(
    ("uri", "loader"),
    [
        (LOADER_URI, True),
        ("assets/keyguide/loader.0123456789ab.js", True),
        ("assets/keyguide/loader.0123.js", False),
        (CHECKER_URI, False),
        ("assets/other/loader.js", False),
    ],
)
def test_is_loader(uri: str, loader: bool) -> None:
    assert is_loader(uri) is loader


def test_fingerprinted() -> None:
    assert fingerprinted("a/b.min.js", b"x") == f"a/b.min.{hashlib.sha256(b'x').hexdigest()[:12]}.js"


# ---- the inlined stylesheet -----------------------------------------------------------------------------------


def test_a_stylesheet_is_inlined_in_place_of_its_link_and_others_keep_their_integrity() -> None:
    files = {"assets/keyguide/keyguide.css": b".kg{}", "assets/theme.css": b"p{}"}
    html = (
        '<head><link rel="stylesheet" href="../assets/theme.css">'
        '<link rel="stylesheet" href="../assets/keyguide/keyguide.css"></head>'
    )
    inline = {"assets/keyguide/keyguide.css": ".kg{}"}
    out = add_integrity(
        html,
        scan_page(html).loads,
        "p",
        lambda uri: sri_digest(files[uri]) if uri in files else None,
        inline_of=inline.get,
    )
    assert out == (
        f'<head><link rel="stylesheet" href="../assets/theme.css" integrity="{sha384(b"p{}")}" '
        'crossorigin="anonymous"><style>.kg{}</style></head>'
    )


def test_a_stylesheet_that_would_end_its_style_element_is_refused() -> None:
    with pytest.raises(BrowserAssetsError, match="</style"):
        inline_style("p{} </STYLE><script>alert(1)</script>", "x.css")


def test_the_policy_names_the_inlined_style_and_no_other() -> None:
    style = script_hash(".kg{}")
    policy = as_sets(parse_policy(content_security_policy(["'sha256-s'"], style_hashes=[style])))
    assert policy == expected_policy(["'sha256-s'"], "'self'", styles=[style])
    assert "'unsafe-inline'" not in policy["style-src"] and policy["style-src-attr"] == {"'unsafe-inline'"}
    # Positive control: without a hash the policy allows every inline style, as before.
    plain = as_sets(parse_policy(content_security_policy(["'sha256-s'"])))
    assert plain["style-src"] == {"'self'", "'unsafe-inline'"} and "style-src-attr" not in plain
    # Under serve the dev policy keeps 'unsafe-inline' (its banner is styled inline).
    served = as_sets(parse_policy(content_security_policy([], serving=True, style_hashes=[style])))
    assert served["style-src"] == {"'self'", "'unsafe-inline'"}


# ---- a year's cache ----------------------------------------------------------------------------------------------


def test_only_files_named_by_their_content_get_a_years_cache() -> None:
    uris = [
        "assets/javascripts/bundle.79ae519e.min.js",
        "assets/stylesheets/main.57a0d79d.min.css",
        "assets/keyguide/checker.0123456789ab.js",
        "assets/keyguide/checker-0123456789abcdef.snapshot.gz",
        "assets/keyguide/runtime.json",
        "assets/keyguide/venues.json",
        "assets/keyguide/keyguide_checker-0.1.0-py3-none-any.whl",
        "assets/pyodide/pyodide.asm.wasm",
        "venues/kraken-spot/index.html",
    ]
    assert long_cache_paths(uris, "/site/") == [
        "/site/assets/javascripts/bundle.79ae519e.min.js",
        "/site/assets/keyguide/checker-0123456789abcdef.snapshot.gz",
        "/site/assets/keyguide/checker.0123456789ab.js",
        "/site/assets/stylesheets/main.57a0d79d.min.css",
    ]
    text = headers_file(["'sha256-a'"], long_cache=["/x.0123456789ab.js"], style_hashes=["'sha256-s'"])
    check_headers(text, ["'sha256-a'"], "'self'", styles=["'sha256-s'"], long_cache=["/x.0123456789ab.js"])


def test_headers_check_fails_on_a_long_cache_for_every_path() -> None:
    """Positive control: the reader notices a year's cache where the policy rule is."""
    text = headers_file([]).replace("/*\n", "/*\n  Cache-Control: public, max-age=31536000, immutable\n")
    with pytest.raises(AssertionError):
        check_headers(text, [], "'self'")


# ---- the memory snapshot --------------------------------------------------------------------------------------


def test_the_store_keeps_a_snapshot_by_its_inputs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    made: list[bytes] = []

    def fake_make(runtime: dict[str, bytes], wheel: bytes, packages: list[bytes]) -> Snapshot:
        made.append(wheel)
        return Snapshot(gzip.compress(b"memory of " + wheel, mtime=0), ("json/", "json/__init__.py"))

    monkeypatch.setattr("keyguide.browser.snapshot.make_snapshot", fake_make)
    store = SnapshotStore(tmp_path / "snapshots", keep=2)
    runtime, hashes = {"pyodide.mjs": b"js"}, {"pyodide.mjs": "ab"}
    first = store.get_or_make(runtime, hashes, b"wheel 1", [b"ecdsa"])
    assert store.get_or_make(runtime, hashes, b"wheel 1", [b"ecdsa"]) == first and made == [b"wheel 1"]
    assert first.archive == ("json/", "json/__init__.py")  # the archive's listing is kept with it
    # Another Pyodide file (its manifest hash), another wheel or another signing package: made again.
    store.get_or_make(runtime, {"pyodide.mjs": "cd"}, b"wheel 1", [b"ecdsa"])
    store.get_or_make(runtime, hashes, b"wheel 2", [b"ecdsa"])
    store.get_or_make(runtime, hashes, b"wheel 2", [b"ecdsa 2"])
    assert made == [b"wheel 1", b"wheel 1", b"wheel 2", b"wheel 2"]
    # The newest two, each beside its listing, no temporary file left.
    assert sorted(path.suffix for path in (tmp_path / "snapshots").iterdir()) == [".gz", ".gz", ".json", ".json"]
    assert first.filename == f"checker-{hashlib.sha256(first.content).hexdigest()[:16]}.snapshot.gz"


def test_the_built_site_publishes_a_snapshot_named_and_listed_by_its_digest(built_site: Path) -> None:
    """The page restores it only if its bytes match runtime.json (checker.js), as for the wheel."""
    runtime = json.loads((built_site / "assets/keyguide/runtime.json").read_text(encoding="utf-8"))
    entry = runtime["snapshot"]
    content = (built_site / "assets/keyguide" / entry["file"]).read_bytes()
    digest = hashlib.sha256(content).hexdigest()
    assert entry["sha256"] == digest and re.fullmatch(rf"checker-{digest[:16]}\.snapshot\.gz", entry["file"])
    memory = gzip.decompress(content)
    magic, offset = struct.unpack("<2I", memory[:8])
    assert magic == SNAPSHOT_MAGIC and 0 < offset < len(memory)
    # The checker wheel of this build is what it imported: the snapshot holds its module names.
    assert b"checker.browser" in memory

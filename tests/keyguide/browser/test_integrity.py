"""Subresource Integrity: every load resolved to a published file and tagged with the hash of its bytes."""

from __future__ import annotations

import base64
import hashlib

import pytest

from keyguide.browser.integrity import add_integrity, site_uri, sri_digest
from keyguide.browser.policy import PolicyError
from keyguide.browser.scan import scan_page

FILES = {"assets/app.js": b"console.log(1)\n", "assets/site.css": b"p{color:red}"}


def digest_of(uri: str) -> str | None:
    content = FILES.get(uri)
    return None if content is None else sri_digest(content)


@pytest.mark.parametrize(
    ("url", "page_dir", "site_path", "uri"),
    [
        ("../../assets/app.js", "venues/x", "/", "assets/app.js"),
        ("assets/app.js?v=1#x", "", "/", "assets/app.js"),
        ("/assets/app.js", "", "/", "assets/app.js"),
        ("/keyguide/assets/app.js", "", "/keyguide/", "assets/app.js"),
        ("/other/assets/app.js", "", "/keyguide/", None),
        ("https://cdn.example/app.js", "", "/", None),
        ("//cdn.example/app.js", "", "/", None),
        ("data:text/javascript,1", "", "/", None),
    ],
)
def test_site_uri(url: str, page_dir: str, site_path: str, uri: str | None) -> None:
    assert site_uri(url, page_dir, site_path) == uri


def test_every_load_gets_its_integrity() -> None:
    html = '<head><link rel="stylesheet" href="../assets/site.css"><script src="../assets/app.js"></script></head>'
    result = add_integrity(html, scan_page(html).loads, "sub", digest_of)
    expected = "sha384-" + base64.b64encode(hashlib.sha384(FILES["assets/app.js"]).digest()).decode()
    assert f'<script src="../assets/app.js" integrity="{expected}" crossorigin="anonymous"></script>' in result
    assert (
        f'href="../assets/site.css" integrity="{sri_digest(FILES["assets/site.css"])}" crossorigin="anonymous">'
        in result
    )
    assert [load.url for load in scan_page(result).loads] == ["../assets/site.css", "../assets/app.js"]


@pytest.mark.parametrize(
    ("tag", "problem"),
    [
        ('<script src="https://cdn.example/x.js"></script>', "which this site does not publish"),
        ('<script src="missing.js"></script>', "which this site does not publish"),
        ('<link rel="stylesheet" href="//fonts.example/css">', "which this site does not publish"),
        ('<script src="assets/app.js" integrity="sha384-AAAA"></script>', "carries integrity 'sha384-AAAA'"),
        ('<script src="assets/app.js" crossorigin="use-credentials"></script>', "carries crossorigin="),
    ],
)
def test_a_load_the_site_cannot_vouch_for_is_refused(tag: str, problem: str) -> None:
    with pytest.raises(PolicyError, match=problem):
        add_integrity(tag, scan_page(tag).loads, "", digest_of)

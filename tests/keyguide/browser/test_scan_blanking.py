"""The fast page scan (inert tags blanked before parsing) reports exactly what the full parse reports.

Equivalence is checked on every page of real builds (the site and a 30-venue synthetic site, read from disk)
against `scan_page(html, blank_inert=False)`; the adversarial cases carry hand-written expectations, and each
hazard case is a positive control: the hazard is reported.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import sites
from keyguide.browser.scan import (
    _INERT_ATTRIBUTES,
    _INERT_ELEMENTS,
    _URL_ATTRS,
    InlineScript,
    _blank_inert,
    _parse_blanked,
    scan_page,
)

SHELL = (
    '<!doctype html><html><head><meta charset="utf-8"><script>var theme=1</script>'
    '<link rel="stylesheet" href="../assets/site.css"></head><body>'
)
NAV = (
    '<nav class="md-nav" aria-label="Navigation"><ul class="md-nav__list" data-md-scrollfix>'
    '<li class="md-nav__item"><a href="../x/" class="md-nav__link"><span class="md-ellipsis">X</span></a></li>'
    '<li class="md-nav__item"><input class="md-toggle" type="checkbox" id="__nav_2" checked>'
    '<label class="md-nav__link" for="__nav_2" tabindex="0">Y</label></li></ul></nav>'
)


def page(body: str) -> str:
    return f"{SHELL}{NAV}{body}{NAV}</body></html>"


def same_scan(html: str) -> None:
    assert scan_page(html) == scan_page(html, blank_inert=False)


# ---- every page of real builds ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def synthetic_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 30-venue synthetic site (bench.sites), built as the benchmark builds it."""
    work = tmp_path_factory.mktemp("synthetic")
    project = sites.synthetic_project(work, 30)
    site = work / "site"
    sites.build(project / "mkdocs.yml", site)
    return site


def assert_fast_scan_equals_full_scan(site: Path) -> None:
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 10
    tags_before = tags_after = loads = 0
    for path in pages:
        html = path.read_text(encoding="utf-8")
        blanked, runs = _blank_inert(html)
        assert _parse_blanked(html) is not None, f"{path}: fell back to the full parse"
        full = scan_page(html, blank_inert=False)
        assert scan_page(html) == full, path
        for load in full.loads:  # offsets checked against the page itself, not against the other scan
            assert html.startswith(load.tag, load.start), path
        loads += len(full.loads)
        tags_before += html.count("<")
        tags_after += blanked.count("<")
        assert len(blanked) == len(html)
        assert all(blanked[start:end].isspace() for start, end in runs)
    assert loads >= len(pages)  # the comparison covers loads, not only empty scans
    assert tags_after < tags_before / 5  # the nav and content tags are blanked: most of the parse is skipped


def test_every_page_of_the_site_scans_the_same(built_site: Path) -> None:
    assert_fast_scan_equals_full_scan(built_site)


def test_every_page_of_a_synthetic_site_scans_the_same(synthetic_site: Path) -> None:
    assert_fast_scan_equals_full_scan(synthetic_site)


# ---- what is blanked ----------------------------------------------------------------------------------------


def test_inert_tags_and_the_text_between_them_are_blanked_offsets_kept() -> None:
    html = '<ul class="a">\n<li class="b"><a href="../x/">X &amp; Y</a></li>\n</ul><script src="app.js"></script>'
    blanked, runs = _blank_inert(html)
    assert runs == [(0, html.index("<script"))]
    assert blanked == " " * html.index("<script") + '<script src="app.js"></script>'
    load = scan_page(html).loads[0]
    assert (load.start, load.tag, load.url) == (html.index("<script"), '<script src="app.js">', "app.js")


def test_the_lists_hold_no_handler_load_or_special_element() -> None:
    assert not [name for name in _INERT_ATTRIBUTES if name.startswith("on")]
    assert {name for name in _INERT_ATTRIBUTES if name in _URL_ATTRS} == {"href"}
    assert not {"src", "style", "srcset", "action", "formaction", "xlink:href", "data"} & set(_INERT_ATTRIBUTES)
    special = {"script", "style", "link", "meta", "base", "form", "img", "iframe", "object", "embed", "source"}
    special |= {"svg", "math", "textarea", "title", "xmp", "noembed", "noframes", "noscript", "plaintext"}
    special |= {"template", "html", "head", "body", "frameset", "frame", "object", "applet", "video", "audio"}
    assert not special & set(_INERT_ELEMENTS)


@pytest.mark.parametrize(
    "tag",
    [
        '<a href="javascript:alert(1)">',
        '<a href="&#106;avascript:alert(1)">',
        '<a href=" javascript:alert(1)">',
        '<a href="data:text/html,x">',
        '<a class="x" onclick="y">',
        '<A class="x">',
        '<a CLASS="x">',
        "<a class=x>",
        "<a class='x'>",
        '<a class="x" style="color:red">',
        '<div data="javascript:x">',
        '<img class="x">',
        '<svg class="x">',
        '<textarea class="x">',
        '<a class="x"id="y">',
        '<a class="x" / >',
        '<a title="a&amp;b">',
    ],
)
def test_anything_not_plainly_inert_is_left_to_the_parser(tag: str) -> None:
    assert _blank_inert(f"<form>{tag}t</form>") == (f"<form>{tag}t</form>", [])


def test_newlines_in_an_inert_tag_keep_every_later_offset() -> None:
    html = '<a\nclass="x"\nhref="../y/">y</a>\n<link rel="stylesheet" href="s.css">'
    assert _blank_inert(html)[1] == [(0, html.index("<link"))]
    load = scan_page(html).loads[0]
    assert (load.start, load.tag) == (html.index("<link"), '<link rel="stylesheet" href="s.css">')


# ---- hazards amid blanked markup: each one reported ---------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "hazard"),
    [
        ('<a href="javascript:alert(1)">x</a>', "a javascript: URL in href= on <a>"),
        ('<a href="&#106;avascript:alert(1)">x</a>', "a javascript: URL in href= on <a>"),
        ('<a href="VBScript:x">x</a>', "a VBScript: URL in href= on <a>"),
        ('<a class="x" onclick="y()">x</a>', "event-handler attribute onclick= on <a>"),
        ('<A CLASS="x" ONCLICK="y()">x</A>', "event-handler attribute onclick= on <a>"),
        ("<a class=x onclick=y()>x</a>", "event-handler attribute onclick= on <a>"),
        ('<a\nclass="x"\nonclick="y()">x</a>', "event-handler attribute onclick= on <a>"),
        ('<li class="b" onmouseover="y()">x</li>', "event-handler attribute onmouseover= on <li>"),
        ('<details class="x" ontoggle="y()">x</details>', "event-handler attribute ontoggle= on <details>"),
        ('<div data="javascript:x()">x</div>', "a javascript: URL in data= on <div>"),
        ('<meta http-equiv="refresh" content="0;url=https://evil.example/">', "<meta http-equiv=refresh>"),
        # An inert-looking tag inside a single-quoted attribute value of a tag that carries a handler.
        ('<div title=\'<a class="x">\' onclick="y()">x</div>', "event-handler attribute onclick= on <div>"),
        # Bogus comment `<!x <a class="b"`: blanking the <a> would stretch it over the <img>, hiding it.
        ('<!x <a class="b"> <img src="x" onerror="y()">', "event-handler attribute onerror= on <img>"),
        # `==` and `= '`: the quoted value closes only inside the run; blanked, the parser reads `title` another
        # way and the handler after the run would be text.
        ('<div title==\'x> <a class="b">\' onclick="y()">x</div>', "event-handler attribute onclick= on <div>"),
        ('<div title= \'x> <a class="b">\' onclick="y()">x</div>', "event-handler attribute onclick= on <div>"),
        # A comment closed by `-- >` inside the run.
        ('<!-- x <a class="b">y -- > <img src="x" onerror="y()">', "event-handler attribute onerror= on <img>"),
        # A <script the parser reads as comment text: the count differential, with inert tags all around.
        ('<p class="x"><!-- <script>x()</script> --></p>', "markup a browser may read differently"),
    ],
)
def test_hazards_are_reported_among_blanked_tags(body: str, hazard: str) -> None:
    html = page(body)
    found = scan_page(html).hazards
    assert len(found) == 1
    assert hazard in found[0]
    same_scan(html)


def test_a_tag_like_run_inside_markup_falls_back_to_the_full_parse() -> None:
    """The parser is not in plain text where these runs are: the blanked copy is discarded."""
    for body in (
        '<div title=\'<a class="x">\' onclick="y()">x</div>',
        '<!x <a class="b"> <img src="x" onerror="y()">',
        '<div title=<a class="x"><script>alert(1)</script>',
        '<script title="</script>">var a = \'<a class="x">\';</script>',
        '<script>x()</script<a class="b">> y</script>',
        '<div title==\'x> <a class="b">\' onclick="y()">x</div>',
        '<link rel="stylesheet" href=="x.css> <a class="b">t</a>',
        '<!-- x <a class="b">y -- > z',
    ):
        html = page(body)
        start = html.index(body)
        runs = _blank_inert(html)[1]
        assert [run for run in runs if start <= run[0] < start + len(body)], body  # a run in `body` is blanked ...
        assert _parse_blanked(html) is None, body  # ... but the blanked copy is not trusted


def test_an_unquoted_value_ending_at_an_inert_tag_keeps_the_script_after_it() -> None:
    # <div title=<a class="x">: the <a ...> closes the <div>. Blanked, the <div> would swallow `<script`.
    html = page('<div title=<a class="x"><script>alert(1)</script>')
    scan = scan_page(html)
    assert scan.inline_scripts == (InlineScript((), "var theme=1"), InlineScript((), "alert(1)"))
    assert scan.hazards == ()


@pytest.mark.parametrize(
    ("body", "text"),
    [
        ("<script>document.write('<a class=\"x\">')</script>", "document.write('<a class=\"x\">')"),
        ('<script>x()</script<a class="b">> y</script>', 'x()</script<a class="b">> y'),
        ('<script title="</script>">var a = \'<a class="x">\';</script>', "var a = '<a class=\"x\">';"),
        ("<SCRIPT>var s = '<li class=\"m\">';</SCRIPT>", "var s = '<li class=\"m\">';"),
    ],
)
def test_inline_script_text_is_exact(body: str, text: str) -> None:
    """The text a CSP hash is taken of: inert-looking tags inside a script are the script's, never blanked."""
    scripts = scan_page(page(body)).inline_scripts
    assert [script.text for script in scripts] == ["var theme=1", text]


def test_links_are_not_loads_but_scripts_and_stylesheets_are() -> None:
    """`<a href="//evil">` is a navigation the scan never reported (it is blanked); loads from it are kept."""
    html = page(
        '<a href="//evil.example/x">x</a><a href="https://evil.example/">y</a>'
        '<script src="//evil.example/x.js"></script><link rel="stylesheet" href="//evil.example/x.css">'
    )
    blanked = _blank_inert(html)[0]
    assert '//evil.example/x"' not in blanked
    assert 'https://evil.example/"' not in blanked
    scan = scan_page(html)
    assert scan.hazards == ()
    assert [load.url for load in scan.loads] == ["../assets/site.css", "//evil.example/x.js", "//evil.example/x.css"]
    for load in scan.loads:
        assert html.startswith(load.tag, load.start)
    same_scan(html)


def test_a_load_whose_quoted_value_closes_inside_a_run_keeps_its_url() -> None:
    html = page('<link rel="stylesheet" href=="x.css> <a class="b">t</a>')
    loads = scan_page(html).loads
    assert [load.url for load in loads] == ["../assets/site.css", "x.css> <a class="]
    assert loads[1].tag == '<link rel="stylesheet" href=="x.css> <a class="b">'


def test_markup_the_parser_cannot_read_fails_alike() -> None:
    """html.parser raises on an unknown marked section; the fast path leaves the page to the full parse, which
    reports it as a hazard (the build names the page) instead of a traceback."""
    html = page('<![foo <a class="x">]]>')
    expected = ("markup the HTML parser cannot read (unknown status keyword 'foo ' in marked section)",)
    assert scan_page(html, blank_inert=False).hazards == expected
    assert scan_page(html).hazards == expected

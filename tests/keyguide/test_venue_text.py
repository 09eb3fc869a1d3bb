"""Venue text is Markdown only: what a writer could use to put markup or script on a reader's page is named."""

from __future__ import annotations

import pytest

from keyguide.venue_text import text_problem


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Click <script>alert(1)</script>", "raw HTML ('<script')"),
        ("<img src=x onerror=alert(1)>", "raw HTML ('<img')"),
        ('<meta http-equiv="refresh" content="0;url=https://x.example">', "raw HTML ('<meta')"),
        ("</div>", "raw HTML ('</div')"),
        ("Hidden <!-- note -->", "an HTML comment ('<!--')"),
        ('Title {: onclick="x()" }', "an attribute list ('{: onclick=')"),
        ("Title {#new-id}", "an attribute list ('{#n')"),
        ("Title {.evil}", "an attribute list ('{.e')"),
        ("[docs](javascript:alert(1))", "a javascript: link"),
        ("[docs]( JavaScript:alert(1))", "a javascript: link"),
        ("[img](data:text/html;base64,PHNjcmlwdD4=)", "a data: link"),
        ("See [docs].\n\n[docs]: javascript:alert(1)", "a javascript: link"),
        ("<javascript:alert(1)>", "a javascript: link"),
    ],
)
def test_markup_is_named_with_its_position(text: str, found: str) -> None:
    problem = text_problem(text)
    assert problem is not None and problem.startswith(found + " at character ")


@pytest.mark.parametrize(
    "text",
    [
        "Plain **Markdown** with a [link](https://docs.example.com/auth) and `code`.",
        "Literal markup in code is text: `<script>`, `{: x=1 }` and `[a](javascript:b)`.",
        "A fence:\n\n```text\n<your key> {#id}\n```\n",
        "An autolink <https://docs.example.com> and a comparison: 1 < 2, a > b.",
        'JSON in prose `{"code": -2015}` and a KuCoin message with {param0} in it.',
    ],
)
def test_plain_markdown_passes(text: str) -> None:
    assert text_problem(text) is None

"""Venue text is Markdown and nothing else: no raw HTML, HTML comments, attribute lists or script links.

A venue file is data, yet its text lands in every reader's page. Python-Markdown passes raw HTML through and
attr_list turns `{: onclick=… }` into attributes, so one careless (or hostile) line in a YAML file could run
script on the page that holds a reader's secret. Writers get a `file:line: field: problem` error instead.
Code spans and fenced code are literal text, so what they contain is allowed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from pydantic import AnyUrl, BaseModel

from .yamlsource import Path

# Fields shown literally (through the `code`/`fence` filters), never as Markdown: paths of field names, list
# indices left out.
_LITERAL: frozenset[tuple[str, ...]] = frozenset(
    {
        ("quick_facts", "ccxt_id"),
        ("credentials", "format"),
        ("credentials", "samples"),
        ("errors", "code"),
        ("errors", "aliases"),
        ("signing", "scheme"),
        ("signing", "base_url"),
        ("signing", "params"),
        ("signing", "test_request"),
        ("signing", "example", "credentials"),
        ("signing", "example", "request"),
        ("signing", "example", "signature"),
        ("signing", "example", "prehash"),
        ("key_info", "audit"),
        ("key_info", "request"),
        ("key_info", "base_url"),
    }
)

_FENCE = re.compile(r"^(?P<fence>`{3,}|~{3,}).*?^(?P=fence)[ \t]*$", re.MULTILINE | re.DOTALL)
_CODE_SPAN = re.compile(r"(`+)(?!`).+?(?<!`)\1(?!`)", re.DOTALL)
_COMMENT = re.compile(r"<!--")
# An HTML tag or declaration: '<' then a letter, '/', '!' or '?'. Autolinks to http(s) are Markdown.
_TAG = re.compile(r"<(?!https?://[^\s>]+>)([A-Za-z/!?][^\s>]*)")
# attr_list: `{: …}`, `{#id}`, `{.class}`, `{key=value}`.
_ATTR_LIST = re.compile(r"\{:?[ \t]*(?:[#.][A-Za-z_-]|[A-Za-z_][\w-]*[ \t]*=)")
_SCHEMES = r"(?:javascript|vbscript|data|file)\s*:"
_SCRIPT_LINK = re.compile(
    rf"\]\(\s*<?\s*{_SCHEMES}|^\s{{0,3}}\[[^\]]+\]:\s*<?\s*{_SCHEMES}|<\s*{_SCHEMES}", re.IGNORECASE | re.MULTILINE
)


def _literal_free(text: str) -> str:
    """`text` with fenced code and code spans blanked out (same length, so positions still count)."""

    def blank(match: re.Match[str]) -> str:
        return re.sub(r"[^\n]", " ", match.group(0))

    return _CODE_SPAN.sub(blank, _FENCE.sub(blank, text))


def text_problem(text: str) -> str | None:
    """What makes `text` unsafe as venue Markdown, or None. Names what was found and where, never guesses."""
    scanned = _literal_free(text)
    found: list[tuple[int, str]] = []
    if match := _COMMENT.search(scanned):
        found.append((match.start(), "an HTML comment ('<!--')"))
    elif match := _TAG.search(scanned):
        found.append((match.start(), f"raw HTML ('<{match.group(1)[:20]}')"))
    if match := _ATTR_LIST.search(scanned):
        found.append((match.start(), f"an attribute list ('{scanned[match.start() : match.end()].strip()}')"))
    if match := _SCRIPT_LINK.search(scanned):
        scheme = re.search(_SCHEMES, scanned[match.start() :], re.IGNORECASE)
        name = scheme.group(0).rstrip(": \t").lower() if scheme else "script"
        found.append((match.start(), f"a {name}: link"))
    if not found:
        return None
    position, what = min(found)
    return (
        f"{what} at character {position + 1} is not allowed in venue text — write Markdown only; put literal "
        "text such as <your key> in backticks"
    )


def unsafe_text(model: BaseModel, path: Path = ()) -> Iterator[tuple[Path, str]]:
    """Every Markdown field of `model` (recursively) that holds something other than Markdown."""
    for name in type(model).model_fields:
        field_path = (*path, name)
        if tuple(part for part in field_path if isinstance(part, str)) not in _LITERAL:
            yield from _walk(getattr(model, name), field_path)


def _walk(value: Any, path: Path) -> Iterator[tuple[Path, str]]:
    if isinstance(value, BaseModel):
        yield from unsafe_text(value, path)
    elif isinstance(value, str) and not isinstance(value, AnyUrl):
        problem = text_problem(value)
        if problem is not None:
            yield path, problem
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _walk(item, (*path, index))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _walk(item, (*path, key))

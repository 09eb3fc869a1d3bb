"""Read a finished page the way the policy sees it: its inline scripts, event-handler attributes and loads.

Two readings guard each other: Python's HTML parser gives the tags and their exact text; a plain count of
`<script` in the source must agree with it, so markup the parser reads differently from a browser (a parser
differential) stops the build instead of slipping past it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from html.parser import HTMLParser

# Script types a browser runs (HTML "JavaScript MIME type essence match", plus module, import maps and
# speculation rules, which act too). Any other type is a data block, e.g. Material's __config JSON.
JAVASCRIPT_TYPES = frozenset(
    {
        "",
        "module",
        "importmap",
        "speculationrules",
        "application/ecmascript",
        "application/javascript",
        "application/x-ecmascript",
        "application/x-javascript",
        "text/ecmascript",
        "text/javascript",
        "text/javascript1.0",
        "text/javascript1.1",
        "text/javascript1.2",
        "text/javascript1.3",
        "text/javascript1.4",
        "text/javascript1.5",
        "text/jscript",
        "text/livescript",
        "text/x-ecmascript",
        "text/x-javascript",
    }
)
# Attributes whose value the browser may follow as a URL (a `javascript:` URL there is script).
_URL_ATTRS = frozenset({"href", "src", "action", "formaction", "xlink:href", "data", "poster"})
_SCRIPT_OPEN = re.compile(r"<script(?=[\s/>])", re.IGNORECASE)
_SCHEME_NOISE = re.compile(r"[\x00-\x20]+")


@dataclass(frozen=True)
class InlineScript:
    """A `<script>` without `src`, as written in the page."""

    attrs: tuple[tuple[str, str], ...]
    text: str

    @property
    def executable(self) -> bool:
        return script_type(dict(self.attrs)) in JAVASCRIPT_TYPES


@dataclass(frozen=True)
class Load:
    """A `<script src>` or `<link rel="stylesheet">`: a subresource that gets Subresource Integrity."""

    start: int  # offset of the tag in the page
    tag: str  # the start tag exactly as written
    url: str
    attrs: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class PageScan:
    inline_scripts: tuple[InlineScript, ...]
    loads: tuple[Load, ...]
    hazards: tuple[str, ...]  # markup no policy of ours may allow, described for the error


def script_type(attrs: dict[str, str]) -> str:
    return attrs.get("type", "").strip().lower()


def scan_page(html: str) -> PageScan:
    """The page's inline scripts, subresource loads and hazards (event handlers, `javascript:` URLs, refresh)."""
    parser = _Scanner(html)
    parser.feed(html)
    parser.close()
    hazards = list(parser.hazards)
    written = len(_SCRIPT_OPEN.findall(html))
    inside = sum(len(_SCRIPT_OPEN.findall(script.text)) for script in parser.inline_scripts)
    if written != parser.script_tags + inside:
        hazards.append(
            f"{written - inside} <script> tags in the source, {parser.script_tags} as parsed: "
            "markup a browser may read differently"
        )
    return PageScan(tuple(parser.inline_scripts), tuple(parser.loads), tuple(hazards))


def dump_scan(scan: PageScan) -> bytes:
    """`scan` as JSON, for the build cache (`load_scan` reads it back)."""
    data = {
        "inline_scripts": [[[list(pair) for pair in script.attrs], script.text] for script in scan.inline_scripts],
        "loads": [[load.start, load.tag, load.url, [list(pair) for pair in load.attrs]] for load in scan.loads],
        "hazards": list(scan.hazards),
    }
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


def load_scan(data: bytes) -> PageScan:
    """The `PageScan` that `dump_scan` wrote.

    Raises:
        ValueError: `data` is not what `dump_scan` writes.
    """
    try:
        raw = json.loads(data.decode("utf-8"))
        return PageScan(
            inline_scripts=tuple(InlineScript(_pairs(attrs), str(text)) for attrs, text in raw["inline_scripts"]),
            loads=tuple(Load(int(start), str(tag), str(url), _pairs(attrs)) for start, tag, url, attrs in raw["loads"]),
            hazards=tuple(str(hazard) for hazard in raw["hazards"]),
        )
    except (UnicodeDecodeError, KeyError, TypeError) as error:
        raise ValueError(f"not a stored page scan: {error}") from None


def _pairs(attrs: list[list[str]]) -> tuple[tuple[str, str], ...]:
    return tuple((str(name), str(value)) for name, value in attrs)


class _Scanner(HTMLParser):
    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self._line_starts = [0] + [match.end() for match in re.finditer("\n", html)]
        self.inline_scripts: list[InlineScript] = []
        self.loads: list[Load] = []
        self.hazards: list[str] = []
        self.script_tags = 0
        self._open_script: tuple[tuple[str, str], ...] | None = None
        self._script_text: list[str] = []

    def _offset(self) -> int:
        line, column = self.getpos()
        return self._line_starts[line - 1] + column

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        pairs = tuple((name, value or "") for name, value in attrs)
        values = dict(pairs)
        raw = self.get_starttag_text() or f"<{tag}>"
        for name, value in pairs:
            if name.startswith("on"):
                self.hazards.append(f"event-handler attribute {name}= on <{tag}>")
            if name in _URL_ATTRS and _SCHEME_NOISE.sub("", value).lower().startswith(("javascript:", "vbscript:")):
                self.hazards.append(f"a {value.split(':', 1)[0].strip()}: URL in {name}= on <{tag}>")
        if tag == "meta" and values.get("http-equiv", "").strip().lower() == "refresh":
            self.hazards.append("<meta http-equiv=refresh> (navigation no policy governs)")
        if tag == "script":
            self.script_tags += 1
            if "src" in values:
                self.loads.append(Load(self._offset(), raw, values["src"], pairs))
            else:
                self._open_script, self._script_text = pairs, []
        elif tag == "link" and "stylesheet" in values.get("rel", "").lower().split() and "href" in values:
            self.loads.append(Load(self._offset(), raw, values["href"], pairs))

    def handle_data(self, data: str) -> None:
        if self._open_script is not None:
            self._script_text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._open_script is not None:
            self.inline_scripts.append(InlineScript(self._open_script, "".join(self._script_text)))
            self._open_script = None

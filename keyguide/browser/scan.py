"""Read a finished page the way the policy sees it: its inline scripts, event-handler attributes and loads.

Two readings guard each other: Python's HTML parser gives the tags and their exact text; a plain count of
`<script` in the source must agree with it, so markup the parser reads differently from a browser (a parser
differential) stops the build instead of slipping past it. The differentials known to hide a handler rather
than a script are hazards of their own: a comment a browser ends early (`<!-->`, `<!--->`, `--!>`), markup in a
`<style>` inside `<svg>`/`<math>` (text to this parser, tags to a browser), an SVG `<animate>`/`<set>` aimed at
a URL attribute, and markup the parser refuses outright. Each may be a false alarm, never a miss; the page's
Content-Security-Policy blocks handlers and `javascript:` URLs regardless, this scan makes the build say so.

Speed: a guide page carries the whole site nav, thousands of `<li>`, `<a>`, `<span>` and `<label>` tags that
can never be a script, a load or a hazard, and the parser's per-tag cost was most of a build's scan time. So
the parser reads a copy of the page in which *inert* runs are blanked: each replaced by as many spaces, so
every other character keeps its offset (the scan reports offsets, never lines or columns). An inert run
(`_BLANKING`) starts with an inert tag and goes on over more inert tags and the text between them, up to the
next `<` that opens anything else. An inert tag is, exactly: a start tag of an element in `_INERT_ELEMENTS`
(never script, style, link, meta, base, form, img, iframe, object, embed, source, svg, textarea, title or
another element a browser's tokenizer or a load depends on), in lower case, whose attributes are names in
`_INERT_ATTRIBUTES` or `aria-*`/`data-*` (never `on…`, `src`, `action`, `formaction`, `style`), valueless or
double-quoted, values free of `"`, `<`, `>`, `&` and control characters, an `href` value with no `:` or
starting `http://`/`https://`; or an end tag `</name>` of such an element. Script, style and comment text is
matched whole and left as written. Read by the parser as a tag in text, an inert tag adds nothing to a scan:
no `on…` attribute, no `javascript:`/`vbscript:` URL, no meta refresh, no load, no script, no change of the
parser's state.

Where the parser stands is checked, not assumed: it notes where each token of the blanked copy starts, and
the copy's scan is kept only if every blanked run lies inside one plain text token (text outside script and
style that the parser did not take for junk markup) and no token may have been decided by text after its own
end. Most tokens end at the first `>`, `-->` or `<` (text) the parser searches for, so a token the blanking
cut short or stretched covers a run and fails the first test (e.g. a blank after `</script` or `--` that
would close something early). Two things search further: a quoted attribute value whose closing quote is
missing (the parser looks for it anywhere later, then reads the tag another way) and markup the parser gives
up on and hands on as text; so every start tag of the copy must be well quoted (`_WELL_QUOTED_TAG`) and no
junk may occur. Then the page itself tokenizes the same way, except that each run is inert tags and text,
and the copy yields exactly the page's scan: the same inline script texts, load offsets and tag texts,
hazards and `<script` count (counted on the page itself). Anything else, e.g. a tag-like run inside a quoted
attribute value, a comment, a script or an unclosed tag, and the page is parsed in full as written: never
another scan, at worst a slower one. `scan_page(html, blank_inert=False)` is that full reading, which the
tests compare against on every page of real builds.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from dataclasses import dataclass
from html.parser import HTMLParser
from itertools import accumulate

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
# SVG animation elements that can set another attribute, a link's href among them, to a value of their own.
_ANIMATIONS = frozenset({"animate", "set"})
_FOREIGN_ROOTS = frozenset({"svg", "math"})
_SCRIPT_OPEN = re.compile(r"<script(?=[\s/>])", re.IGNORECASE)
_SCHEME_NOISE = re.compile(r"[\x00-\x20]+")

# Elements whose tags may be blanked (module docstring). None is a script, a load or a navigation, none is
# special to Python's parser, and none changes how a browser's tokenizer reads what follows (not textarea,
# title, xmp, iframe, noembed, noframes, noscript, plaintext, style, script, template, nor svg or math, which
# switch to foreign content); the SVG shapes (last line) draw inside an <svg> whose own tag is left as it is.
_INERT_ELEMENTS = (
    *("a", "abbr", "article", "aside", "b", "blockquote", "br", "button", "caption", "code", "dd", "del"),
    *("details", "div", "dl", "dt", "em", "fieldset", "figcaption", "figure", "footer", "h1", "h2", "h3"),
    *("h4", "h5", "h6", "header", "hr", "i", "input", "ins", "kbd", "label", "legend", "li", "main", "mark"),
    *("nav", "ol", "option", "p", "pre", "q", "s", "samp", "section", "select", "small", "span", "strong"),
    *("sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul", "var"),
    *("circle", "ellipse", "g", "line", "path", "polygon", "polyline", "rect", "text", "tspan"),
)
# Attributes they may carry: none is an event handler, a style or a load, and `href` (a name in `_URL_ATTRS`)
# only with a value that can be no scheme but http(s). The last two lines are SVG geometry and paint.
_INERT_ATTRIBUTES = (
    *("autocapitalize", "autocomplete", "autocorrect", "checked", "class", "dir", "disabled", "for", "hidden"),
    *("href", "id", "lang", "name", "open", "placeholder", "required", "role", "rows", "spellcheck"),
    *("tabindex", "title", "translate", "type", "value"),
    *("cx", "cy", "d", "fill", "fill-opacity", "font-size", "font-weight", "height", "opacity", "points", "r"),
    *("rx", "ry", "stroke", "stroke-linecap", "stroke-linejoin", "stroke-opacity", "stroke-width"),
    *("text-anchor", "width", "x", "x1", "x2", "y", "y1", "y2"),
)
_INERT_PATTERN_ATTRIBUTES = (r"aria-[a-z]+", r"data-[a-z0-9]+(?:-[a-z0-9]+)*")


def _inert_tag_pattern() -> str:
    value = r"[^\"<>&\x00-\x1f\x7f]*"
    url_value = r"(?:https?://" + value + r"|[^\":<>&\x00-\x1f\x7f]*)"
    urls = sorted(name for name in _INERT_ATTRIBUTES if name in _URL_ATTRS)
    others = sorted(name for name in _INERT_ATTRIBUTES if name not in _URL_ATTRS)
    other = "(?:" + "|".join([*others, *_INERT_PATTERN_ATTRIBUTES]) + ")"
    attribute = rf"(?:(?:{'|'.join(urls)})=\"{url_value}\"|{other}(?:=\"{value}\")?)"
    name = "(?:" + "|".join(_INERT_ELEMENTS) + ")"
    return rf"<{name}(?:[ \t\n]+{attribute})*[ \t\n]*/?>|</{name}>"


# One pass over the page: text the parser must read as written (scripts, styles, comments) is matched whole
# and kept, so nothing inside it is blanked; an `inert` run is an inert tag and what follows it up to the
# next `<` that does not open another one (tags and text, all blanked at once).
_INERT_TAG = _inert_tag_pattern()
_BLANKING = re.compile(
    r"(?P<keep>(?is:<(?P<raw>script|style)[\s/>].*?</(?P=raw)|<!--.*?-->))"
    rf"|(?P<inert>(?:{_INERT_TAG})(?:{_INERT_TAG}|[^<]++)*+)"
)


# A start tag whose every quote delimits a value after `=`: the parser read it without trying a quoted value
# that had no closing quote (a try that reads on to the next quote anywhere later in the page, blanked or not).
_WELL_QUOTED_TAG = re.compile(
    r"""<[a-zA-Z][^\s"'<>/=]*(?:\s+[^\s"'<>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'<>=`]+))?)*\s*/?>"""
)


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


def scan_page(html: str, *, blank_inert: bool = True) -> PageScan:
    """The page's inline scripts, subresource loads and hazards (event handlers, `javascript:` URLs, refresh).

    `blank_inert=False` parses every tag; the default reads a copy with inert tags blanked when that provably
    gives the same scan (module docstring).
    """
    parser = _parse_blanked(html) if blank_inert else None
    if parser is None:
        parser = _Scanner(html)
        try:
            parser.feed(html)
            parser.close()
        except AssertionError as error:  # html.parser's way of refusing markup, e.g. `<![foo`
            return PageScan((), (), (f"markup the HTML parser cannot read ({error})",))
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


def _blank_inert(html: str) -> tuple[str, list[tuple[int, int]]]:
    """`html` with its inert runs blanked (as many spaces), and those runs as (start, end)."""
    runs: list[tuple[int, int]] = []

    def blank(match: re.Match[str]) -> str:
        if match.lastgroup == "keep":
            return match.group()
        runs.append(match.span())
        return " " * (match.end() - match.start())

    return _BLANKING.sub(blank, html), runs


def _parse_blanked(html: str) -> _Scanner | None:
    """The scanner after reading `html` with inert runs blanked; None where that could differ from `html`."""
    blanked, runs = _blank_inert(html)
    parser = _TokenScanner(blanked)
    try:
        parser.feed(blanked)
        parser.close()
    except AssertionError:  # html.parser's word for a marked section it cannot read: let the full parse say
        return None
    return parser if parser.in_plain_text(runs) else None


class _Scanner(HTMLParser):
    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self._html = html
        self._line_starts: list[int] = []  # offset of each line, computed when first needed
        self.inline_scripts: list[InlineScript] = []
        self.loads: list[Load] = []
        self.hazards: list[str] = []
        self.script_tags = 0
        self._open_script: tuple[tuple[str, str], ...] | None = None
        self._script_text: list[str] = []
        self._foreign = 0  # open <svg>/<math> elements: there a browser reads <style> text as markup
        self._foreign_style = False

    def _offset(self) -> int:
        line, column = self.getpos()
        if not self._line_starts:
            self._line_starts = list(accumulate((len(text) + 1 for text in self._html.split("\n")), initial=0))
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
        if tag in _ANIMATIONS and values.get("attributename", "").strip().lower() in _URL_ATTRS:
            self.hazards.append(f"<{tag}> changing {values['attributename'].strip()}= (a URL the scan cannot read)")
        if tag in _FOREIGN_ROOTS:
            self._foreign += 1
        elif tag == "style" and self._foreign:
            self._foreign_style = True
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
        if self._foreign_style and "<" in data:
            self.hazards.append(
                "markup in a <style> inside <svg> or <math> (a browser reads it as tags, this scan as text)"
            )

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._open_script is not None:
            self.inline_scripts.append(InlineScript(self._open_script, "".join(self._script_text)))
            self._open_script = None
        elif tag == "style":
            self._foreign_style = False
        elif tag in _FOREIGN_ROOTS and self._foreign:
            self._foreign -= 1

    def handle_comment(self, data: str) -> None:
        # A browser ends a comment at `<!-->`, `<!--->` and `--!>` too; this parser reads on to the next `-->`,
        # so whatever lies between would pass unread.
        if data.startswith((">", "->")) or "--!>" in data:
            self.hazards.append("a comment a browser ends earlier than this scan (<!-->, <!---> or --!>)")


class _TokenScanner(_Scanner):
    """The scanner, also noting where each token starts and whether it is plain text.

    Plain text is what the parser passes on between tags outside script and style: a text token that does not
    start with `<` (junk markup the parser hands on as text does).
    """

    def __init__(self, html: str) -> None:
        super().__init__(html)
        self._starts: list[int] = []
        self._plain: list[bool] = []
        self._read_ahead = False  # a token whose end may depend on text after it (module docstring)

    def in_plain_text(self, runs: list[tuple[int, int]]) -> bool:
        """Whether each (start, end) run lies inside one plain text token, and no token read past its end."""
        if self._read_ahead:
            return False
        starts, plain, count = self._starts, self._plain, len(self._starts)
        for start, end in runs:
            index = bisect_right(starts, start) - 1
            if index < 0 or not plain[index]:
                return False
            if (starts[index + 1] if index + 1 < count else len(self._html)) < end:
                return False
        return True

    def _note(self, plain: bool) -> None:
        self._starts.append(self._offset())
        self._plain.append(plain)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._note(False)
        if not _WELL_QUOTED_TAG.fullmatch(self.get_starttag_text() or ""):
            self._read_ahead = True
        super().handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        self._note(False)
        super().handle_endtag(tag)

    def handle_data(self, data: str) -> None:
        offset = self._offset()
        self._starts.append(offset)
        if self.cdata_elem is None:
            # Outside script and style, text starting with `<` is markup the parser gave up on (an unclosed
            # tag, comment or declaration, found by searching ahead): it may end elsewhere in the page.
            junk = self._html[offset] == "<"
            self._read_ahead |= junk
            self._plain.append(not junk)
        else:
            self._plain.append(False)
        super().handle_data(data)

    def handle_comment(self, data: str) -> None:
        self._note(False)
        super().handle_comment(data)

    def handle_decl(self, decl: str) -> None:
        self._note(False)

    def handle_pi(self, data: str) -> None:
        self._note(False)

    def unknown_decl(self, data: str) -> None:
        self._note(False)

    def handle_charref(self, name: str) -> None:
        self._note(False)

    def handle_entityref(self, name: str) -> None:
        self._note(False)

"""Render venues to Markdown pages with the Jinja templates in `macros/`.

Independent of MkDocs: the plugin (or any other engine) hands over validated `Venue` models and gets Markdown
back. All wording and markup live in the templates; this module only prepares values, supplies filters, and
refuses to render a page that would break the anchor contract (duplicate ids, dangling references).

Escaping, because the output is Markdown with embedded HTML:
- Markdown fields of the YAML (`body`, `why`, `cause`, `fix`, `answer`, ...) are inserted as Markdown.
- Plain-text fields placed in Markdown (labels, names, messages) go through `md` (backslash-escapes).
- Anything placed inside raw HTML (attribute values, element text) goes through Jinja's `e`.
- Literal strings (error codes, sample values) go through `code` (inline) or `fence` (block).
- Table cells go through `cell`, which keeps a value on one line and escapes pipes outside code spans.

With a build cache, compiled templates (Jinja's bytecode cache, checked against each template's source) and
rendered pages are kept for the next build. A page is stored under everything it is rendered from: the
templates folder's bytes, the site settings, the venue data it shows, the date, and the code (the cache's
fingerprint).
"""

from __future__ import annotations

import datetime
import hashlib
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemBytecodeCache, FileSystemLoader, StrictUndefined, select_autoescape

from checker import vocab
from checker.formats import describe_format
from checker.rules import load_format
from checker.schemes import SCHEMES, Scheme
from keyguide.anchors import GUIDES_DIR, guide_source
from keyguide.cache import BuildCache, tree_digest
from keyguide.checks import check_page_contract
from keyguide.model import CredentialFormat, Venue
from keyguide.problems import format_path
from keyguide.reference import reference_sections
from keyguide.schematic import permission_schematic
from keyguide.site import SiteConfig

VENUE_TEMPLATE = "venue.md.j2"
VENUES_INDEX_TEMPLATE = "venues_index.md.j2"
COMPARISON_TEMPLATE = "comparison.md.j2"
ERROR_INDEX_TEMPLATE = "error_index.md.j2"
REFERENCE_TEMPLATE = "reference.md.j2"
CHECKER_TEMPLATE = "checker_page.md.j2"
_PAGES = "pages"  # the build cache's folder of rendered pages

_ANCHOR_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]#|])")
_CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.DOTALL)
_UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")
# Words a credential id spells in capitals when shown as a field name (`api_secret` -> "API secret").
_ACRONYMS = frozenset({"api", "id", "ip", "otp", "2fa", "uid"})
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


class RenderError(ValueError):
    """A venue cannot be rendered without breaking a page invariant (an anchor clash, a dangling id)."""


class PageRenderer:
    """Renders guide pages from the templates in `templates_dir` for one site configuration.

    Args:
        templates_dir: Directory holding `venue.md.j2`, `venues_index.md.j2`, `comparison.md.j2`,
            `error_index.md.j2`, `reference.md.j2` and the macro library `guide.j2`.
        site: White-label settings (product name, outbound IPs, staleness threshold).
        cache: Keep compiled templates and rendered pages for the next build (see the module docstring).
    """

    def __init__(self, templates_dir: Path, site: SiteConfig, *, cache: BuildCache | None = None) -> None:
        self.site = site
        self.env = _make_environment(templates_dir)
        self.env.globals.update(site=site, product=site.product)
        self.cache = cache
        self._inputs: tuple[str, ...] = ()
        self._digests: dict[int, tuple[Venue, str]] = {}
        if cache is not None:
            compiled = cache.path("jinja")
            if compiled is not None:
                self.env.bytecode_cache = FileSystemBytecodeCache(str(compiled))
            self._inputs = (tree_digest(templates_dir), repr(site))

    def venue_page(self, venue: Venue, *, today: datetime.date) -> str:
        """Return the Markdown guide for `venues/<id>/`.

        Args:
            venue: The validated venue.
            today: The build date; decides whether the freshness notice shows (no clock is read here).

        Raises:
            RenderError: Two anchors on the page share an id, or a use case or error names an unknown
                or never-to-tick permission.
        """
        _check_page_contract(venue)
        permissions = {p.id: p for p in venue.permissions}
        age_days = (today - venue.last_verified).days
        return self._render(
            VENUE_TEMPLATE,
            (self._digest(venue), today.isoformat()) if self.cache is not None else (),
            venue=venue,
            permissions=permissions,
            today=today,
            age_days=age_days,
            stale=age_days > self.site.stale_after_days,
        )

    def site_pages(self, venues: Sequence[Venue], *, today: datetime.date) -> dict[str, str]:
        """Every generated page, by its path in the docs directory."""
        pages = {guide_source(v.id): self.venue_page(v, today=today) for v in venues}
        pages[f"{GUIDES_DIR}/index.md"] = self.venues_index_page(venues)
        pages["comparison.md"] = self.comparison_page(venues)
        pages["errors.md"] = self.error_index_page(venues)
        pages["checker.md"] = self.checker_page(venues)
        pages["reference.md"] = self.reference_page()
        return pages

    def venues_index_page(self, venues: Sequence[Venue]) -> str:
        """Return the Markdown for `venues/`: pick your venue."""
        return self._render(VENUES_INDEX_TEMPLATE, self.venue_digests(venues), venues=_sorted(venues))

    def comparison_page(self, venues: Sequence[Venue]) -> str:
        """Return the Markdown for `comparison/`: one table across venues."""
        return self._render(COMPARISON_TEMPLATE, self.venue_digests(venues), venues=_sorted(venues))

    def error_index_page(self, venues: Sequence[Venue]) -> str:
        """Return the Markdown for `errors/`: every error code of every venue, linking to its guide anchor."""
        return self._render(ERROR_INDEX_TEMPLATE, self.venue_digests(venues), venues=_sorted(venues))

    def checker_page(self, venues: Sequence[Venue]) -> str:
        """Return the Markdown for `checker/`: the standalone key checker with a venue picker."""
        return self._render(CHECKER_TEMPLATE, self.venue_digests(venues), venues=_sorted(venues))

    def reference_page(self) -> str:
        """Return the Markdown for `reference/`: every key of a venue file, generated from the model."""
        cached = self._cached(REFERENCE_TEMPLATE, ())
        if cached is not None:
            return cached
        sections = reference_sections(Venue)
        return self._render(REFERENCE_TEMPLATE, (), sections=sections, titles={s.id: s.title for s in sections})

    def _render(self, template: str, key: tuple[str, ...], **context: Any) -> str:
        """Render `template`; `key` names what the context holds beyond the code, templates and site settings."""
        cached = self._cached(template, key)
        if cached is not None:
            return cached
        text = self.env.get_template(template).render(**context)
        if self.cache is not None:
            self.cache.put(_PAGES, self.cache.key(*self._inputs, template, *key), text.encode("utf-8"))
        return text

    def _cached(self, template: str, key: tuple[str, ...]) -> str | None:
        if self.cache is None:
            return None
        stored = self.cache.get(_PAGES, self.cache.key(*self._inputs, template, *key))
        return None if stored is None else stored.decode("utf-8")

    def _digest(self, venue: Venue) -> str:
        """SHA-256 of the venue's complete data, once per venue object (kept alive, so its id stays its own)."""
        known = self._digests.get(id(venue))
        if known is None or known[0] is not venue:
            known = (venue, hashlib.sha256(venue.model_dump_json().encode("utf-8")).hexdigest())
            self._digests[id(venue)] = known
        return known[1]

    def venue_digests(self, venues: Iterable[Venue]) -> tuple[str, ...]:
        """What a build cache keys results of `venues` by: the sorted digests of their data (none without a cache)."""
        if self.cache is None:
            return ()
        return tuple(sorted(self._digest(venue) for venue in venues))


def _make_environment(templates_dir: Path) -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(templates_dir)),
        undefined=StrictUndefined,
        # Templates produce Markdown, where HTML-escaping everything would corrupt Markdown fields; HTML
        # contexts inside them escape explicitly with `|e`. Templates named *.html.j2 get autoescape.
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default_for_string=False, default=False),
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        anchor=anchor,
        block=block,
        cell=cell,
        code=code,
        date=format_date,
        fence=fence,
        field_name=field_name,
        key_format=key_format,
        inline=inline,
        md=md_escape,
        pct=pct,
        url=url,
    )
    env.globals.update(
        alias_ids=alias_ids,
        credential_label=credential_label,
        permission_schematic=permission_schematic,
        scheme_of=scheme_of,
        # A key type's scheme by id (venue.key_types); the venue's own is scheme_of(venue).
        schemes=SCHEMES,
        # Reader-facing words of every closed vocabulary, declared once in the checker.
        vocab=vocab,
    )
    return env


def _sorted(venues: Iterable[Venue]) -> list[Venue]:
    return sorted(venues, key=lambda v: (v.name.casefold(), v.id))


def _check_page_contract(venue: Venue) -> None:
    """Refuse a page whose anchors would clash or whose links would dangle (the loader reports these first)."""
    findings = check_page_contract(venue)
    if findings:
        raise RenderError("; ".join(f"{venue.id}: {format_path(path)}: {message}" for path, message in findings))


# Filters -------------------------------------------------------------------------------------------------


def anchor(anchor_id: str) -> str:
    """`{#id}` for attr_list (written via a filter because `{#` opens a Jinja comment)."""
    if not _ANCHOR_RE.match(anchor_id):
        raise RenderError(f"not an anchor id: {anchor_id!r}")
    return "{#" + anchor_id + "}"


def md_escape(text: object) -> str:
    """Backslash-escape plain text so Markdown shows it literally (labels, names, messages)."""
    escaped = _MD_SPECIAL.sub(r"\\\1", str(text))
    return escaped.replace("<", "&lt;").replace(">", "&gt;")


def code(text: object) -> str:
    """An inline code span holding `text` literally, whatever backticks it contains."""
    value = " ".join(str(text).split("\n"))
    longest = max((len(run) for run in re.findall(r"`+", value)), default=0)
    ticks = "`" * (longest + 1)
    if value.startswith("`") or value.endswith("`"):
        value = f" {value} "
    return f"{ticks}{value}{ticks}"


def fence(text: object, lang: str = "text") -> str:
    """A fenced code block holding `text` literally; the fence is longer than any backtick run inside."""
    value = str(text).rstrip("\n")
    longest = max((len(run) for run in re.findall(r"`{3,}", value)), default=0)
    ticks = "`" * max(3, longest + 1)
    return f"{ticks}{lang}\n{value}\n{ticks}"


def block(text: object, width: int = 0) -> str:
    """Markdown text trimmed of surrounding blank lines, continuation lines indented by `width` spaces."""
    lines = str(text).strip("\n").rstrip().split("\n")
    pad = " " * width
    return "\n".join([lines[0], *[(pad + line) if line.strip() else "" for line in lines[1:]]])


def cell(text: object) -> str:
    """Markdown text made safe for a table cell: one line, pipes outside code spans escaped."""
    value = " ".join(str(text).split())
    out: list[str] = []
    pos = 0
    for match in _CODE_SPAN.finditer(value):
        out.append(_UNESCAPED_PIPE.sub(r"\\|", value[pos : match.start()]))
        out.append(match.group(0))
        pos = match.end()
    out.append(_UNESCAPED_PIPE.sub(r"\\|", value[pos:]))
    return "".join(out)


def inline(text: object) -> str:
    """Markdown text on one line (headings, list labels)."""
    return " ".join(str(text).split())


def field_name(credential_id: str) -> str:
    """A credential id as a field name: `api_secret` -> 'API secret'."""
    words = [w.upper() if w in _ACRONYMS else w for w in credential_id.split("_")]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def alias_ids(venue: Venue, live_id: str) -> list[str]:
    """Former anchor ids that now resolve to `live_id`, sorted."""
    return sorted(old for old, target in venue.anchor_aliases.items() if target == live_id)


def scheme_of(venue: Venue) -> Scheme:
    """The signing scheme the venue names (the loader has checked that it exists)."""
    return SCHEMES[venue.signing.scheme]


def key_format(fmt: CredentialFormat, with_origin: bool = True) -> str:
    """The checker's own description of a key format, so the page and the findings say the same."""
    return describe_format(load_format(fmt.model_dump(mode="json")), with_origin=with_origin)


def credential_label(venue: Venue, credential_id: str) -> str:
    """The venue's label for a credential id (the id itself if the venue declares no such credential)."""
    for credential in venue.credentials:
        if credential.id == credential_id:
            return credential.label
    return credential_id


def pct(value: float) -> str:
    """A fee in percent: at least two decimals, no trailing zeros beyond them (0.1 -> '0.10%')."""
    text = f"{value:.4f}".rstrip("0")
    whole, _, frac = text.partition(".")
    return f"{whole}.{frac.ljust(2, '0')}%"


def format_date(value: datetime.date) -> str:
    """'1 May 2026': unambiguous in every locale, independent of the machine's locale."""
    return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"


def url(value: object) -> str:
    """A URL safe as a Markdown link destination (characters that end or confuse one are percent-encoded)."""
    text = str(value)
    for char, encoded in (("(", "%28"), (")", "%29"), ("<", "%3C"), (">", "%3E"), (" ", "%20"), ('"', "%22")):
        text = text.replace(char, encoded)
    return text

"""Published anchors are a contract: support links like `venues/kraken-spot/#eapi-invalid-nonce` live in
tickets and chats where no link checker sees them. The committed registry (`anchors.txt`) lists every anchor
the site has published; a build that loses one fails unless venue data declares it as an alias.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

_HEADING_ID = re.compile(r"<h[1-6][^>]*\sid=\"([^\"]+)\"")

HEADER = (
    "# Published anchors: /page/ URL + '#' + id. Support links depend on them; never delete a line by hand.\n"
    "# Regenerate with `keyguide anchors --update` and review the diff.\n"
)


@dataclass(frozen=True, order=True)
class Anchor:
    """One published anchor: a page URL (site-relative, as MkDocs writes it) and an id on that page."""

    page: str
    id: str

    def __str__(self) -> str:
        return f"/{self.page}#{self.id}"


def heading_ids(html: str) -> set[str]:
    """Ids of the headings in a rendered page (the anchors its table of contents links to)."""
    return set(_HEADING_ID.findall(html))


def parse_registry(text: str) -> set[Anchor]:
    """Read `anchors.txt`: one `page#id` a line; `#` at line start is a comment."""
    anchors = set()
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        page, _, anchor = line.rpartition("#")
        anchors.add(Anchor(page.removeprefix("/"), anchor))
    return anchors


def render_registry(anchors: Iterable[Anchor]) -> str:
    return HEADER + "".join(f"{a}\n" for a in sorted(set(anchors)))


def lost_anchors(
    registered: Iterable[Anchor],
    published: set[Anchor],
    aliases: Mapping[str, Mapping[str, str]],
) -> list[str]:
    """Registered anchors the build no longer has, as messages. `aliases[page][old] = live id`."""
    problems = []
    for anchor in sorted(registered):
        if anchor in published:
            continue
        target = aliases.get(anchor.page, {}).get(anchor.id)
        if target is not None and Anchor(anchor.page, target) in published:
            continue
        if target is not None:
            hint = f"alias target {target!r} is not on the page"
        elif anchor.page in aliases:
            hint = "restore it, or declare it under the venue's anchor_aliases with the id it moved to"
        else:
            hint = (
                'restore it: keep the heading\'s id with an explicit {#id}, or add <span id="…"></span> where it moved'
            )
        problems.append(f"anchors.txt: published anchor {anchor} is gone — {hint}")
    return problems


def load_registry(path: Path) -> set[Anchor]:
    return parse_registry(path.read_text(encoding="utf-8")) if path.exists() else set()

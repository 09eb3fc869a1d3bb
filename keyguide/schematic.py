"""An SVG schematic of a venue's API-key permission panel, drawn from its YAML.

The guide's Permissions section shows it above the checklist (`macros/guide.j2` decides where it sits and
what its caption says); the geometry and the SVG's own text live here. Pure string building with
`xml.sax.saxutils` escaping, no clock and no randomness: the same venue always gives the same bytes.

The panel is drawn for one use case. One group box per run of permissions sharing a `group` (in YAML order,
which is the venue's UI order), one row per permission, set as that use case needs it (the words come from
checker.vocab.PERMISSION_STATES):

- `required`: ticked, with the word "Tick";
- `optional`: unticked, with the word "Optional";
- `off`: unticked, with the words "Leave off";
- `never` (every withdraw or never permission): unticked, on a tinted row, with a red cross and the words
  "Never tick".

Options of a radio-button choice are drawn as radio buttons (a circle, filled for the chosen one), so a
choice never looks like a set of boxes of which some are "never".

The state is never told by colour alone: each row also carries its word. Each row carries
`data-permission` and `data-state` for tests and tooling.

Colours: every part has a `kg-schematic__*` class for the site stylesheet, plus presentation attributes as a
fallback that reads on both the light and the dark (slate) palette. Text and outlines use `currentColor`;
the two signal colours keep at least 3:1 contrast against white and against slate's background. No inline
`style` and no `<style>`: presentation attributes need nothing from the page's Content-Security-Policy and
the stylesheet's class rules override them.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from xml.sax.saxutils import escape

from checker.vocab import PERMISSION_STATES

from .model import PermissionState, UseCase, Venue

SVG_NS = "http://www.w3.org/2000/svg"


GREEN = "#388e3c"  # 4.1:1 on white, 3.9:1 on slate; white tick on it 4.1:1
RED = "#e53935"  # 4.2:1 on white, 3.8:1 on slate

# Geometry, in SVG user units (1 unit = 1 CSS px at natural size).
FONT_SIZE = 14
CHAR_WIDTH = 8.0  # generous average advance of a 14px sans-serif glyph; labels are never clipped
TITLE_CHAR_WIDTH = 8.8  # bold group titles run wider
MIN_WIDTH = 480
MARGIN = 8  # around the whole drawing
BOX_PAD = 12  # inside a group box, left and right
TITLE_HEIGHT = 30  # group title band
ROW_HEIGHT = 30
ROW_TOP = 6  # above the first row of an untitled box, and below the last row of any box
BOX_GAP = 12
CHECK = 16  # checkbox side
LABEL_GAP = 10
STATE_WIDTH = 100  # the right-hand column: mark + state word
COLUMN_GAP = 24

# Characters XML 1.0 does not allow at all; a label should never hold one, but the SVG must stay well-formed.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class SchematicRow:
    """One checkbox of the panel as the reader must set it."""

    permission: str
    label: str
    group: str
    state: PermissionState
    radio: bool = False


@dataclass(frozen=True)
class SchematicGroup:
    """A run of consecutive permissions under one group title ('' for permissions outside any group)."""

    name: str
    rows: tuple[SchematicRow, ...]


def schematic_groups(venue: Venue, use_case: UseCase) -> tuple[SchematicGroup, ...]:
    """The venue's permissions as group boxes, in YAML order; consecutive permissions of one group share a box."""
    groups: list[tuple[str, list[SchematicRow]]] = []
    for p in venue.permissions:
        row = SchematicRow(p.id, _text(p.label), _text(p.group or p.choice), use_case.state(p), radio=bool(p.choice))
        if groups and groups[-1][0] == row.group:
            groups[-1][1].append(row)
        else:
            groups.append((row.group, [row]))
    return tuple(SchematicGroup(name, tuple(rows)) for name, rows in groups)


def schematic_summary(groups: tuple[SchematicGroup, ...]) -> str:
    """The text alternative held in `<desc>`: which boxes to tick, leave unticked, and never tick."""
    rows = [row for group in groups for row in group.rows]
    parts = []
    for state, lead in (
        ("required", "Tick or choose"),
        ("optional", "tick only if the notes say so"),
        ("off", "leave unticked"),
        ("never", "never tick"),
    ):
        names = [f"{r.label} ({r.group})" if r.group else r.label for r in rows if r.state == state]
        if names:
            parts.append(f"{lead}: {', '.join(names)}")
    text = "; ".join(parts) + "."
    return text[:1].upper() + text[1:]


def permission_schematic(venue: Venue, use_case: UseCase) -> str:
    """The inline SVG schematic of `venue`'s key form as `use_case` needs it (one line per element, no blank
    lines).

    Its ids (`schematic--<venue id>--title`, `--desc`) hold a double hyphen, which no anchor id may, so
    they never clash with an anchor from the venue's data.
    """
    groups = schematic_groups(venue, use_case)
    width = _width(groups)
    height = _height(groups)
    base = f"schematic--{venue.id}"
    lines = [
        f'<svg xmlns="{SVG_NS}" class="kg-schematic__svg" role="img" aria-labelledby="{base}--title" '
        f'aria-describedby="{base}--desc" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'font-size="{FONT_SIZE}" data-venue={_attr(venue.id)} data-use-case={_attr(use_case.id)}>',
        f'<title id="{base}--title">{_esc(_text(venue.name))} API key permissions</title>',
        f'<desc id="{base}--desc">{_esc(schematic_summary(groups))}</desc>',
    ]
    y = MARGIN
    for group in groups:
        lines.extend(_group(group, y, width))
        y += _group_height(group) + BOX_GAP
    lines.append("</svg>")
    return "\n".join(lines)


# Geometry -------------------------------------------------------------------------------------------------


def _width(groups: tuple[SchematicGroup, ...]) -> int:
    longest_label = max((len(r.label) for g in groups for r in g.rows), default=0)
    longest_title = max((len(g.name) for g in groups), default=0)
    inner = max(
        CHECK + LABEL_GAP + longest_label * CHAR_WIDTH + COLUMN_GAP + STATE_WIDTH,
        longest_title * TITLE_CHAR_WIDTH,
    )
    return max(MIN_WIDTH, math.ceil(2 * MARGIN + 2 * BOX_PAD + inner))


def _group_height(group: SchematicGroup) -> int:
    top = TITLE_HEIGHT if group.name else ROW_TOP
    return top + len(group.rows) * ROW_HEIGHT + ROW_TOP


def _height(groups: tuple[SchematicGroup, ...]) -> int:
    boxes = sum(_group_height(g) for g in groups)
    return 2 * MARGIN + boxes + BOX_GAP * max(len(groups) - 1, 0)


def _group(group: SchematicGroup, top: int, width: int) -> list[str]:
    x = MARGIN
    box_width = width - 2 * MARGIN
    lines = [
        f'<g class="kg-schematic__group" data-group={_attr(group.name)}>',
        f'<rect class="kg-schematic__box" x="{x}" y="{top}" width="{box_width}" '
        f'height="{_group_height(group)}" rx="6" fill="none" stroke="currentColor" stroke-opacity="0.35"/>',
    ]
    y = top + ROW_TOP
    if group.name:
        lines.append(
            f'<text class="kg-schematic__group-title" x="{x + BOX_PAD}" y="{top + 20}" font-weight="bold" '
            f'fill="currentColor">{_esc(group.name)}</text>'
        )
        y = top + TITLE_HEIGHT
    for row in group.rows:
        lines.extend(_row(row, y, width))
        y += ROW_HEIGHT
    lines.append("</g>")
    return lines


def _row(row: SchematicRow, top: int, width: int) -> list[str]:
    box_x = MARGIN + BOX_PAD
    box_y = top + (ROW_HEIGHT - CHECK) // 2
    baseline = top + 20
    state_x = width - MARGIN - BOX_PAD - STATE_WIDTH
    lines = [
        f'<g class="kg-schematic__row kg-schematic__row--{row.state}" data-permission={_attr(row.permission)} '
        f'data-state="{row.state}">'
    ]
    if row.state == "never":
        lines.append(
            f'<rect class="kg-schematic__never-band" x="{MARGIN + 1}" y="{top}" width="{width - 2 * MARGIN - 2}" '
            f'height="{ROW_HEIGHT}" fill="{RED}" fill-opacity="0.1"/>'
        )
    if row.radio:
        half = CHECK // 2
        lines.append(
            f'<circle class="kg-schematic__radio" cx="{box_x + half}" cy="{box_y + half}" r="{half}" '
            f'fill="none" stroke="currentColor" stroke-width="1.5"/>'
        )
        if row.state == "required":
            lines.append(
                f'<circle class="kg-schematic__radio kg-schematic__radio--chosen" cx="{box_x + half}" '
                f'cy="{box_y + half}" r="{half - 4}" fill="{GREEN}"/>'
            )
    elif row.state == "required":
        lines.append(
            f'<rect class="kg-schematic__check kg-schematic__check--ticked" x="{box_x}" y="{box_y}" '
            f'width="{CHECK}" height="{CHECK}" rx="3" fill="{GREEN}" stroke="{GREEN}"/>'
        )
        lines.append(_tick(box_x + 3, box_y + 8, "#ffffff", "kg-schematic__tick"))
    else:
        lines.append(
            f'<rect class="kg-schematic__check" x="{box_x}" y="{box_y}" width="{CHECK}" height="{CHECK}" '
            f'rx="3" fill="none" stroke="currentColor" stroke-width="1.5"/>'
        )
    lines.append(
        f'<text class="kg-schematic__label" x="{box_x + CHECK + LABEL_GAP}" y="{baseline}" '
        f'fill="currentColor">{_esc(row.label)}</text>'
    )
    word_x = state_x + 20
    if row.state == "required":
        lines.append(_tick(state_x, top + 15, GREEN, "kg-schematic__mark kg-schematic__mark--tick"))
    elif row.state == "never":
        lines.append(_cross(state_x + 1, top + 9))
    weight = ' font-weight="bold"' if row.state == "never" else ""
    lines.append(
        f'<text class="kg-schematic__state" x="{word_x}" y="{baseline}"{weight} '
        f'fill="currentColor">{_state_word(row)}</text>'
    )
    lines.append("</g>")
    return lines


def _state_word(row: SchematicRow) -> str:
    # A radio option is chosen, not ticked.
    if row.radio and row.state == "required":
        return "Choose"
    return PERMISSION_STATES[row.state]


def _tick(x: int, y: int, colour: str, css_class: str) -> str:
    """A tick whose stroke starts at (x, y): 10 units wide, 7 tall, 3.5 of them below y."""
    return (
        f'<path class="{css_class}" d="M{x} {y}l3.5 3.5l6.5-7" fill="none" stroke="{colour}" '
        f'stroke-width="2.2" stroke-linecap="round" stroke-linejoin="round"/>'
    )


def _cross(x: int, y: int) -> str:
    """A red cross in the 12x12 square at (x, y)."""
    return (
        f'<path class="kg-schematic__mark kg-schematic__mark--never" d="M{x} {y}l12 12M{x + 12} {y}l-12 12" '
        f'fill="none" stroke="{RED}" stroke-width="2.5" stroke-linecap="round"/>'
    )


# Text ---------------------------------------------------------------------------------------------------


def _text(value: str) -> str:
    """A label on one line, without characters XML cannot hold."""
    return " ".join(_NOT_XML.sub("\ufffd", value).split())


def _esc(value: str) -> str:
    return escape(value)


def _attr(value: str) -> str:
    """A double-quoted attribute value."""
    return '"' + escape(_text(value), {'"': "&quot;"}) + '"'

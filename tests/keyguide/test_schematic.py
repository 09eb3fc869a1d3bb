"""The permission panel schematic: one row per YAML permission, set as the guide says, valid and accessible SVG."""

from __future__ import annotations

import datetime
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from keyguide.loader import load_directory
from keyguide.model import Venue
from keyguide.render import PageRenderer
from keyguide.schematic import MIN_WIDTH, ROW_HEIGHT, permission_schematic, schematic_groups, schematic_summary
from keyguide.site import SiteConfig

from sitekit import to_html as site_html

ROOT = Path(__file__).resolve().parents[2]
MACROS = ROOT / "macros"
VENUES = load_directory(ROOT / "venues").require()
TODAY = datetime.date(2026, 6, 1)
SVG = "{http://www.w3.org/2000/svg}"


def page_markdown(venue: Venue) -> str:
    return PageRenderer(MACROS, SiteConfig()).venue_page(venue, today=TODAY)


def svg_of(text: str) -> str:
    match = re.search(r"<svg\b.*?</svg>", text, re.DOTALL)
    assert match is not None, "no <svg> on the page"
    return match.group(0)


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def rows(root: ET.Element) -> list[tuple[str, str]]:
    return [
        (g.attrib["data-permission"], g.attrib["data-state"]) for g in root.iter(f"{SVG}g") if "data-state" in g.attrib
    ]


def row_element(root: ET.Element, permission_id: str) -> ET.Element:
    return next(g for g in root.iter(f"{SVG}g") if g.get("data-permission") == permission_id)


def texts(element: ET.Element) -> list[str]:
    return [t.text or "" for t in element.iter(f"{SVG}text")]


def venue(**overrides: Any) -> Venue:
    """A real venue with some fields replaced (validated again, so the result is a valid venue)."""
    data = VENUES[0].model_dump(mode="python")
    data.update(overrides)
    for url_field in ("quick_facts", "links", "signing", "sources"):
        data[url_field] = _plain_urls(data[url_field])
    return Venue.model_validate(data)


def _plain_urls(value: Any) -> Any:
    # model_dump keeps Url objects, which the strict models do not take back.
    if isinstance(value, dict):
        return {k: _plain_urls(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain_urls(v) for v in value]
    if type(value).__name__ == "AnyHttpUrl":
        return str(value)
    return value


def permission(
    pid: str, label: str, state: str = "optional", group: str = "", withdraw: bool = False
) -> dict[str, Any]:
    return {"id": pid, "label": label, "group": group, "state": state, "why": "Because.", "withdraw": withdraw}


def test_there_are_real_venues() -> None:
    assert len(VENUES) >= 4


# Every real venue -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("v", VENUES, ids=lambda v: v.id)
def test_rows_are_the_yaml_permissions(v: Venue) -> None:
    root = parse(svg_of(page_markdown(v)))
    expected = [(p.id, "never" if p.withdraw else p.state) for p in v.permissions]
    assert rows(root) == expected  # same set, same order as the venue's UI, one row each


@pytest.mark.parametrize("v", VENUES, ids=lambda v: v.id)
def test_svg_is_accessible(v: Venue) -> None:
    root = parse(svg_of(page_markdown(v)))
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    title = root.find(f"{SVG}title")
    desc = root.find(f"{SVG}desc")
    assert title is not None and desc is not None
    assert root.get("aria-labelledby") == title.get("id")
    assert root.get("aria-describedby") == desc.get("id")
    assert v.name in (title.text or "")
    summary = desc.text or ""
    assert summary.startswith("Tick: ")
    for p in v.permissions:
        assert p.label in summary


@pytest.mark.parametrize("v", VENUES, ids=lambda v: v.id)
def test_every_row_shows_its_state_in_words_and_marks(v: Venue) -> None:
    root = parse(svg_of(page_markdown(v)))
    for pid, state in rows(root):
        row = row_element(root, pid)
        classes = " ".join(e.get("class", "") for e in row.iter())
        label = next(p.label for p in v.permissions if p.id == pid)
        assert label in texts(row)
        if state == "required":
            assert "Tick" in texts(row) and "kg-schematic__check--ticked" in classes
        elif state == "optional":
            assert "Optional" in texts(row) and "ticked" not in classes
        else:
            assert "Never tick" in texts(row) and "ticked" not in classes
            assert "kg-schematic__mark--never" in classes


@pytest.mark.parametrize("v", VENUES, ids=lambda v: v.id)
def test_groups_are_boxes_in_yaml_order(v: Venue) -> None:
    root = parse(svg_of(page_markdown(v)))
    boxes = [g for g in root.iter(f"{SVG}g") if g.get("class") == "kg-schematic__group"]
    runs: list[str] = []
    for p in v.permissions:
        if not runs or runs[-1] != p.group:
            runs.append(p.group)
    assert [g.get("data-group") for g in boxes] == runs
    for box in boxes:
        titles = [t.text for t in box.iter(f"{SVG}text") if t.get("class") == "kg-schematic__group-title"]
        assert titles == ([box.get("data-group")] if box.get("data-group") else [])


@pytest.mark.parametrize("v", VENUES, ids=lambda v: v.id)
def test_svg_needs_no_other_request_and_no_inline_style(v: Venue) -> None:
    svg = svg_of(page_markdown(v))
    for element in parse(svg).iter():
        assert "style" not in element.attrib
        assert not any(name.endswith("href") for name in element.attrib)
    assert "<style" not in svg and "<image" not in svg and "<use" not in svg


@pytest.mark.parametrize("v", VENUES, ids=lambda v: v.id)
def test_text_takes_the_page_colour(v: Venue) -> None:
    root = parse(svg_of(page_markdown(v)))
    assert {t.get("fill") for t in root.iter(f"{SVG}text")} == {"currentColor"}


# Placement on the page --------------------------------------------------------------------------------------


@pytest.mark.parametrize("v", VENUES, ids=lambda v: v.id)
def test_figure_sits_in_the_permissions_section_before_the_checklist(v: Venue) -> None:
    md = page_markdown(v)
    html = site_html(md)
    section = html.split('<h2 id="permissions">', 1)[1].split("<h2", 1)[0]
    figure = section.split('<figure class="kg-schematic">', 1)[1].split("</figure>", 1)[0]
    assert svg_of(figure) == svg_of(md)  # Markdown passed the SVG through untouched
    assert f"<figcaption>Schematic of the {v.name} key form: how each box must be set</figcaption>" in figure
    assert section.index("<figure") < section.index('<ul class="task-list">')
    assert html.count("<svg") == 1


def test_ids_cannot_clash_with_anchor_ids() -> None:
    root = parse(svg_of(page_markdown(VENUES[0])))
    ids = [e.get("id") for e in root.iter() if e.get("id")]
    assert len(ids) == 2
    for element_id in ids:
        assert element_id is not None
        assert not re.match(r"^[a-z0-9]+(-[a-z0-9]+)*$", element_id)


# Escaping, size, determinism --------------------------------------------------------------------------------


def test_labels_group_and_name_are_escaped() -> None:
    label = "Read & <Write> \"all\" 'now'"
    group = 'R&D <"x">'
    v = venue(
        name='A & B "<Co>"',
        permissions=[permission("odd", label, "required", group=group), permission("plain", "Plain")],
        use_cases=[{"id": "bot", "title": "Bot", "permissions": ["odd"]}],
        errors=[{**VENUES[0].errors[0].model_dump(), "permission": None}],
    )
    svg = permission_schematic(v)
    assert "&amp;" in svg and "&lt;Write&gt;" in svg and 'data-group="R&amp;D &lt;&quot;x&quot;&gt;"' in svg
    root = parse(svg)
    row = row_element(root, "odd")
    assert label in texts(row)
    box = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "kg-schematic__group")
    assert box.get("data-group") == group
    title = root.find(f"{SVG}title")
    assert title is not None and title.text == 'A & B "<Co>" API key permissions'


def test_characters_xml_cannot_hold_are_replaced() -> None:
    v = venue(
        permissions=[permission("odd", "Bell\x07 and\nnewline")],
        use_cases=[{"id": "bot", "title": "Bot", "permissions": ["odd"]}],
        errors=[{**VENUES[0].errors[0].model_dump(), "permission": None}],
    )
    root = parse(permission_schematic(v))
    assert "Bell\ufffd and newline" in texts(row_element(root, "odd"))


def _sized(count: int) -> tuple[int, int]:
    v = venue(
        permissions=[permission(f"p{i}", f"Permission {i}") for i in range(count)],
        use_cases=[{"id": "bot", "title": "Bot", "permissions": ["p0"]}],
        errors=[{**VENUES[0].errors[0].model_dump(), "permission": None}],
    )
    root = parse(permission_schematic(v))
    width, height = int(root.attrib["width"]), int(root.attrib["height"])
    assert root.attrib["viewBox"] == f"0 0 {width} {height}"
    return width, height


def test_height_grows_with_the_number_of_rows() -> None:
    _, few = _sized(3)
    _, many = _sized(30)
    _, one_more = _sized(31)
    assert few < many
    assert one_more - many == ROW_HEIGHT


def test_width_grows_with_the_longest_label() -> None:
    short = venue()
    long_label = "Enable " + "very " * 20 + "long permission"
    wide = venue(
        permissions=[permission("long", long_label)],
        use_cases=[{"id": "bot", "title": "Bot", "permissions": ["long"]}],
        errors=[{**VENUES[0].errors[0].model_dump(), "permission": None}],
    )
    assert int(parse(permission_schematic(short)).attrib["width"]) == MIN_WIDTH
    assert int(parse(permission_schematic(wide)).attrib["width"]) > MIN_WIDTH + 100


def test_output_is_deterministic() -> None:
    for v in VENUES:
        assert permission_schematic(v) == permission_schematic(venue(**v.model_dump(mode="python")))


def test_no_blank_line_inside_the_svg() -> None:
    # A blank line would end Markdown's raw HTML block in some parsers.
    for v in VENUES:
        assert "\n\n" not in permission_schematic(v)


def test_summary_lists_each_state() -> None:
    v = venue(
        permissions=[
            permission("a", "Read", "required", group="Funds"),
            permission("b", "Export", "optional"),
            permission("c", "Withdraw", "optional", group="Funds", withdraw=True),
            permission("d", "Transfer", "never"),
        ],
        use_cases=[{"id": "bot", "title": "Bot", "permissions": ["a"]}],
        errors=[{**VENUES[0].errors[0].model_dump(), "permission": None}],
    )
    assert schematic_summary(schematic_groups(v)) == (
        "Tick: Read (Funds); leave unticked unless your use case needs it: Export; "
        "never tick: Withdraw (Funds), Transfer."
    )
    assert [g.name for g in schematic_groups(v)] == ["Funds", "", "Funds", ""]


def test_summary_leaves_out_empty_states() -> None:
    v = venue(
        permissions=[permission("b", "Export", "optional")],
        use_cases=[{"id": "bot", "title": "Bot", "permissions": ["b"]}],
        errors=[{**VENUES[0].errors[0].model_dump(), "permission": None}],
    )
    assert schematic_summary(schematic_groups(v)) == "Leave unticked unless your use case needs it: Export."

"""The permission panel schematic: one row per YAML permission, set as a use case needs it, valid and accessible SVG."""

from __future__ import annotations

import datetime
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from keyguide.loader import load_directory
from keyguide.model import UseCase, Venue
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
    pid: str, label: str, group: str = "", withdraw: bool = False, never: bool = False, choice: str = ""
) -> dict[str, Any]:
    return {
        "id": pid,
        "label": label,
        "group": group,
        "why": "Because.",
        "withdraw": withdraw,
        "never": never,
        "choice": choice,
    }


def use_case(required: list[str], optional: list[str] | None = None, uid: str = "bot") -> dict[str, Any]:
    return {"id": uid, "title": "Bot", "kind": "trading", "required": required, "optional": optional or []}


def drawn(
    permissions: list[dict[str, Any]], required: list[str], optional: list[str] | None = None, **other: Any
) -> tuple[Venue, UseCase]:
    """A venue holding only these permissions, and its one use case."""
    v = venue(
        permissions=permissions,
        use_cases=[use_case(required, optional)],
        errors=[{**VENUES[0].errors[0].model_dump(), "permission": None}],
        **other,
    )
    return v, v.use_cases[0]


VENUE_USE_CASES = [(v, uc) for v in VENUES for uc in v.use_cases]


def vu_id(item: Any) -> str:
    return item.id


def test_there_are_real_venues() -> None:
    assert len(VENUES) >= 4
    assert any(p.choice for v in VENUES for p in v.permissions)  # radio buttons are covered by the real data


# Every use case of every real venue ------------------------------------------------------------------------


@pytest.mark.parametrize(("v", "uc"), VENUE_USE_CASES, ids=vu_id)
def test_rows_are_the_yaml_permissions_set_for_the_use_case(v: Venue, uc: UseCase) -> None:
    root = parse(permission_schematic(v, uc))
    assert root.get("data-use-case") == uc.id
    expected = [(p.id, uc.state(p)) for p in v.permissions]
    assert rows(root) == expected  # same set, same order as the venue's UI, one row each
    for p in v.permissions:
        if p.forbidden:
            assert dict(rows(root))[p.id] == "never"
        elif p.id in uc.required:
            assert dict(rows(root))[p.id] == "required"


@pytest.mark.parametrize(("v", "uc"), VENUE_USE_CASES, ids=vu_id)
def test_svg_is_accessible(v: Venue, uc: UseCase) -> None:
    root = parse(permission_schematic(v, uc))
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    title = root.find(f"{SVG}title")
    desc = root.find(f"{SVG}desc")
    assert title is not None and desc is not None
    assert root.get("aria-labelledby") == title.get("id")
    assert root.get("aria-describedby") == desc.get("id")
    assert v.name in (title.text or "")
    summary = desc.text or ""
    assert summary.startswith("Tick or choose: ")
    for p in v.permissions:
        assert p.label in summary


@pytest.mark.parametrize(("v", "uc"), VENUE_USE_CASES, ids=vu_id)
def test_every_row_shows_its_state_in_words_and_marks(v: Venue, uc: UseCase) -> None:
    root = parse(permission_schematic(v, uc))
    for pid, state in rows(root):
        row = row_element(root, pid)
        p = next(p for p in v.permissions if p.id == pid)
        classes = " ".join(e.get("class", "") for e in row.iter())
        assert p.label in texts(row)
        words = texts(row)[1:]
        radio = row.find(f"{SVG}circle") is not None
        assert radio is bool(p.choice)
        if p.choice:  # a radio option: circles, never a checkbox
            assert "kg-schematic__check" not in classes
            assert ("kg-schematic__radio--chosen" in classes) is (state == "required")
        else:
            assert ("kg-schematic__check--ticked" in classes) is (state == "required")
        if state == "required":
            assert words == ["Choose" if p.choice else "Tick"]
            assert "kg-schematic__mark--tick" in classes
        elif state == "optional":
            assert words == ["Optional"] and "kg-schematic__mark" not in classes
        elif state == "off":
            assert words == ["Leave off"] and "kg-schematic__mark" not in classes
        else:
            assert words == ["Never tick"]
            assert "kg-schematic__mark--never" in classes and "kg-schematic__never-band" in classes


@pytest.mark.parametrize("v", VENUES, ids=lambda v: v.id)
def test_use_cases_that_set_boxes_differently_draw_differently(v: Venue) -> None:
    drawings = {uc.id: permission_schematic(v, uc) for uc in v.use_cases}
    for a in v.use_cases:
        for b in v.use_cases:
            if a.id != b.id:
                differ = any(a.state(p) != b.state(p) for p in v.permissions)
                assert (rows(parse(drawings[a.id])) != rows(parse(drawings[b.id]))) is differ


@pytest.mark.parametrize("v", VENUES, ids=lambda v: v.id)
def test_groups_are_boxes_in_yaml_order(v: Venue) -> None:
    root = parse(permission_schematic(v, v.use_cases[0]))
    boxes = [g for g in root.iter(f"{SVG}g") if g.get("class") == "kg-schematic__group"]
    runs: list[str] = []
    for p in v.permissions:
        name = p.group or p.choice  # radio options without a group sit in a box named after their choice
        if not runs or runs[-1] != name:
            runs.append(name)
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


# Radio buttons ----------------------------------------------------------------------------------------------


def test_a_choice_is_drawn_as_radio_buttons() -> None:
    v, uc = drawn(
        [
            permission("rw", "Read-Write", choice="Key Type"),
            permission("ro", "Read-Only", choice="Key Type"),
            permission("none", "No Access", choice="Key Type", never=True),
            permission("trade", "Trade"),
        ],
        required=["rw", "trade"],
    )
    root = parse(permission_schematic(v, uc))
    assert rows(root) == [("rw", "required"), ("ro", "off"), ("none", "never"), ("trade", "required")]
    box = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "kg-schematic__group")
    assert box.get("data-group") == "Key Type"

    def circles(pid: str) -> list[str]:
        return [c.get("class", "") for c in row_element(root, pid).iter(f"{SVG}circle")]

    assert circles("rw") == ["kg-schematic__radio", "kg-schematic__radio kg-schematic__radio--chosen"]
    assert circles("ro") == circles("none") == ["kg-schematic__radio"]
    assert circles("trade") == []
    assert texts(row_element(root, "rw")) == ["Read-Write", "Choose"]
    assert texts(row_element(root, "ro")) == ["Read-Only", "Leave off"]
    assert texts(row_element(root, "none")) == ["No Access", "Never tick"]
    assert texts(row_element(root, "trade")) == ["Trade", "Tick"]
    assert schematic_summary(schematic_groups(v, uc)) == (
        "Tick or choose: Read-Write (Key Type), Trade; leave unticked: Read-Only (Key Type); "
        "never tick: No Access (Key Type)."
    )


# Placement on the page --------------------------------------------------------------------------------------


@pytest.mark.parametrize("v", VENUES, ids=lambda v: v.id)
def test_figure_sits_in_the_first_use_case_before_its_checklist(v: Venue) -> None:
    md = page_markdown(v)
    html = site_html(md)
    first = v.use_cases[0]
    assert "<figure" not in html.split('<h2 id="use-cases">', 1)[0]  # not in Permissions any more
    use_case = re.split(r"<h[23]\b", html.split(f'<h3 id="{first.id}">', 1)[1], maxsplit=1)[0]
    figure = use_case.split('<figure class="kg-schematic">', 1)[1].split("</figure>", 1)[0]
    assert svg_of(figure) == svg_of(md) == permission_schematic(v, first)  # Markdown passed the SVG through
    assert parse(svg_of(figure)).get("data-use-case") == first.id
    caption = f"Schematic of the {v.name} key form for a {first.title.lower()}: how each box must be set"
    assert f"<figcaption>{caption}</figcaption>" in figure
    assert use_case.index("<figure") < use_case.index("<ul")
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
    v, uc = drawn(
        [permission("odd", label, group=group), permission("plain", "Plain")],
        required=["odd"],
        name='A & B "<Co>"',
    )
    svg = permission_schematic(v, uc)
    assert "&amp;" in svg and "&lt;Write&gt;" in svg and 'data-group="R&amp;D &lt;&quot;x&quot;&gt;"' in svg
    root = parse(svg)
    row = row_element(root, "odd")
    assert label in texts(row)
    box = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "kg-schematic__group")
    assert box.get("data-group") == group
    title = root.find(f"{SVG}title")
    assert title is not None and title.text == 'A & B "<Co>" API key permissions'


def test_choice_label_is_escaped() -> None:
    choice = 'Keys & <"Types">'
    v, uc = drawn([permission("a", "A", choice=choice), permission("b", "B", choice=choice)], required=["a"])
    root = parse(permission_schematic(v, uc))
    box = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "kg-schematic__group")
    assert box.get("data-group") == choice


def test_characters_xml_cannot_hold_are_replaced() -> None:
    v, uc = drawn([permission("odd", "Bell\x07 and\nnewline")], required=["odd"])
    root = parse(permission_schematic(v, uc))
    assert "Bell\ufffd and newline" in texts(row_element(root, "odd"))


def _sized(count: int) -> tuple[int, int]:
    v, uc = drawn([permission(f"p{i}", f"Permission {i}") for i in range(count)], required=["p0"])
    root = parse(permission_schematic(v, uc))
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
    wide, uc = drawn([permission("long", long_label)], required=["long"])
    assert int(parse(permission_schematic(short, short.use_cases[0])).attrib["width"]) == MIN_WIDTH
    assert int(parse(permission_schematic(wide, uc)).attrib["width"]) > MIN_WIDTH + 100


def test_output_is_deterministic() -> None:
    for v in VENUES:
        again = venue(**v.model_dump(mode="python"))
        for uc, uc_again in zip(v.use_cases, again.use_cases, strict=True):
            assert permission_schematic(v, uc) == permission_schematic(again, uc_again)


def test_no_blank_line_inside_the_svg() -> None:
    # A blank line would end Markdown's raw HTML block in some parsers.
    for v, uc in VENUE_USE_CASES:
        assert "\n\n" not in permission_schematic(v, uc)


def test_summary_lists_each_state() -> None:
    v, uc = drawn(
        [
            permission("a", "Read", group="Funds"),
            permission("b", "Export"),
            permission("c", "Withdraw", group="Funds", withdraw=True),
            permission("d", "Transfer", never=True),
            permission("e", "WebSocket"),
        ],
        required=["a"],
        optional=["b"],
    )
    assert schematic_summary(schematic_groups(v, uc)) == (
        "Tick or choose: Read (Funds); tick only if the notes say so: Export; leave unticked: WebSocket; "
        "never tick: Withdraw (Funds), Transfer."
    )
    assert [g.name for g in schematic_groups(v, uc)] == ["Funds", "", "Funds", ""]


def test_summary_leaves_out_empty_states() -> None:
    v, uc = drawn([permission("b", "Export")], required=["b"])
    assert schematic_summary(schematic_groups(v, uc)) == "Tick or choose: Export."

"""Use cases: how each sets every box (UseCase.state), the rules on what a use case may list, and the
checklist each real venue's guide shows."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest

from checker.vocab import PERMISSION_STATES
from keyguide.checks import check_venue
from keyguide.loader import load_directory, load_venue_file, load_venue_text
from keyguide.model import Permission, UseCase, Venue
from keyguide.render import PageRenderer
from keyguide.site import SiteConfig
from keyguide.starter import render_starter

from sitekit import to_html

ROOT = Path(__file__).resolve().parents[2]
VENUES = {v.id: v for v in load_directory(ROOT / "venues").require()}
TODAY = datetime.date(2026, 6, 1)
FILE = "venues/demo.yaml"


# UseCase.state ---------------------------------------------------------------------------------------------


def perm(pid: str, **flags: bool | str) -> Permission:
    return Permission.model_validate({"id": pid, "label": pid.title(), "why": "Because.", **flags})


USE_CASE = UseCase(id="bot", title="Bot", kind="trading", required=["read", "rw"], optional=["export"])


@pytest.mark.parametrize(
    ("permission", "state"),
    [
        (perm("read"), "required"),
        (perm("rw", choice="Key Type"), "required"),
        (perm("export"), "optional"),
        (perm("ro", choice="Key Type"), "off"),
        (perm("websocket"), "off"),
        (perm("withdraw", withdraw=True), "never"),
        (perm("transfer", never=True), "never"),
    ],
    ids=lambda x: x.id if isinstance(x, Permission) else x,
)
def test_state_of_each_box_for_a_use_case(permission: Permission, state: str) -> None:
    assert USE_CASE.state(permission) == state
    assert state in PERMISSION_STATES


@pytest.mark.parametrize("flags", [{"withdraw": True}, {"never": True}])
def test_a_forbidden_box_is_never_even_when_a_use_case_lists_it(flags: dict[str, bool]) -> None:
    # The check refuses such a file; the state still never lets the page tick the box.
    for key in ("required", "optional"):
        listing = UseCase.model_validate(
            {"id": "bot", "title": "Bot", "kind": "trading", "required": ["x"], key: ["x"]}
        )
        assert listing.state(perm("x", **flags)) == "never"


def test_forbidden_is_withdraw_or_never() -> None:
    assert not perm("a").forbidden
    assert perm("a", withdraw=True).forbidden
    assert perm("a", never=True).forbidden
    assert not perm("a", choice="Key Type").forbidden


def test_state_words_cover_every_state() -> None:
    assert dict(PERMISSION_STATES) == {
        "required": "Tick",
        "optional": "Optional",
        "off": "Leave off",
        "never": "Never tick",
    }


# Rules on use cases, as `keyguide check` and the build report them ------------------------------------------

PERMISSIONS = """\
permissions:
  - id: read-write
    label: Read-Write
    choice: Key Type
    why: Places and cancels orders.
  - id: read-only
    label: Read-Only
    choice: Key Type
    why: Only reads.
  - id: read
    label: Read
    why: The bot reads balances and open orders.
  - id: export
    label: Export
    why: Reports only.
  - id: transfer
    label: Transfer
    never: true
    why: Moves funds between accounts.
  - id: withdraw
    label: Withdraw
    withdraw: true
    why: A bot never needs to move funds off the exchange.
"""
GOOD_USE_CASES = """\
use_cases:
  - id: trading-bot
    title: Trading bot
    kind: trading
    required: [read-write, read]
    optional: [export]
  - id: read-only-tracker
    title: Read-only portfolio tracker
    kind: read_only
    required: [read-only, read]
"""


def venue_text(use_cases: str, permissions: str = PERMISSIONS) -> str:
    """The starter venue with its permissions and use cases replaced."""
    text = render_starter("demo")
    start = text.index("permissions:\n")
    end = text.index("ip_allowlist_advice:")
    return text[:start] + permissions + use_cases + text[end:]


def problems(text: str) -> list[str]:
    return [p.format() for p in load_venue_text(text, FILE, "demo").problems]


def line_of(text: str, needle: str, after: str = "use_cases:") -> int:
    """1-based number of the first line holding `needle` after the line `after`."""
    lines = text.splitlines()
    start = lines.index(after)
    return next(i for i in range(start, len(lines)) if needle in lines[i]) + 1


def test_the_valid_use_cases_load() -> None:
    loaded = load_venue_text(venue_text(GOOD_USE_CASES), FILE, "demo")
    assert loaded.problems == ()
    assert loaded.venue is not None
    assert [uc.kind for uc in loaded.venue.use_cases] == ["trading", "read_only"]


@pytest.mark.parametrize(
    ("use_case", "needle", "expected"),
    [
        (
            "kind: trading\n    required: [read-write, read, withdraw]",
            "required:",
            "use_cases[0].required[2]: permission 'withdraw' must never be ticked — no use case may need it",
        ),
        (
            "kind: trading\n    required: [read-write, read]\n    optional: [transfer]",
            "optional:",
            "use_cases[0].optional[0]: permission 'transfer' must never be ticked — no use case may need it",
        ),
        (
            "kind: trading\n    required: [read-write, raed]",
            "required:",
            "use_cases[0].required[1]: unknown permission 'raed' — did you mean 'read'?",
        ),
        (
            "kind: trading\n    required: [read-write, read]\n    optional: [read]",
            "optional:",
            "use_cases[0].optional[0]: permission 'read' is already required by this use case",
        ),
        (
            "kind: trading\n    required: [read-write, read]\n    optional: [export, export]",
            "optional:",
            "use_cases[0].optional[1]: permission 'export' is listed twice",
        ),
        (
            "kind: trading\n    required: [read, read-write]\n    optional: [read-only]",
            "optional:",
            "use_cases[0].optional[0]: 'read-only' is an option of 'Key Type': a use case requires one option",
        ),
        (
            "kind: trading\n    required: [read-write, read, read-only]",
            "required:",
            "use_cases[0].required[2]: 'read-only' and 'read-write' are options of 'Key Type' — choose one",
        ),
        (
            "kind: trading\n    required: [read]",
            "required:",
            "use_cases[0].required: no option of 'Key Type' chosen — require one of 'read-write', 'read-only'",
        ),
    ],
    ids=[
        "withdraw-required",
        "never-optional",
        "unknown",
        "optional-and-required",
        "listed-twice",
        "choice-option-optional",
        "two-options-of-one-choice",
        "no-option-chosen",
    ],
)
def test_use_case_rules_report_the_exact_line(use_case: str, needle: str, expected: str) -> None:
    use_cases = GOOD_USE_CASES.replace(
        "kind: trading\n    required: [read-write, read]\n    optional: [export]", use_case, 1
    )
    text = venue_text(use_cases)
    assert problems(text) == [f"{FILE}:{line_of(text, needle)}: {expected}"]


def test_a_choice_named_only_with_a_forbidden_option_is_reported_once() -> None:
    permissions = PERMISSIONS.replace(
        "    choice: Key Type\n    why: Only reads.", "    choice: Key Type\n    never: true\n    why: Only reads."
    )
    use_cases = GOOD_USE_CASES.replace("required: [read-only, read]", "required: [read, read-only]")
    text = venue_text(use_cases, permissions)
    assert problems(text) == [
        f"{FILE}:{line_of(text, 'required: [read, read-only]')}: use_cases[1].required[1]: permission 'read-only' "
        "must never be ticked — no use case may need it"
    ]


def test_use_case_ids_are_page_anchors() -> None:
    text = venue_text(GOOD_USE_CASES.replace("id: read-only-tracker", "id: create-key"))
    assert problems(text) == [
        f"{FILE}:{line_of(text, 'id: create-key')}: use_cases[1].id: duplicate anchor id 'create-key' (also at "
        "steps[1].id) — ids must be unique"
    ]
    reserved = venue_text(GOOD_USE_CASES.replace("id: trading-bot", "id: permissions"))
    assert problems(reserved) == [
        f"{FILE}:{line_of(reserved, 'id: permissions')}: use_cases[0].id: anchor id 'permissions' is a section of "
        "every guide — choose another id"
    ]


def test_kind_is_a_closed_vocabulary() -> None:
    text = venue_text(GOOD_USE_CASES.replace("kind: read_only", "kind: readonly"))
    assert problems(text) == [
        f"{FILE}:{line_of(text, 'kind: readonly')}: use_cases[1].kind: expected one of 'trading', 'read_only', "
        "got 'readonly' — did you mean 'read_only'?"
    ]


# The checklists of the real venues ----------------------------------------------------------------------------


def page_html(venue: Venue) -> str:
    return to_html(PageRenderer(ROOT / "macros", SiteConfig()).venue_page(venue, today=TODAY))


def use_case_section(html: str, use_case_id: str) -> str:
    return re.split(r"<h[23]\b", html.split(f'<h3 id="{use_case_id}">', 1)[1], maxsplit=1)[0]


def checklist(html: str) -> dict[str, str]:
    items = re.findall(r'<li class="task-list-item">(.*?)</li>', html, re.DOTALL)
    return {re.search(r'href="#perm-([a-z0-9-]+)"', item).group(1): item for item in items}  # type: ignore[union-attr]


def choice_lines(html: str) -> list[str]:
    return re.findall(r"<li>(.*?)</li>", html, re.DOTALL)


@pytest.mark.parametrize("venue", VENUES.values(), ids=lambda v: v.id)
def test_every_real_checklist_matches_its_use_case(venue: Venue) -> None:
    html = page_html(venue)
    use_cases = html.split('<h2 id="use-cases">', 1)[1].split("<h2", 1)[0]
    assert re.findall(r'<h3 id="([^"]+)"', use_cases) == [uc.id for uc in venue.use_cases]
    boxes = [p for p in venue.permissions if not p.choice]
    choices = list(dict.fromkeys(p.choice for p in venue.permissions if p.choice))
    for use_case in venue.use_cases:
        section = use_case_section(html, use_case.id)
        items = checklist(section)
        shown = [p.id for p in boxes if use_case.state(p) != "off"]
        assert list(items) == shown  # in the venue's order; boxes the use case does not list stay out
        for p in boxes:
            if p.id in items:
                word = PERMISSION_STATES[use_case.state(p)]
                assert f"<strong>{word}</strong>" in items[p.id]
                ticked = re.search(r"<input[^>]*\bchecked\b", items[p.id]) is not None
                assert ticked is (use_case.state(p) == "required")
        assert len(choice_lines(section)) == len(choices)


@pytest.mark.parametrize(
    ("venue_id", "use_case_id", "line"),
    [
        (
            "bybit",
            "spot-trading-bot",
            '<strong>API Key Permissions</strong>: choose <a href="#perm-read-write"><strong>Read-Write</strong></a> '
            "(not Read-Only)",
        ),
        (
            "bybit",
            "read-only-portfolio-tracker",
            '<strong>API Key Permissions</strong>: choose <a href="#perm-read-only"><strong>Read-Only</strong></a> '
            "(not Read-Write)",
        ),
        (
            "kraken-futures",
            "futures-trading-bot",
            '<strong>General API</strong>: choose <a href="#perm-general-api-full-access"><strong>Full Access'
            "</strong></a> (not Read Only or No Access)",
        ),
        (
            "kraken-futures",
            "read-only-portfolio-tracker",
            '<strong>General API</strong>: choose <a href="#perm-general-api-read-only"><strong>Read Only'
            "</strong></a> (not Full Access or No Access)",
        ),
    ],
)
def test_real_choice_lines(venue_id: str, use_case_id: str, line: str) -> None:
    section = use_case_section(page_html(VENUES[venue_id]), use_case_id)
    assert line in choice_lines(section)
    # A radio option is never drawn as a box of the checklist, so none of them reads "Never tick".
    options = {p.id for p in VENUES[venue_id].permissions if p.choice}
    assert options.isdisjoint(checklist(section))


def test_kraken_futures_keeps_withdrawal_at_no_access_in_every_use_case() -> None:
    html = page_html(VENUES["kraken-futures"])
    for use_case in VENUES["kraken-futures"].use_cases:
        assert (
            '<strong>Withdrawal API</strong>: choose <a href="#perm-withdrawal-api-no-access"><strong>No Access'
            "</strong></a> (not Full Access)"
        ) in choice_lines(use_case_section(html, use_case.id))


def test_the_key_information_request_carries_the_test_requests_signed_fields() -> None:
    """The page signs both requests with one scheme: a key-info request without the nonce Kraken signs fails."""
    venue = load_venue_file(ROOT / "venues" / "kraken-spot.yaml").venue
    assert venue is not None and venue.key_info is not None
    assert check_venue(venue, "kraken-spot") == []
    broken = venue.model_copy(
        update={
            "key_info": venue.key_info.model_copy(
                update={"request": venue.key_info.request.model_copy(update={"nonce": None})}
            )
        }
    )
    assert [path for path, _ in check_venue(broken, "kraken-spot")] == [("key_info", "request", "nonce")]

"""Accessibility fixes of vendor markup: applied where the vendor's component is, loud where its markup changed."""

from __future__ import annotations

from pathlib import Path

import material
import pytest

from keyguide.browser.markup import FIXES, VendorMarkupError, fix_vendor_markup

from sitekit import to_html

SEARCH, TASKLIST = FIXES
THEME = Path(material.__file__).parent / "templates"


def test_the_search_fix_matches_the_pinned_theme_partial() -> None:
    partial = (THEME / "partials" / "search.html").read_text(encoding="utf-8")
    assert partial.count(SEARCH.marker) == 1
    assert SEARCH.expected in partial


def test_the_search_dialog_gets_a_name() -> None:
    page = f"<header>{SEARCH.expected}<input></div></header>"
    fixed = fix_vendor_markup(page, "index.md")
    assert fixed == f"<header>{SEARCH.replacement}<input></div></header>"
    assert 'role="dialog" aria-label="Search"' in fixed


def test_every_task_list_checkbox_is_hidden_from_assistive_tech() -> None:
    # The real extension output, with mkdocs.yml's settings (custom_checkbox), nested lists included.
    html = to_html("- [x] Tick\n- [ ] Never\n    - [x] Nested\n")
    fixed = fix_vendor_markup(html, "venues/kraken-spot.md")
    assert fixed.count('<input type="checkbox" disabled aria-hidden="true" tabindex="-1"') == 3
    assert '<input type="checkbox" disabled aria-hidden="true" tabindex="-1" checked/>' in fixed
    assert fixed.replace(' aria-hidden="true" tabindex="-1"', "") == html


def test_pages_without_the_components_are_left_alone() -> None:
    page = "<p>No search, no task list.</p>"
    assert fix_vendor_markup(page, "x.md") == page


def test_a_changed_search_dialog_stops_the_build_naming_page_and_pattern() -> None:
    changed = '<div class="md-search" data-md-component="search" role="dialog" aria-modal="true">'
    with pytest.raises(VendorMarkupError) as raised:
        fix_vendor_markup(f"<header>{changed}</div></header>", "security.md")
    message = str(raised.value)
    assert message.startswith("security.md: mkdocs-material's search dialog (partials/search.html): expected 1 × ")
    assert repr(SEARCH.expected) in message and "found 0" in message


def test_a_changed_task_list_stops_the_build_even_when_some_items_still_match() -> None:
    html = to_html("- [x] Tick\n- [ ] Never\n")
    # One item as a future pymdownx might write it: the marker stays, the checkbox markup moves.
    changed = html.replace(TASKLIST.expected, '<label class="task-list-control"><input disabled type="checkbox"', 1)
    with pytest.raises(VendorMarkupError, match=r"^guide\.md: pymdownx\.tasklist.*expected 2 × .*found 1"):
        fix_vendor_markup(changed, "guide.md")


def test_the_fix_is_not_applied_twice() -> None:
    """A page passes the step once; a second pass would find its own output, not the vendor's, and says so."""
    fixed = fix_vendor_markup(SEARCH.expected + "</div>", "index.md")
    with pytest.raises(VendorMarkupError):
        fix_vendor_markup(fixed, "index.md")

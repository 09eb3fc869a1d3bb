"""Accessibility fixes for markup the site does not write itself (the theme, Markdown extensions).

Each fix names the vendor markup it rewrites and a marker that says the vendor's component is on the page.
Every marker on a page must come with its expected markup, or the build stops with `VendorMarkupError`
naming the page and the pattern: when a vendor changes its markup, someone decides what the fix becomes,
instead of the fix silently matching nothing. (A custom_dir copy of the theme's partial would instead keep
old markup silently after a theme upgrade, and the task-list markup is no theme partial at all.)
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["FIXES", "MarkupFix", "VendorMarkupError", "fix_vendor_markup"]


class VendorMarkupError(Exception):
    """A page shows a vendor component whose markup is not the one a fix expects."""


@dataclass(frozen=True)
class MarkupFix:
    """One literal rewrite of vendor markup.

    Attributes:
        vendor: Who writes the markup, as the error message names it.
        marker: Shows the component is on the page; each occurrence needs one `expected` (literal text).
        expected: The vendor's markup as the pinned version writes it (literal text).
        replacement: What `expected` becomes.
    """

    vendor: str
    marker: str
    expected: str
    replacement: str


FIXES: tuple[MarkupFix, ...] = (
    # mkdocs-material 9.8 gives its search overlay role="dialog" without a name (axe: aria-dialog-name).
    # Its data-md-component attributes are what the theme's own JavaScript looks for, so they outlive restyling.
    MarkupFix(
        vendor="mkdocs-material's search dialog (partials/search.html)",
        marker='data-md-component="search"',
        expected='<div class="md-search" data-md-component="search" role="dialog">',
        replacement='<div class="md-search" data-md-component="search" role="dialog" aria-label="Search">',
    ),
    # pymdownx.tasklist (custom_checkbox) wraps a disabled checkbox in an empty <label> (axe: label). On the
    # guides the item's own text says the state ("✓ Tick", "✗ Never tick"), so the box is decoration.
    MarkupFix(
        vendor="pymdownx.tasklist's checkbox (custom_checkbox: true)",
        marker='<li class="task-list-item"',
        expected='<label class="task-list-control"><input type="checkbox" disabled',
        replacement='<label class="task-list-control"><input type="checkbox" disabled aria-hidden="true" tabindex="-1"',
    ),
)


def fix_vendor_markup(html: str, where: str) -> str:
    """`html` with the theme's search dialog named and task-list checkboxes hidden from assistive tech.

    Args:
        html: A whole page as the theme wrote it.
        where: The page, as the error names it (its source file or template).

    Raises:
        VendorMarkupError: A vendor component is on the page without the markup its fix expects.
    """
    for fix in FIXES:
        wanted = html.count(fix.marker)
        if not wanted:
            continue
        found = html.count(fix.expected)
        if found != wanted:
            raise VendorMarkupError(
                f"{where}: {fix.vendor}: expected {wanted} × {fix.expected!r}, found {found} — "
                "the vendor's markup changed; update keyguide/browser/markup.py to the new markup"
            )
        html = html.replace(fix.expected, fix.replacement)
    return html

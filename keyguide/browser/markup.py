"""Accessibility fixes for markup the site does not write itself (the theme, Markdown extensions).

Each fix is a narrow, literal rewrite: if the vendor's markup changes, the fix stops matching and the axe
test in tests/browser/ says so, rather than this code guessing.
"""

from __future__ import annotations

import re

# mkdocs-material 9.8 gives its search overlay role="dialog" without a name (axe: aria-dialog-name).
_SEARCH_DIALOG = '<div class="md-search" data-md-component="search" role="dialog">'
_SEARCH_DIALOG_NAMED = '<div class="md-search" data-md-component="search" role="dialog" aria-label="Search">'
# pymdownx.tasklist (custom_checkbox) wraps a disabled checkbox in an empty <label> (axe: label). On the
# guides the item's own text says the state ("✓ Tick", "✗ Never tick"), so the box is decoration.
_TASK_CHECKBOX = re.compile(r'(<label class="task-list-control"><input type="checkbox" disabled)')


def fix_vendor_markup(html: str) -> str:
    """`html` with the theme's search dialog named and task-list checkboxes hidden from assistive tech."""
    html = html.replace(_SEARCH_DIALOG, _SEARCH_DIALOG_NAMED)
    return _TASK_CHECKBOX.sub(r'\1 aria-hidden="true" tabindex="-1"', html)

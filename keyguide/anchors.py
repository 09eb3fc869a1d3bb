"""Anchor ids every guide page has: fixed by the templates, so venue data may not reuse them."""

from __future__ import annotations

# Keep in sync with macros/guide.j2 (tests/test_render.py renders a page and checks each is an id).
SECTION_IDS: frozenset[str] = frozenset(
    {
        "quick-facts",
        "before-you-start",
        "steps",
        "permissions",
        "use-cases",
        "ip-allowlist",
        "paste-into-product",
        "test-your-key",
        "signing",
        "security",
        "pitfalls",
        "troubleshooting",
        "faq",
        "sources",
    }
)

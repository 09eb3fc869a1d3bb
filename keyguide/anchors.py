"""Anchor ids every guide page has. They are published (support links point at them), so they are a
contract: `macros/guide.j2` writes them literally, tests check a rendered page carries exactly these ids in
this order, and venue data may not reuse them. Never rename one; add, don't remove.
"""

from __future__ import annotations

SECTION_IDS: tuple[str, ...] = (
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
)
# Fixed ids below section level.
SIGNING_EXAMPLE_ID = "signing-example"
# The step every guide ends its Steps with (macros/guide.j2: verify_the_key).
VERIFY_STEP_ID = "verify-the-key"
SUBSECTION_IDS: tuple[str, ...] = (SIGNING_EXAMPLE_ID, VERIFY_STEP_ID)
# Each permission item carries the id PERMISSION_ANCHOR_PREFIX + permission.id.
PERMISSION_ANCHOR_PREFIX = "perm-"
# Each key type of a venue with several (venue.key_types) carries the id KEY_TYPE_ANCHOR_PREFIX + key_type.id.
KEY_TYPE_ANCHOR_PREFIX = "key-type-"

# The Signing section's part on the kinds of key, on guides of venues that issue several (venue.key_types).
KEY_TYPES_ID = "key-types"

RESERVED_IDS: frozenset[str] = frozenset((*SECTION_IDS, *SUBSECTION_IDS, KEY_TYPES_ID))

# Where guides live on the site: published support links start with this, so it is part of the contract.
GUIDES_DIR = "venues"


def guide_url(venue_id: str) -> str:
    """The guide's address relative to the site root: `venues/kraken-spot/`."""
    return f"{GUIDES_DIR}/{venue_id}/"


def guide_source(venue_id: str) -> str:
    """The guide's generated Markdown file in the docs tree: `venues/kraken-spot.md`."""
    return f"{GUIDES_DIR}/{venue_id}.md"

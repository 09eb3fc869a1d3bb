"""The JSON the site publishes from venue models: the checker's rules slice and the full dataset.

A pure projection: models in, JSON-ready data out. Loading is loader.py's job.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from .anchors import SIGNING_EXAMPLE_ID, guide_url
from .model import Venue

# The checker needs the rules to diagnose and sign, and the errors to link findings to anchors.
_ERROR_FIELDS = {"code", "id", "kind", "message", "aliases", "cause", "fix"}


def venue_rules(venue: Venue) -> dict[str, Any]:
    """The checker's view of one venue."""
    return {
        "id": venue.id,
        "name": venue.name,
        "credentials": [c.model_dump(mode="json") for c in venue.credentials],
        "signing": venue.signing.model_dump(mode="json"),
        "errors": [e.model_dump(mode="json", include=_ERROR_FIELDS) for e in venue.errors],
        "guide_url": guide_url(venue.id),
        "example_url": f"{guide_url(venue.id)}#{SIGNING_EXAMPLE_ID}",
    }


def rules_slice(venues: Sequence[Venue]) -> dict[str, Any]:
    """`{"venues": {id: rules}}` for every venue, in id order."""
    return {"venues": {v.id: venue_rules(v) for v in sorted(venues, key=lambda v: v.id)}}


def full_dataset(venues: Sequence[Venue]) -> dict[str, Any]:
    """Every venue's complete data, for other tools (published with its JSON Schema)."""
    return {"venues": [v.model_dump(mode="json") for v in sorted(venues, key=lambda v: v.id)]}


def dump_json(data: Any) -> str:
    """The one serialization of published JSON: compact, keys sorted, so rebuilds give the same bytes."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))

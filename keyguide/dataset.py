"""The JSON the site publishes from venue models: the checker's rules slice and the full dataset.

A pure projection: models in, JSON-ready data out. Loading is loader.py's job.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from .anchors import SIGNING_EXAMPLE_ID, guide_url
from .model import KeyType, Venue

# The checker needs the rules to diagnose and sign, the errors to link findings to anchors, and for the key
# audit the key-information request and what each use case is for.
_ERROR_FIELDS = {"code", "id", "kind", "message", "aliases", "cause", "fix"}
_USE_CASE_FIELDS = {"id", "title", "kind"}


def venue_rules(venue: Venue) -> dict[str, Any]:
    """The checker's view of one venue."""
    return {
        "id": venue.id,
        "name": venue.name,
        "credentials": [c.model_dump(mode="json") for c in venue.credentials],
        "signing": venue.signing.model_dump(mode="json"),
        "errors": [e.model_dump(mode="json", include=_ERROR_FIELDS) for e in venue.errors],
        "key_info": None if venue.key_info is None else venue.key_info.model_dump(mode="json"),
        "use_cases": [u.model_dump(mode="json", include=_USE_CASE_FIELDS) for u in venue.use_cases],
        "guide_url": guide_url(venue.id),
        "example_url": f"{guide_url(venue.id)}#{SIGNING_EXAMPLE_ID}",
    } | ({"key_types": [_key_type_rules(venue, k) for k in venue.key_types]} if venue.key_types else {})


def _key_type_rules(venue: Venue, key_type: KeyType) -> dict[str, Any]:
    """A key type as declared: fields it leaves out stay out (the checker takes the venue's own for them). The
    page asks the checker which packages a key type needs (the `requirements` operation)."""
    data = key_type.model_dump(mode="json", include={"id", "label"})
    for name in ("scheme", "credentials", "example", "retired"):
        if getattr(key_type, name) is not None:
            data[name] = key_type.model_dump(mode="json", include={name})[name]
    return data


def rules_slice(venues: Sequence[Venue]) -> dict[str, Any]:
    """`{"venues": {id: rules}}` for every venue, in id order."""
    return {"venues": {v.id: venue_rules(v) for v in sorted(venues, key=lambda v: v.id)}}


def full_dataset(venues: Sequence[Venue]) -> dict[str, Any]:
    """Every venue's complete data, for other tools (published with its JSON Schema)."""
    return {"venues": [v.model_dump(mode="json") for v in sorted(venues, key=lambda v: v.id)]}


def dump_json(data: Any) -> str:
    """The one serialization of published JSON: compact, keys sorted, so rebuilds give the same bytes."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))

"""The editor JSON Schema for venue files, generated from the models and committed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .model import Venue

SCHEMA_PATH = Path("schema/venue.schema.json")


def venue_json_schema() -> dict[str, Any]:
    """JSON Schema of a venue file, with a title editors show."""
    schema = Venue.model_json_schema(mode="validation")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": "keyguide venue", **schema}


def render_schema() -> str:
    """The schema file's exact text (stable key order, trailing newline), so drift shows in a diff."""
    return json.dumps(venue_json_schema(), indent=2, ensure_ascii=False) + "\n"

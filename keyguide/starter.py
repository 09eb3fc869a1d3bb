"""`keyguide new`: a complete starter venue file that passes `keyguide check` and builds."""

from __future__ import annotations

import re
from importlib.resources import files

_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def render_starter(venue_id: str) -> str:
    """The starter YAML for `venue_id`; raises ValueError for an id that cannot be a URL slug."""
    if not _ID.match(venue_id):
        raise ValueError(f"{venue_id!r} is not a valid venue id — use lowercase letters, digits and hyphens")
    name = " ".join(part.capitalize() for part in venue_id.split("-"))
    template = files("keyguide").joinpath("starter.yaml").read_text(encoding="utf-8")
    return template.format(id=venue_id, name=name)

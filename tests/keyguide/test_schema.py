"""The editor schema is generated from the models: it must be committed up to date and fully described."""

from __future__ import annotations

import typing
from pathlib import Path

from pydantic import BaseModel

from keyguide.model import Venue
from keyguide.schema import SCHEMA_PATH, render_schema

ROOT = Path(__file__).resolve().parents[2]


def _models(model: type[BaseModel], seen: set[type[BaseModel]]) -> set[type[BaseModel]]:
    seen.add(model)
    for field in model.model_fields.values():
        stack = [field.annotation]
        while stack:
            annotation = stack.pop()
            if isinstance(annotation, type) and issubclass(annotation, BaseModel) and annotation not in seen:
                _models(annotation, seen)
            stack.extend(typing.get_args(annotation))
    return seen


def test_committed_schema_matches_models() -> None:
    committed = (ROOT / SCHEMA_PATH).read_text(encoding="utf-8")
    assert committed == render_schema(), "schema drift: run `.venv/bin/keyguide schema` and commit the file"


def test_every_field_has_a_description() -> None:
    undocumented = [
        f"{model.__name__}.{name}"
        for model in _models(Venue, set())
        for name, field in model.model_fields.items()
        if not (field.description or "").strip()
    ]
    assert undocumented == []


def test_every_venue_file_points_editors_at_the_schema() -> None:
    files = sorted((ROOT / "venues").glob("*.yaml"))
    assert files
    for path in files:
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first == "# yaml-language-server: $schema=../schema/venue.schema.json", path.name

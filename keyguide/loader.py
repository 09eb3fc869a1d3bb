"""Load `venues/*.yaml` into `Venue` models, collecting every problem with its line."""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from pathlib import Path as FilePath
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from .checks import check_venue
from .model import Venue
from .problems import Problem, VenueDataError, format_path, suggest
from .yamlsource import Path, YamlDocument, parse_yaml


@dataclass(frozen=True)
class LoadedVenue:
    """A venue file as read: the model when valid, and the line map for later checks."""

    file: str
    venue: Venue | None
    document: YamlDocument
    problems: tuple[Problem, ...]


def load_venue_text(text: str, file: str, stem: str) -> LoadedVenue:
    """Parse and validate one venue file's text. Never raises for bad input."""
    doc = parse_yaml(text)
    problems = [Problem(file, p.line, format_path(p.path), p.message) for p in doc.problems]
    venue: Venue | None = None
    if doc.data is None and doc.problems:
        pass  # a syntax error: there is no data to check further
    elif not isinstance(doc.data, dict):
        problems.append(Problem(file, doc.line_of(()), "", "expected a mapping of venue fields at the top level"))
    else:
        # Values the YAML reader already reported (duplicate key, bad date) are not reported twice.
        reported = {p.path for p in doc.problems}
        try:
            venue = Venue.model_validate(doc.data)
        except ValidationError as error:
            problems.extend(
                Problem(file, _line_for(doc, detail), format_path(detail["loc"]), _describe(detail))
                for detail in error.errors()
                if not any(tuple(detail["loc"])[:n] in reported for n in range(len(detail["loc"]) + 1))
            )
        if doc.problems:
            venue = None
    if venue is not None:
        problems.extend(
            Problem(file, doc.line_of(path), format_path(path), message) for path, message in check_venue(venue, stem)
        )
        if problems:
            venue = None
    return LoadedVenue(file, venue, doc, tuple(sorted(set(problems))))


def load_venue_file(path: FilePath, display: str | None = None) -> LoadedVenue:
    """Load one file; unreadable or non-UTF-8 files become problems too."""
    name = display or path.as_posix()
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        return LoadedVenue(name, None, YamlDocument(None), (Problem(name, 1, "", f"not UTF-8 text: {error.reason}"),))
    except OSError as error:
        return LoadedVenue(name, None, YamlDocument(None), (Problem(name, 1, "", f"cannot read: {error.strerror}"),))
    return load_venue_text(text, name, path.stem)


def venue_files(directory: FilePath) -> list[FilePath]:
    """The venue files of a directory, in a stable order."""
    return sorted(p for p in directory.glob("*.yaml") if p.is_file())


def load_venues(directory: FilePath, display_root: FilePath | None = None) -> list[Venue]:
    """Load every venue of `directory`, or raise `VenueDataError` listing every problem of every file."""
    files = venue_files(directory)
    if not files:
        raise VenueDataError([Problem(directory.as_posix(), 1, "", "no venue files (*.yaml) found")])
    loaded = [load_venue_file(p, _display(p, display_root)) for p in files]
    problems = [problem for item in loaded for problem in item.problems]
    if problems:
        raise VenueDataError(problems)
    return [item.venue for item in loaded if item.venue is not None]


def _display(path: FilePath, root: FilePath | None) -> str:
    if root is not None:
        try:
            return path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            pass
    return path.as_posix()


def _line_for(doc: YamlDocument, detail: ErrorDetails) -> int:
    loc = tuple(detail["loc"])
    if detail["type"] == "missing":
        return doc.line_of(loc[:-1])
    return doc.line_of(loc)


def _describe(detail: ErrorDetails) -> str:
    """Turn one pydantic error into a writer's sentence."""
    kind = detail["type"]
    loc: Path = tuple(detail["loc"])
    value = detail.get("input")
    if kind == "extra_forbidden":
        name = str(loc[-1])
        fields = _model_fields_at(loc[:-1])
        return f"unknown field {name!r}" + (suggest(name, fields) or _allowed(fields))
    if kind == "missing":
        return f"missing required field {loc[-1]!r}"
    if kind == "literal_error":
        choices = _literal_choices(loc)
        listed = ", ".join(repr(c) for c in choices)
        return f"expected one of {listed}, got {_show(value)}" + suggest(str(value), choices)
    if kind == "string_pattern_mismatch":
        if _is_anchor(loc):
            return f"{_show(value)} is not a valid id — use lowercase letters, digits and single hyphens"
        pattern = (detail.get("ctx") or {}).get("pattern", "")
        return f"{_show(value)} does not match the pattern {pattern}"
    if kind in {"date_type", "date_parsing", "date_from_datetime_inexact", "date_from_datetime_parsing"}:
        return f"expected a date like 2026-11-20 (unquoted), got {_show(value)}"
    if kind in {"url_parsing", "url_scheme", "url_type"}:
        return f"expected an absolute http(s) URL, got {_show(value)}"
    if kind in {"too_short", "string_too_short"}:
        return "must not be empty"
    if kind.endswith("_type") or kind in {"model_type", "model_attributes_type"}:
        return f"expected {_TYPE_NAMES.get(kind, kind.removesuffix('_type'))}, got {_describe_value(value)}"
    return f"{detail['msg'][0].lower()}{detail['msg'][1:]}, got {_show(value)}"


_TYPE_NAMES = {
    "string_type": "text",
    "int_type": "a whole number",
    "float_type": "a number",
    "bool_type": "true or false",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping of fields",
    "model_attributes_type": "a mapping of fields",
}


def _describe_value(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()}) — quote it if you meant text"
    if isinstance(value, int | float):
        return f"a number ({value})"
    if isinstance(value, str):
        return f"text {_show(value)}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "…"


def _allowed(fields: list[str]) -> str:
    if not fields or len(fields) > 8:
        return " — not a field here; check its spelling and indentation"
    return f" — allowed here: {', '.join(fields)}"


def _field_type(loc: Path) -> Any:
    """The annotation at `loc`, walking models, lists and dicts from `Venue`."""
    current: Any = Venue
    for part in loc:
        current = _unwrap(current)
        if isinstance(part, int):
            args = typing.get_args(current)
            current = args[0] if args else Any
        elif isinstance(current, type) and issubclass(current, BaseModel):
            info = current.model_fields.get(part)
            if info is None:
                return None
            current = info.annotation
        elif typing.get_origin(current) is dict:
            current = typing.get_args(current)[1]
        else:
            return None
    return _unwrap(current)


def _unwrap(annotation: Any) -> Any:
    """Strip `Annotated[...]` and `X | None` down to the type a writer fills in."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
            continue
        if origin in (typing.Union, types.UnionType):
            options = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(options) == 1:
                annotation = options[0]
                continue
        return annotation


def _model_fields_at(loc: Path) -> list[str]:
    model = _field_type(loc)
    if isinstance(model, type) and issubclass(model, BaseModel):
        return list(model.model_fields)
    return []


def _literal_choices(loc: Path) -> list[str]:
    annotation = _field_type(loc)
    if typing.get_origin(annotation) is typing.Literal:
        return [str(a) for a in typing.get_args(annotation)]
    return []


def _is_anchor(loc: Path) -> bool:
    last = next((p for p in reversed(loc) if isinstance(p, str)), "")
    return last in {"id", "permission", "permissions", "anchor_aliases"}

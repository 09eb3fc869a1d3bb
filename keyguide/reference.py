"""The writers' reference of a venue file, read off the pydantic models.

Nothing here restates the schema: field names, types, defaults, choices, constraints and descriptions all come
from `keyguide.model`, so the page `macros/reference.md.j2` renders cannot drift from what the loader accepts.
This module turns Python types into a writer's words and yields plain values; wording around them and all
markup are the template's.
"""

from __future__ import annotations

import datetime
import re
import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import AnyHttpUrl, BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from .model import Venue

# Python types as a writer meets them in YAML.
_SCALARS: dict[type, str] = {
    str: "text",
    bool: "true or false",
    int: "whole number",
    float: "number",
    datetime.date: "date (YYYY-MM-DD)",
    AnyHttpUrl: "URL (http or https)",
}
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


class UnsupportedType(TypeError):
    """A model uses a type the reference cannot describe yet: teach `describe_type` before shipping it."""


@dataclass(frozen=True)
class Rule:
    """One constraint: words, and a literal value shown as code (a pattern), if any."""

    text: str
    literal: str = ""

    def scoped(self, scope: str) -> Rule:
        """The same rule applied to each item, key or value of a collection."""
        return Rule(f"{scope}: {self.text}", self.literal)


@dataclass(frozen=True)
class TypeInfo:
    """What a writer needs to know about a value's type.

    Attributes:
        words: The type in a writer's words, e.g. 'list of text'.
        model_id: Section id of the model a mapping (or each item or value) follows, or ''.
        choices: Allowed values, for a choice among fixed values (a `Literal`).
        rules: Constraints, e.g. 'at least 1 item', 'matches' `^/`.
        notes: Descriptions that the item, key or value types carry themselves, e.g. 'Each item: Non-empty
            Markdown text.' (Markdown).
    """

    words: str
    model_id: str = ""
    choices: tuple[str, ...] = ()
    rules: tuple[Rule, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class FieldRow:
    """One key of a model, at every place in a venue file where the model appears.

    Attributes:
        name: The key, e.g. 'state'.
        paths: Its YAML paths, one per place, e.g. ('permissions[].state',).
        type: The value's type.
        required: Whether the key must be present.
        default: The default as YAML would write it (`false`, `[]`, `""`), or '' when there is none to show.
        description: The field's own description from the model.
    """

    name: str
    paths: tuple[str, ...]
    type: TypeInfo
    required: bool
    default: str
    description: str


@dataclass(frozen=True)
class ModelSection:
    """One model: a mapping in a venue file.

    Attributes:
        id: Explicit anchor id of its section, from the class name (`SigningExample` -> 'signing-example').
        title: Its name in words ('Signing example').
        doc: The model's own docstring, if it has one.
        locations: Where it appears in a venue file ('' is the top level; 'permissions[]' each list item).
        fields: Its keys, in declaration order.
    """

    id: str
    title: str
    doc: str
    locations: tuple[str, ...]
    fields: tuple[FieldRow, ...]


def reference_sections(root: type[BaseModel] = Venue) -> list[ModelSection]:
    """Every model reachable from `root`, depth first in field order, with every field it declares.

    Raises:
        UnsupportedType: A field's type has no wording here yet.
    """
    locations: dict[type[BaseModel], list[str]] = {}
    order: list[type[BaseModel]] = []
    _collect(root, "", locations, order)
    return [_section(model, tuple(locations[model])) for model in order]


def model_section_id(model: type[BaseModel]) -> str:
    """`QuickFacts` -> 'quick-facts'."""
    return _CAMEL.sub("-", model.__name__).lower()


def describe_type(annotation: Any, metadata: tuple[Any, ...] = ()) -> TypeInfo:
    """`annotation` (with the constraints pydantic moved into `metadata`) in a writer's words."""
    annotation, metadata = _unwrap(annotation, metadata)
    rules = _rules(annotation, metadata)
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        present = [arg for arg in args if arg is not type(None)]
        if len(present) != 1:
            raise UnsupportedType(f"union of several types: {annotation!r}")
        inner = describe_type(present[0])
        return TypeInfo(inner.words, inner.model_id, inner.choices, (*inner.rules, *rules), inner.notes)
    if origin is Literal:
        return TypeInfo("one of the allowed values", choices=tuple(_yaml_scalar(arg) for arg in args), rules=rules)
    if origin is list:
        item = describe_type(args[0])
        return TypeInfo(
            f"list of {_plural(item)}",
            item.model_id,
            item.choices,
            (*rules, *(rule.scoped("each item") for rule in item.rules)),
            _notes(("Each item", args[0])),
        )
    if origin is dict:
        key, value = describe_type(args[0]), describe_type(args[1])
        if key.model_id:
            raise UnsupportedType(f"mapping keyed by a model: {annotation!r}")
        return TypeInfo(
            f"mapping of {key.words} to {value.words}",
            value.model_id,
            value.choices,
            (*rules, *(r.scoped("each key") for r in key.rules), *(r.scoped("each value") for r in value.rules)),
            _notes(("Each key", args[0]), ("Each value", args[1])),
        )
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return TypeInfo("mapping", model_id=model_section_id(annotation), rules=rules)
    if isinstance(annotation, type) and annotation in _SCALARS:
        return TypeInfo(_SCALARS[annotation], rules=rules)
    raise UnsupportedType(f"no wording for type {annotation!r}")


# Walking the models -----------------------------------------------------------------------------------------


def _collect(
    model: type[BaseModel], location: str, locations: dict[type[BaseModel], list[str]], order: list[type[BaseModel]]
) -> None:
    if model in locations:
        locations[model].append(location)
        return
    locations[model] = [location]
    order.append(model)
    for name, field in model.model_fields.items():
        for nested, path in _nested_models(field.annotation, _join(location, name)):
            _collect(nested, path, locations, order)


def _nested_models(annotation: Any, path: str) -> Iterator[tuple[type[BaseModel], str]]:
    """Models a value of this type holds, each with the YAML path where its mapping sits."""
    annotation, _ = _unwrap(annotation, ())
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation, path
    elif origin is list:
        yield from _nested_models(args[0], f"{path}[]")
    elif origin is dict:
        yield from _nested_models(args[1], f"{path}.<key>")
    elif origin in (typing.Union, types.UnionType):
        for arg in args:
            yield from _nested_models(arg, path)


def _section(model: type[BaseModel], locations: tuple[str, ...]) -> ModelSection:
    rows = tuple(
        FieldRow(
            name=name,
            paths=tuple(_join(location, name) for location in locations),
            type=describe_type(field.annotation, tuple(field.metadata)),
            required=field.is_required(),
            default="" if field.is_required() else _default(field),
            description=(field.description or "").strip(),
        )
        for name, field in model.model_fields.items()
    )
    return ModelSection(
        id=model_section_id(model),
        title=_CAMEL.sub(" ", model.__name__).capitalize(),
        doc=" ".join((model.__dict__.get("__doc__") or "").split()),
        locations=locations,
        fields=rows,
    )


def _join(location: str, name: str) -> str:
    return f"{location}.{name}" if location else name


# Types, constraints and defaults ------------------------------------------------------------------------------


def _unwrap(annotation: Any, metadata: tuple[Any, ...]) -> tuple[Any, tuple[Any, ...]]:
    """Peel `Annotated[...]` layers, keeping their metadata (constraints, a `Field` with a description)."""
    while typing.get_origin(annotation) is Annotated:
        annotation, *extra = typing.get_args(annotation)
        metadata = (*extra, *metadata)
    return annotation, metadata


def _notes(*scoped: tuple[str, Any]) -> tuple[str, ...]:
    """Descriptions item types carry themselves (`Annotated[str, Field(description=...)]`), with their scope."""
    notes = []
    for scope, annotation in scoped:
        _, metadata = _unwrap(annotation, ())
        described = [m.description for m in metadata if isinstance(m, FieldInfo) and m.description]
        if described:
            notes.append(f"{scope}: {described[-1]}")
    return tuple(notes)


def _rules(annotation: Any, metadata: tuple[Any, ...]) -> tuple[Rule, ...]:
    """Constraints in words. Attribute names are shared by pydantic's and annotated-types' constraint objects."""
    unit = "characters" if annotation is str else "items"
    rules: list[Rule] = []
    for item in metadata:
        if isinstance(item, FieldInfo):
            rules.extend(_rules(annotation, tuple(item.metadata)))
            continue
        pattern = getattr(item, "pattern", None)
        if pattern is not None:
            rules.append(Rule("matches", str(getattr(pattern, "pattern", pattern))))
        min_length = getattr(item, "min_length", None)
        if min_length is not None:
            if min_length == 1:
                rules.append(Rule("not empty" if unit == "characters" else "at least 1 item"))
            else:
                rules.append(Rule(f"at least {min_length} {unit}"))
        for attr, words in (
            ("max_length", f"at most {{}} {unit}"),
            ("ge", "at least {}"),
            ("gt", "more than {}"),
            ("le", "at most {}"),
            ("lt", "less than {}"),
            ("multiple_of", "a multiple of {}"),
        ):
            value = getattr(item, attr, None)
            if value is not None:
                rules.append(Rule(words.format(value)))
    return tuple(dict.fromkeys(rules))


def _plural(item: TypeInfo) -> str:
    if item.model_id:
        return "mappings"
    if item.choices:
        return "allowed values"
    return item.words


def _default(field: FieldInfo) -> str:
    value = field.get_default(call_default_factory=True)
    if value is None or value is PydanticUndefined:
        return ""
    return _yaml_scalar(value)


def _yaml_scalar(value: Any) -> str:
    """A value as a writer would type it in YAML."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value == "":
        return '""'
    if isinstance(value, list) and not value:
        return "[]"
    if isinstance(value, dict) and not value:
        return "{}"
    return str(value)

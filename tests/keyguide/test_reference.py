"""The writers' reference ref: generated from the models, every field with its own description."""

from __future__ import annotations

import re
import typing
from pathlib import Path
from typing import Annotated, Any, Literal

import pytest
from pydantic import BaseModel, Field

from keyguide import render
from keyguide.model import Venue
from keyguide.reference import UnsupportedType, describe_type, reference_sections
from keyguide.render import PageRenderer
from keyguide.site import SiteConfig

from sitekit import to_html as site_html

ROOT = Path(__file__).resolve().parents[2]
MACROS = ROOT / "macros"


def models(model: type[BaseModel], seen: dict[type[BaseModel], None]) -> dict[type[BaseModel], None]:
    """Every model reachable from `model` through its fields, in depth-first field order."""
    seen[model] = None
    for field in model.model_fields.values():
        stack = [field.annotation]
        while stack:
            annotation = stack.pop(0)
            if isinstance(annotation, type) and issubclass(annotation, BaseModel) and annotation not in seen:
                models(annotation, seen)
            stack.extend(typing.get_args(annotation))
    return seen


MODELS = list(models(Venue, {}))


def kebab(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "-", name).lower()


def literal_choices(annotation: Any) -> list[str]:
    if typing.get_origin(annotation) is Literal:
        return [str(arg) for arg in typing.get_args(annotation)]
    return [choice for arg in typing.get_args(annotation) for choice in literal_choices(arg)]


@pytest.fixture(scope="module")
def ref() -> str:
    return PageRenderer(MACROS, SiteConfig()).reference_page()


@pytest.fixture(scope="module")
def ref_html(ref: str) -> str:
    return site_html(ref)


def section(ref: str, section_id: str) -> str:
    start = ref.index(" {#" + section_id + "}\n")
    end = ref.find("\n## ", start)
    return ref[start : None if end < 0 else end]


def field_row(ref: str, model: type[BaseModel], name: str) -> str:
    rows = [line for line in section(ref, kebab(model.__name__)).splitlines() if line.startswith("| `")]
    matches = [row for row in rows if re.match(rf"\| `([^`]*\.|[^`]*\]\.)?{re.escape(name)}` \|", row)]
    assert len(matches) == 1, f"{model.__name__}.{name}: {matches}"
    return matches[0]


def test_every_model_has_one_section_in_field_order(ref: str) -> None:
    assert re.findall(r"^## .* \{#([a-z-]+)\}$", ref, re.MULTILINE) == [kebab(m.__name__) for m in MODELS]


@pytest.mark.parametrize(
    ("model", "name"),
    [(m, n) for m in MODELS for n in m.model_fields],
    ids=lambda x: x if isinstance(x, str) else x.__name__,
)
def test_every_field_appears_with_its_description(ref: str, model: type[BaseModel], name: str) -> None:
    description = model.model_fields[name].description
    assert description
    row = field_row(ref, model, name)
    assert row.endswith(f"| {render.cell(description)} |")


def test_every_model_has_exactly_its_fields(ref: str) -> None:
    for model in MODELS:
        rows = [line for line in section(ref, kebab(model.__name__)).splitlines() if line.startswith("| `")]
        assert len(rows) == len(model.model_fields), model.__name__


@pytest.mark.parametrize(
    ("model", "name"),
    [(m, n) for m in MODELS for n, f in m.model_fields.items() if literal_choices(f.annotation)],
    ids=lambda x: x if isinstance(x, str) else x.__name__,
)
def test_literal_choices_appear(ref: str, model: type[BaseModel], name: str) -> None:
    row = field_row(ref, model, name)
    for choice in literal_choices(model.model_fields[name].annotation):
        assert f"`{choice}`" in row


def test_paths_as_the_build_reports_them(ref: str) -> None:
    assert (
        "| `use_cases[].kind` | one of the allowed values<br>**required** | Allowed values: `trading`, `read_only` |"
        in ref
    )
    assert "| `use_cases[].required` | list of text<br>**required** | at least 1 item<br>" in ref
    assert "| `use_cases[].optional` | list of text<br>optional, default `[]` |" in ref
    assert "| `credentials[].format.length.min` | whole number<br>**required** | at least 1 |" in ref
    assert "| `id` | text<br>**required** | matches `^[a-z0-9]+(-[a-z0-9]+)*$`<br>at most 80 characters |" in ref


def test_models_used_in_several_places_list_them(ref: str) -> None:
    support = section(ref, "support")
    for key in ("margin", "two_factor", "ip_allowlist", "key_expiry", "sub_accounts"):
        assert f"`quick_facts.{key}`" in support
    assert "| `supported` | true or false<br>**required** |" in support
    assert "`signing.test_request`, `signing.example.request`" in section(ref, "sign-request")


def test_defaults_constraints_and_links(ref: str) -> None:
    assert "| `permissions[].withdraw` | true or false<br>optional, default `false` |" in ref
    assert "| `permissions[].never` | true or false<br>optional, default `false` |" in ref
    assert '| `permissions[].choice` | text<br>optional, default `""` |' in ref
    assert "optional, default `any` | Allowed values: `any`, `mixed`, `lower`, `upper` |" in ref
    assert "| `quick_facts.leverage` | mapping ([Leverage](#leverage))<br>optional |" in ref
    assert "| `steps` | list of mappings ([Step](#step))<br>**required** | at least 1 item |" in ref
    assert "at least 0<br>at most 5" in section(ref, "fees")
    assert "Each item: Non-empty Markdown text." in field_row(ref, Venue, "prerequisites")
    aliases = field_row(ref, Venue, "anchor_aliases")
    assert "each key: matches `^[a-z0-9]+(-[a-z0-9]+)*$`" in aliases and "Each value: An explicit" in aliases


def test_model_docstrings_are_shown(ref: str) -> None:
    assert " ".join((Venue.__doc__ or "").split()) in section(ref, "venue")


def test_renders_to_html(ref_html: str) -> None:
    assert re.findall(r'<h2 id="([^"]+)"', ref_html) == [kebab(m.__name__) for m in MODELS]
    assert "{#" not in ref_html and "{:" not in ref_html
    assert ref_html.count("<table>") == ref_html.count('<div class="kg-reference">') == len(MODELS)
    ids = set(re.findall(r'\bid="([^"]+)"', ref_html))
    for target in re.findall(r'href="#([^"]+)"', ref_html):
        assert target in ids
    assert '<a href="writing-a-venue.md">Writing a venue</a>' in ref_html


def test_page_is_white_label_and_ends_cleanly(ref: str) -> None:
    assert "keyguide" not in ref.lower()
    assert ref.startswith("# Venue file reference\n")
    assert ref.endswith("</div>\n") and not ref.endswith("\n\n")


# The walk on models the real schema does not (yet) use ------------------------------------------------------


class Inner(BaseModel):
    """An inner model."""

    n: int = Field(ge=2, lt=10, description="A number.")


class Toy(BaseModel):
    by_name: dict[str, Inner] = Field(description="Inner models by name.")
    levels: list[Literal[1, 2]] | None = Field(default=None, description="Levels.")
    tags: Annotated[list[str], Field(max_length=3)] = Field(default_factory=list, description="Tags.")


def test_walk_reaches_models_inside_mappings() -> None:
    sections = reference_sections(Toy)
    assert [(s.id, s.locations) for s in sections] == [("toy", ("",)), ("inner", ("by_name.<key>",))]
    by_name, levels, tags = sections[0].fields
    assert by_name.type.model_id == "inner" and by_name.required
    assert levels.type.choices == ("1", "2") and not levels.required and levels.default == ""
    assert tags.default == "[]" and [r.text for r in tags.type.rules] == ["at most 3 items"]
    assert [r.text for r in sections[1].fields[0].type.rules] == ["at least 2", "less than 10"]
    assert sections[1].doc == "An inner model."


@pytest.mark.parametrize("annotation", [set[str], tuple[int, int], int | str, dict[Inner, str], bytes])
def test_types_without_wording_fail_loudly(annotation: Any) -> None:
    with pytest.raises(UnsupportedType):
        describe_type(annotation)

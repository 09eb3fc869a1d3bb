"""Load venue files into `Venue` models, collecting every problem with its line.

One entry point for every caller (the MkDocs plugin, the `keyguide` CLI, tests and the dataset export):
`load_directory` for a venues folder, `load_paths` for the files and folders a writer names. Each file goes
through four stages, each run only when the one before left a valid model:

1. YAML: syntax, duplicate keys, dates (yamlsource.py);
2. schema: the pydantic model (model.py);
3. cross-field rules a schema cannot express (checks.py);
4. the signing self-test: the checker must reproduce the venue's published signature example (selftest.py).

With a build cache (the MkDocs plugin passes one), a venue file whose exact text passed all four stages in
an earlier build, under the same code and the same date, is taken from the cache instead of read again.
"""

from __future__ import annotations

import pickle
import types
import typing
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path as FilePath
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from . import clock
from .cache import BuildCache
from .checks import check_venue
from .model import Venue
from .problems import Problem, VenueDataError, format_path, suggest
from .selftest import verify_example
from .yamlsource import Path, YamlDocument, parse_yaml

NO_VENUE_FILES = "no venue files (*.yaml) found"
NO_SUCH_PATH = "no such file or directory"
_CACHE_KIND = "venues"


@dataclass(frozen=True)
class LoadedVenue:
    """A venue file as read: the model when valid, and the line map for later checks.

    Attributes:
        file: The file as shown in problem lines (see `display_path`).
        venue_id: The file stem, which is the venue id and its URL slug even when the file is broken.
        venue: The model, or None when the file has any problem.
        document: The parsed YAML with its line numbers.
        problems: Every problem of this file, sorted.
    """

    file: str
    venue_id: str
    venue: Venue | None
    document: YamlDocument
    problems: tuple[Problem, ...]


@dataclass(frozen=True)
class LoadedVenues:
    """Everything one load read: each venue file, and every problem of the load, sorted.

    `problems` also holds problems that belong to no file (an empty folder, a missing path).
    """

    items: tuple[LoadedVenue, ...]
    problems: tuple[Problem, ...]

    @property
    def venues(self) -> list[Venue]:
        """The venues that loaded without a problem, in file order (the rest are in `broken`)."""
        return [item.venue for item in self.items if item.venue is not None]

    @property
    def broken(self) -> list[LoadedVenue]:
        """The files that have problems, in file order."""
        return [item for item in self.items if item.venue is None]

    def require(self) -> list[Venue]:
        """Every venue, when nothing has a problem.

        Raises:
            VenueDataError: Listing every problem of every file.
        """
        if self.problems:
            raise VenueDataError(self.problems)
        return self.venues


def load_directory(
    directory: FilePath, *, root: FilePath | None = None, cache: BuildCache | None = None
) -> LoadedVenues:
    """Load every venue file of `directory`; an empty or missing folder is a problem, never an exception.

    Args:
        directory: The venues folder (`venues/`).
        root: Problem lines name files relative to this folder (the project); None keeps `directory` as given.
        cache: Reuse what an earlier build loaded from the same text (see `load_venue_file`).
    """
    return load_paths([directory], root=root, cache=cache)


def load_paths(
    paths: Iterable[FilePath], *, root: FilePath | None = None, cache: BuildCache | None = None
) -> LoadedVenues:
    """Load the venue files named, each path a venue file or a folder of them (what `keyguide check` takes).

    Args:
        paths: Venue files and venue folders, in any mix.
        root: As for `load_directory`.
        cache: As for `load_directory`.
    """
    files: list[FilePath] = []
    problems: list[Problem] = []
    for path in paths:
        if path.is_dir():
            found = venue_files(path)
            if not found:
                problems.append(Problem(display_path(path, root), 1, "", NO_VENUE_FILES))
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            problems.append(Problem(display_path(path, root), 1, "", NO_SUCH_PATH))
    items = tuple(load_venue_file(path, display_path(path, root), cache=cache) for path in files)
    problems.extend(problem for item in items for problem in item.problems)
    return LoadedVenues(items, tuple(sorted(problems)))


def venue_files(directory: FilePath) -> list[FilePath]:
    """The venue files of a directory, in a stable order."""
    return sorted(p for p in directory.glob("*.yaml") if p.is_file())


def display_path(path: FilePath, root: FilePath | None = None) -> str:
    """How problem lines name `path`: relative to `root` when it lies inside it, else as given."""
    if root is not None:
        try:
            return path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            pass
    return path.as_posix()


def load_venue_file(path: FilePath, display: str | None = None, *, cache: BuildCache | None = None) -> LoadedVenue:
    """Load one file; unreadable or non-UTF-8 files become problems too.

    Args:
        cache: Where a file that loaded without a problem is kept, keyed by its exact text, its name, the
            date and the code (the cache's fingerprint). A hit returns that earlier result; a file with any
            problem is never stored, so its problem lines always come from this run.
    """
    name = display or path.as_posix()
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        return _unreadable(name, path.stem, f"not UTF-8 text: {error.reason}")
    except OSError as error:
        return _unreadable(name, path.stem, f"cannot read: {error.strerror}")
    if cache is None:
        return load_venue_text(text, name, path.stem)
    return _load_cached(text, name, path.stem, cache)


def load_venue_text(text: str, file: str, stem: str) -> LoadedVenue:
    """Run the four stages on one venue file's text. Never raises for bad input.

    Args:
        text: The file's content.
        file: The file as problem lines name it.
        stem: The file stem: the venue id the data must declare.
    """
    doc = parse_yaml(text)
    problems = [Problem(file, p.line, format_path(p.path), p.message) for p in doc.problems]
    venue, schema_problems = _validate(doc, file)
    problems.extend(schema_problems)
    if venue is not None:
        # Stage 4 signs the example only once the data holds together: a bad credential list would only be
        # reported again as "cannot sign".
        findings = check_venue(venue, stem) or list(verify_example(venue))
        problems.extend(Problem(file, doc.line_of(path), format_path(path), message) for path, message in findings)
    return LoadedVenue(file, stem, None if problems else venue, doc, tuple(sorted(set(problems))))


def _load_cached(text: str, file: str, stem: str, cache: BuildCache) -> LoadedVenue:
    """`load_venue_text`, or its stored result for exactly these inputs.

    Entries are pickles, read back only from the project's own cache folder: the same trust as Python's
    `__pycache__`, which runs the bytecode it finds beside the sources.
    """
    try:
        today = clock.today().isoformat()  # stage 3 judges dated facts against it
    except clock.ClockError:
        return load_venue_text(text, file, stem)  # a bad KEYGUIDE_TODAY fails as it does without a cache
    key = cache.key(file, stem, today, text)
    stored = cache.get(_CACHE_KIND, key)
    if stored is not None:
        try:
            item = pickle.loads(stored)
        except Exception:  # a damaged or foreign entry: load afresh and overwrite it
            item = None
        if isinstance(item, LoadedVenue) and (item.file, item.venue_id) == (file, stem) and _loaded_clean(item):
            return item
    item = load_venue_text(text, file, stem)
    if _loaded_clean(item):
        cache.put(_CACHE_KIND, key, pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL))
    return item


def _loaded_clean(item: LoadedVenue) -> bool:
    return isinstance(item.venue, Venue) and not item.problems


def _validate(doc: YamlDocument, file: str) -> tuple[Venue | None, list[Problem]]:
    """Stage 2: the model, or the schema's problems (None also when stage 1 had problems)."""
    if doc.data is None and doc.problems:
        return None, []  # a syntax error: there is no data to check further
    if not isinstance(doc.data, dict):
        return None, [Problem(file, doc.line_of(()), "", "expected a mapping of venue fields at the top level")]
    # Values the YAML reader already reported (duplicate key, bad date) are not reported twice.
    reported = {p.path for p in doc.problems}
    try:
        venue = Venue.model_validate(doc.data)
    except ValidationError as error:
        return None, [
            Problem(file, _line_for(doc, detail), format_path(detail["loc"]), _describe(detail))
            for detail in error.errors()
            if not any(tuple(detail["loc"])[:n] in reported for n in range(len(detail["loc"]) + 1))
        ]
    return (None if doc.problems else venue), []


def _unreadable(file: str, stem: str, message: str) -> LoadedVenue:
    return LoadedVenue(file, stem, None, YamlDocument(None), (Problem(file, 1, "", message),))


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

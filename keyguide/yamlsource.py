"""Parse YAML into plain data while remembering the line of every value.

PyYAML keeps the last of duplicate keys silently and cannot tell lines after construction, so we compose
the node graph ourselves: duplicate keys, anchors/aliases, merge keys and custom tags become problems with
line numbers, and every value's path maps to the line it starts on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class YamlProblem:
    """A problem found while reading YAML, before any schema check."""

    line: int
    path: Path
    message: str


@dataclass
class YamlDocument:
    """Plain Python data plus the 1-based line where each path starts."""

    data: Any
    lines: dict[Path, int] = field(default_factory=dict)
    key_lines: dict[Path, int] = field(default_factory=dict)
    problems: list[YamlProblem] = field(default_factory=list)

    def line_of(self, path: Path) -> int:
        """Line of the deepest known prefix of `path` (a missing key reports its parent's line)."""
        for end in range(len(path), -1, -1):
            prefix = path[:end]
            if prefix in self.key_lines:
                return self.key_lines[prefix]
            if prefix in self.lines:
                return self.lines[prefix]
        return 1


_STANDARD_TAGS = {
    "tag:yaml.org,2002:" + name for name in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq")
}


class _Builder:
    def __init__(self, doc: YamlDocument) -> None:
        self.doc = doc
        self.constructor = yaml.SafeLoader("")  # only its scalar constructors are used

    def build(self, node: yaml.Node, path: Path) -> Any:
        line = node.start_mark.line + 1
        self.doc.lines[path] = line
        if node.tag not in _STANDARD_TAGS:
            self._problem(line, path, f"tag {node.tag!r} is not allowed — write a plain value")
            return None
        if isinstance(node, yaml.MappingNode):
            return self._build_mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, index)) for index, item in enumerate(node.value)]
        try:
            return self.constructor.construct_object(node, deep=True)
        except (yaml.constructor.ConstructorError, ValueError) as error:
            reason = getattr(error, "problem", None) or str(error)
            what = "date" if node.tag == "tag:yaml.org,2002:timestamp" else "value"
            self._problem(line, path, f"{node.value!r} is not a valid {what}: {reason}")
            return None

    def _build_mapping(self, node: yaml.MappingNode, path: Path) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        first_line: dict[Any, int] = {}
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + 1
            if key_node.tag == "tag:yaml.org,2002:merge":
                self._problem(key_line, path, "merge keys ('<<') are not allowed — write the fields out")
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                self._problem(key_line, path, "keys must be plain strings")
                continue
            key = key_node.value
            if key in first_line:
                self._problem(
                    key_line,
                    (*path, key),
                    f"duplicate key {key!r} (first defined on line {first_line[key]}) — keep one",
                )
                continue
            first_line[key] = key_line
            self.doc.key_lines[(*path, key)] = key_line
            result[key] = self.build(value_node, (*path, key))
        return result

    def _problem(self, line: int, path: Path, message: str) -> None:
        self.doc.problems.append(YamlProblem(line, path, message))


def _reject_aliases(text: str, doc: YamlDocument) -> None:
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            line = event.start_mark.line + 1 if event.start_mark else 1
            doc.problems.append(
                YamlProblem(line, (), "anchors and aliases ('&', '*') are not allowed — repeat the value")
            )


def parse_yaml(text: str) -> YamlDocument:
    """Parse one YAML document; syntax errors become a single problem with its line."""
    doc = YamlDocument(data=None)
    try:
        _reject_aliases(text, doc)
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        detail = error.problem or "invalid YAML"
        if error.context:
            started = error.context_mark
            where = f" started on line {started.line + 1}" if started and started is not mark else ""
            detail = f"{detail} ({error.context}{where})"
        doc.problems.append(YamlProblem(line, (), f"YAML syntax error: {detail}"))
        return doc
    except yaml.YAMLError as error:
        doc.problems.append(YamlProblem(1, (), f"YAML error: {error}"))
        return doc
    if node is None:
        doc.problems.append(YamlProblem(1, (), "the file is empty"))
        return doc
    doc.data = _Builder(doc).build(node, ())
    return doc

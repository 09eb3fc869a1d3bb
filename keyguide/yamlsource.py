"""Parse YAML into plain data while remembering the line of every value.

PyYAML keeps the last of duplicate keys silently and cannot tell lines after construction, so we compose
the node graph ourselves: duplicate keys, anchors/aliases, merge keys and custom tags become problems with
line numbers, and every value's path maps to the line it starts on.

Speed: libyaml (PyYAML's C extension) composes a venue file about twenty times faster than PyYAML's
pure-Python reader. It reads every file first; a file it cannot read, or one with an anchor or alias, is read
again by the pure-Python reader, whose messages and lines are the ones writers see. Both readers give a file
they accept the same nodes and lines (tests/keyguide/test_yamlsource.py compares them).
"""

from __future__ import annotations

import re
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


_STR = "tag:yaml.org,2002:str"
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
        if node.tag == _STR:
            return node.value  # what the constructor returns for text, without its bookkeeping
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


# libyaml's reader, when PyYAML was installed with it (its wheels are).
_C_LOADER: type[yaml.CSafeLoader] | None = getattr(yaml, "CSafeLoader", None)
# Where libyaml and the pure-Python reader disagree, found by comparing them on mutated venue files
# (tests/keyguide/test_yamlsource.py): libyaml accepts a tab after a key or inside a plain value, reads a
# lone `!` tag as text where the pure-Python reader reads null, and marks an explicit key's (`? `) empty
# value elsewhere. Text with a tab, a line break other than CR and LF, or a `!` or `?` where a token can
# start (a tag, an explicit key) goes to the pure-Python reader.
_C_DIFFERS = "\t\x85\u2028\u2029"
_INDICATORS = "!?"
_BEFORE_TOKEN = " \r\n,[]{}\ufeff"  # a `!` or `?` after anything else is text


def _libyaml_differs(text: str) -> bool:
    if any(char in text for char in _C_DIFFERS):
        return True
    for indicator in _INDICATORS:
        at = text.find(indicator)
        while at != -1:
            if at == 0 or text[at - 1] in _BEFORE_TOKEN:
                return True
            at = text.find(indicator, at + 1)
    return False


# In a flow collection, the pure-Python reader ends a plain value at any of these; libyaml reads on.
_FLOW_ENDS = re.compile(r"[,?\[\]{}]")


def _anchored(event: yaml.Event) -> bool:
    return isinstance(event, yaml.AliasEvent) or bool(getattr(event, "anchor", None))


def _reject_aliases(text: str, doc: YamlDocument) -> None:
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if _anchored(event):
            line = event.start_mark.line + 1 if event.start_mark else 1
            doc.problems.append(
                YamlProblem(line, (), "anchors and aliases ('&', '*') are not allowed — repeat the value")
            )


def _flow_plain_differs(node: yaml.Node, *, in_flow: bool) -> bool:
    """Whether a plain value inside a flow collection holds a character that ends it for the pure-Python reader."""
    if isinstance(node, yaml.ScalarNode):
        return in_flow and not node.style and _FLOW_ENDS.search(node.value) is not None
    assert isinstance(node, yaml.CollectionNode)
    in_flow = in_flow or bool(node.flow_style)
    if isinstance(node, yaml.MappingNode):
        return any(
            _flow_plain_differs(key, in_flow=in_flow) or _flow_plain_differs(value, in_flow=in_flow)
            for key, value in node.value
        )
    return any(_flow_plain_differs(item, in_flow=in_flow) for item in node.value)


def _compose(text: str, doc: YamlDocument, *, fast: bool) -> yaml.Node | None:
    """The node graph of the one document in `text` (None when empty); anchors and aliases go to `doc`.

    Raises:
        yaml.YAMLError: From the pure-Python reader, whose messages and marks writers see.
    """
    if fast and _C_LOADER is not None and not _libyaml_differs(text):
        try:
            if not any(_anchored(event) for event in yaml.parse(text, Loader=_C_LOADER)):
                node: yaml.Node | None = yaml.compose(text, Loader=_C_LOADER)
                if node is None or not _flow_plain_differs(node, in_flow=False):
                    return node
        except yaml.YAMLError:
            pass  # read again below: the pure-Python reader words the problem and marks its line
    _reject_aliases(text, doc)
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    return node


def parse_yaml(text: str, *, fast: bool = True) -> YamlDocument:
    """Parse one YAML document; syntax errors become a single problem with its line.

    Args:
        fast: Read with libyaml first (see the module docstring); False reads with the pure-Python reader only.
    """
    doc = YamlDocument(data=None)
    try:
        node = _compose(text, doc, fast=fast)
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

"""libyaml reads a venue file to the very document the pure-Python reader gives, or leaves it to that reader.

parse_yaml reads with libyaml first (about twenty times faster) and falls back to PyYAML's pure-Python reader,
whose messages and lines writers see. Each test compares the two paths on one input: the data, the line of every
path and key, and every problem must be the same.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import yaml

from keyguide import yamlsource
from keyguide.yamlsource import YamlDocument, parse_yaml

ROOT = Path(__file__).resolve().parents[2]
INPUTS = sorted((ROOT / "venues").glob("*.yaml")) + sorted((Path(__file__).parent / "venue_cases").glob("*.yaml"))

# Inputs on which libyaml alone reads something else than the pure-Python reader (each checked below).
DIVERGENT = {
    "tab after a key": "id\t: demo\nname: Demo\n",
    "tab inside a key": "na\tme: Demo\n",
    "lone tag": "id: demo\nname: !\n",
    "question mark in a flow value": "required: [rea?d]\n",
    "explicit key at the end": "# nothing yet\n?",
}

# Snippets the mutations insert: YAML's indicators, whitespace and line breaks of every kind.
_SNIPPETS = (
    "\t", " ", "  ", ":", "- ", '"', "'", "|", ">", ">-\n", "|+\n", "#", "&a ", "*a", "!", " !", "!!str ", "! ",
    "%", "@", "`", "{", "}", "[", "]", ",", "?", " ? ", "[a, b?]", "{a: b}", "\n", "\r", "\r\n", "---\n",
    "...\n", "\\", "\x00", "\x85", "\u2028", "\u00a0", "\ufeff", "é", '"a\\x"',
)  # fmt: skip


def _view(doc: YamlDocument) -> tuple[str, object, object, object]:
    return repr(doc.data), doc.lines, doc.key_lines, doc.problems


def _assert_same(text: str) -> None:
    assert _view(parse_yaml(text)) == _view(parse_yaml(text, fast=False))


def _mutated(seed: int) -> str:
    """A window of a venue file or broken case with one to three random edits."""
    rng = random.Random(seed)
    lines = rng.choice(INPUTS).read_text(encoding="utf-8").split("\n")
    start = rng.randrange(len(lines))
    lines = lines[start : start + rng.randrange(1, 60)]
    for _ in range(rng.randrange(1, 4)):
        row = rng.randrange(len(lines))
        line, at = lines[row], rng.randrange(len(lines[row]) + 1)
        edit = rng.randrange(5)
        if edit == 0 and len(lines) > 1:
            lines.pop(row)
        elif edit == 1:
            lines[row] = line[:at] + rng.choice(_SNIPPETS) + line[at:]
        elif edit == 2:
            lines[row] = " " * rng.randrange(1, 4) + line
        elif edit == 3:
            lines.insert(row, rng.choice(lines))
        else:
            lines[row] = line[:at] + line[at + 1 :]
    return "\n".join(lines)


def test_libyaml_is_there() -> None:
    # The speed depends on it: PyYAML's wheels ship it, and the fast path is skipped silently without it.
    assert yaml.__with_libyaml__


@pytest.mark.parametrize("path", INPUTS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_venue_and_case_reads_the_same(path: Path) -> None:
    _assert_same(path.read_text(encoding="utf-8"))


def test_valid_venues_take_the_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(text: str, doc: YamlDocument) -> None:
        raise AssertionError("the pure-Python reader read a file libyaml could read")

    monkeypatch.setattr(yamlsource, "_reject_aliases", refuse)
    for path in sorted((ROOT / "venues").glob("*.yaml")):
        assert parse_yaml(path.read_text(encoding="utf-8")).problems == []


@pytest.mark.parametrize("text", DIVERGENT.values(), ids=list(DIVERGENT))
def test_inputs_libyaml_reads_otherwise_go_to_the_pure_reader(text: str) -> None:
    # Positive control: libyaml alone does read these otherwise (an error, another value or another line) ...
    try:
        exact = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        exact = None
    assert _shape(yaml.compose(text, Loader=yaml.CSafeLoader)) != _shape(exact)
    # ... and parse_yaml still gives what the pure-Python reader gives.
    _assert_same(text)


@pytest.mark.parametrize("seed", range(120))
def test_mutated_venue_files_read_the_same(seed: int) -> None:
    _assert_same(_mutated(seed))


def _shape(node: yaml.Node | None) -> object:
    """A node graph as nested tuples of tag, value and start line (nodes compare by identity)."""
    if node is None:
        return None
    line = node.start_mark.line
    if isinstance(node, yaml.MappingNode):
        return node.tag, line, tuple((_shape(key), _shape(value)) for key, value in node.value)
    if isinstance(node, yaml.SequenceNode):
        return node.tag, line, tuple(_shape(item) for item in node.value)
    return node.tag, line, node.value

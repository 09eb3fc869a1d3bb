"""Problems in venue files, reported to writers as `file:line: field.path: problem — hint`."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .yamlsource import Path


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong in one file; sorts by file, then line."""

    file: str
    line: int
    field: str
    message: str

    def format(self) -> str:
        """The line writers see in the CLI, `mkdocs build` and `mkdocs serve`."""
        where = f"{self.field}: " if self.field else ""
        return f"{self.file}:{self.line}: {where}{self.message}"

    def format_github(self) -> str:
        """A GitHub Actions annotation for the same problem."""
        text = f"{self.field}: {self.message}" if self.field else self.message
        text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        return f"::error file={self.file},line={self.line}::{text}"


class VenueDataError(Exception):
    """Raised when venue files have problems; carries all of them, sorted."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = sorted(problems)
        super().__init__(format_problems(self.problems))


def format_problems(problems: Sequence[Problem]) -> str:
    count = len(problems)
    noun = "problem" if count == 1 else "problems"
    return "\n".join([*(p.format() for p in problems), f"{count} {noun} in venue files."])


def format_path(path: Path) -> str:
    """`("permissions", 3, "state")` → `permissions[3].state`."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def suggest(word: str, choices: Iterable[str]) -> str:
    """A ` — did you mean 'x'?` suffix, or '' when nothing is close."""
    matches = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" — did you mean {matches[0]!r}?" if matches else ""

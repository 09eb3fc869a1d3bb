"""The checker runs in Pyodide: standard library only, and no I/O, clock or randomness outside the CLI.

The layering between packages (the checker never imports the build side, no import circles) is import-linter's
job (pyproject.toml, tests/test_import_contracts.py). What it cannot express is checked here: an allow-list of
the standard library, modules denied inside the checker, and imports by name (`importlib.import_module`).
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

CHECKER = Path(__file__).resolve().parents[2] / "checker"
DENY = {
    "os",
    "io",
    "pathlib",
    "socket",
    "subprocess",
    "threading",
    "urllib",
    "logging",
    "http",
    "asyncio",
    "random",
    "time",
    "datetime",
    "secrets",
    "tempfile",
    "shutil",
    "ctypes",
    "multiprocessing",
}
IO_ALLOWED = {"cli.py", "__main__.py"}


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", "")) in {"import_module", "__import__"}
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            # An import by name (importlib.import_module("x")) is invisible to import-linter; record it here.
            names.add(node.args[0].value.split(".")[0])
    return names


def test_standard_library_only() -> None:
    files = sorted(CHECKER.glob("*.py"))
    assert files
    for path in files:
        outside = _imports(path) - set(sys.stdlib_module_names) - {"checker", "__future__"}
        assert not outside, f"{path.name} imports {sorted(outside)}"


def test_no_io_clock_or_randomness_outside_the_cli() -> None:
    for path in sorted(CHECKER.glob("*.py")):
        if path.name in IO_ALLOWED:
            continue
        denied = _imports(path) & DENY
        assert not denied, f"{path.name} imports {sorted(denied)}"


def test_no_pyodide_or_js() -> None:
    for path in sorted(CHECKER.glob("*.py")):
        assert not _imports(path) & {"pyodide", "js", "micropip"}, path.name

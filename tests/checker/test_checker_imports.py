"""The checker runs in Pyodide: standard library only, and no I/O, clock or randomness outside the CLI."""

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
            and getattr(node.func, "attr", "") == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            # importlib.import_module("x") in the CLI loads the build-side package by name; record it too.
            names.add(node.args[0].value.split(".")[0])
    return names


def test_standard_library_only() -> None:
    files = sorted(CHECKER.glob("*.py"))
    assert files
    for path in files:
        outside = _imports(path) - set(sys.stdlib_module_names) - {"checker", "__future__"}
        if path.name == "cli.py":
            outside -= {"keyguide"}  # loaded lazily by name, only to read venue YAML from the command line
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

"""The checker runs in Pyodide: standard library only, and no I/O, clock or randomness outside the CLI.

The layering between packages (the checker never imports the build side, no import circles) is import-linter's
job (pyproject.toml, tests/test_import_contracts.py). What it cannot express is checked here: an allow-list of
the standard library, modules denied inside the checker, and imports by name (`importlib.import_module`).

One exception, named here exactly: checker/asymmetric.py signs with private keys through two pure-Python
packages, imported inside its functions only, so a venue that signs with HMAC never loads them (the page ships
their wheels apart and unpacks them only for the venues that need them).
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHECKER = ROOT / "checker"
# Module -> the packages beside the standard library it may import, lazily (inside a function).
THIRD_PARTY = {"asymmetric.py": {"ecdsa", "rsa"}}
SIGNING_PACKAGES = {"ecdsa", "rsa", "six", "pyasn1"}
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
        assert outside == THIRD_PARTY.get(path.name, set()), f"{path.name} imports {sorted(outside)}"


def test_signing_packages_are_imported_lazily() -> None:
    """Only inside functions: importing the checker (what every page does) loads neither package."""
    for name, allowed in THIRD_PARTY.items():
        tree = ast.parse((CHECKER / name).read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.Import | ast.ImportFrom):
                module = node.module if isinstance(node, ast.ImportFrom) else node.names[0].name
                assert (module or "").split(".")[0] not in allowed, f"{name}: top-level import of {module}"


def test_hmac_signing_loads_no_signing_package() -> None:
    """Diagnose and sign for an HMAC venue with the packages unavailable: nothing asks for them."""
    script = (
        "import json, sys\n"
        f"for name in {sorted(SIGNING_PACKAGES)!r}:\n"
        "    sys.modules[name] = None\n"
        "from checker import handle\n"
        "rules = json.dumps({'venues': {'v': {'name': 'V', 'credentials': [{'id': 's', 'label': 'Secret', "
        "'role': 'secret', 'format': {'alphabet': 'printable'}}], "
        "'signing': {'scheme': 'binance_hmac_sha256', 'base_url': 'https://api.example.com'}}}})\n"
        "for op in ('diagnose', 'sign'):\n"
        "    print(handle(rules, json.dumps({'op': op, 'venue': 'v', 'credentials': {'s': 'secret-x'}, "
        "'request': {'method': 'GET', 'path': '/x', 'timestamp': '1'}})))\n"
        f"print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {sorted(SIGNING_PACKAGES)!r} "
        "and sys.modules[m] is not None)))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=True)
    diagnosed, signed, loaded = (json.loads(line) for line in done.stdout.splitlines())
    assert "error" not in diagnosed and "error" not in signed
    assert len(signed["signature"]) == 64
    assert loaded == []


def test_no_io_clock_or_randomness_outside_the_cli() -> None:
    for path in sorted(CHECKER.glob("*.py")):
        if path.name in IO_ALLOWED:
            continue
        denied = _imports(path) & DENY
        assert not denied, f"{path.name} imports {sorted(denied)}"


def test_no_pyodide_or_js() -> None:
    for path in sorted(CHECKER.glob("*.py")):
        assert not _imports(path) & {"pyodide", "js", "micropip"}, path.name

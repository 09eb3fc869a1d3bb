"""Which files of Pyodide's standard library archive the page can still import after restoring the snapshot.

Run by snapshot.mjs inside the interpreter that has just made the snapshot (Pyodide's Python parses its own
standard library; the build's Python may be older), with only the standard library: it is executed as a
script there, not imported as part of keyguide.

A module the snapshot holds is never read from the archive again, so the archive needs only the modules
the checker and the signing packages may import later (`import` anywhere in their sources: the checker
imports its signing packages inside functions), and what those import when they load (module-level imports
of standard library modules, under `if` and `try` too; imports inside a standard library function are not
followed: the tests run every key type's signing path against the trimmed archive), plus `DYNAMIC`.
"""

from __future__ import annotations

import ast
import zipfile
from collections.abc import Iterable, Iterator

# Imported other than by the checker's own import statements. `pyodide.http`: Pyodide's own network API
# (pyfetch), which the zero-egress test calls from the checker's Python to show the page policy refuses it;
# kept so that the test is about the page a reader gets (any code in that Python could use `js.fetch` anyway).
DYNAMIC: tuple[str, ...] = ("pyodide.http",)


def archive_entries(archive: str, checker: str, packages: Iterable[str], loaded: Iterable[str]) -> list[str]:
    """The archive's file and directory names the page may still need, sorted.

    Args:
        archive: Path of the full standard library zip.
        checker: Path of the checker's wheel: every module of it is a root.
        packages: Paths of the signing packages' wheels: a module of theirs counts where the checker (or one
            of them) imports it, with every import in it (their tests and command lines are never imported).
        loaded: Names of the modules the snapshot holds.
    """
    roots = _sources(checker)
    sources = {**_sources(*packages), **roots}
    with zipfile.ZipFile(archive) as stdlib:
        names = set(stdlib.namelist())
        done = set(loaded)
        todo = [*DYNAMIC, *roots]
        files: set[str] = set()
        seen: set[str] = set()
        while todo:
            module = todo.pop()
            if module in seen:
                continue
            seen.add(module)
            if module in sources:
                source, package = sources[module]
                todo += _imports(source, module, deep=True, package=package)
                continue
            entry = _entry(module, names)
            if entry is None or module in done:
                continue
            files.add(entry)
            todo += _imports(stdlib.read(entry), module, deep=False, package=entry.endswith("/__init__.py"))
    directories = {name[: index + 1] for name in files for index, char in enumerate(name) if char == "/"}
    return sorted(files | (directories & names))


def _sources(*wheels: str) -> dict[str, tuple[bytes, bool]]:
    """Module name -> (source, is a package) of every Python file in these wheels."""
    found = {}
    for wheel in wheels:
        with zipfile.ZipFile(wheel) as package:
            for name in package.namelist():
                if name.endswith(".py"):
                    found[_module_name(name)] = (package.read(name), name.endswith("/__init__.py"))
    return found


def _module_name(path: str) -> str:
    parts = path[: -len(".py")].split("/")
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _entry(module: str, names: set[str]) -> str | None:
    path = module.replace(".", "/")
    for candidate in (f"{path}/__init__.py", f"{path}.py"):
        if candidate in names:
            return candidate
    return None


def _imports(source: bytes, module: str, *, deep: bool, package: bool = False) -> list[str]:
    """Every module name an import in `source` may load, with its parent packages (`a.b.c`: a, a.b, a.b.c)."""
    found: list[str] = []
    for node in _walk(ast.parse(source), deep=deep):
        if isinstance(node, ast.Import):
            found += (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = module.split(".") if package else module.split(".")[:-1]
                parts = parts[: len(parts) - node.level + 1]
                base = ".".join([*parts, *([node.module] if node.module else [])])
            found.append(base)
            found += (f"{base}.{alias.name}" for alias in node.names)  # `from pkg import submodule`
    return [".".join(name.split(".")[: i + 1]) for name in found if name for i in range(name.count(".") + 1)]


def _runs_as_script(node: ast.AST) -> bool:
    """`if __name__ == "__main__":` (a module's doctests or command line, never run on import)."""
    return (
        isinstance(node, ast.If)
        and isinstance(test := node.test, ast.Compare)
        and isinstance(test.left, ast.Name)
        and test.left.id == "__name__"
        and len(test.comparators) == 1
        and isinstance(value := test.comparators[0], ast.Constant)
        and value.value == "__main__"
    )


def _walk(node: ast.AST, *, deep: bool) -> Iterator[ast.AST]:
    for child in ast.iter_child_nodes(node):
        if not deep and isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            continue
        if _runs_as_script(child):
            continue
        yield child
        yield from _walk(child, deep=deep)

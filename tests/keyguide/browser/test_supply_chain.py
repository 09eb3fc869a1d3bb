"""Python dependencies come from a hash-locked file that agrees with pyproject.toml's pins."""

from __future__ import annotations

import importlib.metadata
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
REQUIREMENT = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")


def normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def lock_entries() -> dict[str, tuple[str, list[str]]]:
    """Name -> (version, sha256 hashes) from requirements.lock (pip's requirements format, one entry per block)."""
    entries: dict[str, tuple[str, list[str]]] = {}
    current = None
    for line in (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines():
        match = REQUIREMENT.match(line)
        if match:
            current = normal(match.group(1))
            assert current not in entries, f"{current} pinned twice"
            entries[current] = (match.group(2), [])
        elif (hashed := re.search(r"--hash=sha256:([0-9a-f]{64})", line)) and current:
            entries[current][1].append(hashed.group(1))
        else:
            assert not line.strip() or line.lstrip().startswith("#"), f"not a pinned, hashed requirement: {line!r}"
    return entries


def test_every_locked_requirement_is_pinned_and_hashed() -> None:
    entries = lock_entries()
    assert len(entries) > 40
    assert not [name for name, (_, hashes) in entries.items() if not hashes]


def test_the_lock_agrees_with_every_pin_in_pyproject() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pins = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        pins.extend(extra)
    entries = lock_entries()
    for pin in pins:
        name, version = pin.split("==")
        assert entries.get(normal(name), ("missing", []))[0] == version, pin
    assert {"setuptools", "wheel", "uv"} <= set(entries)  # the build backend and the lock tool, hashed too


def test_the_environment_is_the_locked_one() -> None:
    for name in ("mkdocs", "mkdocs-material", "pymdown-extensions", "jinja2", "markdown"):
        assert importlib.metadata.version(name) == lock_entries()[name][0], name


def test_make_installs_only_from_the_lock_with_hashes() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = makefile.split("$(STAMP): pyproject.toml requirements.lock\n", 1)[1].split("\n\n", 1)[0]
    installs = [line.strip() for line in recipe.splitlines() if "$(PIP)" in line]
    assert installs == [
        "$(PIP) --require-hashes --no-deps -r requirements.lock",
        "$(PIP) --no-deps --no-build-isolation -e .",
    ]

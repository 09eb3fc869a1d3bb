"""A build cache: what one build computed from exact inputs, kept on disk for the next build to reuse.

Every entry is addressed by the SHA-256 of everything its result depends on: the bytes it was computed from
(a venue file's text, a page's HTML, a template's source) and the code that computed it. The code is part
of every key through the fingerprint: the source of the `keyguide` and `checker` packages and the versions
of the libraries that read, validate and render (a changed line of code is a new cache). So a cache hit is
the same function of the same bytes: it never stands in for a check of bytes that changed.

Entries live under `<directory>/<fingerprint>/`: opening the cache removes the folders of other
fingerprints (results of code that no longer exists), and `prune` removes entries the last build did not
use. A cache that cannot be read or written is no error: the build computes everything, as without one.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

# The libraries whose behaviour is part of a cached result (parsing, validation, Markdown and HTML reading).
LIBRARIES = ("pydantic", "pydantic-core", "PyYAML", "Jinja2", "Markdown", "pymdown-extensions", "mkdocs-material")
_PACKAGES = ("keyguide", "checker")
_FINGERPRINT_DIR = re.compile(r"[0-9a-f]{32}")


def code_fingerprint(packages: Iterable[str] = _PACKAGES, libraries: Iterable[str] = LIBRARIES) -> str:
    """SHA-256 over the Python sources of `packages` (as imported), the `libraries`' versions and libyaml's."""
    digest = hashlib.sha256(f"python {sys.version}\n".encode())
    digest.update(f"libyaml {_libyaml_version()}\n".encode())  # reads venue files (yamlsource.py)
    for name in libraries:
        try:
            version = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            version = "-"
        digest.update(f"{name} {version}\n".encode())
    for package in packages:
        module = sys.modules.get(package) or __import__(package)
        directory = Path(module.__file__ or "").parent
        for path in sorted(directory.rglob("*")):
            if path.suffix in (".py", ".json", ".yaml") and "__pycache__" not in path.parts and path.is_file():
                content = path.read_bytes()
                digest.update(f"{package}/{path.relative_to(directory).as_posix()} {len(content)}\n".encode())
                digest.update(content)
    return digest.hexdigest()


def _libyaml_version() -> str:
    """The version of the libyaml PyYAML runs, which a source build of PyYAML may take from the system."""
    try:
        from yaml import _yaml
    except ImportError:
        return "-"
    return str(_yaml.get_version_string())


def tree_digest(directory: Path) -> str:
    """SHA-256 over every file under `directory`: relative paths and bytes (e.g. a templates folder)."""
    digest = hashlib.sha256()
    for path in sorted(directory.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            content = path.read_bytes()
            digest.update(f"{path.relative_to(directory).as_posix()} {len(content)}\n".encode())
            digest.update(content)
    return digest.hexdigest()


class BuildCache:
    """Content-addressed entries in `directory`, for the code whose fingerprint is `fingerprint`.

    Args:
        directory: Where the cache lives (the plugin uses `.cache/keyguide` beside mkdocs.yml).
        fingerprint: `code_fingerprint()`, or anything that changes whenever the cached code does.
    """

    def __init__(self, directory: Path, fingerprint: str) -> None:
        self.fingerprint = fingerprint
        self.root = directory / fingerprint[:32]
        self._used: set[Path] = set()
        self._foreign: set[str] = set()
        self._remove_other_fingerprints(directory)

    def key(self, *parts: str | bytes) -> str:
        """The entry key of a result computed from `parts` (each part length-prefixed, so none runs into the next)."""
        digest = hashlib.sha256(self.fingerprint.encode())
        for part in parts:
            data = part.encode() if isinstance(part, str) else part
            digest.update(f"\n{len(data)}\n".encode())
            digest.update(data)
        return digest.hexdigest()

    def path(self, kind: str) -> Path | None:
        """A writable folder of this cache for a store with its own layout (Jinja's bytecode cache), or None."""
        folder = self.root / kind
        self._foreign.add(kind)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            return None
        return folder if os.access(folder, os.W_OK) else None

    def get(self, kind: str, key: str) -> bytes | None:
        """The bytes stored under `key`, or None."""
        path = self._entry(kind, key)
        try:
            data = path.read_bytes()
        except OSError:
            return None
        self._used.add(path)
        return data

    def put(self, kind: str, key: str, data: bytes) -> None:
        """Store `data` under `key` (atomically: a reader sees the whole entry or none)."""
        path = self._entry(kind, key)
        self._used.add(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            with os.fdopen(handle, "wb") as file:
                file.write(data)
            os.replace(temporary, path)
        except OSError:
            pass

    def prune(self) -> None:
        """Remove the entries this cache's owner neither read nor wrote (results of inputs that are gone).

        Folders handed out by `path` are left alone: their store manages its own files.
        """
        if not self.root.is_dir():
            return
        for folder in self.root.iterdir():
            if not folder.is_dir() or folder.name in self._foreign:
                continue
            for path in folder.iterdir():
                if path.is_file() and path not in self._used:
                    path.unlink(missing_ok=True)

    def _entry(self, kind: str, key: str) -> Path:
        return self.root / kind / key

    def _remove_other_fingerprints(self, directory: Path) -> None:
        if not directory.is_dir():
            return
        for child in directory.iterdir():
            # Only folders this class names (32 hex digits): whatever else is there is not ours to remove.
            if child != self.root and _FINGERPRINT_DIR.fullmatch(child.name) and child.is_dir():
                shutil.rmtree(child, ignore_errors=True)

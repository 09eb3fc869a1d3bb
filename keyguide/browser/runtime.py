"""The self-hosted Pyodide runtime: the files the site ships, checked against the committed manifest.

The files come from the npm package pinned in package.json (installed by `npm ci` from package-lock.json,
whose sha512 covers the tarball). The manifest pins each shipped file again by SHA-256, so a build never
publishes a runtime nobody reviewed: a changed, missing or extra-version file stops the build, naming it.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..cache import BuildCache

MANIFEST_PATH = Path(__file__).with_name("pyodide-manifest.json")
PACKAGE = "pyodide"
# Core runtime only: no micropip, no packages from the lock file (the checker needs only the stdlib).
FILES: tuple[str, ...] = (
    "pyodide.mjs",
    "pyodide.asm.mjs",
    "pyodide.asm.wasm",
    "python_stdlib.zip",
    "pyodide-lock.json",
)
SITE_DIR = "assets/pyodide"
RUNTIME_CACHE_KIND = "runtime"  # the build cache's folder of verified file statuses
RACY_SECONDS = 2.0
_VERIFIED = b"verified"


class BrowserAssetsError(RuntimeError):
    """The browser runtime cannot be published as pinned (missing `npm ci`, changed file, bad manifest)."""


@dataclass(frozen=True)
class Manifest:
    version: str
    sha256: dict[str, str]


def load_manifest(path: Path = MANIFEST_PATH) -> Manifest:
    """Read the committed manifest: `{"package", "version", "files": {name: {"sha256", "size"}}}`."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data["package"] != PACKAGE:
            raise ValueError(f"package is {data['package']!r}, expected {PACKAGE!r}")
        files = {name: str(entry["sha256"]) for name, entry in data["files"].items()}
        version = str(data["version"])
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise BrowserAssetsError(f"{path}: not a valid Pyodide manifest ({error})") from None
    missing = [name for name in FILES if name not in files]
    if missing:
        raise BrowserAssetsError(f"{path}: no hash for {', '.join(missing)}")
    return Manifest(version=version, sha256=files)


def package_dir(root: Path) -> Path:
    return root / "node_modules" / PACKAGE


def installed_version(root: Path) -> str:
    package_json = package_dir(root) / "package.json"
    try:
        return str(json.loads(package_json.read_text(encoding="utf-8"))["version"])
    except FileNotFoundError:
        raise BrowserAssetsError(
            f"{package_json} is missing: run `npm ci` in {root} (the Makefile targets do)"
        ) from None
    except (ValueError, KeyError, TypeError) as error:
        raise BrowserAssetsError(f"{package_json}: unreadable ({error})") from None


class RuntimeFiles:
    """Reads the runtime files and verifies each against the manifest, hashing only bytes not yet verified.

    A file is hashed again unless its status (device, inode, size, modification and change times) is the
    one recorded when exactly these bytes last matched the manifest: in memory for `mkdocs serve`, which
    rebuilds often, and in the build cache for the next `mkdocs build`. Any write to a file moves its change
    time, which no program can set back (`touch -d` sets the modification time and moves the change time to
    now), so changed bytes never pass on a recorded status. A status read within `RACY_SECONDS` of a change
    is not recorded: two writes within one tick of the file system's clock could leave the same times.
    """

    def __init__(self, root: Path, manifest_path: Path = MANIFEST_PATH, *, cache: BuildCache | None = None) -> None:
        self.root = root
        self.manifest_path = manifest_path
        self.cache = cache
        self._verified: set[str] = set()  # keys (path, expected hash, status) whose bytes matched
        self._held: dict[str, tuple[str, bytes]] = {}  # name -> (key, bytes) verified in this process

    def verified(self) -> dict[str, bytes]:
        """Site URI -> bytes of every runtime file, each matching its manifest hash.

        Raises:
            BrowserAssetsError: node_modules is missing or holds another version, or a file is missing or
                differs from its hash; the message names the file.
        """
        manifest = load_manifest(self.manifest_path)
        version = installed_version(self.root)
        if version != manifest.version:
            raise BrowserAssetsError(
                f"node_modules/{PACKAGE} is version {version}, {self.manifest_path.name} pins {manifest.version}: "
                "run `npm ci` (or update package.json, package-lock.json and the manifest together)"
            )
        return {f"{SITE_DIR}/{name}": self._read(name, manifest.sha256[name]) for name in FILES}

    def _read(self, name: str, expected: str) -> bytes:
        path = package_dir(self.root) / name
        try:
            before = path.stat()
            held = self._held.get(name)
            if held is not None and held[0] == f"{path.resolve()}\n{expected}\n{_status(before)}":
                return held[1]  # verified bytes kept from an earlier build of this process (mkdocs serve)
            content = path.read_bytes()
            after = path.stat()
        except FileNotFoundError:
            raise BrowserAssetsError(f"{path} is missing: run `npm ci`") from None
        status = _status(after)
        # The status stands for the bytes read only if the file did not change while they were read.
        key = f"{path.resolve()}\n{expected}\n{status}" if _status(before) == status else None
        if key is not None and self._known(key):
            self._held[name] = (key, content)
            return content
        actual = hashlib.sha256(content).hexdigest()
        if actual != expected:
            raise BrowserAssetsError(
                f"{path}: SHA-256 {actual} does not match {expected} in {self.manifest_path.name}; "
                "the file was changed after install. Run `npm ci` to restore it."
            )
        if key is not None and time.time() - after.st_ctime > RACY_SECONDS:
            self._remember(key)
            self._held[name] = (key, content)
        return content

    def _known(self, key: str) -> bool:
        if key in self._verified:
            return True
        if self.cache is not None and self.cache.get(RUNTIME_CACHE_KIND, self.cache.key(key)) == _VERIFIED:
            self._verified.add(key)
            return True
        return False

    def _remember(self, key: str) -> None:
        self._verified.add(key)
        if self.cache is not None:
            self.cache.put(RUNTIME_CACHE_KIND, self.cache.key(key), _VERIFIED)


def _status(stat: os.stat_result) -> str:
    return f"{stat.st_dev}:{stat.st_ino}:{stat.st_size}:{stat.st_mtime_ns}:{stat.st_ctime_ns}"


def manifest_for(root: Path) -> dict[str, Any]:
    """The manifest describing the runtime currently installed under `root/node_modules` (for updates)."""
    files = {}
    for name in FILES:
        content = (package_dir(root) / name).read_bytes()
        files[name] = {"sha256": hashlib.sha256(content).hexdigest(), "size": len(content)}
    return {"package": PACKAGE, "version": installed_version(root), "files": files}

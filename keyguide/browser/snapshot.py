"""The checker's Pyodide memory snapshot: an interpreter already started, with the checker imported.

Restoring it is what makes the checker start faster than a bare `loadPyodide()`: a bare start initialises
Python and imports Pyodide's own modules, ours then adds the checker's imports; a restore copies memory.
It is made at build time by `snapshot.mjs` under Node (which `npm ci` brings with Pyodide), from the runtime
files the build verified against pyodide-manifest.json and the checker wheel of this build, and it is the
same bytes for the same inputs (see snapshot.mjs), so the build cache keeps it by those inputs. The same run
lists the files of the standard library archive the restored interpreter may still import (closure.py): the
page restores with that trimmed archive (stdlib.py), not the whole one.

Published as the snapshot with its memory image XOR-ed with the memory instantiation leaves (the wasm's data
segments, which the page has anyway: snapshot.mjs, checker.js `restoring`), gzip-compressed (about 3.3 MB
for 31 MB of memory, 4.8 MB without the XOR): static hosts send other binary files as they
are, so the page decompresses it itself (DecompressionStream) after checking its SHA-256 against runtime.json,
as it does for the wheel. Pyodide refuses a snapshot of another build of itself (its build id is inside).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from .runtime import BrowserAssetsError

SCRIPT = Path(__file__).with_name("snapshot.mjs")
CLOSURE = Path(__file__).with_name("closure.py")  # run by SCRIPT
STORE_DIR = ".cache/snapshots"  # under the project root; .cache/ is not committed
NODE = "node"
TIMEOUT_SECONDS = 300
# gzip level 6: 3.3 MB in 0.5 s; level 9 saves 1% for six times the time.
COMPRESS_LEVEL = 6


@dataclass(frozen=True)
class Snapshot:
    content: bytes  # gzip of the memory image
    archive: tuple[str, ...] = ()  # the standard library archive's files the page may still import

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()

    @property
    def filename(self) -> str:
        # Named by its bytes: a cached copy of an older snapshot can never be taken for this one.
        return f"checker-{self.sha256[:16]}.snapshot.gz"


def make_snapshot(
    runtime: Mapping[str, bytes], wheel: bytes, packages: Sequence[bytes] = (), *, node: str = NODE
) -> Snapshot:
    """Run snapshot.mjs over `runtime` (Pyodide file name -> verified bytes), the checker `wheel` and the
    signing `packages`' wheels (which the page may unpack later: their imports count for the archive).

    Raises:
        BrowserAssetsError: Node is missing, or the script failed (its last output lines are in the message).
    """
    executable = shutil.which(node)
    if executable is None:
        raise BrowserAssetsError(
            f"`{node}` is not on PATH: the checker's memory snapshot is made with Node, which `npm ci` needs too"
        )
    with tempfile.TemporaryDirectory(prefix="keyguide-snapshot-") as tmp:
        work = Path(tmp)
        runtime_dir = work / "pyodide"
        runtime_dir.mkdir()
        for name, content in runtime.items():
            (runtime_dir / name).write_bytes(content)
        (work / "checker.whl").write_bytes(wheel)
        wheels = [work / f"package-{index}.whl" for index in range(len(packages))]
        for path, content in zip(wheels, packages, strict=True):
            path.write_bytes(content)
        out, listing = work / "snapshot.bin", work / "archive.json"
        try:
            result = subprocess.run(
                [executable, str(SCRIPT), str(runtime_dir), str(work / "checker.whl"), str(out), str(listing)]
                + [str(path) for path in wheels],
                capture_output=True,
                text=True,
                timeout=TIMEOUT_SECONDS,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise BrowserAssetsError(f"{SCRIPT.name} did not finish within {TIMEOUT_SECONDS} s") from None
        if result.returncode != 0 or not out.is_file() or not listing.is_file():
            tail = "\n".join((result.stderr or result.stdout).strip().splitlines()[-8:])
            raise BrowserAssetsError(f"{SCRIPT.name} failed ({result.returncode}) making the checker snapshot:\n{tail}")
        memory = out.read_bytes()
        archive = tuple(json.loads(listing.read_text(encoding="utf-8")))
    return Snapshot(gzip.compress(memory, compresslevel=COMPRESS_LEVEL, mtime=0), archive)


class SnapshotStore:
    """Snapshots kept by the exact inputs they were made from, in a folder of their own (`.cache/snapshots`).

    Not in the build cache: a snapshot takes seconds of Node to make and depends only on the Pyodide files,
    the wheel and snapshot.mjs, so project copies (the tests', a second checkout) may share one folder
    (tests/sitekit.py links it). The newest `keep` files stay; writes go through a temporary name, so a
    reader never sees half a file.
    """

    def __init__(self, directory: Path, keep: int = 4) -> None:
        self.directory = directory
        self.keep = keep

    def get_or_make(
        self,
        runtime: Mapping[str, bytes],
        runtime_hashes: Mapping[str, str],
        wheel: bytes,
        packages: Sequence[bytes] = (),
    ) -> Snapshot:
        """The snapshot of these inputs: stored, or made now and stored.

        Args:
            runtime: Pyodide file name -> bytes, each already verified against the manifest.
            runtime_hashes: Pyodide file name -> the manifest's SHA-256 of it (the key: `runtime`'s bytes are
                those, so they need no hashing again).
            wheel: The checker wheel the snapshot imports.
            packages: The signing packages' wheels, in a fixed order.
        """
        parts = [SCRIPT.read_text(encoding="utf-8"), CLOSURE.read_text(encoding="utf-8")]
        parts += [hashlib.sha256(content).hexdigest() for content in (wheel, *packages)]
        parts += [f"{name}={runtime_hashes[name]}" for name in sorted(runtime)]
        key = hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()
        path, listing = self.directory / f"{key}.gz", self.directory / f"{key}.json"
        try:
            archive = tuple(json.loads(listing.read_text(encoding="utf-8")))
            content = path.read_bytes()
            os.utime(path)  # the newest are kept
            return Snapshot(content, archive)
        except (FileNotFoundError, ValueError):
            pass
        snapshot = make_snapshot(runtime, wheel, packages)
        self.directory.mkdir(parents=True, exist_ok=True)
        # The listing first: a snapshot file is only ever found beside its listing.
        _write(listing, (json.dumps(snapshot.archive) + "\n").encode("utf-8"))
        _write(path, snapshot.content)
        self._prune()
        return snapshot

    def _prune(self) -> None:
        stored = sorted(self.directory.glob("*.gz"), key=_mtime, reverse=True)
        for old in stored[self.keep :]:
            old.unlink(missing_ok=True)
            old.with_suffix(".json").unlink(missing_ok=True)


def _write(path: Path, content: bytes) -> None:
    """Through a temporary name, so a reader never sees half a file."""
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    partial.write_bytes(content)
    os.replace(partial, path)


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:  # pruned by another build at the same moment
        return 0.0

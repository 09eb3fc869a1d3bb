"""Build the checker package into a pure-Python wheel, in-process and byte-for-byte reproducible.

Pyodide unpacks it with `unpackArchive(..., "wheel")`: no micropip, no pip, no network at build or load.
Reproducible: files in sorted order, a fixed timestamp and permissions, fixed compression, and RECORD
listing every file with its hash as the wheel spec (PEP 427 / binary distribution format) requires.
"""

from __future__ import annotations

import base64
import hashlib
import io
import re
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path

DISTRIBUTION = "keyguide-checker"
PACKAGE = "checker"
TAG = "py3-none-any"
_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can hold


@dataclass(frozen=True)
class Wheel:
    filename: str
    content: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def project_version(root: Path) -> str:
    """The version in `root/pyproject.toml` ([project].version), so the wheel moves with the project."""
    try:
        return str(tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"])
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "0.0.0"


def package_sources(package_dir: Path) -> dict[str, bytes]:
    """Archive path -> bytes of the package's Python sources and its py.typed marker."""
    files = {}
    for path in sorted(package_dir.rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts:
            continue
        if path.suffix == ".py" or path.name == "py.typed":
            files[f"{PACKAGE}/{path.relative_to(package_dir).as_posix()}"] = path.read_bytes()
    if f"{PACKAGE}/__init__.py" not in files:
        raise FileNotFoundError(f"{package_dir / '__init__.py'} is missing: nothing to put in the wheel")
    return files


def build_wheel(package_dir: Path, version: str) -> Wheel:
    """The checker as `keyguide_checker-<version>-py3-none-any.whl`."""
    name = re.sub(r"[-_.]+", "_", DISTRIBUTION)
    dist_info = f"{name}-{version}.dist-info"
    files = package_sources(package_dir)
    files[f"{dist_info}/METADATA"] = (
        f"Metadata-Version: 2.1\nName: {DISTRIBUTION}\nVersion: {version}\n"
        "Summary: keyguide's credential checker (standard library only)\nRequires-Python: >=3.11\n"
    ).encode()
    files[f"{dist_info}/WHEEL"] = (
        f"Wheel-Version: 1.0\nGenerator: keyguide\nRoot-Is-Purelib: true\nTag: {TAG}\n"
    ).encode()
    record = "".join(f"{path},sha256={_digest(data)},{len(data)}\n" for path, data in files.items())
    files[f"{dist_info}/RECORD"] = (record + f"{dist_info}/RECORD,,\n").encode()

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path, data in files.items():  # sources sorted first, dist-info last (RECORD at the very end)
            info = zipfile.ZipInfo(path, date_time=_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3  # Unix, whatever machine builds it
            archive.writestr(info, data, compresslevel=9)
    return Wheel(filename=f"{name}-{version}-{TAG}.whl", content=buffer.getvalue())


def _digest(data: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode("ascii")

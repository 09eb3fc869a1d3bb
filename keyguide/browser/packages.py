"""The packages the checker signs private keys with (ecdsa, six, rsa): PyPI's wheels, as requirements.lock pins
them, published beside the checker wheel for the page to unpack when a key type needs them.

Which packages: `checker.asymmetric.PACKAGES` (what each kind of key imports). Which version and which bytes:
requirements.lock's pin and SHA-256 hashes, the very files pip installs into the venv. The bytes come from
`.cache/wheels/`, filled by `python -m keyguide.browser wheels` (`pip download --no-deps --require-hashes
--only-binary=:all:` of exactly these pins; the Makefile runs it). The build never downloads anything, and checks
each file again against the lock: a missing wheel, another version or another hash stops it, naming the file.
"""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from checker.asymmetric import PACKAGES

from .runtime import BrowserAssetsError
from .wheel import Wheel

LOCK_FILE = "requirements.lock"
WHEELS_DIR = ".cache/wheels"  # under the project root; .cache/ is not committed
FETCH_COMMAND = "make wheels"
_REQUIREMENT = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")
_HASH = re.compile(r"--hash=sha256:([0-9a-f]{64})")


@dataclass(frozen=True)
class Pin:
    """One requirement of the lock: `name==version` and the SHA-256 of each file PyPI has for it."""

    name: str  # normalized (PEP 503)
    version: str
    hashes: frozenset[str]
    line: int
    text: str  # the entry as the lock writes it, for pip

    @property
    def wheel_prefix(self) -> str:
        """How the file name of its wheel starts (the binary distribution format's escaped name)."""
        return f"{self.name.replace('-', '_')}-{self.version}-"


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def signing_packages() -> tuple[str, ...]:
    """Every distribution a key kind signs with (the names `checker.schemes.Scheme.requires` gives the page)."""
    return tuple(sorted({normalize(name) for names in PACKAGES.values() for name in names}))


def read_lock(path: Path) -> dict[str, Pin]:
    """The lock's pins by normalized name. A requirement's hashes are on the continuation lines below it."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise BrowserAssetsError(f"{path} is missing: the signing packages are pinned there (`make lock`)") from None
    pins: dict[str, Pin] = {}
    current: tuple[str, str, int, list[str]] | None = None

    def close() -> None:
        if current is not None:
            name, version, number, entry = current
            hashes = frozenset(_HASH.findall(" ".join(entry)))
            text = "\n".join(line for line in entry if not line.lstrip().startswith("#"))
            pins[name] = Pin(name, version, hashes, number, text.rstrip(" \\"))

    for number, line in enumerate(lines, start=1):
        if not line.strip() or line.startswith("#"):
            continue
        if not line[0].isspace():
            close()
            match = _REQUIREMENT.match(line)
            current = (normalize(match.group(1)), match.group(2), number, [line]) if match else None
        elif current is not None:
            current[3].append(line)
    close()
    return pins


def signing_pins(root: Path) -> list[Pin]:
    """The lock's pin of every signing package; each must be there, with at least one hash."""
    lock = root / LOCK_FILE
    pins = read_lock(lock)
    found = []
    for name in signing_packages():
        pin = pins.get(name)
        if pin is None or not pin.hashes:
            raise BrowserAssetsError(
                f"{lock}: no hash-pinned {name}, which the checker signs private keys with "
                "(checker.asymmetric.PACKAGES): add it to pyproject.toml and run `make lock`"
            )
        found.append(pin)
    return found


def _find(directory: Path, pin: Pin) -> Wheel:
    where = f"{LOCK_FILE}:{pin.line}"
    candidates = sorted(
        path
        for path in directory.glob("*.whl")
        if path.name.lower().startswith(pin.wheel_prefix.lower()) and path.name.endswith("-none-any.whl")
    )
    if not candidates:
        raise BrowserAssetsError(
            f"{directory}: no wheel of {pin.name} {pin.version} (pinned in {where}): run `{FETCH_COMMAND}`, "
            "which downloads the locked wheels of the signing packages"
        )
    for path in candidates:
        content = path.read_bytes()
        digest = hashlib.sha256(content).hexdigest()
        if digest in pin.hashes:
            return Wheel(filename=path.name, content=content)
    path = candidates[0]
    raise BrowserAssetsError(
        f"{path}: SHA-256 {hashlib.sha256(path.read_bytes()).hexdigest()} is none of the hashes {where} pins for "
        f"{pin.name}=={pin.version}; delete the file and run `{FETCH_COMMAND}`"
    )


def signing_wheels(root: Path) -> dict[str, Wheel]:
    """Distribution name -> its pure-Python wheel, each file matching a SHA-256 the lock pins.

    Raises:
        BrowserAssetsError: The lock does not pin a package, or its wheel is missing or differs (named).
    """
    directory = root / WHEELS_DIR
    return {pin.name: _find(directory, pin) for pin in signing_pins(root)}


def fetch(root: Path) -> dict[str, Wheel]:
    """Download the locked wheels into `.cache/wheels/` unless they are there already; then check them."""
    try:
        return signing_wheels(root)
    except BrowserAssetsError:
        pass  # missing or different: download what the lock pins
    pins = signing_pins(root)
    directory = root / WHEELS_DIR
    directory.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        requirements = Path(tmp) / "signing-requirements.txt"
        requirements.write_text("".join(pin.text + "\n" for pin in pins), encoding="utf-8")
        command = [sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check", "--no-deps"]
        command += ["--require-hashes", "--only-binary=:all:", "--dest", str(directory), "-r", str(requirements)]
        result = subprocess.run(command, check=False)
    if result.returncode != 0:
        names = ", ".join(f"{p.name}=={p.version}" for p in pins)
        raise BrowserAssetsError(f"pip could not download the locked wheels of {names} (exit {result.returncode})")
    return signing_wheels(root)

"""The download size a guide states for the checker matches what starting it fetches from the built site."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

# What the page fetches to start from the snapshot (checker.js `boot`), compressed as a server sends it;
# the snapshot is gzip already and the archives are zip files, sent as they are.
SERVER_COMPRESSED = (
    "pyodide/pyodide.mjs",
    "pyodide/pyodide.asm.mjs",
    "pyodide/pyodide.asm.wasm",
    "pyodide/pyodide-lock.json",
)


def start_bytes(site: Path) -> int:
    assets = site / "assets"
    runtime = json.loads((assets / "keyguide/runtime.json").read_text(encoding="utf-8"))
    total = sum(len(gzip.compress((assets / name).read_bytes(), compresslevel=6)) for name in SERVER_COMPRESSED)
    for name in (runtime["wheel"], runtime["snapshot"]["file"], runtime["snapshot"]["stdlib"]["file"]):
        total += (assets / "keyguide" / name).stat().st_size
    return total


def test_the_stated_size_is_within_a_fifth_of_the_start(built_site: Path) -> None:
    html = (built_site / "venues/kraken-spot/index.html").read_text(encoding="utf-8")
    stated = set(re.findall(r'data-kg-download="about (\d+) MB"', html))
    assert len(stated) == 1, stated
    megabytes = int(stated.pop())
    assert f"downloads a Python runtime (about {megabytes} MB, once)" in html
    actual = start_bytes(built_site) / 1e6
    assert 0.8 * actual <= megabytes <= 1.2 * actual, (
        f"the page says about {megabytes} MB, the start fetches {actual:.1f} MB"
    )

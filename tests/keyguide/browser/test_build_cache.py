"""The browser side's build cache never stands in for a check of bytes it has not seen.

Runtime files are re-hashed unless their file status is the one recorded when these bytes matched; pages
are re-scanned unless their HTML is byte for byte one already scanned; the wheel is rebuilt when a source
changes.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import time
from pathlib import Path
from typing import Any

import pytest

from keyguide.browser import BrowserAssets, BrowserAssetsError, PolicyError, runtime
from keyguide.browser.runtime import FILES, RuntimeFiles
from keyguide.browser.theme import AllowedScripts
from keyguide.browser.wheel import build_wheel
from keyguide.cache import BuildCache, code_fingerprint

ROOT = Path(__file__).resolve().parents[3]
THEME_SCRIPT = '__md_scope=new URL("..",location)'
ALLOWED = AllowedScripts(frozenset({((), THEME_SCRIPT)}), frozenset())


@pytest.fixture
def cache(tmp_path: Path) -> BuildCache:
    return BuildCache(tmp_path / "cache", code_fingerprint())


@pytest.fixture
def fake_root(tmp_path: Path) -> Path:
    """A project root with a copy of the installed Pyodide runtime and of the checker package."""
    target = tmp_path / "root" / "node_modules" / "pyodide"
    target.mkdir(parents=True)
    for name in (*FILES, "package.json"):
        shutil.copyfile(ROOT / "node_modules" / "pyodide" / name, target / name)
    shutil.copytree(ROOT / "checker", tmp_path / "root" / "checker", ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path / "root"


class _CountingSha256:
    def __init__(self) -> None:
        self.calls = 0

    def sha256(self, data: bytes = b"") -> Any:
        self.calls += 1
        return hashlib.sha256(data)


def test_unchanged_runtime_files_are_not_hashed_again(
    fake_root: Path, cache: BuildCache, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runtime, "RACY_SECONDS", -1.0)  # the copies are brand new: trust their status at once
    counter = _CountingSha256()
    monkeypatch.setattr(runtime, "hashlib", counter)
    first = RuntimeFiles(fake_root, cache=cache).verified()
    assert counter.calls == len(FILES)
    assert RuntimeFiles(fake_root, cache=cache).verified() == first  # a new process, the same cache
    assert counter.calls == len(FILES)


def test_a_file_changed_after_its_status_was_recorded_is_caught(
    fake_root: Path, cache: BuildCache, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Same size, modification time set back: the change time still moves, so the bytes are hashed again."""
    monkeypatch.setattr(runtime, "RACY_SECONDS", -1.0)
    RuntimeFiles(fake_root, cache=cache).verified()
    path = fake_root / "node_modules" / "pyodide" / "pyodide.mjs"
    status = path.stat()
    content = bytearray(path.read_bytes())
    content[-2:] = b"//" if content[-2:] != b"//" else b"/*"
    time.sleep(0.05)  # past the file system clock's tick
    path.write_bytes(bytes(content))
    os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns))
    assert path.stat().st_size == status.st_size and path.stat().st_mtime_ns == status.st_mtime_ns
    with pytest.raises(BrowserAssetsError, match=r"pyodide\.mjs: SHA-256 [0-9a-f]{64} does not match"):
        RuntimeFiles(fake_root, cache=cache).verified()


def test_a_status_read_right_after_a_change_is_not_recorded(fake_root: Path, cache: BuildCache) -> None:
    """Two writes within one tick of the file system's clock can leave the same times: hash those next time too."""
    RuntimeFiles(fake_root, cache=cache).verified()  # the copies were written just now
    assert not (cache.root / runtime.RUNTIME_CACHE_KIND).exists()


def page(body: str = "") -> str:
    return (
        f'<!doctype html><html><head><meta charset="utf-8"><script>{THEME_SCRIPT}</script></head>'
        f"<body><p>text</p>{body}</body></html>"
    )


def secure(assets: BrowserAssets, html: str) -> str:
    return assets.secure_html(html, where="venues/x.md", page_dir="venues/x", allowed=ALLOWED)


def test_a_scanned_page_gives_the_same_result_from_the_cache(cache: BuildCache) -> None:
    plain = secure(BrowserAssets(ROOT, site_url="http://127.0.0.1:8000/"), page())
    assets = BrowserAssets(ROOT, site_url="http://127.0.0.1:8000/", cache=cache)
    assert secure(assets, page()) == plain
    assert secure(assets, page()) == plain
    assert len(list((cache.root / "scans").iterdir())) == 1


def test_markup_the_cache_has_not_seen_is_scanned(cache: BuildCache) -> None:
    assets = BrowserAssets(ROOT, site_url="http://127.0.0.1:8000/", cache=cache)
    secure(assets, page())
    with pytest.raises(PolicyError, match="event-handler attribute onclick="):
        secure(assets, page('<a href="#" onclick="steal()">x</a>'))


def test_a_damaged_scan_is_scanned_again(cache: BuildCache) -> None:
    assets = BrowserAssets(ROOT, site_url="http://127.0.0.1:8000/", cache=cache)
    expected = secure(assets, page())
    for entry in (cache.root / "scans").iterdir():
        entry.write_bytes(b'{"inline_scripts": 1}')
    assert secure(assets, page()) == expected


def test_the_wheel_follows_the_checker_sources(fake_root: Path, cache: BuildCache) -> None:
    assets = BrowserAssets(fake_root, cache=cache)
    first = assets.wheel()
    assert first == build_wheel(fake_root / "checker", "0.0.0")
    assert BrowserAssets(fake_root, cache=cache).wheel() == first  # from the cache
    source = fake_root / "checker" / "__init__.py"
    source.write_text(source.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    changed = BrowserAssets(fake_root, cache=cache).wheel()
    assert changed == build_wheel(fake_root / "checker", "0.0.0") != first

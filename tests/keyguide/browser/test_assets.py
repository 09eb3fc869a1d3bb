"""The build side of the browser runtime: pinned Pyodide and the checker wheel (no browser)."""

from __future__ import annotations

import base64
import hashlib
import importlib
import io
import json
import shutil
import sys
import zipfile
from pathlib import Path

import pytest

from keyguide.browser import BrowserAssets, BrowserAssetsError
from keyguide.browser.runtime import FILES, MANIFEST_PATH, RuntimeFiles, load_manifest
from keyguide.browser.wheel import build_wheel

ROOT = Path(__file__).resolve().parents[3]


def test_npm_pins_and_manifest_agree() -> None:
    """package.json pins the exact version, the lock has its integrity, and the manifest hashes that version."""
    package = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))
    lock = json.loads((ROOT / "package-lock.json").read_text(encoding="utf-8"))
    manifest = load_manifest()
    assert package["dependencies"]["pyodide"] == manifest.version
    locked = lock["packages"]["node_modules/pyodide"]
    assert locked["version"] == manifest.version and locked["integrity"].startswith("sha512-")
    assert package["devDependencies"]["axe-core"] == lock["packages"]["node_modules/axe-core"]["version"]
    assert sorted(manifest.sha256) == sorted(FILES)


def test_static_files_ship_the_verified_runtime_and_the_wheel() -> None:
    files = BrowserAssets(ROOT).static_files()
    manifest = load_manifest()
    for name in FILES:
        assert hashlib.sha256(files[f"assets/pyodide/{name}"]).hexdigest() == manifest.sha256[name]
    runtime = json.loads(files["assets/keyguide/runtime.json"])
    wheel = files[f"assets/keyguide/{runtime['wheel']}"]
    assert hashlib.sha256(wheel).hexdigest() == runtime["sha256"]
    assert not [uri for uri in files if "micropip" in uri or uri.endswith((".map", ".d.ts", ".html"))]


@pytest.fixture
def fake_root(tmp_path: Path) -> Path:
    """A project root whose node_modules/pyodide is a copy of the real one (small files only where possible)."""
    target = tmp_path / "node_modules" / "pyodide"
    target.mkdir(parents=True)
    source = ROOT / "node_modules" / "pyodide"
    for name in (*FILES, "package.json"):
        shutil.copyfile(source / name, target / name)
    shutil.copytree(ROOT / "checker", tmp_path / "checker", ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


def test_a_changed_runtime_file_stops_the_build_naming_it(fake_root: Path) -> None:
    RuntimeFiles(fake_root).verified()  # intact copy: fine
    with (fake_root / "node_modules/pyodide/pyodide.mjs").open("a", encoding="utf-8") as file:
        file.write("\n// tampered\n")
    with pytest.raises(BrowserAssetsError, match=r"pyodide\.mjs: SHA-256 [0-9a-f]{64} does not match"):
        RuntimeFiles(fake_root).verified()


def test_a_missing_runtime_file_stops_the_build_naming_it(fake_root: Path) -> None:
    (fake_root / "node_modules/pyodide/python_stdlib.zip").unlink()
    with pytest.raises(BrowserAssetsError, match=r"python_stdlib\.zip is missing: run `npm ci`"):
        RuntimeFiles(fake_root).verified()


def test_missing_node_modules_says_to_run_npm_ci(tmp_path: Path) -> None:
    with pytest.raises(BrowserAssetsError, match=r"node_modules/pyodide/package\.json is missing: run `npm ci`"):
        BrowserAssets(tmp_path).static_files()


def test_another_installed_version_stops_the_build(fake_root: Path) -> None:
    package_json = fake_root / "node_modules/pyodide/package.json"
    data = json.loads(package_json.read_text(encoding="utf-8"))
    package_json.write_text(json.dumps({**data, "version": "0.0.1"}), encoding="utf-8")
    with pytest.raises(BrowserAssetsError, match=r"is version 0\.0\.1, pyodide-manifest\.json pins"):
        RuntimeFiles(fake_root).verified()


def test_manifest_is_the_committed_file() -> None:
    assert MANIFEST_PATH == ROOT / "keyguide/browser/pyodide-manifest.json"


def test_wheel_is_reproducible_and_installs(tmp_path: Path) -> None:
    first = build_wheel(ROOT / "checker", "1.2.3")
    assert first.content == build_wheel(ROOT / "checker", "1.2.3").content
    assert first.filename == "keyguide_checker-1.2.3-py3-none-any.whl"
    archive = zipfile.ZipFile(io.BytesIO(first.content))
    names = archive.namelist()
    assert "checker/browser.py" in names and names[-1] == "keyguide_checker-1.2.3.dist-info/RECORD"
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    record = archive.read(names[-1]).decode()
    for line in record.splitlines()[:-1]:
        path, digest, size = line.split(",")
        data = archive.read(path)
        expected = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        assert digest == f"sha256={expected}" and int(size) == len(data), path
    # The wheel alone is the package: import it from the archive, as Pyodide will from site-packages.
    archive.extractall(tmp_path)
    saved = {name: mod for name, mod in sys.modules.items() if name == "checker" or name.startswith("checker.")}
    for name in saved:
        del sys.modules[name]
    sys.path.insert(0, str(tmp_path))
    try:
        module = importlib.import_module("checker.browser")
        assert Path(module.__file__ or "").is_relative_to(tmp_path)
        assert json.loads(module.handle("{}", '{"op": "nope"}')).get("error")
    finally:
        sys.path.remove(str(tmp_path))
        for name in [n for n in sys.modules if n == "checker" or n.startswith("checker.")]:
            del sys.modules[name]
        sys.modules.update(saved)

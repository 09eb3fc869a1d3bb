"""The trimmed standard library archive the page restores the snapshot with: which modules it keeps
(closure.py), its bytes (stdlib.py), and, under Node, the restored checker signing with every key kind
while the interpreter has nothing but that archive."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import ecdsa
import pytest
import rsa

import checker.asymmetric
from keyguide.browser.closure import archive_entries
from keyguide.browser.runtime import BrowserAssetsError
from keyguide.browser.stdlib import trim_archive


def make_zip(files: dict[str, str], path: Path | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    if path is not None:
        path.write_bytes(buffer.getvalue())
    return buffer.getvalue()


# ---- which modules: closure.py --------------------------------------------------------------------------------


def test_the_archive_keeps_what_the_checker_and_its_packages_may_still_import(tmp_path: Path) -> None:
    stdlib = {
        "top.py": "import below\ndef later():\n    import inside_function\n",
        "below.py": "try:\n    import under_try\nexcept ImportError:\n    pass\n",
        "under_try.py": "",
        "inside_function.py": "",
        "lazy.py": "",
        "held.py": "import held_dependency\n",
        "held_dependency.py": "",
        "pkg/": "",
        "pkg/__init__.py": "",
        "pkg/sub.py": "from . import sibling\n",
        "pkg/sibling.py": "",
        "tested.py": "",
        "unused.py": "",
    }
    make_zip(stdlib, tmp_path / "stdlib.zip")
    checker = {
        "checker/__init__.py": "",
        "checker/a.py": "import held\ndef sign():\n    import signer\n    from pkg import sub\n",
    }
    make_zip(checker, tmp_path / "checker.whl")
    signer = {
        "signer/__init__.py": "import top\ndef rarely():\n    import lazy\n"
        "if __name__ == '__main__':\n    import tested\n",
        "signer/tests.py": "import unused\n",  # in the wheel, but nothing imports it
    }
    make_zip(signer, tmp_path / "signer.whl")
    entries = archive_entries(
        str(tmp_path / "stdlib.zip"), str(tmp_path / "checker.whl"), [str(tmp_path / "signer.whl")], ["held"]
    )
    # Any import in the checker or a signing package counts; in the standard library only those that run on
    # import; a module the snapshot holds is not read again; a script block is not run on import.
    assert entries == [
        "below.py",
        "lazy.py",
        "pkg/",
        "pkg/__init__.py",
        "pkg/sibling.py",
        "pkg/sub.py",
        "top.py",
        "under_try.py",
    ]


# ---- its bytes: stdlib.py -------------------------------------------------------------------------------------

SOURCE = {"a.py": "print('a')\n" * 50, "pkg/": "", "pkg/__init__.py": "", "pkg/b.py": "b = 1\n", "c.py": "c = 2\n"}


def test_the_archive_copies_the_chosen_entries_unchanged_and_its_bytes_do_not_depend_on_the_order() -> None:
    full = make_zip(SOURCE)
    trimmed = trim_archive(full, ["pkg/b.py", "a.py", "pkg/"])
    assert trim_archive(full, ["pkg/", "a.py", "pkg/b.py", "a.py"]).content == trimmed.content
    assert trimmed.filename == f"stdlib-{hashlib.sha256(trimmed.content).hexdigest()[:16]}.zip"
    with zipfile.ZipFile(io.BytesIO(trimmed.content)) as archive, zipfile.ZipFile(io.BytesIO(full)) as source:
        assert archive.testzip() is None
        assert archive.namelist() == ["a.py", "pkg/", "pkg/b.py"]
        assert all(archive.read(name) == source.read(name) for name in archive.namelist())
        # The compressed bytes themselves, not a new compression of the same text.
        assert [i.compress_size for i in archive.infolist()] == [
            source.getinfo(n).compress_size for n in archive.namelist()
        ]
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    assert trim_archive(full, ["a.py"]).content != trimmed.content  # positive control: other entries, other bytes


def test_an_entry_the_archive_lacks_stops_the_build() -> None:
    with pytest.raises(BrowserAssetsError, match=r"python_stdlib\.zip: no entry 'd\.py'"):
        trim_archive(make_zip(SOURCE), ["a.py", "d.py"])


def test_the_built_site_publishes_the_trimmed_archive_by_its_digest(built_site: Path) -> None:
    runtime = json.loads((built_site / "assets/keyguide/runtime.json").read_text(encoding="utf-8"))
    entry = runtime["snapshot"]["stdlib"]
    content = (built_site / "assets/keyguide" / entry["file"]).read_bytes()
    assert hashlib.sha256(content).hexdigest() == entry["sha256"]
    full = (built_site / "assets/pyodide/python_stdlib.zip").read_bytes()
    with zipfile.ZipFile(io.BytesIO(content)) as archive, zipfile.ZipFile(io.BytesIO(full)) as source:
        assert 0 < len(archive.namelist()) < len(source.namelist()) // 10
        assert all(archive.read(name) == source.read(name) for name in archive.namelist())
    assert len(content) < len(full) // 10


# ---- the restored checker with only that archive, under Node ------------------------------------------------

RESTORE = r"""
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
const [runtimeDir, snapshotPath, archivePath, inputPath, ...wheels] = process.argv.slice(2);
const { loadPyodide } = await import(runtimeDir + "/pyodide.mjs");
const { default: createModule } = await import(runtimeDir + "/pyodide.asm.mjs");
// The published image is the snapshot XOR the memory instantiation leaves (snapshot.mjs): undo it there.
const image = new Uint8Array(gunzipSync(readFileSync(snapshotPath)));
const start = new DataView(image.buffer, image.byteOffset).getUint32(4, true);
const pyodide = await loadPyodide({
  indexURL: runtimeDir + "/", packages: [], stdout: () => {}, stderr: () => {},
  _loadSnapshot: image, stdLibURL: archivePath,
  createPyodideModule(settings) {
    const instantiate = settings.instantiateWasm;
    settings.instantiateWasm = (imports, done) => instantiate(imports, (instance, module) => {
      const initial = new Uint8Array(instance.exports.memory.buffer);
      for (let i = 0; i < Math.min(image.length - start, initial.length); i += 1) image[start + i] ^= initial[i];
      done(instance, module);
    });
    return createModule(settings);
  },
});
const read = pyodide.runPython("import zipimport; len(zipimport._zip_directory_cache)");
const sitePackages = pyodide.runPython("import sysconfig; sysconfig.get_path('purelib')");
for (const wheel of wheels) {
  pyodide.unpackArchive(new Uint8Array(readFileSync(wheel)), "wheel", { extractDir: sitePackages });
}
pyodide.globals.set("request", readFileSync(inputPath, "utf-8"));
const result = pyodide.runPython(`
import importlib, json, sys
importlib.invalidate_caches()
from checker.asymmetric import sign
from checker.keys import PrivateKey
request = json.loads(request)
message = request["message"].encode()
keys = {
    "ed25519": PrivateKey("ed25519", secret=bytes.fromhex(request["ed25519"])),
    "ec_p256": PrivateKey("ec_p256", secret=bytes.fromhex(request["ec_p256"])),
    "rsa": PrivateKey("rsa", rsa=tuple(request["rsa"])),
}
signatures = {kind: sign(key, message).hex() for kind, key in keys.items()}
try:
    import tarfile
    control = "imported"
except ImportError as error:
    control = type(error).__name__
import checker.asymmetric
try:
    checker.asymmetric._sign_rsa(PrivateKey("ed25519", secret=bytes(32)), message)
    asserts = "skipped"
except AssertionError:
    asserts = "kept"
compiled = {"docstrings": [checker.asymmetric.__doc__, sign.__doc__, json.__doc__], "asserts": asserts}
json.dumps({"signatures": signatures, "control": control, "compiled": compiled})
`);
console.log(JSON.stringify({ read, ...JSON.parse(result) }));
"""


def restore(site: Path, archive: Path, tmp_path: Path, request: dict[str, Any]) -> dict[str, Any]:
    runtime = json.loads((site / "assets/keyguide/runtime.json").read_text(encoding="utf-8"))
    script, data = tmp_path / "restore.mjs", tmp_path / "request.json"
    script.write_text(RESTORE, encoding="utf-8")
    data.write_text(json.dumps(request), encoding="utf-8")
    wheels = [site / "assets/keyguide" / entry["wheel"] for entry in runtime["packages"].values()]
    args = [str(site / "assets/pyodide"), str(site / "assets/keyguide" / runtime["snapshot"]["file"]), str(archive)]
    node = shutil.which("node")
    assert node is not None
    result = subprocess.run(
        [node, str(script), *args, str(data), *map(str, wheels)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def test_the_restored_checker_signs_with_every_key_kind_from_the_trimmed_archive(
    built_site: Path, tmp_path: Path
) -> None:
    ed_seed, ec_scalar = bytes(range(1, 33)), bytes(range(33, 65))
    _, private = rsa.newkeys(1024)
    message = "GET /api/v3/account?timestamp=1"
    request = {"message": message, "ed25519": ed_seed.hex(), "ec_p256": ec_scalar.hex()}
    request["rsa"] = [private.n, private.e, private.d, private.p, private.q]  # type: ignore[assignment]
    runtime = json.loads((built_site / "assets/keyguide/runtime.json").read_text(encoding="utf-8"))
    archive = built_site / "assets/keyguide" / runtime["snapshot"]["stdlib"]["file"]
    result = restore(built_site, archive, tmp_path, request)
    # Nothing of the archive was read while Python was restored: the page checks its bytes first (checker.js).
    assert result["read"] == 0
    # The signatures this machine's own copies of the packages make (Ed25519 and RSA PKCS#1 v1.5 are
    # deterministic; ECDSA here uses the RFC 6979 nonce).
    ed = ecdsa.SigningKey.from_string(ed_seed, curve=ecdsa.Ed25519).sign(message.encode())
    ec = ecdsa.SigningKey.from_string(ec_scalar, curve=ecdsa.NIST256p, hashfunc=hashlib.sha256).sign_deterministic(
        message.encode(), hashfunc=hashlib.sha256, sigencode=ecdsa.util.sigencode_string
    )
    expected = {"ed25519": ed.hex(), "ec_p256": ec.hex(), "rsa": rsa.sign(message.encode(), private, "SHA-256").hex()}
    assert result["signatures"] == expected
    # Positive control: the interpreter really had only the trimmed archive, and a module left out of it is
    # an ImportError there (the full archive has it).
    assert result["control"] == "ModuleNotFoundError"
    assert "tarfile.py" in zipfile.ZipFile(built_site / "assets/pyodide/python_stdlib.zip").namelist()
    # The snapshot's modules, the checker's and the standard library's, were compiled without docstrings
    # (snapshot.mjs), though their sources have them (as this interpreter's copies show); asserts stay in.
    assert checker.asymmetric.__doc__ and checker.asymmetric.sign.__doc__ and json.__doc__
    assert result["compiled"] == {"docstrings": [None, None, None], "asserts": "kept"}


def test_the_published_snapshot_leaves_out_the_module_data(built_site: Path) -> None:
    """The image is the snapshot XOR the memory instantiation leaves: the module's data segments (the first
    megabytes of memory, mostly non-zero in a snapshot as Pyodide writes it) come out as zeros."""
    runtime = json.loads((built_site / "assets/keyguide/runtime.json").read_text(encoding="utf-8"))
    image = gzip.decompress((built_site / "assets/keyguide" / runtime["snapshot"]["file"]).read_bytes())
    start = int.from_bytes(image[4:8], "little")
    data = image[start + 1024 : start + (2 << 20)]  # the module's data starts at 1024 (Emscripten's global base)
    assert data.count(0) > 0.95 * len(data)

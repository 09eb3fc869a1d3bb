"""The standard library archive the page restores the snapshot with: Pyodide's, trimmed to what may be imported.

The snapshot holds every module the checker imported while it was made, so after a restore the archive is
read only for later imports (a signing package and what it imports: closure.py lists them). The whole
archive is 2.5 MB, a fifth of what a reader downloaded to start the checker; the trimmed one is 0.13 MB (on
a 10 Mbit/s line, checker focus → ready went from 12.0 s to 9.6 s). Its entries are copied byte for byte
(compressed data, CRC, sizes) from the python_stdlib.zip the build verified against pyodide-manifest.json,
in sorted order with fixed times, so the same entries of the same archive always give the same bytes. The
page checks its SHA-256 against runtime.json before Python reads it (checker.js), and uses the whole archive
wherever it starts Python without the snapshot.
"""

from __future__ import annotations

import hashlib
import io
import struct
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass

from .runtime import BrowserAssetsError

_LOCAL = struct.Struct("<4s5H3I2H")  # local file header (APPNOTE 4.3.7), then name and extra field
_CENTRAL = struct.Struct("<4s6H3I5H2I")  # central directory file header (4.3.12), then name
_END = struct.Struct("<4s4H2IH")  # end of central directory record (4.3.16)
_DOS_DATE = (1 << 5) | 1  # 1980-01-01, the earliest a zip can say: no build time in the bytes
_UNIX_FILE, _UNIX_DIR = 0o100644 << 16, (0o040755 << 16) | 0x10


@dataclass(frozen=True)
class StdlibArchive:
    content: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()

    @property
    def filename(self) -> str:
        # Named by its bytes, like the snapshot it goes with.
        return f"stdlib-{self.sha256[:16]}.zip"


def trim_archive(full: bytes, names: Iterable[str]) -> StdlibArchive:
    """A zip of these entries of `full` (the verified python_stdlib.zip), their compressed bytes unchanged.

    Raises:
        BrowserAssetsError: A name is not in `full`, or an entry is encrypted or stored in a way not copied here.
    """
    with zipfile.ZipFile(io.BytesIO(full)) as source:
        entries = {info.filename: info for info in source.infolist()}
    local, central = bytearray(), bytearray()
    count = 0
    for name in sorted(set(names)):
        info = entries.get(name)
        if info is None:
            raise BrowserAssetsError(f"python_stdlib.zip: no entry {name!r} (listed for the trimmed archive)")
        if info.flag_bits & 0x1 or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise BrowserAssetsError(
                f"python_stdlib.zip: {name}: encrypted or compressed with method {info.compress_type}"
            )
        data = _raw_data(full, info)
        encoded = name.encode("utf-8")
        flags = 0x800 if not encoded.isascii() else 0  # bit 11: the name is UTF-8
        common = (20, flags, info.compress_type, 0, _DOS_DATE, info.CRC, len(data), info.file_size, len(encoded))
        offset = len(local)
        local += _LOCAL.pack(b"PK\x03\x04", *common, 0) + encoded + data
        attributes = _UNIX_DIR if name.endswith("/") else _UNIX_FILE
        central += _CENTRAL.pack(b"PK\x01\x02", (3 << 8) | 20, *common, 0, 0, 0, 0, attributes, offset) + encoded
        count += 1
    end = _END.pack(b"PK\x05\x06", 0, 0, count, count, len(central), len(local), 0)
    return StdlibArchive(bytes(local + central + end))


def _raw_data(full: bytes, info: zipfile.ZipInfo) -> bytes:
    """The entry's bytes as stored (still compressed), from after its local header."""
    header = full[info.header_offset : info.header_offset + _LOCAL.size]
    fields = _LOCAL.unpack(header)
    if fields[0] != b"PK\x03\x04":
        raise BrowserAssetsError(f"python_stdlib.zip: {info.filename}: no local header at {info.header_offset}")
    start = info.header_offset + _LOCAL.size + fields[-2] + fields[-1]
    return full[start : start + info.compress_size]

"""A static server for the benchmarks that compresses as a static host does, or not at all.

Static hosts (GitHub Pages, Netlify, Cloudflare Pages) send text, JavaScript, JSON, SVG and WebAssembly
gzip-compressed to a browser that accepts it, and archives (zip, wheel) as they are. `python -m http.server`
compresses nothing, which makes every page look heavier than it is published. Each file is compressed once
(gzip level 6, the usual server default) and kept in memory for the life of the server.
"""

from __future__ import annotations

import gzip
import http.server
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

COMPRESSED_TYPES = frozenset(
    {
        "application/javascript",
        "application/json",
        "application/manifest+json",
        "application/wasm",
        "application/xml",
        "image/svg+xml",
    }
)


def compressible(content_type: str) -> bool:
    kind = content_type.split(";", 1)[0].strip().lower()
    return kind.startswith("text/") or kind in COMPRESSED_TYPES


class _Handler(http.server.SimpleHTTPRequestHandler):
    compress = True
    cache: dict[tuple[str, int], bytes] = {}
    lock = threading.Lock()

    def send_head(self) -> Any:
        path = self.translate_path(self.path)
        if os.path.isdir(path):
            index = os.path.join(path, "index.html")
            if not self.path.split("?", 1)[0].endswith("/") or not os.path.isfile(index):
                return super().send_head()  # redirects and 404s as http.server does them
            path = index
        content_type = self.guess_type(path)
        accepts = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (self.compress and accepts and compressible(content_type) and os.path.isfile(path)):
            return super().send_head()
        stat = os.stat(path)
        key = (path, stat.st_mtime_ns)
        with self.lock:
            body = self.cache.get(key)
            if body is None:
                body = gzip.compress(Path(path).read_bytes(), compresslevel=6, mtime=0)
                self.cache[key] = body
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Vary", "Accept-Encoding")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Last-Modified", self.date_time_string(int(stat.st_mtime)))
        self.end_headers()
        return _Body(body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass


class _Body:
    """What `send_head` returns for `copyfile`: a readable, closable body."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def read(self, size: int = -1) -> bytes:
        data, self.data = self.data, b""
        return data

    def close(self) -> None:
        pass


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True


@contextmanager
def serve_static(directory: Path, *, compress: bool) -> Iterator[str]:
    """Serve `directory` on a free 127.0.0.1 port, gzip-compressing as a static host does when `compress`."""
    handler = type("Handler", (_Handler,), {"compress": compress, "cache": {}, "lock": threading.Lock()})
    server = _Server(("127.0.0.1", 0), partial(handler, directory=str(directory)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()

"""Browser side of the build: self-hosted Pyodide, the checker wheel, the page security policy, and the
accessibility fixes of vendor markup.

The MkDocs plugin calls `BrowserAssets` from three events and `fix_vendor_markup` on every page before
`BrowserAssets.secure_html`; everything here is engine-independent.
"""

from __future__ import annotations

import json
from pathlib import Path

from .markup import VendorMarkupError, fix_vendor_markup
from .policy import PolicyError, add_referrer_policy, headers_file, inline_script_hashes, secure_page
from .runtime import FILES, BrowserAssetsError, RuntimeFiles
from .wheel import Wheel, build_wheel, project_version

__all__ = [
    "FILES",
    "RUNTIME_URI",
    "BrowserAssets",
    "BrowserAssetsError",
    "PolicyError",
    "VendorMarkupError",
    "Wheel",
    "fix_vendor_markup",
]

ASSETS_DIR = "assets/keyguide"
# What checker.js reads to find the wheel (its name carries the version; the hash busts stale caches).
RUNTIME_URI = f"{ASSETS_DIR}/runtime.json"


class BrowserAssets:
    """Adds the checker's runtime files to the site and secures every page.

    Args:
        root: The project directory: holds `checker/`, `pyproject.toml` and `node_modules/` (from `npm ci`).
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.runtime = RuntimeFiles(root)
        self._script_hashes: set[str] = set()

    def static_files(self) -> dict[str, bytes]:
        """Files to publish, by site-relative URI (Pyodide runtime, checker wheel, runtime.json).

        Called once per build, before any page: it also starts the build's collection of script hashes.

        Raises:
            BrowserAssetsError: The Pyodide runtime is missing or differs from the committed manifest.
        """
        self._script_hashes = set()
        files = self.runtime.verified()
        wheel = self.wheel()
        files[f"{ASSETS_DIR}/{wheel.filename}"] = wheel.content
        runtime = {"wheel": wheel.filename, "sha256": wheel.sha256}
        files[RUNTIME_URI] = (json.dumps(runtime, sort_keys=True) + "\n").encode()
        return files

    def wheel(self) -> Wheel:
        """The checker package as a wheel, rebuilt from `checker/` (reproducible bytes)."""
        return build_wheel(self.root / "checker", project_version(self.root))

    def secure_html(self, html: str, *, serving: bool) -> str:
        """The page with its Content-Security-Policy meta tag first in <head>.

        Under `mkdocs serve` only the referrer policy is added: the live-reload script is inline and
        differs per page load, so a policy would block it. The page's markup is otherwise left as it is.
        """
        if serving:
            return add_referrer_policy(html)
        hashes = inline_script_hashes(html)
        self._script_hashes.update(hashes)
        return secure_page(html, hashes)

    def extra_site_files(self) -> dict[str, str]:
        """Files for the site root that are not pages, e.g. `_headers` for hosts that honour one."""
        return {"_headers": headers_file(self._script_hashes)}

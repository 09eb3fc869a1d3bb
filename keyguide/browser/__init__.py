"""Browser side of the build: self-hosted Pyodide, the checker wheel, the page security policy, Subresource
Integrity, the theme's pinned assets, and the accessibility fixes of vendor markup.

The MkDocs plugin calls `BrowserAssets` from its events and `fix_vendor_markup` on every page before
`BrowserAssets.secure_html`; everything here is engine-independent (a Jinja environment and a template
context are all it needs from the engine).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2

from ..cache import BuildCache
from .assets import INLINE_STYLES, inline_style, long_cache_paths
from .integrity import add_integrity, sri_digest
from .markup import VendorMarkupError, fix_vendor_markup
from .origin import OriginDecision, checker_origin
from .packages import signing_wheels
from .policy import PolicyError, add_dev_banner, content_security_policy, headers_file, script_hash, secure_page
from .policy import worker_source as _worker_source
from .runtime import FILES, SITE_DIR, BrowserAssetsError, RuntimeFiles, load_manifest
from .scan import PageScan, dump_scan, load_scan, scan_page
from .snapshot import STORE_DIR as SNAPSHOT_STORE_DIR
from .snapshot import SnapshotStore
from .stdlib import trim_archive
from .theme import AllowedScripts, ThemeScripts, template_scripts, verify_theme
from .wheel import PACKAGE, Wheel, build_wheel, package_sources, project_version

__all__ = [
    "FILES",
    "RUNTIME_URI",
    "TEST_HOOK_ENV",
    "TEST_HOOK_URI",
    "AllowedScripts",
    "BrowserAssets",
    "BrowserAssetsError",
    "OriginDecision",
    "PolicyError",
    "VendorMarkupError",
    "Wheel",
    "checker_origin",
    "fix_vendor_markup",
    "test_hook_requested",
]

ASSETS_DIR = "assets/keyguide"
# What checker.js reads to find the wheel (its name carries the version; the hash busts stale caches and
# lets the page check the bytes before it unpacks them).
RUNTIME_URI = f"{ASSETS_DIR}/runtime.json"
# The browser tests' hook: published, and loaded by pages right before checker.js, only when the build runs
# with KEYGUIDE_TEST_HOOK=1 (tests/sitekit.py sets it). Production builds neither ship nor load it.
TEST_HOOK_URI = f"{ASSETS_DIR}/test-hook.js"
TEST_HOOK_ENV = "KEYGUIDE_TEST_HOOK"
# The build cache's folders (see BuildCache).
_SCANS = "scans"
_WHEELS = "wheels"


def test_hook_requested(environ: Mapping[str, str] = os.environ) -> bool:
    return environ.get(TEST_HOOK_ENV, "") == "1"


class BrowserAssets:
    """Adds the checker's runtime files to the site and secures every page.

    Args:
        root: The project directory: holds `checker/`, `pyproject.toml` and `node_modules/` (from `npm ci`).
        site_url: Where the site is published (mkdocs.yml `site_url`); None if not set.
        serving: Pages are for `mkdocs serve` (development policy and banner).
        cache: Keep what depends only on exact bytes for the next build: each page's scan (by the page's
            HTML), the wheel (by the checker's sources), and which runtime files were verified (by their
            file status, see `RuntimeFiles`). Every check still runs on bytes the cache has not seen.
    """

    def __init__(
        self, root: Path, *, site_url: str | None = None, serving: bool = False, cache: BuildCache | None = None
    ) -> None:
        self.root = root
        self.site_url = site_url
        self.serving = serving
        self.cache = cache
        self.site_path = (urlsplit(site_url).path or "/") if site_url else "/"
        if not self.site_path.endswith("/"):
            self.site_path += "/"
        self.runtime = RuntimeFiles(root, cache=cache)
        self.snapshots = SnapshotStore(root / SNAPSHOT_STORE_DIR)
        self.theme = ThemeScripts(())
        self.worker = "'self'"
        self._script_hashes: set[str] = set()
        self._inline: dict[str, str] = {}  # stylesheets pages carry inline, by site URI
        self._style_hashes: set[str] = set()
        self._long_cache: list[str] = []
        self._published: Mapping[str, Callable[[], bytes]] = {}
        self._digests: dict[str, str | None] = {}

    def static_files(self) -> dict[str, bytes]:
        """Files to publish, by site-relative URI (Pyodide runtime, checker wheel, signing wheels, runtime.json).

        Called once per build, before any page: it also starts the build's collection of script hashes.

        Raises:
            BrowserAssetsError: The Pyodide runtime is missing or differs from the committed manifest, or a
                signing wheel is missing or differs from requirements.lock.
        """
        self._script_hashes = set()
        files = self.runtime.verified()
        wheel = self.wheel()
        files[f"{ASSETS_DIR}/{wheel.filename}"] = wheel.content
        runtime: dict[str, Any] = {"wheel": wheel.filename, "sha256": wheel.sha256, "packages": {}}
        packages = signing_wheels(self.root)
        # The signing packages, beside it: the page unpacks one only for a key type that needs it, and only
        # if its bytes match the SHA-256 named here (the one requirements.lock pins).
        for name, package in packages.items():
            files[f"{ASSETS_DIR}/{package.filename}"] = package.content
            runtime["packages"][name] = {"wheel": package.filename, "sha256": package.sha256}
        # The interpreter already started with the checker imported (snapshot.py): the page restores it
        # instead of starting Python. Not under `mkdocs serve`, where a checker edit would cost seconds of
        # Node per reload: the page then starts Python the plain way.
        if not self.serving:
            names = {uri.rsplit("/", 1)[1]: content for uri, content in files.items() if uri.startswith(SITE_DIR)}
            hashes = load_manifest(self.runtime.manifest_path).sha256
            signing = [packages[name].content for name in sorted(packages)]
            snapshot = self.snapshots.get_or_make(names, hashes, wheel.content, signing)
            files[f"{ASSETS_DIR}/{snapshot.filename}"] = snapshot.content
            # Restored with the standard library archive trimmed to what it may still import (stdlib.py).
            stdlib = trim_archive(names["python_stdlib.zip"], snapshot.archive)
            files[f"{ASSETS_DIR}/{stdlib.filename}"] = stdlib.content
            runtime["snapshot"] = {
                "file": snapshot.filename,
                "sha256": snapshot.sha256,
                "stdlib": {"file": stdlib.filename, "sha256": stdlib.sha256},
            }
        files[RUNTIME_URI] = (json.dumps(runtime, sort_keys=True) + "\n").encode()
        return files

    def wheel(self) -> Wheel:
        """The checker package as a wheel, rebuilt from `checker/` (reproducible bytes, so a stored one is the same)."""
        package_dir = self.root / PACKAGE
        version = project_version(self.root)
        if self.cache is None:
            return build_wheel(package_dir, version)
        sources = package_sources(package_dir)
        key = self.cache.key(version, *(part for path, data in sources.items() for part in (path, data)))
        stored = self.cache.get(_WHEELS, key)
        if stored is not None:
            filename, _, content = stored.partition(b"\n")
            return Wheel(filename.decode("utf-8"), content)
        wheel = build_wheel(package_dir, version)
        self.cache.put(_WHEELS, key, wheel.filename.encode("utf-8") + b"\n" + wheel.content)
        return wheel

    def use_site_files(
        self,
        published: Mapping[str, Callable[[], bytes]],
        *,
        theme_dirs: Sequence[Path],
        theme_assets: Iterable[str],
        starts_worker: bool,
    ) -> None:
        """Take the build's final file list: check the theme against its manifest and learn its scripts.

        Args:
            published: Every file the site publishes, by site URI, with a way to read its bytes.
            theme_dirs: The theme's template directories, in the order the engine searches them.
            theme_assets: URIs of the JavaScript and CSS files that come from the theme.
            starts_worker: The theme's search runs (it starts the search worker).

        Raises:
            BrowserAssetsError: The theme differs from theme-manifest.json (the message names the file).
        """
        scripts = template_scripts(theme_dirs)
        manifest = verify_theme(published, theme_assets, theme_dirs, scripts)
        self.theme = ThemeScripts(scripts)
        self.worker = _worker_source(self.site_url, manifest.worker if starts_worker else None)
        self._published = published
        self._digests = {}
        inline = sorted(INLINE_STYLES & set(published))
        self._inline = {uri: inline_style(published[uri]().decode("utf-8"), uri) for uri in inline}
        self._style_hashes = {script_hash(text) for text in self._inline.values()}
        self._long_cache = long_cache_paths(published, self.site_path)

    def allowed_scripts(self, env: jinja2.Environment, context: Mapping[str, Any]) -> AllowedScripts:
        """The theme's inline scripts as the page with this template context carries them."""
        return self.theme.allowed(env, context)

    def secure_html(self, html: str, *, where: str, page_dir: str, allowed: AllowedScripts) -> str:
        """The page with Subresource Integrity on its loads and its policy meta tags first in <head>.

        Args:
            where: The page, as errors name it (its source file or template).
            page_dir: The page's directory in the site, to resolve its relative URLs.
            allowed: The theme's inline scripts for this page (`allowed_scripts`).

        Raises:
            PolicyError: The page has an inline script the theme does not write, an event-handler attribute,
                a `javascript:` URL or a meta refresh, or loads a file the site does not publish.
        """
        scan = self._scan(html)
        problems = list(scan.hazards)
        hashes = []
        for script in scan.inline_scripts:
            if not allowed.allows(script):
                problems.append(f"an inline <script> the theme does not write: {_excerpt(script.text)}")
            elif script.executable and (source := script_hash(script.text)) not in hashes:
                hashes.append(source)
        if problems:
            raise PolicyError(f"{where}: " + "; ".join(problems) + " — pages may run only the theme's own scripts")
        try:
            html = add_integrity(
                html, scan.loads, page_dir, self._digest, site_path=self.site_path, inline_of=self._inline.get
            )
        except PolicyError as error:
            raise PolicyError(f"{where}: {error}") from None
        if self.serving:
            return add_dev_banner(secure_page(html, content_security_policy((), worker=self.worker, serving=True)))
        self._script_hashes.update(hashes)
        policy = content_security_policy(hashes, worker=self.worker, style_hashes=self._style_hashes)
        return secure_page(html, policy)

    def _scan(self, html: str) -> PageScan:
        if self.cache is None:
            return scan_page(html)
        key = self.cache.key(html)
        stored = self.cache.get(_SCANS, key)
        if stored is not None:
            try:
                return load_scan(stored)
            except ValueError:
                pass  # a damaged entry: scan afresh and overwrite it
        scan = scan_page(html)
        self.cache.put(_SCANS, key, dump_scan(scan))
        return scan

    def _digest(self, uri: str) -> str | None:
        if uri not in self._digests:
            reader = self._published.get(uri)
            self._digests[uri] = None if reader is None else sri_digest(reader())
        return self._digests[uri]

    def extra_site_files(self) -> dict[str, str]:
        """Files for the site root that are not pages, e.g. `_headers` for hosts that honour one."""
        headers = headers_file(
            self._script_hashes, worker=self.worker, style_hashes=self._style_hashes, long_cache=self._long_cache
        )
        return {"_headers": headers}


def _excerpt(text: str, limit: int = 60) -> str:
    flat = " ".join(text.split())
    return repr(flat if len(flat) <= limit else flat[:limit] + "…")

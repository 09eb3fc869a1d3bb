"""Browser side of the build: self-hosted Pyodide, the checker wheel, and the page security policy.

The MkDocs plugin calls `BrowserAssets` from three events; everything here is engine-independent.
"""

from __future__ import annotations

from pathlib import Path


class BrowserAssets:
    """Adds the checker's runtime files to the site and secures every page."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def static_files(self) -> dict[str, bytes]:
        """Files to publish, by site-relative URI (Pyodide runtime, checker wheel)."""
        return {}

    def secure_html(self, html: str, *, serving: bool) -> str:
        """The page with its Content-Security-Policy meta tag first in <head>."""
        return html

    def extra_site_files(self) -> dict[str, str]:
        """Files for the site root that are not pages, e.g. `_headers` for hosts that honour one."""
        return {}

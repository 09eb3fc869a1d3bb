"""Whether the checker may run where the site is published: only on an origin the site has to itself.

The browser's security boundary is the origin (scheme, host, port), not the path. A site published under a
path, such as a GitHub Pages project site at `owner.github.io/keyguide/`, shares its origin with every
other site there: any of them can open our page in a window or frame and read what a reader pastes, start
our scripts, and satisfies `script-src 'self'`. A user or organisation site at the root of such a host
(`owner.github.io/`) shares it with all of that owner's project sites. So the checker starts only when the
site is at the root of a host that is not known to be shared, or when the config says the origin is
dedicated to this site (a custom domain, for example, which GitHub Pages serves at its root).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

# Hosts whose subdomains are per owner, with the owner's other sites under paths of the same origin.
SHARED_HOST_SUFFIXES = (".github.io", ".gitlab.io", ".codeberg.page")
CONFIG_HINT = "set `dedicated_origin: true` under the keyguide plugin in mkdocs.yml"


@dataclass(frozen=True)
class OriginDecision:
    allowed: bool
    refusal: str  # reader-facing: why the checker does not start here ("" when allowed)
    reason: str  # writer-facing: the same for the build log, with what to change


def checker_origin(site_url: str | None, *, dedicated: bool) -> OriginDecision:
    """Decide from mkdocs.yml's `site_url` (and the `dedicated_origin` setting) whether the checker starts."""
    if dedicated:
        return OriginDecision(True, "", "")
    if not site_url:
        return _refuse(
            "this copy of the site does not say where it is published",
            "site_url is not set, so the build cannot tell whether the site has an origin of its own; "
            f"set site_url, or {CONFIG_HINT} if it does",
        )
    parts = urlsplit(site_url)
    host = (parts.hostname or "").lower()
    origin = f"{parts.scheme}://{parts.netloc}"
    if parts.path not in ("", "/"):
        return _refuse(
            f"it is published under the path {parts.path} of {origin}, an address other sites share",
            f"site_url {site_url} is under a path: every other site on {origin} is the same origin and "
            f"could read what readers paste; publish at the root of a host of its own, or {CONFIG_HINT} "
            "if no other site is ever served from that origin",
        )
    if host.endswith(SHARED_HOST_SUFFIXES):
        return _refuse(
            f"it is published at {origin}, an address the owner's other sites share",
            f"site_url {site_url} is the root of a {host.split('.', 1)[1]} owner site, which shares its "
            f"origin with every project site of that owner; use a custom domain, or {CONFIG_HINT}",
        )
    return OriginDecision(True, "", "")


def _refuse(where: str, reason: str) -> OriginDecision:
    refusal = (
        f"The key checker is turned off on this copy of the site: {where}. Any page on the same address "
        "could read what you paste here. Use the guide's steps by hand, or use the checker on a copy of the "
        "site that has an address of its own."
    )
    return OriginDecision(False, refusal, reason)

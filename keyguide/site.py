"""White-label site settings: the bot product whose users paste keys. Independent of MkDocs."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ProductConfig:
    """The product readers paste their key into ("paste both into <name> → <paste_place>")."""

    name: str
    paste_place: str
    outbound_ips: tuple[str, ...] = ()
    key_storage: str = ""
    url: str = ""


@dataclass(frozen=True)
class SiteConfig:
    """Settings every rendered page may use."""

    product: ProductConfig | None = None
    stale_after_days: int = 180
    checker_enabled: bool = True
    # How long the page waits for the checker to start before it says why it may not (a policy blocking
    # WebAssembly never answers). Every checker form and the error lookup read it from their markup.
    checker_timeout_ms: int = 20000
    # False when the site is published where other sites share its origin (see keyguide/browser/origin.py):
    # the checker then does not start, and shows `checker_refusal` (reader-facing, one paragraph) instead.
    checker_allowed: bool = True
    checker_refusal: str = ""
    extra: dict[str, str] = field(default_factory=dict)

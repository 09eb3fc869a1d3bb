"""The checker starts only where the site has its origin to itself (shared-origin refusal)."""

from __future__ import annotations

import pytest

from keyguide.browser import checker_origin


@pytest.mark.parametrize(
    "site_url",
    [
        "https://owner.github.io/keyguide/",  # a GitHub Pages project site: the owner's other sites share it
        "https://owner.github.io/keyguide",
        "https://keys.example.com/docs/",  # any path: what else the host serves is unknown
        "https://owner.github.io/",  # a user site shares its origin with all the owner's project sites
        "https://group.gitlab.io/",
        None,  # unknown: cannot tell
        "",
    ],
)
def test_shared_or_unknown_origins_refuse(site_url: str | None) -> None:
    decision = checker_origin(site_url, dedicated=False)
    assert not decision.allowed
    assert decision.refusal.startswith("The key checker is turned off on this copy of the site: ")
    assert "dedicated_origin: true" in decision.reason
    assert checker_origin(site_url, dedicated=True).allowed


@pytest.mark.parametrize(
    "site_url",
    ["https://keys.example.com/", "https://keys.example.com", "http://127.0.0.1:8000/", "https://github.io.example/"],
)
def test_an_origin_of_its_own_starts(site_url: str) -> None:
    decision = checker_origin(site_url, dedicated=False)
    assert decision.allowed and decision.refusal == "" and decision.reason == ""


def test_refusal_names_the_path_and_origin() -> None:
    decision = checker_origin("https://owner.github.io/keyguide/", dedicated=False)
    assert "/keyguide/ of https://owner.github.io" in decision.refusal
    assert "could read what you paste" in decision.refusal

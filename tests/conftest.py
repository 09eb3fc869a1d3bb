"""Shared fixtures: the real site, built once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from sitekit import ROOT, build_site


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`mkdocs build --strict` of the repository into a temporary directory."""
    site = tmp_path_factory.mktemp("site")
    result = build_site(ROOT, site)
    assert result.returncode == 0, result.stderr
    return site

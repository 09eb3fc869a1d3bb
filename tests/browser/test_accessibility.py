"""axe-core (pinned in package.json) finds no serious or critical problem on a guide and the checker page."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from kgbrowser import AXE, open_checker

pytestmark = pytest.mark.browser

SERIOUS = ("serious", "critical")


def axe_violations(page: Page) -> list[dict[str, Any]]:
    # The page's policy blocks add_script_tag; evaluate runs outside it.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    violations: list[dict[str, Any]] = page.evaluate(
        """async () => (await axe.run(document, { resultTypes: ["violations"] })).violations.map((v) => ({
            id: v.id, impact: v.impact, help: v.help,
            targets: v.nodes.map((n) => n.target.join(" ")).slice(0, 5),
        }))"""
    )
    return [v for v in violations if v["impact"] in SERIOUS]


def test_guide_page_with_a_working_checker(page: Page, site_url: str) -> None:
    form = open_checker(page, site_url + "/venues/kraken-spot/")
    form.locator('[name="api_secret"]').fill(
        "kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg== "
    )
    expect(form.locator(".kg-finding").first).to_be_visible()
    for panel in form.locator("details").all():
        panel.locator("summary").click()
    form.locator('[data-kg-action="sign"]').click()
    expect(form.locator("[data-kg-signed]")).to_be_visible()
    found = axe_violations(page)
    assert found == [], "\n".join(map(str, found))


def test_checker_page(page: Page, site_url: str) -> None:
    page.goto(site_url + "/checker/")
    found = axe_violations(page)
    assert found == [], "\n".join(map(str, found))

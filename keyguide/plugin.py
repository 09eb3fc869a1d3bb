"""The MkDocs adapter: thin events that delegate to the loader, renderer and dataset helpers.

Everything a future engine would reuse (model, loader, rendering, checker) knows nothing of MkDocs.
"""

from __future__ import annotations

import datetime
import posixpath
from collections.abc import Callable, Collection
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, get_plugin_logger
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from .anchors import GUIDES_DIR, guide_source, guide_url
from .browser import (
    TEST_HOOK_URI,
    AllowedScripts,
    BrowserAssets,
    BrowserAssetsError,
    PolicyError,
    VendorMarkupError,
    checker_origin,
    fix_vendor_markup,
    test_hook_requested,
)
from .browser.assets import CHECKER_URI, LOADER_URI, is_loader, page_scripts
from .browser.theme import ASSET_SUFFIXES
from .cache import BuildCache, code_fingerprint
from .checks import page_anchors
from .dataset import dump_json, full_dataset, rules_slice
from .loader import LoadedVenue, load_directory, venue_files
from .model import Venue
from .problems import Problem, format_problems
from .registry import Anchor, heading_ids, load_registry, lost_anchors, render_registry
from .render import PageRenderer
from .schema import render_schema
from .site import ProductConfig, SiteConfig

if TYPE_CHECKING:  # only `mkdocs serve` imports the live-reload server (and its file watcher)
    from mkdocs.livereload import LiveReloadServer

log = get_plugin_logger(__name__)

RULES_URI = "assets/keyguide/venues.json"
DATASET_URI = "data/venues.json"
DATASET_SCHEMA_URI = "data/venue.schema.json"
_DATA_CACHE = "data"  # the build cache's folder of published JSON


class _ProductConfig(base.Config):
    name = c.Optional(c.Type(str))
    paste_place = c.Type(str, default="")
    outbound_ips = c.ListOfItems(c.Type(str), default=[])
    key_storage = c.Type(str, default="")
    url = c.Type(str, default="")


class KeyguideConfig(base.Config):
    venues_dir = c.Dir(exists=True, default="venues")
    templates_dir = c.Dir(exists=True, default="macros")
    stale_after_days = c.Type(int, default=180)
    product = c.SubConfig(_ProductConfig)  # no name: neutral wording
    anchors_file = c.Type(str, default="anchors.txt")
    # Say true only when no other site is ever served from site_url's origin (scheme, host and port): under
    # a path of a shared host (a GitHub Pages project site) the checker otherwise refuses to start.
    dedicated_origin = c.Type(bool, default=False)
    # What a build computed from exact bytes (loaded venues, rendered pages, page scans, the wheel, verified
    # runtime files), kept for the next build; relative to mkdocs.yml. Safe to delete at any time.
    cache = c.Type(bool, default=True)
    cache_dir = c.Type(str, default=".cache/keyguide")


class KeyguidePlugin(BasePlugin[KeyguideConfig]):
    """Generates the venue guides, the cross-venue pages and the checker's data."""

    supports_multiple_instances = False

    def __init__(self) -> None:
        self.command = "build"
        self.problems: list[Problem] = []
        self.published: set[Anchor] = set()
        self.aliases: dict[str, dict[str, str]] = {}
        self.broken: set[str] = set()  # ids of venues whose files have problems (only under serve)
        self.allowed_scripts: dict[str, AllowedScripts] = {}  # the theme's inline scripts, by page

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.command = command

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        origin = checker_origin(config.site_url, dedicated=self.config.dedicated_origin)
        if not origin.allowed:
            log.info(f"the key checker will refuse to start: {origin.reason}")
        self.site = _site_config(self.config, checker_allowed=origin.allowed, checker_refusal=origin.refusal)
        self.root = Path(config.config_file_path).parent
        self.cache = BuildCache(self.root / self.config.cache_dir, code_fingerprint()) if self.config.cache else None
        self.renderer = PageRenderer(Path(self.config.templates_dir), self.site, cache=self.cache)
        self.browser = BrowserAssets(
            self.root, site_url=config.site_url, serving=self.command == "serve", cache=self.cache
        )
        self.test_hook = test_hook_requested()
        config.nav = _expand_venues_nav(config.nav, venue_files(Path(self.config.venues_dir)))
        return config

    def on_serve(self, server: LiveReloadServer, /, *, config: MkDocsConfig, builder: Any) -> LiveReloadServer:
        # Writers edit venue data and templates, not only docs_dir: reload on both.
        server.watch(self.config.venues_dir)
        server.watch(self.config.templates_dir)
        return server

    def on_files(self, files: Files, /, *, config: MkDocsConfig) -> Files:
        loaded = load_directory(Path(self.config.venues_dir), root=self.root, cache=self.cache)
        self.problems = list(loaded.problems)
        self.broken = {item.venue_id for item in loaded.broken}
        self._report_problems()
        self._register_venue_anchors(loaded.venues)
        self._generate_pages(files, config, loaded.venues)
        self._generate_broken_pages(files, config, loaded.broken)
        self._generate_data(files, config, loaded.venues)
        self._generate_browser_assets(files, config)
        self._fingerprint_page_scripts(files, config)
        self._place_test_hook(files, config)
        self._resolve_site_files(files, config)
        return files

    def on_env(self, env: jinja2.Environment, /, *, config: MkDocsConfig, files: Files) -> jinja2.Environment:
        self.env = env
        return env

    def on_page_context(self, context: Any, /, *, page: Page, config: MkDocsConfig, nav: Any) -> Any:
        # The theme's inline scripts as this page carries them: rendered from the templates, not read off the page.
        self.allowed_scripts[page.file.src_uri] = self.browser.allowed_scripts(self.env, context)
        return context

    def on_template_context(self, context: Any, /, *, template_name: str, config: MkDocsConfig) -> Any:
        self.allowed_scripts[template_name] = self.browser.allowed_scripts(self.env, context)
        return context

    def on_post_page(self, output: str, /, *, page: Page, config: MkDocsConfig) -> str:
        self.published.update(Anchor(page.url, anchor) for anchor in heading_ids(output))
        html = _fix_vendor_markup(output, page.file.src_uri)
        return self._secure(html, page.file.src_uri, posixpath.dirname(page.file.dest_uri))

    def on_post_template(self, output_content: str, /, *, template_name: str, config: MkDocsConfig) -> str:
        # 404.html is rendered from a template, not a page: it needs the same fixes and policy.
        if not template_name.endswith(".html"):
            return output_content
        html = _fix_vendor_markup(output_content, template_name)
        return self._secure(html, template_name, posixpath.dirname(template_name))

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        self._check_anchor_registry(Path(config.site_dir))
        for name, content in self.browser.extra_site_files().items():
            (Path(config.site_dir) / name).write_text(content, encoding="utf-8")
        if self.cache is not None:
            self.cache.prune()  # what this build did not use belongs to inputs that are gone

    def on_page_markdown(self, markdown: str, /, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        # Under `mkdocs serve` a broken venue file must not stop the server: show its errors on every page.
        if not self.problems:
            return markdown
        banner = '!!! failure "Venue data has problems"\n\n    ```text\n'
        banner += "".join(f"    {line}\n" for line in format_problems(self.problems).splitlines())
        return banner + "    ```\n\n" + markdown

    def _secure(self, html: str, where: str, page_dir: str) -> str:
        allowed = self.allowed_scripts.pop(where, None)
        if allowed is None:  # no template context seen for it: nothing inline can be vouched for
            allowed = AllowedScripts(frozenset(), frozenset())
        try:
            return self.browser.secure_html(html, where=where, page_dir=page_dir, allowed=allowed)
        except PolicyError as error:
            raise PluginError(str(error)) from None

    def _check_anchor_registry(self, site_dir: Path) -> None:
        # The site publishes its own anchor list, which `keyguide anchors --update` copies into the registry.
        (site_dir / "anchors.txt").write_text(render_registry(self.published), encoding="utf-8")
        registered = load_registry(self.root / self.config.anchors_file)
        # Under serve a broken venue has no guide: its problems are already reported, and its anchors are not
        # lost, only not built. Listing them too would bury the writer's message under dozens of lines.
        registered = {anchor for anchor in registered if not _owned_by(anchor, self.broken)}
        lost = lost_anchors(registered, self.published, self.aliases)
        for message in lost:
            log.error(message)
        unregistered = len(self.published - registered)
        if unregistered:
            log.info(f"{unregistered} new anchor(s) not in {self.config.anchors_file}: run 'keyguide anchors --update'")
        if lost and self.command != "serve":
            raise PluginError(f"{len(lost)} published anchor(s) lost; see the lines above.")

    def _report_problems(self) -> None:
        for problem in self.problems:
            log.error(problem.format())
        if self.problems and self.command != "serve":
            raise PluginError(f"{len(self.problems)} problem(s) in venue files; see the lines above.")

    def _register_venue_anchors(self, venues: list[Venue]) -> None:
        # Anchors the venue data declares; headings of every page are added as pages are written.
        self.published, self.aliases = set(), {}
        for venue in venues:
            page = guide_url(venue.id)
            self.published.update(Anchor(page, anchor) for _, anchor in page_anchors(venue))
            self.aliases[page] = dict(venue.anchor_aliases)

    def _generate_pages(self, files: Files, config: MkDocsConfig, venues: list[Venue]) -> None:
        today = datetime.date.today()
        pages = self.renderer.site_pages(venues, today=today)
        for uri, content in pages.items():
            _put(files, File.generated(config, uri, content=content))

    def _generate_broken_pages(self, files: Files, config: MkDocsConfig, broken: list[LoadedVenue]) -> None:
        # Only reached under serve: a broken venue keeps its URL, so the writer sees its errors where they look.
        for item in broken:
            _put(files, File.generated(config, guide_source(item.venue_id), content=f"# {item.venue_id}\n"))

    def _generate_browser_assets(self, files: Files, config: MkDocsConfig) -> None:
        try:
            browser_files = self.browser.static_files()
        except BrowserAssetsError as error:
            raise PluginError(str(error)) from None
        for uri, content in browser_files.items():
            _put(files, File.generated(config, uri, content=content))

    def _fingerprint_page_scripts(self, files: Files, config: MkDocsConfig) -> None:
        # Pages load the loader under a name fingerprinted by its content; it adds checker.js (fingerprinted
        # too) on the reader's intent (keyguide/browser/assets.py).
        loader, checker = files.get_file_from_path(LOADER_URI), files.get_file_from_path(CHECKER_URI)
        if loader is None or checker is None:
            return
        try:
            scripts = page_scripts(loader.content_bytes, checker.content_bytes)
        except BrowserAssetsError as error:
            raise PluginError(str(error)) from None
        files.remove(loader)
        files.remove(checker)
        for uri, content in scripts.items():
            _put(files, File.generated(config, uri, content=content))
        loader_uri = next(uri for uri in scripts if is_loader(uri))
        for index, script in enumerate(config.extra_javascript):
            if is_loader(str(script)):
                config.extra_javascript[index] = loader_uri

    def _place_test_hook(self, files: Files, config: MkDocsConfig) -> None:
        # Production builds neither ship the browser tests' hook nor load it; test builds load it right
        # before the loader, which adds checker.js, which hooks into it.
        hook = files.get_file_from_path(TEST_HOOK_URI)
        if not self.test_hook:
            if hook is not None:
                files.remove(hook)
            return
        if hook is None:
            log.info(f"KEYGUIDE_TEST_HOOK=1, but there is no {TEST_HOOK_URI} to load")
            return
        scripts = [str(script) for script in config.extra_javascript]
        if TEST_HOOK_URI not in scripts:
            before = next((index for index, uri in enumerate(scripts) if is_loader(uri)), len(scripts))
            config.extra_javascript.insert(before, TEST_HOOK_URI)

    def _resolve_site_files(self, files: Files, config: MkDocsConfig) -> None:
        theme_dirs = [Path(directory).resolve() for directory in config.theme.dirs]
        published: dict[str, Callable[[], bytes]] = {}
        theme_assets = []
        for file in files:
            if file.inclusion.is_excluded():
                continue
            published[file.dest_uri] = _reader(file)
            src_dir = file.src_dir
            if src_dir is not None and Path(src_dir).resolve() in theme_dirs and file.dest_uri.endswith(ASSET_SUFFIXES):
                theme_assets.append(file.dest_uri)
        try:
            self.browser.use_site_files(
                published,
                theme_dirs=theme_dirs,
                theme_assets=theme_assets,
                starts_worker=any(name.split("/")[-1] == "search" for name in config.plugins),
            )
        except BrowserAssetsError as error:
            raise PluginError(str(error)) from None

    def _generate_data(self, files: Files, config: MkDocsConfig, venues: list[Venue]) -> None:
        digests = self.renderer.venue_digests(venues)
        generated = {
            RULES_URI: self._cached(RULES_URI, digests, lambda: dump_json(rules_slice(venues))),
            DATASET_URI: self._cached(DATASET_URI, digests, lambda: dump_json(full_dataset(venues))),
            DATASET_SCHEMA_URI: self._cached(DATASET_SCHEMA_URI, (), render_schema),  # from the model's code alone
        }
        for uri, content in generated.items():
            _put(files, File.generated(config, uri, content=content))

    def _cached(self, uri: str, inputs: tuple[str, ...], compute: Callable[[], str]) -> str:
        """`compute()`, or what it gave an earlier build for the same `inputs` (and the same code)."""
        if self.cache is None:
            return compute()
        key = self.cache.key(uri, *inputs)
        stored = self.cache.get(_DATA_CACHE, key)
        if stored is not None:
            return stored.decode("utf-8")
        content = compute()
        self.cache.put(_DATA_CACHE, key, content.encode("utf-8"))
        return content


def _expand_venues_nav(nav: Any, files: list[Path]) -> Any:
    """Replace a nav entry `venues/` with the venue index and one guide per venue file."""
    if isinstance(nav, list):
        return [_expand_venues_nav(item, files) for item in nav]
    if isinstance(nav, dict):
        return {title: _expand_venues_nav(item, files) for title, item in nav.items()}
    if nav == f"{GUIDES_DIR}/":
        return [f"{GUIDES_DIR}/index.md", *(guide_source(path.stem) for path in files)]
    return nav


def _reader(file: File) -> Callable[[], bytes]:
    return lambda: file.content_bytes


def _put(files: Files, file: File) -> None:
    existing = files.get_file_from_path(file.src_uri)
    if existing is not None:
        raise PluginError(f"{file.src_uri} is generated from venue data; remove the hand-written file")
    files.append(file)


def _owned_by(anchor: Anchor, venue_ids: Collection[str]) -> bool:
    """Whether one of the venues puts `anchor` on the site: on its guide, or as its heading on a cross-venue page.

    The error index gives each venue a heading whose id is the venue id (`/errors/#kraken-spot`).
    """
    return any(anchor.page == guide_url(venue_id) or anchor.id == venue_id for venue_id in venue_ids)


def _fix_vendor_markup(html: str, where: str) -> str:
    try:
        return fix_vendor_markup(html, where)
    except VendorMarkupError as error:
        raise PluginError(str(error)) from None


def _site_config(config: KeyguideConfig, *, checker_allowed: bool, checker_refusal: str) -> SiteConfig:
    product = config.product
    return SiteConfig(
        product=None
        if product.name is None
        else ProductConfig(
            name=product.name,
            paste_place=product.paste_place,
            outbound_ips=tuple(product.outbound_ips),
            key_storage=product.key_storage,
            url=product.url,
        ),
        stale_after_days=config.stale_after_days,
        checker_allowed=checker_allowed,
        checker_refusal=checker_refusal,
    )

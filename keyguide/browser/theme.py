"""The theme's part in the policy: its own inline scripts, read from its templates, and its shipped assets.

Inline scripts: the policy may hash a script only if the theme's templates write it. Each `<script>` in a
template is rendered on its own with the page's template context, so a script that depends on the page
(Material's `__md_scope` holds the page's base URL) gets exactly the text that page carries. Anything else
inline in a page (a script, an event handler) was not written by the theme and stops the build.

Assets: Material's JavaScript and CSS run with full access to every page, the checker's included. They come
from a hash-checked pip install, and the committed theme-manifest.json pins them again by SHA-256, with the
templates whose scripts the policy trusts, so a changed file on disk stops the build, naming it.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import jinja2

from .runtime import BrowserAssetsError
from .scan import JAVASCRIPT_TYPES, InlineScript, script_type

MANIFEST_PATH = Path(__file__).with_name("theme-manifest.json")
PACKAGE = "mkdocs-material"
ASSET_SUFFIXES = (".js", ".mjs", ".css")
_TEMPLATE_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.IGNORECASE | re.DOTALL)
_SKIPPED_DIRS = {".icons"}


@dataclass(frozen=True)
class TemplateScript:
    """One inline `<script>` as a theme template writes it (its body is Jinja source)."""

    template: str
    attrs: tuple[tuple[str, str], ...]
    source: str

    @property
    def executable(self) -> bool:
        return script_type(dict(self.attrs)) in JAVASCRIPT_TYPES


@dataclass(frozen=True)
class ThemeManifest:
    version: str
    worker: str | None
    assets: dict[str, str]  # site URI -> sha256
    templates: dict[str, str]  # template path -> sha256


@dataclass(frozen=True)
class AllowedScripts:
    """The inline scripts the theme writes on one page: code by (attributes, text), data blocks by attributes."""

    code: frozenset[tuple[tuple[tuple[str, str], ...], str]]
    data: frozenset[tuple[tuple[str, str], ...]]

    def allows(self, script: InlineScript) -> bool:
        attrs = _normal(script.attrs)
        if script.executable:
            return (attrs, script.text) in self.code
        return attrs in self.data


def _normal(attrs: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((name.lower(), value) for name, value in attrs))


class _Attrs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.attrs: tuple[tuple[str, str], ...] = ()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.attrs = tuple((name, value or "") for name, value in attrs)


def _parse_attrs(text: str) -> tuple[tuple[str, str], ...]:
    parser = _Attrs()
    parser.feed(f"<script{text}>")
    return parser.attrs


def template_scripts(dirs: Sequence[Path]) -> tuple[TemplateScript, ...]:
    """Every inline `<script>` in the theme's templates, first theme directory winning (as Jinja loads them)."""
    seen: dict[str, Path] = {}
    for directory in dirs:
        for path in sorted(_html_files(directory)):
            seen.setdefault(path.relative_to(directory).as_posix(), path)
    scripts = []
    for name, path in sorted(seen.items()):
        for match in _TEMPLATE_SCRIPT.finditer(path.read_text(encoding="utf-8")):
            attrs = _parse_attrs(match.group(1))
            if "src" in dict(attrs):
                continue
            scripts.append(TemplateScript(name, attrs, match.group(2)))
    return tuple(scripts)


def _html_files(directory: Path) -> Iterator[Path]:
    """The `.html` files under `directory`, outside `_SKIPPED_DIRS`.

    Walks instead of globbing: Material's `.icons` alone holds some 14,000 files, which a glob would visit
    only to skip them (tens of milliseconds a build).
    """
    for folder, subfolders, names in os.walk(directory):
        subfolders[:] = [name for name in subfolders if name not in _SKIPPED_DIRS]
        yield from (Path(folder) / name for name in names if name.endswith(".html"))


def template_paths(dirs: Sequence[Path], names: Iterable[str]) -> dict[str, Path]:
    """Where each template is read from: the first theme directory that has it."""
    found = {}
    for name in names:
        for directory in dirs:
            if (directory / name).is_file():
                found[name] = directory / name
                break
    return found


class ThemeScripts:
    """The theme's inline scripts, rendered per page with that page's template context."""

    def __init__(self, scripts: Sequence[TemplateScript]) -> None:
        self.scripts = tuple(scripts)
        self._compiled: dict[tuple[int, str], jinja2.Template | None] = {}

    def allowed(self, env: jinja2.Environment, context: Mapping[str, Any]) -> AllowedScripts:
        code = set()
        for script in self.scripts:
            if not script.executable:
                continue
            text = self._render(env, script, context)
            if text is not None:
                code.add((_normal(script.attrs), text))
        data = {_normal(script.attrs) for script in self.scripts if not script.executable}
        return AllowedScripts(frozenset(code), frozenset(data))

    def _render(self, env: jinja2.Environment, script: TemplateScript, context: Mapping[str, Any]) -> str | None:
        key = (id(env), script.source)
        if key not in self._compiled:
            try:
                # Rendered inside its own tags, so whitespace at the ends is kept exactly as in the full template.
                self._compiled[key] = env.from_string(f"<script>{script.source}</script>")
            except jinja2.TemplateError:
                self._compiled[key] = None
        template = self._compiled[key]
        if template is None:
            return None
        try:
            rendered = template.render(dict(context))
        except (jinja2.TemplateError, TypeError, AttributeError):
            return None  # needs what only the full template defines: then it cannot be on this page as trusted
        return rendered[len("<script>") : -len("</script>")]


def load_theme_manifest(path: Path = MANIFEST_PATH) -> ThemeManifest:
    """Read the committed manifest: `{"package", "version", "worker", "assets": {...}, "templates": {...}}`."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data["package"] != PACKAGE:
            raise ValueError(f"package is {data['package']!r}, expected {PACKAGE!r}")
        return ThemeManifest(
            version=str(data["version"]),
            worker=None if data["worker"] is None else str(data["worker"]),
            assets={uri: str(entry["sha256"]) for uri, entry in data["assets"].items()},
            templates={name: str(entry["sha256"]) for name, entry in data["templates"].items()},
        )
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise BrowserAssetsError(f"{path}: not a valid theme manifest ({error})") from None


def installed_theme_version() -> str:
    try:
        return importlib.metadata.version(PACKAGE)
    except importlib.metadata.PackageNotFoundError:
        raise BrowserAssetsError(f"{PACKAGE} is not installed: run `make` (it installs requirements.lock)") from None


def verify_theme(
    published: Mapping[str, Callable[[], bytes]],
    theme_assets: Iterable[str],
    theme_dirs: Sequence[Path],
    scripts: Sequence[TemplateScript],
    manifest_path: Path = MANIFEST_PATH,
) -> ThemeManifest:
    """Check the theme's shipped assets and script-bearing templates against the committed manifest.

    Args:
        published: Every file the site publishes, by site URI, with a way to read its bytes.
        theme_assets: URIs of the JavaScript and CSS files the theme adds to the site.
        theme_dirs: The theme's template directories, in the order the engine searches them.
        scripts: The theme's inline scripts (`template_scripts`).

    Raises:
        BrowserAssetsError: Another theme version, or a file that differs, is missing or is not in the
            manifest; the message names it.
    """
    manifest = load_theme_manifest(manifest_path)
    name = manifest_path.name
    version = installed_theme_version()
    if version != manifest.version:
        raise BrowserAssetsError(
            f"{PACKAGE} {version} is installed, {name} pins {manifest.version}: run `make` to install "
            f"requirements.lock (or update pyproject.toml, requirements.lock and {name} together)"
        )
    problems = []
    for uri, expected in sorted(manifest.assets.items()):
        reader = published.get(uri)
        if reader is None:
            problems.append(f"{uri}: in {name} but not published by the theme")
        elif (actual := hashlib.sha256(reader()).hexdigest()) != expected:
            problems.append(f"{uri}: SHA-256 {actual} does not match {expected} in {name}")
    for uri in sorted(set(theme_assets) - set(manifest.assets)):
        problems.append(f"{uri}: the theme ships it, {name} does not list it")
    if manifest.worker is not None and manifest.worker not in manifest.assets:
        problems.append(f"{manifest.worker}: the worker in {name} is not one of its assets")
    names = {script.template for script in scripts} | set(manifest.templates)
    template_files = template_paths(theme_dirs, names)
    for template in sorted(names):
        path = template_files.get(template)
        pinned = manifest.templates.get(template)
        if pinned is None:
            problems.append(f"{template}: a theme template with an inline script, not in {name}")
        elif path is None:
            problems.append(f"{template}: in {name} but not in the theme")
        elif (actual := hashlib.sha256(path.read_bytes()).hexdigest()) != pinned:
            problems.append(f"{path}: SHA-256 {actual} does not match {pinned} in {name}")
    if problems:
        raise BrowserAssetsError(
            "the theme differs from its manifest — a changed install or an upgrade nobody reviewed:\n  "
            + "\n  ".join(problems)
            + "\nRun `make` to reinstall the pinned theme; after a deliberate upgrade, review the diff of "
            "`python -m keyguide.browser theme-manifest`."
        )
    return manifest


def theme_manifest_for(theme_dir: Path, worker: str | None) -> dict[str, Any]:
    """The manifest describing the theme installed in `theme_dir` (for deliberate upgrades)."""
    assets = {}
    for path in sorted(theme_dir.rglob("*")):
        relative = path.relative_to(theme_dir)
        if path.is_file() and path.suffix in ASSET_SUFFIXES and not relative.parts[0].startswith("."):
            content = path.read_bytes()
            assets[relative.as_posix()] = {"sha256": hashlib.sha256(content).hexdigest(), "size": len(content)}
    templates = {}
    for name, path in template_paths([theme_dir], {s.template for s in template_scripts([theme_dir])}).items():
        templates[name] = {"sha256": hashlib.sha256(path.read_bytes()).hexdigest()}
    return {
        "package": PACKAGE,
        "version": installed_theme_version(),
        "worker": worker,
        "assets": assets,
        "templates": dict(sorted(templates.items())),
    }

"""The theme's inline scripts come from its templates; its assets and templates are pinned by a manifest."""

from __future__ import annotations

import hashlib
import importlib.resources
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import jinja2
import pytest

from keyguide.browser import BrowserAssetsError
from keyguide.browser.scan import InlineScript
from keyguide.browser.theme import (
    ASSET_SUFFIXES,
    MANIFEST_PATH,
    ThemeScripts,
    load_theme_manifest,
    template_scripts,
    verify_theme,
)

THEME = Path(str(importlib.resources.files("material") / "templates"))


def shipped(theme: Path) -> tuple[dict[str, Callable[[], bytes]], list[str]]:
    """What a build publishes from the theme: its JavaScript and CSS, by site URI."""
    published: dict[str, Callable[[], bytes]] = {}
    assets = []
    for path in theme.rglob("*"):
        if path.is_file() and path.suffix in ASSET_SUFFIXES and not path.relative_to(theme).parts[0].startswith("."):
            uri = path.relative_to(theme).as_posix()
            published[uri] = path.read_bytes
            assets.append(uri)
    return published, assets


def test_the_installed_theme_matches_its_manifest() -> None:
    """Positive control for the refusals below; also: the committed manifest is the one the build reads."""
    published, assets = shipped(THEME)
    manifest = verify_theme(published, assets, [THEME], template_scripts([THEME]))
    assert manifest.worker == "assets/javascripts/workers/search.a7633da7.min.js"
    assert {"assets/javascripts/bundle.a5f9d56c.min.js", manifest.worker} <= set(manifest.assets)
    assert MANIFEST_PATH.name == "theme-manifest.json"


def test_a_changed_theme_asset_stops_the_build_naming_it() -> None:
    published, assets = shipped(THEME)
    bundle = "assets/javascripts/bundle.a5f9d56c.min.js"
    original = published[bundle]
    published[bundle] = lambda: original() + b"\n;fetch('https://evil.example/')"
    with pytest.raises(BrowserAssetsError, match=rf"{bundle}: SHA-256 [0-9a-f]{{64}} does not match"):
        verify_theme(published, assets, [THEME], template_scripts([THEME]))


def test_a_missing_or_unlisted_theme_asset_stops_the_build() -> None:
    published, assets = shipped(THEME)
    worker = "assets/javascripts/workers/search.a7633da7.min.js"
    del published[worker]
    with pytest.raises(BrowserAssetsError, match=f"{worker}: in theme-manifest.json but not published"):
        verify_theme(published, assets, [THEME], template_scripts([THEME]))
    published, assets = shipped(THEME)
    published["assets/javascripts/extra.js"] = lambda: b"1"
    with pytest.raises(BrowserAssetsError, match="assets/javascripts/extra.js: the theme ships it"):
        verify_theme(published, [*assets, "assets/javascripts/extra.js"], [THEME], template_scripts([THEME]))


def test_a_changed_script_template_stops_the_build(tmp_path: Path) -> None:
    theme = tmp_path / "templates"
    shutil.copytree(THEME / "partials" / "javascripts", theme / "partials" / "javascripts")
    for name in ("base.html", "redirect.html"):
        shutil.copy(THEME / name, theme / name)
    shutil.copytree(THEME / "partials" / "integrations", theme / "partials" / "integrations")
    published, assets = shipped(THEME)
    verify_theme(published, assets, [theme], template_scripts([theme]))  # an intact copy passes
    palette = theme / "partials" / "javascripts" / "palette.html"
    palette.write_text(palette.read_text().replace("</script>", ";fetch('//evil.example')</script>"))
    with pytest.raises(BrowserAssetsError, match=r"palette\.html: SHA-256 [0-9a-f]{64} does not match"):
        verify_theme(published, assets, [theme], template_scripts([theme]))
    (theme / "partials" / "new.html").write_text("<script>x()</script>")
    with pytest.raises(BrowserAssetsError, match="partials/new.html: a theme template with an inline script"):
        verify_theme(published, assets, [theme], template_scripts([theme]))


def test_another_theme_version_stops_the_build(tmp_path: Path) -> None:
    data = json.loads(MANIFEST_PATH.read_text(encoding="utf-8"))
    manifest = tmp_path / "theme-manifest.json"
    manifest.write_text(json.dumps({**data, "version": "9.0.0"}), encoding="utf-8")
    published, assets = shipped(THEME)
    with pytest.raises(
        BrowserAssetsError, match=r"mkdocs-material 9\.8\.1 is installed, theme-manifest\.json pins 9\.0\.0"
    ):
        verify_theme(published, assets, [THEME], template_scripts([THEME]), manifest_path=manifest)


def test_manifest_pins_every_template_with_a_script() -> None:
    manifest = load_theme_manifest()
    templates = {script.template for script in template_scripts([THEME])}
    assert templates == set(manifest.templates)
    assert "partials/javascripts/base.html" in templates
    for name, digest in manifest.templates.items():
        assert hashlib.sha256((THEME / name).read_bytes()).hexdigest() == digest


def test_theme_scripts_render_per_page() -> None:
    """__md_scope carries the page's base URL: each page depth gets its own text, from the template."""
    env = jinja2.Environment()
    env.filters["url"] = lambda value: value
    scripts = ThemeScripts(template_scripts([THEME]))
    config = {"extra": {}, "theme": {"features": []}}
    shallow = scripts.allowed(env, {"base_url": ".", "config": config})
    deep = scripts.allowed(env, {"base_url": "../..", "config": config})
    scope = [text for _, text in shallow.code if text.startswith("__md_scope")]
    assert scope == ['__md_scope=new URL(".",location)' + scope[0].split("location)", 1)[1]]
    assert shallow.allows(InlineScript((), scope[0]))
    assert not deep.allows(InlineScript((), scope[0]))
    assert shallow.allows(InlineScript((("type", "application/json"), ("id", "__config")), "{anything}"))
    assert not shallow.allows(InlineScript((), "fetch('//evil.example')"))

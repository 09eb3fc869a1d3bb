"""The page loader and the checker's start: checker.js only on intent, with its integrity; Python from the
build's memory snapshot, only if the snapshot's bytes are the ones runtime.json names, with fresh randomness."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Request, expect

from kgbrowser import READY_TIMEOUT_MS, open_checker, serve

pytestmark = pytest.mark.browser

KRAKEN = "/venues/kraken-spot/"


def checker_js(requests: list[Request]) -> list[str]:
    return [r.url for r in requests if "/assets/keyguide/checker." in r.url and r.url.endswith(".js")]


def python_files(requests: list[Request]) -> list[str]:
    return [r.url for r in requests if "/assets/pyodide/" in r.url or r.url.endswith((".whl", ".snapshot.gz", ".zip"))]


def test_checker_js_loads_when_the_reader_points_at_the_form_not_before(page: Page, site_url: str) -> None:
    requests: list[Request] = []
    page.on("request", lambda request: requests.append(request))
    page.goto(site_url + KRAKEN, wait_until="networkidle")
    form = page.locator("form.kg-form")
    # Scrolling past the checker to the end of the guide is not reading it.
    page.mouse.wheel(0, 50_000)
    page.wait_for_timeout(1200)
    assert checker_js(requests) == [] and python_files(requests) == []
    expect(form.locator('[name="api_key"]')).to_be_disabled()
    # Positive control: pointing at the form loads checker.js, which enables the form; Python waits for focus.
    form.locator('[name="api_key"]').hover()
    expect(form.locator('[name="api_key"]')).to_be_enabled()
    assert len(checker_js(requests)) == 1 and python_files(requests) == []


def test_reading_the_form_loads_checker_js_and_focus_then_starts_python(page: Page, site_url: str) -> None:
    requests: list[Request] = []
    page.on("request", lambda request: requests.append(request))
    page.goto(site_url + KRAKEN)
    form = page.locator("form.kg-form")
    form.scroll_into_view_if_needed()
    expect(form.locator('[name="api_key"]')).to_be_enabled(timeout=5000)
    assert len(checker_js(requests)) == 1 and python_files(requests) == []
    form.locator('[name="api_key"]').focus()
    expect(form.locator("[data-kg-status]")).to_contain_text("Ready", timeout=READY_TIMEOUT_MS)
    restored = [url for url in python_files(requests) if url.endswith(".snapshot.gz")]
    assert len(restored) == 1, python_files(requests)
    # With the standard library archive trimmed to what the snapshot may still import, not the whole one.
    archives = [url.rsplit("/", 1)[1] for url in python_files(requests) if url.endswith(".zip")]
    assert len(archives) == 1 and archives[0].startswith("stdlib-"), python_files(requests)


def test_a_checker_js_with_other_bytes_is_refused(page: Page, site_dir: Path, tmp_path: Path) -> None:
    """Subresource Integrity on the script the loader adds: one changed byte and it never runs."""
    site = tmp_path / "site"
    shutil.copytree(site_dir, site)
    (script,) = (site / "assets/keyguide").glob("checker.*.js")
    script.write_text(script.read_text(encoding="utf-8").replace("Ready.", "Ready!"), encoding="utf-8")
    with serve(site) as url:
        page.goto(url + KRAKEN)
        form = page.locator("form.kg-form")
        form.locator('[name="api_key"]').hover()
        expect(form.locator("[data-kg-status]")).to_contain_text("script could not load")
        expect(form.locator('[name="api_key"]')).to_be_disabled()


@pytest.mark.parametrize(
    "entry",
    [
        pytest.param(("file",), id="snapshot"),
        # Pyodide fetches the archive itself; the page checks the bytes it wrote before Python may read them.
        pytest.param(("stdlib", "file"), id="trimmed-archive"),
    ],
)
def test_a_file_of_the_restore_that_does_not_match_its_digest_is_not_used(
    page: Page, site_dir: Path, tmp_path: Path, entry: tuple[str, ...]
) -> None:
    site = tmp_path / "site"
    shutil.copytree(site_dir, site)
    named = json.loads((site / "assets/keyguide/runtime.json").read_text(encoding="utf-8"))["snapshot"]
    for key in entry:
        named = named[key]
    tampered = site / "assets/keyguide" / named
    data = bytearray(tampered.read_bytes())
    data[len(data) // 2] ^= 0x01
    tampered.write_bytes(bytes(data))
    with serve(site) as url:
        page.goto(url + KRAKEN + "?kg-test")
        form = page.locator("form.kg-form")
        form.locator('[name="api_key"]').hover()
        form.locator('[name="api_key"]').click()
        expect(form.locator("[data-kg-status]")).to_contain_text(
            "does not match the SHA-256 fingerprint", timeout=READY_TIMEOUT_MS
        )
        assert page.evaluate("window.__keyguideTestHook.state()") == "failed"
        assert page.evaluate("window.__keyguideTestHook.pyodide()") is None


def test_each_page_draws_its_own_random_state_from_the_snapshot(browser: Browser, site_url: str) -> None:
    """Every reader restores the same memory; the page reseeds `random` from the browser right after."""
    draws = []
    for _ in range(2):
        context = browser.new_context()
        page = context.new_page()
        open_checker(page, site_url + KRAKEN + "?kg-test")
        draws.append(
            page.evaluate("window.__keyguideTestHook.pyodide().runPython('import random; random.getrandbits(48)')")
        )
        context.close()
    assert draws[0] != draws[1]

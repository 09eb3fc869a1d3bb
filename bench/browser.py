"""In-browser figures for the checker (prints, asserts nothing). Run: `make bench` or `python bench/browser.py`.

- open-to-ready: from focusing the checker to "Ready" (Pyodide loaded, wheel unpacked, self-test run), cold
  (fresh browser context, empty cache) and warm (reload in the same context), next to a bare `loadPyodide()`
  page served by the same server in the same run;
- paste-to-findings: from an input event to the findings on screen (includes the 250 ms debounce);
- bytes a guide page transfers before the checker is used, next to a plain mkdocs-material page.

Same machine, same Chromium flags as the tests (tests/browser/kgbrowser.py). Timings on a shared machine are
rough sizes, not benchmarks: compare rows of one run, not runs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "browser"))

from playwright.sync_api import Browser, Page, sync_playwright  # noqa: E402

from kgbrowser import CHROMIUM, CHROMIUM_ARGS, serve  # noqa: E402

GUIDE = "/venues/kraken-spot/"
SECRET = "kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg==\u200b"

# Measured inside the page (performance.now), so Playwright's polling adds nothing.
OPEN_TO_READY = """() => new Promise((resolve) => {
    const form = document.querySelector("form.kg-form");
    const status = form.querySelector("[data-kg-status]");
    const start = performance.now();
    const done = () => status.textContent.startsWith("Ready") || status.classList.contains("kg-error");
    const observer = new MutationObserver(() => {
        if (done()) { observer.disconnect(); resolve([performance.now() - start, status.textContent]); }
    });
    observer.observe(status, { childList: true, characterData: true, subtree: true });
    form.querySelector("[data-kg-credential]").focus();
})"""
PASTE_TO_FINDINGS = """(secret) => new Promise((resolve) => {
    const form = document.querySelector("form.kg-form");
    const box = form.querySelector("[data-kg-findings]");
    const input = form.querySelector('[name="api_secret"]');
    box.textContent = "";
    const observer = new MutationObserver(() => {
        if (box.textContent) { observer.disconnect(); resolve(performance.now() - start); }
    });
    observer.observe(box, { childList: true, subtree: true });
    const start = performance.now();
    input.value = secret;
    input.dispatchEvent(new Event("input", { bubbles: true }));
})"""
BARE_HTML = (
    '<!doctype html><meta charset="utf-8"><title>bare loadPyodide</title><script type="module" src="bare.js"></script>'
)
BARE_JS = """
const start = performance.now();
const { loadPyodide } = await import("../assets/pyodide/pyodide.mjs");
const pyodide = await loadPyodide({ indexURL: new URL("../assets/pyodide/", import.meta.url).href });
pyodide.runPython("1 + 1");
window.__bare = performance.now() - start;
"""
WAIT_BARE = """() => new Promise((resolve) => {
    const poll = () => (window.__bare !== undefined ? resolve(window.__bare) : setTimeout(poll, 10));
    poll();
})"""


def build(config: Path, site: Path) -> None:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    command = [sys.executable, "-m", "mkdocs", "build", "--quiet", "-f", str(config), "-d", str(site)]
    subprocess.run(command, cwd=config.parent, env=env, check=True)


def plain_material_site(workdir: Path) -> Path:
    """A one-page mkdocs-material site with the same theme settings (no fonts from another origin)."""
    project = workdir / "plain"
    (project / "docs").mkdir(parents=True)
    (project / "docs" / "index.md").write_text("# Plain page\n\n" + "Some text. " * 200 + "\n", encoding="utf-8")
    (project / "mkdocs.yml").write_text(
        textwrap.dedent(
            """\
            site_name: plain
            theme: {name: material, font: false}
            extra: {generator: false}
            plugins: [search]
            """
        ),
        encoding="utf-8",
    )
    build(project / "mkdocs.yml", project / "site")
    return project / "site"


def transferred(browser: Browser, url: str) -> tuple[int, int]:
    """Bytes (headers + bodies, as sent: http.server does not compress) and request count, to network idle."""
    context = browser.new_context()
    page = context.new_page()
    requests: list[Any] = []
    page.on("requestfinished", lambda request: requests.append(request))
    page.goto(url, wait_until="networkidle")
    page.mouse.wheel(0, 20_000)
    page.wait_for_timeout(500)
    total = 0
    for request in requests:
        sizes = request.sizes()
        total += sizes["responseBodySize"] + sizes["responseHeadersSize"]
    context.close()
    return total, len(requests)


def open_to_ready(page: Page, url: str) -> float:
    page.goto(url)
    elapsed, status = page.evaluate(OPEN_TO_READY)
    if not status.startswith("Ready"):
        raise RuntimeError(f"the checker did not start: {status}")
    return float(elapsed)


def bare_ready(page: Page, url: str) -> float:
    page.goto(url)
    return float(page.evaluate(WAIT_BARE))


def timings(browser: Browser, measure: Any, url: str, runs: int) -> tuple[list[float], list[float]]:
    cold, warm = [], []
    for _ in range(runs):
        context = browser.new_context()
        page = context.new_page()
        cold.append(measure(page, url))
        warm.append(measure(page, url))  # same context: HTTP cache warm, Python starts afresh
        context.close()
    return cold, warm


def fmt(values: list[float]) -> str:
    return f"median {statistics.median(values):7.0f} ms   (runs: {', '.join(f'{v:.0f}' for v in values)})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--site", type=Path, help="a built site to use instead of building one")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="keyguide-bench-") as tmp:
        workdir = Path(tmp)
        site = args.site
        if site is None:
            site = workdir / "site"
            build(ROOT / "mkdocs.yml", site)
        # The bare page is served by the same server as the site, beside it, loading the same Pyodide files.
        bare = site / "bench-bare"
        bare.mkdir(exist_ok=True)
        (bare / "index.html").write_text(BARE_HTML, encoding="utf-8")
        (bare / "bare.js").write_text(BARE_JS, encoding="utf-8")
        plain = plain_material_site(workdir)
        with serve(site) as url, serve(plain) as plain_url, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            version = browser.version
            checker_cold, checker_warm = timings(browser, open_to_ready, url + GUIDE, args.runs)
            bare_cold, bare_warm = timings(browser, bare_ready, url + "/bench-bare/", args.runs)
            context = browser.new_context()
            page = context.new_page()
            open_to_ready(page, url + GUIDE)
            paste = [float(page.evaluate(PASTE_TO_FINDINGS, SECRET + str(i))) for i in range(5)]
            context.close()
            guide_bytes, guide_requests = transferred(browser, url + GUIDE)
            plain_bytes, plain_requests = transferred(browser, plain_url + "/")
            browser.close()
        if args.site is not None:
            for name in ("index.html", "bare.js"):
                (bare / name).unlink()
            bare.rmdir()
    print(f"Chromium {version}, {args.runs} runs each; ms from focus (checker) or navigation (bare) to ready")
    print(f"  checker open-to-ready, cold    {fmt(checker_cold)}")
    print(f"  checker open-to-ready, warm    {fmt(checker_warm)}")
    print(f"  bare loadPyodide(), cold       {fmt(bare_cold)}")
    print(f"  bare loadPyodide(), warm       {fmt(bare_warm)}")
    print(f"  paste-to-findings (incl. 250 ms debounce) {fmt(paste)}")
    print("Bytes transferred before the checker is used (to network idle, page scrolled to the end)")
    print(f"  guide page {GUIDE:<24} {guide_bytes:>9,} bytes in {guide_requests} requests")
    print(f"  plain mkdocs-material page     {plain_bytes:>9,} bytes in {plain_requests} requests")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

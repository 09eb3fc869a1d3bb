"""Build-time figures: the real site, synthetic sites of growing size, and our overhead over plain Material.

Prints figures only; nothing here asserts a time. Run with `make bench`.
"""

from __future__ import annotations

import datetime
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from keyguide.loader import load_directory  # noqa: E402
from keyguide.render import PageRenderer  # noqa: E402
from keyguide.site import SiteConfig  # noqa: E402

MKDOCS = [sys.executable, "-m", "mkdocs", "build", "--quiet"]
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
RUNS = 3


def time_build(config: Path, site_dir: Path) -> float:
    """Median wall time of `mkdocs build` over RUNS runs, in seconds."""
    times = []
    for _ in range(RUNS):
        shutil.rmtree(site_dir, ignore_errors=True)
        start = time.perf_counter()
        subprocess.run([*MKDOCS, "-f", str(config), "-d", str(site_dir)], check=True, env=ENV, cwd=config.parent)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def make_site(work: Path, venue_count: int) -> Path:
    """A copy of the project whose venues/ holds `venue_count` copies of Kraken Spot under new ids."""
    site = work / f"site-{venue_count}"
    shutil.copytree(ROOT / "content", site / "content")
    shutil.copytree(ROOT / "macros", site / "macros")
    (site / "venues").mkdir()
    shutil.copy(ROOT / "mkdocs.yml", site / "mkdocs.yml")
    # Read-only build inputs. No anchors.txt: the synthetic venues publish other anchors than the real ones.
    for name in ("node_modules", "checker"):
        (site / name).symlink_to(ROOT / name)
    template = (ROOT / "venues" / "kraken-spot.yaml").read_text(encoding="utf-8")
    for index in range(venue_count):
        venue_id = f"venue-{index:04d}"
        text = template.replace("id: kraken-spot", f"id: {venue_id}", 1)
        (site / "venues" / f"{venue_id}.yaml").write_text(text, encoding="utf-8")
    return site


def make_plain_site(work: Path) -> Path:
    """The real site's pages written out as static Markdown, built by plain mkdocs-material."""
    site = work / "plain"
    shutil.copytree(ROOT / "content", site / "content")
    venues = load_directory(ROOT / "venues").require()
    renderer = PageRenderer(ROOT / "macros", SiteConfig())
    pages = renderer.site_pages(venues, today=datetime.date.today())
    for uri, text in pages.items():
        path = site / "content" / uri
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    config["plugins"] = ["search"]
    config.pop("watch", None)
    config.pop("extra_javascript", None)
    config.pop("extra_css", None)
    shutil.rmtree(site / "content" / "assets", ignore_errors=True)
    (site / "mkdocs.yml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return site


def row(label: str, seconds: float, note: str = "") -> None:
    print(f"  {label:<36}{seconds:6.2f} s  {note}".rstrip())


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="keyguide-bench-") as tmp:
        work = Path(tmp)
        print(f"mkdocs build wall time, median of {RUNS} runs (includes Python start-up)")
        real = time_build(ROOT / "mkdocs.yml", work / "out-real")
        venue_count = len(list((ROOT / "venues").glob("*.yaml")))
        row(f"real site, {venue_count} venues", real)
        for count in (10, 100, 500):
            site = make_site(work, count)
            seconds = time_build(site / "mkdocs.yml", work / f"out-{count}")
            row(f"synthetic, {count} venues", seconds, f"({seconds / count * 1000:.1f} ms per venue)")
        plain = make_plain_site(work)
        plain_seconds = time_build(plain / "mkdocs.yml", work / "out-plain")
        row("plain mkdocs-material, same pages", plain_seconds)
        print(f"  {'ratio keyguide / plain':<36}{real / plain_seconds:6.2f}x")


if __name__ == "__main__":
    main()

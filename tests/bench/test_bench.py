"""`make bench` stays runnable: its modules import, its plain twin holds the same Markdown, its server
compresses as a static host does, and its table has every row of issue 12. No timings are asserted here.
"""

from __future__ import annotations

import gzip
import importlib
import urllib.request
from pathlib import Path

import pytest
import yaml
from mkdocs.config import load_config
from mkdocs.structure.files import get_files

from bench import report
from bench.browser import NETWORK, BrowserFigures, NetworkProfile, PageWeight, bytes_of
from bench.builds import BuildTimes, Timing, empty_cache
from bench.lighthouse import Report
from bench.serve import serve_static
from bench.sites import ENV, plain_twin, synthetic_project
from keyguide.plugin import KeyguidePlugin

MODULES = ("bench", "bench.__main__", "bench.sites", "bench.builds", "bench.browser", "bench.lighthouse")
MODULES += ("bench.serve", "bench.report", "bench.profile")


@pytest.mark.parametrize("name", MODULES)
def test_bench_modules_import(name: str) -> None:
    importlib.import_module(name)


def _markdown_the_build_uses(project: Path) -> dict[str, str]:
    """Every Markdown page of `project` as `mkdocs build` hands it to Markdown: read, or made by the plugin."""
    config = load_config(str(project / "mkdocs.yml"))
    plugin = config.plugins["keyguide"]
    assert isinstance(plugin, KeyguidePlugin)
    plugin.on_startup(command="build", dirty=False)
    config = plugin.on_config(config)
    files = get_files(config)
    files.add_files_from_theme(config.theme.get_env(), config)
    files = config.plugins.on_files(files, config=config)
    return {file.src_uri: file.content_string for file in files.documentation_pages()}


def test_the_plain_twin_has_the_same_markdown_pages(tmp_path: Path) -> None:
    project = synthetic_project(tmp_path, 3)
    twin = plain_twin(project, tmp_path)
    expected = _markdown_the_build_uses(project)
    docs = twin / "content"
    written = {path.relative_to(docs).as_posix(): path.read_text(encoding="utf-8") for path in docs.rglob("*.md")}
    assert written == expected
    assert {"venues/venue-0000.md", "checker.md", "errors.md"} <= set(written)
    config = yaml.safe_load((twin / "mkdocs.yml").read_text(encoding="utf-8"))
    assert config["plugins"] == ["search"]
    assert not {"extra_css", "extra_javascript"} & set(config)
    assert not (docs / "assets" / "keyguide").exists()


def test_a_cold_build_starts_without_our_compiled_modules_or_cache_and_builds_keep_bytecode(tmp_path: Path) -> None:
    project, linked = tmp_path / "project", tmp_path / "wheels"
    linked.mkdir()
    for package in ("keyguide", "checker"):
        (project / package / "sub" / "__pycache__").mkdir(parents=True)
        (project / package / "sub" / "__pycache__" / "m.cpython-311.pyc").write_bytes(b"compiled")
        (project / package / "sub" / "m.py").write_text("x = 1\n")
    (project / ".cache" / "keyguide").mkdir(parents=True)
    (project / ".cache" / "wheels").symlink_to(linked)
    (project / ".cache" / "stray").write_text("left by a build")
    empty_cache(project)
    for package in ("keyguide", "checker"):
        assert not (project / package / "sub" / "__pycache__").exists()
        assert (project / package / "sub" / "m.py").is_file()
    assert sorted(entry.name for entry in (project / ".cache").iterdir()) == ["wheels"]
    assert linked.is_dir()
    # Builds run as Python does by default: writing .pyc (a warm build reads them), whatever this machine says.
    assert "PYTHONDONTWRITEBYTECODE" not in ENV


def test_the_server_compresses_text_as_a_static_host_does(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("<p>" + "text " * 500, encoding="utf-8")
    (tmp_path / "archive.zip").write_bytes(b"PK" + bytes(range(256)) * 8)
    with serve_static(tmp_path, compress=True) as url:
        page = urllib.request.urlopen(urllib.request.Request(url + "/", headers={"Accept-Encoding": "gzip"}))
        assert page.headers["Content-Encoding"] == "gzip"
        assert gzip.decompress(page.read()) == (tmp_path / "index.html").read_bytes()
        archive = urllib.request.urlopen(
            urllib.request.Request(url + "/archive.zip", headers={"Accept-Encoding": "gzip"})
        )
        assert archive.headers["Content-Encoding"] is None
    with serve_static(tmp_path, compress=False) as url:
        page = urllib.request.urlopen(urllib.request.Request(url + "/", headers={"Accept-Encoding": "gzip"}))
        assert page.headers["Content-Encoding"] is None


def _lighthouse(score: float) -> Report:
    return Report(score, 1.0, 1.0, 1.0, 1500.0, 2000.0, 100.0, 150_000.0, 1400.0, (), (), ())


def test_the_table_has_every_row_of_the_issue_with_its_reference_and_goal() -> None:
    weight = PageWeight(150_000, 9, 140_000, 8, 0, 20_000, 110_000, 1400, 60_000, ("127.0.0.1:1",))
    timing = Timing(2.0, 1.5)
    figures = report.Figures(
        builds=[
            BuildTimes("real site", 6, timing, timing, timing),
            BuildTimes("500 synthetic venues", 500, timing, timing, timing),
        ],
        browser=BrowserFigures("156", 1, [900.0], [800.0], [1500.0], [1400.0], [260.0], weight, weight),
        lighthouse={
            (server, page): _lighthouse(0.9)
            for server in ("gzip", "none")
            for page in ("guide", "checker", "plain guide", "plain checker")
        },
        lighthouse_version="12.8.2",
    )
    table, _ = report.rows(figures)
    measures = [row[0] for row in table]
    for wanted in (
        "Lighthouse performance (mobile), no compression: guide page",
        "Lighthouse performance (mobile), gzip: checker page",
        "accessibility / best practices / SEO: guide page",
        "first contentful paint / total blocking time: guide page",
        "guide page before the checker is used (gzip, scrolled)",
        "  of which WebAssembly",
        "checker focus → ready, cold",
        "checker focus → ready, warm",
        "mkdocs build, real site (6 venues), warm cache",
        "mkdocs build, 500 synthetic venues, cold cache",
    ):
        assert wanted in measures
    assert all(len(row) == len(report.HEADER) and row[3] for row in table)  # every row has its ratio column


def test_focus_to_ready_after_reading_is_its_own_row_beside_the_pure_one() -> None:
    """The checker start is reported both without and with earlier intent; neither row replaces the other."""
    weight = PageWeight(150_000, 9, 140_000, 8, 0, 20_000, 110_000, 1400, 60_000, ("127.0.0.1",))
    timings = ([900.0], [800.0], [2000.0], [1500.0], [260.0])
    without = report.Figures(browser=BrowserFigures("156", 1, *timings, weight, weight))
    assert not [row for row in report.rows(without)[0] if "reading" in row[0]]
    figures = report.Figures(browser=BrowserFigures("156", 1, *timings, weight, weight, [500.0], [400.0]))
    rows = {row[0].strip(): row for row in report.rows(figures)[0]}
    assert rows["checker focus → ready, cold"][1:4] == ("0.90 s", "bare loadPyodide() 2.00 s", "0.45x")
    reading = rows["scrolled into view, 1 s reading, then focus → ready, cold"]
    assert reading[1:6] == ("0.50 s", "bare loadPyodide() 2.00 s", "0.25x", "≤ 0.6x", "yes")
    assert rows["scrolled into view, 1 s reading, then focus → ready, warm"][3] == "0.27x"


def test_the_network_profile_is_sent_in_the_units_the_devtools_protocol_takes() -> None:
    """Throughput in bytes per second (Lighthouse's Kbps are 1,024 bits), latency in ms."""
    profile = NetworkProfile("slow", "a test", 1.5 * 1024, 750, 562.5)
    assert profile.conditions() == {
        "offline": False,
        "latency": 562.5,
        "downloadThroughput": 196_608,
        "uploadThroughput": 96_000,
    }
    assert profile.label == "slow (1.5 Mbit/s, 562.5 ms)"
    # Lighthouse 12.8.2's desktopDense4G: rttMs 40, throughputKbps 10 * 1024.
    assert NETWORK.conditions()["downloadThroughput"] == 1_310_720
    assert NETWORK.conditions()["latency"] == 40


def test_bytes_of_counts_each_request_once_and_only_those_asked_for() -> None:
    received = {"a": 1000, "b": 20, "c": 300}
    assert bytes_of(["b", "c", "b"], received) == 320  # a redirect repeats its id
    assert bytes_of(["b", "failed"], received) == 20  # a failed request finished nothing
    assert bytes_of([], received) == 0


def test_the_start_on_a_network_is_its_own_row_with_the_bytes_that_explain_it() -> None:
    weight = PageWeight(150_000, 9, 140_000, 8, 0, 20_000, 110_000, 1400, 60_000, ("127.0.0.1",))
    timings = ([900.0], [800.0], [2000.0], [1500.0], [260.0])
    on_network = (NETWORK, [12_000.0], [9_000.0], [12_800_000], [6_500_000])
    figures = report.Figures(browser=BrowserFigures("156", 1, *timings, weight, weight, [], [], *on_network))
    table, notes = report.rows(figures)
    rows = {row[0].strip(): row for row in table}
    assert rows["checker focus → ready, cold"][1:6] == ("0.90 s", "bare loadPyodide() 2.00 s", "0.45x", "≤ 0.6x", "yes")
    slow = rows["checker focus → ready, cold, Lighthouse desktop dense 4G (10 Mbit/s, 40 ms)"]
    assert slow[1:6] == ("12.00 s", "bare loadPyodide() 9.00 s", "1.33x", "≤ 0.6x", "NO")
    sent = rows["bytes received, focus → ready (bare: navigation → ready)"]
    assert sent[1:4] == ("12,800 KB", "bare loadPyodide() 6,500 KB", "1.97x (+6300 KB)")
    assert any("downloadThroughput 1310720" in note and "12,800,000 B" in note for note in notes)
    without = report.Figures(browser=BrowserFigures("156", 1, *timings, weight, weight))
    assert not [row for row in report.rows(without)[0] if "bytes received" in row[0]]

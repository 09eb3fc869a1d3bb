"""The bench table: each figure of keyguide next to its reference, their ratio (or difference) and the goal.

`ok` says whether a goal is met in this run; `-` where the row has no goal (context for the rows that do).
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bench.browser import BrowserFigures
    from bench.builds import BuildTimes, Timing
    from bench.lighthouse import Report

HEADER = ("measure", "keyguide", "reference", "ratio", "goal", "ok")


@dataclass
class Figures:
    builds: list[BuildTimes] = field(default_factory=list)
    browser: BrowserFigures | None = None
    lighthouse: dict[tuple[str, str], Report] = field(default_factory=dict)
    lighthouse_version: str = ""
    context: str = ""


Row = tuple[str, str, str, str, str, str]


def rows(figures: Figures) -> tuple[list[Row], list[str]]:
    """The table's rows and the notes printed under it."""
    table: list[Row] = []
    notes: list[str] = []
    table += _lighthouse_rows(figures, notes)
    table += _browser_rows(figures, notes)
    table += _build_rows(figures, notes)
    return table, notes


def print_table(figures: Figures) -> None:
    table, notes = rows(figures)
    print(figures.context)
    if not table:
        print("(nothing measured)")
        return
    widths = [max(len(row[i]) for row in [HEADER, *table]) for i in range(len(HEADER))]
    line = "  ".join("-" * width for width in widths)
    print(line)
    for index, row in enumerate([HEADER, *table]):
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
        if index == 0:
            print(line)
    print(line)
    for note in notes:
        print(note)


# Lighthouse ----------------------------------------------------------------------------------------------


def _lighthouse_rows(figures: Figures, notes: list[str]) -> list[Row]:
    lh = figures.lighthouse
    if not lh:
        return []
    out: list[Row] = []
    pages = (("guide", "guide page"), ("checker", "checker page"))
    for server, label in (("none", "no compression"), ("gzip", "gzip")):
        for page, name in pages:
            ours, ref = lh[(server, page)], lh[(server, f"plain {page}")]
            weight = f" ({_kib(ours.bytes)})" if server == "gzip" else ""
            ref_weight = f" ({_kib(ref.bytes)})" if server == "gzip" else ""
            delta = ours.performance - ref.performance
            out.append(
                (
                    f"Lighthouse performance (mobile), {label}: {name}",
                    f"{ours.performance:.2f}{weight}",
                    f"plain {ref.performance:.2f}{ref_weight}",
                    f"{delta:+.2f}",
                    "≥ -0.02",
                    _ok(delta >= -0.02 - 1e-9),
                )
            )
    for page, name in pages:
        ours, ref = lh[("gzip", page)], lh[("gzip", f"plain {page}")]
        scores = (ours.accessibility, ours.best_practices, ours.seo)
        out.append(
            (
                f"accessibility / best practices / SEO: {name}",
                " / ".join(f"{s:.2f}" for s in scores),
                "plain " + " / ".join(f"{s:.2f}" for s in (ref.accessibility, ref.best_practices, ref.seo)),
                "-",
                "1.00 each",
                _ok(all(s >= 1 for s in scores)),
            )
        )
    for page, name in pages:
        ours, ref = lh[("gzip", page)], lh[("gzip", f"plain {page}")]
        out.append(
            (
                f"first contentful paint / total blocking time: {name}",
                f"{ours.fcp / 1000:.1f} s / {ours.tbt:.0f} ms",
                f"plain {ref.fcp / 1000:.1f} s / {ref.tbt:.0f} ms",
                f"{_ratio(ours.fcp, ref.fcp)} / {_ratio(ours.tbt, ref.tbt)}",
                "-",
                "-",
            )
        )
    notes.append(f"Lighthouse {figures.lighthouse_version}, gzip server, median run:")
    for (server, page), report in sorted(lh.items()):
        if server != "gzip":
            continue
        failing = ", ".join(report.failing) or "none"
        opportunities = ", ".join(report.opportunities[:4]) or "none"
        notes.append(f"  {page:<14} failing audits: {failing}; opportunities: {opportunities}")
        for problem in report.problems:
            notes.append(f"  {page:<14} PROBLEM {problem}")
    return out


# Browser -------------------------------------------------------------------------------------------------


def _browser_rows(figures: Figures, notes: list[str]) -> list[Row]:
    from bench.browser import med

    b = figures.browser
    if b is None:
        return []
    ours, ref = b.guide, b.plain_guide
    out: list[Row] = [
        (
            "guide page before the checker is used (gzip, scrolled)",
            f"{_kb(ours.bytes)} in {ours.requests} requests",
            f"plain {_kb(ref.bytes)} in {ref.requests}",
            _more(ours.bytes, ref.bytes),
            "≤ plain + 10 KB",
            _ok(ours.bytes <= ref.bytes + 10_000),
        ),
        (
            "  at load, before scrolling",
            f"{_kb(ours.bytes_at_load)} in {ours.requests_at_load} requests",
            f"plain {_kb(ref.bytes_at_load)} in {ref.requests_at_load}",
            _more(ours.bytes_at_load, ref.bytes_at_load),
            "-",
            "-",
        ),
        (
            "  of which WebAssembly",
            _bytes(ours.wasm_bytes),
            "-",
            "-",
            "0 B",
            _ok(ours.wasm_bytes == 0),
        ),
        (
            "  HTML as sent (raw) / DOM nodes",
            f"{_kb(ours.html_bytes)} ({_kb(ours.html_raw)}) / {ours.dom_nodes:,}",
            f"plain {_kb(ref.html_bytes)} ({_kb(ref.html_raw)}) / {ref.dom_nodes:,}",
            f"{_ratio(ours.html_bytes, ref.html_bytes)} / {_ratio(ours.dom_nodes, ref.dom_nodes)}",
            "-",
            "-",
        ),
        (
            "  search index as sent",
            _kb(ours.search_index_bytes),
            f"plain {_kb(ref.search_index_bytes)}",
            _ratio(ours.search_index_bytes, ref.search_index_bytes),
            "-",
            "-",
        ),
    ]
    timings = [
        ("checker focus → ready, cold", b.checker_cold, b.bare_cold),
        ("checker focus → ready, warm", b.checker_warm, b.bare_warm),
    ]
    if b.intent_cold or b.intent_warm:  # the same, once the page has loaded what it loads on intent
        timings += [
            ("  scrolled into view, 1 s reading, then focus → ready, cold", b.intent_cold, b.bare_cold),
            ("  scrolled into view, 1 s reading, then focus → ready, warm", b.intent_warm, b.bare_warm),
        ]
    for label, mine, bare in timings:
        out.append(
            (
                label,
                _seconds(med(mine)),
                f"bare loadPyodide() {_seconds(med(bare))}",
                _ratio(med(mine), med(bare)),
                "≤ 0.6x",
                _ok(med(mine) <= 0.6 * med(bare)),
            )
        )
    out += _network_rows(b, notes)
    out.append(("paste → findings (with the page's debounce)", f"{med(b.paste):.0f} ms", "-", "-", "-", "-"))
    notes.append(
        f"Chromium {b.chromium}; checker/bare runs (ms): cold {_list(b.checker_cold)} / {_list(b.bare_cold)}, "
        f"warm {_list(b.checker_warm)} / {_list(b.bare_warm)}; after reading: cold {_list(b.intent_cold)}, "
        f"warm {_list(b.intent_warm)}"
    )
    for name, weight in (("guide", ours), ("plain guide", ref)):
        if weight.hosts != ("127.0.0.1",) and any(not h.startswith("127.0.0.1") for h in weight.hosts):
            notes.append(f"PROBLEM {name} requested {', '.join(weight.hosts)}")
    return out


def _network_rows(b: BrowserFigures, notes: list[str]) -> list[Row]:
    """The cold start where a download costs time, and the bytes that cost it."""
    from bench.browser import med

    if b.network is None or not b.network_cold:
        return []
    mine, bare = med(b.network_cold), med(b.network_bare_cold)
    mine_bytes, bare_bytes = statistics.median(b.network_bytes), statistics.median(b.network_bare_bytes)
    conditions = ", ".join(f"{key} {value}" for key, value in b.network.conditions().items())
    notes.append(
        f"Network: {b.network.source} through the DevTools protocol (Network.emulateNetworkConditions: "
        f"{conditions}; bytes/s and ms), HTTP cache disabled, a fresh context per run. Runs (ms) checker / bare: "
        f"{_list(b.network_cold)} / {_list(b.network_bare_cold)}; bytes received: "
        f"{', '.join(map(_bytes, b.network_bytes))} / {', '.join(map(_bytes, b.network_bare_bytes))}"
    )
    return [
        (
            f"checker focus → ready, cold, {b.network.label}",
            _seconds(mine),
            f"bare loadPyodide() {_seconds(bare)}",
            _ratio(mine, bare),
            "≤ 0.6x",
            _ok(mine <= 0.6 * bare),
        ),
        (
            "  bytes received, focus → ready (bare: navigation → ready)",
            _kb(mine_bytes),
            f"bare loadPyodide() {_kb(bare_bytes)}",
            _more(mine_bytes, bare_bytes),
            "-",
            "-",
        ),
    ]


# Builds --------------------------------------------------------------------------------------------------


def _build_rows(figures: Figures, notes: list[str]) -> list[Row]:
    out: list[Row] = []
    if figures.builds:
        notes.append(
            "Builds: wall time / cpu time (user + system) of the whole command; `ok` is judged on cpu time, which "
            "other work on the machine disturbs less. Cold: a build with an empty .cache/ and none of our modules "
            "compiled, as in a fresh clone; every build writes and reads .pyc, Python's default (the environment's "
            "PYTHONDONTWRITEBYTECODE is dropped). Each figure is the median of its runs."
        )
    for times in figures.builds:
        what = f"{times.label} ({times.venues} venues)" if times.label == "real site" else times.label
        for label, timing in (("warm", times.warm), ("cold", times.cold)):
            extra = ""
            if times.label != "real site" and times.venues:
                extra = f", {1000 * (timing.cpu - times.plain.cpu) / times.venues:+.0f} ms/venue"
            out.append(
                (
                    f"mkdocs build, {what}, {label} cache",
                    _timing(timing),
                    f"plain {_timing(times.plain)}",
                    f"{_ratio(timing.wall, times.plain.wall)} / cpu {_ratio(timing.cpu, times.plain.cpu)}{extra}",
                    "≤ 1.3x",
                    _ok(timing.cpu <= 1.3 * times.plain.cpu),
                )
            )
    return out


# Formatting ----------------------------------------------------------------------------------------------


def _ok(met: bool) -> str:
    return "yes" if met else "NO"


def _ratio(ours: float, reference: float) -> str:
    if not reference or math.isnan(reference) or math.isnan(ours):
        return "-"
    return f"{ours / reference:.2f}x"


def _more(ours: float, reference: float) -> str:
    return f"{_ratio(ours, reference)} ({(ours - reference) / 1000:+.0f} KB)"


def _timing(timing: Timing) -> str:
    return f"{timing.wall:.2f} s (cpu {timing.cpu:.2f} s)"


def _seconds(ms: float) -> str:
    return "-" if math.isnan(ms) else f"{ms / 1000:.2f} s"


def _kb(size: float) -> str:
    return f"{size / 1000:,.0f} KB"


def _kib(size: float) -> str:
    return f"{size / 1024:,.0f} KiB"


def _bytes(size: int) -> str:
    return f"{size:,} B"


def _list(values: list[float]) -> str:
    return ", ".join(f"{v:.0f}" for v in values)

"""Lighthouse scores and metrics (mobile preset) for pages of the site and of its plain twin.

Runs bench/lighthouse.mjs with the Lighthouse that package-lock.json pins (`npm ci` installs it) and Debian's
Chromium with the test suite's flags: every name but 127.0.0.1 is unresolvable, so it works offline.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from dataclasses import dataclass
from typing import Any

from bench.sites import ROOT

sys.path.insert(0, str(ROOT / "tests" / "browser"))

from kgbrowser import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

RUNNER = ROOT / "bench" / "lighthouse.mjs"
PACKAGE = ROOT / "node_modules" / "lighthouse" / "package.json"


@dataclass(frozen=True)
class Report:
    """Medians over runs of one URL."""

    performance: float
    accessibility: float
    best_practices: float
    seo: float
    fcp: float  # ms
    lcp: float  # ms
    tbt: float  # ms
    bytes: float  # total byte weight as transferred
    dom_size: float
    failing: tuple[str, ...]  # audits costing points outside performance, in any run
    opportunities: tuple[str, ...]  # of the median-performance run
    problems: tuple[str, ...]  # runtime errors and warnings, and hosts other than 127.0.0.1


def version() -> str:
    try:
        return str(json.loads(PACKAGE.read_text(encoding="utf-8"))["version"])
    except (OSError, ValueError, KeyError):
        return "not installed (run `npm ci`)"


def run(urls: list[str], runs: int) -> dict[str, Report]:
    """Lighthouse `runs` times over each URL; medians per URL."""
    options = {"chromePath": CHROMIUM, "chromeFlags": CHROMIUM_ARGS, "urls": urls, "runs": runs}
    result = subprocess.run(
        ["node", str(RUNNER), json.dumps(options)], cwd=ROOT, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"lighthouse failed ({result.returncode}):\n{result.stderr[-4000:]}")
    raw = json.loads(result.stdout.strip().splitlines()[-1])
    return {url: _summarise(raw[url]) for url in urls}


def _summarise(runs: list[dict[str, Any]]) -> Report:
    def med(pick: Any) -> float:
        values = [pick(r) for r in runs if pick(r) is not None]
        return statistics.median(values) if values else float("nan")

    by_performance = sorted(runs, key=lambda r: r["scores"]["performance"] or 0)
    middle = by_performance[len(by_performance) // 2]
    problems = []
    for r in runs:
        if r["runtimeError"]:
            problems.append(f"runtime error: {r['runtimeError']}")
        problems += [f"warning: {w}" for w in r["runWarnings"]]
        problems += [f"requested {host}" for host in r["hosts"] if host and not host.startswith("127.0.0.1")]
    return Report(
        performance=med(lambda r: r["scores"]["performance"]),
        accessibility=med(lambda r: r["scores"]["accessibility"]),
        best_practices=med(lambda r: r["scores"]["best-practices"]),
        seo=med(lambda r: r["scores"]["seo"]),
        fcp=med(lambda r: r["metrics"]["fcp"]),
        lcp=med(lambda r: r["metrics"]["lcp"]),
        tbt=med(lambda r: r["metrics"]["tbt"]),
        bytes=med(lambda r: r["metrics"]["bytes"]),
        dom_size=med(lambda r: r["metrics"]["domSize"]),
        failing=tuple(sorted({audit for r in runs for audit in r["failing"]})),
        opportunities=tuple(middle["opportunities"]),
        problems=tuple(dict.fromkeys(problems)),
    )

"""`make bench`: every figure of issue 12 from one run, each next to its reference, with their ratio and goal.

    .venv/bin/python -m bench                       # everything (about 15-25 minutes on 2 cores)
    .venv/bin/python -m bench --quick               # 1 run each, synthetic sites of 10 and 100 venues
    .venv/bin/python -m bench --only build --sizes 100,500

References, served and measured the same way in the same run:
- a page: its plain twin, the same Markdown built by plain mkdocs-material (bench/sites.py);
- the checker start: a bare `loadPyodide()` page on the same server, loading the same Pyodide files;
- a build: the plain twin's build.
Pages are served by bench/serve.py, with gzip as a static host sends them, and without compression. The
figures come from one shared machine: read them as sizes, and compare rows of one run, not runs.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import subprocess
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

from bench.sites import ROOT, build, plain_twin

PARTS = ("build", "browser", "lighthouse")
GUIDE = "/venues/kraken-spot/"
CHECKER = "/checker/"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", choices=PARTS, help="measure only this part (repeatable)")
    parser.add_argument("--runs", type=int, default=3, help="runs of each build and browser timing")
    parser.add_argument("--lighthouse-runs", type=int, default=3, help="Lighthouse runs of each page and server")
    parser.add_argument("--sizes", help="synthetic site sizes, in venues (comma-separated; default 10,100,500)")
    parser.add_argument("--quick", action="store_true", help="1 run of everything, sizes 10 and 100 unless given")
    args = parser.parse_args(argv)
    if args.quick:
        args.runs, args.lighthouse_runs = 1, 1
    args.sizes = args.sizes or ("10,100" if args.quick else "10,100,500")
    parts = set(args.only or PARTS)
    sizes = tuple(int(size) for size in args.sizes.split(",") if size.strip())

    from bench import report

    started = datetime.datetime.now()
    load_before = os.getloadavg()
    figures = report.Figures()
    with tempfile.TemporaryDirectory(prefix="keyguide-bench-") as tmp:
        work = Path(tmp)
        if "build" in parts:
            from bench import builds

            _progress("builds: the real site, then synthetic sites of " + ", ".join(map(str, sizes)) + " venues")
            figures.builds = builds.measure_all(work / "builds", sizes, args.runs)
        if parts & {"browser", "lighthouse"}:
            _progress("building the real site and its plain twin for the browser")
            site, plain = work / "site", work / "plain-site"
            build(ROOT / "mkdocs.yml", site, strict=True)
            build(plain_twin(ROOT, work) / "mkdocs.yml", plain)
            _measure_pages(figures, parts, site, plain, args)
    figures.context = _context(started, load_before, args)
    report.print_table(figures)
    return 0


def _measure_pages(figures: object, parts: set[str], site: Path, plain: Path, args: argparse.Namespace) -> None:
    from bench import report
    from bench.serve import serve_static

    assert isinstance(figures, report.Figures)
    with ExitStack() as stack:
        gz = stack.enter_context(serve_static(site, compress=True))
        gz_plain = stack.enter_context(serve_static(plain, compress=True))
        raw = stack.enter_context(serve_static(site, compress=False))
        raw_plain = stack.enter_context(serve_static(plain, compress=False))
        if "browser" in parts:
            from bench import browser

            _progress("browser: page weight, checker focus → ready next to a bare loadPyodide() page")
            browser.add_bare_page(site)
            figures.browser = browser.measure(gz, gz_plain, args.runs)
        if "lighthouse" in parts:
            from bench import lighthouse

            _progress(f"Lighthouse {lighthouse.version()}, mobile preset, {args.lighthouse_runs} run(s) per page")
            urls = {
                (server, page): base + path
                for server, (ours, theirs) in {"gzip": (gz, gz_plain), "none": (raw, raw_plain)}.items()
                for page, base, path in (
                    ("guide", ours, GUIDE),
                    ("checker", ours, CHECKER),
                    ("plain guide", theirs, GUIDE),
                    ("plain checker", theirs, CHECKER),
                )
            }
            reports = lighthouse.run(list(urls.values()), args.lighthouse_runs)
            figures.lighthouse = {key: reports[url] for key, url in urls.items()}
            figures.lighthouse_version = lighthouse.version()


def _context(started: datetime.datetime, load_before: tuple[float, float, float], args: argparse.Namespace) -> str:
    commit = subprocess.run(
        ["git", "describe", "--always", "--dirty"], cwd=ROOT, capture_output=True, text=True, check=False
    ).stdout.strip()
    load_after = os.getloadavg()
    minutes = (datetime.datetime.now() - started).total_seconds() / 60
    return (
        f"keyguide bench, {started:%Y-%m-%d %H:%M}, {commit or 'no git'}; {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; load average {load_before[0]:.1f} at start, {load_after[0]:.1f} at end; "
        f"{args.runs} run(s) per timing, {args.lighthouse_runs} per Lighthouse page; {minutes:.0f} min"
    )


def _progress(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    raise SystemExit(main())

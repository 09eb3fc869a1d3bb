"""Build-time figures: `mkdocs build` of a project next to a plain mkdocs-material build of the same Markdown.

A `cold` build starts with an empty .cache/ and none of our own packages' modules compiled (what a fresh
clone or CI pays: only the inputs a copy links, such as the downloaded wheels, are kept), a `warm` one right
after a build (what a writer pays on the next build). The plain twin has no cache to warm. Each run builds
cold, plain, then warm, so the three meet the same load from whatever else runs on the machine, and each
figure is the median of its runs.

Two clocks per build, both of the whole `mkdocs build` command (Python start-up included): wall time, and
CPU time (user + system of the build process), which other work on a shared machine disturbs far less.
"""

from __future__ import annotations

import resource
import shutil
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

from bench.sites import OWN_PACKAGES, build, plain_twin, real_project, synthetic_project


@dataclass(frozen=True)
class Timing:
    wall: float  # seconds
    cpu: float  # seconds, user + system of the build process


@dataclass(frozen=True)
class BuildTimes:
    label: str
    venues: int
    cold: Timing  # median of the builds with an empty cache
    warm: Timing  # median of the builds right after one
    plain: Timing  # median of the plain twin's builds


def timed_build(project: Path, site_dir: Path) -> Timing:
    shutil.rmtree(site_dir, ignore_errors=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    build(project / "mkdocs.yml", site_dir)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Timing(wall, cpu)


def median(timings: list[Timing]) -> Timing:
    return Timing(statistics.median(t.wall for t in timings), statistics.median(t.cpu for t in timings))


def empty_cache(project: Path) -> None:
    """Remove what earlier builds left in `project`/.cache/, keeping the inputs linked there, and the compiled
    modules of the project's own packages (a fresh clone has none: its first build compiles them)."""
    for package in OWN_PACKAGES:
        for compiled in (project / package).resolve().rglob("__pycache__"):
            shutil.rmtree(compiled, ignore_errors=True)
    cache = project / ".cache"
    if not cache.is_dir():
        return
    for entry in cache.iterdir():
        if entry.is_symlink():
            continue
        if entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)


def measure(project: Path, work: Path, label: str, venues: int, runs: int) -> BuildTimes:
    """`runs` rounds of a cold build of `project`, a build of its plain twin and a warm build of `project`."""
    twin = plain_twin(project, work)
    ours_dir, plain_dir = work / f"{project.name}-out", work / f"{twin.name}-out"
    cold, warm, plain = [], [], []
    for _ in range(max(runs, 1)):
        empty_cache(project)
        cold.append(timed_build(project, ours_dir))
        plain.append(timed_build(twin, plain_dir))
        warm.append(timed_build(project, ours_dir))
    shutil.rmtree(ours_dir, ignore_errors=True)
    shutil.rmtree(plain_dir, ignore_errors=True)
    return BuildTimes(label, venues, median(cold), median(warm), median(plain))


def measure_all(work: Path, sizes: tuple[int, ...], runs: int) -> list[BuildTimes]:
    """The real site, then a synthetic site of each size in `sizes`."""
    real = real_project(work)
    count = len(list((real / "venues").glob("*.yaml")))
    figures = [measure(real, work, "real site", count, runs)]
    for size in sizes:
        project = synthetic_project(work, size)
        figures.append(measure(project, work, f"{size} synthetic venues", size, runs))
        shutil.rmtree(project, ignore_errors=True)
    return figures

"""Profile `mkdocs build` of a synthetic site with cProfile and print the top entries.

    .venv/bin/python -m bench.profile                 # 100 venues, top 40 by cumulative time
    .venv/bin/python -m bench.profile --venues 500 --sort tottime --top 30 --save build.prof
    .venv/bin/python -m bench.profile --venues 0 --match keyguide/   # the real site, our code only

Profiles the build in-process (MkDocs' own config loading and `build` command, as `mkdocs build` runs
them): the figures include importing the plugins, not interpreter start-up or MkDocs' own imports.
`--venues 0` profiles the real site (a copy, with a build cache of its own); `--warm` profiles the build
after a first one, i.e. with the build cache filled.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import tempfile
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.sites import build, real_project, synthetic_project


def profile_build(project: Path, site_dir: Path) -> cProfile.Profile:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    os.environ["NO_MKDOCS_2_WARNING"] = "1"
    os.environ.pop("KEYGUIDE_TEST_HOOK", None)
    previous = Path.cwd()
    os.chdir(project)
    try:
        profiler = cProfile.Profile()
        profiler.enable()  # from loading the config, which imports the plugins, to the written site
        build(load_config(str(project / "mkdocs.yml"), site_dir=str(site_dir)))
        profiler.disable()
    finally:
        os.chdir(previous)
    return profiler


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--venues", type=int, default=100)
    parser.add_argument("--sort", default="cumulative", choices=["cumulative", "tottime"])
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--match", help="print only entries whose file:line(function) matches this regex")
    parser.add_argument("--save", type=Path, help="also write the raw profile (for snakeviz, pstats)")
    parser.add_argument("--warm", action="store_true", help="build once first, then profile the next build")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="keyguide-profile-") as tmp:
        project = synthetic_project(Path(tmp), args.venues) if args.venues else real_project(Path(tmp))
        if args.warm:
            build(project / "mkdocs.yml", Path(tmp) / "site")
        profiler = profile_build(project, Path(tmp) / "site")
    if args.save:
        profiler.dump_stats(str(args.save))
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    if args.match:  # filter on full paths, before strip_dirs drops the folder names
        stats.sort_stats(args.sort).print_stats(args.match, args.top)
    else:
        stats.strip_dirs().sort_stats(args.sort).print_stats(args.top)
    print(out.getvalue())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Rewrite a manifest after a deliberate version bump; review the diff: a manifest is what the build trusts.

python -m keyguide.browser manifest         # pyodide-manifest.json from node_modules/pyodide
python -m keyguide.browser theme-manifest   # theme-manifest.json from the installed mkdocs-material

And fetch what the build publishes but the repository does not hold (`make wheels` runs it):

python -m keyguide.browser wheels           # the signing wheels requirements.lock pins, into .cache/wheels/
"""

from __future__ import annotations

import importlib.resources
import json
import re
import sys
from pathlib import Path

from .packages import WHEELS_DIR, fetch
from .runtime import MANIFEST_PATH, BrowserAssetsError, manifest_for
from .theme import MANIFEST_PATH as THEME_MANIFEST_PATH
from .theme import theme_manifest_for

USAGE = "usage: python -m keyguide.browser manifest|theme-manifest|wheels"
# Material names its search worker in base.html's __config block; the policy allows exactly that file.
_WORKER = re.compile(r'"search":\s*"(assets/javascripts/workers/[^"]+)"')


def material_templates() -> Path:
    return Path(str(importlib.resources.files("material") / "templates"))


def fetch_wheels() -> int:
    try:
        wheels = fetch(Path.cwd())
    except BrowserAssetsError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    for wheel in wheels.values():
        print(f"{WHEELS_DIR}/{wheel.filename} sha256={wheel.sha256}")
    return 0


def main(argv: list[str]) -> int:
    if argv == ["wheels"]:
        return fetch_wheels()
    if argv == ["manifest"]:
        manifest = manifest_for(Path.cwd())
        path = MANIFEST_PATH
    elif argv == ["theme-manifest"]:
        templates = material_templates()
        match = _WORKER.search((templates / "base.html").read_text(encoding="utf-8"))
        manifest = theme_manifest_for(templates, match.group(1) if match else None)
        path = THEME_MANIFEST_PATH
    else:
        print(USAGE, file=sys.stderr)
        return 2
    path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {path} for {manifest['package']} {manifest['version']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

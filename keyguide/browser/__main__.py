"""`python -m keyguide.browser manifest`: rewrite pyodide-manifest.json from node_modules after a version bump.

Review the diff: the manifest is what the build trusts.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from .runtime import MANIFEST_PATH, manifest_for


def main(argv: list[str]) -> int:
    if argv != ["manifest"]:
        print("usage: python -m keyguide.browser manifest", file=sys.stderr)
        return 2
    manifest = manifest_for(Path.cwd())
    MANIFEST_PATH.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {MANIFEST_PATH} for {manifest['package']} {manifest['version']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

"""tests/keyguide/ mirrors the package without an __init__.py; it must never shadow the real one.

pytest (prepend import mode) puts tests/ and tests/keyguide/ on sys.path. A directory without __init__.py is only
a namespace-package candidate, and Python prefers a regular package found anywhere on the path, so `keyguide` and
`checker` still resolve to the repository's packages. This test keeps it that way.
"""

from __future__ import annotations

from pathlib import Path

import checker
import keyguide
import keyguide.browser

ROOT = Path(__file__).resolve().parents[2]


def test_packages_resolve_to_the_repository_not_the_test_folders() -> None:
    for module, package in ((keyguide, "keyguide"), (keyguide.browser, "keyguide/browser"), (checker, "checker")):
        assert module.__file__ is not None
        assert Path(module.__file__).resolve() == ROOT / package / "__init__.py"

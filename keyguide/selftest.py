"""Reproduce each venue's published signature example with the checker (the build fails if it does not)."""

from __future__ import annotations

from collections.abc import Iterator

from checker import CheckerInputError, load_rules, run_selftest

from .dataset import venue_rules
from .model import Venue
from .yamlsource import Path

_EXAMPLE: Path = ("signing", "example")


def verify_example(venue: Venue) -> Iterator[tuple[Path, str]]:
    """Yield a problem when the checker cannot sign the example or its result differs from the published one."""
    try:
        rules = load_rules({"venues": {venue.id: venue_rules(venue)}})
        result = run_selftest(rules, venue.id)
    except CheckerInputError as error:
        yield _EXAMPLE, f"the checker cannot sign this example: {error}"
        return
    if result.prehash_ok is False:
        yield (*_EXAMPLE, "prehash"), "does not match the string the checker signs — check the example's request"
    elif not result.ok:
        yield (
            (*_EXAMPLE, "signature"),
            f"does not reproduce: the checker computes {result.signature!r} — "
            "check the example's inputs and the signing settings",
        )

"""Reproduce each venue's signature examples with the checker (the build fails if one does not): the venue's
own `signing.example` and the example of every key type that carries one."""

from __future__ import annotations

from collections.abc import Iterator

from checker import CheckerInputError, Rules, load_rules, run_selftest

from .dataset import venue_rules
from .model import Venue
from .yamlsource import Path


def verify_example(venue: Venue) -> Iterator[tuple[Path, str]]:
    """Yield a problem for each example the checker cannot sign or whose result differs from the published one."""
    try:
        rules = load_rules({"venues": {venue.id: venue_rules(venue)}})
    except CheckerInputError as error:
        yield ("signing", "example"), f"the checker cannot read this venue's rules: {error}"
        return
    yield from _verify(rules, venue.id, None, ("signing", "example"))
    for index, key_type in enumerate(venue.key_types):
        if key_type.example is not None:
            yield from _verify(rules, venue.id, key_type.id, ("key_types", index, "example"))


def _verify(rules: Rules, venue_id: str, key_type: str | None, where: Path) -> Iterator[tuple[Path, str]]:
    try:
        result = run_selftest(rules, venue_id, key_type)
    except CheckerInputError as error:
        yield where, f"the checker cannot sign this example: {error}"
        return
    if result.prehash_ok is False:
        yield (*where, "prehash"), "does not match the string the checker signs — check the example's request"
    elif not result.ok:
        yield (
            (*where, "signature"),
            f"does not reproduce: the checker computes {result.signature!r} — "
            "check the example's inputs and the signing settings",
        )

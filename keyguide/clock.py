"""The build's date: today, unless KEYGUIDE_TODAY names another day.

Dated facts (notices, freshness, future dates) are judged against one date per run. Setting
KEYGUIDE_TODAY=2027-03-02 previews what the site says on that day: a writer sees which notices will fail
the build, and the tests move the date past a notice without waiting for it.
"""

from __future__ import annotations

import datetime
import os

ENV_VAR = "KEYGUIDE_TODAY"


class ClockError(ValueError):
    """KEYGUIDE_TODAY is set but is not an ISO date."""


def today() -> datetime.date:
    """The date this run judges dated facts against."""
    value = os.environ.get(ENV_VAR, "").strip()
    if not value:
        return datetime.date.today()
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise ClockError(f"{ENV_VAR}={value!r} is not a date like 2027-03-02") from None

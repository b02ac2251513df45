"""The only place that reads the system clock and time zone.

Everything else is handed a `Clock` (or just an aware `datetime`), so tests can pin time
without patching globals, and the rules stay pure.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, aware, in the user's time zone."""
        ...


def local_zone() -> tzinfo:
    """The user's time zone with its DST rules: `$TZ` when it names one, else the system's."""
    name = os.environ.get("TZ", "").lstrip(":")
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    import tzlocal

    return tzlocal.get_localzone()


def zone_name(moment: datetime) -> str:
    """A name for the zone of an aware datetime: the IANA key when known, else the offset."""
    key = getattr(moment.tzinfo, "key", None)
    if isinstance(key, str):
        return key
    return moment.strftime("%z") or "UTC"


class SystemClock:
    """The machine's clock, read in the user's zone (resolved on every call)."""

    def now(self) -> datetime:
        return datetime.now(local_zone())


@dataclass(frozen=True)
class FixedClock:
    """A clock that always reads the same instant (for tests and scripted runs)."""

    instant: datetime

    def now(self) -> datetime:
        if self.instant.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        return self.instant

"""The only place that reads the system clock and time zone.

Everything else is handed a `Clock` (or just an aware `datetime`), so tests can pin time
without patching globals, and the rules stay pure. Standard library only, and light to
import: `dailylist prompt` reads the clock on every shell prompt.
"""

from __future__ import annotations

import os
import sys
from datetime import datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

TYPE_CHECKING = False  # `typing` alone costs the prompt several milliseconds to import
if TYPE_CHECKING:
    from typing import Protocol

    class Clock(Protocol):
        def now(self) -> datetime:
            """The current instant, aware, in the user's time zone."""
            ...


#: `$TZ` values already said to name no zone (said once a process).
_SAID: set[str] = set()


def local_zone() -> tzinfo:
    """The user's time zone with its DST rules: `$TZ` when it names one, else the system's
    (and a `$TZ` that names none is said so on stderr, once)."""
    name = os.environ.get("TZ", "").lstrip(":")
    if name:
        named = tz_zone(name)
        if named is not None:
            return named
    zone = system_zone()
    if name and name not in _SAID:
        _SAID.add(name)
        shown = getattr(zone, "key", None) or str(zone)
        sys.stderr.write(
            f"dailylist: warning: TZ={name!r} names no time zone; using the system's, {shown}\n"
        )
    return zone


def tz_zone(value: str) -> tzinfo | None:
    """The zone a `$TZ` value (its ':' taken off) names: an IANA name ("Europe/Berlin");
    a zone file's path ("/usr/share/zoneinfo/Asia/Tokyo", "/etc/localtime"); or a POSIX
    fixed offset with no summer time ("UTC+3", three hours behind UTC), as its Etc/GMT
    zone. None when it names none of these."""
    if value.startswith("/"):
        if os.path.realpath(value) == os.path.realpath("/etc/localtime"):
            return system_zone()
        found = linked_zone(value)
        _, inside, key = os.path.realpath(value).rpartition("zoneinfo/")
        if found is None and inside and key:
            found = _zone(key)
        return found
    zone = _zone(value)
    if zone is not None:
        return zone
    letters = value.rstrip("0123456789+-")
    offset = value[len(letters) :]
    if len(letters) >= 3 and letters.isalpha() and offset.lstrip("+-").isdigit():
        hours = int(offset.lstrip("+-"))
        sign = "-" if offset.startswith("-") else "+"
        return _zone(f"Etc/GMT{sign}{hours}" if hours else "UTC")
    return None


def _zone(key: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(key)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def system_zone() -> tzinfo:
    """The system's zone: the `/etc/localtime` link, else what tzlocal finds."""
    linked = linked_zone()
    if linked is not None:
        return linked
    import tzlocal  # Windows, and systems whose zone is not a link: slower to load

    return tzlocal.get_localzone()


def linked_zone(localtime: str = "/etc/localtime") -> ZoneInfo | None:
    """The zone that `localtime` links to, by its IANA name, as most Unix systems set it
    (`timedatectl`, macOS); None when it is not a link into a zoneinfo folder."""
    try:
        target = os.readlink(localtime)
    except OSError:
        return None
    _, found, key = target.rpartition("zoneinfo/")
    if not found or not key:
        return None
    return _zone(key)


def zone_name(moment: datetime) -> str:
    """The IANA name of an aware datetime's zone ("UTC" for UTC); else its offset, which
    the rules refuse to record (a zone must be a real one)."""
    key = getattr(moment.tzinfo, "key", None)
    if isinstance(key, str):
        return key
    if moment.utcoffset() == timedelta(0):
        return "UTC"
    return moment.strftime("%z")


class SystemClock:
    """The machine's clock, read in the user's zone (resolved on every call)."""

    def now(self) -> datetime:
        return datetime.now(local_zone())


class FixedClock:
    """A clock that always reads the same instant (for tests and scripted runs)."""

    __slots__ = ("instant",)

    def __init__(self, instant: datetime) -> None:
        if instant.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self.instant = instant

    def now(self) -> datetime:
        return self.instant


def file_time_now() -> float:
    """The system's time as files' modification times tell it (seconds since the epoch),
    for comparing with them; never for a rule, which takes a `Clock`."""
    import time

    return time.time()

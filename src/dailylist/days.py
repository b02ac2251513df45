"""List days: when a day starts, which day a moment falls on, and the moments we can represent.

Standard library only, and light to import. Days are counted on the wall clock of a
moment's own zone, so a day that starts at 04:00 starts at 04:00 local time on both sides
of a DST change.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo

from dailylist.errors import BadInput, NotNow

#: How far the clock may read before the journal's last event before we stop trusting it.
#: Within it a read answers as of now, and a write is made just after that event (see
#: `rules.write_moment`), so events still only move forward.
CLOCK_TOLERANCE = timedelta(minutes=5)

#: The moments dailylist works with. Outside them date arithmetic (a day after 31 December
#: 9999) would overflow, and no honest clock or journal reads there.
EARLIEST = datetime(1971, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)
_FIRST_DAY = date(1970, 12, 30)
_LAST_DAY = date(9000, 1, 2)


def utc(moment: datetime) -> datetime:
    """`moment` as a UTC instant: what every comparison and sum of moments here uses.

    Python compares (and adds to) two datetimes of the same zone object by their wall
    clocks, ignoring `fold`: in the hour DST repeats, 02:10 on its second pass would count
    as earlier than 02:30 on its first. Instants in UTC have no such hour.
    """
    return moment.astimezone(UTC)


def in_range(moment: datetime) -> bool:
    """Whether an aware moment lies in the years dailylist can work with."""
    try:
        return EARLIEST <= moment <= LATEST
    except OverflowError:  # year 1 or 9999 with an offset that takes it past either end
        return False


def in_range_day(day: date) -> bool:
    """Whether a list day lies in the years dailylist can work with (a day either side of
    them, as a zone far from UTC sees their ends)."""
    return _FIRST_DAY <= day <= _LAST_DAY


def check_now(now: datetime) -> datetime:
    """The clock's reading, or `BadInput` when it is not one dailylist can work with."""
    if not in_range(now):
        raise BadInput(
            f"the clock reads {now:%Y-%m-%d}, a date dailylist cannot work with; set it right"
        )
    return now


def zone_of(moment: datetime) -> tzinfo:
    """The zone of an aware datetime (the rules refuse naive ones)."""
    if moment.tzinfo is None:
        raise ValueError("the rules need an aware datetime")
    return moment.tzinfo


def day_of(moment: datetime, day_starts_at: time) -> date:
    """The list day that `moment` falls on: the local date of `moment - day_starts_at`.

    Where DST makes the day's start a missing or doubled wall time, the day starts when
    `day_start` says, so that the two functions always agree and days only move forward.
    """
    zone = zone_of(moment)
    day = (moment - timedelta(hours=day_starts_at.hour, minutes=day_starts_at.minute)).date()
    instant = moment.astimezone(UTC)
    if instant < _start(day, day_starts_at, zone)[1]:
        return day - timedelta(days=1)
    if instant >= _start(day + timedelta(days=1), day_starts_at, zone)[1]:
        return day + timedelta(days=1)
    return day


def day_start(day: date, day_starts_at: time, zone: tzinfo) -> datetime:
    """The instant list day `day` begins, in `zone`.

    A wall time skipped by DST moves forward by the gap; a repeated one is its first pass.
    """
    return _start(day, day_starts_at, zone)[0]


#: Day starts already worked out, in their zone and in UTC: a replay of years of days asks
#: for the same ones often.
_STARTS: dict[tuple[date, time, tzinfo], tuple[datetime, datetime]] = {}


def _start(day: date, day_starts_at: time, zone: tzinfo) -> tuple[datetime, datetime]:
    key = (day, day_starts_at, zone)
    found = _STARTS.get(key)
    if found is None:
        if len(_STARTS) > 100_000:  # a long-running process: start again
            _STARTS.clear()
        instant = datetime.combine(day, day_starts_at, tzinfo=zone).astimezone(UTC)
        found = _STARTS[key] = (instant.astimezone(zone), instant)
    return found


def unlock(
    fixed: datetime, last_day: date, last_at: datetime, day_starts_at: time, now: datetime
) -> datetime | None:
    """When the item after one completed at `last_at` (on list day `last_day`) may be
    revealed, as seen from `now`'s zone, if that is still ahead; None when it may be now.

    `fixed` is the instant set when that item was completed. Another zone can only move the
    unlock later, never earlier: the next item also waits for a list day, in the zone in
    force now, later than both `last_day` and the day `last_at` falls on here, so that no
    zone ever shows two items on one of its list days.
    """
    zone = zone_of(now)
    seen = max(last_day, day_of(last_at.astimezone(zone), day_starts_at))
    at = max(utc(fixed), _start(seen + timedelta(days=1), day_starts_at, zone)[1])
    return at.astimezone(zone) if utc(now) < at else None


def check_clock(last_event_at: datetime | None, now: datetime, device: str | None = None) -> None:
    """Refuse to answer when the clock reads well before the journal's last event (written
    by `device`, when known)."""
    if last_event_at is not None and utc(now) < utc(last_event_at) - CLOCK_TOLERANCE:
        raise clock_behind(last_event_at, now, device)


class ClockBehind(NotNow):
    """The clock reads well before the journal's last event. `device` wrote that event:
    the front end names it, since its clock may be the one that is off."""

    def __init__(self, last_event_at: datetime, now: datetime, device: str | None) -> None:
        shown = last_event_at.astimezone(now.tzinfo)
        super().__init__(
            f"the clock reads {now:%Y-%m-%d %H:%M}, earlier than the journal's last entry "
            f"({shown:%Y-%m-%d %H:%M}); set the clock right and try again"
        )
        self.device = device


def clock_behind(last_event_at: datetime, now: datetime, device: str | None = None) -> NotNow:
    return ClockBehind(last_event_at, now, device)


def when(moment: datetime, now: datetime) -> str:
    """A local time and how far it is from `now`: '2026-11-26 04:00 (in 7 h)'."""
    local = moment.astimezone(now.tzinfo)
    return f"{local:%Y-%m-%d %H:%M} ({how_far(moment, now)})"


def how_far(moment: datetime, now: datetime) -> str:
    """How far `moment` is from `now`, rounded to the nearest minute, hour or day: 'in 7 h',
    'in 25 min', '3 d ago'. A moment still ahead is never 'now', however near: less than a
    minute ahead is 'in under a minute' (a refusal at 03:59 for 04:00 says so); less than a
    minute past is 'just now'."""
    seconds = (utc(moment) - utc(now)).total_seconds()
    if 0 < seconds < 60:
        return "in under a minute"
    if -60 < seconds <= 0:
        return "just now"
    amount = _rounded(abs(seconds))
    return f"in {amount}" if seconds > 0 else f"{amount} ago"


def _rounded(seconds: float) -> str:
    """A span of at least a minute in its largest fitting unit, to the nearest one:
    89 minutes are '1 h', 90 are '2 h'; from 48 hours on, days."""
    minutes = _nearest(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    hours = _nearest(seconds / 3600)
    if hours < 48:
        return f"{hours} h"
    return f"{_nearest(seconds / 86400)} d"


def _nearest(amount: float) -> int:
    """`amount` (not negative) to the nearest whole number, halves up (`round` takes
    halves to the even number: 2.5 to 2)."""
    return int(amount + 0.5)


_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def spoken_time(moment: datetime, now: datetime) -> str:
    """`moment` in the words a person uses, seen from `now` (on the calendar of `now`'s
    zone): 'today at 4:00', 'tomorrow at 4:00', 'yesterday at 19:30', 'on Friday at 4:00'
    within the six days after tomorrow, else the date: 'on 3 December at 4:00' (with the
    year when it is not this year's). Names are English, whatever the locale."""
    local = moment.astimezone(now.tzinfo)
    ahead = (local.date() - now.date()).days
    if ahead == 0:
        day = "today"
    elif ahead == 1:
        day = "tomorrow"
    elif ahead == -1:
        day = "yesterday"
    elif 2 <= ahead <= 6:
        day = f"on {_WEEKDAYS[local.weekday()]}"
    else:
        year = "" if local.year == now.year else f" {local.year}"
        day = f"on {local.day} {_MONTHS[local.month - 1]}{year}"
    return f"{day} at {local.hour}:{local.minute:02d}"

"""List days: when a day starts and which day a moment falls on. Standard library only.

Kept apart from the rules so that `dailylist prompt` can answer without loading pydantic.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo


def zone_of(moment: datetime) -> tzinfo:
    """The zone of an aware datetime (the rules refuse naive ones)."""
    if moment.tzinfo is None:
        raise ValueError("the rules need an aware datetime")
    return moment.tzinfo


def day_of(moment: datetime, day_starts_at: time) -> date:
    """The list day that `moment` falls on: the local date of `moment - day_starts_at`.

    Days are counted on the wall clock of `moment`'s own zone, so a day that starts at
    04:00 starts at 04:00 local time on both sides of a DST change. Where DST makes that
    wall time missing or twice, the day starts when `day_start` says, so that the two
    functions always agree and days only ever move forward.
    """
    zone = zone_of(moment)
    shift = timedelta(hours=day_starts_at.hour, minutes=day_starts_at.minute)
    day = (moment - shift).date()
    instant = moment.astimezone(UTC)
    if instant < day_start(day, day_starts_at, zone).astimezone(UTC):
        return day - timedelta(days=1)
    if instant >= day_start(day + timedelta(days=1), day_starts_at, zone).astimezone(UTC):
        return day + timedelta(days=1)
    return day


def day_start(day: date, day_starts_at: time, zone: tzinfo) -> datetime:
    """The instant list day `day` begins, in `zone`.

    A wall time skipped by DST moves forward by the gap; a repeated one is its first pass.
    """
    wall = datetime.combine(day, day_starts_at, tzinfo=zone)
    return wall.astimezone(UTC).astimezone(zone)

"""List days: when a day starts, which day a moment falls on, when the next item unlocks.

Standard library only, and light to import: `dailylist prompt` answers with these alone.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo

from dailylist.errors import NotNow

#: How far the clock may read before the journal's last event before we stop trusting it.
CLOCK_TOLERANCE = timedelta(minutes=5)


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


def next_unlock(last_done: date | None, day_starts_at: time, now: datetime) -> datetime | None:
    """When the item after one completed on list day `last_done` unlocks, if that is still
    ahead at `now`; None when a new item may be shown (one a day, never two)."""
    if last_done is None or day_of(now, day_starts_at) > last_done:
        return None
    return day_start(last_done + timedelta(days=1), day_starts_at, zone_of(now))


def check_clock(last_event_at: datetime | None, now: datetime) -> None:
    """Refuse to act when the clock reads earlier than the journal's last event."""
    if last_event_at is None:
        return
    if now.astimezone(UTC) < last_event_at.astimezone(UTC) - CLOCK_TOLERANCE:
        shown = last_event_at.astimezone(now.tzinfo)
        raise NotNow(
            f"the clock reads {now:%Y-%m-%d %H:%M}, earlier than the journal's last entry "
            f"({shown:%Y-%m-%d %H:%M}); set the clock right and try again"
        )

"""Where a list stands, for people: progress, the streak, missed days, what today holds."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dailylist.days import day_of
from dailylist.rules import Standing, unlocks_at

State = Literal["not-started", "waiting-for-you", "done-today", "finished"]


@dataclass(frozen=True)
class Stats:
    """Everything `status` shows about one list at a moment."""

    done_count: int
    item_count: int
    streak: int
    missed_days: tuple[date, ...]
    today: date
    state: State
    unlocks_at: datetime | None
    #: The list day the last item was done, once every item is.
    finished_on: date | None


def stats(standing: Standing, days_done: Sequence[date], now: datetime) -> Stats:
    """Progress, streak and missed days at `now` (missed days pause a list, never skip), from
    where the list stands and the list day of each completion (`Replay.done_days`).

    A finished list keeps its final figures: its streak is then the longest it had.
    """
    day_starts_at = standing.settings.day_starts_at
    today = day_of(now, day_starts_at)
    done_days = set(days_done)
    last_day = days_done[-1] if days_done else None
    finished_on = last_day if standing.finished else None
    end = finished_on or list_today(standing, now) - timedelta(days=1)

    missed: list[date] = []
    first = standing.first_revealed_at
    if standing.first_day is not None:
        day = standing.first_day
        while day <= end:
            if day not in done_days:
                missed.append(day)
            day += timedelta(days=1)

    if finished_on is not None:
        streak = _longest_run(done_days)
    else:
        streak = 0
        day = today if today in done_days else today - timedelta(days=1)
        while day in done_days:
            streak += 1
            day -= timedelta(days=1)

    unlocks = None if standing.finished else unlocks_at(standing, now)
    state: State
    if standing.finished:
        state = "finished"
    elif standing.current is None and unlocks is not None:
        state = "done-today"
    elif first is None:
        state = "not-started"
    else:
        state = "waiting-for-you"
    return Stats(
        done_count=standing.done_count,
        item_count=standing.item_count,
        streak=streak,
        missed_days=tuple(missed),
        today=today,
        state=state,
        unlocks_at=unlocks,
        finished_on=finished_on,
    )


def list_today(standing: Standing, now: datetime) -> date:
    """The list day `now` falls on where the list was last used (the zone of its last
    event), so that every device, whatever its own zone, counts the same days missed:
    a day is missed once it is over there, and the days done are each in their own zone."""
    zone = now.tzinfo
    if standing.zone is not None:
        with contextlib.suppress(ZoneInfoNotFoundError, ValueError):
            zone = ZoneInfo(standing.zone)
    return day_of(now.astimezone(zone), standing.settings.day_starts_at)


def _longest_run(days: set[date]) -> int:
    """The most list days in a row among `days`."""
    longest = 0
    for day in days:
        if day - timedelta(days=1) in days:
            continue  # not the first of its run
        run = 1
        while day + timedelta(days=run) in days:
            run += 1
        longest = max(longest, run)
    return longest

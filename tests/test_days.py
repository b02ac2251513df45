"""List days: when a day starts, which day a moment falls on, across DST and the calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from dailylist.days import day_of, day_start
from tests.conftest import BERLIN, at


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        ("2026-05-10 03:59", "2026-05-09"),
        ("2026-05-10 04:00", "2026-05-10"),
        ("2026-05-10 23:59", "2026-05-10"),
        ("2026-05-11 00:30", "2026-05-10"),
    ],
)
def test_a_day_starts_at_day_starts_at(moment: str, expected: str) -> None:
    assert day_of(at(moment), time(4, 0)) == date.fromisoformat(expected)


def test_midnight_lists_change_day_at_midnight() -> None:
    assert day_of(at("2026-05-10 23:59"), time(0, 0)) == date(2026, 5, 10)
    assert day_of(at("2026-05-11 00:00"), time(0, 0)) == date(2026, 5, 11)


def test_spring_forward_day_still_starts_at_local_four() -> None:
    # Berlin skips 02:00-03:00 on 2026-03-29; the day is 23 hours long.
    start = day_start(date(2026, 3, 29), time(4, 0), BERLIN)
    assert start.strftime("%Y-%m-%d %H:%M %z") == "2026-03-29 04:00 +0200"
    before = day_start(date(2026, 3, 28), time(4, 0), BERLIN)
    assert start.astimezone(UTC) - before.astimezone(UTC) == timedelta(hours=23)


def test_fall_back_day_is_25_hours_long() -> None:
    # Berlin repeats 02:00-03:00 on 2026-10-25, inside the list day of the 24th.
    start = day_start(date(2026, 10, 24), time(4, 0), BERLIN)
    end = day_start(date(2026, 10, 25), time(4, 0), BERLIN)
    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=25)


def test_a_day_start_lost_to_dst_moves_forward_and_agrees_with_day_of() -> None:
    # 02:30 does not exist in Berlin on 2026-03-29.
    start = day_start(date(2026, 3, 29), time(2, 30), BERLIN)
    assert start.strftime("%H:%M %z") == "03:30 +0200"
    just_before = (start.astimezone(UTC) - timedelta(minutes=1)).astimezone(BERLIN)
    assert day_of(just_before, time(2, 30)) == date(2026, 3, 28)
    assert day_of(start, time(2, 30)) == date(2026, 3, 29)


def test_day_of_only_moves_forward_through_a_repeated_hour() -> None:
    moment = datetime(2026, 10, 24, 12, 0, tzinfo=UTC)
    days = []
    while moment < datetime(2026, 10, 26, 12, 0, tzinfo=UTC):
        days.append(day_of(moment.astimezone(BERLIN), time(2, 30)))
        moment += timedelta(minutes=5)
    assert days == sorted(days)
    assert set(days) == {date(2026, 10, 24), date(2026, 10, 25), date(2026, 10, 26)}

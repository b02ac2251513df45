"""List days: when a day starts, which day a moment falls on, across DST and the calendar."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from dailylist.days import day_of, day_start, how_far, spoken_time, when
from tests.conftest import BERLIN, Cli, at, need_program


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


# --- the hour DST repeats ---------------------------------------------------------------------


@pytest.fixture
def done_before_fall_back(
    make_sealed: Callable[..., Path], run: Cli, photo: Path
) -> Callable[[datetime], datetime]:
    """Day 1 of a list whose days start at 02:30 (inside the hour Berlin repeats on 25
    October 2026), done on 24 October; returns how a UTC instant reads in Berlin."""
    sealed = make_sealed(3, settings={"day_starts_at": "02:30"})
    assert run("open", str(sealed), now=at("2026-10-24 08:00")).exit_code == 0
    assert run("today", now=at("2026-10-24 09:00")).exit_code == 0
    done = run("done", "--photo", str(photo), "--note", "x", now=at("2026-10-24 10:00"))
    assert done.exit_code == 0, done.output
    return lambda instant: instant.astimezone(BERLIN)


def test_the_repeated_hour_after_a_days_end_is_the_next_day(
    done_before_fall_back: Callable[[datetime], datetime], run: Cli
) -> None:
    # 02:30 CEST (00:30 UTC) ended day 1; 01:10 UTC reads 02:10 on the second pass, after it.
    later = done_before_fall_back(datetime(2026, 10, 25, 1, 10, tzinfo=UTC))
    assert (later.hour, later.minute, later.fold) == (2, 10, 1)
    amend = run("amend", "--note", "too late", now=later)
    assert amend.exit_code == 1
    assert "could be amended until" in amend.stderr
    today = run("today", "--json", now=later)
    assert today.exit_code == 0, today.output
    assert json.loads(today.stdout)["day"] == 2
    assert run("prompt", now=later).stdout.strip() == "day 2/3 waiting"


def test_the_repeated_hour_before_a_days_end_is_still_that_day(
    done_before_fall_back: Callable[[datetime], datetime], run: Cli
) -> None:
    # 00:10 UTC reads 02:10 on the first pass: twenty minutes before day 1 ends.
    before = done_before_fall_back(datetime(2026, 10, 25, 0, 10, tzinfo=UTC))
    assert (before.hour, before.minute, before.fold) == (2, 10, 0)
    assert run("amend", "--note", "in time", now=before).exit_code == 0
    waiting = run("today", "--json", now=before)
    assert waiting.exit_code == 1
    assert json.loads(waiting.stdout)["state"] == "waiting"


# --- the ends of the years dailylist works with ------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "first", "done"),
    [
        # The list day is 9000-01-01 in Kiritimati (+14) while UTC is still in range,
        ("Pacific/Kiritimati", "8999-12-31T22:00:00+00:00", "9000-01-01T00:00:00+00:00"),
        # and 1970-12-31 in Pago Pago (-11).
        ("Pacific/Pago_Pago", "1971-01-01T00:00:00+00:00", "1971-01-01T00:00:01+00:00"),
        # Monrovia kept an offset of -00:44:30 until 1972: reports hold it, and verify.
        ("Africa/Monrovia", "1971-05-01T08:00:00+00:00", "1971-05-01T10:00:00+00:00"),
    ],
    ids=["Kiritimati 9000", "Pago Pago 1971", "Monrovia 1971"],
)
def test_a_day_done_at_either_end_of_the_years(
    make_sealed: Callable[..., Path],
    run: Cli,
    photo: Path,
    tmp_path: Path,
    zone: str,
    first: str,
    done: str,
) -> None:
    from zoneinfo import ZoneInfo

    def local(text: str) -> datetime:
        return datetime.fromisoformat(text).astimezone(ZoneInfo(zone))

    sealed = make_sealed(2)
    assert run("open", str(sealed), now=local(first)).exit_code == 0
    assert run("today", now=local(first)).exit_code == 0
    result = run("done", "--photo", str(photo), "--note", "x", now=local(done))
    assert result.exit_code == 0, result.output
    report = tmp_path / "report.json"
    assert run("export", "-o", str(report), now=local(done)).exit_code == 0
    verdict = run("verify", str(report), "--list", str(sealed), now=local(done))
    assert verdict.exit_code == 0, verdict.output


def test_commands_started_at_one_faked_moment_follow_each_other(
    make_sealed: Callable[..., Path], run: Cli, photo: Path
) -> None:
    """`faketime` starts every command at the same moment, so a command may read the clock
    a moment before the event the one before it wrote: each write then follows that event,
    and the day is done as a person would expect."""
    sealed = make_sealed(3)
    start = at("2026-12-02 10:00")
    assert run("open", str(sealed), now=start + timedelta(seconds=0.9)).exit_code == 0
    today = run("today", now=start + timedelta(seconds=0.1))
    assert today.exit_code == 0, today.output
    done = run("done", "--photo", str(photo), "--note", "x", now=start + timedelta(seconds=0.2))
    assert done.exit_code == 0, done.output
    amend = run("amend", "--note", "y", now=start)
    assert amend.exit_code == 0, amend.output
    entry = json.loads(run("journal", "--json", now=start).stdout)["entries"][0]
    assert entry["reflection"] == "y"
    assert datetime.fromisoformat(entry["completed_at"]) > start + timedelta(seconds=0.9)
    verdict = run("export", "-o", str(photo.parent / "r.json"), now=start)
    assert verdict.exit_code == 0, verdict.output


# --- time in words --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "said"),
    [
        ("2026-06-01 21:00", "tomorrow at 4:00 (in 7 h)"),
        ("2026-06-02 02:00", "today at 4:00 (in 2 h)"),  # not "in 1 h": times are rounded
        ("2026-06-02 02:01", "today at 4:00 (in 2 h)"),
        ("2026-06-02 02:31", "today at 4:00 (in 1 h)"),
        ("2026-06-02 03:30", "today at 4:00 (in 30 min)"),
        ("2026-06-02 03:59", "today at 4:00 (in 1 min)"),
        ("2026-06-02 03:59:30", "today at 4:00 (in under a minute)"),
        ("2026-06-02 03:59:59", "today at 4:00 (in under a minute)"),
    ],
)
def test_today_says_when_the_next_item_unlocks_in_words_and_never_now(
    moment: str, said: str, one_day_done: Path, run: Cli
) -> None:
    result = run("today", now=at(moment))
    assert result.exit_code == 1  # a rule says not now...
    assert f"The next item unlocks {said}." in result.stdout
    assert "now" not in result.output  # ...so nothing says "now"


def test_status_never_says_now_about_an_unlock_still_ahead(one_day_done: Path, run: Cli) -> None:
    result = run("status", now=at("2026-06-02 03:59:30"))
    assert result.exit_code == 0
    assert "2026-06-02 04:00 (in under a minute)" in result.stdout
    assert "now" not in result.output
    assert run("today", now=at("2026-06-02 04:00")).exit_code == 0  # and at 04:00 it is there


@pytest.mark.system
def test_a_real_process_under_faketime_a_moment_before_the_unlock(
    one_day_done: Path, private_home: Path
) -> None:
    """As a person runs it, on a clock that reads 30 seconds before the day starts."""
    faketime = need_program("faketime", "faketime")
    env = {**os.environ, "DAILYLIST_HOME": str(private_home), "TZ": "Europe/Berlin"}
    command = [faketime, "2026-06-02 03:59:30", sys.executable, "-m", "dailylist", "today"]
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 1, done.stderr
    assert done.stdout.splitlines()[-1] == (
        "The next item unlocks today at 4:00 (in under a minute)."
    )
    assert "now" not in done.stdout + done.stderr


@pytest.mark.parametrize(
    ("moment", "said"),
    [
        ("2026-06-01 12:00:00", "just now"),
        ("2026-06-01 12:00:01", "in under a minute"),
        ("2026-06-01 11:59:01", "just now"),
        ("2026-06-01 12:01:29", "in 1 min"),
        ("2026-06-01 12:01:30", "in 2 min"),
        ("2026-06-01 12:59:29", "in 59 min"),
        ("2026-06-01 12:59:30", "in 1 h"),
        ("2026-06-01 13:29:00", "in 1 h"),
        ("2026-06-01 13:30:00", "in 2 h"),
        ("2026-06-03 11:29:00", "in 47 h"),
        ("2026-06-03 11:30:00", "in 2 d"),
        ("2026-06-11 12:00:00", "in 10 d"),
        ("2026-06-01 11:40:00", "20 min ago"),
        ("2026-05-31 12:00:00", "24 h ago"),
        ("2026-05-29 12:00:00", "3 d ago"),
    ],
)
def test_how_far_rounds_to_the_nearest_unit(moment: str, said: str) -> None:
    assert how_far(at(moment), at("2026-06-01 12:00")) == said


@pytest.mark.parametrize(
    ("moment", "said"),
    [
        ("2026-06-01 04:00", "today at 4:00"),  # 1 June 2026 is a Monday
        ("2026-06-01 23:30", "today at 23:30"),
        ("2026-06-02 04:00", "tomorrow at 4:00"),
        ("2026-05-31 19:30", "yesterday at 19:30"),
        ("2026-06-03 04:00", "on Wednesday at 4:00"),
        ("2026-06-07 04:05", "on Sunday at 4:05"),
        ("2026-06-08 04:00", "on 8 June at 4:00"),  # a week on: Monday would mislead
        ("2026-05-30 04:00", "on 30 May at 4:00"),
        ("2027-01-03 16:00", "on 3 January 2027 at 16:00"),
    ],
)
def test_a_near_moment_in_a_persons_words(moment: str, said: str) -> None:
    assert spoken_time(at(moment), at("2026-06-01 12:00")) == said


def test_words_are_on_the_calendar_of_the_zone_in_force() -> None:
    """04:00 in Berlin is the day before in New York: the words follow the reader's zone."""
    from zoneinfo import ZoneInfo

    new_york = ZoneInfo("America/New_York")
    now = at("2026-06-01 20:00", new_york)
    assert spoken_time(at("2026-06-02 04:00"), now) == "today at 22:00"
    assert when(at("2026-06-02 04:00"), now) == "2026-06-01 22:00 (in 2 h)"

"""Reminders: a calendar event, a cron line, systemd units, a desktop notice."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from datetime import time
from pathlib import Path

import icalendar
import pytest

from tests.conftest import DAY, Cli, at


def test_ics_is_one_daily_event_with_the_title(
    one_day_done: Path, run: Cli, tmp_path: Path
) -> None:
    path = tmp_path / "reminder.ics"
    result = run("remind", "ics", str(path), "--at", "08:30", now=at(f"{DAY} 12:00"))
    assert result.exit_code == 0, result.output
    calendar = icalendar.Calendar.from_ical(path.read_bytes())
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 1
    (event,) = events
    assert "Small things" in str(event["SUMMARY"])
    assert event["RRULE"]["FREQ"] == ["DAILY"]
    start = event.decoded("DTSTART")
    assert start.time() == time(8, 30)
    assert start.date().isoformat() == "2026-06-02"  # 08:30 today has passed at noon
    assert start.utcoffset() == at(f"{DAY} 08:30").utcoffset()
    assert list(event.walk("VALARM"))


@pytest.mark.parametrize(
    ("args", "message"),
    [(["--at", "25:00"], "not a time of day"), (["--at", "soon"], "not a time of day")],
)
def test_ics_refuses_a_bad_time(
    args: list[str], message: str, one_day_done: Path, run: Cli, tmp_path: Path
) -> None:
    result = run("remind", "ics", str(tmp_path / "r.ics"), *args, now=at(f"{DAY} 12:00"))
    assert result.exit_code == 2
    assert message in result.stderr
    assert not (tmp_path / "r.ics").exists()


def test_ics_into_a_missing_folder(one_day_done: Path, run: Cli, tmp_path: Path) -> None:
    result = run("remind", "ics", str(tmp_path / "no" / "r.ics"), now=at(f"{DAY} 12:00"))
    assert result.exit_code == 2
    assert "does not exist" in result.stderr


def test_cron_line_and_systemd_units(one_day_done: Path, run: Cli) -> None:
    cron = run("remind", "cron", "--at", "19:30", now=at(f"{DAY} 12:00")).stdout.strip()
    fields = cron.split()
    assert fields[:5] == ["30", "19", "*", "*", "*"]
    assert cron.endswith("-m dailylist remind notify")
    assert "DAILYLIST_HOME=" in cron
    units = run("remind", "systemd", "--at", "07:05", now=at(f"{DAY} 12:00")).stdout
    assert "OnCalendar=*-*-* 07:05:00" in units
    assert "ExecStart=/usr/bin/env" in units
    assert "dailylist-remind.timer" in units


@pytest.fixture
def fake_notify_send(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A notify-send on PATH that writes its arguments to a file."""
    folder = tmp_path / "bin"
    folder.mkdir()
    record = tmp_path / "notices.txt"
    script = folder / "notify-send"
    script.write_text(f'#!/bin/sh\necho "$@" >> {record}\n', encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    return record


def test_notify_only_when_today_waits(
    one_day_done: Path, run: Cli, fake_notify_send: Path
) -> None:
    assert run("remind", "notify", now=at(f"{DAY} 19:00")).exit_code == 0
    assert not fake_notify_send.exists()  # done today: no notice
    assert run("remind", "notify", now=at("2026-06-02 19:00")).exit_code == 0
    said = fake_notify_send.read_text(encoding="utf-8")
    assert "day 2/3 of small-things is waiting: run `dailylist today`" in said


def test_notify_without_notify_send_prints(
    one_day_done: Path, run: Cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    result = run("remind", "notify", now=at("2026-06-02 19:00"))
    assert result.exit_code == 0
    assert "day 2/3 of small-things is waiting" in result.stdout


def test_ics_onto_a_directory_is_refused(one_day_done: Path, run: Cli, tmp_path: Path) -> None:
    result = run("remind", "ics", str(tmp_path), now=at(f"{DAY} 12:00"))
    assert result.exit_code == 2
    assert "is a directory" in result.stderr


def test_schedulers_get_what_they_read_literally(
    one_day_done: Path, run: Cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """cron reads % as a new line; systemd reads % as a specifier and $ as a variable."""
    odd = tmp_path / "100%-$HOME"
    monkeypatch.setenv("DAILYLIST_HOME", str(odd))
    assert run("open", "--example", "city-walk", now=at(f"{DAY} 12:00")).exit_code == 0
    cron = run("remind", "cron", now=at(f"{DAY} 12:00")).stdout
    assert "100\\%-$HOME" in cron
    assert "%" not in cron.replace("\\%", "")
    units = run("remind", "systemd", now=at(f"{DAY} 12:00")).stdout
    (exec_line,) = [line for line in units.splitlines() if line.startswith("ExecStart=")]
    assert "100%%-$$HOME" in exec_line
    refused = run("remind", "cron", "--list", "x\ny", now=at(f"{DAY} 12:00"))
    assert refused.exit_code == 2
    assert refused.stdout == ""
    from dailylist.errors import BadInput
    from dailylist.remind import cron_line, parse_time

    with pytest.raises(BadInput, match="control character"):
        cron_line(parse_time("09:00"), "x\ny")


def test_a_time_with_an_offset_is_refused(one_day_done: Path, run: Cli, tmp_path: Path) -> None:
    for command in (["cron"], ["systemd"], ["ics", str(tmp_path / "r.ics")]):
        result = run("remind", *command, "--at", "09:00+05:00", now=at(f"{DAY} 12:00"))
        assert result.exit_code == 2, command
        assert "has a time zone" in result.stderr


def test_reminders_cover_every_open_list_with_days_left(
    one_day_done: Path,
    make_sealed: Callable[..., Path],
    run: Cli,
    fake_notify_send: Path,
    tmp_path: Path,
) -> None:
    other = make_sealed(1, title="Just one")
    assert run("open", str(other), now=at(f"{DAY} 12:00")).exit_code == 0
    assert run("remind", "notify", now=at("2026-06-02 19:00")).exit_code == 0
    said = fake_notify_send.read_text(encoding="utf-8")
    assert "day 2/3 of small-things and day 1/1 of just-one are waiting" in said
    path = tmp_path / "r.ics"
    assert run("remind", "ics", str(path), now=at("2026-06-02 12:00")).exit_code == 0
    events = list(icalendar.Calendar.from_ical(path.read_bytes()).walk("VEVENT"))
    assert sorted(str(e["SUMMARY"]) for e in events) == [
        "dailylist: Just one",
        "dailylist: Small things",
    ]


def test_a_finished_list_gets_no_reminder(
    run: Cli, make_sealed: Callable[..., Path], tmp_path: Path
) -> None:
    from tests.conftest import make_photo

    assert (
        run("open", str(make_sealed(1, title="Just one")), now=at(f"{DAY} 08:00")).exit_code == 0
    )
    assert run("today", now=at(f"{DAY} 09:00")).exit_code == 0
    photo = make_photo(tmp_path / "p.jpg")
    assert run("done", "--photo", str(photo), "--note", "x", now=at(f"{DAY} 10:00")).exit_code == 0
    for command in (["ics", str(tmp_path / "r.ics")], ["cron"], ["systemd"]):
        result = run("remind", *command, now=at(f"{DAY} 12:00"))
        assert result.exit_code == 2, command
        assert "no open list has days left" in result.stderr
    named = run(
        "remind", "ics", str(tmp_path / "r.ics"), "--list", "just-one", now=at(f"{DAY} 12:00")
    )
    assert "every day of just-one is done" in named.stderr
    assert not (tmp_path / "r.ics").exists()
    for args in ([], ["--list", "just-one"]):  # what a scheduler runs daily stays quiet
        quiet = run("remind", "notify", *args, now=at("2026-06-03 19:00"))
        assert (quiet.exit_code, quiet.output) == (0, "")


def test_a_time_of_day_with_a_one_digit_hour(one_day_done: Path, run: Cli, tmp_path: Path) -> None:
    result = run("remind", "ics", str(tmp_path / "r.ics"), "--at", "9:05", now=at(f"{DAY} 12:00"))
    assert result.exit_code == 0, result.output
    assert "a daily event at 09:05" in result.stdout


@pytest.mark.parametrize(
    "zone",
    ["Europe/Berlin", "America/New_York", "Australia/Sydney", "America/Santiago", "Asia/Tokyo"],
)
def test_the_calendar_describes_its_zone_by_rules_right_all_year(zone: str) -> None:
    """Not a list of every change from 1970 to 2038 (which some apps read as one offset
    all year), but the rules, as calendar apps write them: right in summer and winter, for
    years to come."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from dailylist.remind import vtimezone

    component = vtimezone(ZoneInfo(zone), 2026)
    text = component.to_ical().decode()
    assert "RDATE" not in text
    assert text.count("BEGIN:") <= 3
    parsed = component.to_tz()
    for year in (2026, 2030, 2037):
        for month in range(1, 13):
            wall = datetime(year, month, 15, 12)  # noqa: DTZ001 - a wall time, to place
            expected = wall.replace(tzinfo=ZoneInfo(zone)).utcoffset()
            got = parsed.utcoffset(wall)
            assert got == expected, (zone, wall, got, expected)

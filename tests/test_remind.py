"""Reminders: a calendar event, a cron line, systemd units, a desktop notice."""

from __future__ import annotations

import os
import stat
import subprocess
from collections.abc import Callable
from datetime import datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest

from dailylist.days import day_of, utc
from tests.conftest import (
    BERLIN,
    DAY,
    Cli,
    at,
    in_process_of_its_own,
    need_program,
    snapshot,
)

NEW_YORK = ZoneInfo("America/New_York")


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
    assert "Small things, from Ada" in str(event["DESCRIPTION"])
    assert "dailylist today --list small-things" in str(event["DESCRIPTION"])
    assert event["RRULE"]["FREQ"] == ["DAILY"]
    assert event["RRULE"]["COUNT"] == [2]  # days 2 and 3, on 2 and 3 June
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
    cron = run("remind", "cron", "--at", "19:30", now=at(f"{DAY} 12:00")).stdout
    *comments, zone, entry = cron.splitlines()
    assert all(line.startswith("# ") for line in comments)
    assert "19:30 in Europe/Berlin" in " ".join(comments)
    assert zone == "CRON_TZ=Europe/Berlin"
    assert entry.split()[:5] == ["30", "19", "*", "*", "*"]
    assert entry.endswith("-m dailylist remind notify")
    assert "DAILYLIST_HOME=" in entry
    units = run("remind", "systemd", "--at", "07:05", now=at(f"{DAY} 12:00")).stdout
    assert "OnCalendar=*-*-* 07:05:00 Europe/Berlin" in units
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
    from dailylist.remind import cron_lines, parse_time

    with pytest.raises(BadInput, match="control character"):
        cron_lines(parse_time("09:00"), "x\ny", at(f"{DAY} 12:00"))


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
    assert run("remind", "ics", str(path), now=at("2026-06-02 07:00")).exit_code == 0
    events = list(icalendar.Calendar.from_ical(path.read_bytes()).walk("VEVENT"))
    # One event per list, each ending with its own list and naming it.
    assert sorted((str(e["SUMMARY"]), e["RRULE"]["COUNT"][0]) for e in events) == [
        ("dailylist: Just one", 1),
        ("dailylist: Small things", 2),
    ]


def test_a_finished_list_gets_no_reminder_and_that_is_no_error(
    run: Cli, make_sealed: Callable[..., Path], tmp_path: Path, user_config: Path
) -> None:
    from tests.conftest import make_photo

    assert (
        run("open", str(make_sealed(1, title="Just one")), now=at(f"{DAY} 08:00")).exit_code == 0
    )
    assert run("today", now=at(f"{DAY} 09:00")).exit_code == 0
    photo = make_photo(tmp_path / "p.jpg")
    assert run("done", "--photo", str(photo), "--note", "x", now=at(f"{DAY} 10:00")).exit_code == 0
    ics = run("remind", "ics", str(tmp_path / "r.ics"), now=at(f"{DAY} 12:00"))
    assert (ics.exit_code, ics.stdout) == (
        0,
        "Every open list is done: nothing left to remind you of.\n",
    )
    named = run(
        "remind", "ics", str(tmp_path / "r.ics"), "--list", "just-one", now=at(f"{DAY} 12:00")
    )
    assert named.exit_code == 0
    assert "every day of just-one is done: nothing left to remind you of" in named.stdout.lower()
    assert not (tmp_path / "r.ics").exists()
    for command in (["cron"], ["systemd"]):  # their stdout is for a crontab or a unit file
        printed = run("remind", *command, now=at(f"{DAY} 12:00"))
        assert (printed.exit_code, printed.stdout) == (0, ""), command
        assert "nothing left to remind you of" in printed.stderr
    install = run("remind", "systemd", "--install", now=at(f"{DAY} 12:00"))
    assert install.exit_code == 0
    assert "nothing left to remind you of" in install.stdout
    assert not (user_config / "systemd").exists()
    for args in ([], ["--list", "just-one"]):  # what a scheduler runs daily stays quiet
        quiet = run("remind", "notify", *args, now=at("2026-06-03 19:00"))
        assert (quiet.exit_code, quiet.output) == (0, "")


def test_with_no_list_open_there_is_nothing_to_remind_of(run: Cli, tmp_path: Path) -> None:
    result = run("remind", "ics", str(tmp_path / "r.ics"), now=at(f"{DAY} 12:00"))
    assert (result.exit_code, result.stdout) == (0, "No list is open: nothing to remind you of.\n")
    assert not (tmp_path / "r.ics").exists()
    assert run("remind", "notify", now=at(f"{DAY} 12:00")).output == ""


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


# --- the calendar ends with the list --------------------------------------------------------


def _occurrences(ics: bytes) -> dict[str, list[datetime]]:
    """Every occurrence of every event, by summary, as two independent iCalendar readers
    expand them (each must agree): recurring-ical-events and vobject."""
    import recurring_ical_events
    import vobject

    window = (datetime(2026, 1, 1, tzinfo=BERLIN), datetime(2040, 1, 1, tzinfo=BERLIN))
    first: dict[str, list[datetime]] = {}
    for event in recurring_ical_events.of(icalendar.Calendar.from_ical(ics)).between(*window):
        first.setdefault(str(event["SUMMARY"]), []).append(event.decoded("DTSTART"))
    second: dict[str, list[datetime]] = {}
    for event in vobject.readOne(ics.decode()).vevent_list:
        rules = event.getrruleset(addRDate=True)
        assert rules is not None
        second[str(event.summary.value)] = [moment for moment in rules if moment < window[1]]
    for found in (first, second):
        for moments in found.values():
            assert all(moment.tzinfo is not None for moment in moments)
            moments.sort()
    assert {name: [utc(m) for m in ms] for name, ms in first.items()} == {
        name: [utc(m) for m in ms] for name, ms in second.items()
    }
    return first


@pytest.mark.parametrize(
    ("now", "at_time", "expected"),
    [
        # Day 1 done today: days 2 and 3 may come on 2 and 3 June, no later.
        (f"{DAY} 12:00", "08:30", ["2026-06-02 08:30", "2026-06-03 08:30"]),
        # Day 2 waits today and its reminder is still ahead: today's counts.
        ("2026-06-02 07:00", "08:30", ["2026-06-02 08:30", "2026-06-03 08:30"]),
        # ...but once it has passed, only tomorrow's is left.
        ("2026-06-02 12:00", "08:30", ["2026-06-03 08:30"]),
        # At 02:00, before the day starts at 04:00: the night after each list day.
        (f"{DAY} 12:00", "02:00", ["2026-06-03 02:00", "2026-06-04 02:00"]),
    ],
)
def test_the_calendar_ends_on_the_lists_last_possible_day(
    now: str, at_time: str, expected: list[str], one_day_done: Path, run: Cli, tmp_path: Path
) -> None:
    path = tmp_path / "r.ics"
    result = run("remind", "ics", str(path), "--at", at_time, now=at(now))
    assert result.exit_code == 0, result.output
    assert "(the last on 2026-06-03)" in result.stdout
    (moments,) = _occurrences(path.read_bytes()).values()
    assert [f"{m.astimezone(BERLIN):%Y-%m-%d %H:%M}" for m in moments] == expected
    assert day_of(moments[-1], time(4, 0)).isoformat() == "2026-06-03"


def test_a_thirty_day_list_reminds_thirty_days_not_for_ever(run: Cli, tmp_path: Path) -> None:
    assert run("open", "--example", "find-yourself", now=at(f"{DAY} 08:00")).exit_code == 0
    path = tmp_path / "r.ics"
    assert run("remind", "ics", str(path), "--at", "19:00", now=at(f"{DAY} 12:00")).exit_code == 0
    (moments,) = _occurrences(path.read_bytes()).values()
    assert len(moments) == 30
    assert moments[0].astimezone(BERLIN) == at(f"{DAY} 19:00")
    assert moments[-1].astimezone(BERLIN) == at("2026-06-30 19:00")  # day 30, if none is missed
    assert moments[-1].utcoffset() == at("2026-06-30 19:00").utcoffset()


def test_a_missed_day_moves_the_end_when_made_again(
    one_day_done: Path, run: Cli, tmp_path: Path
) -> None:
    path = tmp_path / "r.ics"
    assert run("remind", "ics", str(path), now=at("2026-06-03 07:00")).exit_code == 0
    (moments,) = _occurrences(path.read_bytes()).values()  # 2 June was missed
    assert [m.date().isoformat() for m in moments] == ["2026-06-03", "2026-06-04"]


def test_when_the_last_days_reminder_has_passed_none_is_left(
    run: Cli, make_sealed: Callable[..., Path], tmp_path: Path
) -> None:
    assert (
        run("open", str(make_sealed(1, title="Just one")), now=at(f"{DAY} 08:00")).exit_code == 0
    )
    path = tmp_path / "r.ics"
    result = run("remind", "ics", str(path), "--at", "09:00", now=at(f"{DAY} 12:00"))
    assert result.exit_code == 0
    assert "The last day of just-one is today and 09:00 has passed" in result.stdout
    assert not path.exists()


# --- cron's time zone -----------------------------------------------------------------------


@pytest.mark.system
def test_cron_says_the_zone_dailylist_reads_the_time_in(
    one_day_done: Path, private_home: Path
) -> None:
    """A real process, its zone from TZ as a person sets it."""
    printed = in_process_of_its_own(
        private_home, "remind", "cron", "--at", "7:15", TZ="Asia/Tokyo"
    )
    lines = printed.splitlines()
    assert lines[-2] == "CRON_TZ=Asia/Tokyo"
    assert lines[-1].startswith("15 7 * * * ")
    assert "07:15 in Asia/Tokyo" in printed
    assert "Debian's" in printed  # a cron without CRON_TZ reads the system's zone: said


def test_systemd_timer_names_its_zone(one_day_done: Path, run: Cli) -> None:
    units = run("remind", "systemd", "--at", "20:00", now=at("2026-06-01 20:00", NEW_YORK))
    assert "OnCalendar=*-*-* 20:00:00 America/New_York" in units.stdout


# --- systemd, installed ---------------------------------------------------------------------


@pytest.fixture
def user_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A person's config folder in tmp (XDG_CONFIG_HOME), and a home in tmp too."""
    config = tmp_path / "config"
    config.mkdir()
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config))
    monkeypatch.setenv("HOME", str(tmp_path / "person"))
    return config


@pytest.fixture
def fake_systemctl(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A systemctl alone on PATH that writes its arguments to a file, one call a line;
    it fails as without a user session when FAKE_SYSTEMCTL_FAILS names its first verb."""
    folder = tmp_path / "fakebin"
    folder.mkdir()
    record = tmp_path / "systemctl.txt"
    script = folder / "systemctl"
    script.write_text(
        "#!/bin/sh\n"
        f'echo "$@" >> {record}\n'
        'if [ "$2" = "$FAKE_SYSTEMCTL_FAILS" ]; then\n'
        '    echo "Failed to connect to bus: No medium found" >&2; exit 1\n'
        "fi\n",
        encoding="utf-8",
    )
    script.chmod(0o755)
    monkeypatch.setenv("PATH", str(folder))
    return record


UNITS = ("dailylist-remind.service", "dailylist-remind.timer")


@pytest.mark.system
def test_install_writes_and_enables_and_uninstall_removes(
    one_day_done: Path, run: Cli, user_config: Path, fake_systemctl: Path
) -> None:
    installed = run("remind", "systemd", "--at", "19:00", "--install", now=at(f"{DAY} 12:00"))
    assert installed.exit_code == 0, installed.output
    folder = user_config / "systemd" / "user"
    assert sorted(path.name for path in folder.iterdir()) == list(UNITS)
    assert "OnCalendar=*-*-* 19:00:00 Europe/Berlin" in (folder / UNITS[1]).read_text("utf-8")
    assert "enabled and started" in installed.stdout
    assert installed.stderr == ""
    assert fake_systemctl.read_text("utf-8").splitlines() == [
        "--user enable dailylist-remind.timer",
        "--user daemon-reload",
        "--user start dailylist-remind.timer",
    ]
    assert not (user_config.parent / "person").exists()  # the real home is never touched
    fake_systemctl.unlink()
    again = run("remind", "systemd", "--at", "20:00", "--install", now=at(f"{DAY} 12:00"))
    assert again.exit_code == 0  # its own units are replaced
    assert "20:00:00" in (folder / UNITS[1]).read_text("utf-8")
    fake_systemctl.unlink()
    removed = run("remind", "systemd", "--uninstall", now=at(f"{DAY} 12:00"))
    assert removed.exit_code == 0, removed.output
    assert list(folder.iterdir()) == []
    assert fake_systemctl.read_text("utf-8").splitlines() == [
        "--user stop dailylist-remind.timer",
        "--user disable dailylist-remind.timer",
        "--user daemon-reload",
    ]
    nothing = run("remind", "systemd", "--uninstall", now=at(f"{DAY} 12:00"))
    assert nothing.exit_code == 0
    assert "nothing to remove" in nothing.stdout


def test_install_goes_under_dot_config_without_xdg_config_home(
    one_day_done: Path, run: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "person"))
    monkeypatch.setenv("XDG_CONFIG_HOME", "relative/is/ignored")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))  # and no systemctl at all
    result = run("remind", "systemd", "--install", now=at(f"{DAY} 12:00"))
    assert result.exit_code == 0, result.output
    folder = tmp_path / "person" / ".config" / "systemd" / "user"
    assert sorted(path.name for path in folder.iterdir()) == list(UNITS)
    assert "The timer is not enabled yet." in result.stdout
    assert result.stderr == (
        "dailylist: systemctl is not installed; to finish, run: systemctl --user "
        "daemon-reload && systemctl --user enable --now dailylist-remind.timer\n"
    )


@pytest.mark.system
def test_without_a_user_session_the_units_are_written_and_the_command_said(
    one_day_done: Path,
    run: Cli,
    user_config: Path,
    fake_systemctl: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FAKE_SYSTEMCTL_FAILS", "daemon-reload")
    result = run("remind", "systemd", "--install", now=at(f"{DAY} 12:00"))
    assert result.exit_code == 0, result.output
    assert (user_config / "systemd" / "user" / UNITS[1]).is_file()
    assert "it starts at your next login" in result.stdout
    assert "No medium found" in result.stderr
    assert "systemctl --user daemon-reload && systemctl --user start" in result.stderr
    removed = run("remind", "systemd", "--uninstall", now=at(f"{DAY} 12:00"))
    assert removed.exit_code == 0
    assert not (user_config / "systemd" / "user" / UNITS[1]).exists()
    assert removed.stderr.endswith("to finish, run: systemctl --user daemon-reload\n")


def test_a_persons_own_unit_of_that_name_is_never_replaced_or_removed(
    one_day_done: Path, run: Cli, user_config: Path, fake_systemctl: Path
) -> None:
    folder = user_config / "systemd" / "user"
    folder.mkdir(parents=True)
    mine = folder / UNITS[1]
    mine.write_text("[Timer]\nOnCalendar=daily\n", encoding="utf-8")
    before = snapshot(user_config)
    for args in (["--install"], ["--uninstall"]):
        result = run("remind", "systemd", *args, now=at(f"{DAY} 12:00"))
        assert result.exit_code == 2, args
        assert "was not written by dailylist; nothing was changed" in result.stderr
        assert snapshot(user_config) == before
    assert not fake_systemctl.exists()
    both = run("remind", "systemd", "--install", "--uninstall", now=at(f"{DAY} 12:00"))
    assert both.exit_code == 2
    assert "not both" in both.stderr


@pytest.mark.system
def test_systemd_analyze_accepts_the_installed_units(
    one_day_done: Path,
    run: Cli,
    user_config: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    analyze = need_program("systemd-analyze", "systemd")
    odd = tmp_path / "100%-$HOME data"  # what systemd reads as specifiers and variables
    monkeypatch.setenv("DAILYLIST_HOME", str(odd))
    assert run("open", "--example", "city-walk", now=at(f"{DAY} 12:00")).exit_code == 0
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert run("remind", "systemd", "--install", now=at(f"{DAY} 12:00")).exit_code == 0
    folder = user_config / "systemd" / "user"
    runtime = tmp_path / "runtime"  # a user manager's runtime folder, which verify asks for
    runtime.mkdir(mode=0o700)
    env = {**os.environ, "PATH": "/usr/bin:/bin", "XDG_RUNTIME_DIR": str(runtime)}
    checked = subprocess.run(
        [analyze, "--user", "verify", *(str(folder / name) for name in UNITS)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert (checked.returncode, checked.stdout, checked.stderr) == (0, "", "")
    calendar_spec = [
        line.partition("=")[2]
        for line in (folder / UNITS[1]).read_text("utf-8").splitlines()
        if line.startswith("OnCalendar=")
    ]
    spec = subprocess.run(
        [analyze, "calendar", *calendar_spec], capture_output=True, text=True, env=env, check=True
    )
    assert "Normalized form: *-*-* 09:00:00 Europe/Berlin" in spec.stdout

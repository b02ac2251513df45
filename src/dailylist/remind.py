"""Reminders: a daily calendar event, a crontab line, systemd user units, a desktop notice."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from datetime import datetime, time, timedelta
from pathlib import Path

from dailylist.days import zone_of
from dailylist.errors import BadInput
from dailylist.home import HOME_ENV
from dailylist.store import write_out


def parse_time(text: str) -> time:
    """'09:00' -> time(9, 0), or `BadInput` (a reminder is at a time of one's own day: a
    time with a zone or an offset is refused, not quietly ignored)."""
    try:
        parsed = time.fromisoformat(text)
    except ValueError as exc:
        raise BadInput(f"{text!r} is not a time of day; use HH:MM, like 09:00") from exc
    if parsed.tzinfo is not None:
        raise BadInput(
            f"{text!r} has a time zone; give the local time of day, like 09:00 (reminders "
            "follow your zone)"
        )
    return parsed.replace(second=0, microsecond=0)


def _first_occurrence(at: time, now: datetime) -> datetime:
    """The next time the clock reads `at` in `now`'s zone (today if still ahead)."""
    zone = zone_of(now)
    candidate = datetime.combine(now.date(), at, tzinfo=zone)
    if candidate <= now:
        candidate = datetime.combine(now.date() + timedelta(days=1), at, tzinfo=zone)
    return candidate


def calendar(*, list_id: str, title: str, name: str, at: time, now: datetime) -> bytes:
    """An iCalendar file with one daily event (and an alarm) to open today's item."""
    import icalendar

    cal = icalendar.Calendar()
    cal.add("prodid", "-//dailylist//reminders//EN")
    cal.add("version", "2.0")
    event = icalendar.Event()
    event.add("uid", f"{list_id}-daily@dailylist")
    event.add("summary", f"dailylist: {title}")
    event.add(
        "description", f"Today's item is waiting. In a terminal: dailylist today --list {name}"
    )
    event.add("dtstamp", now)
    event.add("dtstart", _first_occurrence(at, now))
    event.add("duration", timedelta(minutes=15))
    event.add("rrule", {"freq": "daily"})
    alarm = icalendar.Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", f"dailylist: {title}")
    alarm.add("trigger", timedelta(0))
    event.add_component(alarm)
    cal.add_component(event)
    if getattr(zone_of(now), "key", None):
        cal.add_missing_timezones()
    data: bytes = cal.to_ical()
    return data


def write_calendar(path: Path, content: bytes) -> None:
    write_out(path, content, what="calendar file (like reminder.ics)")


def _command(list_name: str | None) -> str:
    """How a scheduler should call `dailylist remind notify`, with this very interpreter,
    as a shell command line."""
    parts = [sys.executable, "-m", "dailylist", "remind", "notify"]
    if list_name:
        parts += ["--list", list_name]
    home = os.environ.get(HOME_ENV)
    for part in (*parts, home or ""):
        if any(ord(char) < 0x20 or ord(char) == 0x7F for char in part):
            raise BadInput(f"{part!r} holds a control character; a scheduler cannot run it")
    command = shlex.join(parts)
    return f"{HOME_ENV}={shlex.quote(home)} {command}" if home else command


def cron_line(at: time, list_name: str | None) -> str:
    """A crontab line: at `at` every day, a desktop notice if today's item is waiting.

    cron reads `%` in a command as a new line, so each is escaped."""
    bus = f"DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/{os.getuid()}/bus"
    command = f"{bus} {_command(list_name)}".replace("%", "\\%")
    return f"{at.minute} {at.hour} * * * {command}"


def systemd_units(at: time, list_name: str | None) -> dict[str, str]:
    """A systemd user service and timer, by file name."""
    service = (
        "[Unit]\n"
        "Description=dailylist: a notice when today's item is waiting\n\n"
        "[Service]\n"
        "Type=oneshot\n"
        f"ExecStart=/usr/bin/env {_systemd(_command(list_name))}\n"
    )
    timer = (
        "[Unit]\n"
        "Description=dailylist: daily reminder\n\n"
        "[Timer]\n"
        f"OnCalendar=*-*-* {at:%H:%M}:00\n"
        "Persistent=true\n\n"
        "[Install]\n"
        "WantedBy=timers.target\n"
    )
    return {"dailylist-remind.service": service, "dailylist-remind.timer": timer}


def _systemd(command: str) -> str:
    """A command line as systemd reads one: `%` starts a specifier and `$` a variable, so
    each is doubled."""
    return command.replace("%", "%%").replace("$", "$$")


def notify(message: str) -> bool:
    """Show a desktop notice with notify-send; False when there is none to show it with."""
    sender = shutil.which("notify-send")
    if sender is None:
        return False
    subprocess.run([sender, "--app-name=dailylist", "dailylist", message], check=False)
    return True

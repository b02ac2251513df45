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
from dailylist.store import write_atomic


def parse_time(text: str) -> time:
    """'09:00' -> time(9, 0), or `BadInput`."""
    try:
        parsed = time.fromisoformat(text)
    except ValueError as exc:
        raise BadInput(f"{text!r} is not a time of day; use HH:MM, like 09:00") from exc
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
    if path.is_dir():
        raise BadInput(f"{path} is a directory; give a file name like reminder.ics")
    if not path.parent.is_dir():
        raise BadInput(f"cannot write {path}: the folder {path.parent} does not exist")
    try:
        write_atomic(path, content, private=False)
    except OSError as exc:
        raise BadInput(f"cannot write {path}: {exc.strerror or exc}") from exc


def _command(list_name: str | None) -> str:
    """How a scheduler should call `dailylist remind notify`, with this very interpreter."""
    parts = [sys.executable, "-m", "dailylist", "remind", "notify"]
    if list_name:
        parts += ["--list", list_name]
    command = shlex.join(parts)
    home = os.environ.get(HOME_ENV)
    return f"{HOME_ENV}={shlex.quote(home)} {command}" if home else command


def cron_line(at: time, list_name: str | None) -> str:
    """A crontab line: at `at` every day, a desktop notice if today's item is waiting."""
    bus = f"DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/{os.getuid()}/bus"
    return f"{at.minute} {at.hour} * * * {bus} {_command(list_name)}"


def systemd_units(at: time, list_name: str | None) -> dict[str, str]:
    """A systemd user service and timer, by file name."""
    service = (
        "[Unit]\n"
        "Description=dailylist: a notice when today's item is waiting\n\n"
        "[Service]\n"
        "Type=oneshot\n"
        f"ExecStart=/usr/bin/env {_command(list_name)}\n"
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


def notify(message: str) -> bool:
    """Show a desktop notice with notify-send; False when there is none to show it with."""
    sender = shutil.which("notify-send")
    if sender is None:
        return False
    subprocess.run([sender, "--app-name=dailylist", "dailylist", message], check=False)
    return True

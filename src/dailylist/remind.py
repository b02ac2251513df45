"""Reminders: a daily calendar event, a crontab line, systemd user units, a desktop notice."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from datetime import timezone as dt_timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dailylist import services
from dailylist.days import day_of, utc, zone_of
from dailylist.errors import BadInput
from dailylist.home import HOME_ENV
from dailylist.services import UnitChange, systemd_command
from dailylist.store import check_out, write_out

if TYPE_CHECKING:
    from dailylist.status import ListStatus
    from dailylist.store import DataDir


def parse_time(text: str) -> time:
    """'09:00' -> time(9, 0), or `BadInput` (a reminder is at a time of one's own day: a
    time with a zone or an offset is refused, not quietly ignored)."""
    hour, colon, _ = text.strip().partition(":")
    padded = f"0{text.strip()}" if colon and len(hour) == 1 else text.strip()  # 9:00 is 09:00
    try:
        parsed = time.fromisoformat(padded)
    except ValueError as exc:
        raise BadInput(f"{text!r} is not a time of day; use HH:MM, like 09:00") from exc
    if parsed.tzinfo is not None:
        raise BadInput(
            f"{text!r} has a time zone; give the local time of day, like 09:00 (reminders "
            "follow your zone)"
        )
    return parsed.replace(second=0, microsecond=0)


def reminded(data: DataDir, wanted: str | None, now: datetime) -> tuple[list[ListStatus], str]:
    """The lists reminders are for: `wanted`, else every open list with days left; and,
    when there is none, why there is nothing to remind of (a finished list has nothing
    left: that is no mistake, so no error)."""
    from dailylist.status import statuses

    found, errors = statuses(data, now, wanted)
    if errors:
        raise errors[0]
    left = [view for view in found if view.stats.state != "finished"]
    if left:
        return left, ""
    if wanted is not None:
        return [], f"every day of {found[0].info.name} is done: nothing left to remind you of"
    if found:
        return [], "every open list is done: nothing left to remind you of"
    return [], "no list is open: nothing to remind you of"


def waiting(data: DataDir, wanted: str | None, now: datetime) -> list[str]:
    """For `remind notify`: each list whose item waits for today, as 'day 3/30 of NAME';
    none once every list is finished (a scheduler runs it every day: it stays quiet)."""
    from dailylist.status import statuses

    views, errors = statuses(data, now, wanted)
    if errors:
        raise errors[0]
    found = []
    for view in views:
        if view.stats.state in ("waiting-for-you", "not-started"):
            found.append(
                f"day {view.stats.done_count + 1}/{view.stats.item_count} of {view.info.name}"
            )
    return found


@dataclass(frozen=True)
class Reminders:
    """The daily reminders of one list: the first, how many, and the list day of the last,
    the last day the list can end on (if no day is missed)."""

    view: ListStatus
    first: datetime
    count: int
    last_day: date


def first_possible_day(view: ListStatus) -> date:
    """The first list day an item of `view`'s list may still be done on: today, or the day
    the next item unlocks when today's is done."""
    stats = view.stats
    if stats.unlocks_at is None:
        return stats.today
    return day_of(stats.unlocks_at, view.info.settings.day_starts_at)


def last_possible_day(view: ListStatus) -> date:
    """The list day `view`'s list ends on if no day is missed: one item a day from its
    first possible day until every item left is done."""
    left = view.stats.item_count - view.stats.done_count
    return first_possible_day(view) + timedelta(days=left - 1)


def reminders(view: ListStatus, at: time, now: datetime) -> Reminders | None:
    """A list's reminders at `at` each day, from the next one still ahead until the one
    that falls in its last possible day; None when none is left (the last day's reminder
    has passed)."""
    last_day = last_possible_day(view)
    day = first_possible_day(view)
    while day <= last_day:
        moment = _occurrence(day, at, view.info.settings.day_starts_at, now)
        if utc(moment) > utc(now):
            return Reminders(view, moment, (last_day - day).days + 1, last_day)
        day += timedelta(days=1)
    return None


def _occurrence(list_day: date, at: time, day_starts_at: time, now: datetime) -> datetime:
    """When the clock reads `at` within list day `list_day`, in `now`'s zone: on its own
    date, or the next when `at` is before the day starts (a reminder at 02:00 of a day
    that starts at 04:00 is on the night after)."""
    zone = zone_of(now)
    moment = datetime.combine(list_day, at, tzinfo=zone)
    if day_of(moment, day_starts_at) < list_day:
        moment = datetime.combine(list_day + timedelta(days=1), at, tzinfo=zone)
    return moment


def calendar(planned: list[Reminders], *, now: datetime) -> bytes:
    """An iCalendar file with one daily event (and an alarm) for each list, to open its
    item, that ends with the list: its last is on the list's last possible day. One event
    per list, not one for all, so that each ends on its own list's day and names its own
    list. In the user's zone, described by its rules (as calendar apps write them)."""
    import icalendar

    cal = icalendar.Calendar()
    cal.add("prodid", "-//dailylist//reminders//EN")
    cal.add("version", "2.0")
    for plan in planned:
        info = plan.view.info
        event = icalendar.Event()
        event.add("uid", f"{info.id}-daily@dailylist")
        event.add("summary", f"dailylist: {info.title}")
        event.add(
            "description",
            f"{info.title}, from {info.author}: today's item, if it is not done yet. "
            f"In a terminal: dailylist today --list {info.name}. The last of these "
            f"reminders is on {plan.last_day.isoformat()}, the last day the list can end "
            "on; after a missed day, make the reminders again (dailylist remind ics).",
        )
        event.add("dtstamp", now)
        event.add("dtstart", plan.first)
        event.add("duration", timedelta(minutes=15))
        event.add("rrule", {"freq": "daily", "count": plan.count})
        alarm = icalendar.Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", f"dailylist: {info.title}")
        alarm.add("trigger", timedelta(0))
        event.add_component(alarm)
        cal.add_component(event)
    zone = zone_of(now)
    if isinstance(getattr(zone, "key", None), str):
        cal.add_component(vtimezone(zone, now.year))
    data: bytes = cal.to_ical()
    return data


def vtimezone(zone: tzinfo, year: int) -> Any:
    """A VTIMEZONE for `zone` by its rules (RRULE), as calendar apps write them: the
    standard and daylight times of `year`, each repeating yearly on its weekday of its
    month (`-1SU`: the last Sunday), not a list of every change between 1970 and 2038."""
    import icalendar

    key = str(getattr(zone, "key", zone))
    timezone = icalendar.Timezone()
    timezone.add("tzid", key)
    changes = _changes(zone, year)
    if not changes:
        noon = datetime(year, 1, 1, 12, tzinfo=zone)
        fixed = icalendar.TimezoneStandard()
        fixed.add("dtstart", datetime(1970, 1, 1))  # noqa: DTZ001 - a wall time, as RFC 5545 says
        fixed.add("tzoffsetfrom", noon.utcoffset())
        fixed.add("tzoffsetto", noon.utcoffset())
        fixed.add("tzname", noon.tzname() or key)
        timezone.add_component(fixed)
        return timezone
    for before, after in changes:
        daylight = bool(after.dst())
        part = icalendar.TimezoneDaylight() if daylight else icalendar.TimezoneStandard()
        wall = before.replace(tzinfo=None)  # the wall time of the change, as clocks read it
        rule = _weekday_rule(wall)
        part.add("dtstart", datetime.combine(_first_on(1970, wall.month, rule), wall.time()))
        part.add("tzoffsetfrom", before.utcoffset())
        part.add("tzoffsetto", after.utcoffset())
        part.add("tzname", after.tzname() or key)
        part.add("rrule", {"freq": "yearly", "bymonth": wall.month, "byday": rule})
        timezone.add_component(part)
    return timezone


def _changes(zone: tzinfo, year: int) -> list[tuple[datetime, datetime]]:
    """Each change of offset in `year`: the local time just before it and just after."""
    found = []
    moment = datetime(year, 1, 1, tzinfo=UTC)
    end = datetime(year + 1, 1, 1, tzinfo=UTC)
    step = timedelta(hours=1)
    while moment < end:
        here, later = moment.astimezone(zone), (moment + step).astimezone(zone)
        if here.utcoffset() != later.utcoffset():
            exact = moment
            while (exact + timedelta(minutes=1)).astimezone(zone).utcoffset() == here.utcoffset():
                exact += timedelta(minutes=1)
            change = exact + timedelta(minutes=1)
            found.append((change.astimezone(timezone_of(here)), change.astimezone(zone)))
        moment += step
    return found


def timezone_of(moment: datetime) -> tzinfo:
    """A fixed zone at `moment`'s offset: the wall time on the clocks before a change."""
    offset = moment.utcoffset()
    assert offset is not None
    return dt_timezone(offset)


_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def _weekday_rule(wall: datetime) -> str:
    """'2SU' for the second Sunday of its month, '-1SU' for the last."""
    day = _WEEKDAYS[wall.weekday()]
    last = (wall + timedelta(days=7)).month != wall.month
    return f"-1{day}" if last else f"{(wall.day - 1) // 7 + 1}{day}"


def _first_on(year: int, month: int, rule: str) -> date:
    """The day of `month` in `year` that `rule` ('2SU', '-1SU') names."""
    weekday, count = _WEEKDAYS.index(rule[-2:]), int(rule[:-2])
    if count > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (count - 1))
    last = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def write_calendar(path: Path, content: bytes, home: Path, *, force: bool) -> None:
    """Write the calendar to `path`: a new file, or with `force` a regular file, never one
    in the data dir at `home` (see `store.check_out`)."""
    check_out(path, home, what="calendar file (like reminder.ics)", force=force)
    write_out(path, content, what="calendar file (like reminder.ics)")


def _command(list_name: str | None) -> str:
    """How a scheduler should call `dailylist remind notify`, with this very interpreter,
    as a shell command line."""
    parts = [sys.executable, "-m", "dailylist", "remind", "notify"]
    if list_name:
        parts += ["--list", list_name]
    home = os.environ.get(HOME_ENV)
    _schedulable(*parts, home or "")
    command = shlex.join(parts)
    return f"{HOME_ENV}={shlex.quote(home)} {command}" if home else command


def _schedulable(*parts: str) -> None:
    """`BadInput` when a part of what a scheduler reads holds a control character."""
    for part in parts:
        if any(ord(char) < 0x20 or ord(char) == 0x7F for char in part):
            raise BadInput(f"{part!r} holds a control character; a scheduler cannot run it")


def zone_key(now: datetime) -> str | None:
    """The IANA name of the zone dailylist reads times in (see `clock.local_zone`), as
    cron's CRON_TZ and systemd's OnCalendar take it; None when the zone has none."""
    key = getattr(now.tzinfo, "key", None)
    if isinstance(key, str) and key:
        _schedulable(key)
        return key
    return "UTC" if now.tzinfo is UTC else None


def cron_lines(at: time, list_name: str | None, now: datetime) -> str:
    """Crontab lines: at `at` every day, in dailylist's zone, a desktop notice if today's
    item is waiting.

    The zone is set with CRON_TZ on a line of its own (cronie reads it; it then holds for
    the lines after it), and said in a comment, since some crons (Debian's) ignore it and
    read times in the system's zone. cron reads `%` in a command as a new line, so each is
    escaped."""
    bus = f"DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/{os.getuid()}/bus"
    command = f"{bus} {_command(list_name)}".replace("%", "\\%")
    entry = f"{at.minute} {at.hour} * * * {command}"
    zone = zone_key(now)
    said = f"# dailylist: a desktop notice at {at:%H:%M} when today's item is waiting.\n"
    if zone is None:
        return f"{said}# The time is in the system's time zone.\n{entry}\n"
    return (
        f"{said}# The time is {at:%H:%M} in {zone}: cronie reads CRON_TZ (for every line after\n"
        "# it); a cron that does not, like Debian's, reads it in the system's time zone.\n"
        f"CRON_TZ={zone}\n{entry}\n"
    )


#: The first line of every unit file `remind systemd --install` writes: what it may replace
#: or remove is what carries it.
UNIT_MARK = "# Written by `dailylist remind systemd --install`; `--uninstall` removes it.\n"
SERVICE = "dailylist-remind.service"
TIMER = "dailylist-remind.timer"


def systemd_units(at: time, list_name: str | None, now: datetime) -> dict[str, str]:
    """A systemd user service and timer, by file name; the timer at `at` in dailylist's
    zone."""
    zone = zone_key(now)
    service = (
        f"{UNIT_MARK}"
        "[Unit]\n"
        "Description=dailylist: a notice when today's item is waiting\n\n"
        "[Service]\n"
        "Type=oneshot\n"
        f"ExecStart=/usr/bin/env {_systemd(_command(list_name))}\n"
    )
    timer = (
        f"{UNIT_MARK}"
        "[Unit]\n"
        "Description=dailylist: daily reminder\n\n"
        "[Timer]\n"
        f"OnCalendar=*-*-* {at:%H:%M}:00{'' if zone is None else ' ' + zone}\n"
        "Persistent=true\n\n"
        "[Install]\n"
        "WantedBy=timers.target\n"
    )
    return {SERVICE: service, TIMER: timer}


def _systemd(command: str) -> str:
    return systemd_command(command)


def install_units(units: dict[str, str]) -> UnitChange:
    """Write the reminder's units and enable its timer (see `services.install_units`)."""
    return services.install_units(units, mark=UNIT_MARK, enable=TIMER)


def uninstall_units() -> UnitChange:
    """Remove the reminder's units (see `services.uninstall_units`)."""
    return services.uninstall_units((SERVICE, TIMER), mark=UNIT_MARK, enable=TIMER)


def notify(message: str) -> bool:
    """Show a desktop notice with notify-send; False when there is none to show it with."""
    sender = shutil.which("notify-send")
    if sender is None:
        return False
    subprocess.run([sender, "--app-name=dailylist", "dailylist", message], check=False)
    return True

"""`dailylist verify`: whether a JSON report is genuine, complete, in order and one a day.

The author holds the sealed list. The report's events are replayed through the app's own
rules (`fold.replay`), with that list's settings and items: a report is genuine only if
its hash chain is unbroken, every event is one the app would have written at its time, and
its list, entries and summary are exactly what the replay and the sealed list give (the
very JSON `export` writes, see `document`). Each step is linear in the report's size.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dailylist import figures, fold
from dailylist.canonical import parse_json
from dailylist.chain import breaks, computed_id, label, parents_of
from dailylist.checks import Check, photo_file_problem
from dailylist.days import in_range, utc
from dailylist.domain import day_number
from dailylist.errors import BadInput, DailylistError
from dailylist.events import Event
from dailylist.journal import decode_event
from dailylist.limits import REPORT
from dailylist.lookback import days, opened_note
from dailylist.opened import empty_standing
from dailylist.report.document import (
    OPAQUE_ID,
    Report,
    check_report_document,
    report_entry,
    report_list,
    report_set_aside,
    report_summary,
    written,
)
from dailylist.sealed_list import UnsealedList
from dailylist.store import read_input_file

#: The entry fields that hold the item itself (checked as "item texts").
_ITEM_FIELDS = ("title", "text")


@dataclass(frozen=True)
class Verdict:
    checks: tuple[Check, ...]

    @property
    def genuine(self) -> bool:
        return all(check.ok for check in self.checks)


@dataclass(frozen=True)
class LoadedReport:
    """A report file: its JSON as written, and its shape checked."""

    document: dict[str, Any]
    checked: Report


def load_report(path: Path) -> LoadedReport:
    raw = read_input_file(path, what="report", cap=REPORT)
    try:
        document = parse_json(raw)
    except ValueError as exc:
        raise BadInput(
            f"{path} is not a JSON report ({exc}; export one with -o NAME.json)"
        ) from exc
    return LoadedReport(document, check_report_document(document, source=str(path)))


def photos_folder(path: Path, report: LoadedReport, given: Path | None) -> Path:
    """Where a report's photos are: `given`, else `NAME-photos/` beside `NAME.json`, else
    the folder the report names; `BadInput` saying where it looked when none is there."""
    if given is not None:
        if not given.is_dir():
            raise BadInput(f"there is no folder {given} for the report's photos")
        return given
    candidates = [path.parent / f"{path.stem}-photos"]
    named = report.checked.photos_dir
    if named and Path(named).name == named:
        candidates.append(path.parent / named)
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    if any(entry.photos for entry in report.checked.entries):
        looked = " and ".join(str(c) for c in dict.fromkeys(candidates))
        raise BadInput(
            f"the report's photos are not beside it (looked in {looked}); give --photos DIR"
        )
    return candidates[0]


def verify(
    report: LoadedReport,
    unsealed: UnsealedList,
    sealed_sha256: str,
    photos_dir: Path,
    now: datetime,
) -> Verdict:
    """Check `report` against the sealed list (whose file's sha256 is `sealed_sha256`), at
    `now`; each failed check names the day and why."""
    document = report.document
    documents: list[Any] = document["events"]

    same = _same_list(document["list"], unsealed)

    chain = Check("hash chain unbroken")
    links = [(d.get("id"), parents_of(d), computed_id(d)) for d in documents]
    for position, problem in breaks(links):
        chain.problems.append(f"{label(position + 1, documents[position])} {problem}")

    followed = Check("every event follows the rules")
    events: list[Event] = []
    for number, event_document in enumerate(documents, start=1):
        try:
            events.append(decode_event(event_document))
        except ValueError as exc:
            followed.problems.append(f"{label(number, event_document)} is not readable: {exc}")
            continue
        for problem in _exported_wrongly(event_document, sealed_sha256):
            followed.problems.append(f"{label(number, event_document)} {problem}")
    replayed = fold.replay(events, empty_standing(unsealed), unsealed)
    for refusal in replayed.refused:
        followed.problems.append(f"{_named(refusal.event)}: {refusal.reason}")
    fallback = unsealed.info.settings.checkin_fallback_days
    opened = [
        f"day {entry.number}: {note}"
        for entry in replayed.entries
        if (note := opened_note(entry.reveal, fallback)) is not None
    ]
    if opened:  # how check-ins opened without a code typed in, said with the verdict
        followed.detail = "; ".join(opened)

    entries, texts = _entries(document["entries"], replayed, unsealed)
    wanted_aside = [written(report_set_aside(aside)) for aside in replayed.set_aside]
    if document.get("set_aside", []) != wanted_aside:
        entries.problems.append(
            f"the report lists {len(document.get('set_aside') or [])} completions set aside; "
            f"its events give {len(wanted_aside)}, as they stand"
        )
    summary = _summary(report, replayed, now)

    photos = Check("photos match their hashes")
    for entry in replayed.entries:
        for photo in entry.photos:
            wrong = photo_file_problem(photos_dir / photo.stored_name, photo.sha256)
            if wrong is not None:
                photos.problems.append(f"day {entry.number}: photo {photo.stored_name} {wrong}")

    return Verdict((same, chain, followed, entries, texts, summary, photos))


def _named(event: Event) -> str:
    """An event as verify names it: its day, what happened and when."""
    index = getattr(event, "index", None)
    day = f"day {day_number(index)} " if isinstance(index, int) else ""
    return f"{day}{event.kind} at {event.at:%Y-%m-%d %H:%M} ({event.zone})"


def _same_list(given: Mapping[str, Any], unsealed: UnsealedList) -> Check:
    check = Check("same list and author")
    sealed = unsealed.sealed
    expected = written(report_list(unsealed.info, sealed.public_key, sealed.signature))
    if given.get("id") != expected["id"]:
        check.problems.append(f"the report is of list {given.get('id')}, not {expected['id']}")
    elif given.get("public_key") != expected["public_key"]:
        check.problems.append(
            f"the report names author key {given.get('fingerprint')}, "
            f"the list was sealed with {expected['fingerprint']}"
        )
    elif given.get("signature") != expected["signature"]:
        check.problems.append("the report belongs to another sealing of this list")
    else:
        for key, value in expected.items():
            if given.get(key) != value:
                check.problems.append(
                    f"list.{key} is {given.get(key)!r}; the sealed list says {value!r}"
                )
    return check


def _entries(
    given: list[Any], replayed: fold.Replay, unsealed: UnsealedList
) -> tuple[Check, Check]:
    matches = Check("entries match the events")
    texts = Check("item texts match the sealed list")
    if len(given) != len(replayed.entries):
        matches.problems.append(
            f"the report lists {len(given)} entries; its events give {len(replayed.entries)}"
        )
    for shown, entry in zip(given, replayed.entries, strict=False):
        try:
            (day,) = days([entry], unsealed)
        except DailylistError:
            texts.problems.append(f"day {entry.number}: the item does not open with this list")
            continue
        wanted = written(report_entry(day))
        if not isinstance(shown, Mapping):
            matches.problems.append(f"the entry for day {entry.number} is not an entry")
            continue
        differ = [
            key for key in wanted if key not in _ITEM_FIELDS and shown.get(key) != wanted[key]
        ]
        if differ:
            matches.problems.append(
                f"the entry for day {entry.number} differs from its events ({', '.join(differ)})"
            )
        if any(shown.get(key) != wanted[key] for key in _ITEM_FIELDS):
            texts.problems.append(f"day {entry.number}: the item text is not the sealed one")
    return matches, texts


def _exported_wrongly(event: Mapping[str, Any], sealed_sha256: str) -> list[str]:
    """What in a readable event no export writes: a device not named by an opaque id, a
    photo's original path (both kept only in journals of dailylist 0.1), or an opening of
    another file than the sealed list given."""
    problems = []
    if not OPAQUE_ID.fullmatch(str(event.get("device"))):
        problems.append("names its device as no export does")
    photos = event.get("photos") or []
    if any(isinstance(photo, Mapping) and "original_path" in photo for photo in photos):
        problems.append("names a photo's original path, which no export holds")
    opened = event.get("list_sha256")  # None in journals of dailylist 0.1
    if event.get("kind") == "opened" and opened not in (None, sealed_sha256):
        problems.append("opened another file than this sealed list")
    return problems


#: How far ahead of the verifying computer's clock a report's export may be (the two
#: computers' clocks need not agree to the minute).
EXPORT_AHEAD = timedelta(days=1)


def _summary(report: LoadedReport, replayed: fold.Replay, now: datetime) -> Check:
    check = Check("summary matches the events")
    exported = report.checked.exported_at
    # Its figures run day by day up to the export: a date far ahead (year 8999) would
    # have them count millions of days.
    if not in_range(exported) or utc(exported) > utc(now) + EXPORT_AHEAD:
        check.problems.append(
            f"it says it was exported at {exported.isoformat()}, later than now "
            f"({now:%Y-%m-%d %H:%M})"
        )
        return check
    zone = report.checked.zone
    if zone is not None:
        try:
            exported = exported.astimezone(ZoneInfo(zone))
        except (ZoneInfoNotFoundError, ValueError):
            check.problems.append(f"the report's zone {zone!r} is not a time zone")
            return check
    last = replayed.standing.last_event_at
    if last is not None and utc(exported) < utc(last):
        check.problems.append(
            f"it was exported at {exported:%Y-%m-%d %H:%M}, before the journal's last event "
            f"({last.astimezone(exported.tzinfo):%Y-%m-%d %H:%M})"
        )
        return check
    expected = written(
        report_summary(figures.stats(replayed.standing, replayed.done_days, exported))
    )
    given = report.document["summary"]
    for key, value in expected.items():
        if given.get(key) != value:
            check.problems.append(
                f"summary.{key} is {given.get(key)!r}; the events give {value!r}"
            )
    return check

"""The JSON report: its types, and what it holds, built from a list's replayed journal.

`export` writes exactly this, through the one codec; `verify` reads it with the same types,
builds it again from the report's own events (replayed through the rules, with the
author's sealed list) and compares, section by section.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, ClassVar

from dailylist import figures, fold
from dailylist.chain import event_id
from dailylist.codec import decode, encode
from dailylist.domain import ListInfo, require
from dailylist.errors import BadInput
from dailylist.events import PhotoRecord
from dailylist.photo_flags import PhotoFlag

if TYPE_CHECKING:
    from dailylist.lookback import Day

#: The version of the JSON report this dailylist writes (and the newest it reads). 2: each
#: entry says its earlier reflections and its photos' flags.
REPORT_FORMAT = 3
#: What an entry holds since format 2 (a report of format 1 is checked without them).
NEW_IN_FORMAT_2 = ("earlier_reflections", "photo_flags")


@dataclass(frozen=True, kw_only=True)
class ReportList:
    """The list a report is of, and the author's key and signature of its sealed file."""

    id: str
    title: str
    author: str
    item_count: int
    fingerprint: str
    public_key: bytes
    #: The author's signature of the sealed list: ties the report to that exact file.
    signature: bytes


@dataclass(frozen=True, kw_only=True)
class EarlierReflection:
    """A day's reflection as it was before an amendment changed it."""

    written_at: datetime
    reflection: str


@dataclass(frozen=True, kw_only=True)
class ReportEntry:
    """A day done, as the report shows it: never a path of the recipient's computer."""

    day: int
    date: date
    revealed_at: datetime
    completed_at: datetime
    title: str | None
    text: str
    reflection: str | None
    photo_taken_before_reveal: bool
    photos: tuple[PhotoRecord, ...]
    amended: bool = False
    #: Every version of the reflection before the one it has now, oldest first (the
    #: journal keeps them all; reports of format 1 do not say them).
    earlier_reflections: tuple[EarlierReflection, ...] = ()
    #: What its photos are flagged for (see `photo_flags`; not in reports of format 1).
    photo_flags: tuple[PhotoFlag, ...] = ()

    def __post_init__(self) -> None:
        require(self.day >= 1, "day: days are counted from 1")


@dataclass(frozen=True, kw_only=True)
class ReportSummary:
    done: int
    item_count: int
    streak: int
    missed_days: tuple[date, ...]
    finished_on: date | None = None


@dataclass(frozen=True, kw_only=True)
class ReportSetAside:
    """A completion set aside: another device's completion of that day came first."""

    day: int
    date: date
    device: str
    completed_at: datetime
    reflection: str | None
    photos: tuple[PhotoRecord, ...]
    amended: bool
    why: str

    def __post_init__(self) -> None:
        require(self.day >= 1, "day: days are counted from 1")


@dataclass(frozen=True, kw_only=True)
class ReportPostcard:
    """A postcard the author sent, as the recipient's pages show it (never a check-in's
    code): so that `verify` makes the same page."""

    written_at: datetime
    note: str
    #: The day it is shown with; None: shown at once.
    day: int | None = None
    #: Which check-in day's code it carried (the code itself stays with her).
    checkin: int | None = None
    #: The sha256 of its picture (`SHA256.jpg` among the report's photos), if it had one.
    photo: str | None = None

    def __post_init__(self) -> None:
        require(self.day is None or self.day >= 1, "day: days are counted from 1")
        require(self.checkin is None or self.checkin >= 1, "checkin: days are counted from 1")
        require(
            self.photo is None or bool(re.fullmatch(r"[0-9a-f]{64}", self.photo)),
            "photo: its sha256, 64 lowercase hex digits",
        )


@dataclass(frozen=True, kw_only=True)
class Report:
    """A dailylist report, as `export -o NAME.json` writes it and `verify` reads it: the
    same types both ways, through the one codec (see `codec`)."""

    kind: ClassVar[str] = "dailylist-report"
    format: int
    exported_at: datetime
    #: The IANA zone the report was exported in (its summary counts days in it).
    zone: str | None = None
    list: ReportList
    summary: ReportSummary
    entries: tuple[ReportEntry, ...]
    #: Completions set aside (reports of dailylist 0.1 have none).
    set_aside: tuple[ReportSetAside, ...] = ()
    #: The journal's whole event log, each event naming the one before it by hash (the
    #: journal's own codec reads them: see `journal`).
    events: tuple[Mapping[str, Any], ...]
    #: The folder beside the report that holds the photos, by content address ("" when
    #: the report went to standard output without them).
    photos_dir: str
    #: The author's postcards she received, as her pages show them.
    postcards: tuple[ReportPostcard, ...] = ()

    def __post_init__(self) -> None:
        require(self.format >= 1, "format: not a report format")
        name = self.photos_dir
        require(
            name not in (".", "..") and "/" not in name and "\\" not in name,
            "photos_dir: a folder's name beside the report, not a path",
        )


def report_list(info: ListInfo, public_key: bytes, signature: bytes) -> ReportList:
    return ReportList(
        id=info.id,
        title=info.title,
        author=info.author,
        item_count=info.item_count,
        fingerprint=info.fingerprint,
        public_key=public_key,
        signature=signature,
    )


def report_entry(entry: Day, flags: Sequence[PhotoFlag]) -> ReportEntry:
    """An entry of the report; `flags` are the photo flags of every day (see
    `photo_flags`): the entry keeps its own."""
    versions = entry.reflection_versions
    return ReportEntry(
        day=entry.number,
        date=entry.day,
        revealed_at=entry.revealed_at,
        completed_at=entry.at,
        title=entry.item.title,
        text=entry.item.text,
        reflection=entry.reflection,
        photo_taken_before_reveal=entry.photo_taken_before_reveal,
        photos=tuple(photo.shared() for photo in entry.photos),
        amended=entry.amended,
        earlier_reflections=tuple(
            EarlierReflection(written_at=at, reflection=text) for at, text in versions[:-1]
        ),
        photo_flags=tuple(flag for flag in flags if flag.day == entry.number),
    )


def report_set_aside(aside: fold.SetAside) -> ReportSetAside:
    """A completion set aside (another device's came first), as reports and `show` list it."""
    completion = aside.completion
    return ReportSetAside(
        day=aside.number,
        date=completion.day,
        device=completion.device,
        completed_at=completion.at,
        reflection=aside.reflection,
        photos=tuple(photo.shared() for photo in aside.photos),
        amended=bool(aside.amendments),
        why=aside.reason,
    )


def report_summary(stats: figures.Stats) -> ReportSummary:
    return ReportSummary(
        done=stats.done_count,
        item_count=stats.item_count,
        streak=stats.streak,
        missed_days=stats.missed_days,
        finished_on=stats.finished_on,
    )


def written(part: object) -> dict[str, Any]:
    """A part of a report as the report's JSON holds it (every field, nulls too)."""
    return encode(part, nulls=True)


def check_report_document(document: object, *, source: str) -> Report:
    """The report `document` is, or `BadInput` naming its first problem."""
    if not isinstance(document, dict) or document.get("kind") != Report.kind:
        raise BadInput(f"{source} is not a dailylist report")
    if isinstance(document.get("format"), int) and document["format"] > REPORT_FORMAT:
        raise BadInput(f"{source} was written by a newer dailylist; upgrade to verify it")
    try:
        return decode(Report, document)
    except ValueError as exc:
        raise BadInput(f"{source} is not a valid report ({exc})") from exc


def report_schema() -> dict[str, object]:
    """The JSON schema of a report (documented in the README), made by pydantic from the
    same types."""
    from pydantic import TypeAdapter

    schema: dict[str, object] = TypeAdapter(Report).json_schema(mode="serialization")
    made: dict[str, object] = _base64_bytes(schema)
    return made


def _base64_bytes(schema: Any) -> Any:
    """The schema with bytes said as the codec writes them: base64 text."""
    if isinstance(schema, dict):
        if schema.get("format") == "binary":
            return {**schema, "format": "base64", "contentEncoding": "base64"}
        return {key: _base64_bytes(value) for key, value in schema.items()}
    if isinstance(schema, list):
        return [_base64_bytes(value) for value in schema]
    return schema


#: How an export names a device: an opaque id, never a host name.
OPAQUE_ID = re.compile(r"[0-9a-f]{32}|[0-9a-f]{40}")


def exported_events(documents: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The journal's events as a report carries them: as stored, but with nothing of the
    recipient's computer in them. Events written by dailylist 0.1 named a photo's original
    path and a device by its host name; those are left out (the device becomes an opaque
    hash of its name), and the ids are made again from there (each event then names its
    `prev` by its new id), so the chain, a line or a tree, still holds."""
    exported: list[dict[str, Any]] = []
    renamed: dict[str, str] = {}
    for stored in documents:
        event = dict(stored)
        device = event.get("device")
        if isinstance(device, str) and not OPAQUE_ID.fullmatch(device):
            event["device"] = hashlib.sha256(device.encode()).hexdigest()[:32]
        if isinstance(event.get("photos"), list):
            event["photos"] = [
                {key: value for key, value in photo.items() if key != "original_path"}
                if isinstance(photo, dict)
                else photo
                for photo in event["photos"]
            ]
        prev = event.get("prev")
        if isinstance(prev, str) and prev in renamed:
            event["prev"] = renamed[prev]
        merges = event.get("merges")
        if isinstance(merges, list) and any(m in renamed for m in merges if isinstance(m, str)):
            event["merges"] = [renamed.get(m, m) if isinstance(m, str) else m for m in merges]
        if event != stored:
            new_id = event_id({key: value for key, value in event.items() if key != "id"})
            if isinstance(stored.get("id"), str):
                renamed[stored["id"]] = new_id
            event["id"] = new_id
        exported.append(event)
    return exported


def report_json(
    *,
    info: ListInfo,
    public_key: bytes,
    signature: bytes,
    stats: figures.Stats,
    entries: Sequence[Day],
    flags: Sequence[PhotoFlag],
    set_aside: Sequence[fold.SetAside],
    events: Sequence[Mapping[str, Any]],
    exported_at: datetime,
    zone: str,
    photos_dir: str,
    postcards: Sequence[ReportPostcard] = (),
) -> dict[str, Any]:
    """A whole JSON report. `events` are the journal's events as stored (their ids hold)."""
    report = Report(
        format=REPORT_FORMAT,
        exported_at=exported_at,
        zone=zone,
        list=report_list(info, public_key, signature),
        summary=report_summary(stats),
        entries=tuple(report_entry(entry, flags) for entry in entries),
        set_aside=tuple(report_set_aside(aside) for aside in set_aside),
        events=tuple(exported_events(events)),
        photos_dir=photos_dir,
        postcards=tuple(postcards),
    )
    return written(report)

"""`dailylist verify`: whether a JSON report is genuine, complete, in order and one a day.

The author holds the sealed list. The report's events are replayed through the app's own
rules (`fold.replay`), with that list's settings and items: a report is genuine only if
its hash chain is unbroken, every event is one the app would have written at its time, and
its list, entries and summary are exactly what the replay and the sealed list give (the
very JSON `export` writes, see `document`). Each step is linear in the report's size.

A report in a zip (`export -o NAME.zip`) is read inside it (see `zipped`), and its page is
checked too: it must say what the page made of the replay says, and show the very photos
whose hashes are checked. A report of another list is said in one line, and nothing more.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dailylist import figures, fold
from dailylist.canonical import parse_json
from dailylist.chain import breaks, computed_id, label, parents_of
from dailylist.checks import Check, photo_file_problem
from dailylist.days import in_range, utc
from dailylist.domain import counted, day_number, item_index
from dailylist.errors import BadInput, DailylistError
from dailylist.events import Event
from dailylist.journal import decode_event
from dailylist.limits import REPORT
from dailylist.lookback import days, diary, opened_note
from dailylist.opened import empty_standing
from dailylist.photo_flags import PhotoFlag, photo_flags
from dailylist.report.document import (
    NEW_IN_FORMAT_2,
    OPAQUE_ID,
    Report,
    ReportPostcard,
    check_report_document,
    report_entry,
    report_list,
    report_set_aside,
    report_summary,
    written,
)
from dailylist.report.zipped import ZippedReport
from dailylist.sealed_list import UnsealedList
from dailylist.store import read_input_file

#: The entry fields that hold the item itself (checked as "item texts").
_ITEM_FIELDS = ("title", "text")


#: What is wrong with the photo a report names (its place, its sha256): None when nothing.
PhotoProblem = Callable[[str, str], "str | None"]


@dataclass(frozen=True)
class Holds:
    """What a report holds, from the replay of its events: what `verify` sums up."""

    done: int
    item_count: int
    finished_on: date | None
    missed_days: tuple[date, ...]
    #: The days amended, with how many times each was.
    amended: tuple[tuple[int, int], ...]
    #: The days with a completion set aside (done on two devices).
    set_aside: tuple[int, ...]
    flags: tuple[PhotoFlag, ...]
    #: How many postcards of the author's the report shows (as she received them).
    postcards: int = 0


@dataclass(frozen=True)
class Verdict:
    checks: tuple[Check, ...]
    #: What the report holds (when its events could be replayed with this list).
    holds: Holds | None = None
    #: Set when the report is of another list, another author or another sealing: the one
    #: thing there is to say of it (nothing else was checked).
    other_list: str | None = None

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
    return report_of(raw, str(path))


def report_of(raw: bytes, source: str) -> LoadedReport:
    """The report whose JSON is `raw` (read from `source`), or `BadInput`."""
    try:
        document = parse_json(raw)
    except ValueError as exc:
        raise BadInput(
            f"{source} is not a JSON report ({exc}; export one with -o NAME.json)"
        ) from exc
    return LoadedReport(document, check_report_document(document, source=source))


@dataclass(frozen=True)
class Bundle:
    """What a zip export holds beside its report: the page (None: there is none) and its
    name, the report's name, the folder of its photos ("NAME/NAME-photos/") and the name
    of every file in the zip."""

    page: bytes | None
    page_name: str
    report_name: str
    photos_folder: str
    files: frozenset[str]


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


def verify_path(
    path: Path,
    sealed: Callable[[], tuple[UnsealedList, str]],
    photos_dir: Path | None,
    now: datetime,
) -> Verdict:
    """`verify` of the report at `path`: a JSON report with its photos beside it (or in
    `photos_dir`), or a zip export, read inside (see `zipped`). `sealed` gives the sealed
    list and its file's sha256, asked for once the report is read."""
    from dailylist.report.zipped import is_zip, opened_zip

    if not is_zip(path):
        loaded = load_report(path)
        unsealed, sealed_sha256 = sealed()
        folder = photos_folder(path, loaded, photos_dir)
        return verify(loaded, unsealed, sealed_sha256, photos_in(folder), now)
    if photos_dir is not None:
        raise BadInput(f"the photos of {path} are inside it: leave out --photos")
    with opened_zip(path) as zipped:
        loaded = report_of(zipped.report_bytes(), f"{path} ({zipped.report.filename})")
        unsealed, sealed_sha256 = sealed()
        inside = zipped.photos_folder(loaded.checked.photos_dir)

        def photo(name: str, sha256: str) -> str | None:
            return zipped.photo_problem(inside + name, sha256)

        bundle = bundle_of(zipped, loaded)
        return verify(loaded, unsealed, sealed_sha256, photo, now, bundle=bundle)


def photos_in(folder: Path) -> PhotoProblem:
    """The photos of a report in `folder` (a report's photos beside it)."""
    return lambda name, sha256: photo_file_problem(folder / name, sha256)


def verify(
    report: LoadedReport,
    unsealed: UnsealedList,
    sealed_sha256: str,
    photos: PhotoProblem,
    now: datetime,
    *,
    bundle: Bundle | None = None,
) -> Verdict:
    """Check `report` against the sealed list (whose file's sha256 is `sealed_sha256`), at
    `now`, its photos by `photos` (given their names in the report's photos folder) and,
    for a zip, what else is in it (`bundle`); each failed check names the day and why."""
    document = report.document
    documents: list[Any] = document["events"]

    same, other = _same_list(document["list"], unsealed)
    if other is not None:
        return Verdict((same,), other_list=other)

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

    flags = photo_flags(replayed.entries)
    entries, texts = _entries(report, replayed, unsealed, flags)
    wanted_aside = [written(report_set_aside(aside)) for aside in replayed.set_aside]
    if document.get("set_aside", []) != wanted_aside:
        entries.problems.append(
            f"the report lists {len(document.get('set_aside') or [])} completions set aside; "
            f"its events give {len(wanted_aside)}, as they stand"
        )
    summary, exported = _summary(report, replayed, now)

    checked = Check("photos match their hashes")
    for entry in replayed.entries:
        for photo in entry.photos:
            wrong = photos(photo.stored_name, photo.sha256)
            if wrong is not None:
                checked.problems.append(f"day {entry.number}: photo {photo.stored_name} {wrong}")
    for card in report.checked.postcards:
        if card.photo is not None and (wrong := photos(f"{card.photo}.jpg", card.photo)):
            checked.problems.append(f"{_card(card)}: its picture {wrong}")

    found: list[Check] = [same, chain, followed, entries, texts, summary, checked]
    if report.checked.postcards:
        found.append(_postcards(report, unsealed))
    if bundle is not None:
        found.append(_page(report, replayed, unsealed, bundle, exported))
    holds = None
    if exported is not None:
        stats = figures.stats(replayed.standing, replayed.done_days, exported)
        holds = Holds(
            done=len(replayed.entries),
            item_count=unsealed.info.item_count,
            finished_on=stats.finished_on,
            missed_days=stats.missed_days,
            amended=tuple((e.number, len(e.amendments)) for e in replayed.entries if e.amended),
            set_aside=tuple(aside.number for aside in replayed.set_aside),
            flags=flags,
            postcards=len(report.checked.postcards),
        )
    return Verdict(tuple(found), holds)


def _card(card: ReportPostcard) -> str:
    return f"the postcard of {card.written_at:%Y-%m-%d %H:%M}"


def _postcards(report: LoadedReport, unsealed: UnsealedList) -> Check:
    """That each postcard the report shows could be one of the author's: for a day of
    the list, carrying a check-in day's code only. (What they say is the author's to judge:
    his postcards are not in her signed journal.)"""
    check = Check("postcards fit the list")
    count = unsealed.info.item_count
    for card in report.checked.postcards:
        for what, number in (("day", card.day), ("check-in", card.checkin)):
            if number is not None and number > count:
                check.problems.append(
                    f"{_card(card)} is for {what} {number}; the list has days 1 to {count}"
                )
        checkin = card.checkin
        if (
            checkin is not None
            and checkin <= count
            and not unsealed.is_checkin(item_index(checkin))
        ):
            check.problems.append(
                f"{_card(card)} carries the code of day {card.checkin}, not a check-in"
            )
    if check.ok:
        check.detail = (
            f"{counted(len(report.checked.postcards), 'postcard')} as she received them: "
            "compare them with what you sent"
        )
    return check


def _named(event: Event) -> str:
    """An event as verify names it: its day, what happened and when."""
    index = getattr(event, "index", None)
    day = f"day {day_number(index)} " if isinstance(index, int) else ""
    return f"{day}{event.kind} at {event.at:%Y-%m-%d %H:%M} ({event.zone})"


def _same_list(given: Mapping[str, Any], unsealed: UnsealedList) -> tuple[Check, str | None]:
    """The check that the report is of this sealed list; and when it is of another list,
    another author's key or another sealing, that, in a line (nothing else is worth
    checking then: every event would fail, for no reason of the recipient's)."""
    check = Check("same list and author")
    sealed = unsealed.sealed
    expected = written(report_list(unsealed.info, sealed.public_key, sealed.signature))
    other = None
    if given.get("id") != expected["id"]:
        other = (
            f'the report is of list {given.get("id")} ("{given.get("title")}"), not '
            f'{expected["id"]} ("{expected["title"]}")'
        )
    elif given.get("public_key") != expected["public_key"]:
        other = (
            f"the report names author key {given.get('fingerprint')}, "
            f"the list was sealed with {expected['fingerprint']}"
        )
    elif given.get("signature") != expected["signature"]:
        other = "the report belongs to another sealing of this list (it was sealed again)"
    else:
        for key, value in expected.items():
            if given.get(key) != value:
                check.problems.append(
                    f"list.{key} is {given.get(key)!r}; the sealed list says {value!r}"
                )
    if other is not None:
        check.problems.append(other)
    return check, other


def _entries(
    report: LoadedReport,
    replayed: fold.Replay,
    unsealed: UnsealedList,
    flags: Sequence[PhotoFlag],
) -> tuple[Check, Check]:
    given: list[Any] = report.document["entries"]
    # A report of format 1 says nothing of earlier reflections and flags: not asked of it.
    unsaid = NEW_IN_FORMAT_2 if report.checked.format < 2 else ()
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
        wanted = written(report_entry(day, flags))
        if not isinstance(shown, Mapping):
            matches.problems.append(f"the entry for day {entry.number} is not an entry")
            continue
        differ = [
            key
            for key in wanted
            if key not in _ITEM_FIELDS and key not in unsaid and shown.get(key) != wanted[key]
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


def _summary(
    report: LoadedReport, replayed: fold.Replay, now: datetime
) -> tuple[Check, datetime | None]:
    """The check of the report's summary, and the moment of its export in its zone (None
    when that moment is not one to count days up to)."""
    check = Check("summary matches the events")
    exported = report.checked.exported_at
    # Its figures run day by day up to the export: a date far ahead (year 8999) would
    # have them count millions of days.
    if not in_range(exported) or utc(exported) > utc(now) + EXPORT_AHEAD:
        check.problems.append(
            f"it says it was exported at {exported.isoformat()}, later than now "
            f"({now:%Y-%m-%d %H:%M})"
        )
        return check, None
    zone = report.checked.zone
    if zone is not None:
        try:
            exported = exported.astimezone(ZoneInfo(zone))
        except (ZoneInfoNotFoundError, ValueError):
            check.problems.append(f"the report's zone {zone!r} is not a time zone")
            return check, None
    last = replayed.standing.last_event_at
    if last is not None and utc(exported) < utc(last):
        check.problems.append(
            f"it was exported at {exported:%Y-%m-%d %H:%M}, before the journal's last event "
            f"({last.astimezone(exported.tzinfo):%Y-%m-%d %H:%M})"
        )
        return check, None
    expected = written(
        report_summary(figures.stats(replayed.standing, replayed.done_days, exported))
    )
    given = report.document["summary"]
    for key, value in expected.items():
        if given.get(key) != value:
            check.problems.append(
                f"summary.{key} is {given.get(key)!r}; the events give {value!r}"
            )
    return check, exported


# --- a zip: its page, and nothing else -----------------------------------------------------


def bundle_of(zipped: ZippedReport, report: LoadedReport) -> Bundle:
    """What the zip holds beside its report (see `Bundle`)."""
    files = frozenset(name for name, info in zipped.members.items() if not info.is_dir())
    return Bundle(
        page=zipped.page_bytes(),
        page_name=zipped.page_name,
        report_name=zipped.report.filename,
        photos_folder=zipped.photos_folder(report.checked.photos_dir),
        files=files,
    )


def _page(
    report: LoadedReport,
    replayed: fold.Replay,
    unsealed: UnsealedList,
    bundle: Bundle,
    exported: datetime | None,
) -> Check:
    """That the zip's page is the one made of the replayed events, showing the very photos
    checked, and that the zip holds nothing an export does not write."""
    from dailylist.report.export import zip_photo_name
    from dailylist.report.pages import render_html

    check = Check("the page says what the report says")
    folder = bundle.photos_folder
    name = folder.rstrip("/").rsplit("/", 1)[-1]  # as the page names it
    allowed = {bundle.report_name, bundle.page_name}
    shown: dict[str, str] = {}
    kept = [photo for entry in replayed.entries for photo in entry.photos]
    kept += [photo for aside in replayed.set_aside for photo in aside.photos]
    for photo in kept:
        allowed |= {folder + photo.stored_name, folder + zip_photo_name(photo)}
        shown[photo.sha256] = f"{name}/{zip_photo_name(photo)}"
    for card in report.checked.postcards:  # the pictures of the author's postcards
        if card.photo is not None:
            picture = f"{card.photo}.jpg"
            allowed.add(folder + picture)
            shown[card.photo] = f"{name}/{picture}"
    extra = sorted(bundle.files - allowed)
    if extra:
        more = f" and {len(extra) - 3} more" if len(extra) > 3 else ""
        check.problems.append(
            f"the zip holds {', '.join(extra[:3])}{more}, which no export writes"
        )
    if bundle.page is None:
        check.problems.append(f"the zip holds no page ({bundle.page_name})")
        return check
    if exported is None:
        check.problems.append("not compared: the report's time of export does not hold")
        return check
    try:
        made_of = diary(unsealed.info, replayed, unsealed, exported, report.checked.postcards)
        if report.checked.format < 3:  # its page had no cover: the letter's picture
            cover = made_of.info.letter_photo
            items = {entry.item.enclosure for entry in made_of.entries}
            pictures = {k: v for k, v in made_of.pictures.items() if k != cover or k in items}
            made_of = replace(made_of, pictures=pictures)
    except DailylistError:
        check.problems.append("not compared: an item of the report does not open with this list")
        return check
    made = render_html(made_of, shown, report.checked.exported_at)
    try:
        page = bundle.page.decode("utf-8")
    except UnicodeDecodeError:
        check.problems.append(f"{bundle.page_name} is not UTF-8 text")
        return check
    said, wanted = _words(page), _words(made)
    for (where, one), (_, other) in zip(said, wanted, strict=False):
        if one != other:
            check.problems.append(
                f"{where}: the page says {_quoted(one)} where the report gives {_quoted(other)}"
            )
            return check
    if len(said) != len(wanted):
        longer = "more" if len(said) > len(wanted) else "less"
        check.problems.append(f"the page says {longer} than the report gives")
    return check


def _quoted(text: str) -> str:
    return repr(text if len(text) <= 80 else text[:77] + "...")


def _words(page: str) -> list[tuple[str, str]]:
    """What a page shows a reader, piece by piece, each with where it is ("day 3", or
    "the page" before the days): its text, and each picture's file."""
    from html.parser import HTMLParser

    found: list[tuple[str, str]] = []

    class Reader(HTMLParser):
        where = "the page"
        hidden = 0

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            values = dict(attrs)
            if tag in ("style", "script", "title"):
                self.hidden += 1
            if tag == "article":
                self.where = (values.get("id") or "a day").replace("-", " ")
            if tag == "img":
                found.append((self.where, f"[picture {values.get('src')}]"))

        def handle_endtag(self, tag: str) -> None:
            if tag in ("style", "script", "title"):
                self.hidden = max(0, self.hidden - 1)

        def handle_data(self, data: str) -> None:
            text = " ".join(data.split())
            if text and not self.hidden:
                found.append((self.where, text))

    reader = Reader(convert_charrefs=True)
    reader.feed(page)
    reader.close()
    return found

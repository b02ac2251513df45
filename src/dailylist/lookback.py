"""Looking back: every completed day of a list, with its item, reflection and photos.

For `journal`, `show` and `export`: these read and check the whole list and journal, replay
it (see `opened.load`), and show the items of completed days only.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from dailylist import enclosures, figures, fold
from dailylist.domain import Item, ListInfo, counted, item_index
from dailylist.errors import BadInput, DailylistError, NotNow
from dailylist.events import Revealed
from dailylist.opened import OpenedList, load
from dailylist.photo_flags import PhotoFlag, photo_flags
from dailylist.rules import ItemSource
from dailylist.sharing import Postcard, postcards_for
from dailylist.store import DataDir, ListFiles, file_sha256

if TYPE_CHECKING:
    from dailylist.report.document import ReportPostcard
    from dailylist.sealed_list import UnsealedList


@dataclass(frozen=True, kw_only=True)
class Day(fold.Entry):
    """A completed day as it stands, with its item: looking back shows what was done."""

    item: Item
    #: The picture enclosed with its item, kept in the data dir (see `enclosures`).
    enclosure: Path | None = None
    #: The author's postcards for this day.
    postcards: tuple[Postcard, ...] = ()


def opened_note(reveal: Revealed, fallback_days: int | None = None) -> str | None:
    """'code sent by postcard', 'opened without the code after N days', or None."""
    if reveal.opened_by == "postcard":
        return "code sent by postcard"
    if reveal.opened_by == "fallback":
        waited = "" if fallback_days is None else f" after {counted(fallback_days, 'day')}"
        return f"opened without the code{waited}"
    return None


def days(
    entries: Iterable[fold.Entry], items: ItemSource, opened: OpenedList | None = None
) -> tuple[Day, ...]:
    """The completed days of `entries`, each with its item, opened with its check-in key;
    with `opened` (the list's files), its picture kept and its postcards."""
    found = []
    for entry in entries:
        item = items.item(entry.index, entry.reveal.item_key)
        picture: Path | None = None
        cards: tuple[Postcard, ...] = ()
        if opened is not None:
            if item.enclosure is not None:
                picture = enclosures.item_picture(
                    opened.files, opened.unsealed, entry.index, entry.reveal.item_key
                )
            cards = tuple(c for c in postcards_for(opened.files, entry.number) if c.day)
        found.append(
            Day(
                reveal=entry.reveal,
                completion=entry.completion,
                amendments=entry.amendments,
                item=item,
                enclosure=picture,
                postcards=cards,
            )
        )
    return tuple(found)


@dataclass(frozen=True)
class Diary:
    """What a report's pages show of a list: its facts, its figures at the export, every
    completed day with its item, the completions set aside and the photos' flags. Made of
    a list's journal (`History.diary`) or, by `verify`, of a report's replayed events."""

    info: ListInfo
    stats: figures.Stats
    entries: tuple[Day, ...]
    set_aside: tuple[fold.SetAside, ...]
    flags: tuple[PhotoFlag, ...]
    #: The author's postcards, as the report holds them (see `report.document`).
    postcards: tuple[ReportPostcard, ...] = ()
    #: What of the postcards cannot be shown, each in a sentence (a damaged file, a
    #: picture gone): said to whoever makes the pages.
    postcard_problems: tuple[str, ...] = ()
    #: The pictures the author enclosed that the pages may show (the letter's, and those
    #: of the items done), by sha256: the same bytes from the sealed list whoever makes it.
    pictures: Mapping[str, bytes] = field(default_factory=dict)

    def flags_of(self, entry: fold.Entry) -> tuple[PhotoFlag, ...]:
        return tuple(flag for flag in self.flags if flag.day == entry.number)

    def postcards_of(self, number: int) -> tuple[ReportPostcard, ...]:
        """The postcards shown with day `number`."""
        return tuple(card for card in self.postcards if card.day == number)

    def postcards_of_no_day(self) -> tuple[ReportPostcard, ...]:
        """The postcards shown at once, with no day of their own."""
        return tuple(card for card in self.postcards if card.day is None)


def diary(
    info: ListInfo,
    replay: fold.Replay,
    items: UnsealedList,
    now: datetime,
    postcards: Sequence[ReportPostcard] = (),
) -> Diary:
    """The diary of a replayed journal at `now`: its days opened with `items` (the sealed
    list, which gives the enclosed pictures too), with the author's `postcards`."""
    stats = figures.stats(replay.standing, replay.done_days, now)
    entries = days(replay.entries, items)
    return Diary(
        info,
        stats,
        entries,
        replay.set_aside,
        photo_flags(replay.entries),
        tuple(postcards),
        pictures=pictures_of(items, entries),
    )


def pictures_of(items: UnsealedList, entries: Sequence[Day]) -> dict[str, bytes]:
    """The enclosed pictures the pages of these days may show: the letter's and each done
    item's, from the sealed list (an item's only once it was revealed)."""
    found: dict[str, bytes] = {}
    letter, sha = items.sealed.letter_photo, items.info.letter_photo
    if sha is not None and letter is not None:
        found[sha] = letter
    for entry in entries:
        sha = entry.item.enclosure
        if sha is not None:
            with contextlib.suppress(DailylistError):
                picture = items.enclosure(entry.index, entry.reveal.item_key)
                if picture is not None:
                    found[sha] = picture
    return found


def shown_postcards(files: ListFiles) -> tuple[tuple[ReportPostcard, ...], tuple[str, ...]]:
    """The postcards received for a list, as reports show them (never a code); and what
    of them cannot be shown (a damaged file, a picture gone)."""
    from dailylist.report.document import ReportPostcard
    from dailylist.sharing import read_postcards

    try:
        received = read_postcards(files).received
    except DailylistError as exc:
        return (), (f"the postcards are not shown: {exc.message}",)
    shown, problems = [], []
    for card in received:
        photo = None if card.photo is None else _kept(files, card.photo)
        if photo != card.photo:
            problems.append(
                f"the picture of the postcard of {card.written_at:%Y-%m-%d} is missing or "
                "damaged (`dailylist doctor` says more); the postcard is shown without it"
            )
        shown.append(
            ReportPostcard(
                written_at=card.written_at,
                note=card.note,
                day=card.day,
                checkin=card.checkin,
                photo=photo,
            )
        )
    return tuple(shown), tuple(problems)


def _kept(files: ListFiles, sha256: str) -> str | None:
    """`sha256`, when the picture it names is kept whole in the list's photo store."""
    path = enclosures.path_of(files, sha256)
    with contextlib.suppress(OSError):
        if path.is_file() and file_sha256(path) == sha256:
            return sha256
    return None


@dataclass(frozen=True)
class History:
    """A list's days so far: its facts, its figures at a moment, and every completed day."""

    info: ListInfo
    stats: figures.Stats
    entries: tuple[Day, ...]
    #: The list's files, read and replayed.
    opened: OpenedList
    #: What the days' photos are flagged for (see `photo_flags`).
    flags: tuple[PhotoFlag, ...] = ()

    def flags_of(self, entry: fold.Entry) -> tuple[PhotoFlag, ...]:
        return tuple(flag for flag in self.flags if flag.day == entry.number)

    @property
    def diary(self) -> Diary:
        set_aside = self.opened.replay.set_aside
        return Diary(
            self.info,
            self.stats,
            self.entries,
            set_aside,
            self.flags,
            *shown_postcards(self.opened.files),
            pictures=pictures_of(self.opened.unsealed, self.entries),
        )


def history(data: DataDir, list_id: str, now: datetime) -> History:
    """Everything done so far on a list; entries carry the texts of completed items only."""
    opened = load(data.list_files(list_id))
    stats = figures.stats(opened.standing, opened.replay.done_days, now)
    entries = days(opened.replay.entries, opened.unsealed, opened)
    flags = photo_flags(opened.replay.entries)
    return History(opened.unsealed.info, stats, entries, opened, flags)


def earlier_reflections(entry: fold.Entry) -> list[str]:
    """What a day's reflection said before it stood as it does, oldest first, for people:
    a version a later one replaced is quoted whole ("first written 21:40: ..."), one a
    later one only added to (`amend --append`) is said in a word ("first written 21:40,
    added to at 22:15"), since it is still there. Empty for a reflection never changed."""
    versions: list[tuple[datetime, str]] = []
    for at, text in entry.reflection_versions:
        if not versions or versions[-1][1] != text:  # the same words again change nothing
            versions.append((at, text))
    lines = []
    for number, (at, text) in enumerate(versions[:-1]):
        then, following = versions[number + 1]
        label = f"{'first written' if number == 0 else 'written'} {at:%H:%M}"
        if following.startswith(text):
            lines.append(f"{label}, added to at {then:%H:%M}")
        else:
            lines.append(f"{label}: {text}")
    return lines


def completed_day(data: DataDir, list_id: str, number: int, now: datetime) -> tuple[History, Day]:
    """Day `number` (1-based) of the journal, or why it can't be shown (never its text)."""
    found = history(data, list_id, now)
    index = item_index(number)
    for entry in found.entries:
        if entry.index == index:
            return found, entry
    if number > found.info.item_count:
        raise BadInput(f"this list has {found.info.item_count} days, not {number}")
    count = len(found.entries)
    done = f"days 1 to {count} are" if count > 1 else "day 1 is"
    so_far = f"; {done} in the journal" if count else ""
    raise NotNow(f"day {number} is not done yet{so_far}")

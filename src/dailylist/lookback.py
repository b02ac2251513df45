"""Looking back: every completed day of a list, with its item, reflection and photos.

For `journal`, `show` and `export`: these read and check the whole list and journal, and
decrypt the items of completed days only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from dailylist import rules
from dailylist.errors import BadInput, NotNow
from dailylist.recipient import list_name, revealed_item
from dailylist.store import DataDir

if TYPE_CHECKING:
    from dailylist.models import ItemContent, Journal, PhotoRecord, SealedHeader
    from dailylist.sealing import UnsealedList


@dataclass(frozen=True)
class JournalEntry:
    number: int
    day: date
    at: datetime
    revealed_at: datetime
    item: ItemContent
    reflection: str | None
    photos: tuple[PhotoRecord, ...]
    photo_taken_before_reveal: bool
    amended: bool = False


@dataclass(frozen=True)
class ListOverview:
    list_id: str
    name: str
    header: SealedHeader
    fingerprint: str
    stats: rules.Stats
    entries: tuple[JournalEntry, ...]


def overview(
    data: DataDir, list_id: str, now: datetime, *, with_entries: bool = True
) -> ListOverview:
    """Everything done so far on a list; entries carry the texts of completed items only."""
    return describe(
        list_id, data.load_list(list_id), data.load_journal(list_id), now, with_entries
    )


def describe(
    list_id: str,
    unsealed: UnsealedList,
    journal: Journal,
    now: datetime,
    with_entries: bool = True,
) -> ListOverview:
    """The overview of a list from its loaded files (no I/O)."""
    from dailylist.sealing import fingerprint

    header = unsealed.header
    state = rules.progress(journal, header.item_count)
    completions = state.completions if with_entries else ()
    entries = tuple(
        JournalEntry(
            number=done.index + 1,
            day=done.day,
            at=done.at,
            revealed_at=state.reveals[done.index].at,
            item=revealed_item(unsealed, state, done.index),
            reflection=done.reflection,
            photos=tuple(done.photos),
            photo_taken_before_reveal=done.photo_taken_before_reveal,
            amended=done.amended,
        )
        for done in completions
    )
    return ListOverview(
        list_id=list_id,
        name=list_name(header),
        header=header,
        fingerprint=fingerprint(unsealed.sealed.public_key),
        stats=rules.stats(state.standing, header.settings.day_starts_at, now),
        entries=entries,
    )


def completed_day(
    data: DataDir, list_id: str, number: int, now: datetime
) -> tuple[ListOverview, JournalEntry]:
    """Day `number` (1-based) of the journal, or why it can't be shown (never its text)."""
    view = overview(data, list_id, now)
    for entry in view.entries:
        if entry.number == number:
            return view, entry
    if number > view.header.item_count:
        raise BadInput(f"this list has {view.header.item_count} days, not {number}")
    done = f"days 1 to {len(view.entries)} are" if len(view.entries) > 1 else "day 1 is"
    so_far = f"; {done} in the journal" if view.entries else ""
    raise NotNow(f"day {number} is not done yet{so_far}")

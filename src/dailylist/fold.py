"""The fold of a journal's events through the rules: where a list stands, its completed
days as they stand, and the events the app would not have written.

The app's reads and writes (`opened.load`), `doctor`, `verify` (a report's events) and a
merge of several devices' events all replay events here; each event is judged by
`rules.judge` and folded in by `rules.apply`, so nothing decides twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from dailylist.domain import day_number
from dailylist.errors import DailylistError
from dailylist.events import Amended, Completed, Event, PhotoRecord, Revealed
from dailylist.rules import ItemSource, Standing, apply, judge


@dataclass(frozen=True)
class Entry:
    """A completed day that counts, as it stands: its reveal, its completion, and the
    amendments made to it on its day."""

    reveal: Revealed
    completion: Completed
    amendments: tuple[Amended, ...] = ()

    @property
    def index(self) -> int:
        return self.completion.index

    @property
    def number(self) -> int:
        return day_number(self.completion.index)

    @property
    def day(self) -> date:
        return self.completion.day

    @property
    def at(self) -> datetime:
        return self.completion.at

    @property
    def revealed_at(self) -> datetime:
        return self.reveal.at

    @property
    def reflection(self) -> str | None:
        changed = [a.reflection for a in self.amendments if a.reflection is not None]
        return changed[-1] if changed else self.completion.reflection

    @property
    def photos(self) -> tuple[PhotoRecord, ...]:
        changed = [a.photos for a in self.amendments if a.photos is not None]
        return changed[-1] if changed else self.completion.photos

    @property
    def photo_taken_before_reveal(self) -> bool:
        flags = [a.photo_taken_before_reveal for a in self.amendments]
        changed = [flag for flag in flags if flag is not None]
        return changed[-1] if changed else self.completion.photo_taken_before_reveal

    @property
    def amended(self) -> bool:
        return bool(self.amendments)


@dataclass(frozen=True)
class Refusal:
    """An event the app would not have written: where it is in the journal, and why."""

    position: int
    event: Event
    reason: str


@dataclass(frozen=True)
class Replay:
    """The fold of a journal's events: where the list stands, its days as they stand, and
    the events that do not count."""

    standing: Standing
    entries: tuple[Entry, ...]
    refused: tuple[Refusal, ...]

    @property
    def done_days(self) -> tuple[date, ...]:
        """The list day of each completion that counts, in order."""
        return tuple(entry.day for entry in self.entries)


def replay(events: Iterable[Event], start: Standing, items: ItemSource) -> Replay:
    """Fold `events` into `start` (a list's empty standing), judging each one.

    An event the app would not have written does not count and is listed in `refused`.
    """
    standing, refused = start, []
    # Each day's amendments are gathered in a list and made a tuple once, at the end: one
    # tuple made again on each amendment would make a day of many amendments quadratic.
    days: list[tuple[Revealed, Completed, list[Amended]]] = []
    reveal: Revealed | None = None
    for position, event in enumerate(events):
        try:
            judge(standing, event, items)
        except DailylistError as error:
            refused.append(Refusal(position, event, error.message))
            continue
        if isinstance(event, Revealed):
            reveal = event
        elif isinstance(event, Completed):
            assert reveal is not None
            days.append((reveal, event, []))
        elif isinstance(event, Amended):
            days[-1][2].append(event)
        standing = apply(standing, event)
    entries = [Entry(shown, done, tuple(changes)) for shown, done, changes in days]
    return Replay(standing, tuple(entries), tuple(refused))

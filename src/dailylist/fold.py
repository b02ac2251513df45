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
        """The day's reflection as it stands (None when there is none, or when the last one
        written is withheld from this copy, only committed to)."""
        changed = [a.reflection for a in self.amendments if a.reflects]
        return changed[-1] if changed else self.completion.reflection

    @property
    def photos(self) -> tuple[PhotoRecord, ...]:
        changed = [a.photos for a in self.amendments if a.photos is not None]
        return changed[-1] if changed else self.completion.photos

    @property
    def reflection_versions(self) -> tuple[tuple[datetime, str], ...]:
        """Every version of the day's reflection, oldest first, each with when it was
        written: the completion's, then each amendment's that changed it. The last is the
        reflection as it stands."""
        versions = [(self.completion.at, self.completion.reflection)]
        versions += [(a.at, a.reflection) for a in self.amendments]
        return tuple((at, text) for at, text in versions if text is not None)

    @property
    def photos_given_at(self) -> datetime:
        """When the day's photos as they stand were given: at its completion, or at the
        last amendment that changed them."""
        changed = [a.at for a in self.amendments if a.photos is not None]
        return changed[-1] if changed else self.completion.at

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
class SetAside:
    """A completion another device's completion of the same day (or of a later one) came
    before: valid on the device that wrote it, which had not yet seen the other; kept in
    the journal and reported, never counted. With the amendments made to it there."""

    position: int
    completion: Completed
    amendments: tuple[Amended, ...]
    #: Why it does not count, as the rules say it.
    reason: str

    @property
    def index(self) -> int:
        return self.completion.index

    @property
    def number(self) -> int:
        return day_number(self.completion.index)

    @property
    def reflection(self) -> str | None:
        """The day's reflection as it stands (None when there is none, or when the last one
        written is withheld from this copy, only committed to)."""
        changed = [a.reflection for a in self.amendments if a.reflects]
        return changed[-1] if changed else self.completion.reflection

    @property
    def photos(self) -> tuple[PhotoRecord, ...]:
        changed = [a.photos for a in self.amendments if a.photos is not None]
        return changed[-1] if changed else self.completion.photos


@dataclass(frozen=True)
class Replay:
    """The fold of a journal's events: where the list stands, its days as they stand, the
    events that do not count because of another device's (`passed_over`: valid where they
    were written; the completions among them are `set_aside`), and those the app would
    never have written (`refused`)."""

    standing: Standing
    entries: tuple[Entry, ...]
    refused: tuple[Refusal, ...]
    passed_over: tuple[Refusal, ...] = ()
    set_aside: tuple[SetAside, ...] = ()

    @property
    def done_days(self) -> tuple[date, ...]:
        """The list day of each completion that counts, in order."""
        return tuple(entry.day for entry in self.entries)


def replay(events: Iterable[Event], start: Standing, items: ItemSource) -> Replay:
    """Fold `events` (in the order `chain.in_order` gives) into `start`, a list's empty
    standing, judging each one.

    Each event is judged against the events counted before it ("here"), and, when its
    device cannot have known all of those, against its own history too ("there"): where
    the list stood for the device that wrote it, which is this same fold of every event it
    descends from through `prev` and `merges`. An event whose device knew every event
    before it (it names, as `prev` and `merges`, every one that no later one names), as
    every event of a one-device journal does, is judged once. Counted here, an event
    counts. Valid only in its own history, it was written on a device that had not yet
    seen another's events that came first: it is passed over, and kept. Valid in neither,
    the app would never have written it: it is refused.
    """
    if start.current is not None:
        raise ValueError("a replay starts before any reveal")
    here = _Fold(start, None)
    history = _History(start)
    refused: list[Refusal] = []
    passed_over: list[Refusal] = []
    # Each day's amendments are gathered in a list and made a tuple once, at the end: one
    # tuple made again on each amendment would make a day of many amendments quadratic.
    days: list[tuple[Revealed, Completed, list[Amended]]] = []
    aside: dict[str, tuple[int, Completed, list[Amended], str]] = {}
    reveal: Revealed | None = None
    tips: set[str] = set()  # the events before this one that none names (yet)
    for position, event in enumerate(events):
        parents = set(event.parents)
        knew_all = tips <= parents  # its device knew every event before it
        mine = here if knew_all else history.before(event, parents, items)
        tips = (tips - parents) | {event.id}
        why = _verdict(here, event, mine.counted, items)
        there = why if knew_all else _refusal(mine.standing, event, items)
        if why is None:
            if isinstance(event, Revealed):
                reveal = event
            elif isinstance(event, Completed) and reveal is not None:
                days.append((reveal, event, []))
            elif isinstance(event, Amended) and days:
                days[-1][2].append(event)
            here = here.taking(event)
        elif there is None:
            passed_over.append(Refusal(position, event, why))
            if isinstance(event, Completed):
                aside[event.id] = (position, event, [], why)
            elif isinstance(event, Amended) and mine.counted in aside:
                aside[mine.counted][2].append(event)
        else:
            refused.append(Refusal(position, event, why))
        own = here if knew_all else mine.taking(event) if there is None else mine
        history.add(event, mine.counted, own, here)
    entries = [Entry(shown, done, tuple(changes)) for shown, done, changes in days]
    set_aside = [
        SetAside(p, done, tuple(changes), why) for p, done, changes, why in aside.values()
    ]
    return Replay(
        here.standing, tuple(entries), tuple(refused), tuple(passed_over), tuple(set_aside)
    )


@dataclass(frozen=True)
class _Fold:
    """Where a list stands after some events, and the id of the last completion counted."""

    standing: Standing
    counted: str | None

    def taking(self, event: Event) -> _Fold:
        """This fold with `event`, judged acceptable, counted."""
        done = event.id if isinstance(event, Completed) else self.counted
        return _Fold(apply(self.standing, event), done)


def _verdict(fold: _Fold, event: Event, amends: str | None, items: ItemSource) -> str | None:
    """Why `event` does not count after `fold`, or None when it does: the rules' refusal,
    or, for an amendment, that it amends another completion than the one counted there
    (`amends`: the last completion its device had counted)."""
    why = _refusal(fold.standing, event, items)
    if why is None and isinstance(event, Amended) and amends != fold.counted:
        return "it amends a completion that another device's came before"
    return why


def _refusal(standing: Standing, event: Event, items: ItemSource) -> str | None:
    """Why the rules refuse `event` after `standing`, or None when they take it."""
    try:
        judge(standing, event, items)
    except DailylistError as error:
        return error.message
    return None


class _History:
    """The events a replay has folded so far, in order, with where the list stood after
    each (here) and in each one's own history: what it takes to say where the list stood
    for the device that wrote the next event."""

    def __init__(self, start: Standing) -> None:
        self.start = _Fold(start, None)
        self.events: list[Event] = []
        self.here: list[_Fold] = []  # the fold here after each event
        self.own: dict[str, _Fold] = {}  # each event's own history, once it is added
        self.amends: dict[str, str | None] = {}  # its device's last completion before it
        self.places: dict[str, int] = {}

    def add(self, event: Event, amends: str | None, own: _Fold, here: _Fold) -> None:
        self.places.setdefault(event.id, len(self.events))
        self.events.append(event)
        self.here.append(here)
        self.own[event.id] = own
        self.amends[event.id] = amends

    def before(self, event: Event, parents: set[str], items: ItemSource) -> _Fold:
        """Where the list stood for the device that wrote `event`, naming `parents`."""
        if len(parents) <= 1:  # one line: where its prev left it
            return self.own.get(event.prev or "", self.start)
        return self._merged(parents, items)

    def _merged(self, parents: set[str], items: ItemSource) -> _Fold:
        """For an event whose device had merged other devices' lines, though not all: the
        fold of every event it descends from, in this replay's order (the order every
        device computes, so the one its device computed).

        Up to the first event it did not know, that fold is the one already made here;
        only the events it knew after that one are folded again, so a merge costs what its
        device had not seen, not the whole journal."""
        known: set[int] = set()
        waiting = [self.places[p] for p in parents if p in self.places]
        while waiting:
            found = waiting.pop()
            if found not in known:
                known.add(found)
                waiting.extend(
                    self.places[p] for p in self.events[found].parents if p in self.places
                )
        first = next((i for i in range(len(self.events)) if i not in known), len(self.events))
        fold = self.here[first - 1] if first else self.start
        for place in sorted(known):
            if place > first:
                event = self.events[place]
                if _verdict(fold, event, self.amends[event.id], items) is None:
                    fold = fold.taking(event)
        return fold

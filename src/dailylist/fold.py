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
        changed = [a.reflection for a in self.amendments if a.reflection is not None]
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

    Each event is judged against the events counted before it, and, when its device cannot
    have known all of those, against its own history too: the line of events it descends
    from through `prev`. An event that names (as `prev` and `merges`) every event before it
    that no other names knew them all (its device computed this same order), as every
    event of a one-device journal does: it is judged once. Counted before it, an event
    counts. Valid only in its own history, it was written on a device that had not yet
    seen another's events that came first: it is passed over, and kept. Valid in neither,
    the app would never have written it: it is refused.
    """
    standing, counted = start, None  # `counted`: the id of the last completion counted
    #: Each event's own history: where the list stood after it, and its last completion.
    own: dict[str, tuple[Standing, str | None]] = {}
    refused: list[Refusal] = []
    passed_over: list[Refusal] = []
    # Each day's amendments are gathered in a list and made a tuple once, at the end: one
    # tuple made again on each amendment would make a day of many amendments quadratic.
    days: list[tuple[Revealed, Completed, list[Amended]]] = []
    aside: dict[str, tuple[int, Completed, list[Amended], str]] = {}
    reveal: Revealed | None = None
    tips: set[str] = set()  # the events before this one that none names (yet)
    before: list[Event] = []
    #: Where the list stood after each event of `before`, and its last completion counted.
    states: list[tuple[Standing, str | None]] = []
    places: dict[str, int] = {}  # each event's position in `before`
    for position, event in enumerate(events):
        parents = set(event.parents)
        if tips <= parents:  # its device knew every event before it
            mine, mine_done = standing, counted
        elif len(parents) > 1:  # it knew several lines, though not all: replay those
            mine, mine_done = _history(before, states, places, parents, start, items)
        elif event.prev is not None and event.prev in own:
            mine, mine_done = own[event.prev]
        else:
            mine, mine_done = start, None
        before.append(event)
        tips = (tips - parents) | {event.id}
        here = _refusal(standing, event, items)
        there = here if mine is standing else _refusal(mine, event, items)
        if here is None and isinstance(event, Amended) and mine_done != counted:
            here = "it amends a completion that another device's came before"
        if here is None:
            if isinstance(event, Revealed):
                reveal = event
            elif isinstance(event, Completed):
                assert reveal is not None
                days.append((reveal, event, []))
                counted = event.id
            elif isinstance(event, Amended):
                days[-1][2].append(event)
            moved = apply(standing, event)
            if mine is standing:
                own[event.id] = (moved, counted)
            elif there is None:
                own[event.id] = (apply(mine, event), _done(event, mine_done))
            standing = moved
        elif there is None:
            passed_over.append(Refusal(position, event, here))
            if isinstance(event, Completed):
                aside[event.id] = (position, event, [], here)
            elif isinstance(event, Amended) and mine_done in aside:
                aside[mine_done][2].append(event)
            own[event.id] = (apply(mine, event), _done(event, mine_done))
        else:
            refused.append(Refusal(position, event, here))
        own.setdefault(event.id, (mine, mine_done))
        places.setdefault(event.id, len(before) - 1)
        states.append((standing, counted))
    entries = [Entry(shown, done, tuple(changes)) for shown, done, changes in days]
    set_aside = [
        SetAside(p, done, tuple(changes), why) for p, done, changes, why in aside.values()
    ]
    return Replay(standing, tuple(entries), tuple(refused), tuple(passed_over), tuple(set_aside))


def _refusal(standing: Standing, event: Event, items: ItemSource) -> str | None:
    """Why the rules refuse `event` after `standing`, or None when they take it."""
    try:
        judge(standing, event, items)
    except DailylistError as error:
        return error.message
    return None


def _history(
    before: list[Event],
    states: list[tuple[Standing, str | None]],
    places: dict[str, int],
    parents: set[str],
    start: Standing,
    items: ItemSource,
) -> tuple[Standing, str | None]:
    """Where the list stood for a device whose event names `parents`, having merged other
    devices' lines: the replay of every event it descends from, in the order of `before`
    (the order every device computes), and its last completion counted.

    Up to the first event it did not know, that replay is the one already made (`states`);
    only the events it knew after that one are replayed again, so a merge costs what its
    device had not seen, not the whole journal."""
    known: set[int] = set()
    waiting = [places[p] for p in parents if p in places]
    while waiting:
        found = waiting.pop()
        if found not in known:
            known.add(found)
            waiting.extend(places[p] for p in before[found].parents if p in places)
    first = next((i for i in range(len(before)) if i not in known), len(before))
    standing, last = states[first - 1] if first else (start, None)
    rest = [before[i] for i in sorted(known) if i > first]
    if not rest:
        return standing, last
    again = replay(rest, standing, items)
    return again.standing, again.entries[-1].completion.id if again.entries else last


def _done(event: Event, before: str | None) -> str | None:
    """The last completion of a history, once `event` is added to it."""
    return event.id if isinstance(event, Completed) else before

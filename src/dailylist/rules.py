"""The rules of a list, as pure functions of where the list stands and the time.

Nothing here reads the clock, touches disk or decrypts anything: callers pass `now` (an
aware datetime in the user's zone) and act on the answer. All state (the current item,
whether today is used, streaks, missed days) is derived from the journal's events: `progress`
folds them into a `Progress`, whose `standing` is all that `decide_today` and `stats` need.
A `Standing` is small and made of standard types, so a snapshot can keep it (see
`snapshot`), and this module imports no pydantic.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

from dailylist.days import check_clock, day_of, day_start, next_unlock
from dailylist.errors import NotNow

if TYPE_CHECKING:
    from dailylist.models import (
        AmendedEvent,
        CompletedEvent,
        Event,
        Journal,
        PhotoRecord,
        RevealedEvent,
    )

__all__ = [
    "Available",
    "Completion",
    "Finished",
    "Progress",
    "Reveal",
    "Standing",
    "Stats",
    "Waiting",
    "amendable",
    "amendable_index",
    "check_clock",
    "completable_index",
    "day_of",
    "day_start",
    "decide_today",
    "progress",
    "stats",
    "with_amendments",
]


@dataclass(frozen=True)
class Completion:
    """A completed day as it stands: the completion, and any same-day amendments to it."""

    event: CompletedEvent
    amendments: tuple[AmendedEvent, ...] = ()

    @property
    def index(self) -> int:
        return self.event.index

    @property
    def day(self) -> date:
        return self.event.day

    @property
    def at(self) -> datetime:
        return self.event.at

    @property
    def reflection(self) -> str | None:
        changed = [a.reflection for a in self.amendments if a.reflection is not None]
        return changed[-1] if changed else self.event.reflection

    @property
    def photos(self) -> list[PhotoRecord]:
        changed = [a.photos for a in self.amendments if a.photos is not None]
        return changed[-1] if changed else self.event.photos

    @property
    def photo_taken_before_reveal(self) -> bool:
        changed = [a for a in self.amendments if a.photos is not None]
        if changed and changed[-1].photo_taken_before_reveal is not None:
            return changed[-1].photo_taken_before_reveal
        return self.event.photo_taken_before_reveal

    @property
    def amended(self) -> bool:
        return bool(self.amendments)


def with_amendments(
    completions: list[CompletedEvent], amendments: list[AmendedEvent]
) -> list[Completion]:
    """Pair each completion with the amendments made to it on its own day (others are void)."""
    return [
        Completion(
            event,
            tuple(a for a in amendments if a.index == event.index and a.day == event.day),
        )
        for event in completions
    ]


@dataclass(frozen=True)
class Reveal:
    """The first reveal of an item (a check-in item's reveal keeps the key its code gave)."""

    index: int
    at: datetime
    item_key: bytes | None = None


@dataclass(frozen=True)
class Standing:
    """Where a list stands: everything the rules need to decide today and tell progress.

    It is the fold of the journal's events with `after`, one event at a time, so a command
    that appends one event can move a known standing on without reading the journal again.
    """

    item_count: int
    #: The day of each completion that counts, in order (completion i is of item i).
    done_days: tuple[date, ...] = ()
    first_revealed_at: datetime | None = None
    #: The first reveal of each item not done yet (normally only the current one), by index.
    reveals_ahead: tuple[Reveal, ...] = ()
    last_event_at: datetime | None = None

    @property
    def done_count(self) -> int:
        return len(self.done_days)

    @property
    def finished(self) -> bool:
        return self.done_count >= self.item_count

    @property
    def current_index(self) -> int:
        """The index of the next item to complete (== item_count when finished)."""
        return self.done_count

    @property
    def current_reveal(self) -> Reveal | None:
        """The reveal of the next item to complete, once it has been revealed."""
        return next((r for r in self.reveals_ahead if r.index == self.current_index), None)

    @property
    def last_done_day(self) -> date | None:
        return self.done_days[-1] if self.done_days else None

    def after(self, event: Event) -> Standing:
        """Where the list stands once `event` is added to its journal.

        Only completions that follow the rules count (the item in order, revealed first, on
        a later day than the one before), so a journal merged from elsewhere can't skip
        ahead; only the first reveal of an item counts.
        """
        last_at = self.last_event_at
        if last_at is None or event.at.astimezone(UTC) > last_at.astimezone(UTC):
            last_at = event.at
        moved = replace(self, last_event_at=last_at)
        if event.kind == "revealed":
            if event.index == 0 and self.first_revealed_at is None:
                moved = replace(moved, first_revealed_at=event.at)
            known = any(r.index == event.index for r in self.reveals_ahead)
            if event.index >= self.current_index and not known:
                reveal = Reveal(event.index, event.at, event.item_key)
                ahead = sorted((*self.reveals_ahead, reveal), key=lambda r: r.index)
                moved = replace(moved, reveals_ahead=tuple(ahead))
        elif event.kind == "completed" and self.counts(event.index, event.day):
            still_ahead = tuple(r for r in self.reveals_ahead if r.index > event.index)
            done_days = (*self.done_days, event.day)
            moved = replace(moved, done_days=done_days, reveals_ahead=still_ahead)
        return moved

    def counts(self, index: int, day: date) -> bool:
        """Whether a completion of item `index` on list day `day` would count."""
        in_order = index == self.current_index and self.current_reveal is not None
        later_day = self.last_done_day is None or day > self.last_done_day
        return in_order and later_day and index < self.item_count


@dataclass(frozen=True)
class Progress:
    """What the journal says has happened so far, event by event."""

    standing: Standing
    completions: tuple[Completion, ...]
    reveals: dict[int, RevealedEvent]

    @property
    def done_count(self) -> int:
        return len(self.completions)

    @property
    def last_completion(self) -> Completion | None:
        return self.completions[-1] if self.completions else None


def progress(journal: Journal, item_count: int) -> Progress:
    """Fold the journal's events into a `Progress` (see `Standing.after` for what counts)."""
    standing = Standing(item_count)
    completions: list[CompletedEvent] = []
    amendments: list[AmendedEvent] = []
    reveals: dict[int, RevealedEvent] = {}
    for event in journal.events:
        done_before = standing.done_count
        standing = standing.after(event)
        if event.kind == "revealed":
            reveals.setdefault(event.index, event)
        elif event.kind == "completed" and standing.done_count > done_before:
            completions.append(event)
        elif event.kind == "amended":
            amendments.append(event)
    return Progress(standing, tuple(with_amendments(completions, amendments)), reveals)


@dataclass(frozen=True)
class Available:
    """Item `index` may be shown now; `newly` means this is its first reveal."""

    index: int
    newly: bool


@dataclass(frozen=True)
class Waiting:
    """Today's item is done; the next one unlocks at `unlocks_at`."""

    done_index: int
    unlocks_at: datetime


@dataclass(frozen=True)
class Finished:
    """Every item is done."""


TodayDecision = Available | Waiting | Finished


def decide_today(standing: Standing, day_starts_at: time, now: datetime) -> TodayDecision:
    """What `today` may show at `now`: never an item ahead, never two in one day."""
    check_clock(standing.last_event_at, now)
    if standing.finished:
        return Finished()
    unlocks = next_unlock(standing.last_done_day, day_starts_at, now)
    if unlocks is not None:
        return Waiting(done_index=standing.done_count - 1, unlocks_at=unlocks)
    return Available(index=standing.current_index, newly=standing.current_reveal is None)


def completable_index(standing: Standing, day_starts_at: time, now: datetime) -> int:
    """The index that `done` may complete at `now`, or `NotNow` saying why not."""
    decision = decide_today(standing, day_starts_at, now)
    if isinstance(decision, Finished):
        raise NotNow("every item of this list is already done")
    if isinstance(decision, Waiting):
        raise NotNow(
            f"today's item (day {decision.done_index + 1}) is already done; one a day. "
            f"The next one unlocks {decision.unlocks_at:%Y-%m-%d %H:%M}"
        )
    if decision.newly:
        raise NotNow("today's item has not been revealed yet: run `dailylist today` first")
    return decision.index


def amendable_index(standing: Standing, day_starts_at: time, now: datetime) -> int:
    """The index of today's completed item, which may still be amended; `NotNow` once the
    day is over."""
    check_clock(standing.last_event_at, now)
    if standing.last_done_day is None or standing.last_done_day != day_of(now, day_starts_at):
        raise NotNow("only today's completed item can be amended, and only today")
    return standing.done_count - 1


def amendable(state: Progress, day_starts_at: time, now: datetime) -> Completion:
    """Today's completed day as it stands, which may still be amended (see `amendable_index`)."""
    return state.completions[amendable_index(state.standing, day_starts_at, now)]


@dataclass(frozen=True)
class Stats:
    """Everything `status` shows about one list."""

    done_count: int
    item_count: int
    streak: int
    missed_days: tuple[date, ...]
    today: date
    state: str  # "not-started" | "waiting-for-you" | "done-today" | "finished"
    unlocks_at: datetime | None


def stats(standing: Standing, day_starts_at: time, now: datetime) -> Stats:
    """Progress, streak and missed days at `now` (missed days pause a list, never skip)."""
    today = day_of(now, day_starts_at)
    done_days = set(standing.done_days)
    last_day = standing.last_done_day

    missed: list[date] = []
    first = standing.first_revealed_at
    if first is not None:
        start = day_of(first.astimezone(now.tzinfo), day_starts_at)
        end = last_day if standing.finished and last_day else today - timedelta(days=1)
        day = start
        while day <= end:
            if day not in done_days:
                missed.append(day)
            day += timedelta(days=1)

    streak = 0
    day = today if today in done_days else today - timedelta(days=1)
    while day in done_days:
        streak += 1
        day -= timedelta(days=1)

    unlocks_at = None if standing.finished else next_unlock(last_day, day_starts_at, now)
    if standing.finished:
        label = "finished"
    elif unlocks_at is not None:
        label = "done-today"
    elif first is None:
        label = "not-started"
    else:
        label = "waiting-for-you"
    return Stats(
        done_count=standing.done_count,
        item_count=standing.item_count,
        streak=streak,
        missed_days=tuple(missed),
        today=today,
        state=label,
        unlocks_at=unlocks_at,
    )

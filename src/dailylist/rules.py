"""The rules of a list, as pure functions of the list's header, its journal and the time.

Nothing here reads the clock, touches disk or decrypts anything: callers pass `now` (an
aware datetime in the user's zone) and act on the answer. All state (the current item,
whether today is used, streaks, missed days) is derived from the journal's events.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from dailylist.days import day_of, day_start, zone_of
from dailylist.errors import NotNow
from dailylist.models import (
    AmendedEvent,
    CompletedEvent,
    ItemContent,
    Journal,
    PhotoRecord,
    PhotoRule,
    ReflectionRule,
    RevealedEvent,
    SealedHeader,
)

__all__ = [
    "Available",
    "Completion",
    "Finished",
    "Progress",
    "Stats",
    "Waiting",
    "amendable",
    "check_clock",
    "completable_index",
    "day_of",
    "day_start",
    "decide_today",
    "photo_rule",
    "progress",
    "reflection_rule",
    "stats",
    "with_amendments",
]

#: How far the clock may read before the journal's last event before we stop trusting it.
CLOCK_TOLERANCE = timedelta(minutes=5)


def photo_rule(header: SealedHeader, item: ItemContent) -> PhotoRule:
    """Whether a photo is required for `item`: its own setting, else the list's."""
    return item.photo or header.settings.photo


def reflection_rule(header: SealedHeader, item: ItemContent) -> ReflectionRule:
    """Whether a reflection is required, optional or off for `item`."""
    return item.reflection or header.settings.reflection


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
class Progress:
    """What the journal says has happened so far."""

    item_count: int
    completions: tuple[Completion, ...]
    reveals: dict[int, RevealedEvent]
    last_event_at: datetime | None

    @property
    def done_count(self) -> int:
        return len(self.completions)

    @property
    def finished(self) -> bool:
        return self.done_count >= self.item_count

    @property
    def current_index(self) -> int:
        """The index of the next item to complete (== item_count when finished)."""
        return self.done_count

    @property
    def last_completion(self) -> Completion | None:
        return self.completions[-1] if self.completions else None

    def first_reveal(self) -> RevealedEvent | None:
        return self.reveals.get(0)


def progress(journal: Journal, item_count: int) -> Progress:
    """Fold the journal's events into a `Progress`.

    Only completions that follow the rules count (the item in order, revealed first, on a
    later day than the one before), so a journal merged from elsewhere can't skip ahead.
    """
    completions: list[CompletedEvent] = []
    amendments: list[AmendedEvent] = []
    reveals: dict[int, RevealedEvent] = {}
    last_at: datetime | None = None
    for event in journal.events:
        if last_at is None or event.at.astimezone(UTC) > last_at.astimezone(UTC):
            last_at = event.at
        if isinstance(event, RevealedEvent):
            reveals.setdefault(event.index, event)
        elif isinstance(event, CompletedEvent):
            in_order = event.index == len(completions) and event.index in reveals
            later_day = not completions or event.day > completions[-1].day
            if in_order and later_day and event.index < item_count:
                completions.append(event)
        elif isinstance(event, AmendedEvent):
            amendments.append(event)
    return Progress(item_count, tuple(with_amendments(completions, amendments)), reveals, last_at)


def check_clock(state: Progress, now: datetime) -> None:
    """Refuse to act when the clock reads earlier than the journal's last event."""
    last = state.last_event_at
    if last is not None and now.astimezone(UTC) < last.astimezone(UTC) - CLOCK_TOLERANCE:
        raise NotNow(
            f"the clock reads {now:%Y-%m-%d %H:%M}, earlier than the journal's last entry "
            f"({last.astimezone(now.tzinfo):%Y-%m-%d %H:%M}); set the clock right and try again"
        )


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


def decide_today(header: SealedHeader, journal: Journal, now: datetime) -> TodayDecision:
    """What `today` may show at `now`: never an item ahead, never two in one day."""
    state = progress(journal, header.item_count)
    check_clock(state, now)
    if state.finished:
        return Finished()
    last = state.last_completion
    day_starts_at = header.settings.day_starts_at
    if last is not None and day_of(now, day_starts_at) <= last.day:
        unlocks = day_start(last.day + timedelta(days=1), day_starts_at, zone_of(now))
        return Waiting(done_index=last.index, unlocks_at=unlocks)
    index = state.current_index
    return Available(index=index, newly=index not in state.reveals)


def completable_index(header: SealedHeader, journal: Journal, now: datetime) -> int:
    """The index that `done` may complete at `now`, or `NotNow` saying why not."""
    decision = decide_today(header, journal, now)
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


def amendable(header: SealedHeader, journal: Journal, now: datetime) -> Completion:
    """Today's completed day, which may still be amended; `NotNow` once the day is over."""
    state = progress(journal, header.item_count)
    check_clock(state, now)
    last = state.last_completion
    if last is None or last.day != day_of(now, header.settings.day_starts_at):
        raise NotNow("only today's completed item can be amended, and only today")
    return last


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


def stats(header: SealedHeader, journal: Journal, now: datetime) -> Stats:
    """Progress, streak and missed days at `now` (missed days pause a list, never skip)."""
    state = progress(journal, header.item_count)
    day_starts_at = header.settings.day_starts_at
    today = day_of(now, day_starts_at)
    done_days = {event.day for event in state.completions}

    first = state.first_reveal()
    missed: list[date] = []
    if first is not None:
        start = day_of(first.at.astimezone(now.tzinfo), day_starts_at)
        last = state.last_completion
        end = last.day if state.finished and last is not None else today - timedelta(days=1)
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

    unlocks_at: datetime | None = None
    if state.finished:
        label = "finished"
    elif state.last_completion is not None and today <= state.last_completion.day:
        label = "done-today"
        next_day = state.last_completion.day + timedelta(days=1)
        unlocks_at = day_start(next_day, day_starts_at, zone_of(now))
    elif first is None:
        label = "not-started"
    else:
        label = "waiting-for-you"
    return Stats(
        done_count=state.done_count,
        item_count=header.item_count,
        streak=streak,
        missed_days=tuple(missed),
        today=today,
        state=label,
        unlocks_at=unlocks_at,
    )

"""The rules of a list: one fold of its journal's events, and every decision made from it.

Where a list stands (`Standing`) is the fold of its events with `apply`, each event first
judged by `judge`: whether the app would have written it at its own time and in its own
zone. `judge` asks the very functions the app asks before it writes (`revealable`,
`completable`, `amendable`, `check_proof`), so `today`, `done`, `amend`, `status`, `doctor`,
`verify` (a replay of a report's events) and a merge of several devices' events all decide
alike: there is no second copy of any rule.

Pure: nothing here reads the clock or a file. Callers pass `now`, an aware datetime in the
zone in force, and the items through `ItemSource` (which decrypts them).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sized
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Protocol, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dailylist.days import (
    CLOCK_TOLERANCE,
    check_clock,
    clock_behind,
    day_of,
    day_start,
    in_range,
    unlock,
    utc,
)
from dailylist.domain import Item, Requirements, Settings, day_number
from dailylist.errors import BadInput, NotNow

if TYPE_CHECKING:
    from dailylist.events import Amended, Completed, Event

#: No three items are ever revealed closer together than this, whatever the zones. In one
#: zone it never binds (the shortest list day is 23 hours); it stops a flight east over many
#: zones, or a hand-set zone, from opening a third item on the same real day.
REVEAL_SPACING = timedelta(hours=23)


class ItemSource(Protocol):
    """Where the rules get an item's own rules: a sealed list, decrypting. The fold opens
    an item only when it must (a check-in's key to prove, a completion without a photo or
    a reflection), so that replaying years of days stays quick."""

    def is_checkin(self, index: int) -> bool:
        """Whether item `index` opens only with the key its author's code gives."""
        ...

    def item(self, index: int, key: bytes | None) -> Item:
        """Item `index`, opened with its check-in `key` if it is a check-in item; a
        `DailylistError` saying why not when it cannot be opened so."""
        ...


# --- where a list stands -------------------------------------------------------------------


@dataclass(frozen=True)
class Reveal:
    """The reveal of the item to do now (a check-in item's keeps the key its code gave)."""

    index: int
    at: datetime
    item_key: bytes | None = None


@dataclass(frozen=True)
class LastDone:
    """The last completion that counts, and the instants it fixed for good when it was made
    (in the zone in force then): when the next item unlocks, and when amending it ends."""

    index: int
    day: date
    at: datetime
    revealed_at: datetime
    item_key: bytes | None
    next_unlocks_at: datetime
    amend_until: datetime


@dataclass(frozen=True)
class Standing:
    """Where a list stands: everything the rules need to decide, the fold of its events."""

    item_count: int
    settings: Settings
    opened_at: datetime | None = None
    first_revealed_at: datetime | None = None
    #: How many items are done (completion i, of item i, counts only in order).
    done_count: int = 0
    last_done: LastDone | None = None
    #: The reveal of the item to do now, once it is revealed.
    current: Reveal | None = None
    last_event_at: datetime | None = None
    #: The list day of the first reveal, in the zone it was made in.
    first_day: date | None = None
    #: The zone of the last event: where the list was last used, which says when a day
    #: passed without a completion the same way on every device (see `figures`).
    zone: str | None = None
    #: The device that wrote the last event (a clock that reads before it names it).
    last_device: str | None = None

    @property
    def finished(self) -> bool:
        return self.done_count >= self.item_count

    @property
    def current_index(self) -> int:
        """The index of the next item to complete (== item_count when finished)."""
        return self.done_count


def apply(standing: Standing, event: Event) -> Standing:
    """Where the list stands once `event`, judged acceptable by `judge`, is added."""
    from dailylist.events import Completed, Opened, Revealed  # not on the read-only paths

    opened, first, done = standing.opened_at, standing.first_revealed_at, standing.done_count
    last, current, first_day = standing.last_done, standing.current, standing.first_day
    if isinstance(event, Opened):
        opened = event.at
    elif isinstance(event, Revealed):
        if first is None:
            first = event.at
            local = event.at.astimezone(ZoneInfo(event.zone))
            first_day = day_of(local, standing.settings.day_starts_at)
        current = Reveal(event.index, event.at, event.item_key)
    elif isinstance(event, Completed):
        assert current is not None  # judged: a completion follows its reveal
        ends = utc(
            day_start(
                event.day + timedelta(days=1),
                standing.settings.day_starts_at,
                ZoneInfo(event.zone),
            )
        )
        # In UTC: a sum or comparison of wall clocks would drift by an hour across DST.
        unlocks = ends if last is None else max(ends, utc(last.revealed_at) + REVEAL_SPACING)
        last = LastDone(
            index=event.index,
            day=event.day,
            at=event.at,
            revealed_at=current.at,
            item_key=current.item_key,
            next_unlocks_at=unlocks,
            amend_until=ends,
        )
        done, current = done + 1, None
    return Standing(
        item_count=standing.item_count,
        settings=standing.settings,
        opened_at=opened,
        first_revealed_at=first,
        done_count=done,
        last_done=last,
        current=current,
        last_event_at=event.at,
        first_day=first_day,
        zone=event.zone,
        last_device=event.device,
    )


# --- decisions -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Available:
    """Item `index` may be shown now; `newly` means this is its first reveal."""

    index: int
    newly: bool


@dataclass(frozen=True)
class Waiting:
    """The last item done is `done_index`; the next one unlocks at `unlocks_at`."""

    done_index: int
    unlocks_at: datetime


@dataclass(frozen=True)
class Finished:
    """Every item is done."""


TodayDecision = Available | Waiting | Finished


def unlocks_at(standing: Standing, now: datetime) -> datetime | None:
    """When the next item unlocks, seen from `now`'s zone, if that is still ahead."""
    last = standing.last_done
    if last is None:
        return None
    return unlock(last.next_unlocks_at, last.day, last.at, standing.settings.day_starts_at, now)


def decide_today(standing: Standing, now: datetime) -> TodayDecision:
    """What `today` may show at `now`: never an item ahead, never two in one day."""
    check_clock(standing.last_event_at, now, standing.last_device)
    if standing.finished:
        return Finished()
    if standing.current is not None:
        return Available(standing.current.index, newly=False)
    waiting = unlocks_at(standing, now)
    if waiting is not None and standing.last_done is not None:
        return Waiting(standing.last_done.index, waiting)
    return Available(standing.current_index, newly=True)


def write_moment(standing: Standing, now: datetime) -> datetime:
    """The moment a write at `now` is made at: `now`, or just after the journal's last event
    when the clock reads a little before it (two commands started at one faked moment, a
    clock stepped back a few seconds). Events only move forward in time, so no clock step
    back can reorder them; a clock further behind than `CLOCK_TOLERANCE` is refused."""
    last = standing.last_event_at
    if last is None or utc(now) >= utc(last):
        return now
    if utc(now) < utc(last) - CLOCK_TOLERANCE:
        raise clock_behind(last, now, standing.last_device)
    return (last + timedelta(microseconds=1)).astimezone(now.tzinfo)


def _shown(moment: datetime, now: datetime) -> str:
    return f"{moment.astimezone(now.tzinfo):%Y-%m-%d %H:%M}"


def revealable(standing: Standing, now: datetime) -> int:
    """The index of the item that may be revealed for the first time at `now`."""
    now = write_moment(standing, now)
    decision = decide_today(standing, now)
    if isinstance(decision, Finished):
        raise NotNow("every item of this list is already done")
    if isinstance(decision, Waiting):
        raise NotNow(
            f"day {day_number(decision.done_index)} is done; one a day. "
            f"The next item unlocks {_shown(decision.unlocks_at, now)}"
        )
    if not decision.newly:
        raise NotNow(f"day {day_number(decision.index)} is already revealed")
    return decision.index


class NotRevealed(NotNow):
    """`done` before today's item was revealed: a front end may show it, then ask again."""


def completable(standing: Standing, now: datetime) -> tuple[int, date]:
    """The index that `done` may complete at `now`, and the list day it is done on."""
    now = write_moment(standing, now)
    if standing.finished:
        raise NotNow("every item of this list is already done")
    current, waiting = standing.current, unlocks_at(standing, now)
    if current is None:
        if waiting is not None and standing.last_done is not None:
            raise NotNow(
                f"today's item (day {day_number(standing.last_done.index)}) is already done; "
                f"one a day. The next one unlocks {_shown(waiting, now)}"
            )
        raise NotRevealed("today's item has not been revealed yet", reason="reveal")
    if utc(now) <= utc(current.at):
        raise NotNow(
            f"the clock reads {_shown(now, now)}, not later than day "
            f"{day_number(current.index)} was revealed ({_shown(current.at, now)}); "
            "set the clock right and try again"
        )
    if waiting is not None:
        raise NotNow(
            f"in this time zone it is still the list day the day before was done on; "
            f"day {day_number(current.index)} can be done from {_shown(waiting, now)}"
        )
    return current.index, day_of(now, standing.settings.day_starts_at)


def amendable(standing: Standing, now: datetime) -> LastDone:
    """The completed day that may still be amended at `now`: the last one, until the end
    of its list day (fixed when it was done)."""
    now = write_moment(standing, now)
    last, current = standing.last_done, standing.current
    if current is not None and (last is None or utc(now) >= utc(last.amend_until)):
        raise NotNow(
            f"today's item (day {day_number(current.index)}) is not done yet, so there is "
            "nothing to amend",
            reason="done",
        )
    if last is None:
        raise NotNow("there is nothing to amend yet: no day is done")
    if utc(now) >= utc(last.amend_until):
        raise NotNow(
            f"day {day_number(last.index)} could be amended until its list day ended "
            f"({_shown(last.amend_until, now)}); only today's completed day can be amended"
        )
    return last


class ProofRefused(BadInput):
    """Photos or a reflection that break an item's rules; its `reason` says what mends it:
    `photo` (add one), `reflection` (write one), `empty` (write a few words), `no-reflection`
    (leave it out)."""


def check_proof(
    needs: Callable[[], Requirements],
    photos: Sized | None,
    reflection: str | None,
    *,
    completing: bool,
) -> None:
    """`ProofRefused` when the photos or the reflection of a completion (or, not
    `completing`, of an amendment, where None means unchanged) break the item's rules.
    `needs` is asked only when it matters (a photo or a reflection missing), so a fold
    rarely opens an item."""
    if photos is not None and not len(photos) and needs().photo == "required":
        raise ProofRefused("a photo is required as proof", reason="photo")
    if reflection is not None and not reflection.strip():
        raise ProofRefused("an empty reflection saves nothing", reason="empty")
    if completing and reflection is None and needs().reflection == "required":
        raise ProofRefused("a reflection is required", reason="reflection")


def check_no_reflection(needs: Requirements, reflection: str | None) -> None:
    """`ProofRefused` when a reflection is given for an item that keeps none: the app asks
    for none and takes none (a reflection kept anyway breaks no rule of the day)."""
    if reflection is not None and needs.reflection == "off":
        raise ProofRefused("this list keeps no reflections", reason="no-reflection")


class Dated(Protocol):
    @property
    def taken_at(self) -> datetime | None: ...


D = TypeVar("D", bound=Dated)


def taken_before(photos: Iterable[D], revealed_at: datetime) -> tuple[D, ...]:
    """The photos whose EXIF says they were taken before their item was revealed."""
    return tuple(
        p for p in photos if p.taken_at is not None and utc(p.taken_at) < utc(revealed_at)
    )


def event_moment(event: Event) -> datetime:
    """An event's instant in its own zone, or `BadInput` when its zone is no real zone or
    its offset is not that zone's at that instant."""
    try:
        zone = ZoneInfo(event.zone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise BadInput(f"its zone {event.zone!r} is not a time zone") from exc
    local = event.at.astimezone(zone)
    if not in_range(local) or local.utcoffset() != event.at.utcoffset():
        raise BadInput(f"its time {event.at.isoformat()} does not exist in {event.zone}")
    return local


def judge(standing: Standing, event: Event, items: ItemSource) -> None:
    """Accept `event` (return) if the app would have written it at its own time and zone,
    after the events that `standing` folds; else raise the app's own refusal."""
    from dailylist.events import Amended, Completed, Opened, Revealed

    now = event_moment(event)
    if isinstance(event, Opened):
        if standing.opened_at is not None:
            raise BadInput("the list was opened twice")
        return
    if standing.opened_at is None:
        raise BadInput("it comes before the list was opened")
    if isinstance(event, Revealed):
        index = revealable(standing, now)
        if event.index != index:
            raise NotNow(f"day {day_number(index)} was the one to reveal")
        if items.is_checkin(index) != (event.item_key is not None):
            raise BadInput(f"the key of day {day_number(index)} is not its check-in key")
        if event.item_key is not None:
            items.item(index, event.item_key)  # the key its code gave must open it
        if event.opened_by == "fallback":
            opens = fallback_opens_at(standing)
            if opens is None:
                raise BadInput(f"day {day_number(index)} opens only with the author's code")
            if utc(now) < utc(opens):
                raise NotNow(
                    f"day {day_number(index)} could open without the code only from "
                    f"{_shown(opens, now)}"
                )
    elif isinstance(event, Completed):
        index, day = completable(standing, now)
        if event.index != index:
            raise NotNow(f"day {day_number(index)} was the one to complete")
        if event.day != day:
            raise BadInput(f"it says {event.day} but was done on list day {day}")
        reveal = standing.current
        assert reveal is not None
        check_proof(
            _needs(items, index, reveal.item_key, standing.settings),
            event.photos,
            _reflection_of(event),
            completing=True,
        )
        if event.photo_taken_before_reveal != bool(taken_before(event.photos, reveal.at)):
            raise BadInput("its photo_taken_before_reveal contradicts its photos")
    elif isinstance(event, Amended):
        last = amendable(standing, now)
        if (event.index, event.day) != (last.index, last.day):
            raise NotNow(f"only day {day_number(last.index)} of {last.day} could be amended")
        if not event.reflects and event.photos is None:
            raise BadInput("it changes nothing")
        needs = _needs(items, last.index, last.item_key, standing.settings)
        check_proof(needs, event.photos, _reflection_of(event), completing=False)
        flag = None if event.photos is None else bool(taken_before(event.photos, last.revealed_at))
        if event.photo_taken_before_reveal != flag:
            raise BadInput("its photo_taken_before_reveal contradicts its photos")


#: What a reflection withheld from a copy (only committed to) counts as: one was written.
WITHHELD = "(a reflection kept by its writer)"


def _reflection_of(event: Completed | Amended) -> str | None:
    """The reflection the rules judge: the text, or, in a copy that withholds it, a
    stand-in (a commitment proves one was written)."""
    if event.reflection is None and event.reflection_commitment is not None:
        return WITHHELD
    return event.reflection


def checkin_waiting_since(standing: Standing) -> datetime | None:
    """Since when the item to do now has been due, when it is not revealed yet: when the
    day before it was done unlocked it (or when the list was opened, for day 1)."""
    if standing.current is not None or standing.finished:
        return None
    if standing.last_done is not None:
        return standing.last_done.next_unlocks_at
    return standing.opened_at


def fallback_opens_at(standing: Standing) -> datetime | None:
    """When the check-in item due now opens without its code, for a list with
    `checkin_fallback_days`: that many days (of 24 hours) after it became due."""
    days = standing.settings.checkin_fallback_days
    since = checkin_waiting_since(standing)
    if days is None or since is None:
        return None
    return utc(since) + timedelta(days=days)


def _needs(
    items: ItemSource, index: int, key: bytes | None, settings: Settings
) -> Callable[[], Requirements]:
    return lambda: items.item(index, key).requirements(settings)

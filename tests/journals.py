"""Journals built event by event in memory, the way the app builds them: each event made at
a given moment and zone, judged by the rules, and folded in. For the rules' tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from dailylist import figures, fold, rules
from dailylist.clock import zone_name
from dailylist.domain import Item, Settings
from dailylist.events import Amended, Completed, Event, Opened, PhotoRecord, Revealed
from dailylist.journal import E, new_event

PHOTO = PhotoRecord(
    sha256="a" * 64, size=10, stored_name="a" * 64 + ".jpg", format="JPEG", width=4, height=3
)


@dataclass
class Items:
    """An `ItemSource` of plain items; the ones in `checkin` open only with key b"k" * 32."""

    count: int
    checkin: frozenset[int] = frozenset()
    overrides: dict[int, dict[str, Any]] = field(default_factory=dict)

    def is_checkin(self, index: int) -> bool:
        return index in self.checkin

    def item(self, index: int, key: bytes | None) -> Item:
        from dailylist.errors import BadInput

        if index in self.checkin and key != b"k" * 32:
            raise BadInput(f"day {index + 1} needs its code")
        if index not in self.checkin and key is not None:
            raise BadInput(f"day {index + 1} is not a check-in")
        return Item(text=f"item {index + 1}", **self.overrides.get(index, {}))


class Log:
    """A list's journal, in memory. Each method asks the rules as the app does, then writes
    the event the app would write; `force` writes one without asking (a forger's event)."""

    def __init__(self, items: int = 5, day_starts_at: str = "04:00", **settings: Any) -> None:
        self.settings = Settings(day_starts_at=time.fromisoformat(day_starts_at), **settings)
        self.items = Items(items)
        self.standing = rules.Standing(item_count=items, settings=self.settings)
        self.events: list[Event] = []

    @property
    def day_starts_at(self) -> time:
        return self.settings.day_starts_at

    def force(self, cls: type[E], now: datetime, **fields: Any) -> E:
        prev = self.events[-1].id if self.events else None
        event = new_event(cls, prev=prev, at=now, zone=zone_name(now), device="test", **fields)
        self.events.append(event)
        return event

    def add(self, cls: type[E], now: datetime, **fields: Any) -> E:
        """Write an event the rules accept, and fold it in."""
        prev = self.events[-1].id if self.events else None
        event = new_event(cls, prev=prev, at=now, zone=zone_name(now), device="test", **fields)
        rules.judge(self.standing, event, self.items)
        self.events.append(event)
        self.standing = rules.apply(self.standing, event)
        return event

    def open(self, now: datetime) -> None:
        self.add(Opened, now)

    def today(self, now: datetime) -> rules.TodayDecision:
        if not self.events:
            self.open(now)
        decision = rules.decide_today(self.standing, now)
        if isinstance(decision, rules.Available) and decision.newly:
            now = rules.write_moment(self.standing, now)
            index = rules.revealable(self.standing, now)
            key = b"k" * 32 if index in self.items.checkin else None
            self.add(Revealed, now, index=index, item_key=key)
        return decision

    def done(self, now: datetime, *, photos: tuple[PhotoRecord, ...] = (PHOTO,)) -> int:
        now = rules.write_moment(self.standing, now)
        index, day = rules.completable(self.standing, now)
        self.add(Completed, now, index=index, day=day, reflection="ok", photos=photos)
        return index

    def amend(self, now: datetime, reflection: str = "better") -> int:
        now = rules.write_moment(self.standing, now)
        last = rules.amendable(self.standing, now)
        self.add(Amended, now, index=last.index, day=last.day, reflection=reflection)
        return last.index

    @property
    def done_days(self) -> tuple[date, ...]:
        return tuple(e.day for e in self.events if isinstance(e, Completed))

    def stats(self, now: datetime) -> figures.Stats:
        return figures.stats(self.standing, self.done_days, now)

    def replay(self) -> fold.Replay:
        start = rules.Standing(item_count=self.standing.item_count, settings=self.settings)
        return fold.replay(self.events, start, self.items)

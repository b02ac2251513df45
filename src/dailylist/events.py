"""The events of a journal, and the photos they keep: the domain's types for what happened.
Frozen dataclasses that check themselves, standard library only (see `domain`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import ClassVar, Literal

from dailylist.days import in_range_day
from dailylist.domain import check_moment, require

_HEX64 = re.compile(r"[0-9a-f]{64}")
_STORED_NAME = re.compile(r"[0-9a-f]{64}\.(jpg|png|webp|heic)")


@dataclass(frozen=True, kw_only=True)
class PhotoRecord:
    """A kept photo: what was checked, and where its copy is (by its content)."""

    sha256: str
    size: int
    stored_name: str
    format: str
    width: int
    height: int
    taken_at: datetime | None = None
    #: Written by dailylist 0.1 only; never written now, and never exported.
    original_path: str | None = field(default=None, metadata={"omit_none": True})

    def shared(self) -> PhotoRecord:
        """The record as it leaves this computer (a report, `--json`): no original path."""
        return self if self.original_path is None else replace(self, original_path=None)

    def __post_init__(self) -> None:
        require(bool(_HEX64.fullmatch(self.sha256)), "sha256 is 64 lowercase hex digits")
        require(
            bool(_STORED_NAME.fullmatch(self.stored_name))
            and self.stored_name.startswith(self.sha256),
            "stored_name is the sha256 and an image extension",
        )
        require(self.size >= 1 and self.width >= 1 and self.height >= 1, "sizes are positive")
        if self.taken_at is not None:
            check_moment(self.taken_at, "taken_at")


@dataclass(frozen=True, kw_only=True)
class Event:
    """What every journal event has. Events are never changed once written: `id` is the
    sha256 of the event's canonical JSON without the id, `prev` the id of the event before
    it (see `chain`), and `zone` the IANA name of the zone `at` was read in."""

    kind: ClassVar[str]

    id: str
    prev: str | None = None
    #: Other events its device knew as the last of their lines (after a sync brought in
    #: another device's): with `prev`, everything before it that it knew of.
    merges: tuple[str, ...] | None = None
    at: datetime
    zone: str
    device: str

    @property
    def parents(self) -> tuple[str, ...]:
        """The events it names as known before it: `prev`, and any `merges`."""
        if self.prev is None:
            return ()
        return (self.prev, *(self.merges or ()))

    def __post_init__(self) -> None:
        require(bool(_HEX64.fullmatch(self.id)), "id is 64 lowercase hex digits")
        require(self.prev is None or bool(_HEX64.fullmatch(self.prev)), "prev: 64 hex digits")
        require(
            self.merges is None
            or (self.prev is not None and all(_HEX64.fullmatch(m) for m in self.merges)),
            "merges: ids of 64 hex digits, after a prev",
        )
        check_moment(self.at, "at")
        require(bool(self.zone), "zone is empty")


@dataclass(frozen=True, kw_only=True)
class Opened(Event):
    """The list was opened: the journal's first event."""

    kind: ClassVar[str] = "opened"
    #: The sha256 of the sealed file opened, so that a write can tell its stored copy is
    #: the one checked at `open` (journals made by dailylist 0.1 lack it).
    list_sha256: str | None = None


@dataclass(frozen=True, kw_only=True)
class Revealed(Event):
    """An item was shown for the first time."""

    kind: ClassVar[str] = "revealed"
    index: int
    #: For a check-in item: the key its code opened, so the revealed text stays readable.
    item_key: bytes | None = None
    #: How a check-in item was opened when not by a code typed in: "postcard" (the
    #: author's code came by postcard) or "fallback" (the list had waited its days).
    opened_by: Literal["postcard", "fallback"] | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        require(self.index >= 0, "index is negative")
        require(self.item_key is None or len(self.item_key) == 32, "item_key is 32 bytes")
        require(self.opened_by is None or self.item_key is not None, "opened_by: not a check-in")


@dataclass(frozen=True, kw_only=True)
class Completed(Event):
    """An item was done, with its proof."""

    kind: ClassVar[str] = "completed"
    index: int
    #: The list day it was done on, in the zone it was done in.
    day: date
    reflection: str | None = None
    photos: tuple[PhotoRecord, ...] = ()
    photo_taken_before_reveal: bool = False
    #: Random bytes that commit to the reflection (see `chain.committed`): the event's id
    #: holds `reflection_commitment` in their place, so a copy may leave the text out.
    salt: bytes | None = None
    #: In a copy that leaves the reflection out: sha256(salt + reflection), in hex.
    reflection_commitment: str | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        require(self.index >= 0, "index is negative")
        require(in_range_day(self.day), "day is out of range")
        _check_reflection(self.reflection)
        _check_commitment(self.reflection, self.salt, self.reflection_commitment)

    @property
    def reflects(self) -> bool:
        """Whether it holds a reflection, shown or only committed to."""
        return self.reflection is not None or self.reflection_commitment is not None


@dataclass(frozen=True, kw_only=True)
class Amended(Event):
    """A completed day's reflection or photos changed on that same day; None: unchanged.

    The completion it amends stays in the journal as it was.
    """

    kind: ClassVar[str] = "amended"
    index: int
    day: date
    reflection: str | None = None
    photos: tuple[PhotoRecord, ...] | None = None
    photo_taken_before_reveal: bool | None = None
    salt: bytes | None = None
    reflection_commitment: str | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        require(self.index >= 0, "index is negative")
        require(in_range_day(self.day), "day is out of range")
        _check_reflection(self.reflection)
        _check_commitment(self.reflection, self.salt, self.reflection_commitment)

    @property
    def reflects(self) -> bool:
        """Whether it changes the reflection, shown or only committed to."""
        return self.reflection is not None or self.reflection_commitment is not None


def _check_reflection(reflection: str | None) -> None:
    """A reflection as dailylist has always written one: text, with no blank space around
    it (an empty one is none at all)."""
    if reflection is not None:
        require(
            isinstance(reflection, str) and bool(reflection) and reflection == reflection.strip(),
            "its reflection is not as dailylist writes one (empty, or blank space around it)",
        )


def _check_commitment(reflection: str | None, salt: bytes | None, commitment: str | None) -> None:
    """A salt goes with the reflection it commits to; a commitment stands in for both."""
    require(salt is None or (reflection is not None and len(salt) == 16), "salt: 16 bytes")
    require(
        commitment is None
        or (reflection is None and salt is None and bool(_HEX64.fullmatch(commitment))),
        "reflection_commitment: 64 hex digits, in place of a reflection and its salt",
    )


EVENT_KINDS: dict[str, type[Event]] = {
    cls.kind: cls for cls in (Opened, Revealed, Completed, Amended)
}

"""What a day's photos are flagged for, worked out from the days as they stand (pure): a
photo (by its sha256) that an earlier day has already, one whose EXIF says it was taken
after it was given (a time still ahead then), and one taken before its item was revealed.

EXIF is a hint and a photo can be sent twice by mistake: a flag says what to look at, it
refuses nothing. `done` and `amend` warn of them, `show` and the reports print them, and
`verify` counts them; any front end asks `photo_flags` (and words them with `sentence`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Literal, Protocol

from dailylist.days import CLOCK_TOLERANCE, utc
from dailylist.domain import require

if TYPE_CHECKING:
    from dailylist.events import PhotoRecord

FlagKind = Literal["same-photo", "taken-after", "taken-before-reveal"]
FLAG_KINDS: tuple[FlagKind, ...] = ("same-photo", "taken-after", "taken-before-reveal")


@dataclass(frozen=True, kw_only=True)
class PhotoFlag:
    """One photo of one day, and what it is flagged for."""

    day: int
    #: Its place among the day's photos, from 1.
    photo: int
    sha256: str
    kind: FlagKind
    #: For "same-photo": the earlier day that has this photo too.
    other_day: int | None = None
    #: For "taken-after" and "taken-before-reveal": when its EXIF says it was taken.
    taken_at: datetime | None = None

    def __post_init__(self) -> None:
        require(self.kind in FLAG_KINDS, f"kind must be one of {FLAG_KINDS}")
        require(self.day >= 1 and self.photo >= 1, "days and photos are counted from 1")
        require(
            (self.other_day is not None) == (self.kind == "same-photo"),
            "other_day: the earlier day, for a photo the same as another day's only",
        )


class Proved(Protocol):
    """A day done, as flags look at it (a `fold.Entry`, or a day about to be written)."""

    @property
    def number(self) -> int: ...

    @property
    def photos(self) -> tuple[PhotoRecord, ...]: ...

    @property
    def photos_given_at(self) -> datetime: ...

    @property
    def revealed_at(self) -> datetime: ...


def photo_flags(entries: Iterable[Proved]) -> tuple[PhotoFlag, ...]:
    """Every flag of the days `entries` (in order), day by day.

    A photo is "taken-after" when its EXIF time is later than the moment it was given (the
    day's completion, or the amendment that gave it) by more than the clocks of a camera
    and a computer may differ (`days.CLOCK_TOLERANCE`); "taken-before-reveal" when it is
    earlier than the item's reveal; "same-photo" when an earlier day has a photo with its
    sha256 (the earlier day is not flagged: it was new then)."""
    first_day: dict[str, int] = {}
    flags: list[PhotoFlag] = []
    for entry in entries:
        given = utc(entry.photos_given_at)
        for number, photo in enumerate(entry.photos, start=1):
            earlier = first_day.setdefault(photo.sha256, entry.number)
            if earlier != entry.number:
                flags.append(
                    PhotoFlag(
                        day=entry.number,
                        photo=number,
                        sha256=photo.sha256,
                        kind="same-photo",
                        other_day=earlier,
                    )
                )
            taken = photo.taken_at
            if taken is None:
                continue
            kind: FlagKind | None = None
            if utc(taken) > given + CLOCK_TOLERANCE:
                kind = "taken-after"
            elif utc(taken) < utc(entry.revealed_at):
                kind = "taken-before-reveal"
            if kind is not None:
                flags.append(
                    PhotoFlag(
                        day=entry.number,
                        photo=number,
                        sha256=photo.sha256,
                        kind=kind,
                        taken_at=taken,
                    )
                )
    return tuple(flags)


def of_day(flags: Iterable[PhotoFlag], day: int) -> tuple[PhotoFlag, ...]:
    """The flags of day `day`."""
    return tuple(flag for flag in flags if flag.day == day)


def sentence(flag: PhotoFlag, photos_that_day: int) -> str:
    """A flag in a sentence for people: "The photo is the same as day 2's.", or "Photo 2
    was taken 2026-03-01 07:40 by its EXIF, before the item was revealed." """
    subject = "The photo" if photos_that_day == 1 else f"Photo {flag.photo}"
    return f"{subject} {said(flag)}."


def said(flag: PhotoFlag) -> str:
    """What a flag says of its photo, in a few words: "is the same as day 2's"."""
    taken = "" if flag.taken_at is None else f"{flag.taken_at:%Y-%m-%d %H:%M}"
    if flag.kind == "same-photo":
        return f"is the same as day {flag.other_day}'s"
    if flag.kind == "taken-after":
        return f"was taken {taken} by its EXIF, later than it was handed in"
    return f"was taken {taken} by its EXIF, before the item was revealed"

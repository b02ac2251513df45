"""The domain of dailylist, one set of types: a list's settings and public facts, its items,
photos, and the events of a journal. Frozen dataclasses, standard library only.

Each type checks its own invariants when it is made (`__post_init__`), so an object of these
types is valid however it was made: by `journal` from a journal file, by `sealing` from a
sealed file, by pydantic at the boundaries (`formats`), or by the app itself. Nothing here
reads a file or the clock.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import ClassVar, Literal

from dailylist.days import in_range

PhotoRule = Literal["required", "optional"]
ReflectionRule = Literal["required", "optional", "off"]
PHOTO_RULES: tuple[PhotoRule, ...] = ("required", "optional")
REFLECTION_RULES: tuple[ReflectionRule, ...] = ("required", "optional", "off")

_HEX64 = re.compile(r"[0-9a-f]{64}")
_STORED_NAME = re.compile(r"[0-9a-f]{64}\.(jpg|png|webp|heic)")
_LIST_ID = re.compile(r"[0-9a-f]{32}")


def day_number(index: int) -> int:
    """The day a person calls item `index` (0-based in the files): day 1 is index 0."""
    return index + 1


def item_index(number: int) -> int:
    """The index of day `number` (1-based, as people count): the inverse of `day_number`."""
    return number - 1


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise ValueError(message)


def _check_moment(moment: datetime, what: str) -> None:
    _require(moment.tzinfo is not None and moment.utcoffset() is not None, f"{what} has no zone")
    _require(in_range(moment), f"{what} is outside the years dailylist works with")


# --- a list ----------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Settings:
    """What each day of a list requires, and when a day starts."""

    __pydantic_config__: ClassVar = {"extra": "forbid"}

    photo: PhotoRule = "required"
    reflection: ReflectionRule = "required"
    day_starts_at: time = time(4, 0)
    reflection_prompt: str = "What did you do, and how did it feel?"

    def __post_init__(self) -> None:
        _require(self.photo in PHOTO_RULES, f"photo must be one of {PHOTO_RULES}")
        _require(
            self.reflection in REFLECTION_RULES, f"reflection must be one of {REFLECTION_RULES}"
        )
        start = self.day_starts_at
        _require(
            isinstance(start, time)
            and start.tzinfo is None
            and not (start.second or start.microsecond),
            'day_starts_at must be a time of day as "HH:MM", for example "04:00"',
        )
        _require(isinstance(self.reflection_prompt, str), "reflection_prompt must be text")


@dataclass(frozen=True, kw_only=True)
class Requirements:
    """What completing one item takes."""

    photo: PhotoRule
    reflection: ReflectionRule


@dataclass(frozen=True, kw_only=True)
class Item:
    """One challenge, as the author wrote it. In a sealed file it only exists encrypted."""

    __pydantic_config__: ClassVar = {"extra": "forbid"}

    text: str
    title: str | None = None
    photo: PhotoRule | None = None
    reflection: ReflectionRule | None = None
    #: A check-in item opens only with a code the author gives (by phone) on the day.
    checkin: bool = False

    def __post_init__(self) -> None:
        _require(isinstance(self.text, str) and bool(self.text.strip()), "text must not be empty")
        object.__setattr__(self, "text", self.text.strip())
        if self.title is not None:
            _require(
                isinstance(self.title, str) and bool(self.title.strip()),
                "title must not be empty when given",
            )
            object.__setattr__(self, "title", self.title.strip())
        _require(isinstance(self.checkin, bool), "checkin must be true or false")
        _require(self.photo in (None, *PHOTO_RULES), f"photo must be one of {PHOTO_RULES}")
        _require(
            self.reflection in (None, *REFLECTION_RULES),
            f"reflection must be one of {REFLECTION_RULES}",
        )

    def requirements(self, settings: Settings) -> Requirements:
        """The item's own photo and reflection rules, else the list's."""
        return Requirements(
            photo=self.photo or settings.photo, reflection=self.reflection or settings.reflection
        )


@dataclass(frozen=True, kw_only=True)
class ListInfo:
    """The public facts of a list: anyone holding its sealed file may read these."""

    id: str
    #: The short name `--list` takes (see `picking.list_name`).
    name: str
    title: str
    author: str
    item_count: int
    #: The author's key, as people read it aloud (see `cipher.fingerprint`).
    fingerprint: str
    settings: Settings
    letter: str = ""
    rules: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _require(bool(_LIST_ID.fullmatch(self.id)), "a list id is 32 hex digits")
        _require(self.item_count >= 1, "a list has at least one item")


@dataclass(frozen=True)
class Scrypt:
    """How a key is derived from a passphrase or a check-in code (bounded: no memory bombs)."""

    salt: bytes
    n: int
    r: int
    p: int

    def __post_init__(self) -> None:
        _require(len(self.salt) == 16, "a salt is 16 bytes")
        _require(2**10 <= self.n <= 2**20 and not self.n & (self.n - 1), "n: a power of two")
        _require(1 <= self.r <= 16 and 1 <= self.p <= 4, "r and p are out of bounds")


@dataclass(frozen=True)
class SealedItem:
    """An item as it is in the sealed file: only a key the rules hand out opens it."""

    nonce: bytes
    ciphertext: bytes
    #: Set on check-in items: their key comes from the author's code, not the content key.
    checkin: Scrypt | None = None

    def __post_init__(self) -> None:
        _require(len(self.nonce) == 12, "a nonce is 12 bytes")
        _require(len(self.ciphertext) >= 16, "a ciphertext holds at least its tag")


# --- a journal -------------------------------------------------------------------------------


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
    original_path: str | None = None

    def __post_init__(self) -> None:
        _require(bool(_HEX64.fullmatch(self.sha256)), "sha256 is 64 lowercase hex digits")
        _require(
            bool(_STORED_NAME.fullmatch(self.stored_name))
            and self.stored_name.startswith(self.sha256),
            "stored_name is the sha256 and an image extension",
        )
        _require(self.size >= 1 and self.width >= 1 and self.height >= 1, "sizes are positive")
        if self.taken_at is not None:
            _check_moment(self.taken_at, "taken_at")


@dataclass(frozen=True, kw_only=True)
class Event:
    """What every journal event has. Events are never changed once written: `id` is the
    sha256 of the event's canonical JSON without the id, `prev` the id of the event before
    it (see `chain`), and `zone` the IANA name of the zone `at` was read in."""

    kind: ClassVar[str]

    id: str
    prev: str | None = None
    at: datetime
    zone: str
    device: str

    def __post_init__(self) -> None:
        _require(bool(_HEX64.fullmatch(self.id)), "id is 64 lowercase hex digits")
        _require(self.prev is None or bool(_HEX64.fullmatch(self.prev)), "prev: 64 hex digits")
        _check_moment(self.at, "at")
        _require(bool(self.zone), "zone is empty")


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

    def __post_init__(self) -> None:
        super().__post_init__()
        _require(self.index >= 0, "index is negative")
        _require(self.item_key is None or len(self.item_key) == 32, "item_key is 32 bytes")


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

    def __post_init__(self) -> None:
        super().__post_init__()
        _require(self.index >= 0, "index is negative")
        _require(date(1971, 1, 1) <= self.day < date(9000, 1, 1), "day is out of range")


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

    def __post_init__(self) -> None:
        super().__post_init__()
        _require(self.index >= 0, "index is negative")
        _require(date(1971, 1, 1) <= self.day < date(9000, 1, 1), "day is out of range")


EVENT_KINDS: dict[str, type[Event]] = {
    cls.kind: cls for cls in (Opened, Revealed, Completed, Amended)
}

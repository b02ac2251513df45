"""The domain of dailylist, one set of types: a list's settings and public facts, and its
items (the events of a journal and their photos are in `events`). Frozen dataclasses,
standard library only.

Each type checks its own invariants when it is made (`__post_init__`), so an object of these
types is valid however it was made: by `journal` from a journal file, by `sealing` from a
sealed file, by pydantic at the boundaries (`formats`), or by the app itself. Nothing here
reads a file or the clock.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time
from typing import ClassVar, Literal

from dailylist.days import in_range

PhotoRule = Literal["required", "optional"]
#: What the author asks to follow: "progress" (dates, item numbers, times) or "photos" too.
FollowMode = Literal["progress", "photos"]
FOLLOW_MODES: tuple[FollowMode, ...] = ("progress", "photos")
ReflectionRule = Literal["required", "optional", "off"]
PHOTO_RULES: tuple[PhotoRule, ...] = ("required", "optional")
REFLECTION_RULES: tuple[ReflectionRule, ...] = ("required", "optional", "off")

_LIST_ID = re.compile(r"[0-9a-f]{32}")
_LANGUAGE = re.compile(r"[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8}){0,3}")

#: The fewest characters a passphrase may have (a list's or a sync's): a few words are best.
MIN_PASSPHRASE = 8


def day_number(index: int) -> int:
    """The day a person calls item `index` (0-based in the files): day 1 is index 0."""
    return index + 1


#: A line at least this long that ends in a line break was wrapped by hand, not meant.
_WRAPPED_LINE = 50


def reflow(text: str) -> str:
    """Undo hand-wrapping so a terminal or a page can wrap: a break after a long line becomes a
    space.

    Breaks after short lines ("Love,", a list item) and blank lines between paragraphs stay.
    """
    lines = text.strip().splitlines()
    out: list[str] = []
    for line in lines:
        previous = out[-1] if out else ""
        if previous and line.strip() and len(previous) >= _WRAPPED_LINE and previous[-1] != " ":
            out[-1] = f"{previous} {line.strip()}"
        else:
            out.append(line.rstrip())
    return "\n".join(out)


#: A line that starts an item of a list ("- ", "* ", "• ", "1. ", "2) "): it keeps its line.
_LIST_LINE = re.compile(r"([-*•]|\d{1,3}[.)])\s")
#: A blank line (spaces allowed) between two paragraphs.
_BLANK_LINE = re.compile(r"\n[ \t\r\f\v]*\n")


def paragraphs(text: str) -> tuple[str, ...]:
    """A letter as its author meant it, paragraph by paragraph: paragraphs are split at
    blank lines; inside one, a single line break is the author's editor wrapping a long
    line, not a break meant, so it becomes a space (the page or the terminal wraps again
    where it needs to), except before a line that starts an item of a list ("- ", "* ",
    "1. "), which keeps its own line. So "not ticked off, but\nlived." reads as one
    sentence, and "Love,\nTom" as "Love, Tom"."""
    found = []
    for block in _BLANK_LINE.split(text.replace("\r\n", "\n").strip()):
        joined = ""
        for line in (line.strip() for line in block.splitlines()):
            if not line:
                continue
            if not joined:
                joined = line
            else:
                joined += ("\n" if _LIST_LINE.match(line) else " ") + line
        if joined:
            found.append(joined)
    return tuple(found)


def letter_text(text: str) -> str:
    """A letter as text to show: its `paragraphs`, a blank line between two."""
    return "\n\n".join(paragraphs(text))


def counted(number: int, noun: str) -> str:
    """'1 photo', '2 photos', '0 photos': a count and its noun, for people."""
    return f"{number} {noun}{'' if number == 1 else 's'}"


def item_index(number: int) -> int:
    """The index of day `number` (1-based, as people count): the inverse of `day_number`."""
    return number - 1


def require(condition: bool, message: str) -> None:
    """`ValueError(message)` unless `condition`: how each type checks itself."""
    if not condition:
        raise ValueError(message)


def check_moment(moment: datetime, what: str) -> None:
    """`ValueError` unless `moment` is aware and in the years dailylist works with."""
    require(moment.tzinfo is not None and moment.utcoffset() is not None, f"{what} has no zone")
    require(in_range(moment), f"{what} is outside the years dailylist works with")


# --- a list ----------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Settings:
    """What each day of a list requires, and when a day starts."""

    __pydantic_config__: ClassVar = {"extra": "forbid"}

    photo: PhotoRule = "required"
    reflection: ReflectionRule = "required"
    day_starts_at: time = time(4, 0)
    reflection_prompt: str = "What did you do, and how did it feel?"
    #: The language the list is written in (a BCP 47 tag: "en", "de", "pt-BR"), for the
    #: pages that show it (the phone's page says it to the browser and screen readers).
    language: str = "en"
    #: What the author asks to follow, if anything (the recipient decides at `open`).
    follow: FollowMode | None = None
    #: After this many days waiting at a check-in, its item opens without the code.
    checkin_fallback_days: int | None = None

    def __post_init__(self) -> None:
        require(self.follow in (None, *FOLLOW_MODES), f"follow must be one of {FOLLOW_MODES}")
        days = self.checkin_fallback_days
        require(
            days is None
            or (isinstance(days, int) and not isinstance(days, bool) and 1 <= days <= 365),
            "checkin_fallback_days must be a whole number of days from 1 to 365",
        )
        require(self.photo in PHOTO_RULES, f"photo must be one of {PHOTO_RULES}")
        require(
            self.reflection in REFLECTION_RULES, f"reflection must be one of {REFLECTION_RULES}"
        )
        start = self.day_starts_at
        require(
            isinstance(start, time)
            and start.tzinfo is None
            and not (start.second or start.microsecond),
            'day_starts_at must be a time of day as "HH:MM", for example "04:00"',
        )
        require(isinstance(self.reflection_prompt, str), "reflection_prompt must be text")
        require(
            isinstance(self.language, str) and bool(_LANGUAGE.fullmatch(self.language)),
            'language must be a language tag such as "en", "de" or "pt-BR"',
        )


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
    #: A picture enclosed with the item: in a list source, its path (relative to the
    #: source); in a sealed list, the sha256 of the JPEG sealed with the item.
    enclosure: str | None = None

    def __post_init__(self) -> None:
        require(isinstance(self.text, str) and bool(self.text.strip()), "text must not be empty")
        object.__setattr__(self, "text", self.text.strip())
        if self.title is not None:
            require(
                isinstance(self.title, str) and bool(self.title.strip()),
                "title must not be empty when given",
            )
            object.__setattr__(self, "title", self.title.strip())
        require(isinstance(self.checkin, bool), "checkin must be true or false")
        require(
            self.enclosure is None or (isinstance(self.enclosure, str) and bool(self.enclosure)),
            "enclosure must be a picture's path",
        )
        require(self.photo in (None, *PHOTO_RULES), f"photo must be one of {PHOTO_RULES}")
        require(
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
    #: The sha256 of the picture shown with the letter (a JPEG), if the author enclosed one.
    letter_photo: str | None = None
    #: The author's follow key (an age X25519 recipient), when the list asks to follow.
    follow_recipient: str | None = None

    def __post_init__(self) -> None:
        require(bool(_LIST_ID.fullmatch(self.id)), "a list id is 32 hex digits")
        require(self.item_count >= 1, "a list has at least one item")


@dataclass(frozen=True)
class Scrypt:
    """How a key is derived from a passphrase or a check-in code (bounded: no memory bombs)."""

    salt: bytes
    n: int
    r: int
    p: int

    def __post_init__(self) -> None:
        require(len(self.salt) == 16, "a salt is 16 bytes")
        require(2**10 <= self.n <= 2**20 and not self.n & (self.n - 1), "n: a power of two")
        require(1 <= self.r <= 16 and 1 <= self.p <= 4, "r and p are out of bounds")


@dataclass(frozen=True)
class Sealed:
    """Bytes encrypted with AES-256-GCM: the nonce and the ciphertext (with its tag)."""

    nonce: bytes
    ciphertext: bytes

    def __post_init__(self) -> None:
        require(len(self.nonce) == 12, "a nonce is 12 bytes")
        require(len(self.ciphertext) >= 16, "a ciphertext holds at least its tag")


@dataclass(frozen=True)
class SealedItem:
    """An item as it is in the sealed file: only a key the rules hand out opens it."""

    nonce: bytes
    ciphertext: bytes
    #: Set on check-in items: their key comes from the author's code, not the content key.
    checkin: Scrypt | None = None
    #: The item's picture (a JPEG), encrypted under the item's own key.
    enclosure: Sealed | None = None
    #: For a check-in item of a list with `checkin_fallback_days`: its key, wrapped under
    #: the content key, so that the program can open it once the list has waited.
    fallback: Sealed | None = None

    def __post_init__(self) -> None:
        require(len(self.nonce) == 12, "a nonce is 12 bytes")
        require(len(self.ciphertext) >= 16, "a ciphertext holds at least its tag")

"""What the recipient keeps of sharing a list with its author: her choice (`Sharing`, in
`share.json`: what the author asked, her answer, where the copy goes, which reflections
she released, whether she stopped) and the author's postcards she received
(`postcards.json`). Both in the list's folder, read and written by the one codec.

Her choice is per device and per list; nothing of it goes to a sync remote. What goes to
the author, and how, is `sync.share`'s; this module only keeps the files.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TypeVar

from dailylist import limits
from dailylist.codec import decode, encode
from dailylist.domain import FOLLOW_MODES, FollowMode, require
from dailylist.errors import BadInput, DamagedData
from dailylist.store import write_atomic

if TYPE_CHECKING:
    from dailylist.store import ListFiles

SHARING_FORMAT = 1

T = TypeVar("T")


@dataclass(frozen=True, kw_only=True)
class Sharing:
    """The recipient's choice about sharing one list with its author, and its keys."""

    format: int = SHARING_FORMAT
    #: What the author asked to follow.
    mode: FollowMode
    #: Her answer: True only if she said yes.
    consent: bool
    decided_at: datetime
    #: Where the author's copy goes (`dailylist share setup`): a git remote or a folder.
    remote_kind: Literal["git", "folder"] | None = None
    remote: str | None = None
    #: When she stopped sharing (`dailylist share stop`): nothing goes out after it.
    stopped_at: datetime | None = None
    #: The days whose reflections (and amendments' texts) she released to the author.
    released: tuple[int, ...] = ()
    #: Her share key (an Ed25519 seed): what signs every file of the copy.
    signing_seed: bytes = field(default=b"", repr=False)
    #: Her age identity: what opens the author's postcards.
    identity: str = field(default="", repr=False)

    def __post_init__(self) -> None:
        require(self.format == SHARING_FORMAT, f"format: not {SHARING_FORMAT}")
        require(self.mode in FOLLOW_MODES, f"mode: one of {FOLLOW_MODES}")
        require((self.remote is None) == (self.remote_kind is None), "remote: with its kind")
        require(len(self.signing_seed) in (0, 32), "signing_seed: 32 bytes")

    @property
    def active(self) -> bool:
        """Whether a copy goes out: she agreed, said where, and has not stopped."""
        return self.consent and self.remote is not None and self.stopped_at is None

    @property
    def state(self) -> str:
        """Her sharing in a word, for `status`: declined, agreed, sharing, stopped."""
        if not self.consent:
            return "declined"
        if self.stopped_at is not None:
            return "stopped"
        return "sharing" if self.remote is not None else "agreed"


@dataclass(frozen=True, kw_only=True)
class Postcard:
    """A postcard from the author, received: checked (signed by the list's author) and
    opened."""

    #: The sha256 of the postcard as the author signed it.
    id: str
    written_at: datetime
    received_at: datetime
    note: str
    #: Shown with the item of this day; None: shown at once.
    day: int | None = None
    #: The code of check-in day `checkin`, sent by postcard.
    checkin: int | None = None
    code: str | None = None
    #: The sha256 of its picture, kept in the list's photo store as `<sha256>.jpg`.
    photo: str | None = None


def postcard_line(author: str, written_at: datetime, note: str) -> str:
    """How a postcard reads wherever it is shown: its author, its day, its note."""
    return f"A postcard from {author} ({written_at:%Y-%m-%d}): {note}"


@dataclass(frozen=True, kw_only=True)
class Postcards:
    """Every postcard received for a list, and the files refused (each said once)."""

    format: int = SHARING_FORMAT
    received: tuple[Postcard, ...] = ()
    refused: tuple[str, ...] = ()


def read_sharing(files: ListFiles) -> Sharing | None:
    """Her choice for the list, or None when the author asks nothing or she was not asked."""
    return _read(files, files.sharing, Sharing, "the sharing settings")


def save_sharing(files: ListFiles, sharing: Sharing) -> None:
    write_atomic(files.sharing, _text(sharing))


def read_postcards(files: ListFiles) -> Postcards:
    return _read(files, files.postcards, Postcards, "the postcards") or Postcards()


def save_postcards(files: ListFiles, postcards: Postcards) -> None:
    write_atomic(files.postcards, _text(postcards))


def _text(thing: object) -> bytes:
    import json

    return json.dumps(encode(thing), indent=2, ensure_ascii=False).encode("utf-8") + b"\n"


def _read(files: ListFiles, path: Path, cls: type[T], what: str) -> T | None:
    from dailylist.canonical import parse_json

    if not path.exists() and not path.is_symlink():
        return None
    raw = files.read(path, what=f"{what} of this list", cap=limits.JOURNAL)
    try:
        return decode(cls, parse_json(raw))
    except ValueError as exc:
        raise DamagedData(f"{path} is damaged ({exc}); it was left as it is") from exc


def decide(files: ListFiles, mode: FollowMode, consent: bool, now: datetime) -> Sharing:
    """Record her answer to the author's request (a new answer replaces the last; a
    remote she set up stays, and is used only while she agrees)."""
    import os

    from pyrage import x25519

    found = read_sharing(files)
    if found is not None:
        chosen = replace(found, mode=mode, consent=consent, decided_at=now)
        if consent:
            chosen = replace(chosen, stopped_at=None)
    else:
        chosen = Sharing(
            mode=mode,
            consent=consent,
            decided_at=now,
            signing_seed=os.urandom(32),
            identity=str(x25519.Identity.generate()),
        )
    save_sharing(files, chosen)
    return chosen


def release(files: ListFiles, days: tuple[int, ...]) -> Sharing:
    """Release the reflections of `days` to the author (they go out with the next sync)."""
    found = read_sharing(files)
    if found is None or not found.consent:
        raise BadInput("this list is not shared with its author; nothing was released")
    chosen = replace(found, released=tuple(sorted({*found.released, *days})))
    save_sharing(files, chosen)
    return chosen


def code_for(files: ListFiles, number: int) -> Postcard | None:
    """The latest postcard that carries the code of check-in day `number`."""
    with contextlib.suppress(DamagedData):
        for card in reversed(read_postcards(files).received):
            if card.checkin == number and card.code:
                return card
    return None


def postcards_for(files: ListFiles, number: int | None) -> tuple[Postcard, ...]:
    """The postcards to show with day `number` (and those for no day in particular)."""
    with contextlib.suppress(DamagedData):
        return tuple(
            card
            for card in read_postcards(files).received
            if card.day is None or card.day == number
        )
    return ()

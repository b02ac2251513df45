"""The snapshot: a cache of where a list stands, kept beside its journal, so that the
everyday commands that only read (`today` once the item is shown, `status`, `prompt`) need
not fold a journal of years again.

After every journal write the command leaves a small `snapshot.json`, derived from the
sealed copy and the journal it has just checked: the list's public facts, its standing (the
fold of the journal, see `rules`), the content key, the item to do now *still sealed*, and
the prompt's answer worked out in advance. It names the sha256 of the journal and of the
sealed copy it was made from and carries a checksum of itself; it is used only while all
three hold. It is never the truth: a write (a reveal, `done`, `amend`) decides from the
journal itself, read under the lock, so a snapshot edited by hand can at most make a
read-only answer wrong until the next write, and `doctor` says so.

Everything about the file is here: derive it, encode it, read it if fresh, check it. The
reading and the prompt's answer use `os`, `json` and `hashlib` only (no `typing`, no
`dataclasses`): `dailylist prompt` runs them on every shell prompt.
"""

from __future__ import annotations

import hashlib
import json
import os

from dailylist import limits
from dailylist.days import check_clock, in_range, in_range_day, utc

TYPE_CHECKING = False  # `typing` alone costs the prompt several milliseconds to import
if TYPE_CHECKING:
    from datetime import date, datetime
    from typing import Any

    from dailylist.domain import Item, ListInfo
    from dailylist.rules import Standing, TodayDecision

SNAPSHOT_NAME = "snapshot.json"
JOURNAL_NAME = "journal.json"
SEALED_NAME = "list.dlist"
SNAPSHOT_FORMAT = 5


def digest(raw: bytes) -> str:
    """What a snapshot names the files it was derived from by."""
    return hashlib.sha256(raw).hexdigest()


def _check(document: dict[str, Any]) -> str:
    fields = {key: value for key, value in document.items() if key != "check"}
    return digest(json.dumps(fields, sort_keys=True, separators=(",", ":")).encode())


def encode(document: dict[str, Any]) -> bytes:
    """The file's bytes: the document, with a checksum of itself (so a damaged snapshot is
    never read as a different one)."""
    checked = {**document, "check": _check(document)}
    return json.dumps(checked, ensure_ascii=False).encode("utf-8") + b"\n"


def read_any(folder: str | os.PathLike[str]) -> dict[str, Any] | None:
    """The snapshot document in a list's folder, fresh or not; None if there is none."""
    try:
        document = json.loads(
            limits.read_file(os.path.join(folder, SNAPSHOT_NAME), limits.SNAPSHOT)
        )
    except (OSError, ValueError, RecursionError):
        return None
    if not isinstance(document, dict) or document.get("format") != SNAPSHOT_FORMAT:
        return None
    return document if document.get("check") == _check(document) else None


def read_fresh(folder: str | os.PathLike[str]) -> dict[str, Any] | None:
    """The snapshot document in a list's folder if the journal and the sealed copy there
    are byte for byte those it was made from; else None."""
    document = read_any(folder)
    if document is None:
        return None
    for name, key, cap in (
        (JOURNAL_NAME, "journal_sha256", limits.JOURNAL),
        (SEALED_NAME, "sealed_sha256", limits.SEALED_LIST),
    ):
        try:
            if digest(limits.read_file(os.path.join(folder, name), cap)) != document.get(key):
                return None
        except OSError:
            return None
    return document


# --- the prompt's answer, worked out in advance ------------------------------------------------


def prompt_text(decision: TodayDecision, done: int, count: int) -> str:
    """The prompt's line for a decision of `rules.decide_today`: 'day 5/30 waiting', 'day
    5/30 done' or 'all 30 done'."""
    kind = type(decision).__name__
    if kind == "Finished":
        return f"all {count} done"
    if kind == "Waiting":
        return f"day {done}/{count} done"
    return f"day {done + 1}/{count} waiting"


def prompt_line(document: dict[str, Any], now: datetime, zone: str) -> str | None:
    """The prompt's line at `now` in `zone` from a snapshot document, or None when it was
    worked out for another zone (or the clock reads too early): ask the rules then."""
    from datetime import datetime

    cached, standing = document["prompt"], document["standing"]
    if cached is None or cached["zone"] != zone:
        return None
    last = standing["last_event_at"]
    try:
        check_clock(datetime.fromisoformat(last) if last else None, now)
    except Exception:  # the clock reads too early: the long way says so
        return None
    changes = cached["changes_at"]
    if changes is not None and utc(now) >= utc(datetime.fromisoformat(changes)):
        return str(cached["then"])
    return str(cached["line"])


# --- the typed snapshot, for the commands that read (and for deriving it) -------------------


class Snapshot:
    """A snapshot as the everyday commands use it (a plain class: no `dataclasses` on the
    prompt's path)."""

    __slots__ = (
        "current",
        "done_days",
        "head",
        "info",
        "journal_sha256",
        "sealed_sha256",
        "set_aside",
        "standing",
    )

    def __init__(
        self,
        *,
        info: ListInfo,
        standing: Standing,
        done_days: tuple[date, ...],
        current: Item | None,
        head: str | None,
        set_aside: int = 0,
        journal_sha256: str,
        sealed_sha256: str,
    ) -> None:
        self.info = info
        self.standing = standing
        #: The list day of each completion that counts, in order (for `figures.stats`).
        self.done_days = done_days
        #: The item to do now, once it has been revealed (else None): kept opened, so that
        #: showing it again needs no decryption (nor the content key in this file).
        self.current = current
        #: The id of the journal's last event, which the next event names as `prev`.
        self.head = head
        #: How many completions are set aside (two devices that were apart did a day).
        self.set_aside = set_aside
        self.journal_sha256 = journal_sha256
        self.sealed_sha256 = sealed_sha256

    def document(self, now: datetime) -> dict[str, Any]:
        """The snapshot file's JSON document, with the prompt's answer for `now`'s zone."""
        from dailylist.clock import zone_name
        from dailylist.errors import DailylistError
        from dailylist.rules import decide_today, unlocks_at

        info, standing = self.info, self.standing
        done, count = standing.done_count, standing.item_count
        prompt = None
        try:
            decision = decide_today(standing, now)
            changes = unlocks_at(standing, now) if standing.current is None else None
            later = (
                decision
                if changes is None
                else decide_today(standing, changes.astimezone(now.tzinfo))
            )
            prompt = {
                "zone": zone_name(now),
                "line": prompt_text(decision, done, count),
                "changes_at": None if changes is None else changes.isoformat(),
                "then": prompt_text(later, done, count),
            }
        except DailylistError:  # the clock reads too early: the prompt asks the long way
            pass
        return {
            "format": SNAPSHOT_FORMAT,
            "journal_sha256": self.journal_sha256,
            "sealed_sha256": self.sealed_sha256,
            "list": _info_document(info),
            "head": self.head,
            "standing": _standing_document(standing),
            "done_days": [day.isoformat() for day in self.done_days],
            "current": None if self.current is None else _item_document(self.current),
            "set_aside": self.set_aside,
            "prompt": prompt,
        }

    @classmethod
    def from_document(cls, document: dict[str, Any]) -> Snapshot:
        """The snapshot a document describes; `ValueError`, `KeyError` or `TypeError` if the
        document is not one."""
        info = _info(document["list"])
        return cls(
            info=info,
            standing=_standing(document["standing"], info),
            done_days=tuple(_day(day) for day in document["done_days"]),
            current=None if document["current"] is None else _item(document["current"]),
            head=None if document["head"] is None else str(document["head"]),
            set_aside=int(document["set_aside"]),
            journal_sha256=str(document["journal_sha256"]),
            sealed_sha256=str(document["sealed_sha256"]),
        )


def _b64(raw: bytes) -> str:
    import base64

    return base64.b64encode(raw).decode("ascii")


def _unb64(text: Any) -> bytes:
    import base64

    if not isinstance(text, str):
        raise TypeError("expected base64 text")
    return base64.b64decode(text, validate=True)


def _moment(text: Any) -> datetime:
    from datetime import datetime

    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError("a time without a zone")
    if not in_range(moment):
        raise ValueError("a time outside the years dailylist works with")
    return moment


def _day(text: Any) -> date:
    from datetime import date

    day = date.fromisoformat(text)
    if not in_range_day(day):
        raise ValueError("a day outside the years dailylist works with")
    return day


def _maybe(text: Any) -> datetime | None:
    return None if text is None else _moment(text)


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _info_document(info: ListInfo) -> dict[str, Any]:
    settings = info.settings
    return {
        "id": info.id,
        "name": info.name,
        "title": info.title,
        "author": info.author,
        "item_count": info.item_count,
        "fingerprint": info.fingerprint,
        "letter": info.letter,
        "rules": list(info.rules),
        "settings": {
            "photo": settings.photo,
            "reflection": settings.reflection,
            "day_starts_at": settings.day_starts_at.strftime("%H:%M"),
            "reflection_prompt": settings.reflection_prompt,
        },
    }


def _info(document: dict[str, Any]) -> ListInfo:
    from datetime import time

    from dailylist.domain import ListInfo, Settings

    settings = dict(document["settings"])
    settings["day_starts_at"] = time.fromisoformat(settings["day_starts_at"])
    return ListInfo(
        id=str(document["id"]),
        name=str(document["name"]),
        title=str(document["title"]),
        author=str(document["author"]),
        item_count=int(document["item_count"]),
        fingerprint=str(document["fingerprint"]),
        settings=Settings(**settings),
        letter=str(document["letter"]),
        rules=tuple(str(rule) for rule in document["rules"]),
    )


def _standing_document(standing: Standing) -> dict[str, Any]:
    last, current = standing.last_done, standing.current
    return {
        "opened_at": _iso(standing.opened_at),
        "first_revealed_at": _iso(standing.first_revealed_at),
        "done_count": standing.done_count,
        "last_done": None
        if last is None
        else {
            "index": last.index,
            "day": last.day.isoformat(),
            "at": last.at.isoformat(),
            "revealed_at": last.revealed_at.isoformat(),
            "item_key": None if last.item_key is None else _b64(last.item_key),
            "next_unlocks_at": last.next_unlocks_at.isoformat(),
            "amend_until": last.amend_until.isoformat(),
        },
        "current": None
        if current is None
        else {
            "index": current.index,
            "at": current.at.isoformat(),
            "item_key": None if current.item_key is None else _b64(current.item_key),
        },
        "last_event_at": _iso(standing.last_event_at),
        "first_day": None if standing.first_day is None else standing.first_day.isoformat(),
        "zone": standing.zone,
        "last_device": standing.last_device,
    }


def _standing(document: dict[str, Any], info: ListInfo) -> Standing:
    from dailylist.rules import LastDone, Reveal, Standing

    last, current = document["last_done"], document["current"]
    return Standing(
        item_count=info.item_count,
        settings=info.settings,
        opened_at=_maybe(document["opened_at"]),
        first_revealed_at=_maybe(document["first_revealed_at"]),
        done_count=int(document["done_count"]),
        last_done=None
        if last is None
        else LastDone(
            index=int(last["index"]),
            day=_day(last["day"]),
            at=_moment(last["at"]),
            revealed_at=_moment(last["revealed_at"]),
            item_key=None if last["item_key"] is None else _unb64(last["item_key"]),
            next_unlocks_at=_moment(last["next_unlocks_at"]),
            amend_until=_moment(last["amend_until"]),
        ),
        current=None
        if current is None
        else Reveal(
            index=int(current["index"]),
            at=_moment(current["at"]),
            item_key=None if current["item_key"] is None else _unb64(current["item_key"]),
        ),
        last_event_at=_maybe(document["last_event_at"]),
        first_day=None if document["first_day"] is None else _day(document["first_day"]),
        zone=None if document["zone"] is None else str(document["zone"]),
        last_device=None if document["last_device"] is None else str(document["last_device"]),
    )


def _item_document(item: Item) -> dict[str, Any]:
    return {
        "text": item.text,
        "title": item.title,
        "photo": item.photo,
        "reflection": item.reflection,
        "checkin": item.checkin,
    }


def _item(document: dict[str, Any]) -> Item:
    from dailylist.domain import Item

    if not isinstance(document, dict):
        raise TypeError("expected an item")
    return Item(**document)  # checks itself: `ValueError` or `TypeError`

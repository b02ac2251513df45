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

import json
import os

from dailylist import limits
from dailylist.days import check_clock, utc
from dailylist.home import JOURNAL_NAME, SEALED_NAME, SNAPSHOT_NAME, digest

TYPE_CHECKING = False  # `typing` alone costs the prompt several milliseconds to import
if TYPE_CHECKING:
    from datetime import date, datetime
    from typing import Any

    from dailylist.domain import Item, ListInfo
    from dailylist.rules import Standing, TodayDecision

SNAPSHOT_FORMAT = 6


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
        return checked(limits.read_file(os.path.join(folder, SNAPSHOT_NAME), limits.SNAPSHOT))
    except OSError:
        return None


def checked(raw: bytes) -> dict[str, Any] | None:
    """The snapshot document in `raw` when it is one of this format whose checksum holds,
    fresh or not; else None."""
    try:
        document = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    if not isinstance(document, dict) or document.get("format") != SNAPSHOT_FORMAT:
        return None
    return document if document.get("check") == _check(document) else None


def is_fresh(document: dict[str, Any], journal: bytes, sealed: bytes) -> bool:
    """Whether a snapshot was made from these bytes of the journal and the sealed copy."""
    return (digest(journal), digest(sealed)) == (
        document.get("journal_sha256"),
        document.get("sealed_sha256"),
    )


def read_fresh(folder: str | os.PathLike[str]) -> dict[str, Any] | None:
    """The snapshot document in a list's folder if the journal and the sealed copy there
    are byte for byte those it was made from; else None."""
    document = read_any(folder)
    if document is None:
        return None
    try:
        journal = limits.read_file(os.path.join(folder, JOURNAL_NAME), limits.JOURNAL)
        sealed = limits.read_file(os.path.join(folder, SEALED_NAME), limits.SEALED_LIST)
    except OSError:
        return None
    return document if is_fresh(document, journal, sealed) else None


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
    last = standing.get("last_event_at")
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
        from dailylist.codec import encode

        return {
            "format": SNAPSHOT_FORMAT,
            "journal_sha256": self.journal_sha256,
            "sealed_sha256": self.sealed_sha256,
            "list": encode(info),
            "head": self.head,
            "standing": encode(standing),
            "done_days": [day.isoformat() for day in self.done_days],
            "current": None if self.current is None else encode(self.current),
            "set_aside": self.set_aside,
            "prompt": prompt,
        }

    @classmethod
    def from_document(cls, document: dict[str, Any]) -> Snapshot:
        """The snapshot a document describes; `ValueError`, `KeyError` or `TypeError` if the
        document is not one (read by the one codec, see `codec`)."""
        from datetime import date

        from dailylist.codec import decode, read
        from dailylist.domain import Item, ListInfo
        from dailylist.rules import Standing

        info = decode(ListInfo, document["list"])
        standing = decode(Standing, document["standing"])
        if (standing.item_count, standing.settings) != (info.item_count, info.settings):
            raise ValueError("a standing of another list")
        done_days: tuple[date, ...] = read(tuple[date, ...], document["done_days"])
        return cls(
            info=info,
            standing=standing,
            done_days=done_days,
            current=None if document["current"] is None else decode(Item, document["current"]),
            head=None if document["head"] is None else str(document["head"]),
            set_aside=int(document["set_aside"]),
            journal_sha256=str(document["journal_sha256"]),
            sealed_sha256=str(document["sealed_sha256"]),
        )

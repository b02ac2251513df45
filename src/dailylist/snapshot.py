"""The snapshot: what the everyday commands need, kept beside the journal. Standard library only.

After every journal write, `recipient.commit_journal` leaves a small `snapshot.json` beside
the journal, derived from the checked list and journal: the list's public facts, where it
stands (`rules.Standing`), the content key, and the next item *still sealed*. `today`,
`status`, `done` and `prompt` read it without pydantic and decrypt at most one item, so they
cost the same for a list of 1 item or 10,000 and a journal of 0 days or 3,650.

A snapshot is never the truth. It names the sha256 of the journal bytes it was derived from
and is used only while the journal on disk has exactly those bytes; any other journal
(edited, restored, written by another version) sends the command down the full path, which
checks every event and the hash chain again and leaves a new snapshot. It holds nothing the
list folder does not already hold (the content key is in the sealed copy or `content.key`,
check-in keys are in the journal), and no plaintext of any item.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from dailylist.cipher import associated_data, decrypt
from dailylist.records import Item, ListInfo, Settings
from dailylist.rules import Reveal, Standing

SNAPSHOT_NAME = "snapshot.json"
SNAPSHOT_FORMAT = 1


@dataclass(frozen=True)
class SealedRecord:
    """An item as it is in the sealed file: only a key the rules hand out opens it."""

    index: int
    nonce: bytes
    ciphertext: bytes


@dataclass(frozen=True)
class Snapshot:
    info: ListInfo
    standing: Standing
    content_key: bytes
    #: The next item to complete, still sealed; None once the list is finished.
    current: SealedRecord | None
    #: The sha256 of the journal bytes this snapshot was derived from.
    journal_sha256: str

    def current_item(self) -> Item:
        """The next item, decrypted. Call it only when the rules show that item today.

        Raises `ValueError` if it cannot be decrypted (the caller then takes the full path).
        """
        record, reveal = self.current, self.standing.current_reveal
        if record is None or reveal is None or reveal.index != record.index:
            raise ValueError("the snapshot holds no revealed item")
        key = reveal.item_key or self.content_key
        aad = associated_data(self.info.id, record.index, self.info.item_count)
        try:
            return Item.from_plaintext(decrypt(key, record.nonce, record.ciphertext, aad))
        except Exception as exc:  # a wrong key, a changed byte, a bug: all mean "not this way"
            raise ValueError("the snapshot's item does not decrypt") from exc


def journal_digest(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def read_fresh(folder: Path) -> Snapshot | None:
    """The snapshot in a list's folder if it matches the journal there byte for byte; else None."""
    try:
        raw = (folder / SNAPSHOT_NAME).read_bytes()
        journal = (folder / "journal.json").read_bytes()
    except OSError:
        return None
    try:
        found = from_json(raw)
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
    return found if found.journal_sha256 == journal_digest(journal) else None


# --- the file --------------------------------------------------------------------------------


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _unb64(text: Any) -> bytes:
    if not isinstance(text, str):
        raise TypeError("expected base64 text")
    return base64.b64decode(text, validate=True)


def _moment(text: Any) -> datetime | None:
    if text is None:
        return None
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError("a time without a zone")
    return moment


def to_json(snapshot: Snapshot) -> bytes:
    info, standing, settings = snapshot.info, snapshot.standing, snapshot.info.settings
    reveal = standing.current_reveal
    current = snapshot.current
    document = {
        "format": SNAPSHOT_FORMAT,
        "journal_sha256": snapshot.journal_sha256,
        "list": {
            "id": info.id,
            "name": info.name,
            "title": info.title,
            "author": info.author,
            "item_count": info.item_count,
            "fingerprint": info.fingerprint,
            "settings": {
                "photo": settings.photo,
                "reflection": settings.reflection,
                "day_starts_at": settings.day_starts_at.strftime("%H:%M"),
                "reflection_prompt": settings.reflection_prompt,
            },
        },
        "content_key": _b64(snapshot.content_key),
        "standing": {
            "done_days": [day.isoformat() for day in standing.done_days],
            "first_revealed_at": _iso(standing.first_revealed_at),
            "current_reveal": None
            if reveal is None
            else {
                "index": reveal.index,
                "at": reveal.at.isoformat(),
                "item_key": _b64(reveal.item_key) if reveal.item_key else None,
            },
            "last_event_at": _iso(standing.last_event_at),
        },
        "current": None
        if current is None
        else {
            "index": current.index,
            "nonce": _b64(current.nonce),
            "ciphertext": _b64(current.ciphertext),
        },
    }
    return json.dumps(document, ensure_ascii=False).encode("utf-8") + b"\n"


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def from_json(raw: bytes) -> Snapshot:
    """A snapshot from its file; `ValueError`, `KeyError` or `TypeError` if it is not one."""
    document = json.loads(raw)
    if document["format"] != SNAPSHOT_FORMAT:
        raise ValueError("another snapshot format")
    listed, stand = document["list"], document["standing"]
    settings = listed["settings"]
    reveal = stand["current_reveal"]
    current = document["current"]
    item_key = reveal and reveal["item_key"]
    return Snapshot(
        info=ListInfo(
            id=str(listed["id"]),
            name=str(listed["name"]),
            title=str(listed["title"]),
            author=str(listed["author"]),
            item_count=int(listed["item_count"]),
            fingerprint=str(listed["fingerprint"]),
            settings=Settings(
                photo=settings["photo"],
                reflection=settings["reflection"],
                day_starts_at=time.fromisoformat(settings["day_starts_at"]),
                reflection_prompt=str(settings["reflection_prompt"]),
            ),
        ),
        standing=Standing(
            item_count=int(listed["item_count"]),
            done_days=tuple(date.fromisoformat(day) for day in stand["done_days"]),
            first_revealed_at=_moment(stand["first_revealed_at"]),
            current_reveal=None
            if reveal is None
            else Reveal(
                index=int(reveal["index"]),
                at=_moment(reveal["at"]) or _missing("reveal time"),
                item_key=_unb64(item_key) if item_key else None,
            ),
            last_event_at=_moment(stand["last_event_at"]),
        ),
        content_key=_unb64(document["content_key"]),
        current=None
        if current is None
        else SealedRecord(
            index=int(current["index"]),
            nonce=_unb64(current["nonce"]),
            ciphertext=_unb64(current["ciphertext"]),
        ),
        journal_sha256=str(document["journal_sha256"]),
    )


def _missing(what: str) -> datetime:
    raise ValueError(f"no {what}")

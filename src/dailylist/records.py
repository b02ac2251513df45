"""Plain records of an opened list, as the everyday commands use it. Standard library only.

The pydantic models in `models` check every file at the boundary; once a list has been
checked, what `today`, `status` and `done` pass around is these small frozen records, so
those commands never import pydantic. They are made from checked models (`from_header`,
`from_content`) or read back from a snapshot (see `snapshot`) that was made from them.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any

from dailylist.cipher import associated_data, decrypt
from dailylist.rules import Reveal, Standing
from dailylist.snapshot import SNAPSHOT_FORMAT

if TYPE_CHECKING:
    from dailylist.models import ItemContent, PhotoRule, ReflectionRule, SealedHeader


@dataclass(frozen=True)
class Settings:
    """A list's settings: what each day requires, and when a day starts."""

    photo: PhotoRule
    reflection: ReflectionRule
    day_starts_at: time
    reflection_prompt: str


@dataclass(frozen=True)
class ListInfo:
    """The public facts of an opened list (nothing here is secret or per-day)."""

    id: str
    name: str
    title: str
    author: str
    item_count: int
    fingerprint: str
    settings: Settings

    @classmethod
    def from_header(cls, header: SealedHeader, *, name: str, fingerprint: str) -> ListInfo:
        settings = header.settings
        return cls(
            id=header.id,
            name=name,
            title=header.title,
            author=header.author,
            item_count=header.item_count,
            fingerprint=fingerprint,
            settings=Settings(
                photo=settings.photo,
                reflection=settings.reflection,
                day_starts_at=settings.day_starts_at,
                reflection_prompt=settings.reflection_prompt,
            ),
        )


@dataclass(frozen=True)
class Item:
    """One challenge, decrypted because the rules allowed it to be shown."""

    text: str
    title: str | None = None
    photo: PhotoRule | None = None
    reflection: ReflectionRule | None = None
    checkin: bool = False

    @classmethod
    def from_content(cls, content: ItemContent) -> Item:
        return cls(content.text, content.title, content.photo, content.reflection, content.checkin)

    @classmethod
    def from_plaintext(cls, plaintext: bytes) -> Item:
        """An item from its decrypted JSON.

        The ciphertext is authenticated (AES-GCM), and every item was checked against
        `models.ItemContent` when the list was opened, so these are known-good bytes: a
        failure here means a bug or a broken disk, and raises `ValueError`.
        """
        fields = json.loads(plaintext)
        if not isinstance(fields, dict) or not isinstance(fields.get("text"), str):
            raise ValueError("not an item")
        return cls(
            text=fields["text"],
            title=fields.get("title"),
            photo=fields.get("photo"),
            reflection=fields.get("reflection"),
            checkin=bool(fields.get("checkin", False)),
        )

    def photo_rule(self, settings: Settings) -> PhotoRule:
        """Whether a photo is required: the item's own setting, else the list's."""
        return self.photo or settings.photo

    def reflection_rule(self, settings: Settings) -> ReflectionRule:
        """Whether a reflection is required, optional or off: the item's, else the list's."""
        return self.reflection or settings.reflection


@dataclass(frozen=True)
class SealedRecord:
    """An item as it is in the sealed file: only a key the rules hand out opens it."""

    index: int
    nonce: bytes
    ciphertext: bytes
    #: A check-in item: its key comes from the author's code, not the content key.
    checkin: bool = False


@dataclass(frozen=True)
class Snapshot:
    """The typed form of a list's snapshot file (see `snapshot`)."""

    info: ListInfo
    standing: Standing
    content_key: bytes
    #: The next item to complete, still sealed, once it has been revealed (else None).
    current: SealedRecord | None
    #: The id of the journal's last event, which the next event names as `prev`.
    head: str | None
    #: The sha256 of the journal and of the sealed copy this snapshot was derived from.
    journal_sha256: str
    sealed_sha256: str

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

    def document(self) -> dict[str, Any]:
        """The snapshot file's JSON document."""
        info, standing, settings = self.info, self.standing, self.info.settings
        current = self.current
        return {
            "format": SNAPSHOT_FORMAT,
            "journal_sha256": self.journal_sha256,
            "sealed_sha256": self.sealed_sha256,
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
            "content_key": _b64(self.content_key),
            "head": self.head,
            "standing": {
                "done_days": [day.isoformat() for day in standing.done_days],
                "first_revealed_at": _iso(standing.first_revealed_at),
                "reveals_ahead": [
                    {
                        "index": reveal.index,
                        "at": reveal.at.isoformat(),
                        "item_key": _b64(reveal.item_key) if reveal.item_key else None,
                    }
                    for reveal in standing.reveals_ahead
                ],
                "last_event_at": _iso(standing.last_event_at),
            },
            "current": None
            if current is None
            else {
                "index": current.index,
                "nonce": _b64(current.nonce),
                "ciphertext": _b64(current.ciphertext),
                "checkin": current.checkin,
            },
        }

    @classmethod
    def from_document(cls, document: dict[str, Any]) -> Snapshot:
        """The snapshot a document describes; `ValueError`, `KeyError` or `TypeError` if the
        document is not one."""
        listed, stand, current = document["list"], document["standing"], document["current"]
        settings = listed["settings"]
        item_count = int(listed["item_count"])
        return cls(
            info=ListInfo(
                id=str(listed["id"]),
                name=str(listed["name"]),
                title=str(listed["title"]),
                author=str(listed["author"]),
                item_count=item_count,
                fingerprint=str(listed["fingerprint"]),
                settings=Settings(
                    photo=settings["photo"],
                    reflection=settings["reflection"],
                    day_starts_at=time.fromisoformat(settings["day_starts_at"]),
                    reflection_prompt=str(settings["reflection_prompt"]),
                ),
            ),
            standing=Standing(
                item_count=item_count,
                done_days=tuple(date.fromisoformat(day) for day in stand["done_days"]),
                first_revealed_at=_maybe_moment(stand["first_revealed_at"]),
                reveals_ahead=tuple(
                    Reveal(
                        index=int(reveal["index"]),
                        at=_moment(reveal["at"]),
                        item_key=_unb64(reveal["item_key"]) if reveal["item_key"] else None,
                    )
                    for reveal in stand["reveals_ahead"]
                ),
                last_event_at=_maybe_moment(stand["last_event_at"]),
            ),
            content_key=_unb64(document["content_key"]),
            current=None
            if current is None
            else SealedRecord(
                index=int(current["index"]),
                nonce=_unb64(current["nonce"]),
                ciphertext=_unb64(current["ciphertext"]),
                checkin=bool(current["checkin"]),
            ),
            head=None if document["head"] is None else str(document["head"]),
            journal_sha256=str(document["journal_sha256"]),
            sealed_sha256=str(document["sealed_sha256"]),
        )


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _unb64(text: Any) -> bytes:
    if not isinstance(text, str):
        raise TypeError("expected base64 text")
    return base64.b64decode(text, validate=True)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _moment(text: Any) -> datetime:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError("a time without a zone")
    return moment


def _maybe_moment(text: Any) -> datetime | None:
    return None if text is None else _moment(text)

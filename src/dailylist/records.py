"""Plain records of an opened list, as the everyday commands show it. Standard library only.

The pydantic models in `models` check every file at the boundary; once a list has been
checked, what `today`, `status`, `done` and `prompt` pass around is these small frozen
records, so those commands never need to import pydantic. They are made from checked
models (`from_header`, `from_content`) or read back from a snapshot that was.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import time
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from dailylist.models import ItemContent, SealedHeader

PhotoRule = Literal["required", "optional"]
ReflectionRule = Literal["required", "optional", "off"]


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

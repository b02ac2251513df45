"""Every file format and record of dailylist, as pydantic models.

Three files: the list source (TOML, the author's), the sealed list (`.dlist`, JSON) and the
journal (JSON, the recipient's). Records are frozen; the journal is an append-only log of
events, each naming the one before it by hash.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from datetime import date, time
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    field_validator,
)

from dailylist.canonical import canonical_json, parse_json

SEALED_FORMAT = 1
JOURNAL_FORMAT = 1

PhotoRule = Literal["required", "optional"]
ReflectionRule = Literal["required", "optional", "off"]


def _decode_b64(value: object) -> bytes:
    if isinstance(value, bytes):
        return value
    if not isinstance(value, str):
        raise ValueError("expected a base64 string")
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError("not valid base64") from exc
    # Only the canonical spelling is accepted, so that no two texts mean the same bytes
    # (an edit that leaves the decoded bytes unchanged is still an edit).
    if base64.b64encode(raw).decode("ascii") != value:
        raise ValueError("base64 is not in canonical form")
    return raw


B64Bytes = Annotated[
    bytes,
    BeforeValidator(_decode_b64),
    PlainSerializer(lambda raw: base64.b64encode(raw).decode("ascii"), return_type=str),
]

_HEX64 = re.compile(r"^[0-9a-f]{64}$")


def _check_sha256_hex(value: str) -> str:
    if not _HEX64.fullmatch(value):
        raise ValueError("expected 64 lowercase hex digits")
    return value


Sha256Hex = Annotated[str, AfterValidator(_check_sha256_hex)]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


# --- The list source (TOML, written by the author) ------------------------------------------

_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def _parse_day_start(value: object) -> object:
    if isinstance(value, time):
        return value
    if not isinstance(value, str) or not _HHMM.fullmatch(value):
        raise ValueError('must be a time of day as "HH:MM", for example "04:00"')
    return time.fromisoformat(value)


DayStart = Annotated[
    time,
    BeforeValidator(_parse_day_start),
    PlainSerializer(lambda t: t.strftime("%H:%M"), return_type=str),
]


class ListSettings(_Frozen):
    photo: PhotoRule = "required"
    reflection: ReflectionRule = "required"
    day_starts_at: DayStart = time(4, 0)
    reflection_prompt: str = "What did you do, and how did it feel?"


def _non_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    return value.strip()


NonBlank = Annotated[str, AfterValidator(_non_blank)]


class ItemContent(_Frozen):
    """One challenge, as the author wrote it. In a sealed file it only exists encrypted."""

    text: NonBlank
    title: NonBlank | None = None
    photo: PhotoRule | None = None
    reflection: ReflectionRule | None = None
    #: A check-in item opens only with a code the author gives (by phone) on the day.
    checkin: bool = False


class ListSource(_Frozen):
    title: NonBlank
    author: NonBlank
    letter: str = ""
    rules: list[NonBlank] = Field(default_factory=list)
    settings: ListSettings = Field(default_factory=ListSettings)
    items: list[ItemContent] = Field(min_length=1, max_length=100_000)


# --- The sealed list (.dlist, JSON) -----------------------------------------------------------


class SealedHeader(_Frozen):
    """What anyone holding the file may read: no item text is here."""

    id: Annotated[str, Field(pattern=r"^[0-9a-f]{32}$")]
    title: str
    author: str
    letter: str
    rules: list[str]
    settings: ListSettings
    item_count: Annotated[int, Field(ge=1)]
    created: AwareDatetime


def _fixed_length(size: int) -> Any:
    def check(value: bytes) -> bytes:
        if len(value) != size:
            raise ValueError(f"must be {size} bytes")
        return value

    return AfterValidator(check)


Key32 = Annotated[B64Bytes, _fixed_length(32)]
Nonce12 = Annotated[B64Bytes, _fixed_length(12)]


class ScryptParams(_Frozen):
    """How a key is derived from a passphrase or a check-in code (bounded: no memory bombs)."""

    salt: Annotated[B64Bytes, _fixed_length(16)]
    n: Annotated[int, Field(ge=2**10, le=2**20)]
    r: Annotated[int, Field(ge=1, le=16)]
    p: Annotated[int, Field(ge=1, le=4)]

    @field_validator("n")
    @classmethod
    def _power_of_two(cls, value: int) -> int:
        if value & (value - 1):
            raise ValueError("n must be a power of two")
        return value


class PlainContentKey(_Frozen):
    """The content key, stored beside the items (see the README's threat model)."""

    kind: Literal["plain"] = "plain"
    key: Key32


class PassphraseContentKey(_Frozen):
    """The content key, encrypted under a key derived from the author's passphrase."""

    kind: Literal["passphrase"] = "passphrase"
    kdf: ScryptParams
    nonce: Nonce12
    wrapped: B64Bytes


ContentKey = Annotated[PlainContentKey | PassphraseContentKey, Field(discriminator="kind")]


class SealedItem(_Frozen):
    nonce: Nonce12
    ciphertext: B64Bytes
    #: Set on check-in items: their key comes from the author's code, not the content key.
    checkin: ScryptParams | None = None


class SealedList(_Frozen):
    format: int
    header: SealedHeader
    content_key: ContentKey
    items: list[SealedItem]
    public_key: Key32
    signature: Annotated[B64Bytes, _fixed_length(64)]

    def document(self) -> dict[str, Any]:
        """The JSON document of this sealed list, as it is written to a `.dlist` file."""
        return self.model_dump(mode="json", exclude_none=True)

    def signed_payload(self) -> bytes:
        """The bytes the author's signature covers: everything but the signature."""
        document = self.document()
        del document["signature"]
        return canonical_json(document)


# --- The journal (JSON, the recipient's) ------------------------------------------------------


class PhotoRecord(_Frozen):
    sha256: Sha256Hex
    size: Annotated[int, Field(ge=1)]
    stored_name: Annotated[str, Field(pattern=r"^[0-9a-f]{64}\.(jpg|png|webp|heic)$")]
    original_path: str
    format: str
    width: int
    height: int
    taken_at: AwareDatetime | None = None


class EventBase(_Frozen):
    """What every journal event has. Optional fields default to None and are left out of
    the stored JSON and the hash, so fields added later keep old events' ids valid."""

    id: Sha256Hex
    prev: Sha256Hex | None = None
    at: AwareDatetime
    zone: str
    device: str

    def stored(self) -> dict[str, Any]:
        """The event as it is written to a journal."""
        return self.model_dump(mode="json", exclude_none=True)

    def computed_id(self) -> str:
        fields = self.stored()
        del fields["id"]
        return event_id(fields)


class OpenedEvent(EventBase):
    kind: Literal["opened"] = "opened"


class RevealedEvent(EventBase):
    kind: Literal["revealed"] = "revealed"
    index: Annotated[int, Field(ge=0)]
    #: For a check-in item: the key its code opened, so the revealed text stays readable.
    item_key: Key32 | None = None


class CompletedEvent(EventBase):
    kind: Literal["completed"] = "completed"
    index: Annotated[int, Field(ge=0)]
    day: date
    reflection: str | None = None
    photos: list[PhotoRecord]
    photo_taken_before_reveal: bool = False


class AmendedEvent(EventBase):
    """A change to a completed day's reflection or photos, made on that same day.

    The completion it amends stays in the journal as it was; None means unchanged.
    """

    kind: Literal["amended"] = "amended"
    index: Annotated[int, Field(ge=0)]
    day: date
    reflection: str | None = None
    photos: list[PhotoRecord] | None = None
    photo_taken_before_reveal: bool | None = None


E = TypeVar("E", bound=EventBase)

Event = Annotated[
    OpenedEvent | RevealedEvent | CompletedEvent | AmendedEvent, Field(discriminator="kind")
]


class Journal(_Frozen):
    format: int
    list_id: str
    events: list[Event] = Field(default_factory=list)

    def stored(self) -> dict[str, Any]:
        """The journal as it is written to disk."""
        return {
            "format": self.format,
            "list_id": self.list_id,
            "events": [event.stored() for event in self.events],
        }


def event_id(fields: dict[str, Any]) -> str:
    """The id of an event: the sha256 of its canonical JSON without the id itself."""
    return hashlib.sha256(canonical_json(fields)).hexdigest()


def new_event(cls: type[E], *, prev: str | None, **fields: Any) -> E:
    """Build an event of `cls` whose id is the hash of its content and `prev`."""
    draft = cls.model_validate({**fields, "id": "0" * 64, "prev": prev})
    return draft.model_copy(update={"id": draft.computed_id()})


__all__ = [
    "JOURNAL_FORMAT",
    "SEALED_FORMAT",
    "AmendedEvent",
    "CompletedEvent",
    "ContentKey",
    "Event",
    "EventBase",
    "ItemContent",
    "Journal",
    "ListSettings",
    "ListSource",
    "OpenedEvent",
    "PassphraseContentKey",
    "PhotoRecord",
    "PlainContentKey",
    "RevealedEvent",
    "ScryptParams",
    "SealedHeader",
    "SealedItem",
    "SealedList",
    "canonical_json",
    "new_event",
    "parse_json",
]

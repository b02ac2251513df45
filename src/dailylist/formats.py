"""The files people hand each other, checked with pydantic where they come in: a list source
(TOML, from the author), a sealed list (`.dlist`, from the author to the recipient) and a
report (JSON, from the recipient back to the author).

These models are the files' schemas: they say what a valid file is, and name the place of
every problem. The objects the app works with are the `domain` types, which appear here
directly where a file holds them (settings, items); `sealing` and `report` build the rest
from a document once it has passed. The journal, read on every write, has its own codec
(`journal`), driven by the same domain types.
"""

from __future__ import annotations

import base64
import binascii
import builtins
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    ValidationError,
    WithJsonSchema,
)

from dailylist.domain import Item, Settings
from dailylist.errors import BadInput, DamagedData
from dailylist.report.document import REPORT_FORMAT

SEALED_FORMAT = 1


def _decode_b64(value: object) -> bytes:
    if isinstance(value, bytes):
        return value
    if not isinstance(value, str):
        raise ValueError("expected a base64 string")
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError("not valid base64") from exc
    if base64.b64encode(raw).decode("ascii") != value:
        raise ValueError("base64 is not in canonical form")
    return raw


B64Bytes = Annotated[
    bytes,
    BeforeValidator(_decode_b64),
    PlainSerializer(lambda raw: base64.b64encode(raw).decode("ascii"), return_type=str),
]


def _moment(value: object) -> datetime:
    """An ISO 8601 time with its UTC offset, as dailylist writes one (`isoformat`): the
    offset may have seconds, as zones had before 1972 and EXIF can say; in the years
    dailylist works with."""
    from dailylist.days import in_range

    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        moment = datetime.fromisoformat(value)  # ValueError names what is wrong
    else:
        raise ValueError("expected an ISO 8601 time")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("a time without its UTC offset")
    if not in_range(moment):
        raise ValueError("a time outside the years 1971 to 9000")
    return moment


Moment = Annotated[
    datetime,
    PlainValidator(_moment),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]


def _sized(size: int) -> Any:
    def check(value: bytes) -> bytes:
        if len(value) != size:
            raise ValueError(f"must be {size} bytes")
        return value

    return AfterValidator(check)


def _non_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    return value.strip()


def _power_of_two(value: int) -> int:
    if value & (value - 1):
        raise ValueError("must be a power of two")
    return value


NonBlank = Annotated[str, AfterValidator(_non_blank)]
Hex64 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


class _Checked(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


def first_problem(exc: ValidationError) -> str:
    """The first problem pydantic found, as 'place: message'."""
    first = exc.errors()[0]
    place = ".".join(str(part) for part in first["loc"])
    return f"{place}: {first['msg']}" if place else str(first["msg"])


# --- the list source (TOML, written by the author) ------------------------------------------


class ListSource(_Checked):
    title: NonBlank
    author: NonBlank
    letter: str = ""
    rules: list[NonBlank] = Field(default_factory=list)
    settings: Settings = Field(default_factory=Settings)
    items: list[Item] = Field(min_length=1, max_length=100_000)


# --- the sealed list (.dlist, JSON) -----------------------------------------------------------


class SealedHeader(_Checked):
    """What anyone holding the file may read: no item text is here."""

    id: Annotated[str, Field(pattern=r"^[0-9a-f]{32}$")]
    title: str
    author: str
    letter: str
    rules: list[str]
    settings: Settings
    item_count: Annotated[int, Field(ge=1)]
    created: Moment


class ScryptParams(_Checked):
    """How a key is derived from a passphrase or a check-in code (bounded: no memory bombs)."""

    salt: Annotated[B64Bytes, _sized(16)]
    n: Annotated[int, Field(ge=2**10, le=2**20), AfterValidator(_power_of_two)]
    r: Annotated[int, Field(ge=1, le=16)]
    p: Annotated[int, Field(ge=1, le=4)]


class PlainContentKey(_Checked):
    """The content key, stored beside the items (see the README's threat model)."""

    kind: Literal["plain"] = "plain"
    key: Annotated[B64Bytes, _sized(32)]


class PassphraseContentKey(_Checked):
    """The content key, encrypted under a key derived from the author's passphrase."""

    kind: Literal["passphrase"] = "passphrase"
    kdf: ScryptParams
    nonce: Annotated[B64Bytes, _sized(12)]
    wrapped: B64Bytes


class SealedItemModel(_Checked):
    nonce: Annotated[B64Bytes, _sized(12)]
    ciphertext: Annotated[B64Bytes, Field(min_length=16)]
    checkin: ScryptParams | None = None


class SealedFile(_Checked):
    """A `.dlist` file; the signature covers everything else, as written."""

    format: Literal[1]
    header: SealedHeader
    content_key: Annotated[PlainContentKey | PassphraseContentKey, Field(discriminator="kind")]
    items: list[SealedItemModel]
    public_key: Annotated[B64Bytes, _sized(32)]
    signature: Annotated[B64Bytes, _sized(64)]


def check_sealed_document(document: object, *, source: str) -> SealedFile:
    """The sealed file `document` is, or `DamagedData` naming its first problem."""
    try:
        return SealedFile.model_validate(document)
    except ValidationError as exc:
        raise DamagedData(f"{source} is damaged or tampered with ({first_problem(exc)})") from exc


# --- the report (JSON, from the recipient to the author) --------------------------------------


class ReportList(_Checked):
    id: str
    title: str
    author: str
    item_count: int
    fingerprint: str
    public_key: B64Bytes
    #: The author's signature of the sealed list: ties the report to that exact file.
    signature: B64Bytes


class ReportPhoto(_Checked):
    sha256: Hex64
    size: int
    stored_name: str
    format: str
    width: int
    height: int
    taken_at: Moment | None = None


class ReportEntry(_Checked):
    day: Annotated[int, Field(ge=1)]
    date: date
    revealed_at: Moment
    completed_at: Moment
    title: str | None
    text: str
    reflection: str | None
    photo_taken_before_reveal: bool
    photos: list[ReportPhoto]
    amended: bool = False


class ReportSummary(_Checked):
    done: int
    item_count: int
    streak: int
    missed_days: list[date]
    finished_on: date | None = None


def _plain_name(name: str) -> str:
    if name in (".", "..") or "/" in name or "\\" in name:
        raise ValueError("a folder's name beside the report, not a path")
    return name


class ReportSetAside(_Checked):
    """A completion set aside: another device's completion of that day came first."""

    day: Annotated[int, Field(ge=1)]
    date: date
    device: str
    completed_at: Moment
    reflection: str | None
    photos: builtins.list[ReportPhoto]
    amended: bool
    why: str


class Report(_Checked):
    """A dailylist report, as `export -o NAME.json` writes it (schema: `report_schema()`)."""

    format: Annotated[int, Field(ge=1)]
    kind: Literal["dailylist-report"] = "dailylist-report"
    exported_at: Moment
    #: The IANA zone the report was exported in (its summary counts days in it).
    zone: str | None = None
    list: ReportList
    summary: ReportSummary
    entries: builtins.list[ReportEntry]
    #: Completions set aside (reports of dailylist 0.1 have none).
    set_aside: builtins.list[ReportSetAside] = []
    #: The journal's whole event log, each event naming the one before it by hash (the
    #: journal's own codec reads them: see `journal`).
    events: builtins.list[dict[str, Any]]
    #: The folder beside the report that holds the photos, by content address ("" when
    #: the report went to standard output without them).
    photos_dir: Annotated[str, AfterValidator(_plain_name)]


def report_schema() -> dict[str, object]:
    """The JSON schema of a report (documented in the README)."""
    return Report.model_json_schema()


def check_report_document(document: object, *, source: str) -> Report:
    """The report `document` is, or `BadInput` naming its first problem."""
    if not isinstance(document, dict) or document.get("kind") != "dailylist-report":
        raise BadInput(f"{source} is not a dailylist report")
    if isinstance(document.get("format"), int) and document["format"] > REPORT_FORMAT:
        raise BadInput(f"{source} was written by a newer dailylist; upgrade to verify it")
    try:
        return Report.model_validate(document)
    except ValidationError as exc:
        raise BadInput(f"{source} is not a valid report ({first_problem(exc)})") from exc

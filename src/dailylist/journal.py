"""The journal file: its events in JSON, read and checked whole, and appended one at a time.

A journal is a JSON object with `format`, `list_id` and `events`, written one event per line,
each line the event's canonical JSON (sorted keys, no spaces), so that checking an event's id
is hashing its line. The events are decoded into `domain` types by one codec, driven by the
types' own fields; the same codec reads the events a report carries (see `report`).

The journal is our own file, but a person can edit it, a disk can damage it, and reports
carry its events to someone else: every event is checked (its fields, its types, its place
in the hash chain) before anything is decided from it. Standard library only, so that `done`
and a day's first reveal can read the whole journal under the lock and stay quick.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import json
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Any, TypeVar

from dailylist.canonical import canonical_json, parse_json
from dailylist.chain import breaks, computed_id, event_id, label, parents_of
from dailylist.errors import BadInput, DamagedData
from dailylist.events import EVENT_KINDS, Event, PhotoRecord

JOURNAL_FORMAT = 1

E = TypeVar("E", bound=Event)

# --- the codec: domain objects <-> JSON values ----------------------------------------------


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError("expected text")
    return value


def _integer(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError("expected a whole number")
    return value


def _flag(value: object) -> bool:
    if not isinstance(value, bool):
        raise ValueError("expected true or false")
    return value


def _moment(value: object) -> datetime:
    moment = datetime.fromisoformat(_text(value))
    if moment.tzinfo is None:
        raise ValueError("a time without its offset")
    return moment


def _day(value: object) -> date:
    return date.fromisoformat(_text(value))


def _raw_bytes(value: object) -> bytes:
    text = _text(value)
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError("not valid base64") from exc
    # Only the canonical spelling: no two texts mean the same bytes.
    if base64.b64encode(raw).decode("ascii") != text:
        raise ValueError("base64 not in its canonical form")
    return raw


def _photos(value: object) -> tuple[PhotoRecord, ...]:
    if not isinstance(value, list):
        raise ValueError("expected a list of photos")
    return tuple(decode(PhotoRecord, photo) for photo in value)


def _texts(value: object) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise ValueError("expected a list of one or more texts")
    return tuple(_text(item) for item in value)


#: How each field type of the domain's journal types is read from JSON and written to it.
_DECODERS: dict[str, Callable[[Any], Any]] = {
    "str": _text,
    "int": _integer,
    "bool": _flag,
    "datetime": _moment,
    "date": _day,
    "bytes": _raw_bytes,
    "tuple[PhotoRecord, ...]": _photos,
    "tuple[str, ...]": _texts,
}
_ENCODERS: dict[str, Callable[[Any], Any]] = {
    "str": str,
    "int": int,
    "bool": bool,
    "datetime": datetime.isoformat,
    "date": date.isoformat,
    "bytes": lambda raw: base64.b64encode(raw).decode("ascii"),
    "tuple[PhotoRecord, ...]": lambda photos: [encode(photo) for photo in photos],
    "tuple[str, ...]": list,
}


@dataclasses.dataclass(frozen=True)
class _Shape:
    """How one domain type is read: each field's reader, and which fields must be there."""

    name: str
    #: Field name -> (its type's name, whether None is allowed, how to read it).
    fields: dict[str, tuple[str, bool, Callable[[Any], Any]]]
    allowed: frozenset[str]
    required: frozenset[str]


_SHAPES: dict[type, _Shape] = {}


def _shape(cls: type) -> _Shape:
    """The shape of a domain dataclass, from its fields' types (worked out once)."""
    known = _SHAPES.get(cls)
    if known is not None:
        return known
    fields, required = {}, set()
    for field in dataclasses.fields(cls):
        kind = str(field.type)
        base = kind.removesuffix(" | None")
        if base not in _DECODERS:
            raise TypeError(f"{cls.__name__}.{field.name}: no codec for {kind}")
        fields[field.name] = (base, kind != base, _DECODERS[base])
        no_default = field.default is dataclasses.MISSING
        if no_default and field.default_factory is dataclasses.MISSING:
            required.add(field.name)
    tagged = {"kind"} if isinstance(getattr(cls, "kind", None), str) else set()
    found = _SHAPES[cls] = _Shape(
        cls.__name__, fields, frozenset({*fields, *tagged}), frozenset(required)
    )
    return found


T = TypeVar("T")


def decode(cls: type[T], document: object) -> T:
    """A domain object of `cls` from its JSON object, or `ValueError` naming the field."""
    if not isinstance(document, dict):
        raise ValueError("expected an object")
    shape = _shape(cls)
    keys = document.keys()
    if not keys <= shape.allowed:
        raise ValueError(f"{min(keys - shape.allowed)}: not a field of a {shape.name}")
    if not shape.required <= keys:
        raise ValueError(f"{min(shape.required - keys)}: missing")
    values: dict[str, Any] = {}
    for name, value in document.items():
        if name == "kind" or (value is None and shape.fields[name][1]):
            continue
        try:
            values[name] = shape.fields[name][2](value)
        except ValueError as exc:
            raise ValueError(f"{name}: {exc}") from exc
    return cls(**values)


def encode(thing: object) -> dict[str, Any]:
    """The JSON object of a domain object; fields that are None are left out, so fields
    added later keep old events' ids valid."""
    document: dict[str, Any] = {}
    kind = getattr(type(thing), "kind", None)
    if isinstance(kind, str):
        document["kind"] = kind
    for name, (base, _, _) in _shape(type(thing)).fields.items():
        value = getattr(thing, name)
        if value is not None:
            document[name] = _ENCODERS[base](value)
    return document


def decode_event(document: object) -> Event:
    """An event from its JSON object, or `ValueError` saying what is wrong with it."""
    kind = document.get("kind") if isinstance(document, Mapping) else None
    cls = EVENT_KINDS.get(kind) if isinstance(kind, str) else None
    if cls is None:
        raise ValueError(f"kind: not one of {', '.join(EVENT_KINDS)}")
    return decode(cls, document)


def new_event(cls: type[E], *, prev: str | None, **fields: Any) -> E:
    """A new event of `cls` whose id is the hash of its content and `prev`."""
    draft = cls(id="0" * 64, prev=prev, **fields)
    document = encode(draft)
    del document["id"]
    return dataclasses.replace(draft, id=event_id(document))


# --- the file ---------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class JournalFile:
    """A journal read from disk and checked whole: its events, each event's JSON object as
    stored (what its id was computed over), and the bytes they came from."""

    list_id: str
    events: tuple[Event, ...]
    documents: tuple[Mapping[str, Any], ...]
    raw: bytes

    @property
    def head(self) -> str | None:
        """The id of the last event, which the next one names as `prev`."""
        return self.events[-1].id if self.events else None

    @property
    def other_tips(self) -> tuple[str, ...] | None:
        """The events no later event names, but the head: the last of each other device's
        line merged in and not yet followed. The next event names them as `merges` (it
        knows them all), None when there are none (one device, or all followed)."""
        named = {parent for event in self.events for parent in event.parents}
        tips = tuple(e.id for e in self.events[:-1] if e.id not in named)
        return tips or None


def journal_text(list_id: str, events: Sequence[Mapping[str, Any]]) -> bytes:
    """A journal as dailylist writes it: one event per line, each in canonical JSON."""
    head = f'{{\n  "format": {JOURNAL_FORMAT},\n  "list_id": {json.dumps(list_id)},\n'
    lines = ",\n".join("    " + canonical_json(event).decode("utf-8") for event in events)
    listed = f"[\n{lines}\n  ]" if lines else "[]"
    return (head + f'  "events": {listed}\n}}\n').encode("utf-8")


_TAIL = b"\n  ]\n}\n"


def appended(journal: JournalFile, event: Event) -> bytes:
    """The bytes of `journal` with `event` as its new last line. A journal laid out
    otherwise (by an older dailylist, or by hand) is written out again in full, each event
    as it was stored (so its id still holds)."""
    line = b"    " + canonical_json(encode(event))
    raw = journal.raw
    if _laid_out(raw) and raw.endswith(_TAIL):
        return raw[: -len(_TAIL)] + b",\n" + line + _TAIL
    return journal_text(journal.list_id, [*journal.documents, encode(event)])


def _laid_out(raw: bytes) -> bool:
    """Whether `raw` is laid out as `journal_text` writes it (one canonical event a line)."""
    return raw.startswith(b'{\n  "format": ') and b'\n  "events": [\n    {"at":' in raw[:200]


def read_journal(raw: bytes, list_id: str, *, where: str, advice: str) -> JournalFile:
    """The journal whose bytes are `raw`, checked: its format, that it is `list_id`'s, and
    every event's place in the hash chain and its fields. `DamagedData` (or `BadInput` for a
    newer format) names the first problem and, where it can, the day of the bad event."""
    documents, lines = _documents(raw, list_id, where=where, advice=advice)
    links = []
    for number, document in enumerate(documents, start=1):
        if not isinstance(document, Mapping):
            raise DamagedData(f"{where} is damaged: event {number} is not an object; {advice}")
        line = lines[number - 1] if lines is not None else None
        links.append((document.get("id"), parents_of(document), computed_id(document, line)))
    for position, problem in breaks(links):
        name = label(position + 1, documents[position])
        raise DamagedData(f"{where} is damaged: {name} {problem}; {advice}")
    return JournalFile(list_id, decode_events(documents, where, advice), tuple(documents), raw)


def decode_events(documents: Sequence[object], where: str, advice: str) -> tuple[Event, ...]:
    """The events of checked JSON objects, or `DamagedData` naming the first bad one."""
    events = []
    for number, document in enumerate(documents, start=1):
        try:
            events.append(decode_event(document))
        except ValueError as exc:
            name = label(number, document)
            raise DamagedData(f"{where} is damaged: {name}: {exc}; {advice}") from exc
    return tuple(events)


def _documents(
    raw: bytes, list_id: str, *, where: str, advice: str
) -> tuple[list[Any], list[bytes] | None]:
    """The event objects of a journal, and, when it is laid out one event a line, each
    event's line (so its id is checked by hashing the line)."""
    try:
        data: Any = parse_json(raw)
    except ValueError as exc:
        raise DamagedData(f"{where} is damaged (not valid JSON: {exc}); {advice}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("format"), int):
        raise DamagedData(f"{where} is damaged (no format version); {advice}")
    if data["format"] > JOURNAL_FORMAT:
        raise BadInput(
            f"{where} was written by a newer dailylist (format {data['format']}); "
            "upgrade dailylist to use it"
        )
    extra = sorted(set(data) - {"format", "list_id", "events"})
    if data["format"] < 1 or extra or not isinstance(data.get("events"), list):
        raise DamagedData(f"{where} is damaged (not a journal); {advice}")
    if data.get("list_id") != list_id:
        found = data.get("list_id")
        raise DamagedData(f"{where} belongs to another list ({found}); {advice}")
    documents: list[Any] = data["events"]
    lines = None
    if _laid_out(raw):
        found_lines = [line.strip().rstrip(b",") for line in raw.split(b"\n")[4:-3]]
        if len(found_lines) == len(documents):
            lines = found_lines
    return documents, lines

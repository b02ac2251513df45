"""The journal file: its events in JSON, read and checked whole, and appended one at a time.

A journal is a JSON object with `format`, `list_id` and `events`, written one event per line,
each line the event's canonical JSON (sorted keys, no spaces), so that checking an event's id
is hashing its line. The events are decoded into `events` types by the one codec (`codec`),
driven by the types' own fields; the same codec reads the events a report carries.

The journal is our own file, but a person can edit it, a disk can damage it, and reports
carry its events to someone else: every event is checked (its fields, its types, its place
in the hash chain) before anything is decided from it. Standard library only, so that `done`
and a day's first reveal can read the whole journal under the lock and stay quick.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from dailylist.canonical import canonical_json, parse_json
from dailylist.chain import breaks, computed_id, event_id, label, parents_of
from dailylist.codec import decode, encode
from dailylist.errors import BadInput, DamagedData
from dailylist.events import EVENT_KINDS, Event

JOURNAL_FORMAT = 1

E = TypeVar("E", bound=Event)


def decode_event(document: object) -> Event:
    """An event from its JSON object, or `ValueError` saying what is wrong with it."""
    kind = document.get("kind") if isinstance(document, Mapping) else None
    cls = EVENT_KINDS.get(kind) if isinstance(kind, str) else None
    if cls is None:
        raise ValueError(f"kind: not one of {', '.join(EVENT_KINDS)}")
    return decode(cls, document)


def encode_event(event: Event) -> dict[str, Any]:
    """An event's JSON object: fields that are None left out (see `codec`)."""
    return encode(event)


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

"""The hash chain of a journal's events: each event's id is the sha256 of its canonical JSON
without the id, and names the event before it as `prev`. One check, shared by the journal
(`journal.read_journal`), `doctor` and `verify`. Standard library only.
"""

from __future__ import annotations

import hashlib
import heapq
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any, TypeVar

from dailylist.canonical import canonical_json

#: Where the id sits in an event's canonical line: keys are sorted, and "kind" (which every
#: event has) sorts after "id", so the id is never the last member.
_ID_MEMBER = re.compile(rb'"id":"[0-9a-f]{64}",')


def event_id(fields: Mapping[str, Any]) -> str:
    """The id of an event whose JSON fields (without "id") are `fields`: of its committed
    form when it carries a salted reflection (see `committed`)."""
    return hashlib.sha256(canonical_json(committed(fields))).hexdigest()


def commitment(salt: bytes, reflection: str) -> str:
    """What commits to a reflection without showing it: sha256(salt + its UTF-8), in hex."""
    return hashlib.sha256(salt + reflection.encode("utf-8")).hexdigest()


def committed(fields: Mapping[str, Any]) -> Mapping[str, Any]:
    """An event's JSON fields with a salted reflection replaced by its commitment: what its
    id is the hash of, and what a copy that withholds the reflection holds. Fields with no
    salt (every event written before salts, every event without a reflection) are as they
    are. The one place this is done, so that the journal, `verify`, `doctor`, sync and a
    follower's copy all compute the same ids."""
    salt, reflection = fields.get("salt"), fields.get("reflection")
    if salt is None or not isinstance(reflection, str):
        return fields
    from dailylist.codec import unb64

    try:
        raw = unb64(salt)
    except ValueError:
        return fields  # not a salt: hashed as it is, and the event's own check says why
    kept = {key: value for key, value in fields.items() if key not in ("salt", "reflection")}
    return {**kept, "reflection_commitment": commitment(raw, reflection)}


def computed_id(document: Mapping[str, Any], line: bytes | None = None) -> str:
    """The id an event's content hashes to. With `line`, the event's text as stored: when
    that is canonical JSON (as dailylist writes it), its bytes are hashed without parsing
    them again; any other text is hashed in its canonical form."""
    if line is not None:
        match = _ID_MEMBER.search(line)
        if match is not None:
            without = line[: match.start()] + line[match.end() :]
            digest = hashlib.sha256(without).hexdigest()
            if digest == document.get("id"):
                return digest
    return event_id({key: value for key, value in document.items() if key != "id"})


def label(number: int, document: object) -> str:
    """How messages name event `number` (1-based): with its kind, day and time when it has
    them, e.g. 'event 7 (completed, day 3, 2026-05-02 10:00)'."""
    if not isinstance(document, Mapping):
        return f"event {number}"
    parts = [str(document["kind"])] if isinstance(document.get("kind"), str) else []
    index = document.get("index")
    if isinstance(index, int) and not isinstance(index, bool) and index >= 0:
        parts.append(f"day {index + 1}")
    at = document.get("at")
    if isinstance(at, str) and len(at) >= 16:
        parts.append(at[:16].replace("T", " "))
    return f"event {number} ({', '.join(parts)})" if parts else f"event {number}"


def parents_of(document: Mapping[str, Any]) -> tuple[object, ...]:
    """The events an event's JSON names as before it: `prev`, and any `merges`."""
    merges = document.get("merges")
    return (document.get("prev"), *(merges if isinstance(merges, list) else ()))


def breaks(
    links: Iterable[tuple[str | None, tuple[object, ...], str]],
) -> Iterator[tuple[int, str]]:
    """Every break in a chain: for each event's (id, parents, computed id), in order, the
    0-based position and what is wrong with it. `parents` is what it names as before it
    (`prev`, then any `merges`; see `parents_of`).

    One device's events form a line, each naming the one before it. Several devices'
    events form a graph: an event names the last one its device knew of, which may be any
    before it, and the last of the other lines it knew (see `in_order`). Either way an
    event that names none before it (but the first), names one that comes later, or comes
    twice, breaks the chain: so does one dropped from the middle, or moved.
    """
    seen: set[object] = set()
    for position, (stored, parents, computed) in enumerate(links):
        prev = parents[0] if parents else None
        if computed != stored:
            yield position, "was changed after it was written"
        elif stored in seen:
            yield position, "is there twice"
        elif (prev is None) != (position == 0) or not all(p in seen for p in parents if p):
            yield position, "does not follow the events before it"
        if stored is not None:
            seen.add(stored)


T = TypeVar("T")


def in_order(
    events: Iterable[T], links: Callable[[T], tuple[str, tuple[str, ...], datetime]]
) -> list[T]:
    """Events of one list from any devices (each once), in the one order every device
    computes: after every event each names as known before it, and otherwise by instant,
    then id.

    `links` gives an event's (id, parents, instant). For one device's journal this is the
    order it was written in. An event naming one that is not among them comes where its
    instant puts it (the chain check then names it).
    """
    found = {links(event)[0]: event for event in events}
    missing: dict[str, int] = {}
    waiting: dict[str, list[T]] = {}
    ready: list[tuple[datetime, str, T]] = []
    for key, event in found.items():
        _, parents, at = links(event)
        known = [parent for parent in dict.fromkeys(parents) if parent in found]
        missing[key] = len(known)
        for parent in known:
            waiting.setdefault(parent, []).append(event)
        if not known:
            heapq.heappush(ready, (at.astimezone(UTC), key, event))
    ordered: list[T] = []
    while ready:
        _, done, event = heapq.heappop(ready)
        ordered.append(event)
        for child in waiting.pop(done, ()):
            child_id, _, at = links(child)
            missing[child_id] -= 1
            if missing[child_id] == 0:
                heapq.heappush(ready, (at.astimezone(UTC), child_id, child))
    if len(ordered) < len(found):  # events naming each other in a ring: none is dropped
        placed = {links(event)[0] for event in ordered}
        rest = [event for key, event in found.items() if key not in placed]
        ordered += sorted(rest, key=lambda e: (links(e)[2].astimezone(UTC), links(e)[0]))
    return ordered

"""The journal file: one codec for its events, a hash chain checked line by line, events
appended without rewriting the rest, and every kind of damage named by its day."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dailylist.chain import computed_id
from dailylist.errors import BadInput, DamagedData
from dailylist.events import Amended, Completed, Event, Opened, PhotoRecord, Revealed
from dailylist.journal import (
    JournalFile,
    appended,
    decode_event,
    encode,
    journal_text,
    new_event,
    read_journal,
)
from tests.conftest import BERLIN, examples

LIST = "f" * 32
WHERE = {"where": "the journal", "advice": "it was left as it is"}


def read(raw: bytes) -> JournalFile:
    return read_journal(raw, LIST, **WHERE)


def chained(*drafts: tuple[type[Event], dict[str, object]]) -> list[Event]:
    events: list[Event] = []
    for number, (cls, fields) in enumerate(drafts):
        moment = datetime(2026, 5, 1, 9, tzinfo=BERLIN) + timedelta(hours=number)
        prev = events[-1].id if events else None
        events.append(
            new_event(cls, prev=prev, at=moment, zone="Europe/Berlin", device="d", **fields)
        )
    return events


PHOTO = PhotoRecord(
    sha256="b" * 64,
    size=1234,
    stored_name="b" * 64 + ".heic",
    format="HEIF",
    width=4032,
    height=3024,
    taken_at=datetime(2026, 5, 1, 8, 59, tzinfo=UTC),
)
EVENTS = chained(
    (Opened, {"list_sha256": "c" * 64}),
    (Revealed, {"index": 0, "item_key": b"\x00" * 32}),
    (Completed, {"index": 0, "day": date(2026, 5, 1), "reflection": 'é\n"x"', "photos": (PHOTO,)}),
    (
        Amended,
        {"index": 0, "day": date(2026, 5, 1), "photos": (), "photo_taken_before_reveal": False},
    ),
)


def test_every_event_reads_back_as_it_was_written() -> None:
    raw = journal_text(LIST, [encode(e) for e in EVENTS])
    journal = read(raw)
    assert journal.events == tuple(EVENTS)
    assert journal.head == EVENTS[-1].id
    assert all(computed_id(d) == d["id"] for d in journal.documents)


def test_an_appended_event_gives_the_bytes_a_full_write_gives() -> None:
    journal = read(journal_text(LIST, [encode(e) for e in EVENTS[:3]]))
    assert appended(journal, EVENTS[3]) == journal_text(LIST, [encode(e) for e in EVENTS])


@pytest.mark.parametrize(
    "layout",
    [
        lambda document: json.dumps(document, indent=2) + "\n",  # as dailylist 0.1 wrote it
        lambda document: json.dumps(document),
        lambda document: json.dumps(document, sort_keys=True, indent=1),
    ],
    ids=["indented", "one line", "sorted"],
)
def test_a_journal_laid_out_another_way_reads_the_same_and_takes_new_events(layout) -> None:  # type: ignore[no-untyped-def]
    documents = [encode(e) for e in EVENTS[:3]]
    raw = layout({"format": 1, "list_id": LIST, "events": documents}).encode()
    journal = read(raw)
    assert journal.events == tuple(EVENTS[:3])
    rewritten = appended(journal, EVENTS[3])
    assert read(rewritten).events == tuple(EVENTS)


def test_events_of_an_older_dailylist_keep_their_ids_when_rewritten() -> None:
    """0.1 wrote times as pydantic does ('Z' for UTC) and a photo's original path: a
    rewrite keeps each event's fields as stored, so its id still holds."""
    old = {
        "kind": "opened", "at": "2026-05-01T07:00:00Z", "zone": "UTC", "device": "host-1a2b3c",
    }  # fmt: skip
    old["id"] = computed_id(old)
    raw = json.dumps({"format": 1, "list_id": LIST, "events": [old]}, indent=2).encode()
    journal = read(raw)
    new = new_event(
        Revealed, prev=journal.head, at=datetime(2026, 5, 1, 8, tzinfo=UTC), zone="UTC",
        device="d", index=0,
    )  # fmt: skip
    again = read(appended(journal, new))
    assert again.documents[0] == old
    assert [e.kind for e in again.events] == ["opened", "revealed"]


def _damaged(raw: bytes) -> str:
    with pytest.raises(DamagedData) as caught:
        read(raw)
    return caught.value.message


def test_a_damaged_event_is_named_by_its_day() -> None:
    raw = journal_text(LIST, [encode(e) for e in EVENTS])
    edited = raw.replace(b'"reflection":"\xc3\xa9\\n\\"x\\""', b'"reflection":"edited"')
    assert edited != raw
    message = _damaged(edited)
    assert (
        "event 3 (completed, day 1, 2026-05-01 11:00) was changed after it was written" in message
    )


def test_a_removed_event_breaks_the_chain() -> None:
    documents = [encode(e) for e in EVENTS]
    del documents[1]
    assert "event 2 (completed, day 1" in _damaged(journal_text(LIST, documents))


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("at", "0001-01-01T00:00:00+00:00", "outside the years"),
        ("at", "9999-12-31T23:59:59+00:00", "outside the years"),
        ("at", "2026-05-01T10:00:00", "without its offset"),
        ("index", -1, "index is negative"),
        ("index", True, "expected a whole number"),
        ("day", "9999-12-31", "day: a day outside the years"),
        ("reflection", 7, "expected text"),
        ("kind", "deleted", "kind: not one of"),
        ("photos", [{"sha256": "x"}], "missing"),
        ("extra", 1, "not a field"),
    ],
)
def test_an_event_the_codec_cannot_read_is_named_with_its_reason(
    field: str, value: object, reason: str
) -> None:
    documents = [encode(e) for e in EVENTS]
    documents[2][field] = value
    documents[2]["id"] = computed_id(documents[2])
    for later in documents[3:]:
        later["prev"] = documents[documents.index(later) - 1]["id"]
        later["id"] = computed_id(later)
    message = _damaged(journal_text(LIST, documents))
    assert "event 3" in message
    assert reason in message


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"", "not valid JSON"),
        (b"[]", "no format version"),
        (b'{"format": 1, "list_id": "' + b"e" * 32 + b'", "events": []}', "another list"),
        (b'{"format": 1, "list_id": "' + LIST.encode() + b'"}', "not a journal"),
    ],
)
def test_what_is_not_this_lists_journal(raw: bytes, reason: str) -> None:
    assert reason in _damaged(raw)


def test_a_newer_journal_is_left_for_a_newer_dailylist() -> None:
    with pytest.raises(BadInput, match="newer dailylist"):
        read(b'{"format": 9, "list_id": "x", "events": []}')


texts = st.text(min_size=1, max_size=30).map(str.strip).filter(bool)  # as `done` keeps them
moments = st.datetimes(
    min_value=datetime(1972, 1, 1),  # noqa: DTZ001 - hypothesis wants naive bounds
    max_value=datetime(8999, 1, 1),  # noqa: DTZ001
    timezones=st.just(UTC),
)


@settings(max_examples=examples(200), deadline=None)
@given(
    reflection=st.none() | texts,
    at_=moments,
    index=st.integers(min_value=0, max_value=10**6),
    early=st.booleans(),
)
def test_the_codec_reads_back_what_it_writes(
    reflection: str | None, at_: datetime, index: int, early: bool
) -> None:
    event = new_event(
        Completed, prev="a" * 64, at=at_, zone="UTC", device="d", index=index,
        day=date(2026, 1, 1), reflection=reflection, photos=(PHOTO,),
        photo_taken_before_reveal=early,
    )  # fmt: skip
    document = json.loads(json.dumps(encode(event)))
    assert decode_event(document) == event
    assert computed_id(document) == event.id


def test_a_journal_file_on_disk_is_canonical_one_event_a_line(tmp_path: Path) -> None:
    raw = journal_text(LIST, [encode(e) for e in EVENTS])
    lines = raw.decode().splitlines()
    assert lines[:4] == ["{", '  "format": 1,', f'  "list_id": "{LIST}",', '  "events": [']
    assert lines[-2:] == ["  ]", "}"]
    assert len(lines) == 4 + len(EVENTS) + 2

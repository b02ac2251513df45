"""What the recipient does: open a list, see today's item, complete or amend it, see where
each list stands (looking back is in `lookback`).

Each function takes the data dir and the current time, asks `rules` what may happen (from
the list's snapshot, see `snapshot`), and appends to the journal under its lock. Item texts
are decrypted here and only for items the rules allow to be shown.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from dailylist import rules
from dailylist import snapshot as snapshot_file
from dailylist.clock import zone_name
from dailylist.errors import BadInput, DailylistError, DamagedData, NotNow
from dailylist.records import Item, ListInfo, SealedRecord, Snapshot
from dailylist.store import DataDir

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from dailylist.models import (
        CompletedEvent,
        E,
        Event,
        ItemContent,
        Journal,
        PhotoRecord,
        SealedHeader,
        SealedList,
    )
    from dailylist.photos import CheckedPhoto
    from dailylist.sealing import UnsealedList

# Reading a list's snapshot needs only the standard library; pydantic (`models`, `sealing`)
# is imported by the functions that check or write the list's files, when they run.


def list_name(header: SealedHeader) -> str:
    """The short name of a list for `--list`: its title in lower case, words joined by '-'."""
    slug = re.sub(r"[^0-9a-z]+", "-", header.title.lower()).strip("-")
    return slug or header.id[:8]


# --- opening --------------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenedList:
    sealed: SealedList
    name: str
    fingerprint: str
    already_open: bool


def open_list(
    data: DataDir,
    raw: bytes,
    now: datetime,
    *,
    source: str,
    passphrase: Callable[[], str] | None = None,
) -> OpenedList:
    """Check a sealed list completely, keep a copy and start its journal.

    `passphrase` is asked only for a list sealed with one. Opening the same file twice is
    harmless; a different file with the same id is refused.
    """
    from dailylist.models import JOURNAL_FORMAT, Journal, OpenedEvent, new_event
    from dailylist.sealing import fingerprint, open_sealed

    unsealed = open_sealed(raw, source=source, passphrase=passphrase)
    sealed = unsealed.sealed
    list_id = sealed.header.id
    stored = data.sealed_bytes(list_id)
    if stored is not None and stored != raw:
        raise BadInput(
            f"{source} has the id of an opened list ({list_name(sealed.header)}) "
            "but different contents; it was not opened"
        )
    already = stored is not None
    own_key = None if sealed.content_key.kind == "plain" else unsealed.content_key
    if already and own_key is not None:
        data.store_sealed(list_id, raw, own_key)  # restores a lost content.key
    if not already:
        device = data.device_id()
        try:
            data.store_sealed(list_id, raw, own_key)
            with data.locked(list_id):
                opened = new_event(
                    OpenedEvent, prev=None, at=now, zone=zone_name(now), device=device
                )
                started = Journal(format=JOURNAL_FORMAT, list_id=list_id, events=[opened])
                commit_journal(data, unsealed, started, raw)
        except BaseException:
            data.forget_list(list_id)  # half-opened is not opened
            raise
    data.set_last_opened(list_id)
    return OpenedList(
        sealed=sealed,
        name=list_name(sealed.header),
        fingerprint=fingerprint(sealed.public_key),
        already_open=already,
    )


def resolve_list(data: DataDir, wanted: str | None) -> str:
    """The id of the list meant by `--list` (a name or an id prefix), else the default one."""
    ids = data.opened_list_ids()
    if not ids:
        raise BadInput("no list is open yet: run `dailylist open FILE.dlist` first")
    if wanted is None:
        if len(ids) == 1:
            return ids[0]
        last = data.last_opened()
        return last if last in ids else ids[-1]
    key = wanted.strip().lower()
    names = {list_id: _name_of(data, list_id) for list_id in ids}
    by_name = [i for i, name in names.items() if name == key]
    matches = by_name or [i for i in ids if len(key) >= 4 and i.startswith(key)]
    if len(matches) == 1:
        return matches[0]
    choices = ", ".join(sorted(names.values()))
    if not matches:
        raise BadInput(f"no open list is called {wanted!r}; open lists: {choices}")
    raise BadInput(f"{wanted!r} names several lists; use its id instead ({', '.join(matches)})")


def _name_of(data: DataDir, list_id: str) -> str:
    """A list's name, from its snapshot when there is one (cheap), else its header."""
    document = snapshot_file.read_any(data.list_files(list_id).root)
    with contextlib.suppress(KeyError, TypeError):
        if document is not None and isinstance(document["list"]["name"], str):
            return str(document["list"]["name"])
    return list_name(data.list_header(list_id))


# --- the snapshot the everyday commands read -------------------------------------------------


def list_info(unsealed: UnsealedList) -> ListInfo:
    from dailylist.sealing import fingerprint

    header = unsealed.header
    return ListInfo.from_header(
        header, name=list_name(header), fingerprint=fingerprint(unsealed.sealed.public_key)
    )


def make_snapshot(
    unsealed: UnsealedList, journal: Journal, *, journal_raw: bytes, sealed_raw: bytes
) -> Snapshot:
    """The snapshot of a checked list and journal, whose files hold these bytes."""
    standing = rules.progress(journal, unsealed.header.item_count).standing
    current = None
    if not standing.finished and standing.current_reveal is not None:
        index = standing.current_index
        sealed_item = unsealed.sealed.items[index]
        checkin = sealed_item.checkin is not None
        current = SealedRecord(index, sealed_item.nonce, sealed_item.ciphertext, checkin)
    return Snapshot(
        info=list_info(unsealed),
        standing=standing,
        content_key=unsealed.content_key,
        current=current,
        head=journal.events[-1].id if journal.events else None,
        journal_sha256=snapshot_file.digest(journal_raw),
        sealed_sha256=snapshot_file.digest(sealed_raw),
    )


def commit_journal(
    data: DataDir, unsealed: UnsealedList, journal: Journal, sealed_raw: bytes
) -> Snapshot:
    """Write a checked journal in full, then the snapshot the everyday commands read.

    For a new journal (at `open`) or a bench's; commands append with `_append`.
    """
    written = data.save_journal(journal)
    snapshot = make_snapshot(unsealed, journal, journal_raw=written, sealed_raw=sealed_raw)
    data.save_snapshot(journal.list_id, snapshot_file.encode(snapshot.document()))
    return snapshot


def current_snapshot(data: DataDir, list_id: str) -> Snapshot:
    """The list's snapshot, fresh: the one on disk if it matches the journal byte for byte,
    else one made again from the list and journal, checked in full (and left on disk)."""
    found = snapshot_file.read_fresh(data.list_files(list_id).root)
    if found is not None:
        with contextlib.suppress(ValueError, KeyError, TypeError):
            return Snapshot.from_document(found)
    unsealed, sealed_raw = data.load_list_bytes(list_id)
    journal, journal_raw = data.load_journal_bytes(list_id)
    snapshot = make_snapshot(unsealed, journal, journal_raw=journal_raw, sealed_raw=sealed_raw)
    data.save_snapshot(list_id, snapshot_file.encode(snapshot.document()))
    return snapshot


def _snapshot_item(snapshot: Snapshot) -> Item:
    try:
        return snapshot.current_item()
    except ValueError as exc:
        raise DamagedData(
            f"item {snapshot.standing.current_index + 1} of list {snapshot.info.name} does not "
            "decrypt; `dailylist doctor` tells more"
        ) from exc


# --- today ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TodayView:
    list_id: str
    info: ListInfo
    decision: rules.TodayDecision
    item: Item | None
    revealed_at: datetime | None

    @property
    def number(self) -> int | None:
        """The 1-based number of the shown item, if one is shown."""
        if isinstance(self.decision, rules.Available):
            return self.decision.index + 1
        return None


def reveal_today(
    data: DataDir,
    list_id: str,
    now: datetime,
    *,
    code: Callable[[], str] | None = None,
) -> TodayView:
    """Show today's item when the rules allow it, recording its first reveal.

    A check-in item is revealed only with the author's code: `code` is asked for it.
    Seeing an item already revealed reads the snapshot only; the first reveal writes.
    """
    snapshot = current_snapshot(data, list_id)
    day_starts_at = snapshot.info.settings.day_starts_at
    decision = rules.decide_today(snapshot.standing, day_starts_at, now)
    if not isinstance(decision, rules.Available):
        return TodayView(list_id, snapshot.info, decision, None, None)
    if decision.newly:
        snapshot = _first_reveal(data, snapshot, decision.index, now, code)
    reveal = snapshot.standing.current_reveal
    assert reveal is not None
    return TodayView(list_id, snapshot.info, decision, _snapshot_item(snapshot), reveal.at)


def _first_reveal(
    data: DataDir, snapshot: Snapshot, index: int, now: datetime, code: Callable[[], str] | None
) -> Snapshot:
    """Record the reveal of item `index` (asking for its code if it is a check-in)."""
    from dailylist.models import RevealedEvent

    list_id = snapshot.info.id
    record = data.sealed_record(list_id, index)
    # A check-in code is asked for before the lock is taken: a person may take a while.
    item_key = None
    if record.checkin:
        if code is None:
            raise NotNow(
                f"day {index + 1} is a check-in: {snapshot.info.author} will give you its "
                "code; then run `dailylist today --code CODE`"
            )
        item_key = data.load_list(list_id).checkin_key(index, code())
    with data.locked(list_id):
        snapshot = current_snapshot(data, list_id)
        day_starts_at = snapshot.info.settings.day_starts_at
        again = rules.decide_today(snapshot.standing, day_starts_at, now)
        if not isinstance(again, rules.Available) or again.index != index:
            raise NotNow("the list moved on meanwhile; run `dailylist today` again")
        if not again.newly:  # revealed by another command meanwhile
            return snapshot
        fields = {"index": index, "item_key": item_key, "at": now, "zone": zone_name(now)}
        return _append(data, replace(snapshot, current=record), RevealedEvent, **fields)[1]


def _append(
    data: DataDir, snapshot: Snapshot, event_cls: type[E], **fields: Any
) -> tuple[E, Snapshot]:
    """Append one new event to a list's journal, and move its snapshot on by that event.

    Call it holding the list's lock, with the fresh `snapshot` taken under it: the journal's
    bytes are then the ones that snapshot was made from, checked in full when it was, and
    its last event is `snapshot.head`, so the new event is added without reading them
    again. The new event itself is checked (pydantic) before anything is written.
    """
    from dailylist.models import new_event

    list_id = snapshot.info.id
    raw = data.journal_bytes(list_id)
    if snapshot_file.digest(raw) != snapshot.journal_sha256:
        raise NotNow("the journal changed while this command ran; run it again")
    event = new_event(event_cls, prev=snapshot.head, device=data.device_id(), **fields)
    written = data.append_to_journal(list_id, raw, event.stored())
    standing = snapshot.standing.after(cast("Event", event))  # E is one of the Event kinds
    current = snapshot.current
    if standing.finished or standing.current_reveal is None:
        current = None  # read from the sealed copy when the next item is revealed
    elif current is None or current.index != standing.current_index:
        current = data.sealed_record(list_id, standing.current_index)
    moved = replace(
        snapshot,
        standing=standing,
        current=current,
        head=event.id,
        journal_sha256=snapshot_file.digest(written),
    )
    data.save_snapshot(list_id, snapshot_file.encode(moved.document()))
    return event, moved


# --- done -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PendingCompletion:
    """Today's revealed item, ready to be completed, and what completing it requires."""

    list_id: str
    info: ListInfo
    index: int
    item: Item
    revealed_at: datetime

    @property
    def photo_rule(self) -> str:
        return self.item.photo_rule(self.info.settings)

    @property
    def reflection_rule(self) -> str:
        return self.item.reflection_rule(self.info.settings)


def prepare_completion(data: DataDir, list_id: str, now: datetime) -> PendingCompletion:
    """What `done` would complete at `now`, or `NotNow` saying why nothing can be.

    Nothing is written: call this before asking the user for a reflection, so nobody types
    one only to be told no.
    """
    snapshot = current_snapshot(data, list_id)
    settings = snapshot.info.settings
    index = rules.completable_index(snapshot.standing, settings.day_starts_at, now)
    reveal = snapshot.standing.current_reveal
    assert reveal is not None
    return PendingCompletion(list_id, snapshot.info, index, _snapshot_item(snapshot), reveal.at)


def require_photos(pending: PendingCompletion, photos: list[CheckedPhoto]) -> None:
    """`BadInput` when the item needs a photo and none was given."""
    if pending.photo_rule == "required" and not photos:
        raise BadInput("a photo is required as proof: add --photo PATH")


_TEMPLATE_MARK = "#"


def reflection_template(pending: PendingCompletion) -> str:
    """The text an editor opens with: the item and the list's prompt, as comment lines."""
    title = f"Day {pending.index + 1}" + (f": {pending.item.title}" if pending.item.title else "")
    lines = [
        "",
        f"{_TEMPLATE_MARK} {title}",
        *(f"{_TEMPLATE_MARK}   {line}" for line in pending.item.text.splitlines()),
        f"{_TEMPLATE_MARK}",
        f"{_TEMPLATE_MARK} {pending.info.settings.reflection_prompt}",
        f"{_TEMPLATE_MARK} Lines starting with '#' are left out.",
        f"{_TEMPLATE_MARK} An empty reflection saves nothing.",
    ]
    return "\n".join(lines) + "\n"


def strip_template(text: str) -> str:
    """The reflection written in the editor, without the template's comment lines."""
    kept = [line for line in text.splitlines() if not line.startswith(_TEMPLATE_MARK)]
    return "\n".join(kept).strip()


def check_reflection(pending: PendingCompletion, reflection: str | None) -> str | None:
    """The reflection to record, or `BadInput` when the list requires one and there is none."""
    text = (reflection or "").strip()
    if pending.reflection_rule == "off":
        return None
    if not text and pending.reflection_rule == "required":
        raise BadInput("a reflection is required: say what you did and how it felt (--note TEXT)")
    return text or None


@dataclass(frozen=True)
class CompletionResult:
    event: CompletedEvent
    item: Item
    info: ListInfo
    photos_before_reveal: tuple[str, ...]


def record_completion(
    data: DataDir,
    pending: PendingCompletion,
    photos: list[CheckedPhoto],
    reflection: str | None,
    now: datetime,
) -> CompletionResult:
    """Complete the pending item: keep the photos, append the completion to the journal.

    The rules are asked again under the lock, so two `done` racing each other can't both
    win. If anything fails, photos copied by this call are removed and the journal is as it
    was.
    """
    require_photos(pending, photos)
    reflection = check_reflection(pending, reflection)
    early = _taken_before(photos, pending.revealed_at)
    from dailylist.models import CompletedEvent

    day_starts_at = pending.info.settings.day_starts_at

    def still(standing: rules.Standing) -> int:
        return rules.completable_index(standing, day_starts_at, now)

    with _writing(data, pending, photos, still) as (snapshot, records):
        event, _ = _append(
            data,
            snapshot,
            CompletedEvent,
            index=pending.index,
            day=rules.day_of(now, day_starts_at),
            reflection=reflection,
            photos=records,
            photo_taken_before_reveal=bool(early),
            at=now,
            zone=zone_name(now),
        )
    return CompletionResult(event, pending.item, pending.info, early)


def _taken_before(photos: list[CheckedPhoto], revealed_at: datetime) -> tuple[str, ...]:
    """The photos whose EXIF says they were taken before the item was revealed."""
    revealed = revealed_at.astimezone(UTC)
    return tuple(
        p.original_path
        for p in photos
        if p.taken_at is not None and p.taken_at.astimezone(UTC) < revealed
    )


@contextlib.contextmanager
def _writing(
    data: DataDir,
    pending: PendingCompletion,
    photos: list[CheckedPhoto],
    still: Callable[[rules.Standing], int],
) -> Iterator[tuple[Snapshot, list[PhotoRecord]]]:
    """For the block, hold the list's lock, keep the photos, and give the fresh snapshot,
    once the rules (`still`, asked again under the lock) still point at `pending`'s item:
    two commands racing each other can't both write it. If the block fails, the photos this
    kept are removed and the journal is as it was."""
    list_id = pending.list_id
    with data.locked(list_id), _kept_photos(data, list_id, photos) as records:
        snapshot = current_snapshot(data, list_id)
        if still(snapshot.standing) != pending.index:
            raise NotNow("the list moved on while you were writing; run `dailylist today`")
        yield snapshot, records


@contextlib.contextmanager
def _kept_photos(
    data: DataDir, list_id: str, photos: list[CheckedPhoto]
) -> Iterator[list[PhotoRecord]]:
    """Keep the checked photos in the store for the block; if the block fails, remove the
    files this made (a photo kept before stays)."""
    from dailylist.models import PhotoRecord

    created: list[Path] = []
    try:
        records = []
        for photo in photos:
            if data.keep_photo(list_id, photo.staged, photo.stored_name):
                created.append(data.photo_path(list_id, photo.stored_name))
            records.append(
                PhotoRecord(
                    sha256=photo.sha256,
                    size=photo.size,
                    stored_name=photo.stored_name,
                    original_path=photo.original_path,
                    format=photo.format,
                    width=photo.width,
                    height=photo.height,
                    taken_at=photo.taken_at,
                )
            )
        yield records
    except BaseException:
        for path in created:
            path.unlink(missing_ok=True)
        raise


def revealed_item(unsealed: UnsealedList, state: rules.Progress, index: int) -> ItemContent:
    """The text of an item the journal shows as revealed (with its check-in key if any)."""
    return unsealed.item(index, state.reveals[index].item_key)


# --- amend ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PendingAmendment:
    """Today's completed item, which may still be changed, with what it holds now."""

    pending: PendingCompletion
    completion: rules.Completion


def prepare_amendment(data: DataDir, list_id: str, now: datetime) -> PendingAmendment:
    """What `amend` would change at `now`, or `NotNow` once the day is over. Writes nothing."""
    unsealed = data.load_list(list_id)
    journal = data.load_journal(list_id)
    header = unsealed.header
    state = rules.progress(journal, header.item_count)
    completion = rules.amendable(state, header.settings.day_starts_at, now)
    item = Item.from_content(revealed_item(unsealed, state, completion.index))
    revealed_at = state.reveals[completion.index].at
    pending = PendingCompletion(list_id, list_info(unsealed), completion.index, item, revealed_at)
    return PendingAmendment(pending, completion)


def record_amendment(
    data: DataDir,
    target: PendingAmendment,
    photos: list[CheckedPhoto],
    reflection: str | None,
    now: datetime,
) -> tuple[rules.Completion, tuple[str, ...]]:
    """Replace today's reflection and/or photos; the original stays in the journal.

    Returns the day as it now stands, and the new photos taken before the reveal.
    """
    pending = target.pending
    if not photos and reflection is None:
        raise BadInput("nothing to amend: give --note TEXT and/or --photo PATH")
    if reflection is not None:
        if pending.reflection_rule == "off":
            raise BadInput("this list keeps no reflections")
        if not reflection.strip():
            raise BadInput("an empty reflection saves nothing; the old one is kept")
        reflection = check_reflection(pending, reflection)
    from dailylist.models import AmendedEvent

    early = _taken_before(photos, pending.revealed_at)
    day_starts_at = pending.info.settings.day_starts_at

    def still(standing: rules.Standing) -> int:
        return rules.amendable_index(standing, day_starts_at, now)

    with _writing(data, pending, photos, still) as (snapshot, records):
        event, _ = _append(
            data,
            snapshot,
            AmendedEvent,
            index=pending.index,
            day=target.completion.day,
            reflection=reflection,
            photos=records or None,
            photo_taken_before_reveal=bool(early) if photos else None,
            at=now,
            zone=zone_name(now),
        )
    before = target.completion
    return rules.Completion(before.event, (*before.amendments, event)), early


# --- status ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListStatus:
    """One line of `status`: a list and where it stands now."""

    info: ListInfo
    stats: rules.Stats


def list_status(data: DataDir, list_id: str, now: datetime) -> ListStatus:
    snapshot = current_snapshot(data, list_id)
    day_starts_at = snapshot.info.settings.day_starts_at
    return ListStatus(snapshot.info, rules.stats(snapshot.standing, day_starts_at, now))


def statuses(
    data: DataDir, now: datetime, wanted: str | None
) -> tuple[list[ListStatus], list[DailylistError]]:
    """The status of one list (`wanted`), or of every open list.

    With every list, a damaged one does not hide the others: its error is returned beside
    them. One list asked for by name fails on its own error.
    """
    if wanted is not None:
        return [list_status(data, resolve_list(data, wanted), now)], []
    found, errors = [], []
    for list_id in data.opened_list_ids():
        try:
            found.append(list_status(data, list_id, now))
        except DailylistError as error:
            errors.append(error)
    return found, errors

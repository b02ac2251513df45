"""An opened list, read from its files: the sealed copy, the journal, their fold, and the
snapshot kept from them; and the one way a new event is added to a journal.

`load` reads and checks everything and replays the journal through the rules: what the
writes decide from (under the list's lock), and what looking back, reports and `doctor`
show. `current_snapshot` answers the everyday reads from the snapshot while it is fresh,
and the long way otherwise. `append` writes an event only once the rules, replaying the
journal just read, accept it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from dailylist import limits
from dailylist.errors import DamagedData
from dailylist.snapshot import Snapshot, digest, encode, read_fresh
from dailylist.store import DataDir, ListFiles, check_private

if TYPE_CHECKING:
    from dailylist import fold, rules
    from dailylist.events import Event
    from dailylist.journal import JournalFile
    from dailylist.sealed_list import UnsealedList

# A read answered from a fresh snapshot needs none of the journal, the fold or the sealed
# list's code: each function below imports what it uses (`today` starts the faster).


@dataclass(frozen=True)
class OpenedList:
    """A list's sealed copy and journal, checked, and the replay of its events."""

    files: ListFiles
    unsealed: UnsealedList
    sealed_raw: bytes
    journal: JournalFile
    replay: fold.Replay

    @property
    def standing(self) -> rules.Standing:
        return self.replay.standing

    def snapshot(self) -> Snapshot:
        """The snapshot of these files, as they are."""
        days = self.replay.done_days
        return _snapshot(self, self.standing, days, self.journal.head, digest(self.journal.raw))


def empty_standing(unsealed: UnsealedList) -> rules.Standing:
    """Where a list stands before its first event."""
    from dailylist import rules

    return rules.Standing(item_count=unsealed.info.item_count, settings=unsealed.info.settings)


def _snapshot(
    opened: OpenedList,
    standing: rules.Standing,
    done_days: tuple[date, ...],
    head: str | None,
    journal_sha256: str,
) -> Snapshot:
    current = standing.current
    item = None
    if current is not None:
        item = opened.unsealed.item(current.index, current.item_key)
    return Snapshot(
        info=opened.unsealed.info,
        standing=standing,
        done_days=done_days,
        current=item,
        head=head,
        set_aside=len(opened.replay.set_aside),
        journal_sha256=journal_sha256,
        sealed_sha256=digest(opened.sealed_raw),
    )


def describe(files: ListFiles) -> str:
    """How messages name the list in `files`: its name, else the start of its id."""
    from dailylist.picking import name_in

    return name_in(files.root, files.root.name)


def load(data: DataDir, list_id: str) -> OpenedList:
    """Read an open list's sealed copy and journal, check them, and replay the journal."""
    return load_files(data.list_files(list_id))


def load_files(files: ListFiles) -> OpenedList:
    """`load` for the list kept in `files` (an open list's, or one in the archive)."""
    from dailylist import fold

    journal = _journal(files)
    unsealed, sealed_raw = _sealed_copy(files, journal)
    replay = fold.replay(journal.events, empty_standing(unsealed), unsealed)
    return OpenedList(files, unsealed, sealed_raw, journal, replay)


def journal_of(data: DataDir, list_id: str) -> JournalFile:
    """A list's journal, checked (format, list, every event and the hash chain)."""
    return _journal(data.list_files(list_id))


def _journal(files: ListFiles) -> JournalFile:
    from dailylist.journal import read_journal

    list_id = files.root.name
    check_private(files.root, files.photos)
    where = f"the journal of list {describe(files)}"
    return read_journal(
        files.read(files.journal, what=where, cap=limits.JOURNAL),
        list_id,
        where=where,
        advice="it was left as it is; `dailylist doctor` tells more",
    )


def sealed_copy_of(
    data: DataDir, list_id: str, journal: JournalFile
) -> tuple[UnsealedList, bytes]:
    """A list's sealed copy and its bytes: trusted as the file checked at `open` when the
    journal's first event names its sha256; a journal that names none (from dailylist 0.1)
    has the copy's signature checked again."""
    return _sealed_copy(data.list_files(list_id), journal)


def _sealed_copy(files: ListFiles, journal: JournalFile) -> tuple[UnsealedList, bytes]:
    from dailylist.events import Opened
    from dailylist.sealed_list import UnsealedList, stored_list, unlock
    from dailylist.sealing import parse_sealed

    list_id = files.root.name
    source = f"the sealed copy of list {describe(files)}"
    if not files.sealed.exists() and not files.sealed.is_symlink():
        raise DamagedData(
            f"{source} is missing; open the same .dlist file again to put it back "
            "(its journal is kept)"
        )
    raw = files.read(files.sealed, what=source, cap=limits.SEALED_LIST)
    first = journal.events[0] if journal.events else None
    recorded = first.list_sha256 if isinstance(first, Opened) else None
    key = None
    if files.content_key.exists():
        key = files.read(files.content_key, what=f"the key of {source}", cap=limits.SMALL)
    if recorded is not None:
        if recorded != digest(raw):
            raise DamagedData(
                f"{source} is not the file that was opened (it was changed since); "
                "`dailylist doctor` tells more"
            )
        unsealed = stored_list(raw, source=source, content_key=key)
    else:
        sealed = parse_sealed(raw, source=source)
        unsealed = UnsealedList(sealed, key, source) if key else unlock(sealed, source=source)
    if unsealed.info.id != list_id:
        raise DamagedData(f"{source} is another list's")
    return unsealed, raw


def current_snapshot(data: DataDir, list_id: str) -> tuple[Snapshot, bool]:
    """An open list's snapshot (see `snapshot_of`)."""
    return snapshot_of(data.list_files(list_id))


def snapshot_of(files: ListFiles) -> tuple[Snapshot, bool]:
    """The snapshot of the list kept in `files`, and whether it was fresh on disk: else it
    is made again from the list and journal, checked in full (call `keep_snapshot` to leave
    it on disk once the command has succeeded)."""
    check_private(files.root, files.photos)
    found = read_fresh(files.root)
    if found is not None:
        try:
            return Snapshot.from_document(found), True
        except (ValueError, KeyError, TypeError):
            pass
    return load_files(files).snapshot(), False


def read_journal_file(files: ListFiles) -> JournalFile:
    """The journal kept in `files`, checked (format, list, every event and the hash chain)."""
    return _journal(files)


def read_sealed_copy(files: ListFiles, journal: JournalFile) -> tuple[UnsealedList, bytes]:
    """The sealed copy kept in `files` and its bytes (see `sealed_copy_of`)."""
    return _sealed_copy(files, journal)


def keep_snapshot_of(opened: OpenedList, now: datetime) -> None:
    """Leave the snapshot of `opened` beside its journal, for the next read."""
    opened.files.save_snapshot(encode(opened.snapshot().document(now)))


def keep_snapshot(data: DataDir, snapshot: Snapshot, now: datetime) -> None:
    """Leave `snapshot` beside its journal, for the next read."""
    data.list_files(snapshot.info.id).save_snapshot(encode(snapshot.document(now)))


def append(opened: OpenedList, event: Event, now: datetime) -> Snapshot:
    """Add `event` to the journal `opened` was read from, once the rules accept it after
    the journal's events; then leave the snapshot moved on by it. Call this holding the
    list's lock, with `opened` read under it."""
    from dailylist import rules
    from dailylist.events import Completed
    from dailylist.journal import appended

    rules.judge(opened.standing, event, opened.unsealed)
    new = appended(opened.journal, event)
    opened.files.write_journal(opened.journal.raw, new)
    days = opened.replay.done_days
    if isinstance(event, Completed):
        days = (*days, event.day)
    moved = _snapshot(opened, rules.apply(opened.standing, event), days, event.id, digest(new))
    opened.files.save_snapshot(encode(moved.document(now)))
    return moved

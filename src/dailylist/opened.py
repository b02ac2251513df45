"""The one door to a list's files: its sealed copy, its journal, their fold, and the
snapshot kept from them; and the one way a new event is added to a journal.

Every function takes the list's `ListFiles`, made once per command: it reads each file
once (see `store.ListFiles.read`), so a command that looks at the snapshot, then reads the
journal under the lock to write, reads each file a single time. `load` reads and checks
everything and replays the journal through the rules: what the writes decide from (under
the list's lock), and what looking back, reports and `doctor` show. `snapshot_of` answers
the everyday reads from the snapshot while it is fresh, and the long way otherwise;
`keep_snapshot` is the one writer of it. `append` writes an event only once the rules,
replaying the journal just read, accept it. Messages name the list by its name, worked out
only when a message is made.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from dailylist import limits
from dailylist.errors import DailylistError, DamagedData
from dailylist.home import digest
from dailylist.snapshot import Snapshot, checked, encode, is_fresh
from dailylist.store import ListFiles, check_private

if TYPE_CHECKING:
    from dailylist import fold, rules
    from dailylist.events import Event
    from dailylist.journal import JournalFile
    from dailylist.sealed_list import UnsealedList

# A read answered from a fresh snapshot needs none of the journal, the fold or the sealed
# list's code: each function below imports what it uses (`today` starts the faster).

#: What a message about a list's files advises.
_ADVICE = "it was left as it is; `dailylist doctor` tells more"


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


def load(files: ListFiles) -> OpenedList:
    """Read a list's sealed copy and journal, check them, and replay the journal."""
    journal = journal_of(files)
    unsealed, sealed_raw = sealed_copy_of(files, journal)
    return replayed(files, unsealed, sealed_raw, journal)


def replayed(
    files: ListFiles, unsealed: UnsealedList, sealed_raw: bytes, journal: JournalFile
) -> OpenedList:
    """A list read already, with its journal replayed (once) through its rules."""
    from dailylist import fold

    replay = fold.replay(journal.events, empty_standing(unsealed), unsealed)
    return OpenedList(files, unsealed, sealed_raw, journal, replay)


def journal_of(files: ListFiles) -> JournalFile:
    """A list's journal, checked (format, list, every event and the hash chain)."""
    from dailylist.journal import read_journal

    list_id = files.root.name
    check_private(files.root, files.photos)
    raw = files.read(files.journal, what=lambda: _the_journal(files), cap=limits.JOURNAL)
    try:
        return read_journal(raw, list_id, where="the journal", advice=_ADVICE)
    except DailylistError as exc:
        raise _named(exc, "the journal", _the_journal(files)) from exc


def _the_journal(files: ListFiles) -> str:
    return f"the journal of list {describe(files)}"


def _named(exc: DailylistError, said: str, named: str) -> DailylistError:
    """`exc` again, saying `named` where it said `said` (worked out on the error path)."""
    found = type(exc)(exc.message.replace(said, named, 1))
    return found


def sealed_copy_of(files: ListFiles, journal: JournalFile) -> tuple[UnsealedList, bytes]:
    """A list's sealed copy and its bytes: trusted as the file checked at `open` when the
    journal's first event names its sha256; a journal that names none (from dailylist 0.1)
    has the copy's signature checked again."""
    from dailylist.events import Opened
    from dailylist.sealed_list import UnsealedList, stored_list, unlock
    from dailylist.sealing import parse_sealed

    list_id = files.root.name
    source = "the sealed copy"

    def named() -> str:
        return f"the sealed copy of list {describe(files)}"

    if not files.sealed.exists() and not files.sealed.is_symlink():
        raise DamagedData(
            f"{named()} is missing; open the same .dlist file again to put it back "
            "(its journal is kept)"
        )
    raw = files.read(files.sealed, what=named, cap=limits.SEALED_LIST)
    first = journal.events[0] if journal.events else None
    recorded = first.list_sha256 if isinstance(first, Opened) else None
    key = None
    if files.content_key.exists():
        key = files.read(files.content_key, what=lambda: f"the key of {named()}", cap=limits.SMALL)
    try:
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
    except DailylistError as exc:
        raise _named(exc, source, named()) from exc
    if unsealed.info.id != list_id:
        raise DamagedData(f"{named()} is another list's")
    shown = f"the sealed copy of list {unsealed.info.name}"
    return UnsealedList(unsealed.sealed, unsealed.content_key, shown), raw


def snapshot_of(files: ListFiles) -> tuple[Snapshot, bool]:
    """The snapshot of the list kept in `files`, and whether it was fresh on disk: else it
    is made again from the list and journal, checked in full (call `keep_snapshot` to leave
    it on disk once the command has succeeded)."""
    check_private(files.root, files.photos)
    found = _fresh(files)
    if found is not None:
        try:
            return Snapshot.from_document(found), True
        except (ValueError, KeyError, TypeError):
            pass
    return load(files).snapshot(), False


def _fresh(files: ListFiles) -> dict[str, object] | None:
    """The snapshot document when the journal and the sealed copy are byte for byte those
    it was made from (each read once, for the command to use again)."""
    try:
        document = checked(files.read(files.snapshot, what="the snapshot", cap=limits.SNAPSHOT))
        if document is None:
            return None
        journal = files.read(files.journal, what="the journal", cap=limits.JOURNAL)
        sealed = files.read(files.sealed, what="the sealed copy", cap=limits.SEALED_LIST)
    except DailylistError:
        return None
    return document if is_fresh(document, journal, sealed) else None


def keep_snapshot(files: ListFiles, snapshot: Snapshot, now: datetime) -> None:
    """Leave `snapshot` beside its journal, for the next read: the one writer of it."""
    files.save_snapshot(encode(snapshot.document(now)))


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
    keep_snapshot(opened.files, moved, now)
    return moved

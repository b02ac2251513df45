"""`dailylist status`: where each open list stands now."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from dailylist import figures, rules
from dailylist.domain import ListInfo
from dailylist.errors import DailylistError
from dailylist.opened import snapshot_of
from dailylist.snapshot import encode
from dailylist.store import DataDir, ListFiles


@dataclass(frozen=True)
class ListStatus:
    """One line of `status`: a list and its figures now."""

    info: ListInfo
    stats: figures.Stats
    #: Closed: kept in the archive, left out of everything but `status --all`.
    closed: bool = False
    #: Completions set aside: two devices that were apart did a day (see `fold`).
    set_aside: int = 0
    #: When this device last exchanged the list with its sync remote (None: never, or
    #: the list does not sync).
    synced_at: datetime | None = None
    syncs: bool = False


def list_status(files: ListFiles, now: datetime, *, closed: bool = False) -> ListStatus:
    snapshot, fresh = snapshot_of(files)
    rules.decide_today(snapshot.standing, now)  # refuses a clock that reads too early
    stats = figures.stats(snapshot.standing, snapshot.done_days, now)
    if not fresh:
        files.save_snapshot(encode(snapshot.document(now)))
    syncs, synced_at = _sync_of(files)
    return ListStatus(snapshot.info, stats, closed, snapshot.set_aside, synced_at, syncs)


def _sync_of(files: ListFiles) -> tuple[bool, datetime | None]:
    """Whether the list syncs, and when this device last exchanged it."""
    data_root = files.root.parent.parent
    if not (data_root / "sync" / "config.json").is_file():
        return False, None
    from dailylist.store import DataDir
    from dailylist.sync.config import read_config

    config = read_config(DataDir(data_root))
    state = None if config is None else config.lists.get(files.root.name)
    return state is not None, None if state is None else state.synced_at


def statuses(
    data: DataDir, now: datetime, wanted: str | None, *, closed: bool = False
) -> tuple[list[ListStatus], list[DailylistError]]:
    """The status of one list (`wanted`), or of every open list (and, with `closed`, every
    closed one after them).

    With every list, a damaged one does not hide the others: its error is returned beside
    them. One list asked for by name fails on its own error.
    """
    from dailylist.picking import pick

    if wanted is not None:
        return [list_status(data.list_files(pick(str(data.root), wanted)), now)], []
    folders = [(data.list_files(list_id), False) for list_id in data.opened_list_ids()]
    if closed:
        folders += [(data.archived_files(i), True) for i in data.archived_list_ids()]
    found, errors = [], []
    for files, is_closed in folders:
        try:
            found.append(list_status(files, now, closed=is_closed))
        except DailylistError as error:
            errors.append(error)
    return found, errors

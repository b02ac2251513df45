"""`dailylist status`: where each open list stands now."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from dailylist import figures, rules
from dailylist.domain import ListInfo
from dailylist.errors import DailylistError
from dailylist.opened import keep_snapshot, load, snapshot_of
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
    #: When a sync of this device last reached the remote, whether or not anything was
    #: new (None: never known).
    reached_at: datetime | None = None
    #: The days with a completion set aside, when there are any.
    set_aside_days: tuple[int, ...] = ()
    #: Her sharing of the list with its author, in a word (see `sharing.Sharing.state`);
    #: None when the author asks nothing.
    sharing: str | None = None


#: Whether a list syncs, when this device last exchanged it and when a sync last reached
#: the remote, by the list's id: what a front end that knows the sync adds (see
#: `sync.config.sync_state`).
SyncState = Callable[[str], tuple[bool, "datetime | None", "datetime | None"]]


def _no_sync(list_id: str) -> tuple[bool, datetime | None, datetime | None]:
    return False, None, None


def list_status(
    files: ListFiles, now: datetime, *, closed: bool = False, sync: SyncState = _no_sync
) -> ListStatus:
    snapshot, fresh = snapshot_of(files)
    rules.decide_today(snapshot.standing, now)  # refuses a clock that reads too early
    stats = figures.stats(snapshot.standing, snapshot.done_days, now)
    if not fresh:
        keep_snapshot(files, snapshot, now)
    syncs, synced_at, reached_at = sync(files.root.name)
    days: tuple[int, ...] = ()
    if snapshot.set_aside:  # rare (two devices did a day apart): the journal names the days
        with contextlib.suppress(DailylistError):
            days = tuple(sorted({aside.number for aside in load(files).replay.set_aside}))
    sharing = None
    if snapshot.info.settings.follow is not None:
        from dailylist.sharing import read_sharing

        with contextlib.suppress(DailylistError):
            chosen = read_sharing(files)
            sharing = "not asked" if chosen is None else chosen.state
    return ListStatus(
        snapshot.info,
        stats,
        closed,
        snapshot.set_aside,
        synced_at,
        syncs,
        reached_at=reached_at,
        set_aside_days=days,
        sharing=sharing,
    )


def statuses(
    data: DataDir,
    now: datetime,
    wanted: str | None,
    *,
    closed: bool = False,
    sync: SyncState = _no_sync,
) -> tuple[list[ListStatus], list[DailylistError]]:
    """The status of one list (`wanted`), or of every open list (and, with `closed`, every
    closed one after them); `sync` says which sync, and when.

    With every list, a damaged one does not hide the others: its error is returned beside
    them. One list asked for by name fails on its own error.
    """
    from dailylist.picking import pick

    if wanted is not None:
        files = data.list_files(pick(str(data.root), wanted))
        return [list_status(files, now, sync=sync)], []
    folders = [(data.list_files(list_id), False) for list_id in data.opened_list_ids()]
    if closed:
        folders += [(data.archived_files(i), True) for i in data.archived_list_ids()]
    found, errors = [], []
    for files, is_closed in folders:
        try:
            found.append(list_status(files, now, closed=is_closed, sync=sync))
        except DailylistError as error:
            errors.append(error)
    return found, errors

"""`dailylist status`: where each open list stands now."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from dailylist import figures, rules
from dailylist.domain import ListInfo
from dailylist.errors import DailylistError
from dailylist.opened import current_snapshot, keep_snapshot
from dailylist.store import DataDir


@dataclass(frozen=True)
class ListStatus:
    """One line of `status`: a list and its figures now."""

    info: ListInfo
    stats: figures.Stats


def list_status(data: DataDir, list_id: str, now: datetime) -> ListStatus:
    snapshot, fresh = current_snapshot(data, list_id)
    rules.decide_today(snapshot.standing, now)  # refuses a clock that reads too early
    stats = figures.stats(snapshot.standing, snapshot.done_days, now)
    if not fresh:
        keep_snapshot(data, snapshot, now)
    return ListStatus(snapshot.info, stats)


def statuses(
    data: DataDir, now: datetime, wanted: str | None
) -> tuple[list[ListStatus], list[DailylistError]]:
    """The status of one list (`wanted`), or of every open list.

    With every list, a damaged one does not hide the others: its error is returned beside
    them. One list asked for by name fails on its own error.
    """
    from dailylist.picking import pick

    if wanted is not None:
        return [list_status(data, pick(str(data.root), wanted), now)], []
    found, errors = [], []
    for list_id in data.opened_list_ids():
        try:
            found.append(list_status(data, list_id, now))
        except DailylistError as error:
            errors.append(error)
    return found, errors

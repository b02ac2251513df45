"""What `doctor` says of a list that syncs: when it last exchanged with the remote, whether
this device's sync key is there, and any completion set aside (a clash between devices is
no damage: it is kept, and counted once). The front end hands this to `doctor`."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from dailylist.checks import Check
from dailylist.days import when
from dailylist.device import known_id
from dailylist.store import DataDir
from dailylist.sync.config import SyncPaths, reached_at, read_config

if TYPE_CHECKING:
    from dailylist.opened import OpenedList


def sync_checks(
    data: DataDir, list_id: str, opened: OpenedList | None, now: datetime
) -> list[Check]:
    """The sync's check of list `list_id` (none for a list, or a device, that does not sync)."""
    paths = SyncPaths.of(data)
    if not paths.config.exists():
        return []
    check = Check("sync")
    config = read_config(data)
    if config is None:
        check.problems.append(f"{paths.config} is damaged; join the remote again")
        return [check]
    state = config.lists.get(list_id)
    if state is None:
        return []
    from dailylist.sync.commands import key_readable

    if not key_readable(data):
        check.problems.append(
            f"this device's sync key ({paths.identity}) is missing or damaged: "
            "`dailylist sync join REMOTE` with the sync passphrase unlocks it again"
        )
    last = "never yet" if state.synced_at is None else when(state.synced_at, now)
    reached = reached_at(data, config, state, now)
    check.detail = f"with {config.remote}: last exchanged {last}, last reached the remote "
    check.detail += "never yet" if reached is None else when(reached, now)
    me = known_id(data.root)
    for one in opened.replay.set_aside if opened is not None else ():
        who = config.devices.name(one.completion.device, me)
        check.detail += (
            f"; day {one.number} done on {who} too ({one.completion.at:%Y-%m-%d %H:%M}), set "
            "aside and kept"
        )
    return [check]

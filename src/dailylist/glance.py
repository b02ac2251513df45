"""`dailylist prompt`: a one-line status fast enough to run on every shell prompt.

It reads the list's snapshot file (see `snapshot`) and decides with `days`, with nothing
but the standard library: no click, no dataclasses, no pydantic. When there is no fresh
snapshot, or the list meant is not plain to see, it answers None and the caller takes the
full path, which checks the journal and leaves a fresh snapshot for next time.
"""

from __future__ import annotations

import os
from datetime import date, datetime, time

from dailylist.days import check_clock, next_unlock
from dailylist.snapshot import read_fresh

TYPE_CHECKING = False  # `typing` alone costs the prompt several milliseconds to import
if TYPE_CHECKING:
    from typing import Any


def glance(document: dict[str, Any], now: datetime) -> str:
    """The prompt's line for a list's snapshot at `now`: 'day 5/30 waiting', 'day 5/30
    done' or 'all 30 done'. `NotNow` when the clock reads earlier than the journal."""
    listed, standing = document["list"], document["standing"]
    count, done_days = int(listed["item_count"]), standing["done_days"]
    last_event = standing["last_event_at"]
    check_clock(datetime.fromisoformat(last_event) if last_event else None, now)
    if len(done_days) >= count:
        return f"all {count} done"
    last_done = date.fromisoformat(done_days[-1]) if done_days else None
    day_starts_at = time.fromisoformat(listed["settings"]["day_starts_at"])
    if next_unlock(last_done, day_starts_at, now) is not None:
        return f"day {len(done_days)}/{count} done"
    return f"day {len(done_days) + 1}/{count} waiting"


def fresh_snapshot(root: str | os.PathLike[str], wanted: str | None) -> dict[str, Any] | None:
    """The fresh snapshot of the list meant (the only, the last opened, or `wanted` by name
    or id prefix), or None when that takes the full path to tell."""
    lists = os.path.join(root, "lists")
    try:
        ids = sorted(entry.name for entry in os.scandir(lists) if entry.is_dir())
    except OSError:
        return None
    if wanted is None:
        chosen = ids[0] if len(ids) == 1 else _last_opened(root)
        return read_fresh(os.path.join(lists, chosen)) if chosen in ids else None
    found = {list_id: read_fresh(os.path.join(lists, list_id)) for list_id in ids}
    if None in found.values():
        return None  # a name can't be told from a list without a fresh snapshot
    key = wanted.strip().lower()
    named = [i for i, doc in found.items() if doc and doc["list"].get("name") == key]
    matches = named or [i for i in ids if len(key) >= 4 and i.startswith(key)]
    return found[matches[0]] if len(matches) == 1 else None


def _last_opened(root: str | os.PathLike[str]) -> str | None:
    import json

    try:
        with open(os.path.join(root, "state.json"), "rb") as handle:
            value = json.loads(handle.read()).get("last_opened")
    except (OSError, ValueError, AttributeError):
        return None
    return value if isinstance(value, str) else None

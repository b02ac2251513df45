"""`dailylist prompt`: a one-line status fast enough to run on every shell prompt.

It reads the list's snapshot (see `snapshot`) and asks the rules, with the standard library
only. When the snapshot is missing or does not match the journal, or the list meant is not
plain to see, it says so with None, and the caller takes the full path, which checks the
journal and leaves a fresh snapshot for next time.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from dailylist import rules
from dailylist.snapshot import Snapshot, read_fresh


@dataclass(frozen=True)
class Glance:
    """What the prompt says about one list."""

    done: int
    item_count: int
    state: str  # "waiting" | "done-today" | "finished"

    def line(self) -> str:
        if self.state == "finished":
            return f"all {self.item_count} done"
        if self.state == "done-today":
            return f"day {self.done}/{self.item_count} done"
        return f"day {self.done + 1}/{self.item_count} waiting"


def glance(snapshot: Snapshot, now: datetime) -> Glance:
    """The prompt's answer for a list at `now` (`NotNow` if the clock reads too early)."""
    standing = snapshot.standing
    decision = rules.decide_today(standing, snapshot.info.settings.day_starts_at, now)
    state = (
        "finished"
        if isinstance(decision, rules.Finished)
        else "done-today"
        if isinstance(decision, rules.Waiting)
        else "waiting"
    )
    return Glance(standing.done_count, standing.item_count, state)


def fresh_snapshot(root: Path, wanted: str | None) -> Snapshot | None:
    """The fresh snapshot of the list meant (the only, the last opened, or `wanted` by name
    or id prefix), or None when that takes the full path to tell."""
    lists = root / "lists"
    try:
        ids = sorted(entry.name for entry in os.scandir(lists) if entry.is_dir())
    except OSError:
        return None
    if wanted is None:
        chosen = ids[0] if len(ids) == 1 else _last_opened(root)
        return read_fresh(lists / chosen) if chosen in ids else None
    found = {list_id: read_fresh(lists / list_id) for list_id in ids}
    if None in found.values():
        return None  # a name can't be told from a list without a fresh snapshot
    key = wanted.strip().lower()
    named = [i for i, snap in found.items() if snap is not None and snap.info.name == key]
    matches = named or [i for i in ids if len(key) >= 4 and i.startswith(key)]
    return found[matches[0]] if len(matches) == 1 else None


def _last_opened(root: Path) -> str | None:
    try:
        value = json.loads((root / "state.json").read_text("utf-8")).get("last_opened")
    except (OSError, ValueError, AttributeError):
        return None
    return value if isinstance(value, str) else None

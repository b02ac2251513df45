"""`dailylist prompt`: a one-line status fast enough to run on every shell prompt.

After each journal write, the recipient code leaves a small `summary.json` beside the
journal (derived from it, never read as the truth). The prompt reads that and the day
rules, with the standard library only. If the summary is missing or older than the journal
(restored by `doctor`, say), the caller falls back to reading the journal itself.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from dailylist.days import day_of

SUMMARY_NAME = "summary.json"


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


def summary(
    *,
    list_id: str,
    name: str,
    item_count: int,
    done: int,
    last_day: date | None,
    day_starts_at: time,
    journal: Path,
) -> dict[str, Any]:
    """The summary to leave beside a journal just written."""
    return {
        "list_id": list_id,
        "name": name,
        "item_count": item_count,
        "done": done,
        "last_day": last_day.isoformat() if last_day else None,
        "day_starts_at": day_starts_at.strftime("%H:%M"),
        "journal_mtime_ns": journal.stat().st_mtime_ns,
    }


def glance(summary: dict[str, Any], now: datetime) -> Glance:
    """The prompt's answer from a summary, at `now`."""
    done, count = int(summary["done"]), int(summary["item_count"])
    if done >= count:
        return Glance(done, count, "finished")
    last = summary.get("last_day")
    today = day_of(now, time.fromisoformat(summary["day_starts_at"]))
    if last is not None and today <= date.fromisoformat(last):
        return Glance(done, count, "done-today")
    return Glance(done, count, "waiting")


def fresh_summary(root: Path, wanted: str | None) -> dict[str, Any] | None:
    """The summary of the list meant (the only, the last opened, or `wanted` by name or id
    prefix), if it is there and still matches its journal; else None."""
    lists = root / "lists"
    try:
        ids = sorted(entry.name for entry in os.scandir(lists) if entry.is_dir())
    except OSError:
        return None
    summaries = {}
    for list_id in ids:
        try:
            summaries[list_id] = json.loads((lists / list_id / SUMMARY_NAME).read_text("utf-8"))
        except (OSError, ValueError):
            return None
    chosen: str | None = None
    if wanted is not None:
        key = wanted.strip().lower()
        matches = [i for i, s in summaries.items() if s.get("name") == key] or [
            i for i in ids if len(key) >= 4 and i.startswith(key)
        ]
        chosen = matches[0] if len(matches) == 1 else None
    elif len(ids) == 1:
        chosen = ids[0]
    else:
        try:
            chosen = json.loads((root / "state.json").read_text("utf-8")).get("last_opened")
        except (OSError, ValueError, AttributeError):
            return None
    if chosen not in summaries:
        return None
    found: dict[str, Any] = summaries[chosen]
    try:
        mtime = (lists / chosen / "journal.json").stat().st_mtime_ns
    except OSError:
        return None
    return found if found.get("journal_mtime_ns") == mtime else None

"""What `dailylist sync` prints: each list's exchange, and every clash."""

from __future__ import annotations

from datetime import datetime

from rich.console import Console
from rich.markup import escape

from dailylist.days import when
from dailylist.sync.exchange import SyncReport


def synced(out: Console, report: SyncReport, now: datetime) -> None:
    """What a sync did, list by list: in, out, put back, waiting, and every clash."""
    if not report.lists:
        out.print(f"Nothing to sync with {escape(report.remote)} yet.")
        return
    for part in report.lists:
        name = escape(part.name)
        if part.problem:
            out.print(f"[yellow]{name}[/]: {escape(part.problem)}")
            continue
        moved = []
        if part.joined:
            moved.append("joined")
        if part.events_in or part.photos_in:
            moved.append(
                f"{_count(part.events_in, 'event')} and {_count(part.photos_in, 'photo')} in"
            )
        if part.events_out or part.photos_out:
            moved.append(
                f"{_count(part.events_out, 'event')} and {_count(part.photos_out, 'photo')} out"
            )
        out.print(f"[bold]{name}[/]: {', '.join(moved) if moved else 'in step, nothing new'}.")
        if part.set_aside and not part.clashes:
            out.print(
                f"  {_count(part.set_aside, 'completion')} set aside: see `dailylist status`."
            )
        if part.restored:
            lost = _count(part.restored, "file")
            out.print(f"  The remote had lost {lost} of this device's: put back.")
        if part.skipped:
            out.print(
                f"  {_count(part.skipped, 'file')} did not open (still being copied, or "
                "damaged): taken when whole."
            )
        if part.waiting:
            out.print(f"  {_count(part.waiting, 'thing')} still to come from other devices.")
        for clash in part.clashes:
            kept = ""
            if clash.kept_at is not None:
                kept = f"; {escape(clash.kept_device)} did it first ({when(clash.kept_at, now)})"
            out.print(
                f"  [yellow]Clash:[/] day {clash.number} was done on {escape(clash.device)} too "
                f"({when(clash.at, now)}): set aside, kept in the journal{kept}. "
                f"See `dailylist show {clash.number}`."
            )


def _count(number: int, what: str) -> str:
    return f"{number} {what}{'' if number == 1 else 's'}"

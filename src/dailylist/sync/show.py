"""What `dailylist sync` prints: each list's exchange, every clash, and what was left out."""

from __future__ import annotations

from datetime import datetime

from rich.console import Console
from rich.markup import escape

from dailylist.days import spoken_time, when
from dailylist.domain import counted
from dailylist.sync.exchange import Clash, ListReport, SyncReport
from dailylist.sync.share import ShareReport


def synced(out: Console, report: SyncReport, now: datetime) -> None:
    """What a sync did, list by list: in, out, put back, waiting, left out, every clash."""
    if not report.lists:
        out.print(f"Nothing to sync with {escape(report.remote)} yet.")
    for part in report.lists:
        _one(out, part, now)
    for name in report.not_synced:
        out.print(
            f"{escape(name)} is open here but does not sync: "
            f"`dailylist sync setup {escape(report.remote)} --list {escape(name)}` adds it."
        )


def _one(out: Console, part: ListReport, now: datetime) -> None:
    name = escape(part.name)
    if part.problem:
        out.print(f"[yellow]{name}[/]: {escape(part.problem)}")
        return
    moved = []
    if part.joined:
        moved.append("joined")
    if part.events_in or part.photos_in:
        moved.append(
            f"{counted(part.events_in, 'event')} and {counted(part.photos_in, 'photo')} in"
        )
    if part.events_out or part.photos_out:
        moved.append(
            f"{counted(part.events_out, 'event')} and {counted(part.photos_out, 'photo')} out"
        )
    out.print(f"[bold]{name}[/]: {', '.join(moved) if moved else 'in step, nothing new'}.")
    if part.restored:
        lost = counted(part.restored, "file")
        out.print(f"  The remote had lost or damaged {lost} of this device's: put back.")
    for why, number in sorted(part.skipped.items()):
        out.print(f"  {counted(number, 'file')} in the remote skipped: {escape(why)}.")
    for device, latest in sorted(part.held.items()):
        out.print(
            f"  [yellow]{escape(device)}'s clock reads ahead:[/] its events are dated up to "
            f"{when(latest, now)}, later than this device's clock, and wait until then. "
            f"If {escape(device)}'s clock is wrong, set it right there."
        )
    for device, number in sorted(part.foreign.items()):
        out.print(
            f"  {counted(number, 'event')} from {escape(device)} left out: they belong to "
            "another opening of this list (its journal began apart from this one)."
        )
    for device, number in sorted(part.refused.items()):
        out.print(
            f"  {counted(number, 'event')} from {escape(device)} left out: the rules refuse "
            "them (no dailylist would have written them)."
        )
    if part.waiting:
        out.print(f"  {counted(part.waiting, 'thing')} still to come from other devices.")
    for clash in part.clashes:
        out.print(f"  [yellow]Clash:[/] {escape(clash_said(clash, now))}")


def clash_said(clash: Clash, now: datetime) -> str:
    """A clash, said once and plainly: which devices did the day and when, which counts,
    and where to see both."""
    number = clash.number
    here = f"{clash.device} {spoken_time(clash.at, now)}"
    if clash.kept_at is None:
        return (
            f"day {number} was done on {here} too, and set aside: it is kept, and "
            f"`dailylist show {number}` shows it."
        )
    there = f"{clash.kept_device} {spoken_time(clash.kept_at, now)}"
    return (
        f"day {number} was done twice, on {there} and on {here}. The first counts; the "
        f"other is set aside and kept: `dailylist show {number}` shows both."
    )


def shared(out: Console, report: ShareReport) -> None:
    """What a share of a list did: files sent to the author's copy, postcards taken in,
    files refused."""
    name = escape(report.name)
    if report.idle is not None:
        out.print(f"{name}: nothing goes to the author ({escape(report.idle)}).")
        return
    sent = counted(report.sent, "file")
    out.print(f"{name}: shared with the author through {escape(report.remote)} ({sent} sent).")
    for card in report.postcards:
        shown = f"with day {card.day}" if card.day else "now"
        out.print(f"  A postcard came ({card.written_at:%Y-%m-%d}): shown {shown}.")
    for refused in report.refused:
        out.print(f"  [yellow]Refused[/] a file in the author's folder: {escape(refused)}")

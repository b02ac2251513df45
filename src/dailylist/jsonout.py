"""JSON for scripts: the stable output of every `--json`. No rich here, so it prints fast.

The keys are part of the interface (documented in the README).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from dailylist import rules
from dailylist.domain import day_number
from dailylist.terminal import safe_json

if TYPE_CHECKING:
    from pathlib import Path

    from dailylist.checks import Check
    from dailylist.doctor import Examination
    from dailylist.domain import Item, ListInfo
    from dailylist.lookback import Day, History
    from dailylist.photo_flags import PhotoFlag
    from dailylist.recipient import TodayView
    from dailylist.report.verify import Verdict
    from dailylist.sharing import Postcard
    from dailylist.status import ListStatus
    from dailylist.sync.exchange import SyncReport
    from dailylist.sync.follow import FollowView


def print_json(value: Any) -> None:
    """Write `value` as JSON to stdout (UTF-8, two-space indent, a final newline); a
    control character in any text is written as its JSON escape (see `terminal`)."""
    import click

    click.echo(safe_json(value))


def _list_json(info: ListInfo) -> dict[str, Any]:
    return {"id": info.id, "name": info.name, "title": info.title, "author": info.author}


def _item_json(number: int, item: Item) -> dict[str, Any]:
    return {"number": number, "title": item.title, "text": item.text}


def today_json(view: TodayView) -> dict[str, Any]:
    """`today --json`: the same keys in every state (revealed, checkin, waiting, finished);
    what a state does not have is null."""
    decision = view.decision
    result: dict[str, Any] = {
        "list": _list_json(view.info),
        "item_count": view.info.item_count,
        "state": "finished",
        "day": None,
        "item": None,
        "unlocks_at": None,
        "revealed_at": None,
        "photo": None,
        "reflection": None,
        "enclosure": _enclosure_json(view.enclosure),
        "opened_by": view.opened_by,
        "postcards": [postcard_json(card) for card in view.postcards],
    }
    if isinstance(decision, rules.Waiting):
        result.update(state="waiting", day=day_number(decision.done_index))
        result["unlocks_at"] = decision.unlocks_at.isoformat()
    elif isinstance(decision, rules.Available):
        number = day_number(decision.index)
        result.update(state="checkin" if view.needs_code else "revealed", day=number)
        if view.item is not None:
            needs = view.item.requirements(view.info.settings)
            result.update(item=_item_json(number, view.item), photo=needs.photo)
            result["reflection"] = needs.reflection
            result["revealed_at"] = view.revealed_at.isoformat() if view.revealed_at else None
    return result


def _enclosure_json(path: Path | None) -> dict[str, Any] | None:
    """An enclosed picture once revealed: its sha256 and its file here; else null."""
    if path is None:
        return None
    return {"sha256": path.stem, "path": str(path)}


def postcard_json(card: Postcard) -> dict[str, Any]:
    """A postcard as `today --json` and `journal --json` give it (never its code)."""
    return {
        "written_at": card.written_at.isoformat(),
        "note": card.note,
        "day": card.day,
        "checkin": card.checkin,
        "photo": card.photo,
    }


def entry_json(entry: Day, flags: Sequence[PhotoFlag] = ()) -> dict[str, Any]:
    """One day as `journal --json` lists it: the same on every device that synced the
    list, so no local path (`show N --json` gives the photos' paths here). `flags`: the
    day's photo flags (see `photo_flags`)."""
    from dailylist.codec import encode

    return {
        **_item_json(entry.number, entry.item),
        "day": entry.number,
        "date": entry.day.isoformat(),
        "completed_at": entry.at.isoformat(),
        "reflection": entry.reflection,
        "amended": entry.amended,
        "photo_taken_before_reveal": entry.photo_taken_before_reveal,
        "photos": [encode(photo.shared(), nulls=True) for photo in entry.photos],
        "opened_by": entry.reveal.opened_by,
        "postcards": [postcard_json(card) for card in entry.postcards],
        "earlier_reflections": [
            {"written_at": at.isoformat(), "reflection": text}
            for at, text in entry.reflection_versions[:-1]
        ],
        "photo_flags": [encode(flag, nulls=True) for flag in flags],
    }


def show_json(found: History, entry: Day) -> dict[str, Any]:
    """`show N --json`: the day, and any completion of it set aside (another device's came
    first), with the photos' paths here."""
    from dailylist.report.document import report_set_aside, written

    files = found.opened.files
    day = entry_json(entry, found.flags_of(entry))
    return {
        **day,
        "enclosure": _enclosure_json(entry.enclosure),
        "photos": [
            {**photo, "path": str(files.photo(photo["stored_name"]))} for photo in day["photos"]
        ],
        "set_aside": [
            {
                **(shown := written(report_set_aside(aside))),
                "photos": [
                    {**photo, "path": str(files.photo(photo["stored_name"]))}
                    for photo in shown["photos"]
                ],
            }
            for aside in found.opened.replay.set_aside
            if aside.index == entry.index
        ],
    }


def journal_json(found: History) -> dict[str, Any]:
    return {
        "list": _list_json(found.info),
        "entries": [entry_json(entry, found.flags_of(entry)) for entry in found.entries],
        "missed_days": [day.isoformat() for day in found.stats.missed_days],
    }


def status_json(views: list[ListStatus]) -> dict[str, Any]:
    return {
        "lists": [
            {
                **_list_json(view.info),
                "fingerprint": view.info.fingerprint,
                "done": view.stats.done_count,
                "item_count": view.stats.item_count,
                "streak": view.stats.streak,
                "missed": len(view.stats.missed_days),
                "missed_days": [day.isoformat() for day in view.stats.missed_days],
                "today": view.stats.today.isoformat(),
                "state": view.stats.state,
                "unlocks_at": view.stats.unlocks_at.isoformat() if view.stats.unlocks_at else None,
                "finished_on": view.stats.finished_on.isoformat()
                if view.stats.finished_on
                else None,
                "closed": view.closed,
                "set_aside": view.set_aside,
                "sharing": view.sharing,
            }
            for view in views
        ]
    }


def follow_json(view: FollowView) -> dict[str, Any]:
    """`follow --json`: a list the author follows, checked."""
    return {
        "list": _list_json(view.info),
        "where": view.where,
        "days": [
            {
                "day": day.day,
                "date": day.date.isoformat(),
                "completed_at": day.completed_at.isoformat(),
                "photos": [{"sha256": sha256} for sha256, _ in day.photos],
                "reflection": day.reflection,
                "opened": day.opened,
            }
            for day in view.days
        ],
        "missed_days": [day.isoformat() for day in view.missed],
        "postcards": [
            {
                "written_at": card.written_at.isoformat(),
                "note": card.note,
                "day": card.day,
                "checkin": card.checkin,
            }
            for card in view.postcards
        ],
        "problems": view.problems,
    }


def verdict_json(result: Verdict) -> dict[str, Any]:
    """`verify --json`: the verdict, each check, and what a genuine report holds."""
    from dailylist.codec import encode

    holds = result.holds if result.genuine else None
    return {
        "genuine": result.genuine,
        "other_list": result.other_list,
        "checks": [
            {"name": check.name, "ok": check.ok, "problems": check.problems}
            for check in result.checks
        ],
        "holds": None
        if holds is None
        else {
            "done": holds.done,
            "item_count": holds.item_count,
            "finished_on": None if holds.finished_on is None else holds.finished_on.isoformat(),
            "missed_days": [day.isoformat() for day in holds.missed_days],
            "amended": [{"day": day, "times": times} for day, times in holds.amended],
            "set_aside": list(holds.set_aside),
            "photo_flags": [encode(flag, nulls=True) for flag in holds.flags],
            "postcards": holds.postcards,
        },
    }


def examinations_json(home: Check, results: list[Examination]) -> dict[str, Any]:
    return {
        "healthy": home.ok and all(result.healthy for result in results),
        "data_dir": {"ok": home.ok, "detail": home.detail, "problems": home.problems},
        "lists": [
            {
                "id": result.list_id,
                "name": result.name,
                "healthy": result.healthy,
                "checks": [
                    {"name": f.name, "ok": f.ok, "detail": f.detail, "problems": f.problems}
                    for f in result.findings
                ],
            }
            for result in results
        ],
    }


def sync_json(report: SyncReport) -> dict[str, Any]:
    """`sync --json`: what one sync did, list by list."""
    return {
        "remote": report.remote,
        "lists": [
            {
                "id": part.list_id,
                "name": part.name,
                "joined": part.joined,
                "in_step": not part.changed and part.settled,
                "events_in": part.events_in,
                "events_out": part.events_out,
                "photos_in": part.photos_in,
                "photos_out": part.photos_out,
                "restored": part.restored,
                "skipped": dict(sorted(part.skipped.items())),
                "waiting": part.waiting,
                "held": {device: at.isoformat() for device, at in sorted(part.held.items())},
                "foreign": dict(sorted(part.foreign.items())),
                "refused": dict(sorted(part.refused.items())),
                "clashes": [
                    {
                        "day": clash.number,
                        "device": clash.device,
                        "completed_at": clash.at.isoformat(),
                        "kept_device": clash.kept_device or None,
                        "kept_completed_at": None
                        if clash.kept_at is None
                        else clash.kept_at.isoformat(),
                    }
                    for clash in part.clashes
                ],
                "set_aside": max(part.set_aside, len(part.clashes)),
                "problem": part.problem,
            }
            for part in report.lists
        ],
        "not_synced": report.not_synced,
    }

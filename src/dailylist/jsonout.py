"""JSON for scripts: the stable output of every `--json`. No rich here, so it prints fast.

The keys are part of the interface (documented in the README).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from dailylist import rules

if TYPE_CHECKING:
    from dailylist.doctor import Examination
    from dailylist.lookback import JournalEntry, ListOverview
    from dailylist.models import ItemContent
    from dailylist.recipient import ListStatus, TodayView
    from dailylist.records import Item, ListInfo
    from dailylist.report import Verdict
    from dailylist.store import DataDir


def print_json(value: Any) -> None:
    """Write `value` as JSON to stdout (UTF-8, two-space indent, a final newline)."""
    import click

    click.echo(json.dumps(value, indent=2, ensure_ascii=False))


def _list_json(list_id: str, title: str, author: str, name: str) -> dict[str, Any]:
    return {"id": list_id, "name": name, "title": title, "author": author}


def _info_json(info: ListInfo) -> dict[str, Any]:
    return _list_json(info.id, info.title, info.author, info.name)


def _item_json(number: int, item: Item | ItemContent) -> dict[str, Any]:
    return {"number": number, "title": item.title, "text": item.text}


def today_json(view: TodayView) -> dict[str, Any]:
    decision = view.decision
    result: dict[str, Any] = {
        "list": _info_json(view.info),
        "item_count": view.info.item_count,
        "state": "revealed",
        "day": None,
        "item": None,
        "unlocks_at": None,
    }
    if isinstance(decision, rules.Finished):
        result["state"] = "finished"
    elif isinstance(decision, rules.Waiting):
        result.update(state="waiting", day=decision.done_index + 1)
        result["unlocks_at"] = decision.unlocks_at.isoformat()
    elif view.item is not None and view.number is not None:
        result.update(day=view.number, item=_item_json(view.number, view.item))
        result["revealed_at"] = view.revealed_at.isoformat() if view.revealed_at else None
        result["photo"] = view.item.photo_rule(view.info.settings)
        result["reflection"] = view.item.reflection_rule(view.info.settings)
    return result


def entry_json(view: ListOverview, entry: JournalEntry, data: DataDir) -> dict[str, Any]:
    return {
        **_item_json(entry.number, entry.item),
        "day": entry.number,
        "date": entry.day.isoformat(),
        "completed_at": entry.at.isoformat(),
        "reflection": entry.reflection,
        "amended": entry.amended,
        "photo_taken_before_reveal": entry.photo_taken_before_reveal,
        "photos": [
            {
                **photo.model_dump(mode="json"),
                "path": str(data.photo_path(view.list_id, photo.stored_name)),
            }
            for photo in entry.photos
        ],
    }


def journal_json(view: ListOverview, data: DataDir) -> dict[str, Any]:
    return {
        "list": _list_json(view.list_id, view.header.title, view.header.author, view.name),
        "entries": [entry_json(view, entry, data) for entry in view.entries],
        "missed_days": [day.isoformat() for day in view.stats.missed_days],
    }


def status_json(views: list[ListStatus]) -> dict[str, Any]:
    return {
        "lists": [
            {
                **_info_json(view.info),
                "fingerprint": view.info.fingerprint,
                "done": view.stats.done_count,
                "item_count": view.stats.item_count,
                "streak": view.stats.streak,
                "missed": len(view.stats.missed_days),
                "missed_days": [day.isoformat() for day in view.stats.missed_days],
                "today": view.stats.today.isoformat(),
                "state": view.stats.state,
                "unlocks_at": view.stats.unlocks_at.isoformat() if view.stats.unlocks_at else None,
            }
            for view in views
        ]
    }


def verdict_json(result: Verdict) -> dict[str, Any]:
    return {
        "genuine": result.genuine,
        "checks": [
            {"name": check.name, "ok": check.ok, "problems": check.problems}
            for check in result.checks
        ],
    }


def examinations_json(results: list[Examination]) -> dict[str, Any]:
    return {
        "healthy": all(result.healthy for result in results),
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

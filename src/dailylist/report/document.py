"""The JSON report: what it holds, built from a list's replayed journal.

`export` writes exactly this; `verify` builds it again from the report's own events (replayed
through the rules, with the author's sealed list) and compares, section by section.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from dailylist import figures, fold
from dailylist.chain import event_id
from dailylist.domain import ListInfo
from dailylist.events import PhotoRecord

if TYPE_CHECKING:
    from dailylist.lookback import Day

#: The version of the JSON report this dailylist writes (and the newest it reads).
REPORT_FORMAT = 1


def _b64(raw: bytes) -> str:
    import base64

    return base64.b64encode(raw).decode("ascii")


def list_json(info: ListInfo, public_key: bytes, signature: bytes) -> dict[str, Any]:
    return {
        "id": info.id,
        "title": info.title,
        "author": info.author,
        "item_count": info.item_count,
        "fingerprint": info.fingerprint,
        "public_key": _b64(public_key),
        "signature": _b64(signature),
    }


def photo_json(photo: PhotoRecord) -> dict[str, Any]:
    """A photo as reports show it: never the path it came from."""
    return {
        "sha256": photo.sha256,
        "size": photo.size,
        "stored_name": photo.stored_name,
        "format": photo.format,
        "width": photo.width,
        "height": photo.height,
        "taken_at": None if photo.taken_at is None else photo.taken_at.isoformat(),
    }


def entry_json(entry: Day) -> dict[str, Any]:
    return {
        "day": entry.number,
        "date": entry.day.isoformat(),
        "revealed_at": entry.revealed_at.isoformat(),
        "completed_at": entry.at.isoformat(),
        "title": entry.item.title,
        "text": entry.item.text,
        "reflection": entry.reflection,
        "photo_taken_before_reveal": entry.photo_taken_before_reveal,
        "photos": [photo_json(photo) for photo in entry.photos],
        "amended": entry.amended,
    }


def set_aside_json(aside: fold.SetAside) -> dict[str, Any]:
    """A completion set aside (another device's came first), as reports and `show` list it."""
    completion = aside.completion
    return {
        "day": aside.number,
        "date": completion.day.isoformat(),
        "device": completion.device,
        "completed_at": completion.at.isoformat(),
        "reflection": aside.reflection,
        "photos": [photo_json(photo) for photo in aside.photos],
        "amended": bool(aside.amendments),
        "why": aside.reason,
    }


def summary_json(stats: figures.Stats) -> dict[str, Any]:
    return {
        "done": stats.done_count,
        "item_count": stats.item_count,
        "streak": stats.streak,
        "missed_days": [day.isoformat() for day in stats.missed_days],
        "finished_on": None if stats.finished_on is None else stats.finished_on.isoformat(),
    }


#: How an export names a device: an opaque id, never a host name.
OPAQUE_ID = re.compile(r"[0-9a-f]{32}|[0-9a-f]{40}")


def exported_events(documents: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The journal's events as a report carries them: as stored, but with nothing of the
    recipient's computer in them. Events written by dailylist 0.1 named a photo's original
    path and a device by its host name; those are left out (the device becomes an opaque
    hash of its name), and the ids are made again from there (each event then names its
    `prev` by its new id), so the chain, a line or a tree, still holds."""
    exported: list[dict[str, Any]] = []
    renamed: dict[str, str] = {}
    for stored in documents:
        event = dict(stored)
        device = event.get("device")
        if isinstance(device, str) and not OPAQUE_ID.fullmatch(device):
            event["device"] = hashlib.sha256(device.encode()).hexdigest()[:32]
        if isinstance(event.get("photos"), list):
            event["photos"] = [
                {key: value for key, value in photo.items() if key != "original_path"}
                if isinstance(photo, dict)
                else photo
                for photo in event["photos"]
            ]
        prev = event.get("prev")
        if isinstance(prev, str) and prev in renamed:
            event["prev"] = renamed[prev]
        merges = event.get("merges")
        if isinstance(merges, list) and any(m in renamed for m in merges if isinstance(m, str)):
            event["merges"] = [renamed.get(m, m) if isinstance(m, str) else m for m in merges]
        if event != stored:
            new_id = event_id({key: value for key, value in event.items() if key != "id"})
            if isinstance(stored.get("id"), str):
                renamed[stored["id"]] = new_id
            event["id"] = new_id
        exported.append(event)
    return exported


def report_json(
    *,
    info: ListInfo,
    public_key: bytes,
    signature: bytes,
    stats: figures.Stats,
    entries: Sequence[Day],
    set_aside: Sequence[fold.SetAside],
    events: Sequence[Mapping[str, Any]],
    exported_at: datetime,
    zone: str,
    photos_dir: str,
) -> dict[str, Any]:
    """A whole JSON report. `events` are the journal's events as stored (their ids hold)."""
    return {
        "format": REPORT_FORMAT,
        "kind": "dailylist-report",
        "exported_at": exported_at.isoformat(),
        "zone": zone,
        "list": list_json(info, public_key, signature),
        "summary": summary_json(stats),
        "entries": [entry_json(entry) for entry in entries],
        "set_aside": [set_aside_json(aside) for aside in set_aside],
        "events": exported_events(events),
        "photos_dir": photos_dir,
    }

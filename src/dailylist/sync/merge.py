"""Taking a remote's events into a journal: read and checked, added once their history is
here, in the one order every device computes; and a list that arrives whole, in one step.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dailylist.canonical import parse_json
from dailylist.errors import DailylistError
from dailylist.store import DataDir, ensure_private_dir, write_atomic
from dailylist.sync.config import SyncPaths
from dailylist.sync.crypto import Key

if TYPE_CHECKING:
    from dailylist.sync.exchange import ListReport
    from dailylist.sync.remote import Remote


def sealed_in_remote(
    key: Key, remote: Remote, files: dict[str, int], list_id: str
) -> tuple[bytes, bytes | None] | None:
    """A list's sealed file (its signature checked) and content key, from any device's
    list.age in the remote; None when none can be read yet."""
    from dailylist.sealed_list import stored_list
    from dailylist.sealing import parse_sealed

    folder = key.name("list", list_id)
    for path in sorted(files):
        if not (path.startswith(f"lists/{folder}/") and path.endswith("/list.age")):
            continue
        try:
            document = parse_json(key.open(remote.read(path)))
            raw = base64.b64decode(document["sealed"], validate=True)
            content_key = document.get("content_key")
            own_key = None if content_key is None else base64.b64decode(content_key, validate=True)
            source = "the sealed list in the remote"
            parse_sealed(raw, source=source)  # its signature, checked
            if stored_list(raw, source=source, content_key=own_key).info.id == list_id:
                return raw, own_key
        except (OSError, ValueError, KeyError, TypeError, DailylistError):
            continue
    return None


def incoming(
    key: Key, remote: Remote, events: dict[str, str], known: set[str], report: ListReport
) -> list[tuple[Any, Any]]:
    """The remote's events not here, read and checked (each is what its name says); a
    file that does not open yet is counted in `report.skipped`."""
    from dailylist.journal import decode_event

    incoming = []
    for name, path in sorted(events.items()):
        if name in known:
            continue
        try:
            document = parse_json(key.open(remote.read(path)))
            event = decode_event(document)
        except (OSError, ValueError, DailylistError):
            report.skipped += 1
            continue
        if key.name("event", event.id) != name:
            report.skipped += 1  # a file put under another event's name
            continue
        incoming.append((event, document))
    return incoming


def join_list(
    data: DataDir,
    key: Key,
    remote: Remote,
    files: dict[str, int],
    list_id: str,
    events: dict[str, str],
    report: ListReport,
) -> bool:
    """Make the remote's list here (sealed copy, content key, the journal so far) in one
    step: written in a private folder beside, then moved into place. False while its
    sealed file or its first event cannot be read yet."""
    import shutil
    import tempfile

    sealed = sealed_in_remote(key, remote, files, list_id)
    if sealed is None:
        return False
    merged, added, report.waiting, _ = merge(
        list_id, None, incoming(key, remote, events, set(), report)
    )
    if merged is None:
        return False
    raw, own_key = sealed
    target = data.list_files(list_id)
    staging = SyncPaths.of(data).root / "joining"
    ensure_private_dir(staging)
    building = Path(tempfile.mkdtemp(prefix=f"{list_id}-", dir=staging))
    try:
        made = type(target)(building)
        ensure_private_dir(made.photos)
        if own_key is not None:
            write_atomic(made.content_key, own_key)
        write_atomic(made.sealed, raw)
        made.write_journal(None, merged.raw)
        ensure_private_dir(target.root.parent)
        building.rename(target.root)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    report.events_in += added
    return True


def merge(
    list_id: str, journal: Any, incoming: list[tuple[Any, Any]]
) -> tuple[Any, int, int, bool]:
    """The journal with `incoming` events added whose history is here, in the one order
    (`chain.in_order`), checked whole; how many were added; how many wait for their
    history; and whether the remote's journal began apart from this one (another opening
    of the list: nothing is merged then)."""
    from dailylist.chain import in_order
    from dailylist.journal import journal_text, read_journal

    known: dict[str, tuple[Any, Any]] = {}
    if journal is not None:
        known = {e.id: (e, d) for e, d in zip(journal.events, journal.documents, strict=True)}
    root = next((e.id for e, _ in known.values() if e.prev is None), None)
    pending = {event.id: (event, document) for event, document in incoming}
    if root is not None and any(e.prev is None and e.id != root for e, _ in pending.values()):
        return journal, 0, 0, True
    grew = True
    while grew:
        grew = False
        for event_id, (event, document) in list(pending.items()):
            starts = event.prev is None and root is None
            if starts or (event.prev is not None and all(p in known for p in event.parents)):
                known[event_id] = (event, document)
                root = root or (event_id if starts else None)
                del pending[event_id]
                grew = True
    added = len(known) - (len(journal.events) if journal is not None else 0)
    if not added:
        return journal, 0, len(pending), False
    ordered = in_order(known.values(), lambda pair: (pair[0].id, pair[0].parents, pair[0].at))
    raw = journal_text(list_id, [document for _, document in ordered])
    merged = read_journal(raw, list_id, where="the merged journal", advice="nothing was written")
    return merged, added, len(pending), False

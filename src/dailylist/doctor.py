"""`dailylist doctor`: check everything in the data dir, and restore a journal from its backup.

The checks read only. Restoring replaces the journal with `journal.json.bak` and keeps the
journal it replaces beside it (`journal.json.replaced-<time>`), so nothing is ever lost.
"""

from __future__ import annotations

import stat
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from dailylist import snapshot as snapshot_file
from dailylist.errors import BadInput, DailylistError
from dailylist.models import CompletedEvent, Journal
from dailylist.recipient import list_name, make_snapshot
from dailylist.report import Check
from dailylist.store import DataDir, ListFiles, file_sha256, write_atomic


@dataclass(frozen=True)
class Examination:
    list_id: str
    name: str
    findings: tuple[Check, ...]

    @property
    def healthy(self) -> bool:
        return all(finding.ok for finding in self.findings)


def examine(data: DataDir, list_id: str) -> Examination:
    """Check one list's files: sealed copy, journal, backup, photos, snapshot, leftovers and
    permissions."""
    files = data.list_files(list_id)
    name = list_id[:8]

    sealed = Check("sealed copy")
    unsealed, sealed_raw = None, b""
    try:
        unsealed, sealed_raw = data.load_list_bytes(list_id)
        unsealed.check_items()
        name = list_name(unsealed.header)
        sealed.detail = f"{unsealed.header.item_count} items, signature and items intact"
    except DailylistError as exc:
        sealed.problems.append(exc.message)

    journal_finding = Check("journal")
    journal: Journal | None = None
    journal_raw = b""
    try:
        journal, journal_raw = data.load_journal_bytes(list_id)
        journal_finding.detail = f"{len(journal.events)} events, hash chain intact"
    except DailylistError as exc:
        journal_finding.problems.append(exc.message)

    backup = Check("backup")
    if files.journal_backup.exists():
        try:
            kept = load_backup(data, list_id)
            backup.detail = f"{len(kept.events)} events, can be restored"
        except DailylistError as exc:
            backup.problems.append(exc.message)
    else:
        backup.detail = "none yet"

    photos = Check("photos")
    if journal is not None:
        count = 0
        for event in journal.events:
            if not isinstance(event, CompletedEvent):
                continue
            for record in event.photos:
                count += 1
                path = data.photo_path(list_id, record.stored_name)
                where = f"day {event.index + 1}: {record.stored_name}"
                try:
                    digest = file_sha256(path)
                except OSError:
                    photos.problems.append(f"{where} is missing")
                    continue
                if digest != record.sha256:
                    photos.problems.append(f"{where} does not match its hash")
        photos.detail = f"{count} photos present with the right hashes" if photos.ok else ""
    else:
        photos.detail = "not checked (the journal could not be read)"

    snapshot = Check("snapshot")
    found = snapshot_file.read_fresh(files.root)
    if found is None:
        snapshot.detail = "none that matches the journal; the next command makes one"
    elif unsealed is not None and journal is not None:
        made = make_snapshot(unsealed, journal, journal_raw=journal_raw, sealed_raw=sealed_raw)
        if {k: v for k, v in found.items() if k != "check"} == made.document():
            snapshot.detail = "matches the journal and the sealed copy"
        else:
            snapshot.problems.append(
                f"{files.snapshot.name} does not say what the journal says; delete it, and "
                "the next command makes it again"
            )

    leftovers = Check("leftovers")
    stray = sorted(p for p in files.root.rglob(".*.tmp") if p.is_file())
    leftovers.detail = "none"
    if stray:
        leftovers.detail = (
            f"{len(stray)} unfinished temporary file(s), safe to delete: "
            + ", ".join(p.name for p in stray)
        )

    privacy = Check("permissions")
    for path in [files.root, *files.root.rglob("*")]:
        mode = stat.S_IMODE(path.lstat().st_mode)
        if mode & 0o077:
            privacy.problems.append(f"{path.relative_to(data.root)} is readable by others")
    if privacy.ok:
        privacy.detail = "private to you"

    findings = (sealed, journal_finding, backup, photos, snapshot, leftovers, privacy)
    return Examination(list_id, name, findings)


def load_backup(data: DataDir, list_id: str) -> Journal:
    """The journal backup, checked like the journal itself."""
    files = data.list_files(list_id)
    if not files.journal_backup.is_file():
        raise BadInput(f"list {list_id} has no journal backup to restore")
    return data.load_journal(list_id, path=files.journal_backup)


@dataclass(frozen=True)
class RestorePlan:
    """What restoring the backup would change."""

    list_id: str
    backup_events: int
    current_events: int | None  # None: the journal is damaged or missing
    lost: tuple[str, ...]  # events in the journal that the backup lacks


def _describe(event: object) -> str:
    kind = getattr(event, "kind", "?")
    at = getattr(event, "at", None)
    index = getattr(event, "index", None)
    what = f"{kind} day {index + 1}" if isinstance(index, int) else str(kind)
    return f"{what} at {at:%Y-%m-%d %H:%M}" if isinstance(at, datetime) else what


def plan_restore(data: DataDir, list_id: str) -> RestorePlan:
    backup = load_backup(data, list_id)
    try:
        current: Journal | None = data.load_journal(list_id)
    except DailylistError:
        current = None
    lost: tuple[str, ...] = ()
    if current is not None:
        kept = {event.id for event in backup.events}
        lost = tuple(_describe(e) for e in current.events if e.id not in kept)
    return RestorePlan(
        list_id=list_id,
        backup_events=len(backup.events),
        current_events=None if current is None else len(current.events),
        lost=lost,
    )


def restore_backup(data: DataDir, list_id: str, now: datetime) -> Path | None:
    """Put `journal.json.bak` back as the journal; the replaced journal is kept beside it.

    Returns where the replaced journal was kept (None when there was none).
    """
    files: ListFiles = data.list_files(list_id)
    with data.locked(list_id):
        load_backup(data, list_id)  # refuse a damaged backup
        kept_at: Path | None = None
        if files.journal.exists():
            kept_at = files.root / f"journal.json.replaced-{now:%Y%m%dT%H%M%S}"
            if files.journal.is_dir():
                files.journal.rename(kept_at)
            else:
                write_atomic(kept_at, files.journal.read_bytes())
        write_atomic(files.journal, files.journal_backup.read_bytes())
    return kept_at

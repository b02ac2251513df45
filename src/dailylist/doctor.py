"""`dailylist doctor`: check everything in the data dir, and restore a journal from its backup.

The checks read only, and replay each journal through the rules, as `verify` does a report.
Restoring replaces the journal with `journal.json.bak` and keeps the journal it replaces
beside it, so nothing is ever lost.
"""

from __future__ import annotations

import stat
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from dailylist import limits, rules, snapshot
from dailylist.chain import label
from dailylist.checks import Check, photo_file_problem
from dailylist.clock import zone_name
from dailylist.days import CLOCK_TOLERANCE, utc
from dailylist.domain import counted, day_number
from dailylist.errors import BadInput, DailylistError
from dailylist.events import Amended, Completed, Event
from dailylist.journal import JournalFile, read_journal
from dailylist.opened import OpenedList, describe, journal_of, load, replayed, sealed_copy_of
from dailylist.store import DataDir, ListFiles, free_name, keep_aside, loose, write_atomic


@dataclass(frozen=True)
class Examination:
    list_id: str
    name: str
    findings: tuple[Check, ...]

    @property
    def healthy(self) -> bool:
        return all(finding.ok for finding in self.findings)


def examine_data_dir(data: DataDir) -> Check:
    """The data dir itself: a folder of one's own that no one else can write."""
    check = Check("data dir", problems=data.problems())
    if check.ok:
        check.detail = f"{data.root}: yours, and only you can change it"
    return check


#: More checks of a list, that a front end adds (the sync's: see `sync.health`).
MoreChecks = Callable[[str, "OpenedList | None", datetime], list[Check]]


def examine(
    data: DataDir, list_id: str, now: datetime, more: MoreChecks | None = None
) -> Examination:
    """Check one list's files: sealed copy, journal, backup, photos, snapshot, leftovers and
    permissions; and what `more` checks."""
    files = data.list_files(list_id)
    name = describe(files)

    opened: OpenedList | None = None
    sealed = Check("sealed copy")
    journal = Check("journal")
    journal_file: JournalFile | None = None
    try:
        journal_file = journal_of(files)
        journal.detail = f"{len(journal_file.events)} events, hash chain intact"
    except DailylistError as exc:
        journal.problems.append(exc.message)
    try:
        if journal_file is None:
            sealed.detail = "not checked (the journal could not be read)"
        else:
            unsealed, raw = sealed_copy_of(files, journal_file)
            from dailylist.sealing import parse_sealed

            parse_sealed(raw, source=f"the sealed copy of list {name}")
            unsealed.check_items()
            sealed.detail = f"{unsealed.info.item_count} items, signature and items intact"
            opened = replayed(files, unsealed, raw, journal_file)
    except DailylistError as exc:
        sealed.problems.append(exc.message)
    if opened is not None:
        for refusal in opened.replay.refused:
            where = label(refusal.position + 1, opened.journal.documents[refusal.position])
            journal.problems.append(f"{where} breaks the rules: {refusal.reason}")
        if journal.ok:
            journal.detail += ", every event by the rules"

    backup = Check("backup")
    if files.journal_backup.exists():
        try:
            kept = load_backup(data, list_id)
            backup.detail = f"{len(kept.events)} events, can be restored"
        except DailylistError as exc:
            backup.problems.append(exc.message)
    else:
        backup.detail = "none yet"

    photos = _photos(files, journal_file.events if journal_file else None)
    kept_snapshot = _snapshot(files, opened, now)

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
        info = path.lstat()
        if not stat.S_ISDIR(info.st_mode) and info.st_mode & 0o077:
            privacy.problems.append(f"{path.relative_to(data.root)} is readable by others")
        elif (problem := loose(path)) is not None:
            privacy.problems.append(problem)
    if privacy.ok:
        privacy.detail = "private to you"

    findings = (sealed, journal, backup, photos, kept_snapshot, leftovers, privacy)
    extra = [check for check in (_sharing(files),) if check is not None]
    extra += more(list_id, opened, now) if more is not None else []
    return Examination(list_id, name, (*findings, *extra))


def _photos(files: ListFiles, events: tuple[Event, ...] | None) -> Check:
    """Every photo a completion or an amendment names must be there, with its hash."""
    check = Check("photos")
    if events is None:
        check.detail = "not checked (the journal could not be read)"
        return check
    seen: set[str] = set()
    for event in events:
        if isinstance(event, Completed | Amended):
            for record in event.photos or ():
                if record.stored_name in seen:
                    continue
                seen.add(record.stored_name)
                problem = photo_file_problem(files.photo(record.stored_name), record.sha256)
                if problem is not None:
                    check.problems.append(
                        f"day {day_number(event.index)}: {record.stored_name} {problem}"
                    )
    check.detail = (
        f"{counted(len(seen), 'photo')} present with the right hashes" if check.ok else ""
    )
    return check


def _sharing(files: ListFiles) -> Check | None:
    """Her choice about sharing with the author, and his postcards with their pictures;
    None for a list that never asked."""
    from dailylist.enclosures import path_of
    from dailylist.sharing import read_postcards, read_sharing

    if not any(p.exists() or p.is_symlink() for p in (files.sharing, files.postcards)):
        return None
    check = Check("sharing")
    try:
        sharing = read_sharing(files)
    except DailylistError as exc:
        check.problems.append(exc.message)
        sharing = None
    try:
        received = read_postcards(files).received
    except DailylistError as exc:
        check.problems.append(exc.message)
        received = ()
    for card in received:
        if card.photo is not None:
            problem = photo_file_problem(path_of(files, card.photo), card.photo)
            if problem is not None:
                check.problems.append(
                    f"the picture of the postcard of {card.written_at:%Y-%m-%d} {problem}"
                )
    if check.ok:
        state = "not asked" if sharing is None else sharing.state
        where = f" to {sharing.remote}" if sharing is not None and sharing.active else ""
        check.detail = f"{state}{where}; {counted(len(received), 'postcard')} received"
    return check


def _snapshot(files: ListFiles, opened: OpenedList | None, now: datetime) -> Check:
    """The snapshot must say what the journal says, and its prompt what the rules say now."""
    check = Check("snapshot")
    found = snapshot.read_fresh(files.root)
    if found is None:
        check.detail = "none that matches the journal; the next command makes one"
        return check
    if opened is None:
        return check
    made = opened.snapshot()
    expected = made.document(now)
    differ = sorted(
        key for key in expected if key not in ("prompt",) and found.get(key) != expected[key]
    )
    cached = found.get("prompt")
    last = made.standing.last_event_at
    if last is not None and utc(now) < utc(last) - CLOCK_TOLERANCE:
        check.problems.append(
            f"the clock reads {now:%Y-%m-%d %H:%M}, before the journal's last event "
            f"({last.astimezone(now.tzinfo):%Y-%m-%d %H:%M}): set it right; the commands "
            "refuse to answer until then"
        )
        cached = None  # the prompt's answer cannot be judged at such a time
    if isinstance(cached, dict) and isinstance(cached.get("zone"), str):
        from zoneinfo import ZoneInfo

        try:
            local = now.astimezone(ZoneInfo(cached["zone"]))
            said = snapshot.prompt_line(found, local, zone_name(local))
            decision = rules.decide_today(made.standing, local)
            meant = snapshot.prompt_text(decision, made.standing.done_count, made.info.item_count)
            if said is not None and said != meant:
                differ.append("prompt")
        except (DailylistError, ValueError, KeyError, TypeError):
            differ.append("prompt")
    if differ:
        check.problems.append(
            f"{files.snapshot.name} does not say what the journal says ({', '.join(differ)}); "
            "until the next write, `today`, `status` and `prompt` may be wrong. Delete it, and "
            "the next command makes it again"
        )
    else:
        check.detail = "matches the journal and the sealed copy"
    return check


def load_backup(data: DataDir, list_id: str) -> JournalFile:
    """The journal backup, checked like the journal itself."""
    files = data.list_files(list_id)
    if files.journal_backup.is_dir():
        raise BadInput(
            f"{files.journal_backup} is a folder, not a journal backup; nothing in it is "
            "read or changed (move it away, and the next write keeps a backup there)"
        )
    if not files.journal_backup.is_file():
        raise BadInput(f"list {list_id} has no journal backup to restore")
    where = f"the backup journal of list {describe(files)}"
    raw = files.read(files.journal_backup, what=where, cap=limits.JOURNAL)
    return read_journal(raw, list_id, where=where, advice="it was left as it is")


@dataclass(frozen=True)
class RestorePlan:
    """What restoring the backup would change."""

    list_id: str
    backup_events: int
    current_events: int | None  # None: the journal is damaged or missing
    lost: tuple[str, ...]  # what the journal holds that the backup lacks, by day


def _dropped(event: Event) -> str:
    """What losing `event` means, said by its day."""
    at = f"{event.at:%Y-%m-%d %H:%M}"
    index = getattr(event, "index", None)
    day = f"day {day_number(index)}'s " if isinstance(index, int) else ""
    if isinstance(event, Completed):
        photos = len(event.photos)
        reflection = ", its reflection" if event.reflection else ""
        return f"{day}completion of {event.day}{reflection} and {counted(photos, 'photo')} ({at})"
    if isinstance(event, Amended):
        return f"{day}amendment of {event.day} ({at})"
    return f"{day}{event.kind} ({at})"


def plan_restore(data: DataDir, list_id: str) -> RestorePlan:
    backup = load_backup(data, list_id)
    try:
        current: JournalFile | None = load(data.list_files(list_id)).journal
    except DailylistError:
        current = None
    lost: tuple[str, ...] = ()
    if current is not None:
        kept = {event.id for event in backup.events}
        lost = tuple(_dropped(e) for e in current.events if e.id not in kept)
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
    files = data.list_files(list_id)
    with files.locked():
        load_backup(data, list_id)  # refuse a damaged backup
        kept_at: Path | None = None
        if files.journal.exists():
            name = files.root / f"journal.json.replaced-{now:%Y%m%dT%H%M%S}"
            if files.journal.is_dir():
                kept_at = free_name(name)
                files.journal.rename(kept_at)
            else:
                what = "the journal to be replaced"
                replaced = files.read(files.journal, what=what, cap=limits.JOURNAL)
                kept_at = keep_aside(name, replaced)
        backup = files.read(files.journal_backup, what="the backup journal", cap=limits.JOURNAL)
        write_atomic(files.journal, backup)
    return kept_at

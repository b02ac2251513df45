"""`dailylist open` and `close`: check a sealed list completely, keep a copy and start its
journal; move a list's folder to the archive, and bring it back when it is opened again.
Nothing here deletes anything."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from dailylist.clock import zone_name
from dailylist.device import device_id
from dailylist.domain import ListInfo
from dailylist.errors import BadInput, DailylistError
from dailylist.events import Opened
from dailylist.home import digest
from dailylist.journal import encode_event, journal_text, new_event, read_journal
from dailylist.limits import JOURNAL, SEALED_LIST
from dailylist.opened import keep_snapshot, load
from dailylist.sharing import Sharing
from dailylist.store import DataDir, check_private, ensure_private_dir, write_atomic


@dataclass(frozen=True)
class OpenResult:
    info: ListInfo
    already_open: bool
    #: The list's sealed copy had gone missing, and was put back beside its journal.
    restored: bool = False
    #: The list had been closed: its folder came back from the archive, journal and all.
    reopened: bool = False
    #: The picture shown with the letter, kept in the list's folder.
    letter_photo: Path | None = None
    #: Her answer to what the author asks to follow, when the list asks (see `sharing`).
    sharing: Sharing | None = None


def open_list(
    data: DataDir,
    raw: bytes,
    now: datetime,
    *,
    source: str,
    passphrase: Callable[[], str] | None = None,
    share: Callable[[ListInfo, bool], bool | None] | None = None,
) -> OpenResult:
    """Check a sealed list completely, keep a copy and start its journal.

    `passphrase` is asked only for a list sealed with one. Opening the same file twice is
    harmless; a different file with the same id is refused. For a list whose author asks
    to follow it, `share(info, asked_before)` gives her answer (None: none given; the
    first time that is no).
    """
    from dailylist.sealed_list import needs_passphrase
    from dailylist.sealing import open_sealed

    unsealed = open_sealed(raw, source=source, passphrase=passphrase)
    info = unsealed.info
    files = data.list_files(info.id)
    reopened = _bring_back(data, info, raw)
    stored = None
    if files.sealed.exists():
        stored = files.read(
            files.sealed, what=f"the sealed copy of list {info.name}", cap=SEALED_LIST
        )
    if stored is not None and stored != raw:
        raise BadInput(
            f"{source} has the id of an opened list ({info.name}) but different contents; "
            "it was not opened"
        )
    own_key = unsealed.content_key if needs_passphrase(unsealed.sealed) else None
    kept = files.journal.exists() or files.journal.is_symlink()
    if stored is None:
        ensure_private_dir(files.photos)
        check_private(files.root, files.photos)
        with files.locked():
            if kept:
                _check_kept_journal(data, info, raw)  # its sealed copy went missing
            if own_key is not None:
                write_atomic(files.content_key, own_key)
            if not kept:
                opened = new_event(
                    Opened,
                    prev=None,
                    at=now,
                    zone=zone_name(now),
                    device=device_id(data.root),
                    list_sha256=digest(raw),
                )
                files.write_journal(None, journal_text(info.id, [encode_event(opened)]))
            write_atomic(files.sealed, raw)
        with contextlib.suppress(DailylistError):  # a cache: `today` makes it otherwise
            keep_snapshot(files, load(files).snapshot(), now)
    elif not files.journal.exists():
        load(files)  # says what is wrong: the journal is missing
    elif own_key is not None and not files.content_key.is_file():
        write_atomic(files.content_key, own_key)  # restores a lost content.key
    data.set_last_opened(info.id)
    from dailylist import enclosures, sharing

    chosen = None
    if info.settings.follow is not None:
        chosen = sharing.read_sharing(files)
        answer = None if share is None else share(info, chosen is not None)
        if answer is not None or chosen is None:
            chosen = sharing.decide(files, info.settings.follow, bool(answer), now)
    return OpenResult(
        info=info,
        already_open=stored is not None and not reopened,
        restored=stored is None and kept,
        reopened=reopened,
        letter_photo=enclosures.letter_photo(files, unsealed),
        sharing=chosen,
    )


def _bring_back(data: DataDir, info: ListInfo, raw: bytes) -> bool:
    """Move a closed list's folder back from the archive, when `raw` is the very file it
    was opened from and no open list has its place; whether it did."""
    files, archived = data.list_files(info.id), data.archived_files(info.id)
    if files.root.exists() or not archived.root.is_dir():
        return False
    check_private(archived.root)
    if archived.sealed.exists():
        kept = archived.read(archived.sealed, what=f"the closed list {info.name}", cap=SEALED_LIST)
        if kept != raw:
            raise BadInput(
                f"the closed list {info.name} was opened from another file; nothing changed"
            )
    ensure_private_dir(files.root.parent)
    archived.root.rename(files.root)
    return True


def close_list(data: DataDir, list_id: str) -> Path:
    """Move an open list's whole folder to the archive (nothing is deleted): from then on
    `status`, `prompt`, the reminders and `--list` leave it out. Returns where it went."""
    files, archived = data.list_files(list_id), data.archived_files(list_id)
    if archived.root.exists() or archived.root.is_symlink():
        raise BadInput(
            f"{archived.root} is there already; move it away before closing this list again"
        )
    ensure_private_dir(archived.root.parent)
    with files.locked():  # no command is writing to it as it moves
        files.root.rename(archived.root)
    return archived.root


def _check_kept_journal(data: DataDir, info: ListInfo, raw: bytes) -> None:
    """Refuse to put a sealed copy back beside a journal that is not of that very file."""

    files = data.list_files(info.id)
    where = f"the journal of list {info.name}"
    journal = read_journal(
        files.read(files.journal, what=where, cap=JOURNAL),
        info.id,
        where=where,
        advice="it was left as it is; `dailylist doctor` tells more",
    )
    first = journal.events[0] if journal.events else None
    if isinstance(first, Opened) and first.list_sha256 not in (None, digest(raw)):
        raise BadInput(f"this is not the file list {info.name} was opened from; nothing changed")

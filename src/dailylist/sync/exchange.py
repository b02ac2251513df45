"""What a sync does, list by list: send what the remote lacks of this device's, take what
is new there, and check that what this device wrote is still whole.

The remote holds, for each list, one folder per device, and a device writes only in its
own (so a file-sync tool never has two writers on a file, and git never a conflict):

    keys/TOKEN.age                  the remote's age identity, under the sync passphrase
    lists/L/D/list.age              the sealed list (and its content key), for joining
    lists/L/D/device.age            the device's id, name and key, signed by it
    lists/L/D/events/E.age          one of the device's events, in its signed envelope
    lists/L/D/photos/P.age          one photo, written once

L, D, E and P are names made from the list's, the device's and the event's ids and the
photo's name (see `crypto.Key.name`); every file is age-encrypted to the remote's identity.

A device sends the events it wrote (signed: no other can write in its name) and every
photo the remote lacks, and takes every event and photo the remote has that it lacks,
checked as a stranger's files (see `reading`). Its journal is then the union of the
events, in the one order every device computes; the fold decides where the list stands,
and sets aside what two devices that were apart both did (see `fold.replay`), in one
replay per exchange. A file that does not belong is skipped and reported once; an event
whose history has not arrived yet waits for it, and one dated ahead of this device's clock
waits for its time.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from dailylist import limits
from dailylist.errors import BadInput, DailylistError, NotNow
from dailylist.store import DataDir, ListFiles, write_atomic
from dailylist.sync.config import ListSync, SyncConfig, SyncPaths
from dailylist.sync.crypto import Key
from dailylist.sync.merge import Merged, merge
from dailylist.sync.reading import (
    FOREIGN_PHOTO,
    UNREADABLE,
    ListFolder,
    Reading,
    Seen,
    Stray,
    open_device,
    open_event,
    open_shared_list,
    read_events,
    sealed_device,
    sealed_event,
    shared_list,
)
from dailylist.sync.remote import Remote, RemoteFile

if TYPE_CHECKING:
    from dailylist.device import DeviceIdentity
    from dailylist.events import Event, PhotoRecord
    from dailylist.fold import Replay
    from dailylist.journal import JournalFile
    from dailylist.sealed_list import UnsealedList

#: How often a sync tries again when another device pushed between its fetch and its push.
PUSH_TRIES = 5


@dataclass(frozen=True)
class Clash:
    """A completion set aside: another device's completion of the day came first."""

    number: int
    device: str
    at: datetime
    kept_device: str
    kept_at: datetime | None


@dataclass
class ListReport:
    """What one sync did for one list."""

    list_id: str
    name: str
    events_in: int = 0
    events_out: int = 0
    photos_in: int = 0
    photos_out: int = 0
    #: This device's files the remote had lost, or held damaged: put back.
    restored: int = 0
    #: Files newly found not to belong here (junk, damaged, half copied), by why; each is
    #: said once, and taken should it become whole.
    skipped: Counter[str] = field(default_factory=Counter)
    #: Events whose history has not arrived yet, and photos not sent yet by their device.
    waiting: int = 0
    #: Events dated ahead of this device's clock: by device name, the latest time.
    held: dict[str, datetime] = field(default_factory=dict)
    #: Events of another opening of the list, by device name (kept apart).
    foreign: dict[str, int] = field(default_factory=dict)
    #: Events the rules refuse even where they were written, by device name (left out).
    refused: dict[str, int] = field(default_factory=dict)
    clashes: list[Clash] = field(default_factory=list)
    #: The list came here from the remote with this sync.
    joined: bool = False
    #: The list has a journal here (a list still arriving has none yet).
    journal_here: bool = False
    #: Why the list could not be exchanged (it is left as it was).
    problem: str | None = None
    #: For a list in step: how many completions are set aside (reported when they came).
    set_aside: int = 0
    #: The sha256 of the journal as this exchange left it (what "in step" is said of).
    journal_digest: str | None = None

    @property
    def changed(self) -> bool:
        """Whether anything moved (and the list's time of last sync moves with it)."""
        moved = self.events_in + self.events_out + self.photos_in + self.photos_out
        return bool(moved or self.restored or self.joined)

    @property
    def settled(self) -> bool:
        """Whether nothing is left to take or to wait for: the list is then in step."""
        return not (self.problem or self.waiting or self.held)


@dataclass
class SyncReport:
    remote: str
    lists: list[ListReport] = field(default_factory=list)
    #: Open lists of this device that do not sync, by name.
    not_synced: list[str] = field(default_factory=list)


@dataclass
class _Exchange:
    """One exchange with the remote: what every list's part needs."""

    data: DataDir
    config: SyncConfig
    key: Key
    remote: Remote
    files: Mapping[str, RemoteFile]
    me: DeviceIdentity
    now: datetime
    seen: Seen

    def name(self, device: str) -> str:
        return self.config.devices.name(device, self.me.id)


def exchange(
    data: DataDir,
    config: SyncConfig,
    key: Key,
    remote: Remote,
    wanted: list[str],
    now: datetime,
    *,
    join_new: bool,
) -> SyncReport:
    """Bring each wanted list (and with `join_new`, every list in the remote) in step with
    the remote; with git, again from the fetch while another device's push came between."""
    from dailylist.device import identity
    from dailylist.sync.config import read_seen, save_seen

    me = identity(data.root)
    config.devices.own(me.id, me.public_key)
    seen = Seen(read_seen(data, config.remote))
    for attempt in range(PUSH_TRIES):
        if attempt:
            remote.fetch()
        before = remote.state()
        files = remote.files()
        _check_ours(key, remote, files, config)
        context = _Exchange(data, config, key, remote, files, me, now, seen)
        reports: list[ListReport] = []
        found: list[str] = []
        if join_new and config.looked != before:
            found = _joinable(context)
        for list_id in dict.fromkeys([*wanted, *found]):
            state = config.lists.get(list_id) or ListSync()
            if state.in_step is not None and state.in_step == _in_step(before, data, list_id):
                reports.append(_still_in_step(data, list_id))
                continue
            part = _exchange_list(context, list_id, state)
            if part.journal_here:
                config.lists[list_id] = state
                reports.append(part)
        _keep_key_file(context)
        if remote.publish():
            after = remote.state()
            for path, written in remote.written().items():
                seen.put(path, written.version, {"mine": True})
            for part in reports:
                if part.journal_digest is None:
                    continue  # in step already: nothing is written for it
                state = config.lists[part.list_id]
                state.reached_at = now
                if part.changed:
                    state.synced_at = now
                state.in_step = _word(after, part.journal_digest) if part.settled else None
            if join_new and all(list_id in config.lists for list_id in found):
                config.looked = after  # else look again: a list still arriving
            seen.keep_only(remote.files() | remote.written())
            if seen.changed:
                save_seen(data, config.remote, seen.files)
            return SyncReport(remote.shown, reports, _not_synced(data, config))
    raise NotNow(f"{remote.shown} kept changing while this device synced; try again")


def _word(remote_state: str, journal_digest: str) -> str:
    """The word for "this remote and this journal, as they are"."""
    return hashlib.sha256(f"{remote_state}\0{journal_digest}".encode()).hexdigest()


def _in_step(remote_state: str, data: DataDir, list_id: str) -> str:
    journal = data.list_files(list_id).journal
    try:
        raw = limits.read_file(journal, limits.JOURNAL)
    except OSError:
        return ""
    return _word(remote_state, hashlib.sha256(raw).hexdigest())


def _not_synced(data: DataDir, config: SyncConfig) -> list[str]:
    from dailylist.opened import describe

    return [
        describe(data.list_files(list_id))
        for list_id in data.opened_list_ids()
        if list_id not in config.lists
    ]


def _still_in_step(data: DataDir, list_id: str) -> ListReport:
    """A list in step with a remote that did not change: nothing read, nothing said but
    the clashes its snapshot counts."""
    from dailylist.opened import describe, snapshot_of

    files = data.list_files(list_id)
    report = ListReport(list_id, describe(files), journal_here=True)
    with contextlib.suppress(DailylistError):
        snapshot, _ = snapshot_of(files)
        report.set_aside = snapshot.set_aside
    return report


def _check_ours(
    key: Key, remote: Remote, files: Mapping[str, RemoteFile], config: SyncConfig
) -> None:
    """`BadInput` when the remote's lists are not this sync's: none is named for a list
    this device syncs, and none opens with its key (another person's remote now stands at
    that address)."""
    folders = {
        path.split("/")[1] for path in files if path.count("/") >= 2 and path.startswith("lists/")
    }
    if not folders or folders & {key.name("list", list_id) for list_id in config.lists}:
        return
    for path in sorted(files):
        if path.startswith("lists/") and path.endswith("/device.age"):
            try:
                key.open(remote.read(path))
                return
            except (OSError, ValueError):
                continue
    raise BadInput(
        f"{remote.shown} holds lists that do not open with this device's key: it is not "
        "this sync's remote; nothing was changed"
    )


def _keep_key_file(context: _Exchange) -> None:
    """Put the passphrase-locked identity back in `keys/` should the remote have lost it."""
    path = f"keys/{context.config.key_token}.age"
    if path not in context.files:
        wrapped = SyncPaths.of(context.data).wrapped
        with contextlib.suppress(OSError):
            context.remote.write(path, limits.read_file(wrapped, limits.SMALL), "keys")


def _joinable(context: _Exchange) -> list[str]:
    """The ids of the lists in the remote (read from their list.age files)."""
    ids: dict[str, None] = {}
    key, files, seen = context.key, context.files, context.seen
    for path in sorted(files):
        parts = path.split("/")
        if len(parts) != 4 or parts[0] != "lists" or parts[3] != "list.age":
            continue
        verdict = seen.get(path, files[path].version)
        if verdict is not None and "list" in verdict:
            list_id = str(verdict["list"])
        elif verdict is not None:
            continue
        else:
            try:
                list_id = open_shared_list(key, context.remote.read(path)).list_id
            except (OSError, ValueError):
                seen.put(path, files[path].version, {"stray": UNREADABLE})
                continue
            if key.name("list", list_id) != parts[1]:
                seen.put(path, files[path].version, {"stray": "elsewhere"})
                continue
            seen.put(path, files[path].version, {"list": list_id})
        ids[list_id] = None
    return list(ids)


def _exchange_list(context: _Exchange, list_id: str, state: ListSync) -> ListReport:
    """One list in step with the remote: take what is new there (events, then the photos
    they name), then send what the remote lacks of this device's, and check what this
    device sent before is still whole."""
    from dailylist.opened import describe

    data, key = context.data, context.key
    folder = ListFolder.of(context.files, key.name("list", list_id))
    mine = f"lists/{folder.name}/{key.name('device', context.me.id)}"
    list_files = data.list_files(list_id)
    report = ListReport(list_id, list_id[:8])
    _learn_devices(context, folder, list_id)
    if not list_files.root.exists():
        if not _join_list(context, folder, list_id, report):
            return report
        report.joined = True
    report.journal_here = True
    report.name = describe(list_files)
    first = state.reached_at is None and not report.joined
    with list_files.locked():
        journal, unsealed, sealed_raw = _read_list(list_files)
        known = {key.name("event", e.id) for e in journal.events}
        reading = read_events(
            key,
            context.remote,
            context.files,
            folder,
            list_id,
            known,
            context.now,
            context.seen,
            context.config.devices,
        )
        merged = merge(
            list_id,
            journal,
            reading.arrivals,
            _fold(unsealed),
            me=context.me.id,
            first_exchange=first,
        )
        _tell(context, report, reading, merged)
        if merged.apart or merged.journal is None or merged.replay is None:
            report.problem = (
                "this device opened the list on its own, and its journal began apart from "
                f"{_devices(report.foreign)}'s: the two are kept apart and nothing was sent. "
                "If the list here should follow theirs, close it here "
                f"(`dailylist close {report.name}`) and sync again"
            )
            return report
        if merged.added:
            list_files.write_journal(journal.raw, merged.journal.raw)
        journal = merged.journal
        report.events_in += len(merged.added)
        report.photos_in, missing = _photos_in(context, folder, list_files, journal.events)
        report.waiting += missing
        if merged.added or report.photos_in or report.joined:
            _keep_snapshot(list_files, unsealed, sealed_raw, journal, merged.replay, context.now)
        _send(context, folder, list_files, journal, mine, report)
        report.journal_digest = hashlib.sha256(journal.raw).hexdigest()
    report.clashes = _clashes(context, merged.replay)
    return report


def _read_list(files: ListFiles) -> tuple[JournalFile, UnsealedList, bytes]:
    """A list's journal (read once, checked) and its sealed copy."""
    from dailylist.opened import journal_of, sealed_copy_of

    journal = journal_of(files)
    unsealed, raw = sealed_copy_of(files, journal)
    return journal, unsealed, raw


def _fold(unsealed: UnsealedList) -> _Folding:
    return _Folding(unsealed)


class _Folding:
    """The replay of events through a list's rules (what `merge` checks with)."""

    def __init__(self, unsealed: UnsealedList) -> None:
        self.unsealed = unsealed

    def __call__(self, events: Sequence[Event]) -> Replay:
        from dailylist import fold
        from dailylist.opened import empty_standing

        return fold.replay(events, empty_standing(self.unsealed), self.unsealed)


def _tell(context: _Exchange, report: ListReport, reading: Reading, merged: Merged) -> None:
    """What reading and merging found, in the report, with devices by name."""
    report.skipped += reading.skipped
    report.held = {context.name(device): at for device, at in reading.held.items()}
    report.foreign = _by_name(context, merged.foreign)
    report.refused = _by_name(context, merged.refused)
    report.waiting += merged.waiting


def _by_name(context: _Exchange, counts: Counter[str]) -> dict[str, int]:
    named: dict[str, int] = {}
    for device, count in counts.items():
        named[context.name(device)] = named.get(context.name(device), 0) + count
    return named


def _devices(named: Mapping[str, int]) -> str:
    names = sorted(named) or ["the other devices"]
    return " and ".join(names)


def _learn_devices(context: _Exchange, folder: ListFolder, list_id: str) -> None:
    """The other devices' names, from their signed `device.age` in this list's folder."""
    for device_folder, path in folder.devices.items():
        version = context.files[path].version
        verdict = context.seen.get(path, version)
        if verdict is not None and "device" in verdict:
            context.config.devices.learn(str(verdict["device"]), str(verdict["name"]))
            continue
        if verdict is not None:
            continue
        try:
            raw = context.remote.read(path)
            device, name = open_device(
                context.key, raw, list_id, device_folder, context.config.devices
            )
        except (OSError, Stray):
            context.seen.put(path, version, {"stray": "device"})
            continue
        context.seen.put(path, version, {"device": device, "name": name})
        context.config.devices.learn(device, name)


def _join_list(context: _Exchange, folder: ListFolder, list_id: str, report: ListReport) -> bool:
    """Make the remote's list here (sealed copy, content key, the journal so far) in one
    step: written in a private folder beside, then moved into place. False while its
    sealed file or its first events cannot be read yet."""
    import shutil
    import tempfile
    from pathlib import Path

    sealed = _sealed_in_remote(context, folder, list_id)
    if sealed is None:
        return False
    raw, own_key, unsealed = sealed
    reading = read_events(
        context.key,
        context.remote,
        context.files,
        folder,
        list_id,
        set(),
        context.now,
        context.seen,
        context.config.devices,
    )
    merged = merge(
        list_id, None, reading.arrivals, _fold(unsealed), me=context.me.id, first_exchange=True
    )
    report.skipped += reading.skipped  # the rest is told by the exchange that follows
    if merged.journal is None:
        return False
    report.events_in = len(merged.added)
    target = context.data.list_files(list_id)
    staging = SyncPaths.of(context.data).root / "joining"
    from dailylist.store import ensure_private_dir

    ensure_private_dir(staging)
    building = Path(tempfile.mkdtemp(prefix=f"{list_id}-", dir=staging))
    try:
        made = ListFiles(building)
        ensure_private_dir(made.photos)
        if own_key is not None:
            write_atomic(made.content_key, own_key)
        write_atomic(made.sealed, raw)
        made.write_journal(None, merged.journal.raw)
        ensure_private_dir(target.root.parent)
        building.rename(target.root)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    return True


def _sealed_in_remote(
    context: _Exchange, folder: ListFolder, list_id: str
) -> tuple[bytes, bytes | None, UnsealedList] | None:
    """A list's sealed file (its author's signature checked, and its items open with the
    key that comes with it), from any device's list.age in the remote; None when none can
    be read yet."""
    from dailylist.sealed_list import stored_list
    from dailylist.sealing import parse_sealed

    for path in folder.sealed:
        try:
            shared = open_shared_list(context.key, context.remote.read(path))
            source = "the sealed list in the remote"
            parse_sealed(shared.sealed, source=source)  # its signature, checked
            unsealed = stored_list(shared.sealed, source=source, content_key=shared.content_key)
            if shared.list_id != list_id or unsealed.info.id != list_id:
                continue
            unsealed.check_items()  # the key that came with it opens every item
            return shared.sealed, shared.content_key, unsealed
        except (OSError, ValueError, DailylistError):
            continue
    return None


def _records(events: Sequence[Event]) -> Iterator[PhotoRecord]:
    """Every photo the events name, once."""
    seen: set[str] = set()
    for event in events:
        for record in getattr(event, "photos", None) or ():
            if record.stored_name not in seen:
                seen.add(record.stored_name)
                yield record


def _photo_bytes(context: _Exchange, path: str, record: PhotoRecord) -> bytes | None:
    """The photo in the remote's file at `path`, if it is `record`'s (else noted)."""
    version = context.files[path].version if path in context.files else ""
    verdict = context.seen.get(path, version)
    if verdict is not None and "stray" in verdict:
        return None
    try:
        raw = context.key.open(context.remote.read(path))
    except (OSError, ValueError):
        context.seen.put(path, version, {"stray": UNREADABLE})
        return None
    if hashlib.sha256(raw).hexdigest() != record.sha256:
        context.seen.put(path, version, {"stray": FOREIGN_PHOTO})
        return None
    context.seen.put(path, version, {"photo": record.sha256})
    return raw


def _photo_whole(context: _Exchange, path: str, record: PhotoRecord) -> bool:
    """Whether the remote's file at `path` is known to hold `record`'s photo whole."""
    version = context.files[path].version
    verdict = context.seen.get(path, version)
    if verdict is not None:
        return verdict.get("photo") == record.sha256 or bool(verdict.get("mine"))
    return _photo_bytes(context, path, record) is not None


def _photos_in(
    context: _Exchange, folder: ListFolder, files: ListFiles, events: Sequence[Event]
) -> tuple[int, int]:
    """Take the photos the journal names that are not here; (taken, not in the remote yet)."""
    taken = missing = 0
    for record in _records(events):
        target = files.photo(record.stored_name)
        if target.is_file():
            continue
        for path in folder.photos.get(context.key.name("photo", record.stored_name), []):
            raw = _photo_bytes(context, path, record)
            if raw is not None:
                write_atomic(target, raw)
                taken += 1
                break
        else:
            missing += 1
    return taken, missing


def _send(
    context: _Exchange,
    folder: ListFolder,
    files: ListFiles,
    journal: JournalFile,
    mine: str,
    report: ListReport,
) -> None:
    """Send what the remote lacks of this device's: its events (signed), every photo no
    file there holds whole, its list.age and device.age; and write again any of its files
    that the remote lost or holds damaged."""
    key, remote, me = context.key, context.remote, context.me
    list_id = journal.list_id
    for event, document in zip(journal.events, journal.documents, strict=True):
        if event.device != me.id:
            continue  # only its own device sends an event: none can write in another's name
        path = f"{mine}/events/{key.name('event', event.id)}.age"
        lost = path in context.files or _was_sent(context, path)
        if _whole(context, path, _Event(context, list_id, path, event.id)):
            continue
        remote.write(path, key.seal(sealed_event(list_id, document, me)), mine)
        report.events_out += 1
        report.restored += lost
    for record in _records(journal.events):
        name = key.name("photo", record.stored_name)
        source = files.photo(record.stored_name)
        paths = folder.photos.get(name, [])
        if not source.is_file() or any(_photo_whole(context, p, record) for p in paths):
            continue
        try:
            raw = limits.read_file(source, _max_photo())
        except OSError:
            continue
        remote.write(f"{mine}/photos/{name}.age", key.seal(raw), mine)
        report.photos_out += 1
    _describe_here(context, files, mine, list_id)


def _was_sent(context: _Exchange, path: str) -> bool:
    """Whether this device had written `path` before and the remote has lost it."""
    return path in context.seen.files and bool(context.seen.files[path][1].get("mine"))


def _whole(context: _Exchange, path: str, check: Callable[[bytes], bool]) -> bool:
    """Whether this device's file at `path` is in the remote and whole (read once per
    version of it)."""
    found = context.files.get(path)
    if found is None:
        return False
    verdict = context.seen.get(path, found.version)
    if verdict is not None:
        return bool(verdict.get("mine"))
    try:
        whole = check(context.remote.read(path))
    except OSError:
        whole = False
    context.seen.put(path, found.version, {"mine": True} if whole else {"stray": UNREADABLE})
    return whole


@dataclass(frozen=True)
class _Event:
    """The check that a file of this device's holds its event `event_id` whole."""

    context: _Exchange
    list_id: str
    path: str
    event_id: str

    def __call__(self, raw: bytes) -> bool:
        context = self.context
        try:
            found, _ = open_event(
                context.key, raw, self.list_id, self.path, context.config.devices
            )
        except Stray:
            return False
        return found.id == self.event_id


def _max_photo() -> int:
    from dailylist.photos import MAX_PHOTO_BYTES

    return MAX_PHOTO_BYTES


def _describe_here(context: _Exchange, files: ListFiles, mine: str, list_id: str) -> None:
    """This device's list.age (so others can join) and device.age, when missing or not
    whole."""
    import socket

    key, remote = context.key, context.remote
    path = f"{mine}/list.age"
    if not _whole(context, path, lambda raw: _opens(key, raw)):
        sealed = files.read(files.sealed, what="the sealed copy", cap=limits.SEALED_LIST)
        content_key = None
        if files.content_key.is_file():
            content_key = files.read(files.content_key, what="its key", cap=limits.SMALL)
        remote.write(path, key.seal(shared_list(list_id, sealed, content_key)), mine)
    path = f"{mine}/device.age"
    name = context.config.device_name or socket.gethostname()
    if not _whole(context, path, lambda raw: _names_me(context, raw, list_id, mine, name)):
        remote.write(path, key.seal(sealed_device(list_id, name, context.me)), mine)


def _opens(key: Key, raw: bytes) -> bool:
    try:
        key.open(raw)
    except ValueError:
        return False
    return True


def _names_me(context: _Exchange, raw: bytes, list_id: str, mine: str, name: str) -> bool:
    try:
        device, said = open_device(
            context.key, raw, list_id, mine.split("/")[2], context.config.devices
        )
    except Stray:
        return False
    return device == context.me.id and said == name


def _keep_snapshot(
    files: ListFiles,
    unsealed: UnsealedList,
    sealed_raw: bytes,
    journal: JournalFile,
    replay: Replay,
    now: datetime,
) -> None:
    from dailylist.opened import OpenedList, keep_snapshot

    with contextlib.suppress(DailylistError):  # a cache: the next command makes it
        opened = OpenedList(files, unsealed, sealed_raw, journal, replay)
        keep_snapshot(files, opened.snapshot(), now)


def _clashes(context: _Exchange, replay: Replay) -> list[Clash]:
    kept = {entry.index: entry for entry in replay.entries}
    found = []
    for aside in replay.set_aside:
        entry = kept.get(aside.index)
        found.append(
            Clash(
                number=aside.number,
                device=context.name(aside.completion.device),
                at=aside.completion.at,
                kept_device=context.name(entry.completion.device) if entry else "",
                kept_at=entry.at if entry else None,
            )
        )
    return found

"""What a sync does, list by list: send what the remote lacks, take what it has.

The remote holds, for each list, one folder per device, and a device writes only in its
own (so a file-sync tool never has two writers on a file, and git never a conflict):

    keys/TOKEN.age                  the remote's age identity, under the sync passphrase
    lists/L/D/list.age              the sealed list (and its content key), for joining
    lists/L/D/device.age            the device's id and host name
    lists/L/D/events/E.age          one event of the list's journal, written once
    lists/L/D/photos/P.age          one photo, written once

L, D, E and P are names made from the list's, the device's and the event's ids and the
photo's name (see `crypto.Key.name`); every file is age-encrypted to the remote's identity.

A device uploads every event and photo it has that the remote lacks (its own, and any it
got from another device that the remote has lost), and takes every event and photo the
remote has that it lacks. Its journal is then the union of the events, in the one order
every device computes (`chain.in_order`); the fold decides where the list stands, and sets
aside what two devices that were apart both did (see `fold.replay`). A file that does not
open (still being copied, damaged) is skipped and reported, and taken when it is whole; an
event whose history has not arrived yet waits for it.
"""

from __future__ import annotations

import base64
import contextlib
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from dailylist import limits
from dailylist.canonical import canonical_json, parse_json
from dailylist.errors import BadInput, DailylistError, NotNow
from dailylist.store import DataDir, write_atomic
from dailylist.sync.config import (
    ListSync,
    SyncConfig,
    SyncPaths,
    device_name,
)
from dailylist.sync.crypto import Key
from dailylist.sync.merge import incoming, join_list, merge
from dailylist.sync.remote import Remote

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
    #: This device's files the remote had lost, put back.
    restored: int = 0
    #: Files that did not open (still being copied, or damaged): taken when they are whole.
    skipped: int = 0
    #: Events whose history has not arrived yet, and photos not sent yet by their device.
    waiting: int = 0
    clashes: list[Clash] = field(default_factory=list)
    #: The list came here from the remote with this sync.
    joined: bool = False
    #: The list has a journal here (a list still arriving has none yet).
    journal_here: bool = False
    #: Why the list could not be exchanged (it is left as it was).
    problem: str | None = None
    #: For a list in step: how many completions are set aside (reported when they came).
    set_aside: int = 0

    @property
    def changed(self) -> bool:
        """Whether anything moved (and the list's time of last sync moves with it)."""
        moved = self.events_in + self.events_out + self.photos_in + self.photos_out
        return bool(moved or self.restored or self.joined)


@dataclass
class SyncReport:
    remote: str
    lists: list[ListReport] = field(default_factory=list)


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
    device = data.device_id()
    for attempt in range(PUSH_TRIES):
        if attempt:
            remote.fetch()
        before = remote.state()
        files = remote.files()
        _check_ours(key, remote, files, config)
        reports, exchanged = [], []
        found = []
        if join_new and config.looked != before:
            found = _joinable(key, remote, files)
        for list_id in dict.fromkeys([*wanted, *found]):
            state = config.lists.get(list_id) or ListSync()
            if state.in_step is not None and state.in_step == _in_step(before, data, list_id):
                reports.append(_still_in_step(data, list_id))
                continue
            part = _exchange_list(data, key, remote, files, list_id, device, state, now)
            if part.journal_here:
                config.lists[list_id] = state
                reports.append(part)
                exchanged.append((list_id, part))
                if part.changed:
                    state.synced_at = now
        _keep_key_file(remote, files, data, config)
        if remote.publish():
            after = remote.state()
            for list_id, part in exchanged:
                # In step once nothing waits: a list still taking files does all again.
                done = not (part.problem or part.skipped or part.waiting)
                config.lists[list_id].in_step = _in_step(after, data, list_id) if done else None
            if join_new and all(list_id in config.lists for list_id in found):
                config.looked = after  # else look again: a list still arriving
            return SyncReport(remote.shown, reports)
    raise NotNow(f"{remote.shown} kept changing while this device synced; try again")


def _in_step(remote_state: str, data: DataDir, list_id: str) -> str:
    """The word for "this remote and this journal, as they are"."""
    import hashlib

    journal = data.list_files(list_id).journal
    try:
        raw = limits.read_file(journal, limits.JOURNAL)
    except OSError:
        return ""
    return hashlib.sha256(remote_state.encode() + b"\0" + raw).hexdigest()


def _still_in_step(data: DataDir, list_id: str) -> ListReport:
    """A list in step with a remote that did not change: nothing read, nothing said but
    the clashes its snapshot counts."""
    from dailylist.opened import current_snapshot, describe

    report = ListReport(list_id, describe(data.list_files(list_id)), journal_here=True)
    with contextlib.suppress(DailylistError):
        snapshot, _ = current_snapshot(data, list_id)
        report.set_aside = snapshot.set_aside
    return report


def _check_ours(key: Key, remote: Remote, files: dict[str, int], config: SyncConfig) -> None:
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


def _keep_key_file(
    remote: Remote, files: dict[str, int], data: DataDir, config: SyncConfig
) -> None:
    """Put the passphrase-locked identity back in `keys/` should the remote have lost it."""
    path = f"keys/{config.key_token}.age"
    if path not in files:
        with contextlib.suppress(OSError):
            remote.write(path, limits.read_file(SyncPaths.of(data).wrapped, limits.SMALL))


def _list_files(files: dict[str, int], folder: str, kind: str) -> dict[str, str]:
    """The remote's files of one kind ("events", "photos") in a list's folder, by name."""
    found: dict[str, str] = {}
    for path in files:
        parts = path.split("/")
        if (
            len(parts) == 5
            and parts[1] == folder
            and parts[3] == kind
            and parts[4].endswith(".age")
        ):
            found.setdefault(parts[4][:-4], path)
    return found


def _joinable(key: Key, remote: Remote, files: dict[str, int]) -> list[str]:
    """The ids of the lists in the remote (read from their list.age files)."""
    ids: dict[str, None] = {}
    seen: set[str] = set()
    for path in sorted(files):
        parts = path.split("/")
        if len(parts) != 4 or parts[0] != "lists" or parts[3] != "list.age" or parts[1] in seen:
            continue
        try:
            document = parse_json(key.open(remote.read(path)))
            list_id = str(document["list_id"])
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if key.name("list", list_id) == parts[1]:
            seen.add(parts[1])
            ids[list_id] = None
    return list(ids)


def _exchange_list(
    data: DataDir,
    key: Key,
    remote: Remote,
    files: dict[str, int],
    list_id: str,
    device: str,
    state: ListSync,
    now: datetime,
) -> ListReport:
    """One list in step with the remote: take what is new there (events, then the photos
    they name), then send what the remote lacks."""
    from dailylist.opened import describe, journal_of

    list_files = data.list_files(list_id)
    folder, mine = key.name("list", list_id), key.name("device", device)
    own = f"lists/{folder}/{mine}"
    events, photos = _list_files(files, folder, "events"), _list_files(files, folder, "photos")
    report = ListReport(list_id, list_id[:8])
    _learn_devices(key, remote, files, folder, state)
    if not list_files.root.exists():
        if not join_list(data, key, remote, files, list_id, events, report):
            return report
        report.joined = True
    report.journal_here = True
    report.name = describe(list_files)
    with list_files.locked():
        journal = journal_of(data, list_id)
        known = {key.name("event", e.id) for e in journal.events}
        taken = incoming(key, remote, events, known, report)
        merged, added, report.waiting, apart = merge(list_id, journal, taken)
        if apart:
            report.problem = (
                "this device opened the list on its own, and its journal began apart from "
                "the remote's: the two are kept apart and nothing was sent. Close it here "
                f"(`dailylist close {report.name}`) and sync again to take the remote's"
            )
            return report
        if added:
            list_files.write_journal(journal.raw, merged.raw)
            journal = merged
        report.events_in += added
        report.photos_in, missing = _photos_in(key, remote, photos, list_files, journal.events)
        report.waiting += missing
        if added or report.photos_in or report.joined:
            _keep_snapshot(data, list_id, now)
        for event, document in zip(journal.events, journal.documents, strict=True):
            name = key.name("event", event.id)
            if name not in events:
                remote.write(f"{own}/events/{name}.age", key.seal(canonical_json(document)))
                report.events_out += 1
                if event.device == device and state.synced_at and event.at <= state.synced_at:
                    report.restored += 1
        report.photos_out = _photos_out(key, remote, photos, list_files, journal.events, own)
        _describe_here(key, remote, files, list_files, own, device)
    report.clashes = _clashes(data, list_id, state)
    return report


def _photos_in(
    key: Key, remote: Remote, photos: dict[str, str], files: Any, events: Any
) -> tuple[int, int]:
    """Take the photos the journal names that are not here; (taken, not in the remote yet)."""
    import hashlib

    taken = missing = 0
    for record in _records(events):
        target = files.photo(record.stored_name)
        if target.is_file():
            continue
        path = photos.get(key.name("photo", record.stored_name))
        if path is None:
            missing += 1
            continue
        try:
            raw = key.open(remote.read(path))
        except (OSError, ValueError):
            missing += 1
            continue
        if hashlib.sha256(raw).hexdigest() != record.sha256:
            missing += 1
            continue
        write_atomic(target, raw)
        taken += 1
    return taken, missing


def _photos_out(
    key: Key, remote: Remote, photos: dict[str, str], files: Any, events: Any, own: str
) -> int:
    sent = 0
    for record in _records(events):
        name = key.name("photo", record.stored_name)
        source = files.photo(record.stored_name)
        if name in photos or not source.is_file():
            continue
        try:
            raw = limits.read_file(source, remote_max_photo())
        except OSError:
            continue
        remote.write(f"{own}/photos/{name}.age", key.seal(raw))
        photos[name] = f"{own}/photos/{name}.age"
        sent += 1
    return sent


def remote_max_photo() -> int:
    from dailylist.photos import MAX_PHOTO_BYTES

    return MAX_PHOTO_BYTES


def _records(events: Any) -> Iterator[Any]:
    """Every photo the events name, once."""
    seen: set[str] = set()
    for event in events:
        for record in getattr(event, "photos", None) or ():
            if record.stored_name not in seen:
                seen.add(record.stored_name)
                yield record


def _describe_here(
    key: Key, remote: Remote, files: dict[str, int], list_files: Any, own: str, device: str
) -> None:
    """This device's list.age (so others can join) and device.age, when missing."""
    if f"{own}/list.age" not in files:
        sealed = list_files.read(list_files.sealed, what="the sealed copy", cap=limits.SEALED_LIST)
        content_key = None
        if list_files.content_key.is_file():
            own_key = list_files.read(list_files.content_key, what="its key", cap=limits.SMALL)
            content_key = base64.b64encode(own_key).decode("ascii")
        document = {
            "list_id": list_files.root.name,
            "sealed": base64.b64encode(sealed).decode("ascii"),
            "content_key": content_key,
        }
        remote.write(f"{own}/list.age", key.seal(canonical_json(document)))
    if f"{own}/device.age" not in files:
        document = {"device": device, "name": socket.gethostname()}
        remote.write(f"{own}/device.age", key.seal(canonical_json(document)))


def _learn_devices(
    key: Key, remote: Remote, files: dict[str, int], folder: str, state: ListSync
) -> None:
    for path in files:
        parts = path.split("/")
        if len(parts) == 4 and parts[1] == folder and parts[3] == "device.age":
            try:
                document = parse_json(key.open(remote.read(path)))
                state.devices[str(document["device"])] = str(document["name"])[:64]
            except (OSError, ValueError, KeyError, TypeError):
                continue


def _keep_snapshot(data: DataDir, list_id: str, now: datetime) -> None:
    from dailylist.opened import keep_snapshot, load

    with contextlib.suppress(DailylistError):  # a cache: the next command makes it
        keep_snapshot(data, load(data, list_id).snapshot(), now)


def _clashes(data: DataDir, list_id: str, state: ListSync) -> list[Clash]:
    from dailylist.opened import load

    try:
        replay = load(data, list_id).replay
    except DailylistError:
        return []
    kept = {entry.index: entry for entry in replay.entries}
    found = []
    for aside in replay.set_aside:
        entry = kept.get(aside.index)
        found.append(
            Clash(
                number=aside.number,
                device=device_name(state, aside.completion.device),
                at=aside.completion.at,
                kept_device=device_name(state, entry.completion.device) if entry else "",
                kept_at=entry.at if entry else None,
            )
        )
    return found

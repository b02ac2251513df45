"""Several devices, one journal: `dailylist sync setup`, `join` and `sync`.

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
import secrets
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from dailylist import limits
from dailylist.canonical import canonical_json, parse_json
from dailylist.errors import BadInput, DailylistError, DamagedData, NotNow
from dailylist.store import DataDir, ensure_private_dir, hold_lock, write_atomic
from dailylist.sync.config import (
    ListSync,
    SyncConfig,
    SyncPaths,
    device_name,
    read_config,
    save_config,
)
from dailylist.sync.crypto import Key, unwrap
from dailylist.sync.remote import FolderRemote, GitRemote, Remote

#: How often a sync tries again when another device pushed between its fetch and its push.
PUSH_TRIES = 5


def _key(data: DataDir) -> Key:
    paths = SyncPaths.of(data)
    try:
        return Key.parse(limits.read_file(paths.identity, limits.SMALL).decode("ascii"))
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise DamagedData(
            f"this device's sync key ({paths.identity}) is missing or damaged; run "
            "`dailylist sync join` again with the sync passphrase"
        ) from exc


def remote_of(data: DataDir, kind: str, where: str) -> Remote:
    """The remote `where` names: a git remote (a URL, or a bare repository's path), or with
    `kind` "folder" a plain folder."""
    if kind == "folder":
        return FolderRemote(Path(where).expanduser())
    return GitRemote(where, SyncPaths.of(data).clone)


def remote_address(where: str, folder: bool) -> str:
    """How the remote is kept: a folder or a repository path as an absolute path (so that
    it means the same from any working directory), a URL as it is."""
    path = Path(where).expanduser()
    if folder or path.exists() or where.startswith((".", "/", "~")):
        return str(path.resolve())
    return where


# --- what a sync did ---------------------------------------------------------------------------


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


# --- the commands ----------------------------------------------------------------------------


@contextlib.contextmanager
def _one_sync(data: DataDir) -> Iterator[None]:
    """One sync at a time on this device. A first setup or join that fails leaves no trace
    (no sync folder: the device does not sync, as before)."""
    import shutil

    paths = SyncPaths.of(data)
    new = not paths.root.exists()
    ensure_private_dir(paths.root)
    try:
        with hold_lock(paths.lock, lambda: NotNow("a sync is running already; try again soon")):
            yield
    except BaseException:
        if new and not paths.config.exists():
            shutil.rmtree(paths.root, ignore_errors=True)
        raise


def setup(
    data: DataDir,
    where: str,
    list_id: str,
    now: datetime,
    *,
    folder: bool,
    passphrase: Callable[[bool], str],
) -> SyncReport:
    """Start syncing list `list_id` through the remote `where` (on the first device).

    A remote this device syncs with already takes the list too. A new remote gets a new
    identity, locked with the passphrase (`passphrase(True)` asks for it twice); a remote
    that has one is unlocked with it (a wrong one changes nothing).
    """
    address = remote_address(where, folder)
    kind = "folder" if folder else "git"
    with _one_sync(data):
        config = read_config(data)
        if config is not None and (config.kind, config.remote) != (kind, address):
            raise BadInput(f"this device syncs with {config.remote} already; one remote a device")
        remote = remote_of(data, kind, address)
        if isinstance(remote, GitRemote):
            remote.check_reachable()
        remote.fetch()
        if config is None:
            key, token, wrapped = _unlock_or_create(remote, passphrase)
            config = SyncConfig(kind, address, token)
            _keep_key(data, key, wrapped)
        key = _key(data)
        config.lists.setdefault(list_id, ListSync())
        report = _exchange(data, config, key, remote, [list_id], now, join_new=False)
        save_config(data, config)
        return report


def join(
    data: DataDir, where: str, now: datetime, *, folder: bool, passphrase: Callable[[bool], str]
) -> SyncReport:
    """Take part in the remote `where` (on another device): unlock its identity with the
    passphrase and bring every list in it, journals and photos."""
    address = remote_address(where, folder)
    kind = "folder" if folder else "git"
    with _one_sync(data):
        config = read_config(data)
        if config is not None and (config.kind, config.remote) != (kind, address):
            raise BadInput(f"this device syncs with {config.remote} already; one remote a device")
        remote = remote_of(data, kind, address)
        if isinstance(remote, GitRemote):
            remote.check_reachable()
        remote.fetch()
        if config is None:
            keys = _key_files(remote)
            if not keys:
                raise BadInput(
                    f"{remote.shown} holds no dailylist sync yet; start it on the first "
                    "device with `dailylist sync setup`"
                )
            wrapped = remote.read(keys[0])
            key = unwrap(wrapped, passphrase(False))
            config = SyncConfig(kind, address, Path(keys[0]).stem)
            _keep_key(data, key, wrapped)
        report = _exchange(
            data, config, _key(data), remote, list(config.lists), now, join_new=True
        )
        if not report.lists:
            raise BadInput(f"{remote.shown} holds no list yet; nothing was joined")
        save_config(data, config)
        return report


def sync(data: DataDir, list_id: str | None, now: datetime) -> SyncReport:
    """Exchange with the remote now, both ways: the lists that sync (or `list_id`), and any
    list another device added to the remote."""
    with _one_sync(data):
        config = read_config(data)
        if config is None:
            raise BadInput(
                "this device does not sync yet: `dailylist sync setup REMOTE` on the first "
                "device, `dailylist sync join REMOTE` on the others"
            )
        if list_id is not None and list_id not in config.lists:
            raise BadInput("that list does not sync; start with `dailylist sync setup`")
        remote = remote_of(data, config.kind, config.remote)
        remote.fetch()
        wanted = [list_id] if list_id is not None else list(config.lists)
        key = _key(data)
        before = config.document()
        report = _exchange(data, config, key, remote, wanted, now, join_new=list_id is None)
        if config.document() != before:
            save_config(data, config)
        return report


def _key_files(remote: Remote) -> list[str]:
    return sorted(p for p in remote.files() if p.startswith("keys/") and p.endswith(".age"))


def _unlock_or_create(remote: Remote, passphrase: Callable[[bool], str]) -> tuple[Key, str, bytes]:
    """The remote's identity: unlocked, or (for a remote with none) made and locked."""
    keys = _key_files(remote)
    if keys:
        wrapped = remote.read(keys[0])
        return unwrap(wrapped, passphrase(False)), Path(keys[0]).stem, wrapped
    key = Key.generate()
    return key, secrets.token_hex(16), key.wrapped(passphrase(True))


def _keep_key(data: DataDir, key: Key, wrapped: bytes) -> None:
    paths = SyncPaths.of(data)
    write_atomic(paths.identity, key.secret.encode("ascii") + b"\n")
    write_atomic(paths.wrapped, wrapped)


# --- the exchange ------------------------------------------------------------------------------


def _exchange(
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
            if join_new:
                config.looked = after
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


def _sealed_in_remote(
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
        if not _join(data, key, remote, files, list_id, events, report):
            return report
        report.joined = True
    report.journal_here = True
    report.name = describe(list_files)
    with list_files.locked():
        journal = journal_of(data, list_id)
        known = {key.name("event", e.id) for e in journal.events}
        incoming = _incoming(key, remote, events, known, report)
        merged, added, report.waiting, apart = _merge(list_id, journal, incoming)
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


def _incoming(
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


def _join(
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

    sealed = _sealed_in_remote(key, remote, files, list_id)
    if sealed is None:
        return False
    merged, added, report.waiting, _ = _merge(
        list_id, None, _incoming(key, remote, events, set(), report)
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


def _merge(
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

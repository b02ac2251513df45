"""`dailylist sync setup`, `join` and `sync`: the remote a device syncs with, its key, and
one sync at a time; the exchange itself is in `exchange`.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Literal

from dailylist import limits
from dailylist.errors import BadInput, DamagedData, NotNow
from dailylist.store import DataDir, ensure_private_dir, hold_lock, write_atomic
from dailylist.sync.config import ListSync, SyncConfig, SyncPaths, read_config, save_config
from dailylist.sync.crypto import Key, unwrap
from dailylist.sync.exchange import SyncReport, exchange
from dailylist.sync.remote import FolderRemote, GitRemote, Remote


def remote_of(data: DataDir, kind: str, where: str) -> Remote:
    """The remote `where` names: a git remote (a URL, or a bare repository's path), or with
    `kind` "folder" a plain folder."""
    if kind == "folder":
        return FolderRemote(Path(where).expanduser())
    return GitRemote(where, SyncPaths.of(data).clone)


def _kind(folder: bool) -> Literal["git", "folder"]:
    return "folder" if folder else "git"


def remote_address(where: str, folder: bool) -> str:
    """How the remote is kept: a folder or a repository path as an absolute path (so that
    it means the same from any working directory), a URL as it is."""
    path = Path(where).expanduser()
    if folder or path.exists() or where.startswith((".", "/", "~")):
        return str(path.resolve())
    return where


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
    device_name: str | None = None,
) -> SyncReport:
    """Start syncing list `list_id` through the remote `where` (on the first device).

    A remote this device syncs with already takes the list too. A new remote gets a new
    identity, locked with the passphrase (`passphrase(True)` asks for it twice); a remote
    that has one is unlocked with it (a wrong one changes nothing). `device_name` is what
    the other devices call this one (its host name if None).
    """
    kind, address = _kind(folder), remote_address(where, folder)
    with _one_sync(data):
        config, remote = _reach(data, kind, address)
        if config is None:
            key, token, wrapped = _unlock_or_create(remote, passphrase)
            config = SyncConfig(kind, address, token)
            _keep_key(data, key, wrapped)
        else:
            _unlock_again(data, config, remote, passphrase)
        if device_name is not None:
            config.device_name = check_device_name(device_name)
        key = _key(data)
        config.lists.setdefault(list_id, ListSync())
        report = exchange(data, config, key, remote, [list_id], now, join_new=False)
        save_config(data, config)
        return report


def join(
    data: DataDir,
    where: str,
    now: datetime,
    *,
    folder: bool,
    passphrase: Callable[[bool], str],
    device_name: str | None = None,
) -> SyncReport:
    """Take part in the remote `where` (on another device): unlock its identity with the
    passphrase and bring every list in it, journals and photos."""
    kind, address = _kind(folder), remote_address(where, folder)
    with _one_sync(data):
        config, remote = _reach(data, kind, address)
        if config is None:
            if not _key_files(remote):
                raise BadInput(
                    f"{remote.shown} holds no dailylist sync yet; start it on the first "
                    "device with `dailylist sync setup`"
                )
            key, token, wrapped = _unlock(remote, passphrase(False))
            config = SyncConfig(kind, address, token)
            _keep_key(data, key, wrapped)
        else:
            _unlock_again(data, config, remote, passphrase)
        if device_name is not None:
            config.device_name = check_device_name(device_name)
        report = exchange(data, config, _key(data), remote, list(config.lists), now, join_new=True)
        if not report.lists:
            raise BadInput(f"{remote.shown} holds no list yet; nothing was joined")
        save_config(data, config)
        return report


def sync(data: DataDir, list_id: str | None, now: datetime) -> SyncReport:
    """Exchange with the remote now, both ways: the lists that sync (or `list_id`), and any
    list another device added to the remote."""
    with _one_sync(data):
        config = read_config(data)
        if config is None and SyncPaths.of(data).config.exists():
            raise DamagedData(
                f"{SyncPaths.of(data).config} is damaged; `dailylist sync join REMOTE` with "
                "the sync passphrase joins the remote again (nothing of the lists is lost)"
            )
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
        report = exchange(data, config, key, remote, wanted, now, join_new=list_id is None)
        if config.document() != before:
            save_config(data, config)
        return report


def _reach(
    data: DataDir, kind: Literal["git", "folder"], address: str
) -> tuple[SyncConfig | None, Remote]:
    """For setup and join: this device's sync config (None before its first), refused when
    it syncs with another remote, and the remote fetched."""
    config = read_config(data)
    if config is not None and (config.kind, config.remote) != (kind, address):
        raise BadInput(f"this device syncs with {config.remote} already; one remote a device")
    remote = remote_of(data, kind, address)
    if isinstance(remote, GitRemote):
        remote.check_reachable()
    remote.fetch()
    return config, remote


def _unlock_again(
    data: DataDir, config: SyncConfig, remote: Remote, passphrase: Callable[[bool], str]
) -> None:
    """When this device's key was lost or damaged: unlock it again with the passphrase."""
    if key_readable(data):
        return
    if not _key_files(remote):
        raise BadInput(f"{remote.shown} holds no sync key to unlock; nothing was changed")
    key, _, wrapped = _unlock(remote, passphrase(False), f"keys/{config.key_token}.age")
    _keep_key(data, key, wrapped)


#: The most files in `keys/` a join tries (each costs age's scrypt, about a second).
MAX_KEY_FILES = 8


def _key_files(remote: Remote) -> list[str]:
    """The files in `keys/` that may hold the remote's identity (small, and age's)."""
    return sorted(
        path
        for path, found in remote.files().items()
        if path.startswith("keys/")
        and path.endswith(".age")
        and path.count("/") == 1
        and found.size <= limits.SMALL
    )


def _unlock(remote: Remote, phrase: str, first: str | None = None) -> tuple[Key, str, bytes]:
    """The remote's identity, from the first file in `keys/` that the passphrase opens
    (`first` tried first): a file someone else put there cannot hide it. `BadInput` when
    none opens."""
    paths = _key_files(remote)
    if first in paths:
        paths.remove(first)
        paths.insert(0, first)
    for path in paths[:MAX_KEY_FILES]:
        try:
            wrapped = remote.read(path)
            return unwrap(wrapped, phrase), Path(path).stem, wrapped
        except (OSError, BadInput):
            continue
    raise BadInput(
        "the sync passphrase is not this remote's (or the remote is not a dailylist "
        "remote of yours); nothing was changed"
    )


def _unlock_or_create(remote: Remote, passphrase: Callable[[bool], str]) -> tuple[Key, str, bytes]:
    """The remote's identity: unlocked, or (for a remote with none) made and locked."""
    if _key_files(remote):
        return _unlock(remote, passphrase(False))
    key = Key.generate()
    return key, secrets.token_hex(16), key.wrapped(passphrase(True))


def check_device_name(name: str) -> str:
    """A device's name as others see it: one line of at most 64 characters."""
    name = name.strip()
    if not name or len(name) > 64 or not name.isprintable():
        raise BadInput("a device name is one line of 1 to 64 printable characters")
    return name


def _keep_key(data: DataDir, key: Key, wrapped: bytes) -> None:
    paths = SyncPaths.of(data)
    write_atomic(paths.identity, key.secret.encode("ascii") + b"\n")
    write_atomic(paths.wrapped, wrapped)


def key_readable(data: DataDir) -> bool:
    """Whether this device's sync key is there and whole."""
    try:
        _key(data)
    except DamagedData:
        return False
    return True


def _key(data: DataDir) -> Key:
    paths = SyncPaths.of(data)
    try:
        return Key.parse(limits.read_file(paths.identity, limits.SMALL).decode("ascii"))
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise DamagedData(
            f"this device's sync key ({paths.identity}) is missing or damaged; "
            "`dailylist sync join REMOTE` with the sync passphrase unlocks it again"
        ) from exc

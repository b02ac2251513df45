"""What a device keeps of its sync, in its data dir: `sync/config.json` (the remote and the
lists that sync, when each last exchanged, the other devices' names and keys), what it
decided of each file in the remote (`sync/seen.json`), the remote's identity, the git
clone. Standard library only: `status` and `doctor` read it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from dailylist import limits
from dailylist.codec import decode, encode
from dailylist.store import DataDir, write_atomic

#: 2: devices sign their events; names and keys are kept for the whole remote.
CONFIG_FORMAT = 2
SEEN_FORMAT = 1


@dataclass
class ListSync:
    """What this device knows of one list's sync."""

    #: When something last came in or went out (None: never yet).
    synced_at: datetime | None = None
    #: When a sync last reached the remote with this list, whatever it moved.
    reached_at: datetime | None = None
    #: The remote's state and this journal's digest when the list was last in step: while
    #: both are the same, a sync has nothing to do for it (and reads nothing more).
    in_step: str | None = None


@dataclass
class Devices:
    """The devices of the remote this device has heard of: their names (from their signed
    `device.age`) and, for a device of an older dailylist (whose id is not made from its
    key, see `dailylist.device`), the key it was first seen to sign with."""

    names: dict[str, str] = field(default_factory=dict)
    keys: dict[str, bytes] = field(default_factory=dict)
    changed: bool = field(default=False, metadata={"transient": True})

    def key_of(self, device: str, public_key: bytes) -> bool:
        """Whether `public_key` may sign for `device`: never for an id made from another
        key; for an older device's id, the key it was first seen with (or, first, any)."""
        from dailylist.device import derived

        if derived(device):
            return False
        known = self.keys.get(device)
        return known is None or known == public_key

    def pin(self, device: str, public_key: bytes) -> None:
        """Keep the key an older device was first seen to sign with."""
        from dailylist.device import derived

        if not derived(device) and device not in self.keys:
            self.keys[device] = public_key
            self.changed = True

    def own(self, device: str, public_key: bytes) -> None:
        """This device's own key: none other ever signs for it, whatever was seen."""
        from dailylist.device import derived

        if not derived(device) and self.keys.get(device) != public_key:
            self.keys[device] = public_key
            self.changed = True

    def learn(self, device: str, name: str) -> None:
        name = name[:64]
        if self.names.get(device) != name:
            self.names[device] = name
            self.changed = True

    def name(self, device: str, me: str | None = None) -> str:
        """How people know a device: "this device", its name when a sync has told it, else
        the start of its id."""
        if device == me:
            return "this device"
        return self.names.get(device) or f"device {device[:8]}"


@dataclass
class SyncConfig:
    """The data dir's `sync/config.json`: the remote, and the lists that sync with it."""

    kind: Literal["git", "folder"]
    remote: str
    #: The name of the passphrase-wrapped identity's file in `keys/`.
    key_token: str
    lists: dict[str, ListSync] = field(default_factory=dict)
    #: The remote's state when this device last looked for lists new to it there.
    looked: str | None = None
    devices: Devices = field(default_factory=Devices)
    #: What this device calls itself in the remote (None: its host name).
    device_name: str | None = None
    format: int = CONFIG_FORMAT

    def document(self) -> dict[str, Any]:
        return encode(self, nulls=True)

    @classmethod
    def from_document(cls, document: dict[str, Any]) -> SyncConfig:
        """The config a document describes (format 1, of the sync before devices signed
        their events, is read too: it forgets when lists were in step, so that every list
        is exchanged again in the new form); `ValueError` if it is none."""
        if document.get("format") == 1:
            document = _from_first_format(document)
        if document.get("format") != CONFIG_FORMAT:
            raise ValueError("not a sync configuration")
        return decode(cls, document)


def _from_first_format(document: dict[str, Any]) -> dict[str, Any]:
    """A config of format 1 as format 2 says it: the names it kept per list, kept once; no
    list in step, nothing looked at."""
    names: dict[str, str] = {}
    lists = {}
    for list_id, state in dict(document.get("lists") or {}).items():
        for device, name in dict(state.get("devices") or {}).items():
            names.setdefault(str(device), str(name)[:64])
        lists[str(list_id)] = {"synced_at": state.get("synced_at")}
    kept = {key: document.get(key) for key in ("kind", "remote", "key_token")}
    return {
        **kept,
        "format": CONFIG_FORMAT,
        "lists": lists,
        "devices": {"names": names, "keys": {}},
    }


@dataclass(frozen=True)
class SyncPaths:
    """Where a device keeps its side of the sync, in its data dir (all private)."""

    root: Path

    @classmethod
    def of(cls, data: DataDir) -> SyncPaths:
        return cls(data.root / "sync")

    @property
    def config(self) -> Path:
        return self.root / "config.json"

    @property
    def seen(self) -> Path:
        return self.root / "seen.json"

    @property
    def identity(self) -> Path:
        return self.root / "identity.txt"

    @property
    def wrapped(self) -> Path:
        return self.root / "identity.age"

    @property
    def clone(self) -> Path:
        return self.root / "repository"

    @property
    def lock(self) -> Path:
        return self.root / "sync.lock"


def syncs(data: DataDir) -> bool:
    """Whether this device syncs (has a sync config, readable or not)."""
    return SyncPaths.of(data).config.is_file()


def read_config(data: DataDir) -> SyncConfig | None:
    """This device's sync settings, None when it does not sync (or they are unreadable:
    `doctor` says so)."""
    paths = SyncPaths.of(data)
    if not paths.config.is_file():
        return None
    try:
        return SyncConfig.from_document(json.loads(limits.read_file(paths.config, limits.SMALL)))
    except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        return None


def save_config(data: DataDir, config: SyncConfig) -> None:
    text = json.dumps(config.document(), indent=2, ensure_ascii=False) + "\n"
    write_atomic(SyncPaths.of(data).config, text.encode("utf-8"))
    config.devices.changed = False


def read_seen(data: DataDir, remote: str) -> dict[str, tuple[str, dict[str, Any]]]:
    """What this device decided of each file of `remote` (nothing, when that file is
    missing, damaged, or of another remote: every file is then read again once)."""
    try:
        document = json.loads(limits.read_file(SyncPaths.of(data).seen, limits.JOURNAL))
        if document.get("format") != SEEN_FORMAT or document.get("remote") != remote:
            return {}
        return {
            str(path): (str(version), dict(verdict))
            for path, (version, verdict) in dict(document["files"]).items()
        }
    except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        return {}


def save_seen(data: DataDir, remote: str, files: dict[str, tuple[str, dict[str, Any]]]) -> None:
    document = {"format": SEEN_FORMAT, "remote": remote, "files": files}
    text = json.dumps(document, separators=(",", ":"), ensure_ascii=False) + "\n"
    write_atomic(SyncPaths.of(data).seen, text.encode("utf-8"))


def reached_at(
    data: DataDir, config: SyncConfig, state: ListSync, now: datetime
) -> datetime | None:
    """When a sync of this device last reached the remote with the list, whatever it moved.

    A sync with nothing new writes no file of its own, so that time is kept where it
    costs nothing: for git, in the time of the clone's `.git/FETCH_HEAD`, which every fetch
    writes (and which `remote.GitRemote.fetch` puts back when a fetch fails, so that it
    says when one last reached the remote); for a folder, in the config, whenever a sync
    writes it for another reason. A time ahead of `now` (a clock set wrong) is not taken.
    """
    found = state.reached_at
    if config.kind == "git":
        fetched = fetched_at(SyncPaths.of(data).clone)
        if fetched is not None and fetched <= now and (found is None or fetched > found):
            found = fetched
    return found


def fetched_at(clone: Path) -> datetime | None:
    """When git last fetched into `clone` (see `reached_at`)."""
    from datetime import UTC

    try:
        return datetime.fromtimestamp((clone / ".git" / "FETCH_HEAD").stat().st_mtime, UTC)
    except (OSError, ValueError, OverflowError):
        return None


def sync_state(
    data: DataDir, now: datetime
) -> Callable[[str], tuple[bool, datetime | None, datetime | None]]:
    """For `status`: whether each list syncs, when this device last exchanged it, and when
    a sync last reached the remote (the config read once)."""
    config = read_config(data) if syncs(data) else None

    def state(list_id: str) -> tuple[bool, datetime | None, datetime | None]:
        found = None if config is None else config.lists.get(list_id)
        if config is None or found is None:
            return False, None, None
        return True, found.synced_at, reached_at(data, config, found, now)

    return state

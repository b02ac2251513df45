"""What a device keeps of its sync, in its data dir: `sync/config.json` (the remote and the
lists that sync, when each last exchanged, the devices' names), the remote's identity, the
git clone. Standard library only: `status` and `doctor` read it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from dailylist import limits
from dailylist.store import DataDir, write_atomic

CONFIG_FORMAT = 1


@dataclass
class ListSync:
    """What this device knows of one list's sync."""

    #: When something last came in or went out (None: never yet).
    synced_at: datetime | None = None
    #: The names of the devices that wrote to it, by device id (from their device.age).
    devices: dict[str, str] = field(default_factory=dict)
    #: The remote's state and this journal's digest when the list was last in step: while
    #: both are the same, a sync has nothing to do for it (and reads nothing more).
    in_step: str | None = None


@dataclass
class SyncConfig:
    """The data dir's `sync/config.json`: the remote, and the lists that sync with it."""

    kind: str  # "git" or "folder"
    remote: str
    #: The name of the passphrase-wrapped identity's file in `keys/`.
    key_token: str
    lists: dict[str, ListSync] = field(default_factory=dict)
    #: The remote's state when this device last looked for lists new to it there.
    looked: str | None = None

    def document(self) -> dict[str, Any]:
        return {
            "format": CONFIG_FORMAT,
            "kind": self.kind,
            "remote": self.remote,
            "key_token": self.key_token,
            "looked": self.looked,
            "lists": {
                list_id: {
                    "synced_at": None if state.synced_at is None else state.synced_at.isoformat(),
                    "devices": state.devices,
                    "in_step": state.in_step,
                }
                for list_id, state in self.lists.items()
            },
        }

    @classmethod
    def from_document(cls, document: dict[str, Any]) -> SyncConfig:
        lists = {}
        for list_id, state in dict(document.get("lists") or {}).items():
            when = state.get("synced_at")
            lists[str(list_id)] = ListSync(
                synced_at=None if when is None else datetime.fromisoformat(when),
                devices={str(k): str(v) for k, v in dict(state.get("devices") or {}).items()},
                in_step=None if state.get("in_step") is None else str(state["in_step"]),
            )
        kind = str(document["kind"])
        if kind not in ("git", "folder") or document.get("format") != CONFIG_FORMAT:
            raise ValueError("not a sync configuration")
        looked = document.get("looked")
        return cls(
            kind,
            str(document["remote"]),
            str(document["key_token"]),
            lists,
            None if looked is None else str(looked),
        )


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


def read_config(data: DataDir) -> SyncConfig | None:
    """This device's sync settings, None when it does not sync (or they are unreadable:
    `doctor` says so)."""
    paths = SyncPaths.of(data)
    if not paths.config.is_file():
        return None
    try:
        return SyncConfig.from_document(json.loads(limits.read_file(paths.config, limits.SMALL)))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _save(data: DataDir, config: SyncConfig) -> None:
    text = json.dumps(config.document(), indent=2, ensure_ascii=False) + "\n"
    write_atomic(SyncPaths.of(data).config, text.encode("utf-8"))


def save_config(data: DataDir, config: SyncConfig) -> None:
    text = json.dumps(config.document(), indent=2, ensure_ascii=False) + "\n"
    write_atomic(SyncPaths.of(data).config, text.encode("utf-8"))


def device_name(state: ListSync, device: str) -> str:
    """How people know a device: its host name when a sync has told it, else its id."""
    return state.devices.get(device) or f"device {device[:8]}"

"""This device: the id its events carry, and the key it signs them with when they go to a
sync remote, so that no other device can ever write in its name.

`device.json` in the data dir holds both: the private key (an Ed25519 seed) and the id. A
device's id is 160 bits of the sha256 of its public key (40 hex digits), so anyone can
check that a key is that device's; it says nothing of the machine (no host name). A device
made by an older dailylist has a random id of 32 hex digits and no key: the key is added
when it first syncs, and its id stays (its events keep naming it), so other devices know
its key by what they first saw it sign (see `sync.reading`).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from dailylist import limits

_ID = re.compile(r"[0-9a-f]{32}|[0-9a-f]{40}")


def id_of(public_key: bytes) -> str:
    """The id of the device whose public key is `public_key`."""
    return hashlib.sha256(b"dailylist device\0" + public_key).hexdigest()[:40]


def derived(device: str) -> bool:
    """Whether `device` is an id made from a key (every device's but an older dailylist's)."""
    return len(device) == 40


@dataclass(frozen=True, repr=False)
class DeviceIdentity:
    """This device's id and signing key (kept private: it never leaves the data dir)."""

    id: str
    seed: bytes

    @property
    def public_key(self) -> bytes:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        return Ed25519PrivateKey.from_private_bytes(self.seed).public_key().public_bytes_raw()

    def sign(self, message: bytes) -> bytes:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        return Ed25519PrivateKey.from_private_bytes(self.seed).sign(message)


def verify(public_key: bytes, signature: bytes, message: bytes) -> bool:
    """Whether `signature` is the signature of `message` by the key `public_key`."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


def _path(root: Path) -> Path:
    return root / "device.json"


def _read(root: Path) -> dict[str, object]:
    try:
        value = json.loads(limits.read_file(_path(root), limits.SMALL))
    except (OSError, ValueError, RecursionError):
        return {}
    return value if isinstance(value, dict) else {}


def _seed(value: object) -> bytes | None:
    from dailylist.codec import unb64

    try:
        seed = unb64(value)
    except ValueError:
        return None
    return seed if len(seed) == 32 else None


def known_id(root: Path) -> str | None:
    """This device's id if it has one yet (nothing is made)."""
    value = _read(root).get("id")
    return value if isinstance(value, str) and _ID.fullmatch(value) else None


def device_id(root: Path) -> str:
    """This device's id (made, with its key, the first time it is asked for)."""
    value = _read(root).get("id")
    if isinstance(value, str) and _ID.fullmatch(value):
        return value
    return identity(root).id


def identity(root: Path) -> DeviceIdentity:
    """This device's id and key: made on first use; a device of an older dailylist, which
    has an id and no key, keeps its id and gets a key."""
    import secrets

    from dailylist.codec import b64
    from dailylist.store import write_atomic

    document = _read(root)
    found, seed = document.get("id"), _seed(document.get("key"))
    if isinstance(found, str) and _ID.fullmatch(found) and seed is not None:
        return DeviceIdentity(found, seed)
    seed = secrets.token_bytes(32)
    made = DeviceIdentity("0" * 32, seed)
    device = found if isinstance(found, str) and _ID.fullmatch(found) else id_of(made.public_key)
    key = b64(seed)
    write_atomic(_path(root), json.dumps({"id": device, "key": key}).encode() + b"\n")
    return DeviceIdentity(device, seed)

"""What the remote holds for a list, read as a stranger's files.

Anyone who can write to the remote may copy, rename, truncate, plant or swap files there.
So every file is checked before anything is taken from it, and bound to where it lies:

- an event file is an *envelope*: the event, the id of its list, and the signature of the
  device that wrote it (see `dailylist.device`). It is taken only from the folder of that
  device in that list's folder, under the name its id gives, when its id is the hash of its
  content and the signature is that device's;
- a photo is taken only when its bytes hash to what the events that name it say;
- a device's name only from its own signed `device.age`.

A file that fails is skipped and reported once: what was decided of a file is kept by its
version (`Seen`), so junk is read once, not on every sync, and a file a copy tool has only
half written is read again once it changes. Where several files bear one name (junk put
under a real name, a copy in another folder), each is tried: junk never hides the real one.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from dailylist.canonical import canonical_json, parse_json
from dailylist.codec import b64, decode, encode, moment
from dailylist.days import CLOCK_TOLERANCE, utc

if TYPE_CHECKING:
    from dailylist.device import DeviceIdentity
    from dailylist.events import Event
    from dailylist.sync.config import Devices
    from dailylist.sync.crypto import Key
    from dailylist.sync.remote import Remote, RemoteFile

#: The format of an event's envelope in the remote (1: a bare event, by dailylist 0.1's sync).
ENVELOPE_FORMAT = 2
_NAME = re.compile(r"[0-9a-f]{32}")

# Why a file was skipped, as `sync` says it.
OLDER = "written by an older dailylist (each device sends its own again once it is updated)"
UNREADABLE = "did not open (still being copied, or damaged)"
ELSEWHERE = "of another list, or in another device's folder"
FORGED = "not signed by the device it names"
MISNAMED = "not what its name says"
STRAY = "not a file dailylist writes"
FOREIGN_PHOTO = "a photo whose bytes are not the ones its events name"


class Stray(Exception):
    """A file that does not belong where it lies; the message says why (one of the above)."""


@dataclass(frozen=True)
class Arrival:
    """An event read from the remote and checked: bound to its list, its device's folder,
    its name, and its device's signature."""

    event: Event
    document: Mapping[str, Any]
    path: str


@dataclass
class Reading:
    """What reading a list's files in the remote found, besides the events."""

    arrivals: list[Arrival] = field(default_factory=list)
    #: Files newly found not to belong (each reported once), by why.
    skipped: Counter[str] = field(default_factory=Counter)
    #: Events dated ahead of this device's clock, held until then: by device, the latest.
    held: dict[str, datetime] = field(default_factory=dict)


@dataclass(frozen=True)
class ListFolder:
    """A list's folder in the remote, its files sorted by kind. Each name may stand in
    several device folders (a copy, or junk under a real name): every path is kept."""

    name: str
    events: dict[str, list[str]]
    photos: dict[str, list[str]]
    sealed: list[str]
    devices: dict[str, str]
    strays: list[str]

    @classmethod
    def of(cls, files: Mapping[str, RemoteFile], name: str) -> ListFolder:
        events: dict[str, list[str]] = {}
        photos: dict[str, list[str]] = {}
        sealed: list[str] = []
        devices: dict[str, str] = {}
        strays: list[str] = []
        prefix = f"lists/{name}/"
        for path in sorted(files):
            if not path.startswith(prefix):
                continue
            parts = path.split("/")
            if len(parts) == 4 and _NAME.fullmatch(parts[2]) and parts[3] == "list.age":
                sealed.append(path)
            elif len(parts) == 4 and _NAME.fullmatch(parts[2]) and parts[3] == "device.age":
                devices[parts[2]] = path
            elif (
                len(parts) == 5
                and _NAME.fullmatch(parts[2])
                and parts[3] in ("events", "photos")
                and parts[4].endswith(".age")
                and _NAME.fullmatch(parts[4][:-4])
            ):
                kind = events if parts[3] == "events" else photos
                kind.setdefault(parts[4][:-4], []).append(path)
            else:
                strays.append(path)
        return cls(name, events, photos, sealed, devices, strays)


class Seen:
    """What was decided of each file in the remote, by its version: kept in the data dir
    (see `config`), so that a file is read once, and junk reported once."""

    def __init__(self, files: dict[str, tuple[str, dict[str, Any]]] | None = None) -> None:
        self.files: dict[str, tuple[str, dict[str, Any]]] = dict(files or {})
        self.changed = False

    def get(self, path: str, version: str) -> dict[str, Any] | None:
        found = self.files.get(path)
        return found[1] if found is not None and found[0] == version else None

    def put(self, path: str, version: str, verdict: dict[str, Any]) -> None:
        if self.files.get(path) != (version, verdict):
            self.files[path] = (version, verdict)
            self.changed = True

    def keep_only(self, paths: Mapping[str, object]) -> None:
        """Forget what was decided of files no longer in the remote."""
        gone = [path for path in self.files if path not in paths]
        for path in gone:
            del self.files[path]
        self.changed = self.changed or bool(gone)

    def stray(self, path: str, version: str, why: str, reading: Reading) -> None:
        """Note a file that does not belong; said once (until the file changes)."""
        if self.get(path, version) != {"stray": why}:
            reading.skipped[why] += 1
        self.put(path, version, {"stray": why})


@dataclass(frozen=True, kw_only=True)
class Envelope:
    """An event as it lies in the remote: the event, its list, and its device's signature."""

    format: int
    list: str
    event: Mapping[str, Any]
    public_key: bytes
    signature: bytes

    def message(self) -> bytes:
        """What the signature is of: the list and the event."""
        return b"dailylist event\0" + canonical_json({"list": self.list, "event": self.event})


@dataclass(frozen=True, kw_only=True)
class DeviceCard:
    """A device's `device.age` in a list's folder: its id, name and key, signed by it."""

    format: int
    list: str
    device: str
    name: str
    public_key: bytes
    signature: bytes

    def message(self) -> bytes:
        """What the signature is of: the list, the device, its name and its key."""
        fields = {"list": self.list, "device": self.device, "name": self.name}
        return b"dailylist device\0" + canonical_json(
            {**fields, "public_key": b64(self.public_key)}
        )


@dataclass(frozen=True, kw_only=True)
class SharedList:
    """A device's `list.age`: the sealed list, and its content key for a passphrase list,
    so that a device that joins can open it."""

    list_id: str
    sealed: bytes
    content_key: bytes | None = None


def _envelope(list_id: str, document: Mapping[str, Any], me: DeviceIdentity) -> Envelope:
    draft = Envelope(
        format=ENVELOPE_FORMAT,
        list=list_id,
        event=document,
        public_key=me.public_key,
        signature=bytes(64),
    )
    return replace(draft, signature=me.sign(draft.message()))


def sealed_event(list_id: str, document: Mapping[str, Any], me: DeviceIdentity) -> bytes:
    """The envelope of one of this device's events, as it goes to the remote (before age)."""
    return canonical_json(encode(_envelope(list_id, document, me)))


def sealed_device(list_id: str, name: str, me: DeviceIdentity) -> bytes:
    """This device's `device.age` for a list (before age): its id, name and key, signed."""
    draft = DeviceCard(
        format=ENVELOPE_FORMAT,
        list=list_id,
        device=me.id,
        name=name,
        public_key=me.public_key,
        signature=bytes(64),
    )
    return canonical_json(encode(replace(draft, signature=me.sign(draft.message()))))


def _signed_by(device: str, public_key: bytes, devices: Devices) -> bool:
    """Whether `public_key` is device `device`'s: its id is that key's (see `device`), or
    for a device of an older dailylist (a random id), the key it was first seen with."""
    from dailylist.device import id_of

    if id_of(public_key) == device:
        return True
    return devices.key_of(device, public_key)


def open_event(
    key: Key, raw: bytes, list_id: str, path: str, devices: Devices
) -> tuple[Event, Mapping[str, Any]]:
    """The event in the file at `path` (`lists/L/D/events/E.age`) of list `list_id`, or
    `Stray` saying why it does not belong there."""
    from dailylist.chain import computed_id
    from dailylist.device import verify
    from dailylist.journal import decode_event

    try:
        document = parse_json(key.open(raw))
    except ValueError as exc:
        raise Stray(UNREADABLE) from exc
    if not isinstance(document, dict) or document.get("format") != ENVELOPE_FORMAT:
        raise Stray(OLDER if isinstance(document, dict) and "kind" in document else STRAY)
    try:
        envelope = decode(Envelope, document)
        event = decode_event(envelope.event)
    except ValueError as exc:
        raise Stray(STRAY) from exc
    _, folder, device_folder, _, file_name = path.split("/")
    if envelope.list != list_id or key.name("list", list_id) != folder:
        raise Stray(ELSEWHERE)
    if key.name("device", event.device) != device_folder:
        raise Stray(ELSEWHERE)
    if computed_id(envelope.event) != event.id or key.name("event", event.id) != file_name[:-4]:
        raise Stray(MISNAMED)
    if not verify(envelope.public_key, envelope.signature, envelope.message()):
        raise Stray(FORGED)
    if not _signed_by(event.device, envelope.public_key, devices):
        raise Stray(FORGED)
    devices.pin(event.device, envelope.public_key)
    return event, envelope.event


def open_device(
    key: Key, raw: bytes, list_id: str, folder: str, devices: Devices
) -> tuple[str, str]:
    """The device id and name in a list's `device.age` in device folder `folder`, or
    `Stray`."""
    from dailylist.device import verify

    try:
        document = parse_json(key.open(raw))
    except ValueError as exc:
        raise Stray(UNREADABLE) from exc
    if not isinstance(document, dict) or document.get("format") != ENVELOPE_FORMAT:
        raise Stray(OLDER if isinstance(document, dict) else STRAY)
    try:
        card = decode(DeviceCard, document)
    except ValueError as exc:
        raise Stray(STRAY) from exc
    if card.list != list_id or key.name("device", card.device) != folder:
        raise Stray(ELSEWHERE)
    if not verify(card.public_key, card.signature, card.message()):
        raise Stray(FORGED)
    if not _signed_by(card.device, card.public_key, devices):
        raise Stray(FORGED)
    devices.pin(card.device, card.public_key)
    return card.device, card.name


def open_shared_list(key: Key, raw: bytes) -> SharedList:
    """The list in a `list.age` (not yet checked: see `exchange`), or `ValueError`."""
    return decode(SharedList, parse_json(key.open(raw)))


def shared_list(list_id: str, sealed: bytes, content_key: bytes | None) -> bytes:
    """A `list.age` (before age)."""
    return canonical_json(
        encode(SharedList(list_id=list_id, sealed=sealed, content_key=content_key))
    )


def read_events(
    key: Key,
    remote: Remote,
    files: Mapping[str, RemoteFile],
    folder: ListFolder,
    list_id: str,
    known: set[str],
    now: datetime,
    seen: Seen,
    devices: Devices,
) -> Reading:
    """The remote's events of a list that are not here (`known`: their names), each from
    the first of its files that holds it whole and checked; what does not belong is noted.
    Events dated ahead of this device's clock (beyond the tolerance every clock gets) are
    held until then, so that no other device's clock can stop this one."""
    reading = Reading()
    ahead = utc(now) + CLOCK_TOLERANCE
    for name, paths in sorted(folder.events.items()):
        if name in known:
            continue
        for path in paths:
            version = files[path].version
            verdict = seen.get(path, version)
            if verdict is not None and "stray" in verdict:
                continue
            if verdict is not None and "held" in verdict:
                held = moment(verdict["held"])
                if utc(held) > ahead:
                    _hold(reading, str(verdict["device"]), held)
                    break
            try:
                event, document = open_event(key, remote.read(path), list_id, path, devices)
            except OSError:
                seen.stray(path, version, UNREADABLE, reading)
                continue
            except Stray as why:
                seen.stray(path, version, str(why), reading)
                continue
            if utc(event.at) > ahead:
                seen.put(path, version, {"held": event.at.isoformat(), "device": event.device})
                _hold(reading, event.device, event.at)
                break
            seen.put(path, version, {"event": event.id})
            reading.arrivals.append(Arrival(event, document, path))
            break
    for path in folder.strays:
        seen.stray(path, files[path].version, STRAY, reading)
    return reading


def _hold(reading: Reading, device: str, at: datetime) -> None:
    latest = reading.held.get(device)
    if latest is None or utc(at) > utc(latest):
        reading.held[device] = at

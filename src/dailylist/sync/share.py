"""`dailylist share`: the recipient's side of letting the author follow a list. Where his
copy goes (`setup`), what goes into it (`push`, by `share` and by `sync`), the reflections
she releases, the postcards she takes in, and `stop`.

What goes out is her journal's events, each with every reflection she has not released
left out (committed to by hash, so that the hash chain still holds), the reflections she
released, and in "photos" mode small copies of her photos: every file encrypted to the
author's follow key only and signed by her share key (see `shared`). A postcard is taken
only when the list's author signed it; any other file is refused and said once.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dailylist.errors import BadInput, NotNow
from dailylist.sharing import (
    Postcard,
    Sharing,
    read_postcards,
    read_sharing,
    save_postcards,
    save_sharing,
)
from dailylist.store import ListFiles, hold_lock
from dailylist.sync import shared
from dailylist.sync.remote import FolderRemote, GitRemote, Remote

if TYPE_CHECKING:
    from dailylist.opened import OpenedList
    from dailylist.store import DataDir

#: How many times a push that lost a race with another writer is tried again.
_TRIES = 5


@dataclass
class ShareReport:
    """What one share of a list did."""

    list_id: str
    name: str
    remote: str
    sent: int = 0
    postcards: list[Postcard] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    #: Why nothing went out (stopped, not agreed), if so.
    idle: str | None = None


def _clone(data: DataDir, list_id: str) -> Path:
    return data.root / "share" / list_id / "clone"


def _remote(data: DataDir, list_id: str, sharing: Sharing) -> Remote:
    assert sharing.remote is not None
    if sharing.remote_kind == "folder":
        return FolderRemote(Path(sharing.remote))
    return GitRemote(sharing.remote, _clone(data, list_id))


def _sharing(files: ListFiles, name: str) -> Sharing:
    found = read_sharing(files)
    if found is None:
        raise BadInput(
            f"the author of {name} does not ask to follow it; there is nothing to share"
        )
    return found


def setup(
    data: DataDir, list_id: str, where: str, now: datetime, *, folder: bool, agree: bool
) -> ShareReport:
    """Say where the author's copy of list `list_id` goes, and send it there now. A list
    she declined to share needs `agree` (her yes, given now)."""
    from dailylist.sync.commands import remote_address

    files = data.list_files(list_id)
    opened = _opened(files)
    found = _sharing(files, opened.unsealed.info.name)
    if not found.consent and not agree:
        raise BadInput(
            f"you said no to sharing {opened.unsealed.info.name} with "
            f"{opened.unsealed.info.author}; nothing was set up (--agree says yes now)"
        )
    chosen = replace(
        found,
        consent=True,
        decided_at=now if not found.consent else found.decided_at,
        remote_kind="folder" if folder else "git",
        remote=remote_address(where, folder),
        stopped_at=None,
    )
    remote = _remote(data, list_id, chosen)
    if isinstance(remote, GitRemote):
        remote.check_reachable()
    report = _push(data, opened, chosen, remote, now)
    save_sharing(files, chosen)
    return report


def stop(data: DataDir, list_id: str, now: datetime) -> Sharing:
    """Stop sharing list `list_id`: nothing more goes out (what went out stays there)."""
    files = data.list_files(list_id)
    found = _sharing(files, list_id)
    if found.stopped_at is not None or not found.consent:
        return found
    chosen = replace(found, stopped_at=now)
    save_sharing(files, chosen)
    return chosen


def release(data: DataDir, list_id: str, days: tuple[int, ...] | None) -> tuple[int, ...]:
    """Release the reflections of `days` (None: of every day done so far) to the author;
    they go out with the next `sync` or `share`. Returns the days released now."""
    from dailylist.opened import load
    from dailylist.sharing import release as keep

    files = data.list_files(list_id)
    opened = load(files)
    done = {entry.number for entry in opened.replay.entries}
    wanted = tuple(sorted(done)) if days is None else days
    missing = [day for day in wanted if day not in done]
    if missing:
        raise BadInput(f"day {missing[0]} is not done yet; nothing was released")
    keep(files, wanted)
    return wanted


def share(data: DataDir, list_id: str, now: datetime) -> ShareReport:
    """Send what is new of list `list_id` to the author's copy, and take in his postcards."""
    files = data.list_files(list_id)
    opened = _opened(files)
    found = _sharing(files, opened.unsealed.info.name)
    if found.remote is None:
        raise BadInput("say first where the author's copy goes: `dailylist share setup REMOTE`")
    if not found.active:
        why = "you stopped sharing it" if found.stopped_at else "you did not agree to share it"
        return ShareReport(list_id, opened.unsealed.info.name, found.remote, idle=why)
    return _push(data, opened, found, _remote(data, list_id, found), now)


def shares(data: DataDir, *, active: bool = True) -> list[str]:
    """The lists whose copy goes out now (she agreed, said where, did not stop); not
    `active`: every list she said where for, stopped or not."""
    found = []
    for list_id in data.opened_list_ids():
        try:
            sharing = read_sharing(data.list_files(list_id))
        except BadInput:
            continue
        if sharing is not None and (sharing.active or (not active and sharing.remote)):
            found.append(list_id)
    return found


def _opened(files: ListFiles) -> OpenedList:
    from dailylist.opened import load

    return load(files)


def _push(
    data: DataDir, opened: OpenedList, sharing: Sharing, remote: Remote, now: datetime
) -> ShareReport:
    """Fetch, write what of the copy is missing, take in postcards, publish."""
    info = opened.unsealed.info
    assert info.follow_recipient is not None
    report = ShareReport(info.id, info.name, remote.shown)
    lock = data.root / "share" / f"{info.id}.lock"
    lock.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with hold_lock(lock, lambda: NotNow("a share of this list is running; try again soon")):
        for _ in range(_TRIES):
            remote.fetch()
            report.sent = _send(opened, sharing, remote)
            _take_postcards(opened, sharing, remote, now, report)
            if remote.publish():
                return report
        raise NotNow("the remote kept moving while this shared; try again")


def _wanted(opened: OpenedList, sharing: Sharing) -> dict[str, bytes]:
    """Her files of the copy, by name: what each holds before age."""
    from dailylist.chain import committed
    from dailylist.device import DeviceIdentity, id_of
    from dailylist.events import Amended, Completed
    from dailylist.photos import PAGE_PIXELS, page_copy

    info = opened.unsealed.info
    seed = sharing.signing_seed
    me = DeviceIdentity("", seed)
    me = DeviceIdentity(id_of(me.public_key), seed)
    files: dict[str, bytes] = {}
    from pyrage import x25519

    card = shared.Card(
        list=info.id,
        share_key=me.public_key,
        recipient=str(x25519.Identity.from_str(sharing.identity).to_public()),
        mode=sharing.mode,
        at=sharing.decided_at,
    )
    files["card"] = shared.signed(card, me.sign)
    released = set(sharing.released)
    photos: dict[str, Any] = {}
    for event, document in zip(opened.journal.events, opened.journal.documents, strict=True):
        body = shared.SharedEvent(list=info.id, event=committed(document))
        files[shared.name(seed, "event", event.id)] = shared.signed(body, me.sign)
        if isinstance(event, Completed | Amended):
            day = event.index + 1
            if event.salt is not None and event.reflection is not None and day in released:
                release = shared.Release(
                    list=info.id, event=event.id, reflection=event.reflection, salt=event.salt
                )
                files[shared.name(seed, "release", event.id)] = shared.signed(release, me.sign)
            for record in event.photos or ():
                photos[record.sha256] = record
    if sharing.mode == "photos":
        for sha256, record in photos.items():
            name = shared.name(seed, "photo", sha256)
            try:
                jpeg = page_copy(opened.files, record, PAGE_PIXELS)
            except BadInput:
                continue  # a photo not on this device (yet): sent once it is
            body_photo = shared.SharedPhoto(list=info.id, sha256=sha256, jpeg=jpeg)
            files[name] = shared.signed(body_photo, me.sign)
    return files


def _send(opened: OpenedList, sharing: Sharing, remote: Remote) -> int:
    """Write every file of hers the remote lacks; how many were written."""
    info = opened.unsealed.info
    assert info.follow_recipient is not None
    base = shared.folder(info.id, info.follow_recipient)
    mine = f"{base}/recipient"
    there = remote.files()
    sent = 0
    for name, plaintext in _wanted(opened, sharing).items():
        path = f"{mine}/{name}.age"
        if path in there:
            continue
        remote.write(path, shared.seal_to(plaintext, [info.follow_recipient]), mine)
        sent += 1
    return sent


def _take_postcards(
    opened: OpenedList, sharing: Sharing, remote: Remote, now: datetime, report: ShareReport
) -> None:
    """Take in the author's new postcards: only those the list's author signed; any other
    file in his folder is refused, and said once."""
    from dailylist.sealed_list import sha256_hex
    from dailylist.store import write_atomic

    files = opened.files
    info = opened.unsealed.info
    assert info.follow_recipient is not None
    theirs = f"{shared.folder(info.id, info.follow_recipient)}/author/"
    kept = read_postcards(files)
    seen = {card.id for card in kept.received} | set(kept.refused)
    received, refused = list(kept.received), list(kept.refused)
    for path, found in sorted(remote.files().items()):
        if not path.startswith(theirs):
            continue
        mark = f"{path}@{found.version}"
        if mark in seen:
            continue
        try:
            plaintext = shared.open_with(remote.read(path), sharing.identity)
            body, signature, message = shared.read_envelope(plaintext, info.id)
            if not isinstance(body, shared.PostcardBody):
                raise shared.Refused(shared.NOT_OURS)
            if not shared.verified(opened.unsealed.sealed.public_key, signature, message):
                raise shared.Refused(shared.NOT_THE_AUTHORS)
        except (shared.Refused, OSError) as exc:
            refused.append(mark)
            report.refused.append(f"{path.rsplit('/', 1)[-1]}: {exc}")
            continue
        card_id = sha256_hex(message)
        if card_id in seen:
            refused.append(mark)  # the same postcard again, under another name: kept once
            continue
        photo = None
        if body.photo is not None:
            photo = sha256_hex(body.photo)
            write_atomic(files.photo(f"{photo}.jpg"), body.photo)
        card = Postcard(
            id=card_id,
            written_at=body.written_at,
            received_at=now,
            note=body.note,
            day=body.day,
            checkin=body.checkin,
            code=body.code,
            photo=photo,
        )
        received.append(card)
        report.postcards.append(card)
        seen |= {card_id, mark}
    if len(received) != len(kept.received) or len(refused) != len(kept.refused):
        save_postcards(files, replace(kept, received=tuple(received), refused=tuple(refused)))

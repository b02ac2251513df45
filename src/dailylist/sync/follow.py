"""`dailylist follow` and `dailylist postcard`: the author's side of a list its recipient
shares with him. He reads her copy (see `shared`) as a stranger's files: each file must
open with his follow key and be signed by her share key (the one her first card showed),
each event must hash to its id and follow the chain, and the whole journal is replayed
through the same fold as `verify`, against his own sealed list. Whatever does not hold is
said, never taken. He never writes her journal: what he writes are postcards, in a folder
of their own, signed with the list's author key.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from dailylist import limits
from dailylist.codec import b64, decode, encode
from dailylist.domain import ListInfo, counted, day_number, require
from dailylist.errors import BadInput, DamagedData
from dailylist.store import ensure_private_dir, write_atomic
from dailylist.sync import shared
from dailylist.sync.remote import FolderRemote, GitRemote, Remote

if TYPE_CHECKING:
    from collections.abc import Callable, Collection

    from dailylist.author import FollowIdentity
    from dailylist.events import Event
    from dailylist.fold import Replay
    from dailylist.sealed_list import UnsealedList
    from dailylist.store import DataDir

FOLLOWED_FORMAT = 1


@dataclass(frozen=True, kw_only=True)
class Followed:
    """A list the author follows: where her copy is, and her share key as first seen."""

    format: int = FOLLOWED_FORMAT
    list_id: str
    name: str
    #: The sealed list he follows it by (its codes file is beside it).
    sealed_path: str
    remote_kind: Literal["git", "folder"]
    remote: str
    #: Her share key and postcard recipient, from the first card of hers he read.
    share_key: bytes | None = None
    recipient: str | None = None
    #: Files of the copy refused, by path and version (each said once).
    refused: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        require(self.format == FOLLOWED_FORMAT, f"format: not {FOLLOWED_FORMAT}")


@dataclass(frozen=True)
class FollowedDay:
    """A day she did, as the author sees it."""

    day: int
    date: date
    completed_at: datetime
    #: The sha256 of each of her photos, and the small copy of it here (photos mode).
    photos: tuple[tuple[str, Path | None], ...]
    #: Her reflection once she released it; None until then.
    reflection: str | None
    #: How a check-in day opened when not by the code told on the phone.
    opened: str | None = None


@dataclass
class FollowView:
    """Where a list he follows stands, checked."""

    info: ListInfo
    mode: str | None
    where: str
    days: list[FollowedDay] = field(default_factory=list)
    missed: tuple[date, ...] = ()
    postcards: list[shared.PostcardBody] = field(default_factory=list)
    #: What does not hold: files refused (said once) and events the fold refuses.
    problems: list[str] = field(default_factory=list)
    #: Whether she has shared anything yet (her card is there).
    shared: bool = False


def _root(data: DataDir, list_id: str) -> Path:
    return data.following / list_id


def _config_path(data: DataDir, list_id: str) -> Path:
    return _root(data, list_id) / "follow.json"


def _read_followed(data: DataDir, list_id: str) -> Followed:
    from dailylist.canonical import parse_json

    path = _config_path(data, list_id)
    try:
        return decode(Followed, parse_json(limits.read_file(path, limits.SMALL)))
    except (OSError, ValueError) as exc:
        raise DamagedData(f"{path} is damaged; follow the list again with REMOTE") from exc


def _save_followed(data: DataDir, followed: Followed) -> None:
    text = json.dumps(encode(followed), indent=2, ensure_ascii=False) + "\n"
    write_atomic(_config_path(data, followed.list_id), text.encode("utf-8"))


def followed_ids(data: DataDir) -> list[str]:
    if not data.following.is_dir():
        return []
    return sorted(p.name for p in data.following.iterdir() if (p / "follow.json").is_file())


def _identity(data: DataDir) -> FollowIdentity:
    from dailylist.author import load_or_create_follow_identity

    if not data.follow_identity.is_file():
        raise BadInput(
            "there is no follow key in this data dir: follow a list from the data dir you "
            "sealed it in (its follow key is made there by `seal`)"
        )
    return load_or_create_follow_identity(data.follow_identity)


def _sealed(raw: bytes, source: str, passphrase: Callable[[], str] | None) -> UnsealedList:
    from dailylist.sealing import open_sealed

    return open_sealed(raw, source=source, passphrase=passphrase)


def _mine(info: ListInfo, identity: FollowIdentity) -> None:
    if info.follow_recipient is None:
        raise BadInput(f"{info.name} does not ask to follow it (seal it with [settings] follow)")
    if info.follow_recipient != identity.recipient:
        raise BadInput(f"{info.name} asks another follow key than this data dir's")


def start(
    data: DataDir,
    where: str,
    sealed_path: Path,
    now: datetime,
    *,
    folder: bool,
    passphrase: Callable[[], str] | None = None,
) -> FollowView:
    """Follow the list sealed in `sealed_path` through her copy in the remote `where`."""
    from dailylist.limits import SEALED_LIST
    from dailylist.store import read_input_file
    from dailylist.sync.commands import remote_address

    raw = read_input_file(sealed_path, what="sealed list", cap=SEALED_LIST)
    unsealed = _sealed(raw, str(sealed_path), passphrase)
    info = unsealed.info
    _mine(info, _identity(data))
    followed = Followed(
        list_id=info.id,
        name=info.name,
        sealed_path=str(sealed_path.resolve()),
        remote_kind="folder" if folder else "git",
        remote=remote_address(where, folder),
    )
    root = _root(data, info.id)
    if (root / "follow.json").is_file():
        before = _read_followed(data, info.id)
        followed = replace(before, remote_kind=followed.remote_kind, remote=followed.remote)
    remote = _remote(data, followed)
    if isinstance(remote, GitRemote):
        remote.check_reachable()
    remote.fetch()
    ensure_private_dir(root)
    write_atomic(root / "list.dlist", raw)
    return _follow(data, followed, unsealed, remote, now)


def follow(
    data: DataDir,
    wanted: str | None,
    now: datetime,
    *,
    passphrase: Callable[[], str] | None = None,
) -> list[FollowView]:
    """Read again every list he follows (or the one `wanted` names), checked."""
    ids = followed_ids(data)
    if not ids:
        raise BadInput(
            "you follow no list yet: `dailylist follow REMOTE --list my-list.dlist` the first time"
        )
    if wanted is not None:
        ids = [pick(data, wanted)]
    views = []
    for list_id in ids:
        followed = _read_followed(data, list_id)
        raw = limits.read_file(_root(data, list_id) / "list.dlist", limits.SEALED_LIST)
        unsealed = _sealed(raw, followed.name, passphrase)
        _mine(unsealed.info, _identity(data))
        remote = _remote(data, followed)
        remote.fetch()
        views.append(_follow(data, followed, unsealed, remote, now))
    return views


def pick(data: DataDir, wanted: str) -> str:
    """The id of the followed list `wanted` names (its name, its start, or its sealed file)."""
    ids = followed_ids(data)
    path = Path(wanted)
    by_file = str(path.resolve()) if path.is_file() else None
    found = []
    for list_id in ids:
        followed = _read_followed(data, list_id)
        if by_file == followed.sealed_path or followed.name == wanted:
            return list_id
        if followed.name.startswith(wanted) or list_id.startswith(wanted):
            found.append(list_id)
    if len(found) == 1:
        return found[0]
    if by_file is not None:
        raise BadInput(
            f"you do not follow {wanted} yet: `dailylist follow REMOTE --list {wanted}`"
        )
    raise BadInput(f"you follow no list called {wanted!r}")


def _remote(data: DataDir, followed: Followed) -> Remote:
    if followed.remote_kind == "folder":
        return FolderRemote(Path(followed.remote))
    return GitRemote(followed.remote, _root(data, followed.list_id) / "clone")


@dataclass
class _Read:
    """Her files, checked: the events (as JSON), the releases, the photo copies."""

    events: list[dict[str, Any]] = field(default_factory=list)
    releases: dict[str, shared.Release] = field(default_factory=dict)
    photos: dict[str, bytes] = field(default_factory=dict)
    refused: list[tuple[str, str]] = field(default_factory=list)


def _read_hers(
    followed: Followed, identity: FollowIdentity, remote: Remote, base: str
) -> tuple[Followed, shared.Card | None, _Read]:
    """Her card (pinning her share key the first time) and every file of hers that holds."""
    files = remote.files()
    found = _Read()
    card_path = f"{base}/recipient/card.age"
    card = None
    if card_path in files:
        try:
            body, signature, message = shared.read_envelope(
                shared.open_with(remote.read(card_path), identity.secret), followed.list_id
            )
            if not isinstance(body, shared.Card) or not shared.verified(
                body.share_key, signature, message
            ):
                raise shared.Refused(shared.NOT_HERS)
            if followed.share_key not in (None, body.share_key):
                raise shared.Refused(shared.NOT_HERS)
            card = body
            followed = replace(followed, share_key=body.share_key, recipient=body.recipient)
        except (shared.Refused, OSError) as exc:
            found.refused.append((f"{card_path}@{files[card_path].version}", str(exc)))
    if followed.share_key is None:
        return followed, None, found
    for path, there in sorted(files.items()):
        if not path.startswith(f"{base}/recipient/") or path == card_path:
            continue
        try:
            plaintext = shared.open_with(remote.read(path), identity.secret)
            body, signature, message = shared.read_envelope(plaintext, followed.list_id)
            if not shared.verified(followed.share_key, signature, message):
                raise shared.Refused(shared.NOT_HERS)
            if isinstance(body, shared.SharedEvent):
                found.events.append(dict(body.event))
            elif isinstance(body, shared.Release):
                found.releases[body.event] = body
            elif isinstance(body, shared.SharedPhoto):
                found.photos[body.sha256] = body.jpeg
            elif not isinstance(body, shared.Card):
                raise shared.Refused(shared.NOT_OURS)
        except (shared.Refused, OSError) as exc:
            found.refused.append((f"{path}@{there.version}", str(exc)))
    return followed, card, found


def _released(document: dict[str, Any], release: shared.Release | None) -> dict[str, Any]:
    """An event as she sent it, with its reflection put back when she released it and the
    release is the one it committed to (its id then still holds)."""
    from dailylist.chain import computed_id

    if release is None or "reflection_commitment" not in document:
        return document
    whole = {k: v for k, v in document.items() if k != "reflection_commitment"}
    whole |= {"reflection": release.reflection, "salt": b64(release.salt)}
    return whole if computed_id(whole) == document.get("id") else document


def _events(read: _Read) -> tuple[list[Event], list[str]]:
    """Her events, checked each (id, fields) and in the one order; the problems found."""
    from dailylist.chain import breaks, computed_id, in_order, label, parents_of
    from dailylist.journal import decode_event

    problems: list[str] = []
    by_id: dict[str, tuple[Event, dict[str, Any]]] = {}
    for document in read.events:
        shown = _released(document, read.releases.get(str(document.get("id"))))
        try:
            if computed_id(shown) != shown.get("id"):
                raise ValueError("it was changed after it was written")
            event = decode_event(shown)
        except ValueError as exc:
            problems.append(f"{label(0, shown).replace('event 0', 'an event')}: {exc}")
            continue
        by_id[event.id] = (event, shown)

    def links(pair: tuple[Event, dict[str, Any]]) -> tuple[str, tuple[str, ...], datetime]:
        return pair[0].id, pair[0].parents, pair[0].at

    ordered = in_order(by_id.values(), links)
    documents = [document for _, document in ordered]
    chain = [(d.get("id"), parents_of(d), computed_id(d)) for d in documents]
    for position, problem in breaks(chain):
        problems.append(f"{label(position + 1, documents[position])} {problem}")
    return [event for event, _ in ordered], problems


def _follow(
    data: DataDir, followed: Followed, unsealed: UnsealedList, remote: Remote, now: datetime
) -> FollowView:
    from dailylist import figures, fold
    from dailylist.opened import empty_standing

    info = unsealed.info
    identity = _identity(data)
    assert info.follow_recipient is not None
    base = shared.folder(info.id, info.follow_recipient)
    followed, card, read = _read_hers(followed, identity, remote, base)
    view = FollowView(info, None if card is None else card.mode, "", shared=card is not None)
    known = set(followed.refused)
    for mark, why in read.refused:
        if mark not in known:
            view.problems.append(
                f"a file was refused ({mark.split('@')[0].rsplit('/')[-1]}): {why}"
            )
    followed = replace(followed, refused=tuple(sorted(known | {m for m, _ in read.refused})))
    photos = _root(data, info.id) / "photos"
    for sha256, jpeg in read.photos.items():
        path = photos / f"{sha256}.jpg"
        if not path.is_file():
            write_atomic(path, jpeg)
    events, problems = _events(read)
    view.problems += problems
    replay = fold.replay(events, empty_standing(unsealed), unsealed)
    for refusal in replay.refused:
        view.problems.append(
            f"day {day_number(getattr(refusal.event, 'index', 0))}: an event the rules refuse "
            f"({refusal.reason})"
        )
    from dailylist.lookback import opened_note

    fallback = info.settings.checkin_fallback_days
    for entry in replay.entries:
        view.days.append(
            FollowedDay(
                day=entry.number,
                date=entry.day,
                completed_at=entry.at,
                photos=tuple(
                    (
                        p.sha256,
                        photos / f"{p.sha256}.jpg"
                        if (photos / f"{p.sha256}.jpg").is_file()
                        else None,
                    )
                    for p in entry.photos
                ),
                reflection=entry.reflection,
                opened=opened_note(entry.reveal, fallback),
            )
        )
    if events:
        view.missed = figures.stats(replay.standing, replay.done_days, now).missed_days
    view.postcards = _postcards(remote, base, unsealed, identity)
    sent = {card.checkin for card in view.postcards if card.checkin is not None}
    view.where = _where(info, unsealed, replay, now, card is not None, sent)
    _save_followed(data, followed)
    return view


def _where(
    info: ListInfo,
    unsealed: UnsealedList,
    replay: Replay,
    now: datetime,
    shared_yet: bool,
    codes_sent: Collection[int] = (),
) -> str:
    """Where she stands now, in a sentence (`codes_sent`: the check-in days whose code a
    postcard of his carries)."""
    from dailylist import rules

    standing = replay.standing
    count = info.item_count
    if not shared_yet:
        return "nothing is shared yet"
    if standing.opened_at is None:
        return "she has not opened the list yet"
    if standing.finished:
        last = replay.entries[-1].day if replay.entries else None
        return f"every one of the {count} days is done (the last on {last})"
    current = standing.current
    if current is not None:
        return (
            f"day {day_number(current.index)} of {count} was revealed on "
            f"{current.at.astimezone(now.tzinfo):%Y-%m-%d %H:%M} and is not done yet"
        )
    number = day_number(standing.current_index)
    unlocks = rules.unlocks_at(standing, now)
    if unlocks is not None:
        shown = unlocks.astimezone(now.tzinfo)
        return f"day {number - 1} of {count} is done; day {number} unlocks {shown:%Y-%m-%d %H:%M}"
    since = rules.checkin_waiting_since(standing)
    when = f"{since.astimezone(now.tzinfo):%Y-%m-%d}" if since else "now"
    if unsealed.is_checkin(standing.current_index):
        if number in codes_sent:
            text = (
                f"day {number} of {count} is a check-in, waiting since {when}; "
                "your postcard carries its code"
            )
        else:
            text = (
                f"day {number} of {count} is a check-in and has waited for your code since {when}"
            )
        opens = rules.fallback_opens_at(standing)
        if opens is not None:
            text += f"; it opens without the code on {opens.astimezone(now.tzinfo):%Y-%m-%d %H:%M}"
        return text
    return f"day {number} of {count} has waited for her since {when}"


def _postcards(
    remote: Remote, base: str, unsealed: UnsealedList, identity: FollowIdentity
) -> list[shared.PostcardBody]:
    """The postcards he sent (the ones that open with his key and bear his signature)."""
    found = []
    for path in sorted(remote.files()):
        if not path.startswith(f"{base}/author/"):
            continue
        try:
            body, signature, message = shared.read_envelope(
                shared.open_with(remote.read(path), identity.secret), unsealed.info.id
            )
        except (shared.Refused, OSError):
            continue
        if isinstance(body, shared.PostcardBody) and shared.verified(
            unsealed.sealed.public_key, signature, message
        ):
            found.append(body)
    return sorted(found, key=lambda card: card.written_at)


def send_postcard(
    data: DataDir,
    wanted: str,
    now: datetime,
    *,
    note: str,
    photo: Path | None = None,
    day: int | None = None,
    checkin: int | None = None,
) -> shared.PostcardBody:
    """Write a postcard to her, signed with the list's author key, through her copy's
    remote: readable by her and him only."""
    import secrets

    from dailylist.author import codes_path_for, load_or_create_author_key
    from dailylist.photos import PAGE_PIXELS, enclosure_jpeg

    followed = _read_followed(data, pick(data, wanted))
    if followed.recipient is None:
        raise BadInput(
            f"{followed.name} is not shared with you yet (no card of hers in the remote); "
            "nothing was sent"
        )
    note = note.strip()
    if not note:
        raise BadInput("a postcard needs a few words (--note TEXT); nothing was sent")
    if len(note.encode("utf-8", "surrogatepass")) > limits.REFLECTION:
        raise BadInput("the note is too long; nothing was sent")
    raw = limits.read_file(_root(data, followed.list_id) / "list.dlist", limits.SEALED_LIST)
    from dailylist.sealing import parse_sealed

    sealed = parse_sealed(raw, source=followed.name)
    count = sealed.info.item_count
    for number in (day, checkin):
        if number is not None and not 1 <= number <= count:
            raise BadInput(
                f"{followed.name} has days 1 to {count}, not {number}; nothing was sent"
            )
    code = None
    if checkin is not None:
        if not sealed.is_checkin(checkin - 1):
            raise BadInput(f"day {checkin} is not a check-in; nothing was sent")
        code = _code_of(codes_path_for(Path(followed.sealed_path)), checkin)
    key, _ = load_or_create_author_key(data.author_key)
    if key.public_key().public_bytes_raw() != sealed.public_key:
        raise BadInput(f"{followed.name} was sealed with another author key; nothing was sent")
    picture = None if photo is None else enclosure_jpeg(photo, str(photo), PAGE_PIXELS)
    body = shared.PostcardBody(
        list=followed.list_id,
        written_at=now,
        note=note,
        day=day if day is not None else checkin,
        checkin=checkin,
        code=code,
        photo=picture,
    )
    identity = _identity(data)
    plaintext = shared.signed(body, key.sign)
    sealed_text = shared.seal_to(plaintext, [followed.recipient, identity.recipient])
    assert sealed.info.follow_recipient is not None
    base = shared.folder(followed.list_id, sealed.info.follow_recipient)
    mine = f"{base}/author"
    remote = _remote(data, followed)
    for _ in range(5):
        remote.fetch()
        remote.write(f"{mine}/{secrets.token_hex(16)}.age", sealed_text, mine)
        if remote.publish():
            return body
    raise BadInput("the remote kept moving while the postcard was sent; try again")


def _code_of(codes: Path, number: int) -> str:
    """The code of check-in day `number` in the author's codes file."""
    import re

    try:
        text = limits.read_file(codes, limits.SMALL).decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInput(f"the codes file {codes} cannot be read; nothing was sent") from exc
    found = re.search(rf"^Day +{number}: (\S+)", text, re.MULTILINE)
    if found is None:
        raise BadInput(f"{codes} has no code for day {number}; nothing was sent")
    return found.group(1)


def summary(view: FollowView) -> str:
    return f"{counted(len(view.days), 'day')} done of {view.info.item_count}"

"""What goes between the recipient and the author of a list she shares with him: the
files of the author's copy, as both sides read and write them.

The copy lies in a folder of its own in a remote (git or a folder, the sync's engines):
`share/<T>/`, where T is a hash of the list's id and the author's follow key, so only
someone holding the sealed list can tell which folder is whose. In it:

- `recipient/`: what she sends, each file age-encrypted to the author's follow key only
  and signed by her share key (an Ed25519 key made when she agreed): `card.age` (her share
  key and the age recipient postcards go to, self-signed: the author keeps the key he first
  saw), and one file per event (with every reflection she has not released left out and
  committed to by hash, see `chain.committed`), per released reflection, and per photo
  copy ("photos" only: a JPEG of at most 1600 pixels, no EXIF);
- `author/`: the author's postcards, signed with the list's author key and encrypted to her
  and to him.

Every file is an `Envelope`: a body and the signature of its canonical JSON. Nothing here
touches the network or the data dir; `share` (hers) and `follow` (his) do.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from dailylist.canonical import canonical_json, parse_json
from dailylist.codec import b64, decode, encode
from dailylist.domain import FollowMode

#: Why a file of the copy was refused, as `follow` and `share` say it.
NOT_HERS = "not signed by the recipient's share key"
NOT_THE_AUTHORS = "not signed by the list's author"
UNREADABLE = "does not open with this key (damaged, half copied, or not for you)"
NOT_OURS = "not a file dailylist writes there"


class Refused(Exception):
    """A file of the copy that does not belong; the message says why."""


@dataclass(frozen=True, kw_only=True)
class Card:
    """Her share key and the age recipient postcards are encrypted to."""

    kind: ClassVar[str] = "card"
    list: str
    share_key: bytes
    recipient: str
    mode: FollowMode
    at: datetime


@dataclass(frozen=True, kw_only=True)
class SharedEvent:
    """One event of her journal, as the author may read it."""

    kind: ClassVar[str] = "event"
    list: str
    event: Mapping[str, Any]


@dataclass(frozen=True, kw_only=True)
class Release:
    """A reflection she released: the text and the salt its event commits to."""

    kind: ClassVar[str] = "release"
    list: str
    event: str
    reflection: str
    salt: bytes


@dataclass(frozen=True, kw_only=True)
class SharedPhoto:
    """A small copy of one of her photos, named by the original's sha256."""

    kind: ClassVar[str] = "photo"
    list: str
    sha256: str
    jpeg: bytes


@dataclass(frozen=True, kw_only=True)
class PostcardBody:
    """A postcard, as the author wrote it."""

    kind: ClassVar[str] = "postcard"
    list: str
    written_at: datetime
    note: str
    day: int | None = None
    checkin: int | None = None
    code: str | None = None
    photo: bytes | None = None


Body = Card | SharedEvent | Release | SharedPhoto | PostcardBody


@dataclass(frozen=True, kw_only=True)
class Envelope:
    """A body and the Ed25519 signature of its canonical JSON."""

    body: Body
    signature: bytes


def folder(list_id: str, follow_recipient: str) -> str:
    """The copy's folder in the remote."""
    token = hashlib.sha256(f"dailylist share\0{list_id}\0{follow_recipient}".encode())
    return f"share/{token.hexdigest()[:32]}"


def name(seed: bytes, what: str, value: str) -> str:
    """The file name of one of her files: a keyed hash, the same each time."""
    return hmac.new(seed, f"{what}\0{value}".encode(), hashlib.sha256).hexdigest()[:32]


def _message(body: Mapping[str, Any]) -> bytes:
    return b"dailylist share\0" + canonical_json(body)


def signed(body: Body, sign: Any) -> bytes:
    """The envelope of `body`, signed by `sign` (a function of the message), as JSON."""
    document = encode(body)
    return canonical_json({"body": document, "signature": b64(sign(_message(document)))})


def seal_to(plaintext: bytes, recipients: list[str]) -> bytes:
    """`plaintext` encrypted in the age format to every recipient."""
    import pyrage
    from pyrage import x25519

    keys = [x25519.Recipient.from_str(recipient) for recipient in recipients]
    sealed: bytes = pyrage.encrypt(plaintext, keys)
    return sealed


def open_with(raw: bytes, identity: str) -> bytes:
    """An age file's plaintext, or `Refused`."""
    import pyrage
    from pyrage import x25519

    try:
        plaintext: bytes = pyrage.decrypt(raw, [x25519.Identity.from_str(identity)])
    except (pyrage.DecryptError, ValueError) as exc:
        raise Refused(UNREADABLE) from exc
    return plaintext


def read_envelope(plaintext: bytes, list_id: str) -> tuple[Body, bytes, bytes]:
    """The body of an envelope of list `list_id`, its signature and what it signs; or
    `Refused`."""
    try:
        document = parse_json(plaintext)
        envelope = decode(Envelope, document)
    except ValueError as exc:
        raise Refused(NOT_OURS) from exc
    if envelope.body.list != list_id:
        raise Refused(NOT_OURS)
    return envelope.body, envelope.signature, _message(document["body"])


def verified(public_key: bytes, signature: bytes, message: bytes) -> bool:
    from dailylist.device import verify

    return verify(public_key, signature, message)

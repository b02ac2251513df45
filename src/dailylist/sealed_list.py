"""A sealed list as the app holds it: its public facts, its items still sealed, and, once
its content key is at hand, each item decrypted on its own (`UnsealedList`).

The `.dlist` file's JSON is read and written by the one codec (`codec`), as these types
say it is. A file from elsewhere is first checked in full (`check_sealed_document`, then
the signature in `sealing.parse_sealed`); the copy kept in the data dir, which was, is read
here directly (`stored_list`), each item when it is asked for.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from dailylist.cipher import (
    WrongKey,
    associated_data,
    decrypt,
    derive,
    fingerprint,
    normalize_code,
)
from dailylist.codec import decode, encode, read, unb64
from dailylist.domain import (
    Item,
    ListInfo,
    Scrypt,
    SealedItem,
    Settings,
    day_number,
    require,
)
from dailylist.errors import BadInput, DamagedData
from dailylist.picking import list_name

_LIST_ID = re.compile(r"[0-9a-f]{32}")


#: The newest version of the sealed file this dailylist reads and writes: 2 for a list
#: with enclosed pictures, a follow key or a check-in fallback, 1 (as ever) otherwise.
SEALED_FORMAT = 2
SEALED_FORMATS = (1, 2)


@dataclass(frozen=True, kw_only=True)
class SealedHeader:
    """What anyone holding the file may read: no item text is here."""

    id: str
    title: str
    author: str
    letter: str
    rules: tuple[str, ...]
    settings: Settings
    item_count: int
    created: datetime
    #: The picture shown with the letter, a JPEG, readable by anyone holding the file.
    photo: bytes | None = None
    #: The author's follow key (age X25519 recipient, "age1..."), when `settings.follow`.
    follow_recipient: str | None = None

    def __post_init__(self) -> None:
        require(bool(_LIST_ID.fullmatch(self.id)), "id: a list id is 32 hex digits")
        require(
            (self.follow_recipient is None) == (self.settings.follow is None),
            "follow_recipient: a follow key goes with settings.follow",
        )
        require(
            self.follow_recipient is None
            or (self.follow_recipient.startswith("age1") and len(self.follow_recipient) < 100),
            "follow_recipient: not an age recipient",
        )
        require(self.item_count >= 1, "item_count: a list has at least one item")


@dataclass(frozen=True, kw_only=True)
class PlainKey:
    """The content key, stored beside the items (see the README's threat model)."""

    kind: ClassVar[str] = "plain"
    key: bytes

    def __post_init__(self) -> None:
        require(len(self.key) == 32, "key: a content key is 32 bytes")


@dataclass(frozen=True, kw_only=True)
class PassphraseKey:
    """The content key, encrypted under a key derived from the author's passphrase."""

    kind: ClassVar[str] = "passphrase"
    kdf: Scrypt
    nonce: bytes
    wrapped: bytes

    def __post_init__(self) -> None:
        require(len(self.nonce) == 12, "nonce: a nonce is 12 bytes")


@dataclass(frozen=True, kw_only=True)
class SealedFile:
    """A `.dlist` file, as written: the author's signature covers everything else."""

    format: int
    header: SealedHeader
    content_key: PlainKey | PassphraseKey
    items: tuple[SealedItem, ...]
    public_key: bytes
    signature: bytes

    def __post_init__(self) -> None:
        require(self.format in SEALED_FORMATS, f"format: not one of {SEALED_FORMATS}")
        require(len(self.public_key) == 32, "public_key: an Ed25519 key is 32 bytes")
        require(len(self.signature) == 64, "signature: an Ed25519 signature is 64 bytes")
        require(
            len(self.items) == self.header.item_count,
            "items: the item count does not match its items",
        )


def check_sealed_document(document: object, *, source: str) -> SealedFile:
    """The sealed file `document` is (every field, every item), or `DamagedData` naming its
    first problem."""
    try:
        return decode(SealedFile, document)
    except ValueError as exc:
        raise DamagedData(f"{source} is damaged or tampered with ({exc})") from exc


def item_document(item: Item) -> dict[str, Any]:
    """An item's JSON, as it is encrypted: what differs from the defaults."""
    return {key: value for key, value in encode(item).items() if key != "checkin" or item.checkin}


def _item(plaintext: bytes) -> Item:
    """An item from its decrypted JSON, or `ValueError`."""
    from dailylist.canonical import parse_json

    return decode(Item, parse_json(plaintext))


@dataclass(frozen=True)
class SealedList:
    """A sealed list as its file holds it: public facts, sealed items (read one at a time,
    when asked for), the author's key."""

    info: ListInfo
    items: tuple[Mapping[str, Any], ...]
    content_key: PlainKey | PassphraseKey
    public_key: bytes
    signature: bytes
    #: The letter's picture (JPEG bytes), if any.
    letter_photo: bytes | None = None

    @classmethod
    def from_document(cls, document: Mapping[str, Any], *, source: str) -> SealedList:
        """The sealed list a (checked) document describes, or `DamagedData`. Its items are
        read one at a time when asked for (see `sealed_item`), so that a list of 10,000
        items costs no more to open for one of them."""
        try:
            header = decode(SealedHeader, document["header"])
            content_key = read(PlainKey | PassphraseKey, document["content_key"])
            public_key, signature = unb64(document["public_key"]), unb64(document["signature"])
            items = tuple(document["items"])
        except (KeyError, TypeError, ValueError) as exc:
            raise DamagedData(f"{source} is damaged; `dailylist doctor` tells more") from exc
        if len(items) != header.item_count:
            raise DamagedData(f"{source} is damaged: the item count does not match its items")
        info = ListInfo(
            id=header.id,
            name=list_name(header.title, header.id),
            title=header.title,
            author=header.author,
            item_count=header.item_count,
            fingerprint=fingerprint(public_key),
            settings=header.settings,
            letter=header.letter,
            rules=header.rules,
            letter_photo=None if header.photo is None else sha256_hex(header.photo),
            follow_recipient=header.follow_recipient,
        )
        return cls(info, items, content_key, public_key, signature, header.photo)

    def sealed_item(self, index: int) -> SealedItem:
        """Item `index`, still sealed."""
        return decode(SealedItem, self.items[index])

    def is_checkin(self, index: int) -> bool:
        return self.items[index].get("checkin") is not None


@dataclass(frozen=True)
class UnsealedList:
    """A sealed list with its content key at hand: items can be decrypted one by one.

    Deciding *whether* an item may be shown is the rules' job, not this class's.
    """

    sealed: SealedList
    content_key: bytes
    source: str = "the list file"

    @property
    def info(self) -> ListInfo:
        return self.sealed.info

    def is_checkin(self, index: int) -> bool:
        return self.sealed.is_checkin(index)

    def item(self, index: int, key: bytes | None = None) -> Item:
        """Item `index` (0-based); a check-in item needs the key its code gave (this is the
        list's `rules.ItemSource`)."""
        number = day_number(index)
        if not 0 <= index < self.info.item_count:
            raise BadInput(f"the list has no day {number}")
        try:
            sealed = self.sealed.sealed_item(index)
        except ValueError as exc:
            raise DamagedData(f"{self.source} is damaged: item {number} is not readable") from exc
        if sealed.checkin is not None and key is None:
            raise BadInput(f"day {number} is a check-in and needs the author's code")
        if sealed.checkin is None and key is not None:
            raise BadInput(f"day {number} is not a check-in, yet a code's key came with it")
        return open_item(self.info, index, sealed, key or self.content_key, source=self.source)

    def enclosure(self, index: int, key: bytes | None = None) -> bytes | None:
        """The picture sealed with item `index` (JPEG bytes), opened with the same key as
        the item (see `item`); None when it has none. Ask only for a revealed item."""
        sealed = self.sealed.sealed_item(index)
        self.item(index, key)  # the same checks, and the key proved on the item itself
        if sealed.enclosure is None:
            return None
        aad = enclosure_data(self.info.id, index, self.info.item_count)
        try:
            return decrypt(
                key or self.content_key, sealed.enclosure.nonce, sealed.enclosure.ciphertext, aad
            )
        except WrongKey as exc:
            number = day_number(index)
            raise DamagedData(f"{self.source} is damaged: day {number}'s picture") from exc

    def fallback_key(self, index: int) -> bytes:
        """The key of check-in item `index`, unwrapped with the content key: only for a
        list sealed with `checkin_fallback_days` (`BadInput` otherwise). The rules decide
        when it may be used."""
        sealed = self.sealed.sealed_item(index)
        if sealed.checkin is None or sealed.fallback is None:
            raise BadInput(f"day {day_number(index)} opens only with the author's code")
        aad = fallback_data(self.info.id, index, self.info.item_count)
        try:
            key = decrypt(self.content_key, sealed.fallback.nonce, sealed.fallback.ciphertext, aad)
        except WrongKey as exc:
            raise DamagedData(f"{self.source} is damaged: day {day_number(index)}'s key") from exc
        self.item(index, key)
        return key

    def check_items(self) -> None:
        """Decrypt every item that can be (and throw the texts away) to prove none is damaged.

        Check-in items cannot be decrypted without their codes; the signature covers them.
        """
        for index in range(self.info.item_count):
            if not self.sealed.is_checkin(index):
                self.item(index)

    def checkin_key(self, index: int, code: str) -> bytes:
        """The key that the author's `code` gives for check-in item `index`, or `BadInput`."""
        sealed = self.sealed.sealed_item(index)
        if sealed.checkin is None:
            raise BadInput(f"day {day_number(index)} is not a check-in")
        key = derive(normalize_code(code), sealed.checkin)
        try:
            decrypt(
                key,
                sealed.nonce,
                sealed.ciphertext,
                associated_data(self.info.id, index, self.info.item_count),
            )
        except WrongKey as exc:
            number, author = day_number(index), self.info.author
            raise BadInput(
                f"that is not the code for day {number}; check it with {author}"
            ) from exc
        return key


def enclosure_data(list_id: str, index: int, count: int) -> bytes:
    """What an item's picture is bound to: its item's place, as a picture."""
    return associated_data(list_id, index, count) + b"picture"


def fallback_data(list_id: str, index: int, count: int) -> bytes:
    """What a check-in item's wrapped key is bound to: its item's place, as a key."""
    return associated_data(list_id, index, count) + b"fallback"


def sha256_hex(raw: bytes) -> str:
    import hashlib

    return hashlib.sha256(raw).hexdigest()


def open_item(info: ListInfo, index: int, sealed: SealedItem, key: bytes, *, source: str) -> Item:
    """Decrypt item `index` of a list with `key`, or `DamagedData`."""
    aad = associated_data(info.id, index, info.item_count)
    try:
        return _item(decrypt(key, sealed.nonce, sealed.ciphertext, aad))
    except (WrongKey, ValueError) as exc:
        raise DamagedData(
            f"{source} is damaged: item {day_number(index)} does not decrypt"
        ) from exc


def unlock(
    sealed: SealedList,
    *,
    passphrase: Callable[[], str] | None = None,
    source: str = "the list file",
) -> UnsealedList:
    """The content key of `sealed`: from the file, or unwrapped with the passphrase.

    `passphrase` is asked only when the list has one; a wrong one is `BadInput`.
    """
    stored = sealed.content_key
    if isinstance(stored, PlainKey):
        return UnsealedList(sealed, stored.key, source)
    if passphrase is None:
        raise BadInput(f"{source} is protected by a passphrase; give it to open the list")
    wrapping_key = derive(passphrase(), stored.kdf)
    try:
        content_key = decrypt(wrapping_key, stored.nonce, stored.wrapped, sealed.info.id.encode())
    except WrongKey as exc:
        raise BadInput(f"wrong passphrase for {source}; nothing was opened") from exc
    if len(content_key) != 32:
        raise DamagedData(f"{source} is damaged: its content key has the wrong size")
    return UnsealedList(sealed, content_key, source)


def needs_passphrase(sealed: SealedList) -> bool:
    return isinstance(sealed.content_key, PassphraseKey)


def stored_list(raw: bytes, *, source: str, content_key: bytes | None) -> UnsealedList:
    """The copy of a list kept in the data dir, read without checking it all again: the
    caller vouches for its bytes (they are the ones checked at `open`). `content_key` is
    the one a passphrase unwrapped at `open`, for a passphrase list."""
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise DamagedData(f"{source} is damaged; `dailylist doctor` tells more") from exc
    if not isinstance(data, dict):
        raise DamagedData(f"{source} is damaged; `dailylist doctor` tells more")
    sealed = SealedList.from_document(data, source=source)
    if needs_passphrase(sealed):
        if content_key is None:
            raise DamagedData(f"the key of {source} is missing; open the list again")
        return UnsealedList(sealed, content_key, source)
    return unlock(sealed, source=source)

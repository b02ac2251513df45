"""A sealed list as the app holds it: its public facts, its items still sealed, and, once
its content key is at hand, each item decrypted on its own (`UnsealedList`).

This reads and writes the `.dlist` file's JSON with the standard library. A file from
elsewhere is first checked in full by `sealing.parse_sealed` (schema, signature); the copy
kept in the data dir, which was, is read here directly (`stored_list`).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from datetime import time
from typing import Any

from dailylist.cipher import (
    WrongKey,
    associated_data,
    decrypt,
    derive,
    fingerprint,
    normalize_code,
)
from dailylist.domain import Item, ListInfo, Scrypt, SealedItem, Settings, day_number
from dailylist.errors import BadInput, DamagedData
from dailylist.picking import list_name


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _unb64(text: object) -> bytes:
    if not isinstance(text, str):
        raise TypeError("expected base64 text")
    return base64.b64decode(text, validate=True)


def scrypt_document(params: Scrypt) -> dict[str, Any]:
    return {"salt": b64(params.salt), "n": params.n, "r": params.r, "p": params.p}


def _scrypt(document: Mapping[str, Any]) -> Scrypt:
    return Scrypt(
        _unb64(document["salt"]), int(document["n"]), int(document["r"]), int(document["p"])
    )


def settings_document(settings: Settings) -> dict[str, Any]:
    document = {f.name: getattr(settings, f.name) for f in fields(settings)}
    document["day_starts_at"] = settings.day_starts_at.strftime("%H:%M")
    return document


def item_document(item: Item) -> dict[str, Any]:
    """An item's JSON, as it is encrypted: what differs from the defaults."""
    return {
        f.name: getattr(item, f.name) for f in fields(item) if getattr(item, f.name) != f.default
    }


def _item(plaintext: bytes) -> Item:
    """An item from its decrypted JSON, or `ValueError`."""
    document = json.loads(plaintext)
    if not isinstance(document, dict):
        raise ValueError("not an item")
    try:
        return Item(**document)
    except TypeError as exc:
        raise ValueError("not an item") from exc


@dataclass(frozen=True)
class SealedList:
    """A sealed list as its file holds it: public facts, sealed items, the author's key."""

    info: ListInfo
    items: tuple[Mapping[str, Any], ...]
    content_key: Mapping[str, Any]
    public_key: bytes
    signature: bytes

    @classmethod
    def from_document(cls, document: Mapping[str, Any], *, source: str) -> SealedList:
        """The sealed list a (checked) document describes, or `DamagedData`."""
        try:
            header = document["header"]
            settings = dict(header["settings"])
            settings["day_starts_at"] = time.fromisoformat(settings["day_starts_at"])
            public_key = _unb64(document["public_key"])
            info = ListInfo(
                id=str(header["id"]),
                name=list_name(str(header["title"]), str(header["id"])),
                title=str(header["title"]),
                author=str(header["author"]),
                item_count=int(header["item_count"]),
                fingerprint=fingerprint(public_key),
                settings=Settings(**settings),
                letter=str(header["letter"]),
                rules=tuple(str(rule) for rule in header["rules"]),
            )
            items = tuple(document["items"])
            sealed = cls(
                info, items, document["content_key"], public_key, _unb64(document["signature"])
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise DamagedData(f"{source} is damaged; `dailylist doctor` tells more") from exc
        if len(items) != info.item_count:
            raise DamagedData(f"{source} is damaged: the item count does not match its items")
        return sealed

    def sealed_item(self, index: int) -> SealedItem:
        """Item `index`, still sealed."""
        document = self.items[index]
        checkin = document.get("checkin")
        return SealedItem(
            nonce=_unb64(document["nonce"]),
            ciphertext=_unb64(document["ciphertext"]),
            checkin=None if checkin is None else _scrypt(checkin),
        )

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
        except (KeyError, TypeError, ValueError) as exc:
            raise DamagedData(f"{self.source} is damaged: item {number} is not readable") from exc
        if sealed.checkin is not None and key is None:
            raise BadInput(f"day {number} is a check-in and needs the author's code")
        if sealed.checkin is None and key is not None:
            raise BadInput(f"day {number} is not a check-in, yet a code's key came with it")
        return open_item(self.info, index, sealed, key or self.content_key, source=self.source)

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
    if stored.get("kind") == "plain":
        return UnsealedList(sealed, _unb64(stored["key"]), source)
    if passphrase is None:
        raise BadInput(f"{source} is protected by a passphrase; give it to open the list")
    wrapping_key = derive(passphrase(), _scrypt(stored["kdf"]))
    try:
        content_key = decrypt(
            wrapping_key,
            _unb64(stored["nonce"]),
            _unb64(stored["wrapped"]),
            sealed.info.id.encode(),
        )
    except WrongKey as exc:
        raise BadInput(f"wrong passphrase for {source}; nothing was opened") from exc
    if len(content_key) != 32:
        raise DamagedData(f"{source} is damaged: its content key has the wrong size")
    return UnsealedList(sealed, content_key, source)


def needs_passphrase(sealed: SealedList) -> bool:
    return sealed.content_key.get("kind") == "passphrase"


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

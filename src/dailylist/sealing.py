"""Sealing and opening lists: AEAD per item, an Ed25519 signature over the whole file.

Each item is encrypted on its own with AES-256-GCM, with the list id, the item's index and
the item count as associated data: an item cannot be edited, moved to another place, or
carried into another list without failing to decrypt. The author's Ed25519 signature
covers the header, the content key, every ciphertext and the public key, so dropping,
adding or swapping items, or changing the letter, is detected.

Ordinary items are encrypted under the list's content key. The content key sits in the
file, or, with a passphrase, wrapped under a key derived from it (scrypt). A check-in
item is encrypted under a key derived (scrypt) from a code that only the author has.

A file from elsewhere is checked in full (`open_sealed`: schema, signature, every item);
the copy kept in the data dir, which was, is read with the standard library (`stored_list`).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from datetime import datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dailylist.canonical import canonical_json, parse_json
from dailylist.cipher import WrongKey, associated_data, decrypt, encrypt
from dailylist.domain import Item, ListInfo, Scrypt, SealedItem, Settings, day_number
from dailylist.errors import BadInput, DamagedData
from dailylist.picking import list_name

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from dailylist.formats import ListSource

SEALED_FORMAT = 1
#: scrypt cost for a passphrase a person chose (128 MiB, a fraction of a second).
PASSPHRASE_KDF_N = 2**17
#: scrypt cost for a random check-in code (80 bits already; still slow to guess).
CHECKIN_KDF_N = 2**15
#: Check-in codes are shown in groups of this many characters, to read aloud.
_CODE_GROUP = 4


def fingerprint(public_key: bytes) -> str:
    """A short, readable name for an author's key: 64 bits of its sha256, in four groups."""
    digest = hashlib.sha256(b"dailylist-author-key:" + public_key).hexdigest()[:16]
    return " ".join(digest[i : i + 4] for i in range(0, 16, 4))


def derive(secret: str, params: Scrypt) -> bytes:
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt as ScryptKdf

    kdf = ScryptKdf(salt=params.salt, length=32, n=params.n, r=params.r, p=params.p)
    return kdf.derive(secret.encode("utf-8"))


def new_checkin_code() -> str:
    """A code for a check-in item: 80 random bits in base32, grouped, e.g. 'K7QF-M2XA-...'."""
    text = base64.b32encode(secrets.token_bytes(10)).decode("ascii")
    return "-".join(text[i : i + _CODE_GROUP] for i in range(0, len(text), _CODE_GROUP))


def normalize_code(code: str) -> str:
    """A code as typed ('k7qf m2xa ...', 0/1/8 for O/I/B) as the letters the key is made of."""
    cleaned = "".join(ch for ch in code.upper() if ch.isalnum())
    return cleaned.translate(str.maketrans("018", "OIB"))


# --- the file's JSON, both ways ---------------------------------------------------------------


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _unb64(text: object) -> bytes:
    if not isinstance(text, str):
        raise TypeError("expected base64 text")
    return base64.b64decode(text, validate=True)


def _scrypt_document(params: Scrypt) -> dict[str, Any]:
    return {"salt": _b64(params.salt), "n": params.n, "r": params.r, "p": params.p}


def _scrypt(document: Mapping[str, Any]) -> Scrypt:
    return Scrypt(
        _unb64(document["salt"]), int(document["n"]), int(document["r"]), int(document["p"])
    )


def _settings_document(settings: Settings) -> dict[str, Any]:
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


# --- sealing ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SealOutput:
    """A sealed file's bytes and the author-only codes of its check-in items (by index)."""

    raw: bytes
    codes: dict[int, str]


def _new_kdf(n: int) -> Scrypt:
    return Scrypt(os.urandom(16), n, 8, 1)


def seal(
    source: ListSource,
    author_key: Ed25519PrivateKey,
    created: datetime,
    *,
    passphrase: str | None = None,
) -> SealOutput:
    """Seal `source`, signed with `author_key`; check-in codes are returned, never stored."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    list_id = secrets.token_hex(16)
    content_key = AESGCM.generate_key(bit_length=256)
    count = len(source.items)
    items: list[dict[str, Any]] = []
    codes: dict[int, str] = {}
    for index, item in enumerate(source.items):
        nonce = os.urandom(12)
        plaintext = canonical_json(item_document(item))
        aad = associated_data(list_id, index, count)
        document: dict[str, Any] = {"nonce": _b64(nonce)}
        key = content_key
        if item.checkin:
            codes[index] = new_checkin_code()
            kdf = _new_kdf(CHECKIN_KDF_N)
            key = derive(normalize_code(codes[index]), kdf)
            document["checkin"] = _scrypt_document(kdf)
        document["ciphertext"] = _b64(encrypt(key, nonce, plaintext, aad))
        items.append(document)

    stored_key: dict[str, Any] = {"kind": "plain", "key": _b64(content_key)}
    if passphrase is not None:
        kdf = _new_kdf(PASSPHRASE_KDF_N)
        nonce = os.urandom(12)
        wrapped = encrypt(derive(passphrase, kdf), nonce, content_key, list_id.encode())
        stored_key = {
            "kind": "passphrase",
            "kdf": _scrypt_document(kdf),
            "nonce": _b64(nonce),
            "wrapped": _b64(wrapped),
        }
    public_key = author_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    unsigned = {
        "format": SEALED_FORMAT,
        "header": {
            "id": list_id,
            "title": source.title,
            "author": source.author,
            "letter": source.letter,
            "rules": list(source.rules),
            "settings": _settings_document(source.settings),
            "item_count": count,
            "created": created.isoformat(),
        },
        "content_key": stored_key,
        "items": items,
        "public_key": _b64(public_key),
    }
    signed = {**unsigned, "signature": _b64(author_key.sign(canonical_json(unsigned)))}
    text = json.dumps(signed, indent=2, ensure_ascii=False) + "\n"
    return SealOutput(text.encode("utf-8"), codes)


# --- opening ---------------------------------------------------------------------------------


def _document(raw: bytes, source: str) -> dict[str, Any]:
    """The JSON object of a sealed file, checked as far as its format version."""
    try:
        data: Any = parse_json(raw)
    except ValueError as exc:
        raise BadInput(f"{source} is not a sealed dailylist list (not valid JSON: {exc})") from exc
    if not isinstance(data, dict) or "format" not in data:
        raise BadInput(f"{source} is not a sealed dailylist list (no format version)")
    version = data["format"]
    if not isinstance(version, int) or isinstance(version, bool):
        raise DamagedData(f"{source} is damaged: its format version is not a number")
    if version > SEALED_FORMAT:
        raise BadInput(
            f"{source} was sealed by a newer dailylist (format {version}; this one reads "
            f"up to {SEALED_FORMAT}); upgrade dailylist to open it"
        )
    if version < 1:
        raise DamagedData(f"{source} is damaged: unknown format version {version}")
    return data


def parse_sealed(raw: bytes, *, source: str = "the list file") -> SealedList:
    """Parse and authenticate a sealed list, or raise `BadInput`/`DamagedData` saying why.

    This checks the format, the schema and the author's signature; it decrypts nothing.
    """
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    from dailylist.formats import check_sealed_document

    data = _document(raw, source)
    checked = check_sealed_document(data, source=source)
    try:
        # The signature covers the text as written, not our re-reading of it, so that
        # even a change that parses to the same value (say 'T' to 't' in a date) counts.
        as_written = {key: value for key, value in data.items() if key != "signature"}
        Ed25519PublicKey.from_public_bytes(checked.public_key).verify(
            checked.signature, canonical_json(as_written)
        )
    except InvalidSignature as exc:
        raise DamagedData(
            f"{source} was changed after sealing: the author's signature does not match"
        ) from exc
    return SealedList.from_document(data, source=source)


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


def open_sealed(
    raw: bytes,
    *,
    source: str = "the list file",
    passphrase: Callable[[], str] | None = None,
) -> UnsealedList:
    """Everything `open` checks: format, signature, passphrase, and every item's integrity."""
    unsealed = unlock(parse_sealed(raw, source=source), passphrase=passphrase, source=source)
    unsealed.check_items()
    return unsealed


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


def load_or_create_author_key(path: Path) -> tuple[Ed25519PrivateKey, bool]:
    """The author's signing key at `path`, created (mode 0600) on first use.

    Returns the key and whether it was just created.
    """
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import (
        Encoding,
        NoEncryption,
        PrivateFormat,
        load_pem_private_key,
    )

    if path.exists():
        try:
            key = load_pem_private_key(path.read_bytes(), password=None)
        except (ValueError, TypeError, OSError) as exc:
            raise DamagedData(f"the author key at {path} cannot be read ({exc})") from exc
        if not isinstance(key, Ed25519PrivateKey):
            raise DamagedData(f"the author key at {path} is not an Ed25519 key")
        return key, False

    from dailylist.store import write_atomic

    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    write_atomic(path, pem)
    return key, True

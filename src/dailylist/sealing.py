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
`sealed_list` holds the list it describes.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from dailylist.canonical import canonical_json, parse_json
from dailylist.cipher import associated_data, derive, encrypt, new_checkin_code, normalize_code
from dailylist.codec import b64, encode
from dailylist.domain import Scrypt, Sealed, SealedItem
from dailylist.errors import BadInput, DamagedData
from dailylist.sealed_list import (
    SEALED_FORMAT,
    PassphraseKey,
    PlainKey,
    SealedFile,
    SealedHeader,
    SealedList,
    UnsealedList,
    check_sealed_document,
    enclosure_data,
    fallback_data,
    item_document,
    sha256_hex,
    unlock,
)

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from dailylist.formats import ListSource

#: scrypt cost for a passphrase a person chose (128 MiB, a fraction of a second).
PASSPHRASE_KDF_N = 2**17
#: scrypt cost for a random check-in code (80 bits already; still slow to guess).
CHECKIN_KDF_N = 2**15


# --- sealing ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SealOutput:
    """A sealed file's bytes and the author-only codes of its check-in items (by index)."""

    raw: bytes
    codes: dict[int, str]


def _new_kdf(n: int) -> Scrypt:
    return Scrypt(os.urandom(16), n, 8, 1)


@dataclass(frozen=True)
class Pictures:
    """The pictures a source encloses, as the JPEGs to seal: the letter's, and items' by
    index."""

    letter: bytes | None = None
    items: dict[int, bytes] | None = None


def _sealed(key: bytes, plaintext: bytes, aad: bytes) -> Sealed:
    nonce = os.urandom(12)
    return Sealed(nonce, encrypt(key, nonce, plaintext, aad))


def seal(
    source: ListSource,
    author_key: Ed25519PrivateKey,
    created: datetime,
    *,
    passphrase: str | None = None,
    pictures: Pictures | None = None,
    follow_recipient: str | None = None,
) -> SealOutput:
    """Seal `source`, signed with `author_key`; check-in codes are returned, never stored.

    Each item's picture (`pictures`) is encrypted under the item's own key (a check-in
    item's: under its code); the letter's is in the header, readable at `open`. With
    `follow_recipient` (for `settings.follow`), the author's follow key is signed in."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    list_id = secrets.token_hex(16)
    content_key = AESGCM.generate_key(bit_length=256)
    count = len(source.items)
    items: list[SealedItem] = []
    codes: dict[int, str] = {}
    enclosed = (pictures.items if pictures else None) or {}
    fallback = source.settings.checkin_fallback_days is not None
    for index, item in enumerate(source.items):
        nonce = os.urandom(12)
        picture = enclosed.get(index)
        shown = replace(item, enclosure=None if picture is None else sha256_hex(picture))
        plaintext = canonical_json(item_document(shown))
        aad = associated_data(list_id, index, count)
        key, kdf = content_key, None
        if item.checkin:
            codes[index] = new_checkin_code()
            kdf = _new_kdf(CHECKIN_KDF_N)
            key = derive(normalize_code(codes[index]), kdf)
        items.append(
            SealedItem(
                nonce,
                encrypt(key, nonce, plaintext, aad),
                kdf,
                None
                if picture is None
                else _sealed(key, picture, enclosure_data(list_id, index, count)),
                _sealed(content_key, key, fallback_data(list_id, index, count))
                if item.checkin and fallback
                else None,
            )
        )

    stored_key: PlainKey | PassphraseKey = PlainKey(key=content_key)
    if passphrase is not None:
        kdf = _new_kdf(PASSPHRASE_KDF_N)
        nonce = os.urandom(12)
        wrapped = encrypt(derive(passphrase, kdf), nonce, content_key, list_id.encode())
        stored_key = PassphraseKey(kdf=kdf, nonce=nonce, wrapped=wrapped)
    public_key = author_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    header = SealedHeader(
        id=list_id,
        title=source.title,
        author=source.author,
        letter=source.letter,
        rules=tuple(source.rules),
        settings=source.settings,
        item_count=count,
        created=created,
        photo=pictures.letter if pictures else None,
        follow_recipient=follow_recipient,
    )
    newer = bool(enclosed) or header.photo is not None or follow_recipient is not None or fallback
    unsigned = SealedFile(
        format=SEALED_FORMAT if newer else 1,
        header=header,
        content_key=stored_key,
        items=tuple(items),
        public_key=public_key,
        signature=bytes(64),
    )
    document = encode(unsigned)
    del document["signature"]
    signed = {**document, "signature": b64(author_key.sign(canonical_json(document)))}
    text = json.dumps(signed, indent=2, ensure_ascii=False) + "\n"
    return SealOutput(text.encode("utf-8"), codes)


# --- opening ---------------------------------------------------------------------------------


def _document(raw: bytes, source: str) -> dict[str, Any]:
    """The JSON object of a sealed file, checked as far as its format version."""
    try:
        data: Any = parse_json(raw)
    except ValueError as exc:
        if _looks_like_a_source(raw):
            raise BadInput(
                f"{source} is a list source (TOML), not a sealed list: seal it first with "
                f"`dailylist seal {source}`, then open the .dlist file"
            ) from exc
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


def _looks_like_a_source(raw: bytes) -> bool:
    """Whether `raw` is a list source: TOML with a title and items."""
    import tomllib

    try:
        document = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError):
        return False
    return "items" in document or "title" in document


def parse_sealed(raw: bytes, *, source: str = "the list file") -> SealedList:
    """Parse and authenticate a sealed list, or raise `BadInput`/`DamagedData` saying why.

    This checks the format, the schema and the author's signature; it decrypts nothing.
    """
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

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


def new_author_key() -> tuple[Ed25519PrivateKey, bytes]:
    """A new author's signing key, and its PEM text to keep."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import (
        Encoding,
        NoEncryption,
        PrivateFormat,
    )

    key = Ed25519PrivateKey.generate()
    return key, key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())


def author_key_from(pem: bytes, *, where: str) -> Ed25519PrivateKey:
    """The author's signing key in PEM text, or `DamagedData` naming `where`."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    try:
        key = load_pem_private_key(pem, password=None)
    except (ValueError, TypeError) as exc:
        raise DamagedData(f"the author key at {where} cannot be read ({exc})") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise DamagedData(f"the author key at {where} is not an Ed25519 key")
    return key

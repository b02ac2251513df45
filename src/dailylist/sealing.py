"""Sealing and opening lists: AEAD per item, an Ed25519 signature over the whole file.

Each item is encrypted on its own with AES-256-GCM under the list's content key, with the
list id, the item's index and the item count as associated data: an item cannot be edited,
moved to another place, or carried into another list without failing to decrypt. The
author's Ed25519 signature covers the header, the content key, every ciphertext and the
public key, so dropping, adding or swapping items, or changing the letter, is detected.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from dailylist.errors import BadInput, DamagedData
from dailylist.models import (
    SEALED_FORMAT,
    ItemContent,
    ListSource,
    PlainContentKey,
    SealedHeader,
    SealedItem,
    SealedList,
    canonical_json,
)

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey


def fingerprint(public_key: bytes) -> str:
    """A short, readable name for an author's key: 64 bits of its sha256, in four groups."""
    digest = hashlib.sha256(b"dailylist-author-key:" + public_key).hexdigest()[:16]
    return " ".join(digest[i : i + 4] for i in range(0, 16, 4))


def _associated_data(list_id: str, index: int, count: int) -> bytes:
    return canonical_json({"list": list_id, "index": index, "count": count})


def seal(source: ListSource, author_key: Ed25519PrivateKey, created: datetime) -> bytes:
    """The bytes of a sealed `.dlist` file for `source`, signed with `author_key`."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    list_id = secrets.token_hex(16)
    content_key = AESGCM.generate_key(bit_length=256)
    aead = AESGCM(content_key)
    count = len(source.items)
    items = []
    for index, item in enumerate(source.items):
        nonce = os.urandom(12)
        plaintext = canonical_json(item.model_dump(mode="json", exclude_none=True))
        ciphertext = aead.encrypt(nonce, plaintext, _associated_data(list_id, index, count))
        items.append(SealedItem(nonce=nonce, ciphertext=ciphertext))

    header = SealedHeader(
        id=list_id,
        title=source.title,
        author=source.author,
        letter=source.letter,
        rules=list(source.rules),
        settings=source.settings,
        item_count=count,
        created=created,
    )
    public_key = author_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    unsigned = SealedList.model_construct(
        format=SEALED_FORMAT,
        header=header,
        content_key=PlainContentKey(key=content_key),
        items=items,
        public_key=public_key,
        signature=b"",
    )
    signature = author_key.sign(unsigned.signed_payload())
    sealed = unsigned.model_copy(update={"signature": signature})
    text = json.dumps(sealed.model_dump(mode="json"), indent=2, ensure_ascii=False)
    return (text + "\n").encode("utf-8")


def parse_sealed(
    raw: bytes, *, source: str = "the list file", check_items: bool = True
) -> SealedList:
    """Parse and authenticate a sealed list, or raise `BadInput`/`DamagedData` saying why.

    With `check_items`, every item is decrypted once (and thrown away) to prove that none
    was damaged; the texts are never returned from here.
    """
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        data: Any = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
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
    try:
        sealed = SealedList.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        place = ".".join(str(part) for part in first["loc"])
        raise DamagedData(
            f"{source} is damaged or tampered with ({place}: {first['msg']})"
        ) from exc

    if len(sealed.public_key) != 32:
        raise DamagedData(f"{source} is damaged: the author's key is not an Ed25519 key")
    try:
        # The signature covers the text as written, not our re-reading of it, so that
        # even a change that parses to the same value (say 'T' to 't' in a date) counts.
        as_written = {key: value for key, value in data.items() if key != "signature"}
        Ed25519PublicKey.from_public_bytes(sealed.public_key).verify(
            sealed.signature, canonical_json(as_written)
        )
    except InvalidSignature as exc:
        raise DamagedData(
            f"{source} was changed after sealing: the author's signature does not match"
        ) from exc
    if len(sealed.items) != sealed.header.item_count:
        raise DamagedData(f"{source} is damaged: the item count does not match its items")
    if check_items:
        for index in range(len(sealed.items)):
            decrypt_item(sealed, index, source=source)
    return sealed


def decrypt_item(sealed: SealedList, index: int, *, source: str = "the list file") -> ItemContent:
    """The text of item `index` (0-based). Callers decide whether it may be shown."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    item = sealed.items[index]
    aad = _associated_data(sealed.header.id, index, sealed.header.item_count)
    try:
        plaintext = AESGCM(sealed.content_key.key).decrypt(item.nonce, item.ciphertext, aad)
        return ItemContent.model_validate_json(plaintext)
    except (InvalidTag, ValidationError) as exc:
        raise DamagedData(f"{source} is damaged: item {index + 1} does not decrypt") from exc


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


def public_key_b64(sealed: SealedList) -> str:
    return base64.b64encode(sealed.public_key).decode("ascii")

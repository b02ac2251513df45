"""Sealing and opening lists: AEAD per item, an Ed25519 signature over the whole file.

Each item is encrypted on its own with AES-256-GCM, with the list id, the item's index and
the item count as associated data: an item cannot be edited, moved to another place, or
carried into another list without failing to decrypt. The author's Ed25519 signature
covers the header, the content key, every ciphertext and the public key, so dropping,
adding or swapping items, or changing the letter, is detected.

Ordinary items are encrypted under the list's content key. The content key sits in the
file, or, with a passphrase, wrapped under a key derived from it (scrypt). A check-in
item is encrypted under a key derived (scrypt) from a code that only the author has.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from dailylist.cipher import WrongKey, associated_data, decrypt, encrypt
from dailylist.errors import BadInput, DamagedData
from dailylist.models import (
    SEALED_FORMAT,
    ItemContent,
    ListSource,
    PassphraseContentKey,
    PlainContentKey,
    ScryptParams,
    SealedHeader,
    SealedItem,
    SealedList,
    canonical_json,
    parse_json,
)

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

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


def _derive(secret: str, params: ScryptParams) -> bytes:
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    kdf = Scrypt(salt=params.salt, length=32, n=params.n, r=params.r, p=params.p)
    return kdf.derive(secret.encode("utf-8"))


def _new_kdf(n: int) -> ScryptParams:
    return ScryptParams(salt=os.urandom(16), n=n, r=8, p=1)


def new_checkin_code() -> str:
    """A code for a check-in item: 80 random bits in base32, grouped, e.g. 'K7QF-M2XA-...'."""
    text = base64.b32encode(secrets.token_bytes(10)).decode("ascii")
    return "-".join(text[i : i + _CODE_GROUP] for i in range(0, len(text), _CODE_GROUP))


def normalize_code(code: str) -> str:
    """A code as typed ('k7qf m2xa ...', 0/1/8 for O/I/B) as the letters the key is made of."""
    cleaned = "".join(ch for ch in code.upper() if ch.isalnum())
    return cleaned.translate(str.maketrans("018", "OIB"))


@dataclass(frozen=True)
class SealOutput:
    """A sealed file's bytes and the author-only codes of its check-in items (by index)."""

    raw: bytes
    codes: dict[int, str]


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
    items: list[SealedItem] = []
    codes: dict[int, str] = {}
    for index, item in enumerate(source.items):
        nonce = os.urandom(12)
        plaintext = canonical_json(item.model_dump(mode="json", exclude_defaults=True))
        aad = associated_data(list_id, index, count)
        if item.checkin:
            codes[index] = new_checkin_code()
            kdf = _new_kdf(CHECKIN_KDF_N)
            key = _derive(normalize_code(codes[index]), kdf)
            ciphertext = encrypt(key, nonce, plaintext, aad)
            items.append(SealedItem(nonce=nonce, ciphertext=ciphertext, checkin=kdf))
        else:
            ciphertext = encrypt(content_key, nonce, plaintext, aad)
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
    stored_key: PlainContentKey | PassphraseContentKey
    if passphrase is None:
        stored_key = PlainContentKey(key=content_key)
    else:
        kdf = _new_kdf(PASSPHRASE_KDF_N)
        nonce = os.urandom(12)
        wrapped = encrypt(_derive(passphrase, kdf), nonce, content_key, list_id.encode())
        stored_key = PassphraseContentKey(kdf=kdf, nonce=nonce, wrapped=wrapped)
    public_key = author_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    unsigned = SealedList.model_construct(
        format=SEALED_FORMAT,
        header=header,
        content_key=stored_key,
        items=items,
        public_key=public_key,
        signature=b"",
    )
    signature = author_key.sign(unsigned.signed_payload())
    document = unsigned.model_copy(update={"signature": signature}).document()
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    return SealOutput(text.encode("utf-8"), codes)


def parse_sealed(raw: bytes, *, source: str = "the list file") -> SealedList:
    """Parse and authenticate a sealed list, or raise `BadInput`/`DamagedData` saying why.

    This checks the format, the schema and the author's signature; it decrypts nothing.
    """
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

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
    try:
        sealed = SealedList.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        place = ".".join(str(part) for part in first["loc"])
        raise DamagedData(
            f"{source} is damaged or tampered with ({place}: {first['msg']})"
        ) from exc

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
    return sealed


@dataclass(frozen=True)
class UnsealedList:
    """A sealed list with its content key at hand: items can be decrypted one by one.

    Deciding *whether* an item may be shown is the rules' job, not this class's.
    """

    sealed: SealedList
    content_key: bytes
    source: str = "the list file"

    @property
    def header(self) -> SealedHeader:
        return self.sealed.header

    def is_checkin(self, index: int) -> bool:
        return self.sealed.items[index].checkin is not None

    def item(self, index: int, checkin_key: bytes | None = None) -> ItemContent:
        """The content of item `index` (0-based); a check-in item needs its key."""
        sealed_item = self.sealed.items[index]
        if sealed_item.checkin is not None and checkin_key is None:
            raise BadInput(f"item {index + 1} is a check-in item and needs the author's code")
        key = checkin_key if sealed_item.checkin is not None else self.content_key
        assert key is not None
        try:
            plaintext = decrypt(key, sealed_item.nonce, sealed_item.ciphertext, self.aad(index))
            return ItemContent.model_validate_json(plaintext)
        except (WrongKey, ValidationError) as exc:
            raise DamagedData(
                f"{self.source} is damaged: item {index + 1} does not decrypt"
            ) from exc

    def check_items(self) -> None:
        """Decrypt every item that can be (and throw the texts away) to prove none is damaged.

        Check-in items cannot be decrypted without their codes; the signature covers them.
        """
        for index in range(len(self.sealed.items)):
            if not self.is_checkin(index):
                self.item(index)

    def aad(self, index: int) -> bytes:
        """The associated data item `index` was sealed with."""
        return associated_data(self.header.id, index, self.header.item_count)

    def checkin_key(self, index: int, code: str) -> bytes:
        """The key that the author's `code` gives for check-in item `index`, or `BadInput`."""
        params = self.sealed.items[index].checkin
        if params is None:
            raise BadInput(f"item {index + 1} is not a check-in item")
        key = _derive(normalize_code(code), params)
        sealed_item = self.sealed.items[index]
        try:
            decrypt(key, sealed_item.nonce, sealed_item.ciphertext, self.aad(index))
        except WrongKey as exc:
            raise BadInput(
                f"that is not the code for day {index + 1}; check it with {self.header.author}"
            ) from exc
        return key


def needs_passphrase(sealed: SealedList) -> bool:
    return isinstance(sealed.content_key, PassphraseContentKey)


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
    if isinstance(stored, PlainContentKey):
        return UnsealedList(sealed, stored.key, source)
    if passphrase is None:
        raise BadInput(f"{source} is protected by a passphrase; give it to open the list")
    wrapping_key = _derive(passphrase(), stored.kdf)
    try:
        content_key = decrypt(
            wrapping_key, stored.nonce, stored.wrapped, sealed.header.id.encode()
        )
    except WrongKey as exc:
        raise BadInput(f"wrong passphrase for {source}; nothing was opened") from exc
    if len(content_key) != 32:
        raise DamagedData(f"{source} is damaged: its content key has the wrong size")
    return UnsealedList(sealed, content_key, source)


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

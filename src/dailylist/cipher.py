"""The keys and the cipher of a list: AES-256-GCM with associated data for items (and a
wrapped content key), scrypt for keys made from a passphrase or a check-in code, and the
fingerprint people read an author's key by.

`cryptography` is imported only when a key is used, so that reading a list's facts costs
nothing, and `today` decrypts its one item with nothing else.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from typing import TYPE_CHECKING

from dailylist.canonical import canonical_json

if TYPE_CHECKING:
    from dailylist.domain import Scrypt

#: Check-in codes are shown in groups of this many characters, to read aloud.
_CODE_GROUP = 4


class WrongKey(Exception):
    """The key does not open the item, or the item's bytes were changed."""


def associated_data(list_id: str, index: int, count: int) -> bytes:
    """What each item is bound to: it cannot move to another place or list undetected."""
    return canonical_json({"list": list_id, "index": index, "count": count})


def encrypt(key: bytes, nonce: bytes, plaintext: bytes, aad: bytes) -> bytes:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    return AESGCM(key).encrypt(nonce, plaintext, aad)


def decrypt(key: bytes, nonce: bytes, ciphertext: bytes, aad: bytes) -> bytes:
    """The plaintext, or `WrongKey`."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    try:
        return AESGCM(key).decrypt(nonce, ciphertext, aad)
    except InvalidTag as exc:
        raise WrongKey from exc


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

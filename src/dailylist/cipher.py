"""The cipher of items (and of a wrapped content key): AES-256-GCM with associated data.

Kept apart from `sealing` (which needs pydantic for the file format) so that `today` can
decrypt its one item with nothing but `cryptography`.
"""

from __future__ import annotations

from dailylist.canonical import canonical_json


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

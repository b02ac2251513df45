"""What keeps the remote unreadable: the age format (through pyrage), and names that say
nothing.

A remote has one age identity (an X25519 key). Every file dailylist puts there is encrypted
to it; the identity itself is there too, encrypted with the sync passphrase (age's scrypt
recipient), so that a device that joins unlocks it once and keeps it in a 0600 file. A
person can read any of it with the `age` tool: `age -d keys/NAME.age > identity.txt` (the
passphrase), then `age -d -i identity.txt FILE.age`.

File names are HMAC-SHA256 of what they stand for (a list's id, a device's id, an event's
id, a photo's name) under a key derived from the identity: the same name on every device,
and nothing to learn from it without the identity.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from dailylist.domain import MIN_PASSPHRASE
from dailylist.errors import BadInput


@dataclass(frozen=True)
class Key:
    """A remote's identity, unlocked."""

    secret: str  # "AGE-SECRET-KEY-1..."

    @classmethod
    def generate(cls) -> Key:
        from pyrage import x25519

        return cls(str(x25519.Identity.generate()))

    @classmethod
    def parse(cls, text: str) -> Key:
        """A key as kept on a device, or `ValueError`."""
        from pyrage import IdentityError, x25519

        secret = text.strip()
        try:
            x25519.Identity.from_str(secret)
        except (IdentityError, ValueError) as exc:
            raise ValueError("not an age identity") from exc
        return cls(secret)

    def name(self, what: str, value: str) -> str:
        """The file name that stands for `value` (a `what`: list, device, event, photo)."""
        key = hashlib.sha256(b"dailylist names\0" + self.secret.encode()).digest()
        message = f"{what}\0{value}".encode()
        return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]

    def seal(self, plaintext: bytes) -> bytes:
        """`plaintext` encrypted to this identity, in the age format."""
        import pyrage
        from pyrage import x25519

        recipient = x25519.Identity.from_str(self.secret).to_public()
        sealed: bytes = pyrage.encrypt(plaintext, [recipient])
        return sealed

    def open(self, sealed: bytes) -> bytes:
        """The plaintext of an age file encrypted to this identity; `ValueError` for one
        that is damaged, cut short (still being copied) or not to this identity."""
        import pyrage
        from pyrage import x25519

        try:
            plaintext: bytes = pyrage.decrypt(sealed, [x25519.Identity.from_str(self.secret)])
        except pyrage.DecryptError as exc:
            raise ValueError("it does not open with this remote's key") from exc
        return plaintext

    def wrapped(self, passphrase: str) -> bytes:
        """This identity encrypted with `passphrase` (age's scrypt: some seconds, once)."""
        from pyrage import passphrase as age_passphrase

        check_passphrase(passphrase)
        wrapped: bytes = age_passphrase.encrypt(self.secret.encode() + b"\n", passphrase)
        return wrapped


def unwrap(wrapped: bytes, passphrase: str) -> Key:
    """The identity in a passphrase-encrypted file, or `BadInput` for a wrong passphrase."""
    from pyrage import DecryptError
    from pyrage import passphrase as age_passphrase

    try:
        return Key.parse(age_passphrase.decrypt(wrapped, passphrase).decode("utf-8"))
    except (DecryptError, ValueError, UnicodeDecodeError) as exc:
        raise BadInput(
            "the sync passphrase is not this remote's (or the remote is not a dailylist "
            "remote of yours); nothing was changed"
        ) from exc


def check_passphrase(passphrase: str) -> None:
    if len(passphrase) < MIN_PASSPHRASE:
        raise BadInput(f"a sync passphrase needs at least {MIN_PASSPHRASE} characters")

"""The pictures an author encloses in a list, as the recipient's data dir keeps them: the
letter's from `open`, each item's from its reveal, never before.

A picture is kept in the list's photo store under its content address (`<sha256>.jpg`),
like a proof photo: the sealed copy holds it encrypted with its item until then, so no
file in the data dir holds an item's picture before its day.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING

from dailylist.errors import BadInput
from dailylist.store import file_sha256, write_atomic

if TYPE_CHECKING:
    from collections.abc import Callable

    from dailylist.sealed_list import UnsealedList
    from dailylist.store import ListFiles


def path_of(files: ListFiles, sha256: str) -> Path:
    """Where the picture `sha256` is kept once it may be."""
    return files.photo(f"{sha256}.jpg")


def keep(files: ListFiles, sha256: str, picture: Callable[[], bytes | None]) -> Path | None:
    """The kept picture `sha256`, written from `picture()` (decrypted only when it is not
    kept yet, or not whole); None when there is none to keep."""
    path = path_of(files, sha256)
    with contextlib.suppress(OSError):
        if path.is_file() and file_sha256(path) == sha256:
            return path
    raw = picture()
    if raw is None:
        return None
    from dailylist.sealed_list import sha256_hex

    if sha256_hex(raw) != sha256:
        raise BadInput("an enclosed picture is not the one its item names")
    write_atomic(path, raw)
    return path


def letter_photo(files: ListFiles, unsealed: UnsealedList) -> Path | None:
    """The letter's picture, kept (it is readable by anyone holding the list)."""
    sha256 = unsealed.info.letter_photo
    if sha256 is None:
        return None
    return keep(files, sha256, lambda: unsealed.sealed.letter_photo)


def item_picture(
    files: ListFiles, unsealed: UnsealedList, index: int, key: bytes | None
) -> Path | None:
    """The picture of item `index`, kept; call only once the item is revealed (`key`:
    its check-in key, for a check-in item)."""
    sha256 = unsealed.item(index, key).enclosure
    if sha256 is None:
        return None
    return keep(files, sha256, lambda: unsealed.enclosure(index, key))

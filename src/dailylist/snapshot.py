"""The snapshot file: what the everyday commands need, kept beside the journal.

After every journal write, `recipient.commit_journal` leaves a small `snapshot.json` beside
the journal, derived from the checked list and journal: the list's public facts, where it
stands (`rules.Standing`), the content key, and the next item *still sealed*
(`records.Snapshot` is its typed form). `today`, `status`, `done` and `prompt` read it
instead of checking the whole list and journal again, and decrypt at most one item, so they
cost the same for a list of 1 item or 10,000 and a journal of 0 days or 3,650.

A snapshot is never the truth. It names the sha256 of the journal and of the sealed copy it
was derived from, and is used only while both files on disk have exactly those bytes (and
its own checksum holds); any other journal or list (edited, restored, damaged, written by
another version) sends the command down the full path, which checks the signature, every
event and the hash chain again and leaves a new snapshot. It holds nothing the list folder
does not already hold (the content key is in the sealed copy or `content.key`, check-in
keys are in the journal), and no plaintext of any item.

This module reads and writes the file with `os`, `json` and `hashlib` only: it is on the
path of `dailylist prompt`, which runs on every shell prompt.
"""

from __future__ import annotations

import hashlib
import json
import os

TYPE_CHECKING = False  # `typing` alone costs the prompt several milliseconds to import
if TYPE_CHECKING:
    from typing import Any

SNAPSHOT_NAME = "snapshot.json"
JOURNAL_NAME = "journal.json"
SEALED_NAME = "list.dlist"
SNAPSHOT_FORMAT = 1


def digest(raw: bytes) -> str:
    """What a snapshot names the files it was derived from by."""
    return hashlib.sha256(raw).hexdigest()


def _check(document: dict[str, Any]) -> str:
    fields = {key: value for key, value in document.items() if key != "check"}
    return digest(json.dumps(fields, sort_keys=True, separators=(",", ":")).encode())


def encode(document: dict[str, Any]) -> bytes:
    """The file's bytes: the document, with a checksum of itself (so a damaged snapshot is
    never read as a different one)."""
    checked = {**document, "check": _check(document)}
    return json.dumps(checked, ensure_ascii=False).encode("utf-8") + b"\n"


def read_any(folder: str | os.PathLike[str]) -> dict[str, Any] | None:
    """The snapshot document in a list's folder, fresh or not; None if there is none."""
    try:
        with open(os.path.join(folder, SNAPSHOT_NAME), "rb") as handle:
            document = json.loads(handle.read())
    except (OSError, ValueError, RecursionError):
        return None
    if not isinstance(document, dict) or document.get("format") != SNAPSHOT_FORMAT:
        return None
    return document if document.get("check") == _check(document) else None


def read_fresh(folder: str | os.PathLike[str]) -> dict[str, Any] | None:
    """The snapshot document in a list's folder if the journal and the sealed copy there
    are byte for byte those it was made from; else None."""
    document = read_any(folder)
    if document is None:
        return None
    for name, key in ((JOURNAL_NAME, "journal_sha256"), (SEALED_NAME, "sealed_sha256")):
        try:
            with open(os.path.join(folder, name), "rb") as handle:
                if digest(handle.read()) != document.get(key):
                    return None
        except OSError:
            return None
    return document

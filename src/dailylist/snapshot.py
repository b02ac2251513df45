"""The snapshot file: what the everyday commands need, kept beside the journal.

After every journal write, `recipient.commit_journal` leaves a small `snapshot.json` beside
the journal, derived from the checked list and journal: the list's public facts, where it
stands (`rules.Standing`), the content key, and the next item *still sealed*
(`records.Snapshot` is its typed form). `today`, `status`, `done` and `prompt` read it
instead of checking the whole list and journal again, and decrypt at most one item, so they
cost the same for a list of 1 item or 10,000 and a journal of 0 days or 3,650.

A snapshot is never the truth. It names the sha256 of the journal bytes it was derived from
and is used only while the journal on disk has exactly those bytes; any other journal
(edited, restored, written by another version) sends the command down the full path, which
checks every event and the hash chain again and leaves a new snapshot. It holds nothing the
list folder does not already hold (the content key is in the sealed copy or `content.key`,
check-in keys are in the journal), and no plaintext of any item.

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
SNAPSHOT_FORMAT = 1


def journal_digest(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def encode(document: dict[str, Any]) -> bytes:
    return json.dumps(document, ensure_ascii=False).encode("utf-8") + b"\n"


def read_any(folder: str | os.PathLike[str]) -> dict[str, Any] | None:
    """The snapshot document in a list's folder, fresh or not; None if there is none."""
    try:
        with open(os.path.join(folder, SNAPSHOT_NAME), "rb") as handle:
            document = json.loads(handle.read())
    except (OSError, ValueError, RecursionError):
        return None
    if not isinstance(document, dict) or document.get("format") != SNAPSHOT_FORMAT:
        return None
    return document


def read_fresh(folder: str | os.PathLike[str]) -> dict[str, Any] | None:
    """The snapshot document in a list's folder if it matches the journal there byte for
    byte; else None."""
    document = read_any(folder)
    if document is None:
        return None
    try:
        with open(os.path.join(folder, JOURNAL_NAME), "rb") as handle:
            journal = handle.read()
    except OSError:
        return None
    return document if document.get("journal_sha256") == journal_digest(journal) else None

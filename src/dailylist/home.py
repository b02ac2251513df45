"""Where dailylist keeps its data: `$DAILYLIST_HOME`, else the platform's user data dir; the
names of the files it keeps there, and how a file's bytes are named by their hash.

Standard library only (platformdirs is loaded when the variable is not set): `dailylist
prompt` starts here, so `store` (which writes them) takes these names from here.
"""

from __future__ import annotations

import hashlib
import os

HOME_ENV = "DAILYLIST_HOME"

#: The folders of open and of closed lists in the data dir, each list's by its id.
LISTS = "lists"
ARCHIVE = "archive"
#: A list's files in its folder.
SEALED_NAME = "list.dlist"
JOURNAL_NAME = "journal.json"
SNAPSHOT_NAME = "snapshot.json"


def digest(raw: bytes) -> str:
    """The sha256 of `raw`, as dailylist names bytes (a sealed copy, a journal, a photo)."""
    return hashlib.sha256(raw).hexdigest()


def list_ids(root: str, *, folder: str = LISTS) -> list[str]:
    """The ids of the open lists in the data dir at `root` (or, with `folder=ARCHIVE`,
    the closed ones), oldest opened first: every folder there that holds a sealed copy or
    a journal (one without the other is damage, which the commands report; it is never
    left out)."""
    folder = os.path.join(root, folder)
    found = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return []
    for entry in entries:
        if not entry.is_dir(follow_symlinks=False):
            continue
        for name in (SEALED_NAME, JOURNAL_NAME):
            try:
                found.append((os.stat(os.path.join(entry.path, name)).st_mtime_ns, entry.name))
                break
            except OSError:
                continue
    return [list_id for _, list_id in sorted(found)]


def data_home() -> str:
    """The data dir, resolved on every call."""
    override = os.environ.get(HOME_ENV)
    if override:
        return os.path.expanduser(override)
    import platformdirs

    return platformdirs.user_data_dir("dailylist", appauthor=False)

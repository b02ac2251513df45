"""Which list a command means: the one function that reads `--list`, for the prompt's quick
path and for every click command alike.

A list is a folder under `lists/` of the data dir named by its id. `--list` takes the list's
name (its title in lower case with dashes), a unique start of the name, or the start of its
id; without it, the only list, else the one opened last. Names come from each list's
snapshot, else from its sealed copy's header. Standard library only (`os`, `json`), and
light to import: `dailylist prompt` runs this on every shell prompt.
"""

from __future__ import annotations

import json
import os

from dailylist import limits, snapshot
from dailylist.errors import BadInput
from dailylist.home import ARCHIVE, LISTS, SEALED_NAME, list_ids

STATE = "state.json"


def list_name(title: str, list_id: str) -> str:
    """The short name of a list for `--list`: its title in lower case, words joined by '-'."""
    words, word = [], []
    for char in title.lower():
        if "a" <= char <= "z" or "0" <= char <= "9":
            word.append(char)
        elif word:
            words.append("".join(word))
            word = []
    if word:
        words.append("".join(word))
    return "-".join(words) or list_id[:8]


def name_of(root: str, list_id: str) -> str:
    """An open list's name (see `name_in`)."""
    return name_in(os.path.join(root, LISTS, list_id), list_id)


def name_in(folder: str | os.PathLike[str], list_id: str) -> str:
    """The name of the list kept in `folder`: from its snapshot when it has one (cheap),
    else its sealed copy, else the start of its id."""
    document = snapshot.read_any(folder)
    if document is not None:
        listed = document.get("list")
        if isinstance(listed, dict) and isinstance(listed.get("name"), str):
            return str(listed["name"])
    try:
        sealed = limits.read_file(os.path.join(folder, SEALED_NAME), limits.SEALED_LIST)
        header = json.loads(sealed)["header"]
        return list_name(str(header["title"]), list_id)
    except (OSError, ValueError, RecursionError, KeyError, TypeError):
        return list_id[:8]


def last_opened(root: str) -> str | None:
    """The id of the list opened last, as `open` noted it."""
    try:
        value = json.loads(limits.read_file(os.path.join(root, STATE), limits.SMALL))[
            "last_opened"
        ]
    except (OSError, ValueError, KeyError, TypeError, RecursionError):
        return None
    return value if isinstance(value, str) else None


def pick(root: str, wanted: str | None, *, guess: bool = True) -> str:
    """The id of the list `wanted` names (None: the default one), or `BadInput` saying which
    lists there are. Without `guess`, None means the only open list: with several open,
    `BadInput` names them (for what goes to someone else, such as a report)."""
    ids = list_ids(root)
    if not ids:
        _refuse_closed(root, wanted)
        raise BadInput("no list is open yet: run `dailylist open FILE.dlist` first")
    if wanted is None:
        if len(ids) == 1:
            return ids[0]
        if not guess:
            open_names = sorted(name_of(root, list_id) for list_id in ids)
            raise BadInput(
                f"{len(ids)} lists are open ({', '.join(open_names)}): say which with --list NAME"
            )
        last = last_opened(root)
        return last if last in ids else ids[-1]
    key = wanted.strip().lower()
    names = {list_id: name_of(root, list_id) for list_id in ids}
    matches = [i for i, name in names.items() if name == key]
    matches = matches or [i for i, name in names.items() if key and name.startswith(key)]
    matches = matches or [i for i in ids if len(key) >= 4 and i.startswith(key)]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        _refuse_closed(root, wanted)
        choices = ", ".join(sorted(names.values()))
        raise BadInput(f"no open list is called {wanted!r}; open lists: {choices}")
    several = ", ".join(sorted(names[i] for i in matches))
    raise BadInput(f"{wanted!r} could be several lists ({several}); give more of the name")


def _refuse_closed(root: str, wanted: str | None) -> None:
    """Say so when `wanted` names a closed list (one `dailylist close` archived)."""
    key = (wanted or "").strip().lower()
    if not key:
        return
    for list_id in list_ids(root, folder=ARCHIVE):
        name = name_in(os.path.join(root, ARCHIVE, list_id), list_id)
        if name.startswith(key) or (len(key) >= 4 and list_id.startswith(key)):
            raise BadInput(
                f"{name} is closed: `dailylist open` with its sealed file brings it back, "
                "journal and photos as they were (`dailylist status --all` shows it)"
            )

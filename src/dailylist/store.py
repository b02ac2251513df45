"""Where dailylist keeps things, and how it writes them without ever losing data.

Layout under the data dir (`$DAILYLIST_HOME`, else platformdirs' user data dir)::

    author/ed25519.pem            the author's signing key (0600)
    device.json                   this device's id, recorded in every event
    state.json                    which list was opened last
    lists/<id>/list.dlist         the sealed list, byte for byte as opened
    lists/<id>/content.key        for a passphrase list only: the key it unwrapped
    lists/<id>/journal.json       the append-only event log (.bak: the version before)
    lists/<id>/journal.lock       held while a command reads-then-writes the journal
    lists/<id>/snapshot.json      what the everyday commands read (a cache; see `snapshot`)
    lists/<id>/photos/<sha256>.<ext>   content-addressed photo copies

Writes are atomic (temp file, fsync, `os.replace`, fsync of the directory); every directory
is 0700 and every file 0600, because reflections and photos are private.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dailylist.errors import BadInput, DamagedData, NotNow
from dailylist.home import data_home

if TYPE_CHECKING:
    from dailylist.models import Journal, SealedHeader
    from dailylist.records import SealedRecord
    from dailylist.sealing import UnsealedList

LOCK_TIMEOUT_SECONDS = 15.0


def data_root() -> Path:
    """The data dir, resolved on every call: `$DAILYLIST_HOME`, else the platform's."""
    return Path(data_home())


def ensure_private_dir(path: Path) -> Path:
    """Create `path` (and parents) readable by the owner only."""
    missing = [p for p in (path, *path.parents) if not p.exists()]
    try:
        for folder in reversed(missing):
            folder.mkdir(mode=0o700, exist_ok=True)
        if not path.is_dir():
            raise FileExistsError(path)
    except FileExistsError as exc:
        raise BadInput(f"{path} exists and is not a directory") from exc
    except OSError as exc:
        raise BadInput(f"cannot create {path}: {exc.strerror or exc}") from exc
    return path


def _fsync_dir(path: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(path: Path, data: bytes, *, private: bool = True) -> None:
    """Replace `path` with `data` in one step: readers see the old file or the new, never half.

    `private` files (everything in the data dir) are 0600 in a 0700 directory made on
    demand; other files (a sealed list, a template) get 0644 less the umask, and their
    directory must exist. On any failure the old file is left as it was.
    """
    if private:
        ensure_private_dir(path.parent)
        mode = 0o600
    else:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o644 & ~umask
    import tempfile

    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        tmp.chmod(mode)
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


@dataclass(frozen=True)
class ListFiles:
    """The files of one opened list."""

    root: Path

    @property
    def sealed(self) -> Path:
        return self.root / "list.dlist"

    @property
    def content_key(self) -> Path:
        """Only for passphrase lists: the key the passphrase unwrapped at `open`."""
        return self.root / "content.key"

    @property
    def journal(self) -> Path:
        return self.root / "journal.json"

    @property
    def journal_backup(self) -> Path:
        return self.root / "journal.json.bak"

    @property
    def snapshot(self) -> Path:
        """What the everyday commands read, derived from the journal; never the truth."""
        return self.root / "snapshot.json"

    @property
    def lock(self) -> Path:
        return self.root / "journal.lock"

    @property
    def photos(self) -> Path:
        return self.root / "photos"


@dataclass(frozen=True)
class DataDir:
    """The data dir and everything in it. Build one per command with `DataDir.resolve()`."""

    root: Path

    @classmethod
    def resolve(cls) -> DataDir:
        return cls(data_root())

    # -- author ----------------------------------------------------------------------------

    @property
    def author_key(self) -> Path:
        return self.root / "author" / "ed25519.pem"

    # -- lists -----------------------------------------------------------------------------

    def list_files(self, list_id: str) -> ListFiles:
        return ListFiles(self.root / "lists" / list_id)

    def opened_list_ids(self) -> list[str]:
        """Ids of every opened list, oldest first by when they were opened."""
        lists_dir = self.root / "lists"
        if not lists_dir.is_dir():
            return []
        found = [p for p in lists_dir.iterdir() if (p / "list.dlist").is_file()]
        found.sort(key=lambda p: ((p / "list.dlist").stat().st_mtime_ns, p.name))
        return [p.name for p in found]

    def load_list(self, list_id: str) -> UnsealedList:
        """The stored copy of an opened list, ready to decrypt; its signature is checked."""
        return self.load_list_bytes(list_id)[0]

    def load_list_bytes(self, list_id: str) -> tuple[UnsealedList, bytes]:
        """`load_list`, with the bytes that were checked."""
        from dailylist.sealing import UnsealedList, needs_passphrase, parse_sealed, unlock

        files = self.list_files(list_id)
        source = f"the stored copy of list {list_id}"
        try:
            raw = files.sealed.read_bytes()
        except OSError as exc:
            raise DamagedData(f"{source} cannot be read ({exc.strerror or exc})") from exc
        sealed = parse_sealed(raw, source=source)
        if not needs_passphrase(sealed):
            return unlock(sealed, source=source), raw
        try:
            key = files.content_key.read_bytes()
        except OSError as exc:
            raise DamagedData(
                f"the key of list {list_id} is missing; open the list again"
            ) from exc
        return UnsealedList(sealed, key, source), raw

    def list_header(self, list_id: str) -> SealedHeader:
        """Only the public header of an opened list (cheap: no signature check, no items).

        Enough to name a list; anything that acts on it goes through `load_list`.
        """
        from pydantic import ValidationError

        from dailylist.models import SealedHeader, parse_json

        source = f"the stored copy of list {list_id}"
        try:
            document = parse_json(self.list_files(list_id).sealed.read_bytes())
            return SealedHeader.model_validate(document["header"])
        except (OSError, ValueError, KeyError, TypeError, ValidationError) as exc:
            raise DamagedData(f"{source} is damaged; `dailylist doctor` tells more") from exc

    def sealed_record(self, list_id: str, index: int) -> SealedRecord:
        """Item `index` of an opened list, as sealed, without checking the whole file again.

        The stored copy was checked in full at `open`; should it change since, the item
        still will not decrypt (AES-GCM), and `dailylist doctor` checks the whole file.
        """
        from dailylist.canonical import parse_json
        from dailylist.records import SealedRecord

        try:
            item = parse_json(self.list_files(list_id).sealed.read_bytes())["items"][index]
            return SealedRecord(
                index=index,
                nonce=base64.b64decode(item["nonce"], validate=True),
                ciphertext=base64.b64decode(item["ciphertext"], validate=True),
                checkin="checkin" in item,
            )
        except (OSError, ValueError, KeyError, IndexError, TypeError) as exc:
            raise DamagedData(
                f"the stored copy of list {list_id} is damaged; `dailylist doctor` tells more"
            ) from exc

    def sealed_bytes(self, list_id: str) -> bytes | None:
        path = self.list_files(list_id).sealed
        return path.read_bytes() if path.is_file() else None

    def store_sealed(self, list_id: str, raw: bytes, content_key: bytes | None = None) -> None:
        """Keep the sealed file as opened; for a passphrase list, also its unwrapped key."""
        files = self.list_files(list_id)
        ensure_private_dir(files.photos)
        files.lock.touch(mode=0o600, exist_ok=True)
        if content_key is not None:
            write_atomic(files.content_key, content_key)
        write_atomic(files.sealed, raw)

    def forget_list(self, list_id: str) -> None:
        """Remove an opened list's folder (only used to undo an `open` that failed)."""
        import shutil

        shutil.rmtree(self.list_files(list_id).root, ignore_errors=True)

    # -- journal ---------------------------------------------------------------------------

    @contextlib.contextmanager
    def locked(self, list_id: str) -> Iterator[None]:
        """Hold the list's journal lock: one reader-then-writer at a time, across processes."""
        import filelock

        files = self.list_files(list_id)
        lock = filelock.FileLock(files.lock, timeout=LOCK_TIMEOUT_SECONDS, mode=0o600)
        try:
            lock.acquire()
        except filelock.Timeout as exc:
            raise NotNow(
                "another dailylist command is using this list's journal; try again in a moment"
            ) from exc
        try:
            yield
        finally:
            lock.release()

    def load_journal(self, list_id: str, *, path: Path | None = None) -> Journal:
        """The journal of a list (or the journal file at `path`), checked: schema, list id
        and the whole hash chain."""
        return self.load_journal_bytes(list_id, path=path)[0]

    def load_journal_bytes(
        self, list_id: str, *, path: Path | None = None
    ) -> tuple[Journal, bytes]:
        """`load_journal`, with the bytes that were checked."""
        from dailylist.models import JOURNAL_FORMAT, Journal, parse_json

        files = self.list_files(list_id)
        target = path or files.journal
        where = f"the journal at {target}"
        advice = "it was left as it is" + ("" if path else "; `dailylist doctor` tells more")
        if not target.exists() and not target.is_symlink():
            # An opened list always has one: never start over silently.
            raise DamagedData(f"{where} is missing; `dailylist doctor` tells more")
        try:
            raw = target.read_bytes()
        except IsADirectoryError as exc:
            raise DamagedData(f"{where} is a directory, not a file; {advice}") from exc
        except OSError as exc:
            raise DamagedData(f"{where} cannot be read ({exc.strerror or exc})") from exc
        try:
            data: Any = parse_json(raw)
        except ValueError as exc:
            raise DamagedData(f"{where} is damaged (not valid JSON); {advice}") from exc
        if not isinstance(data, dict) or not isinstance(data.get("format"), int):
            raise DamagedData(f"{where} is damaged (no format version); {advice}")
        if data["format"] > JOURNAL_FORMAT:
            raise BadInput(
                f"{where} was written by a newer dailylist (format {data['format']}); "
                "upgrade dailylist to use it"
            )
        from pydantic import ValidationError

        try:
            journal = Journal.model_validate(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            place = ".".join(str(part) for part in first["loc"])
            raise DamagedData(f"{where} is damaged ({place}: {first['msg']}); {advice}") from exc
        if journal.list_id != list_id:
            raise DamagedData(f"{where} belongs to another list ({journal.list_id}); {advice}")
        prev: str | None = None
        for number, event in enumerate(journal.events, start=1):
            if event.prev != prev or event.computed_id() != event.id:
                raise DamagedData(
                    f"{where} is damaged: event {number} does not match its hash chain; {advice}"
                )
            prev = event.id
        return journal, raw

    def journal_bytes(self, list_id: str) -> bytes:
        """The journal's bytes as they are, unchecked (see `load_journal` for checked)."""
        try:
            return self.list_files(list_id).journal.read_bytes()
        except OSError as exc:
            raise DamagedData(
                f"the journal of list {list_id} cannot be read ({exc.strerror or exc}); "
                "`dailylist doctor` tells more"
            ) from exc

    def save_journal(self, journal: Journal) -> bytes:
        """Write the journal atomically, keeping the version before it as `journal.json.bak`.

        Call this while holding `locked(list_id)`. Returns the bytes written.
        """
        files = self.list_files(journal.list_id)
        old = files.journal.read_bytes() if files.journal.is_file() else None
        return self._replace_journal(journal.list_id, old, journal_text(journal.stored()))

    def append_to_journal(self, list_id: str, raw: bytes, event: dict[str, Any]) -> bytes:
        """Write the journal whose bytes are `raw` with `event` added at the end, keeping
        `raw` as the backup. Call this while holding `locked(list_id)`, with `raw` checked."""
        new = appended_text(raw, event)
        if new is None:  # not laid out as `journal_text` writes it: write it out in full
            document = json.loads(raw)
            document["events"].append(event)
            new = journal_text(document)
        return self._replace_journal(list_id, raw, new)

    def _replace_journal(self, list_id: str, old: bytes | None, new: bytes) -> bytes:
        files = self.list_files(list_id)
        if old is not None:
            write_atomic(files.journal_backup, old)
        write_atomic(files.journal, new)
        return new

    def save_snapshot(self, list_id: str, raw: bytes) -> None:
        """Leave the everyday commands' snapshot beside the journal; failing to is no error
        (they take the full path instead)."""
        with contextlib.suppress(OSError):
            write_atomic(self.list_files(list_id).snapshot, raw)

    # -- photos ----------------------------------------------------------------------------

    def keep_photo(self, list_id: str, staged: Path, stored_name: str) -> bool:
        """Move a checked photo's private copy (written and synced in this list's photo
        folder by `photos.check_photo`) to its content address; True when a new file was
        made, False when the same bytes were kept already (the copy is then removed)."""
        path = self.list_files(list_id).photos / stored_name
        if path.is_file():
            with contextlib.suppress(OSError):
                if file_sha256(path) == stored_name.split(".")[0]:
                    staged.unlink(missing_ok=True)
                    return False
        staged.replace(path)  # made 0600 by mkstemp
        _fsync_dir(path.parent)
        return True

    def photo_path(self, list_id: str, stored_name: str) -> Path:
        return self.list_files(list_id).photos / stored_name

    # -- small state files -----------------------------------------------------------------

    def _read_small_json(self, path: Path) -> dict[str, Any]:
        try:
            value = json.loads(path.read_text("utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            return {}
        return value if isinstance(value, dict) else {}

    def last_opened(self) -> str | None:
        value = self._read_small_json(self.root / "state.json").get("last_opened")
        return value if isinstance(value, str) else None

    def set_last_opened(self, list_id: str) -> None:
        state = self._read_small_json(self.root / "state.json")
        state["last_opened"] = list_id
        write_atomic(self.root / "state.json", json.dumps(state, indent=2).encode() + b"\n")

    def device_id(self) -> str:
        """This device's name in events: its host name and a random suffix, made once."""
        import secrets
        import socket

        path = self.root / "device.json"
        value = self._read_small_json(path).get("id")
        if isinstance(value, str) and value:
            return value
        host = socket.gethostname().split(".")[0] or "device"
        device = f"{host}-{secrets.token_hex(3)}"
        write_atomic(path, json.dumps({"id": device}).encode() + b"\n")
        return device


def journal_text(document: dict[str, Any]) -> bytes:
    """A journal as written to disk: indented JSON with one event per line.

    One line per event keeps the file readable and its diffs small, and lets the C encoder
    write each event (an indented dump goes through the slow pure-Python one).
    """
    encode = json.JSONEncoder(ensure_ascii=False).encode
    head = {key: value for key, value in document.items() if key != "events"}
    lines = [f"  {encode(key)}: {encode(value)}," for key, value in head.items()]
    events = ",\n".join(f"    {encode(event)}" for event in document["events"])
    listed = f"[\n{events}\n  ]" if events else "[]"
    return ("{\n" + "\n".join(lines) + f'\n  "events": {listed}\n}}\n').encode("utf-8")


_JOURNAL_TAIL = b"\n  ]\n}\n"


def appended_text(raw: bytes, event: dict[str, Any]) -> bytes | None:
    """The journal `raw` (as `journal_text` writes it) with `event` as a new last line, or
    None when `raw` is laid out otherwise.

    `raw` must be a checked journal: the only list among its keys is `events`, so the `]`
    that ends the file's last value closes it, and the `}` just before ends its last event.
    """
    body = raw[: -len(_JOURNAL_TAIL)]
    if not raw.endswith(_JOURNAL_TAIL) or not body.rstrip().endswith(b"}"):
        return None
    line = json.JSONEncoder(ensure_ascii=False).encode(event).encode("utf-8")
    return body + b",\n    " + line + _JOURNAL_TAIL


def file_sha256(path: Path) -> str:
    """The sha256 of a file, read a piece at a time."""
    import hashlib

    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while piece := handle.read(1024 * 1024):
            digest.update(piece)
    return digest.hexdigest()


def read_input_file(path: Path, *, what: str) -> bytes:
    """The bytes of a file the user named, or `BadInput` saying plainly why not."""
    try:
        return path.read_bytes()
    except FileNotFoundError as exc:
        raise BadInput(f"{path} does not exist") from exc
    except IsADirectoryError as exc:
        raise BadInput(f"{path} is a directory, not a {what}") from exc
    except OSError as exc:
        raise BadInput(f"cannot read {path}: {exc.strerror or exc}") from exc


# --- the example lists bundled with the package --------------------------------------------


def _example_dirs() -> list[Path]:
    from importlib.resources import files

    dirs = []
    bundled = files("dailylist") / "examples"
    if bundled.is_dir():
        dirs.append(Path(str(bundled)))
    # An editable install or a checkout: the repository's lists/ folder.
    checkout = Path(__file__).resolve().parents[2] / "lists"
    if checkout.is_dir():
        dirs.append(checkout)
    return dirs


def example_names() -> list[str]:
    """The names of the bundled example lists."""
    return sorted({p.stem for d in _example_dirs() for p in d.glob("*.dlist")})


def example_path(name: str) -> Path:
    """The sealed file of the bundled example `name`, or `BadInput` naming the choices."""
    for folder in _example_dirs():
        candidate = folder / f"{name}.dlist"
        if candidate.is_file():
            return candidate
    choices = ", ".join(example_names()) or "none are installed"
    raise BadInput(f"there is no example list called {name!r}; examples: {choices}")

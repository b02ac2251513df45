"""Where dailylist keeps things, and how it writes them without ever losing data.

Layout under the data dir (`$DAILYLIST_HOME`, else platformdirs' user data dir)::

    author/ed25519.pem            the author's signing key (0600)
    device.json                   this device's id (in every event) and signing key (0600)
    state.json                    which list was opened last
    lists/<id>/list.dlist         the sealed list, byte for byte as opened
    lists/<id>/content.key        for a passphrase list only: the key it unwrapped
    lists/<id>/journal.json       the append-only event log (.bak: the version before)
    lists/<id>/journal.lock       held while a command reads-then-writes the journal
    lists/<id>/snapshot.json      what the everyday commands read (a cache; see `snapshot`)
    lists/<id>/photos/<sha256>.<ext>   content-addressed photo copies
    lists/<id>/page-copies/<sha256>-<px>.jpg   the phone page's copies of them (a cache)

This module knows paths and bytes, and parses nothing: writes are atomic (temp file,
fsync, `os.replace`, fsync of the directory), every directory is 0700 and every file 0600,
because reflections and photos are private, and one lock per list keeps writers apart.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from dailylist import limits
from dailylist.errors import BadInput, DailylistError, DamagedData, NotNow
from dailylist.home import (
    ARCHIVE,
    JOURNAL_NAME,
    LISTS,
    SEALED_NAME,
    SNAPSHOT_NAME,
    data_home,
    list_ids,
)

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


def write_atomic(path: Path, data: bytes) -> None:
    """Replace the data dir's file at `path` with `data` in one step: readers see the old
    file or the new, never half. It is 0600, in a 0700 folder made on demand; on any
    failure the old file is left as it was."""
    ensure_private_dir(path.parent)
    _replace(path, data, 0o600)


def check_out(path: Path, home: Path, *, what: str, force: bool) -> None:
    """`BadInput` unless a file a person asked for may be written at `path`: a new file in
    a folder that exists, or with `force` a regular file; never in the data dir at `home`,
    never over a folder, a device or a pipe. Every command that writes outside the data
    dir asks this first, before it does any work."""
    target, inside = path.resolve(), home.resolve()
    if target == inside or inside in target.parents:
        raise BadInput(f"{path} is inside the data dir; write the {what} somewhere else")
    if path.is_symlink() or path.exists():
        kind = path.stat().st_mode if path.exists() else path.lstat().st_mode
        if stat.S_ISDIR(kind):
            raise BadInput(f"{path} is a directory; give a file name for the {what}")
        if not stat.S_ISREG(kind):
            raise BadInput(f"{path} is not a regular file; the {what} is written only to one")
        if not force:
            raise BadInput(f"{path} already exists; choose another name or pass --force")
    if not path.parent.is_dir():
        raise BadInput(f"cannot write {path}: the folder {path.parent} does not exist")


def write_out(path: Path, data: bytes, *, what: str, private: bool = False) -> None:
    """Write a file a person asked for, outside the data dir (a template, a sealed list and
    its codes, a report, a calendar), in one step like `write_atomic`: 0644 less the umask,
    or 0600 when `private`. Its folder must exist; `BadInput` names `path` otherwise."""
    if path.is_dir():
        raise BadInput(f"{path} is a directory; give a file name for the {what}")
    if not path.parent.is_dir():
        raise BadInput(f"cannot write {path}: the folder {path.parent} does not exist")
    umask = os.umask(0)
    os.umask(umask)
    try:
        _replace(path, data, 0o600 if private else 0o644 & ~umask)
    except OSError as exc:
        raise BadInput(f"cannot write {path}: {exc.strerror or exc}") from exc


def write_out_by(path: Path, write: Callable[[BinaryIO], None], *, what: str) -> None:
    """`write_out` for a file that `write` writes a piece at a time into the handle it is
    given (a zip of photos), so that none of it is held whole in memory."""
    if path.is_dir():
        raise BadInput(f"{path} is a directory; give a file name for the {what}")
    if not path.parent.is_dir():
        raise BadInput(f"cannot write {path}: the folder {path.parent} does not exist")
    umask = os.umask(0)
    os.umask(umask)
    try:
        _replace(path, write, 0o644 & ~umask)
    except OSError as exc:
        raise BadInput(f"cannot write {path}: {exc.strerror or exc}") from exc


def _replace(path: Path, data: bytes | Callable[[BinaryIO], None], mode: int) -> None:
    import tempfile

    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "w+b") as handle:
            if isinstance(data, bytes):
                handle.write(data)
            else:
                data(handle)
            handle.flush()
            os.fsync(handle.fileno())
        tmp.chmod(mode)
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def _names(path: Path) -> Iterator[Path]:
    """`path`, then `path-2`, `path-3`...: names for something kept for safety."""
    yield path
    for number in range(2, 10_000):
        yield path.with_name(f"{path.name}-{number}")
    raise BadInput(f"there are too many files kept beside {path}; move some away")


def keep_aside(path: Path, data: bytes) -> Path:
    """Keep `data` for safety at `path`, or at `path-2`, `path-3`... whichever is free: it
    is created (0600, synced), never overwritten. Returns where it was kept."""
    for target in _names(path):
        try:
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            continue
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        _fsync_dir(target.parent)
        return target
    raise AssertionError("unreachable")  # pragma: no cover


def free_name(path: Path) -> Path:
    """`path`, or `path-2`, `path-3`... whichever does not exist yet (to move something to,
    under a lock that keeps others from taking it meanwhile)."""
    return next(name for name in _names(path) if not name.exists() and not name.is_symlink())


def file_sha256(path: Path) -> str:
    """The sha256 of a file, read a piece at a time."""
    import hashlib

    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while piece := handle.read(1024 * 1024):
            digest.update(piece)
    return digest.hexdigest()


def read_input_file(path: Path, *, what: str, cap: int) -> bytes:
    """The bytes of a file the user named (a regular file of at most `cap` bytes), or
    `BadInput` saying plainly why not."""
    return _read(path, what, cap, BadInput, str(path))


def _read(path: Path, what: str, cap: int, error: type[DailylistError], name: str) -> bytes:
    try:
        return limits.read_file(path, cap)
    except FileNotFoundError as exc:
        raise error(f"{name} does not exist") from exc
    except IsADirectoryError as exc:
        raise error(f"{name} is a directory, not a {what}") from exc
    except limits.NotAFile as exc:
        raise error(f"{name} is not a regular file, so not a {what}; nothing was read") from exc
    except limits.TooLarge as exc:
        size = limits.size_text(cap)
        raise error(f"{name} is larger than {size}, too large for a {what}") from exc
    except OSError as exc:
        raise error(f"cannot read {name}: {exc.strerror or exc}") from exc


def loose(path: Path) -> str | None:
    """What makes `path` (the data dir, a folder in it, or the author's private key) unsafe
    to keep private data in, the way ssh judges `~/.ssh` and its keys: another user owns it,
    others can write to it, or, for a key, others can read it; None when it is private
    enough (or missing, or not on a POSIX system)."""
    if os.name != "posix":  # pragma: no cover - no owners and modes to check
        return None
    try:
        info = path.stat()
    except OSError:
        return None
    folder = stat.S_ISDIR(info.st_mode)
    mode = info.st_mode & 0o777
    if info.st_uid != os.geteuid():
        return (
            f"{path} belongs to another user: dailylist keeps private data only where no one "
            f"else can change it; make it yours (chown) or set DAILYLIST_HOME elsewhere"
        )
    if mode & (0o022 if folder else 0o077):
        reach = "written" if mode & 0o022 else "read"
        return (
            f"{path} can be {reach} by others (mode {mode:o}): dailylist keeps private data "
            f"only where no one else can reach it; make it private "
            f"(chmod {'700' if folder else '600'} {path}) or set DAILYLIST_HOME elsewhere"
        )
    return None


def check_private(*paths: Path) -> None:
    """`BadInput` when any of `paths` is `loose`, saying how to mend it."""
    for path in paths:
        problem = loose(path)
        if problem is not None:
            raise BadInput(problem)


@dataclass(frozen=True)
class ListFiles:
    """The files of one opened list. One of these is made per command (see `opened`), and
    reads each file once: a file read again is taken from what was read, as long as it is
    the same file, unchanged (the same inode, size and times: every write here replaces a
    file whole, so a change is a new inode)."""

    root: Path
    _read: dict[Path, tuple[tuple[int, ...], bytes]] = field(
        default_factory=dict, compare=False, repr=False
    )

    @property
    def data_root(self) -> Path:
        """The data dir this list's folder is in (under `lists/` or `archive/`)."""
        return self.root.parent.parent

    @property
    def sealed(self) -> Path:
        return self.root / SEALED_NAME

    @property
    def content_key(self) -> Path:
        """Only for passphrase lists: the key the passphrase unwrapped at `open`."""
        return self.root / "content.key"

    @property
    def journal(self) -> Path:
        return self.root / JOURNAL_NAME

    @property
    def journal_backup(self) -> Path:
        return self.root / "journal.json.bak"

    @property
    def snapshot(self) -> Path:
        """What the everyday commands read, derived from the journal; never the truth."""
        return self.root / SNAPSHOT_NAME

    @property
    def lock(self) -> Path:
        return self.root / "journal.lock"

    @property
    def photos(self) -> Path:
        return self.root / "photos"

    @property
    def sharing(self) -> Path:
        """Her choice of what the author who follows the list may see (see `sharing`)."""
        return self.root / "share.json"

    @property
    def postcards(self) -> Path:
        """The postcards the author sent for this list (see `sharing`)."""
        return self.root / "postcards.json"

    def photo(self, stored_name: str) -> Path:
        return self.photos / stored_name

    def page_copy(self, sha256: str, size: int) -> Path:
        """Where the phone's page keeps its copy of the photo `sha256`, at most `size`
        pixels a side (a cache: see `photos.page_copy`)."""
        return self.root / "page-copies" / f"{sha256}-{size}.jpg"

    def read(self, path: Path, *, what: str | Callable[[], str], cap: int) -> bytes:
        """The bytes of one of this list's files, or `DamagedData` naming it (`what`, or
        what it gives: worked out only for the message)."""
        try:
            found = path.stat()
        except FileNotFoundError:
            found = None
        if found is None and not path.is_symlink():
            raise DamagedData(f"{_named(what)} is missing; `dailylist doctor` tells more")
        if found is not None:
            seen = self._read.get(path)
            same = (found.st_ino, found.st_size, found.st_mtime_ns, found.st_ctime_ns)
            if seen is not None and seen[0] == same:
                return seen[1]
        raw = _read(
            path, "file dailylist can use; it was left as it is", cap, DamagedData, _named(what)
        )
        if found is not None:
            self._read[path] = (same, raw)
        return raw

    def forget(self) -> None:
        """Read every file again next time (after this command wrote them)."""
        self._read.clear()

    def write_journal(self, old: bytes | None, new: bytes) -> None:
        """Replace the journal with `new`, keeping `old` (its bytes now) as the backup. Call
        this holding the lock."""
        if old is not None:
            write_atomic(self.journal_backup, old)
        write_atomic(self.journal, new)

    def save_snapshot(self, raw: bytes) -> None:
        """Leave the everyday commands' snapshot; failing to is no error (they take the
        long way instead)."""
        with contextlib.suppress(OSError, BadInput):
            write_atomic(self.snapshot, raw)

    def keep_photo(self, staged: Path, stored_name: str) -> bool:
        """Move a checked photo's private copy (written and synced in this list's photo
        folder by `photos.check_photo`) to its content address; True when a new file was
        made, False when the same bytes were kept already (the copy is then removed)."""
        path = self.photo(stored_name)
        if path.is_file():
            with contextlib.suppress(OSError):
                if file_sha256(path) == stored_name.split(".")[0]:
                    staged.unlink(missing_ok=True)
                    return False
        staged.replace(path)  # made 0600 by mkstemp
        _fsync_dir(path.parent)
        return True

    def locked(self) -> contextlib.AbstractContextManager[None]:
        """Hold the list's journal lock: one reader-then-writer at a time, across processes."""
        return hold_lock(self.lock, _busy)


@contextlib.contextmanager
def hold_lock(path: Path, busy: Callable[[], DailylistError]) -> Iterator[None]:
    """Hold the lock file at `path` (made 0600 on demand), waiting a few seconds for another
    process to let it go; `busy()` is raised when it does not."""
    if os.name != "posix":  # pragma: no cover - Windows has no flock
        import filelock

        lock = filelock.FileLock(path, timeout=LOCK_TIMEOUT_SECONDS, mode=0o600)
        try:
            lock.acquire()
        except filelock.Timeout as exc:
            raise busy() from exc
        try:
            yield
        finally:
            lock.release()
        return
    import fcntl
    import time

    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        deadline = time.monotonic() + LOCK_TIMEOUT_SECONDS
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise busy() from None
                time.sleep(0.01)
        yield
    finally:
        os.close(fd)  # closing it lets the lock go


def _named(what: str | Callable[[], str]) -> str:
    return what if isinstance(what, str) else what()


def _busy() -> NotNow:
    return NotNow("another dailylist command is using this list's journal; try again in a moment")


@dataclass(frozen=True)
class DataDir:
    """The data dir and everything in it. Build one per command with `DataDir.resolve()`."""

    root: Path

    @classmethod
    def resolve(cls, *, check: bool = True) -> DataDir:
        """The data dir; with `check`, `BadInput` when it is not a folder of one's own that
        only one can write (see `problems`)."""
        found = cls(data_root())
        if check:
            for problem in found.problems():
                raise BadInput(problem)
        return found

    def problems(self) -> list[str]:
        """What makes the data dir unsafe to use: not a folder; it, `lists/` or `author/`
        `loose`. `doctor` reports these; every other command refuses to go on."""
        root = self.root
        if root.exists() and not root.is_dir():
            return [f"{root} (the data dir) exists and is not a directory"]
        paths = (root, root / "lists", root / "archive", root / "author", self.author_key)
        return [problem for path in paths if (problem := loose(path)) is not None]

    @property
    def author_key(self) -> Path:
        return self.root / "author" / "ed25519.pem"

    @property
    def follow_identity(self) -> Path:
        """The author's follow key (an age X25519 identity): what opens the copies that the
        recipients of their lists share with them."""
        return self.root / "author" / "follow-identity.txt"

    @property
    def following(self) -> Path:
        """Where the author keeps the lists they follow (see `sync.follow`)."""
        return self.root / "following"

    def list_files(self, list_id: str) -> ListFiles:
        return ListFiles(self.root / LISTS / list_id)

    def archived_files(self, list_id: str) -> ListFiles:
        """A closed list's files: its whole folder, moved to `archive/` as it was."""
        return ListFiles(self.root / ARCHIVE / list_id)

    def archived_list_ids(self) -> list[str]:
        """Ids of every closed list, oldest opened first."""
        return list_ids(str(self.root), folder=ARCHIVE)

    def opened_list_ids(self) -> list[str]:
        """Ids of every list in the data dir, oldest opened first (see `home`)."""
        return list_ids(str(self.root))

    def _read_small_json(self, path: Path) -> dict[str, Any]:
        try:
            value = json.loads(limits.read_file(path, limits.SMALL))
        except (OSError, ValueError, RecursionError):
            return {}
        return value if isinstance(value, dict) else {}

    def set_last_opened(self, list_id: str) -> None:
        state = self._read_small_json(self.root / "state.json")
        state["last_opened"] = list_id
        write_atomic(self.root / "state.json", json.dumps(state, indent=2).encode() + b"\n")


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

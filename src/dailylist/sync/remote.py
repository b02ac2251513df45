"""Where the encrypted files go: a git remote (through the system's `git`), or a plain folder
that a file-sync tool (Syncthing, Nextcloud, Dropbox) keeps in step.

Both are a set of files named by relative paths. Each device writes only files of its own
(see `exchange`), whole: a temporary name, then a rename. So a file-sync tool never sees
two writers on one file, and git never has a conflict to merge.

Git: the device keeps a clone in its data dir (a cache it can always make again). A sync
fetches, puts the clone at the remote's branch, adds this device's new files as one commit
and pushes it; a push refused because another device pushed meanwhile is tried again from
the fetch. Nothing is ever merged, and a remote that was rewritten (a force-push that
dropped files) is taken as it is: the device then puts back what of its own is missing.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from pathlib import Path
from typing import Protocol

from dailylist.errors import BadInput, DamagedData

#: The branch dailylist keeps in a git remote (a repository may hold other branches).
BRANCH = "dailylist"
#: The largest file a remote holds: a photo at the photo cap, encrypted.
MAX_FILE = 65 * 1024 * 1024


class Remote(Protocol):
    """A remote as `exchange` sees it."""

    #: How messages name it.
    shown: str

    def fetch(self) -> None:
        """Bring the remote's files here (`BadInput` when it cannot be reached)."""

    def files(self) -> dict[str, int]:
        """Every complete-looking file, by its path (with '/'), and its size."""

    def read(self, path: str) -> bytes:
        """A file's bytes (`OSError` when it went away)."""

    def write(self, path: str, data: bytes) -> None:
        """Write one of this device's files, whole."""

    def publish(self) -> bool:
        """Send this device's new files; False when the remote moved on meanwhile (fetch
        and try again)."""

    def state(self) -> str:
        """What the remote holds, in a word: the same as long as no file there changed."""


def _walk(root: Path) -> dict[str, int]:
    found: dict[str, int] = {}
    for folder, names, files in os.walk(root):
        names[:] = [name for name in names if not name.startswith(".")]
        for name in files:
            if name.startswith("."):  # temporary files: ours, Syncthing's, git's
                continue
            path = Path(folder, name)
            with contextlib.suppress(OSError):
                found[path.relative_to(root).as_posix()] = path.stat().st_size
    return found


def _read(root: Path, path: str) -> bytes:
    from dailylist.limits import read_file

    return read_file(root / path, MAX_FILE)


def _write(root: Path, path: str, data: bytes) -> None:
    import tempfile

    target = root / path
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=".tmp-", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as writer:
            writer.write(data)
            writer.flush()
            os.fsync(writer.fileno())
        Path(temporary).replace(target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class FolderRemote:
    """A plain folder another program keeps in step between devices."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.shown = str(root)

    def fetch(self) -> None:
        if not self.root.is_dir():
            raise BadInput(f"the sync folder {self.root} is not there (is it mounted?)")

    def files(self) -> dict[str, int]:
        return _walk(self.root)

    def read(self, path: str) -> bytes:
        return _read(self.root, path)

    def write(self, path: str, data: bytes) -> None:
        _write(self.root, path, data)

    def publish(self) -> bool:
        return True  # the file-sync tool sends them

    def state(self) -> str:
        import hashlib

        listing = sorted(self.files().items())
        return hashlib.sha256(repr(listing).encode()).hexdigest()


class GitRemote:
    """A git remote, through a clone kept in `clone` (the data dir's)."""

    def __init__(self, url: str, clone: Path) -> None:
        self.url = url
        self.clone = clone
        self.shown = url
        self._tree: dict[str, tuple[str, int]] = {}
        self._branch = False  # whether the remote has our branch (maybe emptied)
        self._writing = False

    # --- git itself ---------------------------------------------------------------------

    def _git(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        env = {
            **os.environ,
            "GIT_TERMINAL_PROMPT": "0",  # never ask for a password: say it failed
            "LC_ALL": "C",
            # Commits say nothing of who or when: the remote learns counts and sizes only.
            "GIT_AUTHOR_NAME": "dailylist",
            "GIT_AUTHOR_EMAIL": "dailylist@localhost",
            "GIT_COMMITTER_NAME": "dailylist",
            "GIT_COMMITTER_EMAIL": "dailylist@localhost",
            "GIT_AUTHOR_DATE": "2000-01-01T00:00:00+0000",
            "GIT_COMMITTER_DATE": "2000-01-01T00:00:00+0000",
        }
        command = ["git", "-c", "core.hooksPath=/dev/null", "-C", str(self.clone), *args]
        try:
            done = subprocess.run(
                command, capture_output=True, text=True, env=env, check=False, timeout=600
            )
        except FileNotFoundError as exc:
            raise BadInput("git is not installed; install it to sync through git") from exc
        except subprocess.TimeoutExpired as exc:
            raise BadInput(f"git took too long with {self.shown}; nothing was changed") from exc
        if check and done.returncode != 0:
            raise _GitFailed(_what_git_said(done.stderr))
        return done

    def _ready(self) -> None:
        """The clone, made (again) when it is missing or was left unusable by a kill."""
        if (self.clone / ".git").is_dir():
            (self.clone / ".git" / "index.lock").unlink(missing_ok=True)  # a killed sync's
            return
        shutil.rmtree(self.clone, ignore_errors=True)
        self.clone.mkdir(parents=True, mode=0o700)
        self._git("init", "-q", "-b", BRANCH)
        self._git("remote", "add", "origin", self.url)

    def check_reachable(self) -> None:
        """`BadInput` unless the remote answers (before anything is written anywhere)."""
        self._ready()
        try:
            self._git("ls-remote", "-q", "origin")
        except _GitFailed as exc:
            raise BadInput(f"cannot reach {self.shown}: {exc.line}") from exc

    # --- the remote -----------------------------------------------------------------------

    def fetch(self) -> None:
        """Fetch the remote's branch; the clone's files are left as they are until this
        device writes (see `write`), so a remote that turns out not to be ours, or a sync
        with nothing to send, changes none of them."""
        self._ready()
        self._writing = False
        try:
            self._git("fetch", "-q", "--prune", "origin")
        except _GitFailed as exc:
            raise BadInput(f"cannot reach {self.shown}: {exc.line}; nothing was changed") from exc
        self._tree = self._remote_tree()

    def _remote_tree(self) -> dict[str, tuple[str, int]]:
        """The remote branch's files: path -> (blob, size); empty for a remote with none."""
        remote = f"refs/remotes/origin/{BRANCH}"
        self._branch = (
            self._git("rev-parse", "-q", "--verify", remote, check=False).returncode == 0
        )
        if not self._branch:
            return {}
        listing = self._git("ls-tree", "-r", "-l", "-z", remote).stdout
        tree: dict[str, tuple[str, int]] = {}
        for line in listing.split("\0"):
            if not line:
                continue
            meta, _, path = line.partition("\t")
            _, kind, blob, size = meta.split()
            if kind == "blob" and size.isdigit():
                tree[path] = (blob, int(size))
        return tree

    def state(self) -> str:
        """The commit the remote's branch is at (after this device's push, its own)."""
        remote = f"refs/remotes/origin/{BRANCH}"
        found = self._git("rev-parse", "-q", "--verify", remote, check=False)
        return found.stdout.strip() if found.returncode == 0 else "empty"

    def files(self) -> dict[str, int]:
        return {
            path: size
            for path, (_, size) in self._tree.items()
            if not any(part.startswith(".") for part in path.split("/"))
        }

    def read(self, path: str) -> bytes:
        found = self._tree.get(path)
        if found is None:
            raise FileNotFoundError(path)
        if found[1] > MAX_FILE:
            raise OSError(f"{path} is larger than a remote file may be")
        done = subprocess.run(
            ["git", "-C", str(self.clone), "cat-file", "blob", found[0]],
            capture_output=True,
            check=False,
        )
        if done.returncode != 0:
            raise OSError(f"git cannot read {path}")
        return done.stdout

    def write(self, path: str, data: bytes) -> None:
        if not self._writing:
            self._at_remote()  # the clone's files as the remote's branch has them, once
            self._writing = True
        _write(self.clone, path, data)
        self._tree[path] = ("", len(data))

    def _at_remote(self) -> None:
        """The clone's files exactly as the remote's branch has them (no merge, ever); a
        clone a kill left unusable is made again."""
        remote = f"refs/remotes/origin/{BRANCH}"
        try:
            if self._branch:  # even a branch someone emptied: this device builds on it
                self._git("checkout", "-q", "-f", "-B", BRANCH, remote)
                self._git("reset", "-q", "--hard", remote)
            self._git("clean", "-q", "-f", "-d", "-x")
        except _GitFailed:
            shutil.rmtree(self.clone, ignore_errors=True)
            self._ready()
            try:
                self._git("fetch", "-q", "origin")
                if self._branch:
                    self._git("checkout", "-q", "-f", "-B", BRANCH, remote)
            except _GitFailed as exc:
                raise DamagedData(f"git cannot use {self.clone}: {exc.line}") from exc

    def publish(self) -> bool:
        if not self._writing:
            return True  # nothing new to send: no commit, no push
        self._git("add", "-A")
        if self._git("diff", "--cached", "--quiet", check=False).returncode == 0:
            return True
        self._git("commit", "-q", "-m", "dailylist")
        pushed = self._git("push", "-q", "origin", f"HEAD:refs/heads/{BRANCH}", check=False)
        if pushed.returncode == 0:
            return True
        if "rejected" in pushed.stderr or "fetch first" in pushed.stderr:
            return False  # another device pushed meanwhile
        line = (pushed.stderr.strip().splitlines() or ["git push failed"])[-1]
        raise BadInput(f"cannot send to {self.shown}: {line}")


def _what_git_said(stderr: str) -> list[str]:
    """The line of git's complaint that says what went wrong: its first `fatal:` or
    `error:` line (what follows is often advice over several lines), else its last."""
    lines = [line.strip() for line in stderr.strip().splitlines() if line.strip()]
    for line in lines:
        for prefix in ("fatal: ", "error: "):
            if line.startswith(prefix):
                return [line.removeprefix(prefix)]
    return lines[-1:] or ["git failed"]


class _GitFailed(Exception):
    def __init__(self, lines: list[str]) -> None:
        super().__init__(lines[0] if lines else "git failed")
        self.line = lines[0] if lines else "git failed"

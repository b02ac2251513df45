"""Where the encrypted files go: a git remote (through the system's `git`), or a plain folder
that a file-sync tool (Syncthing, Nextcloud, Dropbox) keeps in step.

Both are a set of files named by relative paths. Each device writes only files of its own
(see `exchange`), whole: a temporary name, then a rename. So a file-sync tool never sees
two writers on one file, and git never has a conflict to merge.

Git: the device keeps a clone in its data dir (a cache it can always make again). A sync
fetches, reads the files from the fetched tree (never from the clone's working files),
puts the clone at the remote's branch only to write, adds this device's new files as one
commit and pushes it; a push refused because another device pushed meanwhile is tried
again from the fetch. Nothing is ever merged, and a remote that was rewritten (a
force-push that dropped files) is taken as it is: the device then puts back what of its
own is missing.

The remote is hostile input: whoever can write to it may plant links, attributes and
junk. Neither remote follows a link or reads anything but a plain file: git keeps links
as files in the clone (`core.symlinks=false`), its attributes and the user's are switched
off for what dailylist writes, and a link found where this device's own folder should be
is replaced by a folder, never written through.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import subprocess
from pathlib import Path
from typing import NamedTuple, Protocol

from dailylist.errors import BadInput, DamagedData

#: The branch dailylist keeps in a git remote (a repository may hold other branches).
BRANCH = "dailylist"
#: The largest file a remote holds: a photo at the photo cap, encrypted.
MAX_FILE = 65 * 1024 * 1024


class RemoteFile(NamedTuple):
    """A file in the remote: its size, and a word for its content (a git blob's id, or a
    folder's file size, time and inode) that changes whenever the file does."""

    size: int
    version: str


class Remote(Protocol):
    """A remote as `exchange` sees it."""

    #: How messages name it.
    shown: str

    def fetch(self) -> None:
        """Bring the remote's files here (`BadInput` when it cannot be reached)."""

    def files(self) -> dict[str, RemoteFile]:
        """Every plain file (no link, nothing hidden), by its path (with '/')."""

    def read(self, path: str) -> bytes:
        """A file's bytes (`OSError` when it went away, is too large or not a plain file)."""

    def write(self, path: str, data: bytes, mine: str) -> None:
        """Write one of this device's files, whole, under its own folder `mine`; `OSError`
        when a link or a file stands where a folder above `mine` should be."""

    def publish(self) -> bool:
        """Send this device's new files; False when the remote moved on meanwhile (fetch
        and try again); `BadInput` with the remote's reason when it declines them."""

    def state(self) -> str:
        """What the remote holds, in a word: the same as long as no file there changed."""

    def written(self) -> dict[str, RemoteFile]:
        """This device's files written by this sync, as the remote will hold them."""


def _walk(root: Path) -> dict[str, RemoteFile]:
    """Every plain file under `root` (no link followed, nothing hidden: temporary files,
    ours, Syncthing's, git's, start with a dot)."""
    found: dict[str, RemoteFile] = {}
    for folder, names, files in os.walk(root):  # never descends into a link
        names[:] = [name for name in names if not name.startswith(".")]
        for name in files:
            if name.startswith("."):
                continue
            path = Path(folder, name)
            with contextlib.suppress(OSError):
                info = path.lstat()
                if stat.S_ISREG(info.st_mode):
                    version = f"{info.st_size}-{info.st_mtime_ns}-{info.st_ino}"
                    found[path.relative_to(root).as_posix()] = RemoteFile(info.st_size, version)
    return found


def _read(root: Path, path: str) -> bytes:
    """A plain file's bytes, never through a link (`limits.read_file` refuses what is not
    a regular file; a link anywhere on the way is refused here)."""
    from dailylist.limits import read_file

    folder = root
    for part in path.split("/")[:-1]:
        folder = folder / part
        if not stat.S_ISDIR(folder.lstat().st_mode):
            raise OSError(f"{path}: not in a plain folder")
    target = root / path
    if stat.S_ISLNK(target.lstat().st_mode):
        raise OSError(f"{path} is a link")
    return read_file(target, MAX_FILE)


def _write(root: Path, path: str, data: bytes, mine: str) -> None:
    """Write `data` at `path` under `root` in one step (a temporary file, then a rename),
    never through a link. A link or a file that stands where a folder of this device's own
    (`mine`) should be is replaced by a folder; one above it is an `OSError`."""
    import tempfile

    parts = path.split("/")
    folder = root
    for depth, part in enumerate(parts[:-1], start=1):
        folder = folder / part
        try:
            kind = folder.lstat().st_mode
        except FileNotFoundError:
            folder.mkdir(mode=0o700)
            continue
        if stat.S_ISDIR(kind):
            continue
        here = "/".join(parts[:depth])
        if not (here == mine or here.startswith(mine + "/")):
            raise OSError(f"{here} in the remote is not a folder")
        folder.unlink()  # the link itself (what it points to is left alone), or a file
        folder.mkdir(mode=0o700)
    target = folder / parts[-1]
    with contextlib.suppress(FileNotFoundError):
        if stat.S_ISDIR(target.lstat().st_mode):
            raise OSError(f"{path} in the remote is a folder")
    fd, temporary = tempfile.mkstemp(prefix=".tmp-", dir=folder)
    try:
        with os.fdopen(fd, "wb") as writer:
            writer.write(data)
            writer.flush()
            os.fsync(writer.fileno())
        Path(temporary).replace(target)  # replaces a link, never writes through one
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class FolderRemote:
    """A plain folder another program keeps in step between devices."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.shown = str(root)
        self._written: list[str] = []

    def fetch(self) -> None:
        if not self.root.is_dir():
            raise BadInput(f"the sync folder {self.root} is not there (is it mounted?)")
        self._written = []

    def files(self) -> dict[str, RemoteFile]:
        return _walk(self.root)

    def read(self, path: str) -> bytes:
        return _read(self.root, path)

    def write(self, path: str, data: bytes, mine: str) -> None:
        _write(self.root, path, data, mine)
        self._written.append(path)

    def publish(self) -> bool:
        return True  # the file-sync tool sends them

    def state(self) -> str:
        import hashlib

        listing = sorted(self.files().items())
        return hashlib.sha256(repr(listing).encode()).hexdigest()

    def written(self) -> dict[str, RemoteFile]:
        found = _walk(self.root)
        return {path: found[path] for path in self._written if path in found}


#: What git may change in a file it adds, switched off for every file of the clone: the
#: remote's `.gitattributes` must not rewrite bytes of this device's ciphertexts.
_ATTRIBUTES = "* -text -eol -crlf -ident -filter -diff -merge -working-tree-encoding\n"
#: Settings that hold for every git command, whatever the user's configuration says.
_SETTINGS = (
    "core.hooksPath=/dev/null",
    "core.attributesFile=/dev/null",
    "core.autocrlf=false",
    "core.safecrlf=false",
    "core.symlinks=false",
    "core.fsmonitor=false",
    "commit.gpgSign=false",
    "gc.auto=0",
)


class GitRemote:
    """A git remote, through a clone kept in `clone` (the data dir's)."""

    def __init__(self, url: str, clone: Path) -> None:
        self.url = url
        self.clone = clone
        self.shown = url
        self._tree: dict[str, RemoteFile] = {}
        self._branch = False  # whether the remote has our branch (maybe emptied)
        self._writing = False
        self._written: list[str] = []
        self._expected: dict[str, str] = {}

    # --- git itself ---------------------------------------------------------------------

    def _git(
        self, *args: str, check: bool = True, network: bool = False
    ) -> subprocess.CompletedProcess[str]:
        """Run git in the clone. Only what reaches the network (`network`) sees the user's
        own git configuration (their credentials, ssh command and URL rewrites); the rest
        runs with none, and every command with `_SETTINGS`."""
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
            "GIT_ATTR_NOSYSTEM": "1",
        }
        if not network:
            env |= {"GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
        settings = [part for setting in _SETTINGS for part in ("-c", setting)]
        command = ["git", *settings, "-C", str(self.clone), *args]
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
            self._isolate()
            return
        shutil.rmtree(self.clone, ignore_errors=True)
        self.clone.mkdir(parents=True, mode=0o700)
        self._git("init", "-q", "-b", BRANCH)
        self._git("remote", "add", "origin", self.url)
        self._isolate()

    def _isolate(self) -> None:
        """The clone's own settings and attributes: links kept as files, and no attribute
        of the remote's tree able to change a byte that dailylist writes."""
        info = self.clone / ".git" / "info"
        info.mkdir(exist_ok=True)
        attributes = info / "attributes"
        if not attributes.is_file() or attributes.read_text("utf-8") != _ATTRIBUTES:
            attributes.write_text(_ATTRIBUTES, encoding="utf-8")

    def check_reachable(self) -> None:
        """`BadInput` unless the remote answers (before anything is written anywhere)."""
        self._ready()
        try:
            self._git("ls-remote", "-q", "origin", network=True)
        except _GitFailed as exc:
            raise BadInput(f"cannot reach {self.shown}: {exc.line}") from exc

    # --- the remote -----------------------------------------------------------------------

    def fetch(self) -> None:
        """Fetch the remote's branch; the clone's files are left as they are until this
        device writes (see `write`), so a remote that turns out not to be ours, or a sync
        with nothing to send, changes none of them."""
        self._ready()
        self._writing = False
        self._written = []
        self._expected = {}
        # The time of `.git/FETCH_HEAD` says when a sync last reached the remote (see
        # `config.reached_at`); git writes it even when a fetch fails, so its time is
        # put back then.
        fetch_head = self.clone / ".git" / "FETCH_HEAD"
        try:
            before = fetch_head.stat()
        except OSError:
            before = None
        try:
            self._git("fetch", "-q", "--prune", "origin", network=True)
        except _GitFailed as exc:
            with contextlib.suppress(OSError):
                if before is None:
                    fetch_head.unlink(missing_ok=True)
                else:
                    os.utime(fetch_head, ns=(before.st_atime_ns, before.st_mtime_ns))
            raise BadInput(f"cannot reach {self.shown}: {exc.line}; nothing was changed") from exc
        self._tree = self._remote_tree(f"refs/remotes/origin/{BRANCH}")

    def _remote_tree(self, ref: str) -> dict[str, RemoteFile]:
        """The plain files of `ref`'s tree (no link, no submodule): path -> (size, blob)."""
        self._branch = self._git("rev-parse", "-q", "--verify", ref, check=False).returncode == 0
        if not self._branch:
            return {}
        return self._listing(ref)

    def _listing(self, ref: str) -> dict[str, RemoteFile]:
        listing = self._git("ls-tree", "-r", "-l", "-z", ref).stdout
        tree: dict[str, RemoteFile] = {}
        for line in listing.split("\0"):
            if not line:
                continue
            meta, _, path = line.partition("\t")
            mode, kind, blob, size = meta.split()
            plain = mode in ("100644", "100755") and kind == "blob" and size.isdigit()
            if plain and not any(part.startswith(".") for part in path.split("/")):
                tree[path] = RemoteFile(int(size), blob)
        return tree

    def state(self) -> str:
        """The commit the remote's branch is at (after this device's push, its own)."""
        remote = f"refs/remotes/origin/{BRANCH}"
        found = self._git("rev-parse", "-q", "--verify", remote, check=False)
        return found.stdout.strip() if found.returncode == 0 else "empty"

    def files(self) -> dict[str, RemoteFile]:
        return dict(self._tree)

    def read(self, path: str) -> bytes:
        found = self._tree.get(path)
        if found is None:
            raise FileNotFoundError(path)
        if found.size > MAX_FILE:
            raise OSError(f"{path} is larger than a remote file may be")
        done = subprocess.run(
            ["git", "-C", str(self.clone), "cat-file", "blob", found.version],
            capture_output=True,
            check=False,
            env={**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"},
        )
        if done.returncode != 0:
            raise OSError(f"git cannot read {path}")
        return done.stdout

    def write(self, path: str, data: bytes, mine: str) -> None:
        if not self._writing:
            self._at_remote()  # the clone's files as the remote's branch has them, once
            self._writing = True
        _write(self.clone, path, data, mine)
        self._written.append(path)

    def written(self) -> dict[str, RemoteFile]:
        """This device's files written by this sync, as the remote holds them: only those
        whose bytes there are the bytes written (git hashed them as they were, before
        anything could convert them), so that any other is checked again next time."""
        if not self._written or not self._expected:
            return {}
        found = self._listing(f"refs/remotes/origin/{BRANCH}")
        return {
            path: found[path]
            for path, blob in self._expected.items()
            if path in found and found[path].version == blob
        }

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
                self._git("fetch", "-q", "origin", network=True)
                if self._branch:
                    self._git("checkout", "-q", "-f", "-B", BRANCH, remote)
            except _GitFailed as exc:
                raise DamagedData(f"git cannot use {self.clone}: {exc.line}") from exc

    def publish(self) -> bool:
        if not self._writing:
            return True  # nothing new to send: no commit, no push
        paths = list(dict.fromkeys(self._written))
        hashed = self._git("hash-object", "--no-filters", "--", *paths).stdout.split()
        self._expected = dict(zip(paths, hashed, strict=True))
        self._git("add", "-A")
        if self._git("diff", "--cached", "--quiet", check=False).returncode == 0:
            return True
        self._git("commit", "-q", "-m", "dailylist")
        pushed = self._git(
            "push", "--porcelain", "origin", f"HEAD:refs/heads/{BRANCH}", network=True, check=False
        )
        if pushed.returncode == 0:
            # The remote's branch is now this commit: read it as fetched.
            self._git("update-ref", f"refs/remotes/origin/{BRANCH}", "HEAD")
            self._point_head()
            return True
        outcome = _push_outcome(pushed.stdout)
        if outcome is not None and _a_race(outcome, pushed.stderr):
            return False  # another device pushed meanwhile: fetch and try again
        server = " ".join(_server_said(pushed.stderr))
        if outcome is None:
            line = _what_git_said(pushed.stderr)[0]
            raise BadInput(f"cannot send to {self.shown}: {line}; nothing was lost here")
        reason = outcome.removeprefix("[remote rejected]").strip(" ()") or outcome
        told = f" (it said: {server[:300]})" if server else ""
        raise BadInput(
            f"{self.shown} declined this device's files: {reason}{told}; nothing was lost "
            "here, and the next sync sends them again"
        )

    def _point_head(self) -> None:
        """For a bare repository on this computer whose HEAD names a branch it does not
        have (as `git init --bare` leaves it): point HEAD at dailylist's branch, so that a
        `git clone` of it takes that branch instead of warning "remote HEAD refers to
        nonexistent ref". A repository with a branch of its own at HEAD is left as it is,
        and so is a remote elsewhere (a push cannot move another's HEAD): clone that with
        `git clone -b dailylist`. Nothing here may stop a sync."""
        bare = _local_bare(self.url)
        if bare is None:
            return
        at = ["--git-dir", str(bare)]
        head = self._git(*at, "symbolic-ref", "-q", "HEAD", check=False).stdout.strip()
        if head == f"refs/heads/{BRANCH}" or not head.startswith("refs/heads/"):
            return
        if self._git(*at, "rev-parse", "-q", "--verify", head, check=False).returncode == 0:
            return  # its HEAD is a branch it has: someone's own
        self._git(*at, "symbolic-ref", "HEAD", f"refs/heads/{BRANCH}", check=False)


def _local_bare(url: str) -> Path | None:
    """The bare repository on this computer that `url` names (a path, or a file: URL), or
    None for a remote elsewhere or a repository with a working tree."""
    path = Path(url.removeprefix("file://")) if url.startswith(("/", "file://")) else None
    if path is None or not path.is_dir():
        return None
    if (path / ".git").exists() or not ((path / "HEAD").is_file() and (path / "objects").is_dir()):
        return None
    return path


def _push_outcome(porcelain: str) -> str | None:
    """What `git push --porcelain` says of the branch: e.g. '[rejected] (fetch first)' for
    a race, '[remote rejected] (pre-receive hook declined)' for a server that said no; None
    when it said nothing of it (the push did not get that far)."""
    for line in porcelain.splitlines():
        flag, _, rest = line.partition("\t")
        if flag == "!":
            return rest.partition("\t")[2].strip()
    return None


#: What a server says of a push that lost a race with another (the branch moved while it
#: was on its way): the push is tried again from a new fetch, not refused.
_RACES = ("failed to update ref", "cannot lock ref", "incorrect old value", "failed to lock")


def _a_race(outcome: str, stderr: str) -> bool:
    """Whether a refused push lost a race with another device's (rather than being
    declined by the server: a hook, a quota, a protected branch, a full disk)."""
    if outcome.startswith("[rejected]"):
        return True  # not a fast-forward: the branch moved since this device fetched
    return any(words in outcome or words in stderr for words in _RACES)


def _server_said(stderr: str) -> list[str]:
    """What the server itself said (its hooks' lines, `remote: ...`)."""
    said = (line.removeprefix("remote:").strip() for line in stderr.splitlines())
    return [
        line
        for line, raw in zip(said, stderr.splitlines(), strict=True)
        if line and raw.startswith("remote:")
    ]


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

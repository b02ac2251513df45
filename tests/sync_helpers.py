"""Devices for the sync tests: data dirs of their own on one machine, each run at the time a
test says, and a remote (a bare git repository, or folders a fake file-sync tool copies)."""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from dailylist.cli import cli
from dailylist.clock import FixedClock
from dailylist.sync import commands, crypto

PASSPHRASE = "correct horse battery staple"

#: An identity made for these tests and never used elsewhere, and that identity wrapped with
#: PASSPHRASE as `sync setup` wraps it (age's scrypt: seconds each way, every session).
_DATA = Path(__file__).parent / "data"
_IDENTITY = (_DATA / "sync-identity.txt").read_text(encoding="utf-8").strip()
_IDENTITY_WRAPPED = (_DATA / "sync-identity.age").read_bytes()


@pytest.fixture
def quick_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    """age's scrypt takes seconds to lock or unlock an identity: the tests use one identity,
    kept locked with PASSPHRASE in tests/data. Anything else (another passphrase, another
    file) still goes the real way, so a wrong passphrase is refused as in use."""
    real_wrapped, real_unwrap = crypto.Key.wrapped, crypto.unwrap

    def generate() -> crypto.Key:
        return crypto.Key.parse(_IDENTITY)

    def wrapped(key: crypto.Key, passphrase: str) -> bytes:
        if key.secret == _IDENTITY and passphrase == PASSPHRASE:
            return _IDENTITY_WRAPPED
        return real_wrapped(key, passphrase)

    def unwrap(blob: bytes, passphrase: str) -> crypto.Key:
        if blob == _IDENTITY_WRAPPED and passphrase == PASSPHRASE:
            return crypto.Key.parse(_IDENTITY)
        return real_unwrap(blob, passphrase)

    monkeypatch.setattr(crypto.Key, "generate", staticmethod(generate))
    monkeypatch.setattr(crypto.Key, "wrapped", wrapped)
    monkeypatch.setattr(commands, "unwrap", unwrap)


@dataclass
class Device:
    """One device: its own data dir, commands run in-process at a given time."""

    name: str
    home: Path

    def run(self, *args: str, now: datetime, input: str | None = None) -> Result:
        return CliRunner().invoke(
            cli,
            list(args),
            obj={"clock": FixedClock(now)},
            env={"DAILYLIST_HOME": str(self.home)},
            input=input,
            catch_exceptions=False,
        )

    def ok(self, *args: str, now: datetime) -> Result:
        result = self.run(*args, now=now)
        assert result.exit_code == 0, (self.name, args, result.output)
        return result

    def json(self, *args: str, now: datetime) -> Any:
        return json.loads(self.ok(*args, "--json", now=now).stdout)

    def journal(self, now: datetime) -> Any:
        """`journal --json`, which every device that synced prints the same."""
        return self.json("journal", now=now)

    def events(self) -> list[dict[str, Any]]:
        """Every event in this device's journal, as stored."""
        (folder,) = (self.home / "lists").iterdir()
        return list(json.loads((folder / "journal.json").read_text("utf-8"))["events"])

    def photos(self) -> set[str]:
        (folder,) = (self.home / "lists").iterdir()
        return {p.name for p in (folder / "photos").iterdir() if not p.name.startswith(".")}

    def sync_process(self) -> subprocess.Popen[str]:
        """`dailylist sync` as a process of its own (the real clock: a sync reads none)."""
        return subprocess.Popen(
            [sys.executable, "-m", "dailylist", "sync"],
            env={**os.environ, "DAILYLIST_HOME": str(self.home)},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )


def bare_repository(path: Path) -> Path:
    subprocess.run(["git", "init", "-q", "--bare", str(path)], check=True)
    return path


def git(repository: Path, *args: str, input: str | None = None) -> str:
    done = subprocess.run(
        ["git", "--git-dir", str(repository), *args],
        check=True,
        capture_output=True,
        text=True,
        input=input,
        env={
            **os.environ,
            "GIT_AUTHOR_NAME": "someone",
            "GIT_AUTHOR_EMAIL": "someone@example.org",
            "GIT_COMMITTER_NAME": "someone",
            "GIT_COMMITTER_EMAIL": "someone@example.org",
        },
    )
    return done.stdout


def copy_folder(source: Path, target: Path, rng: random.Random, *, half: float = 0.0) -> None:
    """What a file-sync tool does, badly: copy every file `target` lacks or has only part
    of, one at a time in random order; with `half`, that share of them only half copied (as
    when it is interrupted mid-file; the next copy makes them whole). Files are written
    once, so a part is never copied back over the whole."""
    files = [p for p in source.rglob("*") if p.is_file() and not p.name.startswith(".")]
    rng.shuffle(files)
    for path in files:
        copy = target / path.relative_to(source)
        raw = path.read_bytes()
        if (
            copy.is_file()
            and (have := copy.read_bytes())
            and not (len(have) < len(raw) and raw.startswith(have))
        ):
            continue
        copy.parent.mkdir(parents=True, exist_ok=True)
        copy.write_bytes(raw[: len(raw) // 2] if rng.random() < half else raw)


def tree(root: Path, *, skip: str | None = None) -> Iterator[tuple[str, bytes, int]]:
    """Every file under `root` (but those under `skip`): its path, bytes and mtime."""
    for path in sorted(root.rglob("*")):
        if path.is_file() and (skip is None or skip not in path.parts):
            yield str(path.relative_to(root)), path.read_bytes(), path.stat().st_mtime_ns


def remove(path: Path) -> None:
    shutil.rmtree(path)

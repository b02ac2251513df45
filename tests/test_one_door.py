"""One door to a list's files: a command reads each file once, and a sync parses and folds
the journal once."""

from __future__ import annotations

import collections
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from dailylist import limits
from tests.conftest import Cli, at, make_photo
from tests.sync_helpers import PASSPHRASE, Device, bare_repository


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> collections.Counter[str]:
    """Every file read from disk, by name, while the test runs."""
    counted: collections.Counter[str] = collections.Counter()
    real = limits.read_file

    def counting(path: str | os.PathLike[str], cap: int) -> bytes:
        counted[Path(path).name] += 1
        return real(path, cap)

    monkeypatch.setattr(limits, "read_file", counting)
    return counted


def test_done_with_a_photo_reads_each_of_its_files_once(
    run: Cli, make_sealed: Callable[..., Path], tmp_path: Path, reads: collections.Counter[str]
) -> None:
    assert run("open", str(make_sealed(3)), now=at("2026-05-01 08:00")).exit_code == 0
    assert run("today", now=at("2026-05-01 09:00")).exit_code == 0
    photo = make_photo(tmp_path / "p.jpg")
    reads.clear()
    done = run("done", "--photo", str(photo), "--note", "once", now=at("2026-05-01 10:00"))
    assert done.exit_code == 0, done.output
    for name in ("snapshot.json", "journal.json", "list.dlist"):
        assert reads[name] == 1, (name, dict(reads))


def test_a_first_reveal_reads_each_of_its_files_once(
    run: Cli, make_sealed: Callable[..., Path], reads: collections.Counter[str]
) -> None:
    assert run("open", str(make_sealed(3)), now=at("2026-05-01 08:00")).exit_code == 0
    reads.clear()
    assert run("today", now=at("2026-05-01 09:00")).exit_code == 0
    for name in ("snapshot.json", "journal.json", "list.dlist"):
        assert reads[name] <= 1, (name, dict(reads))


@pytest.mark.usefixtures("quick_keys")
@pytest.mark.parametrize("kind", [pytest.param("git", marks=pytest.mark.system), "folder"])
def test_a_sync_parses_and_folds_the_journal_once(
    kind: str, tmp_path: Path, make_sealed: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from dailylist import fold, journal

    secret = tmp_path / "passphrase.txt"
    secret.write_text(PASSPHRASE + "\n", encoding="utf-8")
    if kind == "git":
        where = [str(bare_repository(tmp_path / "remote.git"))]
    else:
        (tmp_path / "Sync").mkdir()
        where = ["--folder", str(tmp_path / "Sync")]
    laptop, desktop = Device("laptop", tmp_path / "laptop"), Device("desktop", tmp_path / "d")
    laptop.ok("open", str(make_sealed(4)), now=at("2026-05-01 08:00"))
    laptop.ok(
        "sync", "setup", *where, "--passphrase-file", str(secret), now=at("2026-05-01 08:10")
    )
    desktop.ok(
        "sync", "join", *where, "--passphrase-file", str(secret), now=at("2026-05-01 08:20")
    )
    desktop.ok("today", now=at("2026-05-01 09:00"))
    photo = make_photo(tmp_path / "p.jpg")
    desktop.ok("done", "--photo", str(photo), "--note", "one", now=at("2026-05-01 09:10"))
    desktop.ok("sync", now=at("2026-05-01 09:20"))
    laptop.ok("today", now=at("2026-05-01 09:25"))  # a reveal of its own, to merge

    counted: collections.Counter[str] = collections.Counter()

    def counting(name: str, real: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            counted[name] += 1
            return real(*args, **kwargs)

        return call

    monkeypatch.setattr(journal, "read_journal", counting("parse", journal.read_journal))
    monkeypatch.setattr(fold, "replay", counting("fold", fold.replay))
    said = laptop.ok("sync", now=at("2026-05-01 09:30")).stdout
    assert "2 events and 1 photo in" in said
    assert counted == {"parse": 1, "fold": 1}, dict(counted)

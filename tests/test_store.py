"""The data dir: atomic writes, the backup, the hash chain; damage reported, never overwritten."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from dailylist import store
from dailylist.chain import computed_id
from dailylist.errors import DamagedData
from dailylist.opened import journal_of
from dailylist.picking import name_of
from dailylist.store import DataDir, data_root, write_atomic
from tests.conftest import Cli, at, item_text, make_photo, snapshot, source_toml

DAY1 = "2026-03-02"


@pytest.fixture
def lived(make_sealed: Callable[..., Path], run: Cli, tmp_path: Path) -> Path:
    """A list opened and its first day done; returns the list's folder in the data dir."""
    assert run("open", str(make_sealed(3)), now=at(f"{DAY1} 08:00")).exit_code == 0
    assert run("today", now=at(f"{DAY1} 09:00")).exit_code == 0
    photo = make_photo(tmp_path / "p.jpg")
    done = run("done", "--photo", str(photo), "--note", "first", now=at(f"{DAY1} 10:00"))
    assert done.exit_code == 0
    (folder,) = (tmp_path / "home" / "lists").iterdir()
    return folder


def test_data_root_follows_the_env_var_on_every_call(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DAILYLIST_HOME", str(tmp_path / "a"))
    assert data_root() == tmp_path / "a"
    monkeypatch.setenv("DAILYLIST_HOME", str(tmp_path / "b"))
    assert data_root() == tmp_path / "b"


def test_everything_private(lived: Path, private_home: Path) -> None:
    for path in [private_home, *private_home.rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), path


def test_the_previous_journal_is_kept_as_bak(lived: Path) -> None:
    journal = json.loads((lived / "journal.json").read_text(encoding="utf-8"))
    backup = json.loads((lived / "journal.json.bak").read_text(encoding="utf-8"))
    assert backup["events"] == journal["events"][:-1]


def test_events_are_hash_chained(lived: Path, data: DataDir) -> None:
    events = journal_of(data.list_files(lived.name)).events
    assert [e.kind for e in events] == ["opened", "revealed", "completed"]
    assert events[0].prev is None
    assert [e.prev for e in events[1:]] == [e.id for e in events[:-1]]
    documents = journal_of(data.list_files(lived.name)).documents
    assert all(computed_id(d) == d["id"] for d in documents)


def _edit_reflection(text: str) -> str:
    edited = text.replace('"reflection":"first"', '"reflection":"edited later"')
    assert edited != text
    return edited


def _drop_reveal(text: str) -> str:
    document = json.loads(text)
    del document["events"][1]
    return json.dumps(document)


DAMAGE: dict[str, Callable[[Path], None]] = {
    "truncated": lambda p: p.write_bytes(p.read_bytes()[:100]),
    "garbled": lambda p: p.write_bytes(b"\x00\xff" * 50),
    "emptied": lambda p: p.write_bytes(b""),
    "not an object": lambda p: p.write_text("[]", encoding="utf-8"),
    "edited reflection": lambda p: p.write_text(
        _edit_reflection(p.read_text(encoding="utf-8")), encoding="utf-8"
    ),
    "event removed": lambda p: p.write_text(
        _drop_reveal(p.read_text(encoding="utf-8")), encoding="utf-8"
    ),
    "a directory": lambda p: (p.unlink(), p.mkdir()),  # type: ignore[dict-item]
    "deleted": lambda p: p.unlink(),
}


@pytest.mark.parametrize("kind", list(DAMAGE))
@pytest.mark.parametrize("command", [["today"], ["journal"], ["status", "--json"], ["done"]])
def test_a_damaged_journal_is_reported_and_left_alone(
    kind: str, command: list[str], lived: Path, run: Cli, tmp_path: Path
) -> None:
    DAMAGE[kind](lived / "journal.json")
    before = snapshot(tmp_path)
    args = command
    if command == ["done"]:
        args = ["done", "--photo", str(tmp_path / "p.jpg"), "--note", "x"]
    result = run(*args, now=at("2026-03-03 10:00"))
    assert result.exit_code == 2
    assert "journal" in result.stderr
    assert "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1
    assert snapshot(tmp_path) == before
    # The message never repeats a reflection or an item.
    assert "first" not in result.stderr
    assert item_text(1) not in result.output


def test_a_journal_from_a_newer_version_is_not_touched(lived: Path, run: Cli) -> None:
    path = lived / "journal.json"
    path.write_text(json.dumps({"format": 7, "list_id": lived.name}), encoding="utf-8")
    result = run("today", now=at("2026-03-03 10:00"))
    assert result.exit_code == 2
    assert "newer dailylist" in result.stderr


def test_a_tampered_stored_copy_is_reported(lived: Path, run: Cli) -> None:
    sealed = lived / "list.dlist"
    sealed.write_bytes(sealed.read_bytes().replace(b'"Ada"', b'"Eve"'))
    result = run("today", now=at("2026-03-03 10:00"))
    assert result.exit_code == 2
    assert "not the file that was opened (it was changed since)" in result.stderr


def test_write_atomic_leaves_the_old_file_when_writing_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "data" / "file.json"
    write_atomic(target, b"old")

    def full_disk(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("os.fsync", full_disk)
    with pytest.raises(OSError, match="No space"):
        write_atomic(target, b"new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in target.parent.iterdir()] == ["file.json"]


def test_a_failed_journal_write_removes_the_new_photo_copy(
    make_sealed: Callable[..., Path], run: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run("open", str(make_sealed(3)), now=at(f"{DAY1} 08:00")).exit_code == 0
    assert run("today", now=at(f"{DAY1} 09:00")).exit_code == 0
    photo = make_photo(tmp_path / "p.jpg")
    before = snapshot(tmp_path)

    def refuse_the_journal(path: Path, data: bytes, **options: bool) -> None:
        if path.name == "journal.json":
            raise OSError(28, "No space left on device")
        write_atomic(path, data, **options)

    monkeypatch.setattr(store, "write_atomic", refuse_the_journal)
    result = run("done", "--photo", str(photo), "--note", "x", now=at(f"{DAY1} 10:00"))
    assert result.exit_code == 2
    assert "No space left on device" in result.stderr
    after = snapshot(tmp_path)
    # The backup is written first, so it may already hold the journal as it still is.
    (backup,) = [name for name in after if name.endswith("journal.json.bak")]
    journal = backup.removesuffix(".bak")
    assert after.pop(backup) in (before.pop(backup), before[journal])
    assert after == before


def test_load_journal_rejects_another_lists_journal(lived: Path, data: DataDir) -> None:
    document = json.loads((lived / "journal.json").read_text(encoding="utf-8"))
    document["list_id"] = "f" * 32
    (lived / "journal.json").write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(DamagedData, match="another list"):
        journal_of(data.list_files(lived.name))


@pytest.mark.parametrize(
    ("errno", "message"), [(28, "No space left on device"), (30, "Read-only file system")]
)
def test_a_full_or_read_only_disk_during_done_changes_nothing(
    errno: int,
    message: str,
    make_sealed: Callable[..., Path],
    run: Cli,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert run("open", str(make_sealed(3)), now=at(f"{DAY1} 08:00")).exit_code == 0
    assert run("today", now=at(f"{DAY1} 09:00")).exit_code == 0
    photo = make_photo(tmp_path / "p.jpg")
    before = snapshot(tmp_path)

    def refuse(*args: object, **kwargs: object) -> tuple[int, str]:
        raise OSError(errno, message)

    monkeypatch.setattr("tempfile.mkstemp", refuse)
    result = run("done", "--photo", str(photo), "--note", "x", now=at(f"{DAY1} 10:00"))
    assert result.exit_code == 2
    assert message in result.stderr
    assert "nothing was changed" in result.stderr
    assert "Traceback" not in result.output
    assert snapshot(tmp_path) == before


def test_the_author_key_never_leaves_the_data_dir(
    run: Cli, tmp_path: Path, private_home: Path
) -> None:
    from tests.conftest import source_toml

    source = tmp_path / "gift.toml"
    source.write_text(source_toml(2, extra_items={1: {"checkin": True}}), encoding="utf-8")
    assert run("seal", str(source), now=at(f"{DAY1} 07:00")).exit_code == 0
    key = (private_home / "author" / "ed25519.pem").read_bytes()
    body = b"".join(key.splitlines()[1:-1])
    for path in tmp_path.rglob("*"):
        if path.is_file() and private_home not in path.parents:
            assert body not in path.read_bytes().replace(b"\n", b""), path


def test_status_of_every_list_survives_one_damaged_journal(
    make_sealed: Callable[..., Path], run: Cli, tmp_path: Path
) -> None:
    run("open", str(make_sealed(3, title="Broken one")), now=at(f"{DAY1} 08:00"))
    run("open", str(make_sealed(3, title="Fine one")), now=at(f"{DAY1} 08:01"))
    data = DataDir(tmp_path / "home")
    broken = next(i for i in data.opened_list_ids() if name_of(str(data.root), i) == "broken-one")
    data.list_files(broken).journal.write_bytes(b"{garbled")
    result = run("status", "--json", now=at(f"{DAY1} 09:00"))
    assert result.exit_code == 2
    assert [entry["title"] for entry in json.loads(result.stdout)["lists"]] == ["Fine one"]
    assert "journal" in result.stderr


# --- a data dir others can change is refused, as ssh refuses a loose ~/.ssh --------------------


@pytest.mark.parametrize("where", [".", "lists", "lists/{id}", "lists/{id}/photos"])
def test_a_data_dir_others_can_write_is_refused(
    where: str, lived: Path, run: Cli, private_home: Path, tmp_path: Path
) -> None:
    folder = private_home / where.format(id=lived.name)
    folder.chmod(0o777)
    before = snapshot(tmp_path)
    for command in (["today"], ["status"], ["journal"], ["done", "--note", "x"]):
        result = run(*command, now=at("2026-03-03 10:00"))
        assert result.exit_code == 2, (command, result.output)
        assert f"{folder} can be written by others" in result.stderr
        assert "chmod 700" in result.stderr
    doctor = run("doctor", "--json", now=at("2026-03-03 10:00"))
    assert doctor.exit_code == 2
    found = json.loads(doctor.stdout)
    problems = found["data_dir"]["problems"] + [
        p for entry in found["lists"] for check in entry["checks"] for p in check["problems"]
    ]
    assert any(f"{folder} can be written by others" in p for p in problems), problems
    assert snapshot(tmp_path) == before


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to another user needs root")
def test_an_author_key_planted_by_another_user_is_refused(run: Cli, tmp_path: Path) -> None:
    source = tmp_path / "s.toml"
    assert run("new", str(source), now=at("2026-03-03 10:00")).exit_code == 0
    assert (
        run(
            "seal", str(source), "-o", str(tmp_path / "a.dlist"), now=at("2026-03-03 10:00")
        ).exit_code
        == 0
    )
    key = tmp_path / "home" / "author" / "ed25519.pem"
    os.chown(key, 1, 1)
    result = run("seal", str(source), "-o", str(tmp_path / "b.dlist"), now=at("2026-03-03 10:00"))
    assert result.exit_code == 2
    assert f"{key} belongs to another user" in result.stderr
    assert not (tmp_path / "b.dlist").exists()


def test_an_author_key_others_can_read_is_refused(run: Cli, tmp_path: Path) -> None:
    """As ssh refuses a private key others can read: seal stops, doctor says so, and the
    advice is a file's mode."""
    source = tmp_path / "s.toml"
    assert run("new", str(source), now=at("2026-03-03 10:00")).exit_code == 0
    first = run("seal", str(source), "-o", str(tmp_path / "a.dlist"), now=at("2026-03-03 10:00"))
    assert first.exit_code == 0, first.output
    key = tmp_path / "home" / "author" / "ed25519.pem"
    key.chmod(0o644)
    result = run("seal", str(source), "-o", str(tmp_path / "b.dlist"), now=at("2026-03-03 10:00"))
    assert result.exit_code == 2
    assert f"{key} can be read by others (mode 644)" in result.stderr
    assert f"chmod 600 {key}" in result.stderr
    assert not (tmp_path / "b.dlist").exists()
    found = run("doctor", "--json", now=at("2026-03-03 10:00"))
    assert found.exit_code == 2
    assert any(
        "can be read by others" in p for p in json.loads(found.stdout)["data_dir"]["problems"]
    )


def test_a_data_dir_that_is_a_file(run: Cli, private_home: Path) -> None:
    private_home.write_text("not a folder", encoding="utf-8")
    for command in (["doctor"], ["open", "--example", "city-walk"], ["status"]):
        result = run(*command, now=at("2026-03-03 10:00"))
        assert result.exit_code == 2, (command, result.output)
        assert "is not a directory" in result.output


# --- nothing is ever lost ---------------------------------------------------------------------


def test_a_lost_sealed_copy_is_damage_and_open_puts_it_back(
    lived: Path, run: Cli, private_home: Path, tmp_path: Path
) -> None:
    sealed = (lived / "list.dlist").read_bytes()
    (lived / "list.dlist").unlink()
    (lived / "journal.json.bak").unlink()
    (lived / "journal.json.bak").mkdir()  # the re-open that once failed here lost the list
    for command in (["today"], ["status"], ["journal"], ["done", "--note", "x"]):
        result = run(*command, now=at("2026-03-03 10:00"))
        assert result.exit_code == 2, (command, result.output)
        assert "the sealed copy of list five-small-days is missing" in result.stderr
        assert "open the same .dlist file again" in result.stderr
    doctor = run("doctor", now=at("2026-03-03 10:00"))
    assert doctor.exit_code == 2
    assert "five-small-days" in doctor.stdout
    assert "is missing" in doctor.stdout
    journal = (lived / "journal.json").read_bytes()
    again = tmp_path / "again.dlist"
    again.write_bytes(sealed)
    reopened = run("open", str(again), now=at("2026-03-03 10:00"))
    assert reopened.exit_code == 0, reopened.output
    assert "Put back the sealed copy" in reopened.stdout
    assert (lived / "journal.json").read_bytes() == journal
    entries = json.loads(run("journal", "--json", now=at("2026-03-03 10:01")).stdout)["entries"]
    assert len(entries) == 1
    assert (lived / "journal.json.bak").is_dir()  # left as it was


def test_a_failed_open_deletes_nothing(lived: Path, run: Cli, tmp_path: Path) -> None:
    sealed = (lived / "list.dlist").read_bytes()
    (lived / "list.dlist").unlink()
    (lived / "journal.json").write_text("{ damaged", encoding="utf-8")
    before = snapshot(tmp_path)
    again = tmp_path / "again.dlist"
    again.write_bytes(sealed)
    result = run("open", str(again), now=at("2026-03-03 10:00"))
    assert result.exit_code == 2
    assert "damaged" in result.stderr
    assert snapshot(tmp_path) == {**before, str(again): sealed}


_WRITERS = {
    "new": lambda source, target: ["new", str(target)],
    "seal": lambda source, target: ["seal", str(source), "-o", str(target)],
    "remind ics": lambda source, target: ["remind", "ics", str(target)],
    "export": lambda source, target: ["export", "-o", str(target), "--format", "json"],
}


@pytest.mark.parametrize("command", sorted(_WRITERS))
def test_a_file_a_person_asks_for_is_written_only_where_it_may_be(
    command: str, lived: Path, run: Cli, tmp_path: Path
) -> None:
    """Every command that writes a file outside the data dir: a new file, or with --force a
    regular one; never into the data dir, never over a pipe or a device, even with --force."""
    source = tmp_path / "mine.toml"
    source.write_text(source_toml(3), encoding="utf-8")
    args = _WRITERS[command]
    now = at(f"{DAY1} 21:00")
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    before = snapshot(tmp_path / "home")
    for target, why in (
        (lived / "journal.json", "inside the data dir"),
        (fifo, "is not a regular file"),
    ):
        refused = run(*args(source, target), "--force", now=now)
        assert refused.exit_code == 2, (target, refused.output)
        assert why in refused.stderr
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert snapshot(tmp_path / "home") == before
    mine = tmp_path / "notes.txt"
    mine.write_text("mine", encoding="utf-8")
    refused = run(*args(source, mine), now=now)
    assert refused.exit_code == 2
    assert "already exists; choose another name or pass --force" in refused.stderr
    assert mine.read_text(encoding="utf-8") == "mine"
    replaced = run(*args(source, mine), "--force", now=now)
    assert replaced.exit_code == 0, replaced.output
    assert mine.read_text(encoding="utf-8") != "mine"

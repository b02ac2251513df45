"""The snapshot: a cache that speeds up reading and never decides a write.

How fast the everyday commands are is measured in bench/; these tests guard the design: the
snapshot a write leaves is the one a full check of the journal makes, a snapshot that does
not match its files is never used, a snapshot edited by hand (its checksum made to match)
can mislead a read until the next write but never a write, and `doctor` says so.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from dailylist import snapshot
from dailylist.author import codes_path_for
from dailylist.clock import SystemClock
from dailylist.opened import load
from dailylist.store import DataDir
from tests.conftest import HEAVY, Cli, at, heavy_imports, item_text, make_photo, source_toml
from tests.conftest import snapshot as snapshot_of


def full_check(home: Path, now: datetime) -> dict[str, Any]:
    """The snapshot made again from the list and journal, checked in full."""
    data = DataDir(home)
    (list_id,) = data.opened_list_ids()
    return load(data.list_files(list_id)).snapshot().document(now)


def on_disk(home: Path) -> dict[str, Any]:
    (folder,) = (home / "lists").iterdir()
    document: dict[str, Any] = json.loads((folder / "snapshot.json").read_bytes())
    del document["check"]
    return document


def forge(home: Path, change: Callable[[dict[str, Any]], None]) -> None:
    """Edit the snapshot by hand and make its checksum match, as a person could."""
    document = on_disk(home)
    change(document)
    (folder,) = (home / "lists").iterdir()
    (folder / "snapshot.json").write_bytes(snapshot.encode(document))


def test_each_write_leaves_the_snapshot_a_full_check_makes(
    run: Cli, private_home: Path, tmp_path: Path
) -> None:
    source = tmp_path / "four.toml"
    source.write_text(source_toml(4, extra_items={3: {"checkin": True}}), encoding="utf-8")
    sealed = tmp_path / "four.dlist"
    assert run("seal", str(source), "-o", str(sealed), now=at("2026-04-30 08:00")).exit_code == 0
    codes = codes_path_for(sealed).read_text(encoding="utf-8")
    code = re.search(r"Day +3: (\S+)", codes).group(1)  # type: ignore[union-attr]
    photo = make_photo(tmp_path / "p.jpg")
    steps = [
        ("2026-05-01 08:00", ["open", str(sealed)]),
        ("2026-05-01 09:00", ["today"]),
        ("2026-05-01 10:00", ["done", "--photo", str(photo), "--note", "one"]),
        ("2026-05-01 11:00", ["amend", "--note", "one, better"]),
        ("2026-05-03 09:00", ["today"]),  # a day missed: the list waits, nothing skipped
        ("2026-05-03 10:00", ["done", "--photo", str(photo), "--note", "two"]),
        ("2026-05-04 09:00", ["today", "--code", code]),  # day 3 is a check-in
        ("2026-05-04 10:00", ["done", "--photo", str(photo), "--note", "three"]),
        ("2026-05-05 09:00", ["today"]),
        ("2026-05-05 10:00", ["done", "--photo", str(photo), "--note", "four"]),
    ]
    for when, args in steps:
        result = run(*args, now=at(when))
        assert result.exit_code == 0, (args, result.output)
        assert on_disk(private_home) == full_check(private_home, at(when)), args
    assert on_disk(private_home)["current"] is None
    assert len(on_disk(private_home)["done_days"]) == 4


def test_the_snapshot_holds_the_revealed_item_and_no_key(
    make_sealed: Callable[..., Path], run: Cli, private_home: Path
) -> None:
    assert run("open", str(make_sealed(3)), now=at("2026-05-01 08:00")).exit_code == 0
    (folder,) = (private_home / "lists").iterdir()
    assert item_text(1) not in (folder / "snapshot.json").read_text(encoding="utf-8")
    assert run("today", now=at("2026-05-01 09:00")).exit_code == 0
    kept = (folder / "snapshot.json").read_text(encoding="utf-8")
    assert item_text(1) in kept
    assert item_text(2) not in kept
    # Not the content key, which opens every item:
    assert not [name for name in json.loads(kept) if "key" in name]


@pytest.fixture
def two_done(make_sealed: Callable[..., Path], run: Cli, tmp_path: Path) -> Path:
    """Five items, days 1 and 2 done (1 and 2 May)."""
    assert run("open", str(make_sealed(5)), now=at("2026-05-01 08:00")).exit_code == 0
    photo = make_photo(tmp_path / "p.jpg")
    for day in ("01", "02"):
        assert run("today", now=at(f"2026-05-{day} 09:00")).exit_code == 0
        done = run("done", "--photo", str(photo), "--note", "x", now=at(f"2026-05-{day} 10:00"))
        assert done.exit_code == 0, done.output
    return photo


def test_a_damaged_snapshot_is_never_used(two_done: Path, run: Cli, private_home: Path) -> None:
    (folder,) = (private_home / "lists").iterdir()
    path = folder / "snapshot.json"
    # Still valid JSON with every field in place, but claiming a day that was not done:
    # its own checksum gives it away, and the full path answers instead.
    document = json.loads(path.read_bytes())
    document["done_days"].append("2026-05-03")
    path.write_text(json.dumps(document), encoding="utf-8")
    result = run("today", "--json", now=at("2026-05-03 09:00"))
    assert result.exit_code == 0
    assert json.loads(result.stdout)["day"] == 3


def _claim_four_done(document: dict[str, Any]) -> None:
    document["done_days"] += ["2026-05-02", "2026-05-02"]
    document["standing"]["done_count"] = 4
    document["standing"]["last_done"]["index"] = 3


def test_a_hand_edited_snapshot_never_decides_a_write(
    two_done: Path, run: Cli, private_home: Path
) -> None:
    """Four days claimed done (the checksum made to match): a read may be misled until the
    next write, but the day's reveal is decided from the journal: day 3, not day 5."""
    forge(private_home, _claim_four_done)
    misled = json.loads(run("status", "--json", now=at("2026-05-02 12:00")).stdout)
    assert misled["lists"][0]["done"] == 4  # a read of the cache, until the next write
    doctor = run("doctor", "--json", now=at("2026-05-02 12:00"))
    assert doctor.exit_code == 2
    checks = {c["name"]: c for c in json.loads(doctor.stdout)["lists"][0]["checks"]}
    assert "does not say what the journal says" in checks["snapshot"]["problems"][0]

    shown = run("today", "--json", now=at("2026-05-03 09:00"))
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.stdout)["day"] == 3
    assert item_text(5) not in shown.stdout
    status = json.loads(run("status", "--json", now=at("2026-05-03 09:01")).stdout)
    journal = json.loads(run("journal", "--json", now=at("2026-05-03 09:01")).stdout)
    assert status["lists"][0]["done"] == len(journal["entries"]) == 2


@pytest.mark.parametrize(
    "spoil",
    [
        lambda d: d["standing"]["last_done"].__setitem__("day", "9999-12-31"),
        lambda d: d["standing"].__setitem__("last_event_at", "0001-01-01T00:00:00+14:00"),
        lambda d: d["done_days"].__setitem__(0, "0001-01-01"),
    ],
    ids=["last day in 9999", "last event in year 1", "a day done in year 1"],
)
def test_a_snapshot_outside_the_years_is_set_aside(
    two_done: Path, run: Cli, private_home: Path, spoil: Callable[[dict[str, Any]], None]
) -> None:
    forge(private_home, spoil)
    for args in (["status"], ["today"], ["prompt"], ["done", "--photo", str(two_done)]):
        result = run(*args, now=at("2026-05-02 12:00"))
        assert result.exit_code in (0, 1), (args, result.output)
    assert "2/5" in run("prompt", now=at("2026-05-02 12:00")).stdout


def test_a_forged_snapshot_cannot_make_done_skip(
    two_done: Path, run: Cli, private_home: Path
) -> None:
    assert run("today", now=at("2026-05-03 09:00")).exit_code == 0

    def ahead(document: dict[str, Any]) -> None:
        document["standing"]["current"]["index"] = 4

    forge(private_home, ahead)
    done = run("done", "--photo", str(two_done), "--note", "x", now=at("2026-05-03 10:00"))
    assert done.exit_code in (0, 1, 2)
    entries = json.loads(run("journal", "--json", now=at("2026-05-03 11:00")).stdout)["entries"]
    assert [e["day"] for e in entries] in ([1, 2], [1, 2, 3])


def test_a_snapshot_item_that_is_not_one_is_set_aside_for_the_journal(
    make_sealed: Callable[..., Path], run: Cli, private_home: Path
) -> None:
    assert run("open", str(make_sealed(3)), now=at("2026-05-01 08:00")).exit_code == 0
    assert run("today", now=at("2026-05-01 09:00")).exit_code == 0

    def spoil(document: dict[str, Any]) -> None:
        document["current"]["text"] = "   "

    forge(private_home, spoil)
    result = run("today", "--json", now=at("2026-05-01 10:00"))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["item"]["text"] == item_text(1)


def test_doctor_names_a_snapshot_item_the_journal_does_not_say(
    make_sealed: Callable[..., Path], run: Cli, private_home: Path
) -> None:
    assert run("open", str(make_sealed(3)), now=at("2026-05-01 08:00")).exit_code == 0
    assert run("today", now=at("2026-05-01 09:00")).exit_code == 0

    def other(document: dict[str, Any]) -> None:
        document["current"]["text"] = "Something else entirely."

    forge(private_home, other)
    doctor = run("doctor", now=at("2026-05-01 10:00"))
    assert doctor.exit_code != 0
    assert "(current)" in doctor.stdout + doctor.stderr


def test_the_prompt_never_breaks_on_a_forged_snapshot(
    make_sealed: Callable[..., Path], run: Cli, private_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dailylist.launch import quick_prompt

    assert run("open", str(make_sealed(3)), now=at("2026-05-01 08:00")).exit_code == 0

    def nonsense(document: dict[str, Any]) -> None:
        document["prompt"] = ["not", "a", "prompt"]

    forge(private_home, nonsense)
    monkeypatch.setenv("DAILYLIST_HOME", str(private_home))
    assert quick_prompt(["prompt"]) is None  # so the full path answers
    assert quick_prompt(["prompt", "--list", "five-small-days"]) is None


# --- each command loads only what it needs --------------------------------------------------


@pytest.fixture
def revealed_now(make_sealed: Callable[..., Path], run: Cli) -> None:
    """A list whose item was revealed just now by the real clock (its day starts 12 h away,
    so the subprocesses below see the same list day)."""
    now = SystemClock().now()
    starts = (now + timedelta(hours=12)).strftime("%H:%M")
    sealed = make_sealed(3, settings={"day_starts_at": starts})
    assert run("open", str(sealed), now=now - timedelta(seconds=2)).exit_code == 0
    assert run("today", now=now - timedelta(seconds=1)).exit_code == 0


#: Nothing of the phone's page is loaded by any other command.
_PHONE = {"dailylist.phone", "segno", "python_multipart"}
_NOT_PYDANTIC = {"pydantic", "PIL", "pillow_heif", "filelock", *_PHONE}
#: What only a command that records a day needs.
_NOT_WRITING = {"dailylist.events", "dailylist.photo_flags", "dailylist.sharing"}


@pytest.mark.system
@pytest.mark.parametrize(
    ("args", "never"),
    [
        # The prompt starts before click, with nothing but the standard library.
        (("prompt",), {*HEAVY, *_PHONE, "dataclasses", "typing", "pathlib"}),
        # Once revealed, the item is shown from the snapshot: nothing is decrypted.
        # ... and neither the events' types nor the photo flags nor (with no postcards)
        # the sharing settings are loaded on the way.
        (("today",), {*_NOT_PYDANTIC, *_NOT_WRITING, "cryptography"}),
        (("today", "--json"), {*_NOT_PYDANTIC, *_NOT_WRITING, "cryptography", "rich"}),
        (("status",), {*_NOT_PYDANTIC, "cryptography"}),
        (("status", "--json"), {*_NOT_PYDANTIC, "cryptography", "rich"}),
        (("--help",), {*_NOT_PYDANTIC, "cryptography", "rich"}),
    ],
    ids=["prompt", "today", "today --json", "status", "status --json", "--help"],
)
@pytest.mark.usefixtures("revealed_now")
def test_everyday_commands_load_only_what_they_need(
    private_home: Path, args: tuple[str, ...], never: set[str]
) -> None:
    watch = tuple(sorted({*HEAVY, *_PHONE, *_NOT_WRITING, "dataclasses", "typing", "pathlib"}))
    output, loaded = heavy_imports(private_home, *args, watch=watch)
    assert output.strip(), "the command said nothing"
    assert not set(loaded) & never


def test_a_command_that_fails_leaves_no_snapshot(
    two_done: Path, run: Cli, private_home: Path, tmp_path: Path
) -> None:
    """Waiting for tomorrow, a clock that reads too early, `done` refused: no file changes,
    not even the cache."""
    (folder,) = (private_home / "lists").iterdir()
    (folder / "snapshot.json").unlink()
    before = snapshot_of(tmp_path)
    for when, args, code in (
        ("2026-05-02 12:00", ["today"], 1),
        ("2026-04-20 12:00", ["today"], 1),
        ("2026-05-02 12:00", ["done", "--photo", str(two_done), "--note", "again"], 1),
        ("2026-04-20 12:00", ["status"], 1),
    ):
        result = run(*args, now=at(when))
        assert result.exit_code == code, (args, result.output)
    assert snapshot_of(tmp_path) == before
    assert not (folder / "snapshot.json").exists()

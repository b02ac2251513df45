"""`dailylist doctor`: finds every kind of damage, changes nothing, restores the backup."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Cli, at, make_photo, snapshot

DAY1, DAY2 = "2026-03-02", "2026-03-03"


@pytest.fixture
def two_days(make_sealed: Callable[..., Path], run: Cli, tmp_path: Path) -> Path:
    """Two days done; returns the list's folder."""
    assert run("open", str(make_sealed(3)), now=at(f"{DAY1} 08:00")).exit_code == 0
    for number, day in enumerate((DAY1, DAY2), start=1):
        assert run("today", now=at(f"{day} 09:00")).exit_code == 0
        photo = make_photo(tmp_path / f"p{number}.jpg", size=(10 + number, 10))
        result = run(
            "done", "--photo", str(photo), "--note", f"day {number}", now=at(f"{day} 10:00")
        )
        assert result.exit_code == 0
    (folder,) = (tmp_path / "home" / "lists").iterdir()
    return folder


def doctor(run: Cli, *args: str, input: str | None = None) -> tuple[int, dict[str, Any]]:
    result = run("doctor", "--json", *args, now=at(f"{DAY2} 12:00"), input=input)
    report: dict[str, Any] = json.loads(result.stdout)
    problems = {
        check["name"]: check["problems"]
        for entry in report["lists"]
        for check in entry["checks"]
        if not check["ok"]
    }
    return result.exit_code, problems


def test_a_healthy_data_dir(two_days: Path, run: Cli) -> None:
    assert doctor(run) == (0, {})
    human = run("doctor", now=at(f"{DAY2} 12:00"))
    assert human.exit_code == 0
    assert "All is well" in human.stdout


def test_it_finds_a_missing_and_a_replaced_photo(two_days: Path, run: Cli, tmp_path: Path) -> None:
    first, second = sorted((two_days / "photos").iterdir())
    first.unlink()
    second.write_bytes(b"not the photo")
    before = snapshot(tmp_path)
    code, problems = doctor(run)
    assert code == 2
    assert len(problems["photos"]) == 2
    assert any("is missing" in p for p in problems["photos"])
    assert any("does not match its hash" in p for p in problems["photos"])
    assert snapshot(tmp_path) == before


def test_it_finds_a_tampered_sealed_copy_and_loose_permissions(two_days: Path, run: Cli) -> None:
    sealed = two_days / "list.dlist"
    sealed.write_bytes(sealed.read_bytes().replace(b'"Ada"', b'"Eve"'))
    (two_days / "journal.json").chmod(0o644)
    code, problems = doctor(run)
    assert code == 2
    assert "changed since" in problems["sealed copy"][0]
    assert problems["permissions"] == [f"lists/{two_days.name}/journal.json is readable by others"]


def test_it_finds_a_snapshot_that_says_something_else(two_days: Path, run: Cli) -> None:
    from dailylist import snapshot as snapshot_file

    path = two_days / "snapshot.json"
    document = json.loads(path.read_bytes())
    del document["check"]
    document["done_days"] = ["2026-03-02"]  # one day fewer, checksum made to match
    path.write_bytes(snapshot_file.encode(document))
    code, problems = doctor(run)
    assert code == 2
    assert "does not say what the journal says" in problems["snapshot"][0]
    path.unlink()  # remade by the next command; until then there is nothing to disagree
    assert doctor(run) == (0, {})


def test_a_clock_behind_the_journal_is_named_as_the_clock(two_days: Path, run: Cli) -> None:
    result = run("doctor", "--json", now=at(f"{DAY2} 09:54"))  # done at 10:00
    report = json.loads(result.stdout)
    problems = [p for check in report["lists"][0]["checks"] for p in check["problems"]]
    assert result.exit_code == 2
    assert len(problems) == 1
    assert problems[0].startswith("the clock reads")
    assert "does not say what the journal says" not in problems[0]


def test_it_reports_leftover_temporary_files(two_days: Path, run: Cli) -> None:
    (two_days / ".journal.json.x1y2.tmp").write_bytes(b"{")
    human = run("doctor", now=at(f"{DAY2} 12:00"))
    assert "unfinished temporary file" in human.stdout


def test_restore_backup_shows_what_changes_and_keeps_the_replaced_journal(
    two_days: Path, run: Cli
) -> None:
    journal = two_days / "journal.json"
    damaged = journal.read_bytes()[:150]
    journal.write_bytes(damaged)
    assert doctor(run)[0] == 2
    result = run("doctor", "--restore-backup", "--yes", now=at(f"{DAY2} 12:00"))
    assert result.exit_code == 0, result.output
    assert "backup holds" in result.stdout
    assert "damaged or missing" in result.stdout
    assert journal.read_bytes() == (two_days / "journal.json.bak").read_bytes()
    (kept,) = two_days.glob("journal.json.replaced-*")
    assert kept.read_bytes() == damaged
    assert doctor(run) == (0, {})
    status = json.loads(run("status", "--json", now=at(f"{DAY2} 12:00")).stdout)
    assert status["lists"][0]["done"] == 1  # the backup is the journal before day 2's done


def test_restore_lists_the_events_it_would_drop_and_asks(
    two_days: Path, run: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("dailylist.cli._stdin_is_terminal", lambda: True)
    before = snapshot(tmp_path)
    result = run("doctor", "--restore-backup", now=at(f"{DAY2} 12:00"), input="n\n")
    assert result.exit_code == 1  # answered no: aborted
    assert "would drop" in result.stdout
    assert "day 2's completion of 2026-03-03, its reflection and 1 photo" in result.stdout
    assert snapshot(tmp_path) == before


def test_restore_needs_yes_without_a_terminal(two_days: Path, run: Cli, tmp_path: Path) -> None:
    before = snapshot(tmp_path)
    result = run("doctor", "--restore-backup", now=at(f"{DAY2} 12:00"))
    assert result.exit_code == 2
    assert "--yes" in result.stderr
    assert snapshot(tmp_path) == before


def test_a_damaged_backup_is_not_restored(two_days: Path, run: Cli, tmp_path: Path) -> None:
    (two_days / "journal.json.bak").write_bytes(b"{broken")
    before = snapshot(tmp_path)
    result = run("doctor", "--restore-backup", "--yes", now=at(f"{DAY2} 12:00"))
    assert result.exit_code == 2
    assert "the backup journal of list five-small-days is damaged" in result.stderr
    assert snapshot(tmp_path) == before


def test_a_journal_made_a_directory_can_be_restored(two_days: Path, run: Cli) -> None:
    journal = two_days / "journal.json"
    journal.unlink()
    journal.mkdir()
    result = run("doctor", "--restore-backup", "--yes", now=at(f"{DAY2} 12:00"))
    assert result.exit_code == 0, result.output
    assert journal.is_file()
    assert next(two_days.glob("journal.json.replaced-*")).is_dir()


def test_it_checks_the_photos_of_amendments_too(two_days: Path, run: Cli, tmp_path: Path) -> None:
    better = make_photo(tmp_path / "better.png", "PNG", size=(21, 13))
    assert run("amend", "--photo", str(better), now=at(f"{DAY2} 11:00")).exit_code == 0
    assert doctor(run) == (0, {})
    (stored,) = [p for p in (two_days / "photos").iterdir() if p.suffix == ".png"]
    stored.write_bytes(b"not the photo")
    code, problems = doctor(run)
    assert code == 2
    assert problems == {"photos": [f"day 2: {stored.name} does not match its hash"]}


def test_it_names_an_event_that_breaks_the_rules(two_days: Path, run: Cli) -> None:
    """A journal edited by hand, its chain rebuilt: day 2 moved onto day 1's list day."""
    from tests.test_report_verify import rehash

    path = two_days / "journal.json"
    document = json.loads(path.read_bytes())
    day2 = [e for e in document["events"] if e.get("index") == 1]
    for event in day2:
        event["at"] = event["at"].replace(DAY2, DAY1).replace("T09", "T11").replace("T10", "T12")
    day2[-1]["day"] = DAY1
    rehash(document)
    path.write_text(json.dumps(document, indent=2), encoding="utf-8")
    code, problems = doctor(run)
    assert code == 2
    reveal, done = problems["journal"]  # the completion, unrevealed, does not count either
    assert reveal.startswith("event 4 (revealed, day 2, 2026-03-02 11:00) breaks the rules")
    assert "day 1 is done; one a day" in reveal
    assert done.startswith("event 5 (completed, day 2, 2026-03-02 12:00) breaks the rules")


def test_restoring_twice_in_one_second_keeps_both_replaced_journals(
    two_days: Path, run: Cli
) -> None:
    journal = two_days / "journal.json"
    first = journal.read_bytes()
    assert run("doctor", "--restore-backup", "--yes", now=at(f"{DAY2} 12:00")).exit_code == 0
    second = journal.read_bytes()
    assert run("doctor", "--restore-backup", "--yes", now=at(f"{DAY2} 12:00")).exit_code == 0
    kept = sorted(two_days.glob("journal.json.replaced-*"))
    assert [path.name for path in kept] == [
        "journal.json.replaced-20260303T120000",
        "journal.json.replaced-20260303T120000-2",
    ]
    assert [path.read_bytes() for path in kept] == [first, second]


def test_a_damaged_journal_is_named_by_the_day_of_its_bad_event(two_days: Path, run: Cli) -> None:
    journal = two_days / "journal.json"
    journal.write_text(journal.read_text().replace('"reflection":"day 2"', '"reflection":"x"'))
    result = run("today", now=at(f"{DAY2} 12:00"))
    assert result.exit_code == 2
    assert "event 5 (completed, day 2, 2026-03-03 10:00) was changed" in result.stderr


def test_a_backup_that_is_a_folder_is_named_as_one(two_days: Path, run: Cli) -> None:
    backup = two_days / "journal.json.bak"
    backup.unlink()
    backup.mkdir()
    (backup / "keep.txt").write_text("mine", encoding="utf-8")
    code, problems = doctor(run)
    assert code == 2
    assert "journal.json.bak is a folder, not a journal backup" in problems["backup"][0]
    assert (backup / "keep.txt").read_text(encoding="utf-8") == "mine"

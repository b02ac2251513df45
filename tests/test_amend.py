"""`amend`: today's reflection or photos may change, on the same day only, and it shows."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from dailylist.opened import journal_of
from dailylist.store import DataDir
from tests.conftest import Cli, at, make_photo, snapshot
from tests.test_report_verify import rehash

DAY1, DAY2 = "2026-05-04", "2026-05-05"


@pytest.fixture
def done_today(make_sealed: Callable[..., Path], run: Cli, tmp_path: Path) -> Path:
    sealed = make_sealed(3)
    assert run("open", str(sealed), now=at(f"{DAY1} 08:00")).exit_code == 0
    assert run("today", now=at(f"{DAY1} 09:00")).exit_code == 0
    photo = make_photo(tmp_path / "first.jpg")
    result = run("done", "--photo", str(photo), "--note", "First words.", now=at(f"{DAY1} 10:00"))
    assert result.exit_code == 0
    return sealed


def entry(run: Cli, day: str = DAY1) -> dict[str, Any]:
    entries = json.loads(run("journal", "--json", now=at(f"{day} 23:00")).stdout)["entries"]
    first: dict[str, Any] = entries[0]
    return first


def test_amend_the_reflection_the_same_day(done_today: Path, run: Cli, data: DataDir) -> None:
    result = run("amend", "--note", "Better words, later.", now=at(f"{DAY1} 22:00"))
    assert result.exit_code == 0, result.output
    amended = entry(run)
    assert amended["reflection"] == "Better words, later."
    assert amended["amended"] is True
    # The first version stays in the journal, and the chain still holds.
    (list_id,) = data.opened_list_ids()
    events = journal_of(data.list_files(list_id)).events
    assert [e.kind for e in events] == ["opened", "revealed", "completed", "amended"]
    assert events[2].reflection == "First words."  # type: ignore[union-attr]
    assert "amended" in run("journal", now=at(f"{DAY1} 23:00")).stdout


def test_amend_the_photos(done_today: Path, run: Cli, tmp_path: Path) -> None:
    better = make_photo(tmp_path / "better.png", "PNG")
    assert run("amend", "--photo", str(better), now=at(f"{DAY1} 22:00")).exit_code == 0
    photos = entry(run)["photos"]
    assert [p["format"] for p in photos] == ["PNG"]
    assert entry(run)["reflection"] == "First words."


def test_the_next_day_it_is_too_late(done_today: Path, run: Cli, tmp_path: Path) -> None:
    before = snapshot(tmp_path)
    result = run("amend", "--note", "too late", now=at(f"{DAY2} 09:00"))
    assert result.exit_code == 1
    assert "only today" in result.stderr
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        ([], 2, "nothing to amend"),
        (["--note", "  "], 2, "empty reflection"),
        (["--photo", "missing.jpg"], 2, "does not exist"),
    ],
)
def test_bad_amendments_change_nothing(
    args: list[str], code: int, message: str, done_today: Path, run: Cli, tmp_path: Path
) -> None:
    before = snapshot(tmp_path)
    result = run("amend", *args, now=at(f"{DAY1} 22:00"))
    assert result.exit_code == code
    assert message in result.stderr
    assert snapshot(tmp_path) == before


def test_nothing_to_amend_before_the_first_done(
    make_sealed: Callable[..., Path], run: Cli
) -> None:
    assert run("open", str(make_sealed(3)), now=at(f"{DAY1} 08:00")).exit_code == 0
    result = run("amend", "--note", "x", now=at(f"{DAY1} 09:00"))
    assert result.exit_code == 1


def test_an_amended_report_verifies_and_a_moved_amendment_does_not(
    done_today: Path, run: Cli, tmp_path: Path
) -> None:
    assert run("amend", "--note", "Changed my mind.", now=at(f"{DAY1} 22:00")).exit_code == 0
    report = tmp_path / "report.json"
    assert run("export", "-o", str(report), now=at(f"{DAY1} 23:00")).exit_code == 0
    ok = run("verify", str(report), "--list", str(done_today), now=at(f"{DAY2} 09:00"))
    assert ok.exit_code == 0, ok.output

    document = json.loads(report.read_text(encoding="utf-8"))
    amendment = document["events"][-1]
    amendment["day"] = DAY2
    amendment["at"] = f"{DAY2}T12:00:00+02:00"
    rehash(document)
    report.write_text(json.dumps(document), encoding="utf-8")
    moved = run(
        "verify", str(report), "--list", str(done_today), "--json", now=at(f"{DAY2} 13:00")
    )
    assert moved.exit_code == 1
    verdict = json.loads(moved.stdout)
    problems = [p for check in verdict["checks"] for p in check["problems"]]
    assert any(
        p.startswith("day 1 amended at") and "could be amended until" in p for p in problems
    ), problems


def test_an_amended_photo_taken_before_the_reveal_is_flagged(
    done_today: Path, run: Cli, tmp_path: Path
) -> None:
    early = make_photo(tmp_path / "early.jpg", taken="2026:05:03 18:00:00")
    result = run("amend", "--photo", str(early), now=at(f"{DAY1} 22:00"))
    assert result.exit_code == 0
    assert "taken before" in result.stderr
    assert entry(run)["photo_taken_before_reveal"] is True


def test_amend_before_todays_done_says_there_is_nothing_to_amend_yet(
    done_today: Path, run: Cli
) -> None:
    assert run("today", now=at(f"{DAY2} 09:00")).exit_code == 0
    result = run("amend", "--note", "x", now=at(f"{DAY2} 10:00"))
    assert result.exit_code == 1
    assert "today's item (day 2) is not done yet, so there is nothing to amend" in result.stderr


def test_a_day_can_be_changed_only_so_often(
    done_today: Path, run: Cli, private_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Amendments each add to the journal: a script amending all day must not grow it
    past what can be read again."""
    from dailylist import limits

    monkeypatch.setattr(limits, "AMENDMENTS_A_DAY", 2)
    for number in range(2):
        result = run("amend", "--note", f"version {number}", now=at(f"{DAY1} 2{number}:00"))
        assert result.exit_code == 0, result.output
    before = snapshot(private_home)
    refused = run("amend", "--note", "once more", now=at(f"{DAY1} 22:30"))
    assert refused.exit_code == 1
    assert "changed 2 times already" in refused.stderr
    assert snapshot(private_home) == before
    assert entry(run)["reflection"] == "version 1"


@pytest.mark.parametrize("how", ["--note", "stdin"])
def test_a_reflection_longer_than_the_cap_is_refused_whole(
    done_today: Path, run: Cli, private_home: Path, how: str
) -> None:
    from dailylist.limits import REFLECTION

    long_text = "word " * REFLECTION  # five times the cap
    before = snapshot(private_home)
    if how == "stdin":
        result = run("amend", "--note", "-", now=at(f"{DAY1} 22:00"), input=long_text)
    else:
        result = run("amend", "--note", long_text, now=at(f"{DAY1} 22:00"))
    assert result.exit_code == 2
    assert "longer than 32 KB" in result.stderr
    assert snapshot(private_home) == before
    assert entry(run)["reflection"] == "First words."

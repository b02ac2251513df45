"""`open` and `close`: a closed list leaves every everyday command, and comes back whole."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Cli, at, make_photo, snapshot


@pytest.fixture
def two_lists(make_sealed: Callable[..., Path], run: Cli, tmp_path: Path) -> tuple[Path, Path]:
    """Two open lists, "Seven days" (a day done) and "Morning"."""
    seven = make_sealed(7, title="Seven days")
    morning = make_sealed(3, title="Morning")
    assert run("open", str(seven), now=at("2026-06-01 08:00")).exit_code == 0
    assert run("today", now=at("2026-06-01 09:00")).exit_code == 0
    photo = make_photo(tmp_path / "p.jpg")
    done = run("done", "--photo", str(photo), "--note", "x", now=at("2026-06-01 10:00"))
    assert done.exit_code == 0
    assert run("open", str(morning), now=at("2026-06-01 11:00")).exit_code == 0
    return seven, morning


def names(run: Cli, *extra: str) -> list[str]:
    result = run("status", "--json", *extra, now=at("2026-06-02 09:00"))
    return [entry["name"] for entry in json.loads(result.stdout)["lists"]]


def test_a_closed_list_is_left_out_and_open_brings_it_back_whole(
    two_lists: tuple[Path, Path], run: Cli, private_home: Path
) -> None:
    from dailylist.picking import name_of

    seven, _ = two_lists
    (folder,) = [
        p
        for p in (private_home / "lists").iterdir()
        if name_of(str(private_home), p.name) == "seven-days"
    ]
    before = {p.name: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    closed = run("close", "seven", "--yes", now=at("2026-06-02 09:00"))  # a unique start
    assert closed.exit_code == 0, closed.output
    assert "Closed seven-days" in closed.stdout
    assert names(run) == ["morning"]
    assert names(run, "--all") == ["morning", "seven-days"]
    entries = json.loads(run("status", "--json", "--all", now=at("2026-06-02 09:00")).stdout)
    assert [e["closed"] for e in entries["lists"]] == [False, True]
    assert run("prompt", now=at("2026-06-02 09:00")).stdout.strip() == "day 1/3 waiting"
    refused = run("today", "--list", "seven-days", now=at("2026-06-02 09:00"))
    assert refused.exit_code == 2
    assert "seven-days is closed: `dailylist open` with its sealed file brings it back" in (
        refused.stderr
    )
    assert run("close", "morning", "--yes", now=at("2026-06-02 09:01")).exit_code == 0
    nothing_open = run("status", now=at("2026-06-02 09:01"))
    assert "No list is open: 2 closed (see them with dailylist status --all" in (
        nothing_open.stdout
    )
    assert run("open", str(two_lists[1]), now=at("2026-06-02 09:02")).exit_code == 0
    archived = private_home / "archive" / folder.name
    assert {p.name: p.read_bytes() for p in archived.rglob("*") if p.is_file()} == before

    back = run("open", str(seven), now=at("2026-06-02 09:05"))
    assert back.exit_code == 0, back.output
    assert "Brought back" in back.stdout
    assert names(run) == ["seven-days", "morning"]
    entries = json.loads(
        run("journal", "--json", "--list", "seven", now=at("2026-06-02 09:06")).stdout
    )
    assert len(entries["entries"]) == 1  # never a fresh start over it
    assert not list((private_home / "archive").iterdir())


def test_close_asks_first_and_needs_yes_without_a_terminal(
    two_lists: tuple[Path, Path], run: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot(tmp_path)
    plain = run("close", "morning", now=at("2026-06-02 09:00"))
    assert plain.exit_code == 2
    assert "pass --yes" in plain.stderr
    monkeypatch.setattr("dailylist.cli._stdin_is_terminal", lambda: True)
    declined = run("close", "morning", now=at("2026-06-02 09:00"), input="n\n")
    assert declined.exit_code == 1
    assert "Close morning?" in declined.stdout
    assert snapshot(tmp_path) == before
    unknown = run("close", "evening", "--yes", now=at("2026-06-02 09:00"))
    assert unknown.exit_code == 2

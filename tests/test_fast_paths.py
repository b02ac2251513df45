"""The everyday commands' fast path: the snapshot they read, and what they import to read it.

How fast they are is measured in bench/; these tests guard the design that makes them so:
the snapshot a command moves on by one event is the one a full check would make, a snapshot
that does not match its files is never used, and each command loads only what it needs.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from dailylist import rules
from dailylist.author import codes_path_for
from dailylist.clock import SystemClock
from dailylist.recipient import current_snapshot
from dailylist.store import DataDir, appended_text, journal_text
from tests.conftest import HEAVY, Cli, at, heavy_imports, make_photo, source_toml

# --- the snapshot a command leaves is the one a full check makes ---------------------------


def full_check(home: Path) -> dict[str, Any]:
    """The snapshot made again from the list and journal, checked in full."""
    data = DataDir(home)
    (list_id,) = data.opened_list_ids()
    data.list_files(list_id).snapshot.unlink()
    return current_snapshot(data, list_id).document()


def on_disk(home: Path) -> dict[str, Any]:
    (folder,) = (home / "lists").iterdir()
    document: dict[str, Any] = json.loads((folder / "snapshot.json").read_bytes())
    del document["check"]
    return document


def test_each_command_moves_the_snapshot_on_exactly_as_a_full_check_would(
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
        moved = on_disk(private_home)
        assert moved == full_check(private_home), args
    assert moved["current"] is None
    assert len(moved["standing"]["done_days"]) == 4


def test_a_damaged_snapshot_is_never_used(
    make_sealed: Callable[..., Path], run: Cli, private_home: Path, tmp_path: Path
) -> None:
    assert run("open", str(make_sealed(3)), now=at("2026-05-01 08:00")).exit_code == 0
    assert run("today", now=at("2026-05-01 09:00")).exit_code == 0
    photo = make_photo(tmp_path / "p.jpg")
    done = run("done", "--photo", str(photo), "--note", "x", now=at("2026-05-01 10:00"))
    assert done.exit_code == 0
    (folder,) = (private_home / "lists").iterdir()
    path = folder / "snapshot.json"
    # Still valid JSON with every field in place, but claiming a day that was not done:
    # its own checksum gives it away, and the full path answers instead.
    document = json.loads(path.read_bytes())
    document["standing"]["done_days"].append("2026-05-02")
    path.write_text(json.dumps(document), encoding="utf-8")
    result = run("today", "--json", now=at("2026-05-02 09:00"))
    assert result.exit_code == 0
    assert json.loads(result.stdout)["day"] == 2
    assert json.loads(path.read_bytes())["standing"]["done_days"] == ["2026-05-01"]


# --- the fold is the old rule, one event at a time -----------------------------------------


def test_standing_counts_only_completions_that_keep_the_rules() -> None:
    class Event:  # the attributes `Standing.after` reads
        def __init__(self, kind: str, index: int, day: str, at_text: str) -> None:
            self.kind, self.index = kind, index
            self.day = datetime.fromisoformat(day).date()
            self.at = at(at_text)
            self.item_key = None

    standing = rules.Standing(3)
    for event in [
        Event("completed", 0, "2026-05-01", "2026-05-01 09:00"),  # not revealed: no
        Event("revealed", 1, "2026-05-01", "2026-05-01 09:01"),  # ahead: kept, not current
        Event("revealed", 0, "2026-05-01", "2026-05-01 09:02"),
        Event("completed", 0, "2026-05-01", "2026-05-01 09:03"),  # counts
        Event("completed", 1, "2026-05-01", "2026-05-01 09:04"),  # same day: no
        Event("completed", 1, "2026-05-02", "2026-05-02 09:00"),  # counts (revealed ahead)
        Event("completed", 1, "2026-05-03", "2026-05-03 09:00"),  # again: no
    ]:
        standing = standing.after(event)  # type: ignore[arg-type]
    assert standing.done_count == 2
    assert standing.first_revealed_at == at("2026-05-01 09:02")
    assert standing.reveals_ahead == ()
    assert standing.last_event_at == at("2026-05-03 09:00")


# --- each command loads only what it needs --------------------------------------------------


@pytest.fixture
def revealed_now(make_sealed: Callable[..., Path], run: Cli) -> None:
    """A list whose item was revealed just now by the real clock (its day starts 12 h away,
    so the subprocesses below see the same list day)."""
    now = SystemClock().now()
    starts = (now + timedelta(hours=12)).strftime("%H:%M")
    sealed = make_sealed(3, settings={"day_starts_at": starts})
    assert run("open", str(sealed), now=now).exit_code == 0
    assert run("today", now=now).exit_code == 0


_NOT_PYDANTIC = {"pydantic", "PIL", "pillow_heif", "filelock"}


@pytest.mark.parametrize(
    ("args", "never"),
    [
        # The prompt starts before click, with nothing but the standard library.
        (("prompt",), {*HEAVY, "dataclasses", "typing", "pathlib"}),
        (("today",), _NOT_PYDANTIC),
        (("today", "--json"), {*_NOT_PYDANTIC, "rich"}),
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
    watch = tuple(sorted({*HEAVY, "dataclasses", "typing", "pathlib"}))
    output, loaded = heavy_imports(private_home, *args, watch=watch)
    assert output.strip(), "the command said nothing"
    assert not set(loaded) & never


# --- appending to the journal -----------------------------------------------------------------


def test_an_appended_event_gives_the_bytes_a_full_write_gives() -> None:
    events = [{"id": "a" * 64, "kind": "opened"}, {"id": "b" * 64, "text": 'é\n"x"'}]
    document = {"format": 1, "list_id": "f" * 32, "events": events}
    new = {"id": "c" * 64, "kind": "revealed", "index": 0}
    appended = appended_text(journal_text(document), new)
    assert appended == journal_text({**document, "events": [*events, new]})


@pytest.mark.parametrize(
    "layout",
    [
        lambda document: json.dumps(document, indent=2) + "\n",  # as dailylist 0.1 wrote them
        lambda document: json.dumps(document),
    ],
    ids=["indented", "one line"],
)
def test_a_journal_written_another_way_still_takes_new_events(
    layout: Callable[[dict[str, Any]], str],
    make_sealed: Callable[..., Path],
    run: Cli,
    private_home: Path,
    tmp_path: Path,
) -> None:
    assert run("open", str(make_sealed(3)), now=at("2026-05-01 08:00")).exit_code == 0
    assert run("today", now=at("2026-05-01 09:00")).exit_code == 0
    (folder,) = (private_home / "lists").iterdir()
    journal = folder / "journal.json"
    journal.write_text(layout(json.loads(journal.read_bytes())), encoding="utf-8")
    photo = make_photo(tmp_path / "p.jpg")
    done = run("done", "--photo", str(photo), "--note", "x", now=at("2026-05-01 10:00"))
    assert done.exit_code == 0, done.output
    assert [e["kind"] for e in json.loads(journal.read_bytes())["events"]] == [
        "opened",
        "revealed",
        "completed",
    ]
    assert on_disk(private_home) == full_check(private_home)


@pytest.mark.parametrize(
    "raw",
    [
        b'{\n  "format": 1,\n  "list_id": "x",\n  "events": []\n}\n',
        b'{\n  "format": 1,\n  "list_id": "x",\n  "events": [ \n  ]\n}\n',
        b'{\n  "events": [\n    {"id": "a"}\n  ],\n  "format": 1\n}\n',
    ],
    ids=["no events", "no events, spaced", "events not last"],
)
def test_a_journal_that_does_not_end_in_an_event_is_written_in_full(raw: bytes) -> None:
    assert appended_text(raw, {"id": "b"}) is None


def test_the_prompt_never_breaks_on_a_forged_snapshot(
    make_sealed: Callable[..., Path], run: Cli, private_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dailylist import snapshot
    from dailylist.launch import quick_prompt

    assert run("open", str(make_sealed(3)), now=at("2026-05-01 08:00")).exit_code == 0
    (folder,) = (private_home / "lists").iterdir()
    document = json.loads((folder / "snapshot.json").read_bytes())
    del document["check"]
    document["list"] = ["not", "a", "list's facts"]
    (folder / "snapshot.json").write_bytes(snapshot.encode(document))
    monkeypatch.setenv("DAILYLIST_HOME", str(private_home))
    assert quick_prompt(["prompt"]) is None  # so the full path answers
    assert quick_prompt(["prompt", "--list", "five-small-days"]) is None


def test_an_item_in_the_snapshot_that_does_not_decrypt_is_reported(
    make_sealed: Callable[..., Path], run: Cli, private_home: Path
) -> None:
    from dailylist import snapshot

    assert run("open", str(make_sealed(3)), now=at("2026-05-01 08:00")).exit_code == 0
    assert run("today", now=at("2026-05-01 09:00")).exit_code == 0
    (folder,) = (private_home / "lists").iterdir()
    document = json.loads((folder / "snapshot.json").read_bytes())
    del document["check"]
    document["current"]["ciphertext"] = document["current"]["ciphertext"][::-1]
    (folder / "snapshot.json").write_bytes(snapshot.encode(document))
    before = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}
    result = run("today", now=at("2026-05-01 10:00"))
    assert result.exit_code == 2
    assert "does not decrypt; `dailylist doctor` tells more" in result.stderr
    assert {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()} == before

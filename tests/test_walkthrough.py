"""The story, end to end, with the real system clock moved by time-machine."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import time_machine
from click.testing import CliRunner, Result

from dailylist.cli import cli
from tests.conftest import at, item_text, make_photo


def dailylist(*args: str, input: str | None = None) -> Result:
    """Run the CLI as a user would: no injected clock, the system's (travelled) time."""
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


def on(moment: str) -> time_machine.travel:
    """The clock at `moment`, running on from there (a `done` comes after its `today`)."""
    return time_machine.travel(at(moment), tick=True)


def assert_only_items_shown(result: Result, visible: set[int], count: int = 5) -> None:
    text = result.stdout + result.stderr
    for number in range(1, count + 1):
        if number not in visible:
            assert item_text(number) not in text, f"item {number} leaked"


def test_a_five_item_list_lived_over_a_week(
    make_sealed: Callable[..., Path], tmp_path: Path
) -> None:
    sealed = make_sealed(5)
    photo = make_photo(tmp_path / "day.jpg")

    with on("2026-03-02 09:00"):
        opened = dailylist("open", str(sealed))
        assert opened.exit_code == 0, opened.output
        assert "Dear you" in opened.stdout
        assert "No skipping." in opened.stdout
        assert "fingerprint" in opened.stdout
        assert_only_items_shown(opened, set())

    # Day 1: reveal and complete item 1.
    with on("2026-03-02 10:00"):
        shown = dailylist("today")
        assert shown.exit_code == 0
        assert item_text(1) in shown.stdout
        assert_only_items_shown(shown, {1})
    with on("2026-03-02 20:00"):
        done = dailylist("done", "--photo", str(photo), "--note", "A long bath. I cried.")
        assert done.exit_code == 0, done.output
        assert_only_items_shown(done, {1})

    # The same day: come back tomorrow, and `done` refuses.
    with on("2026-03-02 22:00"):
        again = dailylist("today")
        assert again.exit_code == 1
        assert "Day 1 of 5 is done" in again.stdout
        assert "The next item unlocks tomorrow at 4:00 (in 6 h)." in again.stdout
        assert_only_items_shown(again, {1})
        refused = dailylist("done", "--photo", str(photo), "--note", "twice?")
        assert refused.exit_code == 1
        assert "already done" in refused.stderr
        assert_only_items_shown(refused, set())

    # Day 2: item 2.
    with on("2026-03-03 08:30"):
        second = dailylist("today")
        assert second.exit_code == 0
        assert item_text(2) in second.stdout
        assert_only_items_shown(second, {2})
        assert dailylist("done", "--photo", str(photo), "--note", "Called Sam.").exit_code == 0

    # Days 3 to 6: nothing. Day 7 shows item 3, never 4 or 5.
    with on("2026-03-08 12:00"):
        third = dailylist("today", "--json")
        assert third.exit_code == 0
        payload = json.loads(third.stdout)
        assert payload["day"] == 3
        assert payload["item"]["text"] == item_text(3)
        assert_only_items_shown(third, {3})
        assert dailylist("done", "--photo", str(photo), "--note", "A new street.").exit_code == 0

    with on("2026-03-08 13:00"):
        journal = dailylist("journal", "--json")
        entries = json.loads(journal.stdout)["entries"]
        assert [e["day"] for e in entries] == [1, 2, 3]
        assert [e["date"] for e in entries] == ["2026-03-02", "2026-03-03", "2026-03-08"]
        assert [e["text"] for e in entries] == [item_text(n) for n in (1, 2, 3)]
        assert entries[0]["reflection"] == "A long bath. I cried."
        assert all(len(e["photos"]) == 1 for e in entries)
        assert_only_items_shown(journal, {1, 2, 3})

        status = json.loads(dailylist("status", "--json").stdout)["lists"][0]
        assert status["done"] == 3
        assert status["item_count"] == 5
        assert status["missed_days"] == ["2026-03-04", "2026-03-05", "2026-03-06", "2026-03-07"]
        assert status["streak"] == 1
        assert status["state"] == "done-today"
        assert status["unlocks_at"] == "2026-03-09T04:00:00+01:00"

        human = dailylist("journal")
        assert human.exit_code == 0
        assert "A new street." in human.stdout
        assert "Missed days" in human.stdout
        assert_only_items_shown(human, {1, 2, 3})


def test_the_next_item_unlocks_at_local_day_start_across_spring_forward(
    make_sealed: Callable[..., Path], tmp_path: Path
) -> None:
    """Berlin skips 02:00-03:00 on 2026-03-29: day 2 still unlocks at 04:00 local time."""
    sealed = make_sealed(3)
    photo = make_photo(tmp_path / "day.jpg")
    with on("2026-03-28 21:00"):
        assert dailylist("open", str(sealed)).exit_code == 0
        assert dailylist("today").exit_code == 0
        assert dailylist("done", "--photo", str(photo), "--note", "ok").exit_code == 0
        waiting = json.loads(dailylist("today", "--json").stdout)
        assert waiting["unlocks_at"] == "2026-03-29T04:00:00+02:00"
    with on("2026-03-29 03:59"):
        assert dailylist("today").exit_code == 1
    with on("2026-03-29 04:00"):
        shown = dailylist("today")
        assert shown.exit_code == 0
        assert item_text(2) in shown.stdout


def test_a_custom_day_start_keeps_late_nights_on_the_day_before(
    make_sealed: Callable[..., Path], tmp_path: Path
) -> None:
    sealed = make_sealed(3, settings={"day_starts_at": "06:30"})
    photo = make_photo(tmp_path / "day.jpg")
    with on("2026-06-10 22:00"):
        assert dailylist("open", str(sealed)).exit_code == 0
        assert dailylist("today").exit_code == 0
    with on("2026-06-11 02:00"):  # still 10 June for this list
        assert dailylist("done", "--photo", str(photo), "--note", "late").exit_code == 0
        entry = json.loads(dailylist("journal", "--json").stdout)["entries"][0]
        assert entry["date"] == "2026-06-10"
    with on("2026-06-11 06:29"):
        assert dailylist("today").exit_code == 1
    with on("2026-06-11 06:30"):
        assert dailylist("today").exit_code == 0


def test_the_last_day_says_so_and_keeps_its_figures(
    make_sealed: Callable[..., Path], tmp_path: Path
) -> None:
    sealed = make_sealed(2)
    photo = make_photo(tmp_path / "day.jpg")
    with on("2026-06-01 09:00"):
        assert dailylist("open", str(sealed)).exit_code == 0
    for day in ("2026-06-01", "2026-06-02"):
        with on(f"{day} 10:00"):
            assert dailylist("today").exit_code == 0
            done = dailylist("done", "--photo", str(photo), "--note", "ok")
    assert "that was the last one" in done.stdout
    assert "See you tomorrow" not in done.stdout
    with on("2026-06-20 10:00"):
        (entry,) = json.loads(dailylist("status", "--json").stdout)["lists"]
    assert (entry["state"], entry["streak"], entry["finished_on"]) == ("finished", 2, "2026-06-02")

"""Looking back: `journal` and `show`, which never show an item not done."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import DAY, Cli, at, in_process_of_its_own, item_text


def test_show_a_day_in_full(one_day_done: Path, run: Cli) -> None:
    shown = run("show", "1", now=at(f"{DAY} 12:00"))
    assert shown.exit_code == 0
    assert item_text(1) in shown.stdout
    assert "A good one." in shown.stdout
    assert ".jpg" in shown.stdout  # not a terminal: the photo's file is listed


def test_show_a_day_not_done_keeps_its_secret(one_day_done: Path, run: Cli) -> None:
    result = run("show", "2", now=at("2026-06-02 12:00"))
    assert result.exit_code == 1
    assert "not done yet" in result.stderr
    assert item_text(2) not in result.output
    beyond = run("show", "9", now=at(f"{DAY} 12:00"))
    assert beyond.exit_code == 2


@pytest.mark.system
def test_journal_photo_previews_only_where_they_can_be_drawn(
    one_day_done: Path, run: Cli, private_home: Path
) -> None:
    piped = run("journal", "--photos", now=at(f"{DAY} 12:00"))
    assert piped.exit_code == 0
    assert "▀" not in piped.stdout  # no screens of uncoloured blocks
    assert "previews need a terminal" in piped.stdout
    colour = {"FORCE_COLOR": "1", "TERM": "xterm-256color", "COLUMNS": "100"}
    assert "▀" in in_process_of_its_own(private_home, "journal", "--photos", **colour)
    plain = in_process_of_its_own(private_home, "journal", "--photos", **colour, NO_COLOR="1")
    assert "▀" not in plain

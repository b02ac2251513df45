"""Everyday comfort: reminders, completion, output that respects its reader, show, quiet."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
from collections.abc import Callable
from datetime import time
from pathlib import Path

import icalendar
import pytest
from click.shell_completion import BashComplete

from dailylist.cli import cli
from tests.conftest import Cli, at, item_text, make_photo

DAY = "2026-06-01"


@pytest.fixture
def one_day_done(make_sealed: Callable[..., Path], run: Cli, tmp_path: Path) -> Path:
    sealed = make_sealed(3, title="Small things")
    assert run("open", str(sealed), now=at(f"{DAY} 08:00")).exit_code == 0
    assert run("today", now=at(f"{DAY} 09:00")).exit_code == 0
    photo = make_photo(tmp_path / "p.jpg", size=(60, 40))
    result = run("done", "--photo", str(photo), "--note", "A good one.", now=at(f"{DAY} 10:00"))
    assert result.exit_code == 0
    return sealed


# --- reminders ------------------------------------------------------------------------------


def test_ics_is_one_daily_event_with_the_title(
    one_day_done: Path, run: Cli, tmp_path: Path
) -> None:
    path = tmp_path / "reminder.ics"
    result = run("remind", "ics", str(path), "--at", "08:30", now=at(f"{DAY} 12:00"))
    assert result.exit_code == 0, result.output
    calendar = icalendar.Calendar.from_ical(path.read_bytes())
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 1
    (event,) = events
    assert "Small things" in str(event["SUMMARY"])
    assert event["RRULE"]["FREQ"] == ["DAILY"]
    start = event.decoded("DTSTART")
    assert start.time() == time(8, 30)
    assert start.date().isoformat() == "2026-06-02"  # 08:30 today has passed at noon
    assert start.utcoffset() == at(f"{DAY} 08:30").utcoffset()
    assert list(event.walk("VALARM"))


@pytest.mark.parametrize(
    ("args", "message"),
    [(["--at", "25:00"], "not a time of day"), (["--at", "soon"], "not a time of day")],
)
def test_ics_refuses_a_bad_time(
    args: list[str], message: str, one_day_done: Path, run: Cli, tmp_path: Path
) -> None:
    result = run("remind", "ics", str(tmp_path / "r.ics"), *args, now=at(f"{DAY} 12:00"))
    assert result.exit_code == 2
    assert message in result.stderr
    assert not (tmp_path / "r.ics").exists()


def test_ics_into_a_missing_folder(one_day_done: Path, run: Cli, tmp_path: Path) -> None:
    result = run("remind", "ics", str(tmp_path / "no" / "r.ics"), now=at(f"{DAY} 12:00"))
    assert result.exit_code == 2
    assert "does not exist" in result.stderr


def test_cron_line_and_systemd_units(one_day_done: Path, run: Cli) -> None:
    cron = run("remind", "cron", "--at", "19:30", now=at(f"{DAY} 12:00")).stdout.strip()
    fields = cron.split()
    assert fields[:5] == ["30", "19", "*", "*", "*"]
    assert cron.endswith("-m dailylist remind notify")
    assert "DAILYLIST_HOME=" in cron
    units = run("remind", "systemd", "--at", "07:05", now=at(f"{DAY} 12:00")).stdout
    assert "OnCalendar=*-*-* 07:05:00" in units
    assert "ExecStart=/usr/bin/env" in units
    assert "dailylist-remind.timer" in units


@pytest.fixture
def fake_notify_send(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A notify-send on PATH that writes its arguments to a file."""
    folder = tmp_path / "bin"
    folder.mkdir()
    record = tmp_path / "notices.txt"
    script = folder / "notify-send"
    script.write_text(f'#!/bin/sh\necho "$@" >> {record}\n', encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    return record


def test_notify_only_when_today_waits(
    one_day_done: Path, run: Cli, fake_notify_send: Path
) -> None:
    assert run("remind", "notify", now=at(f"{DAY} 19:00")).exit_code == 0
    assert not fake_notify_send.exists()  # done today: no notice
    assert run("remind", "notify", now=at("2026-06-02 19:00")).exit_code == 0
    assert "day 2/3 waiting" in fake_notify_send.read_text(encoding="utf-8")


def test_notify_without_notify_send_prints(
    one_day_done: Path, run: Cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    result = run("remind", "notify", now=at("2026-06-02 19:00"))
    assert result.exit_code == 0
    assert "day 2/3 waiting" in result.stdout


# --- completion -----------------------------------------------------------------------------


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_scripts(shell: str, run: Cli) -> None:
    result = run("completion", shell, now=at(f"{DAY} 12:00"))
    assert result.exit_code == 0
    assert "_DAILYLIST_COMPLETE" in result.stdout
    assert len(result.stdout.splitlines()) > 5


def test_list_names_complete(make_sealed: Callable[..., Path], run: Cli) -> None:
    run("open", str(make_sealed(3, title="Morning walks")), now=at(f"{DAY} 08:00"))
    run("open", str(make_sealed(3, title="Evening calls")), now=at(f"{DAY} 08:01"))
    completer = BashComplete(cli, {}, "dailylist", "_DAILYLIST_COMPLETE")
    names = [item.value for item in completer.get_completions(["today", "--list"], "")]
    assert sorted(names) == ["evening-calls", "morning-walks"]
    names = [item.value for item in completer.get_completions(["status", "--list"], "mor")]
    assert names == ["morning-walks"]


# --- output that respects its reader --------------------------------------------------------


def _subprocess(home: Path, *args: str, **env: str) -> str:
    # The autouse fixture sets NO_COLOR; here only what the test passes counts.
    inherited = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    environment = {**inherited, "DAILYLIST_HOME": str(home), **env}
    done = subprocess.run(
        [sys.executable, "-m", "dailylist", *args],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout + done.stderr


@pytest.mark.parametrize("command", [["journal"], ["status"], ["today"], ["show", "1"]])
def test_piped_output_has_no_escape_codes(
    command: list[str], one_day_done: Path, private_home: Path
) -> None:
    output = _subprocess(private_home, *command)
    assert output.strip()
    assert "\x1b[" not in output


def test_no_color_is_honoured_on_a_terminal(one_day_done: Path, private_home: Path) -> None:
    coloured = _subprocess(private_home, "journal", FORCE_COLOR="1", TERM="xterm-256color")
    assert "\x1b[" in coloured  # the terminal gets styling...
    plain = _subprocess(
        private_home, "journal", FORCE_COLOR="1", TERM="xterm-256color", NO_COLOR="1"
    )
    assert _colours(coloured)
    assert not _colours(plain)  # ...but no colours with NO_COLOR


def _colours(output: str) -> list[str]:
    """The colour parameters of every SGR escape in `output` (bold, italic don't count)."""
    found = []
    for params in re.findall(r"\x1b\[([0-9;]*)m", output):
        codes = [int(p) for p in params.split(";") if p]
        found += [str(c) for c in codes if 30 <= c <= 49 or 90 <= c <= 107]
    return found


JSON_KEYS = {
    ("today", "--json"): {"list", "item_count", "state", "day", "item", "unlocks_at"},
    ("journal", "--json"): {"list", "entries", "missed_days"},
    ("status", "--json"): {"lists"},
    ("show", "1", "--json"): {"day", "date", "text", "title", "reflection", "photos", "amended"},
    ("doctor", "--json"): {"healthy", "lists"},
}


@pytest.mark.parametrize("command", list(JSON_KEYS))
def test_json_outputs_carry_their_documented_keys(
    command: tuple[str, ...], one_day_done: Path, run: Cli
) -> None:
    result = run(*command, now=at(f"{DAY} 12:00"))
    assert JSON_KEYS[command] <= set(json.loads(result.stdout))


def test_status_json_keys(one_day_done: Path, run: Cli) -> None:
    (entry,) = json.loads(run("status", "--json", now=at(f"{DAY} 12:00")).stdout)["lists"]
    assert set(entry) == {
        "id", "name", "title", "author", "fingerprint", "done", "item_count", "streak",
        "missed", "missed_days", "today", "state", "unlocks_at", "finished_on",
    }  # fmt: skip


def test_quiet_says_nothing_on_success(
    make_sealed: Callable[..., Path], run: Cli, tmp_path: Path
) -> None:
    opened = run("open", str(make_sealed(3)), "-q", now=at(f"{DAY} 08:00"))
    assert opened.exit_code == 0
    assert opened.stdout == ""
    assert run("today", now=at(f"{DAY} 09:00")).exit_code == 0
    photo = make_photo(tmp_path / "p.jpg")
    done = run("done", "--photo", str(photo), "--note", "x", "-q", now=at(f"{DAY} 10:00"))
    assert done.exit_code == 0
    assert done.stdout == ""
    again = run("done", "--photo", str(photo), "--note", "x", "-q", now=at(f"{DAY} 11:00"))
    assert again.exit_code == 1
    assert "already done" in again.stderr


def test_relative_times_say_how_long(one_day_done: Path, run: Cli) -> None:
    result = run("today", now=at(f"{DAY} 21:00"))
    assert "2026-06-02 04:00 (in 7 h)" in result.stdout


# --- show and photo previews ----------------------------------------------------------------


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


def test_journal_photo_previews(one_day_done: Path, run: Cli) -> None:
    result = run("journal", "--photos", now=at(f"{DAY} 12:00"))
    assert result.exit_code == 0
    assert "▀" in result.stdout


def test_preview_keeps_the_shape(tmp_path: Path) -> None:
    from dailylist.render import photo_preview

    wide = make_photo(tmp_path / "wide.png", "PNG", size=(80, 20))
    rows = photo_preview(wide, 40).plain.strip().splitlines()
    assert len(rows) == 5  # 40 wide, 10 pixels high, two pixels per character
    assert all(len(row) == 40 for row in rows)


def test_hand_wrapped_text_is_reflowed_but_meant_breaks_stay() -> None:
    from dailylist.render import reflow

    letter = (
        "Dear you,\n\n"
        "You have spent a long time looking after everything and everyone. This\n"
        "month is for you.\n\n"
        "Love,\nSam\n"
    )
    assert reflow(letter) == (
        "Dear you,\n\n"
        "You have spent a long time looking after everything and everyone. This "
        "month is for you.\n\n"
        "Love,\nSam"
    )


def test_ics_onto_a_directory_is_refused(one_day_done: Path, run: Cli, tmp_path: Path) -> None:
    result = run("remind", "ics", str(tmp_path), now=at(f"{DAY} 12:00"))
    assert result.exit_code == 2
    assert "is a directory" in result.stderr

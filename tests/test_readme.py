"""The README's commands work as written: its tour, pasted line by line into a shell after
the Try-it command, on a faked clock and in a private data dir."""

from __future__ import annotations

import re
import shlex
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from dailylist.cli import cli
from dailylist.clock import FixedClock
from tests.conftest import at

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text(encoding="utf-8")


def fenced(after: str) -> list[str]:
    """The lines of the first ```sh block after the heading `after`."""
    section = README[README.index(after) :]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block is not None
    return [line for line in block.group(1).splitlines() if line.strip()]


def commands(lines: list[str]) -> list[list[str]]:
    """The dailylist commands of shell lines, without their comments."""
    found = []
    for line in lines:
        for part in line.split("&&"):
            words = shlex.split(part, comments=True)
            if words and words[0] == "dailylist":
                found.append(words[1:])
    return found


def test_the_try_it_command_and_the_tour_work_as_written(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(REPO)
    runner = CliRunner()
    now = at("2026-11-26 19:30")
    try_it = commands(fenced("## Try it"))
    tour = commands(fenced("## The recipient's tour"))
    assert try_it == [["open", "--example", "find-yourself"], ["today"]]
    done = False
    for args in try_it + tour:
        now += timedelta(minutes=1)
        result = runner.invoke(cli, args, obj={"clock": FixedClock(now)})
        done = done or args[0] == "done"
        # Once day 1 is done, a plain `today` says so, and exits 1 ("not now").
        expected = 1 if args == ["today"] and done else 0
        assert result.exit_code == expected, (args, result.output)
        assert "Traceback" not in result.output


def test_the_tour_says_what_the_tool_says() -> None:
    """The comment on the tour's second `today` is what it prints, give or take the time."""
    (line,) = [line for line in fenced("## The recipient's tour") if "Day 1 of 30 is done" in line]
    assert "The next item unlocks" in line


def test_the_tour_adds_to_the_days_words_rather_than_replacing_them() -> None:
    """Its later words are more to say, not a correction: `amend --append` keeps the first."""
    tour = fenced("## The recipient's tour")
    (line,) = [line for line in tour if "Later I called my sister" in line]
    assert commands([line]) == [["amend", "--append", "Later I called my sister about it."]]


def test_the_try_it_block_first_gives_dailylist_a_folder_of_its_own(tmp_path: Path) -> None:
    """Pasted whole, the block points dailylist at a new, empty private folder before any
    command of it runs, so trying it writes nothing into the person's real data dir."""
    import os
    import subprocess

    lines = fenced("## Try it")
    first, rest = lines[0], "\n".join(lines[1:])
    assert "DAILYLIST_HOME" not in rest
    assert "dailylist " not in first.partition("#")[0]
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    env.pop("DAILYLIST_HOME")
    shell = subprocess.run(
        ["sh", "-c", f'{first}\nprintf %s "$DAILYLIST_HOME"'],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    folder = Path(shell.stdout)
    assert folder.parent == tmp_path
    assert folder.is_dir()
    assert list(folder.iterdir()) == []


def test_the_test_command_is_the_one_ci_runs() -> None:
    (command,) = fenced("Install what the tests need")
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert ci.rstrip().splitlines()[-1] == command

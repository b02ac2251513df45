"""`dailylist prompt`: one line, right on every day, and light enough for every prompt."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Cli, at, heavy_imports, make_photo, run_into_a_closed_pipe


def line(run: Cli, when: str, *args: str) -> str:
    result = run("prompt", *args, now=at(when))
    assert result.exit_code == 0, result.output
    return result.stdout.strip()


def test_prompt_follows_the_list_day_by_day(
    make_sealed: Callable[..., Path], run: Cli, tmp_path: Path
) -> None:
    assert line(run, "2026-06-01 08:00") == ""
    assert run("open", str(make_sealed(2)), now=at("2026-06-01 08:00")).exit_code == 0
    assert line(run, "2026-06-01 08:01") == "day 1/2 waiting"
    photo = make_photo(tmp_path / "p.jpg")
    for day, expected_after in (("2026-06-01", "day 1/2 done"), ("2026-06-02", "all 2 done")):
        assert run("today", now=at(f"{day} 09:00")).exit_code == 0
        assert (
            run("done", "--photo", str(photo), "--note", "x", now=at(f"{day} 10:00")).exit_code
            == 0
        )
        assert line(run, f"{day} 11:00") == expected_after


@pytest.mark.parametrize("spoil", ["delete", "stale", "garbage"])
def test_without_a_fresh_snapshot_it_reads_the_journal(
    spoil: str, make_sealed: Callable[..., Path], run: Cli, tmp_path: Path
) -> None:
    assert run("open", str(make_sealed(3)), now=at("2026-06-01 08:00")).exit_code == 0
    assert run("today", now=at("2026-06-01 09:00")).exit_code == 0
    photo = make_photo(tmp_path / "p.jpg")
    assert (
        run("done", "--photo", str(photo), "--note", "x", now=at("2026-06-01 10:00")).exit_code
        == 0
    )
    (folder,) = (tmp_path / "home" / "lists").iterdir()
    snapshot, journal = folder / "snapshot.json", folder / "journal.json"
    if spoil == "delete":
        snapshot.unlink()
    elif spoil == "stale":  # the same events written another way: other bytes
        journal.write_text(json.dumps(json.loads(journal.read_bytes())), encoding="utf-8")
    else:
        snapshot.write_bytes(b'{"format": 1, "list": ')
    assert line(run, "2026-06-01 11:00") == "day 1/3 done"
    assert json.loads(snapshot.read_bytes())["done_days"] == ["2026-06-01"]
    assert line(run, "2026-06-02 05:00") == "day 2/3 waiting"


def test_prompt_picks_a_list_by_name(make_sealed: Callable[..., Path], run: Cli) -> None:
    run("open", str(make_sealed(3, title="Morning")), now=at("2026-06-01 08:00"))
    run("open", str(make_sealed(5, title="Evening")), now=at("2026-06-01 08:01"))
    assert line(run, "2026-06-01 09:00") == "day 1/5 waiting"
    assert line(run, "2026-06-01 09:00", "--list", "morning") == "day 1/3 waiting"


@pytest.mark.system
def test_the_fast_path_loads_no_heavy_library(
    make_sealed: Callable[..., Path], run: Cli, private_home: Path
) -> None:
    run("open", str(make_sealed(3)), now=at("2026-06-01 08:00"))
    output, heavy = heavy_imports(private_home, "prompt")
    assert output.strip().endswith("/3 waiting")
    assert heavy == []


@pytest.mark.system
def test_a_reader_that_leaves_early_gets_no_traceback(
    make_sealed: Callable[..., Path], run: Cli, private_home: Path
) -> None:
    run("open", str(make_sealed(3)), now=at("2026-06-01 08:00"))
    done = run_into_a_closed_pipe(private_home, "prompt")  # the quick path
    assert (done.returncode, done.stderr) == (1, "")

"""Output for people: rich on a terminal, plain when piped, NO_COLOR, quiet, previews."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import DAY, Cli, at, in_process_of_its_own, make_photo


@pytest.mark.parametrize("command", [["journal"], ["status"], ["today"], ["show", "1"]])
def test_piped_output_has_no_escape_codes(
    command: list[str], one_day_done: Path, private_home: Path
) -> None:
    output = in_process_of_its_own(private_home, *command)
    assert output.strip()
    assert "\x1b[" not in output


def test_no_color_is_honoured_on_a_terminal(one_day_done: Path, private_home: Path) -> None:
    coloured = in_process_of_its_own(
        private_home, "journal", FORCE_COLOR="1", TERM="xterm-256color"
    )
    assert "\x1b[" in coloured  # the terminal gets styling...
    plain = in_process_of_its_own(
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
    assert "tomorrow at 4:00 (in 7 h)" in result.stdout
    status = run("status", now=at(f"{DAY} 21:00"))
    assert "2026-06-02 04:00 (in 7 h)" in status.stdout  # a table's column: the date in full


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


def test_piped_output_keeps_each_sentence_on_one_line(
    one_day_done: Path, private_home: Path, tmp_path: Path
) -> None:
    sealed = tmp_path / "mine.dlist"
    sealed.write_bytes(one_day_done.read_bytes())
    output = in_process_of_its_own(private_home, "check", str(sealed), COLUMNS="")
    assert "it was checked when it was sealed; `dailylist open` opens it" in output
    report = tmp_path / "r.json"
    in_process_of_its_own(private_home, "export", "-o", str(report))
    document = json.loads(report.read_text(encoding="utf-8"))
    document["list"]["id"] = "0123456789abcdef" * 2
    report.write_text(json.dumps(document), encoding="utf-8")
    verdict = in_process_of_its_own(private_home, "verify", str(report), "--list", str(sealed))
    assert "0123456789abcdef0123456789abcd" in verdict.replace("\n", "").replace("│", "")


def test_waiting_half_an_hour_says_half_an_hour_not_tomorrow(
    make_sealed: Callable[..., Path], run: Cli, tmp_path: Path
) -> None:
    sealed = make_sealed(3, settings={"day_starts_at": "05:00"})
    assert run("open", str(sealed), now=at("2026-06-01 20:00")).exit_code == 0
    assert run("today", now=at("2026-06-01 21:00")).exit_code == 0
    photo = make_photo(tmp_path / "p.jpg")
    done = run("done", "--photo", str(photo), "--note", "x", now=at("2026-06-01 23:00"))
    assert done.exit_code == 0
    result = run("today", now=at("2026-06-02 04:30"))
    assert result.exit_code == 1
    assert "tomorrow" not in result.stdout.lower()
    assert "The next item unlocks today at 5:00 (in 30 min)." in result.stdout


def _words(text: str) -> list[str]:
    """The words of `text`, borders and layout left out."""
    return re.sub(r"[│╭╮╰╯─┃┏┓┗┛━]", " ", text).split()


def test_piped_output_wraps_inside_panels_and_tables_and_cuts_nothing(
    private_home: Path,
) -> None:
    """Piped, a sentence outside a panel stays one line; inside a panel or a table it wraps
    at the border rather than being cut off there."""
    import tomllib

    lists = Path(__file__).resolve().parents[1] / "lists"
    source = tomllib.loads((lists / "find-yourself.toml").read_text("utf-8"))
    output = in_process_of_its_own(private_home, "open", "--example", "find-yourself")
    shown = " ".join(_words(output))
    assert " ".join(source["letter"].split()) in shown
    for rule in source["rules"]:
        assert " ".join(rule.split()) in shown
    table = in_process_of_its_own(private_home, "status", COLUMNS="60")
    assert "thirty-days-to-find-yourself" in table  # the name `--list` takes, whole

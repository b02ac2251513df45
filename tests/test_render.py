"""Output for people: rich on a terminal, plain when piped, NO_COLOR, quiet, previews."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import DAY, Cli, at, in_process_of_its_own, item_text, make_photo


@pytest.mark.system
@pytest.mark.parametrize("command", [["journal"], ["status"], ["today"], ["show", "1"]])
def test_piped_output_has_no_escape_codes(
    command: list[str], one_day_done: Path, private_home: Path
) -> None:
    output = in_process_of_its_own(private_home, *command)
    assert output.strip()
    assert "\x1b[" not in output


@pytest.mark.system
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


@pytest.mark.system
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


@pytest.mark.system
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


# --- plain text when piped or on a dumb terminal --------------------------------------------

#: Box drawing (U+2500-U+257F: light, heavy, double and rounded lines and corners).
BOXES = re.compile("[\u2500-\u257f]")
#: What a terminal is sent besides text: styles (NO_COLOR leaves bold and italic), links.
ESCAPES = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)")


def in_a_terminal(home: Path, *args: str, term: str) -> str:
    """Run `dailylist ARGS` with its output on a pseudo-terminal whose TERM is `term`, as
    in a terminal window (stdin is not one, so nothing is asked): what it shows."""
    import os
    import pty
    import subprocess
    import sys

    leader, follower = pty.openpty()
    env = {**os.environ, "DAILYLIST_HOME": str(home), "TERM": term, "COLUMNS": "100"}
    child = subprocess.Popen(
        [sys.executable, "-m", "dailylist", *args],
        stdin=subprocess.DEVNULL,
        stdout=follower,
        stderr=follower,
        env=env,
    )
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the other end closed: the command is over
            break
        if not chunk:
            break
        shown += chunk
    child.wait(timeout=120)
    os.close(leader)
    return shown.decode("utf-8").replace("\r\n", "\n")


@pytest.fixture
def every_printer(one_day_done: Path, run: Cli, tmp_path: Path) -> list[tuple[list[str], bool]]:
    """Every command that prints a panel or a table (and those around them), each with
    whether a terminal shows it boxed: (arguments, boxed)."""
    from tests.conftest import source_toml

    source = tmp_path / "mine.toml"
    source.write_text(source_toml(3, title="Mine"), encoding="utf-8")
    report = tmp_path / "report.json"
    assert run("export", "-o", str(report), now=at(f"{DAY} 12:00")).exit_code == 0
    seal = ["seal", str(source), "-o", str(tmp_path / "mine.dlist"), "--force"]
    assert run(*seal, now=at(f"{DAY} 12:00")).exit_code == 0  # the author key is made
    return [
        (["check", str(source)], False),
        (seal, False),
        (["open", str(one_day_done)], True),  # already open: the letter and rules again
        (["today"], True),  # day 2, revealed on the real clock's day
        (["journal"], True),
        (["show", "1"], True),
        (["status"], True),
        (["doctor"], True),
        (["verify", str(report), "--list", str(one_day_done)], True),
    ]


@pytest.mark.system
def test_piped_and_dumb_output_is_plain_text_with_the_same_words(
    every_printer: list[tuple[list[str], bool]], private_home: Path
) -> None:
    """Piped (whatever TERM says), or on a terminal that says TERM=dumb: no box is drawn,
    and the words are those a terminal shows, in boxes."""
    from collections import Counter

    for args, boxed in every_printer:
        piped = in_process_of_its_own(private_home, *args, TERM="xterm-256color", COLUMNS="100")
        dumb = in_a_terminal(private_home, *args, term="dumb")
        shown = in_a_terminal(private_home, *args, term="xterm-256color")
        assert not BOXES.search(piped), (args, piped)
        assert not BOXES.search(dumb), (args, dumb)
        assert not ESCAPES.search(piped), (args, piped)
        assert bool(BOXES.search(shown)) == boxed, (args, shown)  # a terminal: as ever
        words = Counter(BOXES.sub(" ", _same(ESCAPES.sub("", shown))).split())
        assert Counter(_same(piped).split()) == words, args
        assert Counter(_same(ESCAPES.sub("", dumb)).split()) == words, args


def _same(output: str) -> str:
    """`output` with the one thing a run may print anew each time left out: a sealed
    list's random id."""
    return re.sub(r"\b[0-9a-f]{32}\b", "ID", output)


@pytest.mark.system
def test_done_and_amend_piped_draw_no_box(
    one_day_done: Path, private_home: Path, tmp_path: Path
) -> None:
    assert "Day 2 of 3" in in_process_of_its_own(private_home, "today")
    photo = make_photo(tmp_path / "two.jpg")
    done = in_process_of_its_own(private_home, "done", "--photo", str(photo), "--note", "Two.")
    amend = in_process_of_its_own(private_home, "amend", "--note", "Two, and more.")
    journal = in_process_of_its_own(private_home, "journal")
    assert "Day 2 of 3 done" in done
    assert "Day 2 amended" in amend
    assert "Two, and more." in journal
    for output in (done, amend, journal):
        assert not BOXES.search(output)


@pytest.mark.system
def test_a_plain_panel_is_its_title_and_its_body_indented(
    one_day_done: Path, private_home: Path
) -> None:
    journal = in_process_of_its_own(private_home, "journal").splitlines()
    start = journal.index("Day 1 · 2026-06-01 · Day title 1")
    assert journal[start + 1] == f"  {item_text(1)}"
    assert "  A good one." in journal
    status = in_process_of_its_own(private_home, "status", COLUMNS="120").splitlines()
    assert status[0].split() == ["list", "progress", "streak", "missed", "today", "next", "unlock"]
    assert all(line == line.rstrip() for line in journal + status)  # no padding left over

"""The command line as a user meets it: help, errors, lists, reflections, and no leaks."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.shell_completion import BashComplete
from click.testing import CliRunner

from dailylist.cli import cli
from dailylist.clock import FixedClock
from tests.conftest import (
    BERLIN,
    Cli,
    at,
    heavy_imports,
    item_text,
    make_photo,
    run_into_a_closed_pipe,
    snapshot,
)

DAY = "2026-03-02"
COMMANDS = [
    "new", "check", "seal", "open", "today", "done", "journal", "status", "export", "verify",
    "doctor", "amend", "prompt", "show", "completion", "remind", "remind ics", "remind cron",
    "remind systemd", "remind notify", "close", "phone", "sync", "sync setup", "sync join",
    "share", "share setup", "share stop", "share reflections", "follow", "postcard",
]  # fmt: skip


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_an_example(command: str) -> None:
    result = CliRunner().invoke(cli, [*command.split(), "--help"])
    assert result.exit_code == 0
    assert "Example" in result.stdout
    assert f"dailylist {command}" in result.stdout


def test_export_prints_its_schema_and_needs_a_target(run: Cli) -> None:
    schema = json.loads(run("export", "--schema", now=at(f"{DAY} 10:00")).stdout)
    assert schema["title"] == "Report"
    missing = run("export", now=at(f"{DAY} 10:00"))
    assert missing.exit_code == 2
    assert "-o FILE" in missing.stderr


def test_version() -> None:
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert "dailylist" in result.stdout


def test_no_list_open_yet(run: Cli) -> None:
    for command in ("today", "journal", "done"):
        result = run(command, now=at(f"{DAY} 10:00"))
        assert result.exit_code == 2
        assert "dailylist open" in result.stderr
    assert "No list is open yet" in run("status", now=at(f"{DAY} 10:00")).stdout


def test_expected_errors_have_no_traceback_unless_debug(run: Cli, tmp_path: Path) -> None:
    plain = run("open", str(tmp_path / "missing.dlist"), now=at(f"{DAY} 10:00"))
    assert plain.exit_code == 2
    assert "Traceback" not in plain.stderr
    debug = run("--debug", "open", str(tmp_path / "missing.dlist"), now=at(f"{DAY} 10:00"))
    assert debug.exit_code == 2
    assert "Traceback" in debug.stderr


def test_open_needs_a_file_or_an_example(run: Cli) -> None:
    result = run("open", now=at(f"{DAY} 10:00"))
    assert result.exit_code == 2
    assert "--example" in result.stderr


def test_open_an_example(run: Cli) -> None:
    result = run("open", "--example", "city-walk", now=at(f"{DAY} 10:00"))
    assert result.exit_code == 0
    assert "Seven days, one city" in result.stdout
    assert "Hello, walker." in result.stdout


@pytest.fixture
def two_lists(make_sealed: Callable[..., Path], run: Cli) -> Cli:
    first = make_sealed(3, title="Morning list")
    second = make_sealed(3, title="Evening list")
    assert run("open", str(first), now=at(f"{DAY} 08:00")).exit_code == 0
    assert run("open", str(second), now=at(f"{DAY} 08:01")).exit_code == 0
    return run


def test_list_picks_by_name_and_defaults_to_the_last_opened(two_lists: Cli) -> None:
    now = at(f"{DAY} 09:00")
    default = json.loads(two_lists("today", "--json", now=now).stdout)
    assert default["list"]["name"] == "evening-list"
    morning = json.loads(two_lists("today", "--list", "morning-list", "--json", now=now).stdout)
    assert morning["list"]["title"] == "Morning list"
    by_id = two_lists("today", "--list", morning["list"]["id"][:6], "--json", now=now)
    assert json.loads(by_id.stdout)["list"]["title"] == "Morning list"
    status = json.loads(two_lists("status", "--json", now=now).stdout)
    assert sorted(entry["name"] for entry in status["lists"]) == ["evening-list", "morning-list"]


def test_an_unknown_list_name_lists_the_choices(two_lists: Cli) -> None:
    result = two_lists("today", "--list", "noon", now=at(f"{DAY} 09:00"))
    assert result.exit_code == 2
    assert "evening-list" in result.stderr
    assert "morning-list" in result.stderr


@pytest.fixture
def revealed(make_sealed: Callable[..., Path], run: Cli) -> Callable[..., Cli]:
    def build(**kwargs: object) -> Cli:
        assert run("open", str(make_sealed(3, **kwargs)), now=at(f"{DAY} 08:00")).exit_code == 0
        assert run("today", now=at(f"{DAY} 09:00")).exit_code == 0
        return run

    return build


def test_reflection_from_stdin(revealed: Callable[..., Cli], photo: Path) -> None:
    run = revealed()
    result = run(
        "done", "--photo", str(photo), "--note", "-", now=at(f"{DAY} 10:00"),
        input="Walked to the river.\nIt was cold and good.\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    entry = json.loads(run("journal", "--json", now=at(f"{DAY} 11:00")).stdout)["entries"][0]
    assert entry["reflection"] == "Walked to the river.\nIt was cold and good."


def test_an_empty_reflection_is_refused_when_required(
    revealed: Callable[..., Cli], photo: Path, tmp_path: Path
) -> None:
    run = revealed()
    before = snapshot(tmp_path)
    result = run("done", "--photo", str(photo), "--note", "   ", now=at(f"{DAY} 10:00"))
    assert result.exit_code == 2
    assert "reflection is required" in result.stderr
    assert snapshot(tmp_path) == before


def test_optional_photo_and_reflection(revealed: Callable[..., Cli]) -> None:
    run = revealed(settings={"photo": "optional", "reflection": "optional"})
    result = run("done", now=at(f"{DAY} 10:00"))
    assert result.exit_code == 0, result.output
    entry = json.loads(run("journal", "--json", now=at(f"{DAY} 11:00")).stdout)["entries"][0]
    assert entry["photos"] == []
    assert entry["reflection"] is None


def test_reflection_off_ignores_notes(revealed: Callable[..., Cli], photo: Path) -> None:
    run = revealed(settings={"reflection": "off"})
    result = run("done", "--photo", str(photo), now=at(f"{DAY} 10:00"))
    assert result.exit_code == 0, result.output


def test_per_item_override_relaxes_one_day(revealed: Callable[..., Cli]) -> None:
    run = revealed(extra_items={1: {"photo": "optional"}})
    assert run("done", "--note", "no photo today", now=at(f"{DAY} 10:00")).exit_code == 0


def test_reflection_in_the_editor(
    revealed: Callable[..., Cli], photo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = revealed()
    seen: dict[str, str] = {}

    def fake_edit(text: str, **kwargs: object) -> str:
        seen["template"] = text
        return "I did it.\n# a comment line\n" + text

    monkeypatch.setenv("EDITOR", "true")
    monkeypatch.setattr("click.edit", fake_edit)
    monkeypatch.setattr("dailylist.cli._stdin_is_terminal", lambda: True)
    result = run("done", "--photo", str(photo), now=at(f"{DAY} 10:00"))
    assert result.exit_code == 0, result.output
    assert item_text(1) in seen["template"]
    entry = json.loads(run("journal", "--json", now=at(f"{DAY} 11:00")).stdout)["entries"][0]
    assert entry["reflection"] == "I did it."


def test_output_never_holds_an_unrevealed_item(
    make_sealed: Callable[..., Path], run: Cli, tmp_path: Path
) -> None:
    """Every read command, with and without --json, on every day of a 3-item list."""
    path = make_sealed(3)
    photo = make_photo(tmp_path / "p.jpg")
    outputs: list[tuple[int, str]] = []

    def every_command(day: str, revealed_up_to: int) -> None:
        now = at(f"{day} 12:00")
        for args in (
            ["today"], ["today", "--json"], ["journal"], ["journal", "--json"],
            ["status"], ["status", "--json"], ["--debug", "status"],
            ["done", "--note", "x"], ["done", "--photo", str(tmp_path / "missing.jpg")],
        ):  # fmt: skip
            result = run(*args, now=now)
            outputs.append((revealed_up_to, result.stdout + result.stderr))

    assert run("open", str(path), now=at(f"{DAY} 08:00")).exit_code == 0
    every_command("2026-03-01", 0)  # before the list was opened: the clock is refused
    every_command(DAY, 1)
    run("done", "--photo", str(photo), "--note", "x", now=at(f"{DAY} 13:00"))
    every_command(DAY, 1)
    every_command("2026-03-03", 2)
    for revealed_up_to, text in outputs:
        for number in range(revealed_up_to + 1, 4):
            assert item_text(number) not in text
            assert f"Day title {number}" not in text


def test_reflection_prompt_on_a_terminal(
    revealed: Callable[..., Cli], photo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = revealed()
    monkeypatch.setattr("dailylist.cli._stdin_is_terminal", lambda: True)
    result = run("done", "--photo", str(photo), now=at(f"{DAY} 10:00"), input="Quiet night.\n")
    assert result.exit_code == 0, result.output
    assert "how did it feel" in result.stdout
    entry = json.loads(run("journal", "--json", now=at(f"{DAY} 11:00")).stdout)["entries"][0]
    assert entry["reflection"] == "Quiet night."


@pytest.mark.system
def test_python_dash_m_and_lazy_imports(tmp_path: Path) -> None:
    """`--help` must not pay for rich, pydantic, cryptography or Pillow."""
    output, heavy = heavy_imports(tmp_path, "--help")
    assert "Usage: dailylist" in output
    assert heavy == []


def test_the_help_test_covers_every_command() -> None:
    assert set(cli.commands) == {command.split()[0] for command in COMMANDS}


def test_open_refuses_a_file_and_an_example_together(run: Cli, tmp_path: Path) -> None:
    result = run(
        "open", str(tmp_path / "x.dlist"), "--example", "city-walk", now=at(f"{DAY} 10:00")
    )
    assert result.exit_code == 2
    assert "either" in result.stderr


@pytest.mark.system
def test_a_reader_that_leaves_early_gets_no_traceback(
    make_sealed: Callable[..., Path], run: Cli, private_home: Path
) -> None:
    """`dailylist journal --json | head` and the like: exit 1, nothing on stderr."""
    assert run("open", str(make_sealed(3)), now=at("2026-06-01 08:00")).exit_code == 0
    done = run_into_a_closed_pipe(private_home, "status", "--json")
    assert (done.returncode, done.stderr) == (1, "")


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_scripts(shell: str, run: Cli) -> None:
    result = run("completion", shell, now=at("2026-06-01 12:00"))
    assert result.exit_code == 0
    assert "_DAILYLIST_COMPLETE" in result.stdout
    assert len(result.stdout.splitlines()) > 5


def test_list_names_complete(make_sealed: Callable[..., Path], run: Cli) -> None:
    run("open", str(make_sealed(3, title="Morning walks")), now=at("2026-06-01 08:00"))
    run("open", str(make_sealed(3, title="Evening calls")), now=at("2026-06-01 08:01"))
    completer = BashComplete(cli, {}, "dailylist", "_DAILYLIST_COMPLETE")
    names = [item.value for item in completer.get_completions(["today", "--list"], "")]
    assert sorted(names) == ["evening-calls", "morning-walks"]
    names = [item.value for item in completer.get_completions(["status", "--list"], "mor")]
    assert names == ["morning-walks"]


def test_a_bug_is_an_internal_error_not_bad_input(
    run: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unexpected exception exits 70 with one line asking to report it; --debug adds
    the traceback and keeps the code."""
    import dailylist.picking

    def broken(*_: object) -> str:
        raise KeyError("a bug")

    monkeypatch.setattr(dailylist.picking, "pick", broken)
    result = run("status", "--list", "x", now=at(f"{DAY} 10:00"))
    assert result.exit_code == 70
    assert result.stderr.strip().splitlines() == [
        "dailylist: internal error (KeyError); this is a bug, please report it "
        "(run again with --debug to see where)"
    ]
    debug = run("--debug", "status", "--list", "x", now=at(f"{DAY} 10:00"))
    assert debug.exit_code == 70
    assert "Traceback" in debug.stderr


@pytest.mark.parametrize("year", [1, 9999])
def test_a_clock_out_of_the_years_we_work_with_is_refused(
    year: int, make_sealed: Callable[..., Path], run: Cli, tmp_path: Path
) -> None:
    from datetime import datetime

    assert run("open", str(make_sealed(3)), now=at(f"{DAY} 08:00")).exit_code == 0
    before = snapshot(tmp_path)
    now = datetime(year, 6, 1, 12, tzinfo=BERLIN)
    for command in (["today"], ["status"], ["done", "--note", "x"], ["journal"]):
        result = run(*command, now=now)
        assert result.exit_code == 2, (command, result.output)
        assert "a date dailylist cannot work with" in result.stderr
    assert snapshot(tmp_path) == before


def test_a_note_on_a_list_that_keeps_no_reflections_is_refused(
    revealed: Callable[..., Cli], photo: Path, tmp_path: Path
) -> None:
    run = revealed(settings={"reflection": "off"})
    before = snapshot(tmp_path)
    result = run("done", "--photo", str(photo), "--note", "words", now=at(f"{DAY} 10:00"))
    assert result.exit_code == 2
    assert "this list keeps no reflections" in result.stderr
    assert snapshot(tmp_path) == before


def test_a_reflection_that_is_not_utf8_is_refused(
    revealed: Callable[..., Cli], photo: Path, tmp_path: Path
) -> None:
    run = revealed()
    before = snapshot(tmp_path)
    piped = run.runner.invoke(
        cli,
        ["done", "--photo", str(photo), "--note", "-"],
        obj={"clock": FixedClock(at(f"{DAY} 10:00"))},
        input=b"bad \xff",
    )
    assert piped.exit_code == 2, piped.output
    assert "not UTF-8 text" in piped.stderr
    argv = run("done", "--photo", str(photo), "--note", "bad \udcff", now=at(f"{DAY} 10:00"))
    assert argv.exit_code == 2
    assert "not UTF-8 text" in argv.stderr
    assert snapshot(tmp_path) == before


def test_a_source_given_to_open_and_a_sealed_list_given_to_check_say_what_they_are(
    run: Cli, tmp_path: Path
) -> None:
    source = tmp_path / "mine.toml"
    assert run("new", str(source), now=at(f"{DAY} 08:00")).exit_code == 0
    opened = run("open", str(source), now=at(f"{DAY} 08:00"))
    assert opened.exit_code == 2
    assert "is a list source (TOML), not a sealed list: seal it first" in opened.stderr
    sealed = tmp_path / "mine.dlist"
    assert run("seal", str(source), "-o", str(sealed), now=at(f"{DAY} 08:00")).exit_code == 0
    checked = run("check", str(sealed), now=at(f"{DAY} 08:00"))
    assert checked.exit_code == 2
    assert "this is a sealed list (.dlist), not a source" in checked.stderr
    cut = tmp_path / "cut.dlist"
    cut.write_bytes(sealed.read_bytes()[:400])
    truncated = run("open", str(cut), now=at(f"{DAY} 08:00"))
    assert truncated.exit_code == 2
    assert "; the file seems cut short)" in truncated.stderr
    not_a_report = run("verify", str(source), "--list", str(sealed), now=at(f"{DAY} 08:00"))
    assert not_a_report.exit_code == 2
    assert "is not a JSON report" in not_a_report.stderr
    assert "cut short" not in not_a_report.stderr  # TOML is not JSON cut short


@pytest.mark.parametrize(
    ("editor", "said"),
    [
        ("nonexistent-editor", "'nonexistent-editor' (from $EDITOR) is not installed"),
        ("false", "the editor 'false' failed"),
    ],
)
def test_a_failing_editor_says_what_failed_and_how_to_go_on(
    editor: str,
    said: str,
    revealed: Callable[..., Cli],
    photo: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    run = revealed()
    monkeypatch.setenv("EDITOR", editor)
    monkeypatch.setattr("dailylist.cli._stdin_is_terminal", lambda: True)
    before = snapshot(tmp_path)
    result = run("done", "--photo", str(photo), now=at(f"{DAY} 10:00"))
    assert result.exit_code == 2
    assert said in result.stderr
    assert "--note TEXT" in result.stderr
    assert snapshot(tmp_path) == before


def test_example_names_complete() -> None:
    completer = BashComplete(cli, {}, "dailylist", "_DAILYLIST_COMPLETE")
    names = [item.value for item in completer.get_completions(["open", "--example"], "")]
    assert names == ["city-walk", "find-yourself"]
    names = [item.value for item in completer.get_completions(["open", "--example"], "ci")]
    assert names == ["city-walk"]


@pytest.mark.parametrize(
    "args",
    [["open", ""], ["check", " "], ["export", "-o", ""], ["verify", ""], ["new", ""]],
)
def test_an_empty_path_is_no_file(args: list[str], run: Cli, tmp_path: Path) -> None:
    before = snapshot(tmp_path)
    result = run(*args, now=at(f"{DAY} 10:00"))
    assert result.exit_code == 2
    assert "an empty name names no file; give a path" in result.output
    assert snapshot(tmp_path) == before

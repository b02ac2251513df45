"""docs/cli.md is every command's `--help`, exactly as the code prints it, so the reference
can't drift from the tool and a change to any help text shows in review. After changing a
command, an option or a docstring, make it again and commit it with the change:

    DAILYLIST_UPDATE_DOCS=1 .venv/bin/python -m pytest tests/test_help_docs.py

The house rule on help is held here too: every command has an example, every option a
`help=`.
"""

from __future__ import annotations

import difflib
import os
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from dailylist.cli import cli

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "cli.md"
REMAKE = "DAILYLIST_UPDATE_DOCS=1 .venv/bin/python -m pytest tests/test_help_docs.py"

#: click's own width on any terminal of 80 columns or more, set here so that the file is
#: the same on every machine, whatever its terminal or $COLUMNS.
WIDTH = 78


def commands(
    command: click.Command = cli, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    """Every command and subcommand under `command`, each after its group, in the order
    `--help` lists them."""
    yield path, command
    if isinstance(command, click.Group):
        context = click.Context(command)
        for name in command.list_commands(context):
            found = command.get_command(context, name)
            assert found is not None
            yield from commands(found, (*path, name))


def help_text(path: tuple[str, ...]) -> str:
    result = CliRunner().invoke(
        cli, [*path, "--help"], prog_name="dailylist", terminal_width=WIDTH, color=False
    )
    assert result.exit_code == 0, result.output
    return result.output


def name(path: tuple[str, ...]) -> str:
    return " ".join(("dailylist", *path))


def anchor(path: tuple[str, ...]) -> str:
    """The anchor GitHub gives the heading `name(path)`."""
    return "-".join(("dailylist", *path))


def reference() -> str:
    """docs/cli.md as the code makes it: a table of contents, then a heading per command
    (subcommands one level down) with its `--help` in a text block."""
    found = list(commands())
    lines = [
        "# Command-line reference",
        "",
        "<!-- Made from the code by tests/test_help_docs.py; do not edit by hand. Make it",
        f"     again with: {REMAKE} -->",
        "",
        "Every `dailylist` command and subcommand, with its `--help` as the command prints it.",
        "",
    ]
    for path, command in found[1:]:
        indent = "  " * (len(path) - 1)
        summary = command.get_short_help_str(limit=200)
        lines.append(f"{indent}- [`{name(path)}`](#{anchor(path)}): {summary}")
    for path, _ in found:
        level = "#" * min(2 + max(len(path) - 1, 0), 4)
        text = help_text(path).rstrip("\n")
        text = "\n".join(line.rstrip() for line in text.splitlines())
        lines += ["", f"{level} `{name(path)}`", "", "```text", text, "```"]
    return "\n".join(lines) + "\n"


def test_docs_cli_md_is_what_the_code_prints() -> None:
    made = reference()
    if os.environ.get("DAILYLIST_UPDATE_DOCS") == "1":
        DOC.parent.mkdir(exist_ok=True)
        DOC.write_text(made, encoding="utf-8")
    kept = DOC.read_text(encoding="utf-8") if DOC.is_file() else ""
    if kept != made:
        diff = difflib.unified_diff(
            kept.splitlines(), made.splitlines(), "docs/cli.md", "the code's help", lineterm=""
        )
        shown = "\n".join(list(diff)[:60])
        pytest.fail(
            f"docs/cli.md is not the help the code prints; make it again with:\n"
            f"    {REMAKE}\nand commit it.\n{shown}",
            pytrace=False,
        )


def _verbatim_lines(command: click.Command) -> list[str]:
    """The lines of the `\\b` (kept as written) paragraphs of a command's help: where
    its examples are, unwrapped."""
    paragraphs = re.split(r"\n\s*\n", command.help or "")
    return [
        line
        for paragraph in paragraphs
        if paragraph.strip().startswith("\b")
        for line in paragraph.splitlines()[1:]
    ]


def examples(path: tuple[str, ...], command: click.Command) -> list[str]:
    """The lines, kept as written, of a command's help that run the command: `dailylist
    close city-walk`, `eval "$(dailylist completion bash)"`."""
    runs = re.compile(rf"(^|[\s($'\"]){re.escape(name(path))}(\s|$|\))")
    return [line for line in _verbatim_lines(command) if runs.search(line.strip())]


EVERY_COMMAND = [pytest.param(*found, id=name(found[0])) for found in commands()]


@pytest.mark.parametrize(("path", "command"), EVERY_COMMAND)
def test_every_command_shows_an_example(path: tuple[str, ...], command: click.Command) -> None:
    assert examples(path, command), f"`{name(path)} --help` shows no example of the command"


def test_the_example_check_can_fail() -> None:
    """The command named only in a sentence, or only another command shown, is no example."""
    said = click.Command("close", help="Close a list, as `dailylist close NAME` does.")
    assert examples(("close",), said) == []
    other = click.Command("close", help="Close a list.\n\n\b\nExample:\n  dailylist closer x")
    assert examples(("close",), other) == []
    shown = click.Command("close", help="Close a list.\n\n\b\nExample:\n  dailylist close x")
    assert examples(("close",), shown) == ["  dailylist close x"]


@pytest.mark.parametrize(("path", "command"), EVERY_COMMAND)
def test_every_option_says_what_it_does(path: tuple[str, ...], command: click.Command) -> None:
    silent = [
        option.name
        for option in command.params
        if isinstance(option, click.Option) and not option.hidden and not option.help
    ]
    assert not silent, f"`{name(path)}`: options without help: {silent}"


@pytest.mark.parametrize(
    ("path", "command"), [pytest.param(*found, id=name(found[0])) for found in commands()]
)
def test_help_prints_no_control_character(path: tuple[str, ...], command: click.Command) -> None:
    printed = help_text(path)
    assert not [c for c in printed if unicodedata.category(c) == "Cc" and c != "\n"], printed

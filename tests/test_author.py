"""The author's commands: new, check and seal."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from dailylist.author import check_source_text
from dailylist.sealing import parse_sealed
from tests.conftest import Cli, at, snapshot, source_toml

NOW = at("2026-03-02 10:00")


def problems_of(text: str) -> list[str]:
    source, problems = check_source_text(text)
    assert source is None
    return [str(p) for p in problems]


def test_template_checks_clean_and_seals(run: Cli, tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    assert run("new", str(path), now=NOW).exit_code == 0
    checked = run("check", str(path), now=NOW)
    assert checked.exit_code == 0
    assert "3 items" in checked.stdout
    sealed = run("seal", str(path), "-o", str(tmp_path / "mine.dlist"), now=NOW)
    assert sealed.exit_code == 0, sealed.output
    assert "fingerprint" in sealed.stdout.lower()
    assert parse_sealed((tmp_path / "mine.dlist").read_bytes()).info.item_count == 3


def test_new_refuses_to_overwrite(run: Cli, tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text("keep me", encoding="utf-8")
    result = run("new", str(path), now=NOW)
    assert result.exit_code == 2
    assert "already exists" in result.stderr
    assert path.read_text(encoding="utf-8") == "keep me"


def test_toml_syntax_error_names_line_and_column() -> None:
    text = 'title = "x"\nauthor = "y"\n[[items]]\ntext = "unterminated\n'
    (problem,) = problems_of(text)
    assert problem.startswith("line 4, column")
    assert "TOML syntax error" in problem


def test_every_problem_is_reported_with_its_place() -> None:
    text = """\
author = "Ada"

[settings]
photo = "required"
colour = "blue"
day_starts_at = "25:00"

[[items]]
text = "fine"

[[items]]
text = "   "
"""
    problems = problems_of(text)
    assert "title: title is missing" in problems
    assert any(p.startswith("line 5, settings.colour: unknown setting") for p in problems)
    assert any(p.startswith("line 6, settings.day_starts_at") and "HH:MM" in p for p in problems)
    assert any(p.startswith("line 12, items[2].text") and "empty" in p for p in problems)
    assert len(problems) == 4


def test_a_list_without_items_is_a_problem() -> None:
    (problem,) = problems_of('title = "t"\nauthor = "a"\nitems = []\n')
    assert "no items" in problem


def test_a_bad_setting_value_lists_the_choices() -> None:
    (problem,) = problems_of(source_toml(1, settings={"photo": "sometimes"}))
    assert "settings.photo" in problem
    assert "'required'" in problem


@pytest.mark.parametrize("value", ["4:00", "04:60", "noon", "04:00:30"])
def test_day_starts_at_must_be_hh_mm(value: str) -> None:
    (problem,) = problems_of(source_toml(1, settings={"day_starts_at": value}))
    assert "day_starts_at" in problem


def test_check_exits_2_listing_problems(run: Cli, tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text('author = "a"\n[[items]]\ntext = ""\n', encoding="utf-8")
    result = run("check", str(path), now=NOW)
    assert result.exit_code == 2
    assert "2 problems" in result.stderr
    assert "title is missing" in result.stderr
    assert "items[1].text" in result.stderr


@pytest.mark.parametrize("kind", ["missing", "directory", "binary"])
def test_check_of_an_unreadable_source(kind: str, run: Cli, tmp_path: Path) -> None:
    path = tmp_path / "src.toml"
    if kind == "directory":
        path.mkdir()
    elif kind == "binary":
        path.write_bytes(b"\xff\xfe\x00bad")
    result = run("check", str(path), now=NOW)
    assert result.exit_code == 2
    assert str(path) in result.stderr


def test_seal_with_problems_writes_nothing(run: Cli, tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text('title = "t"\n', encoding="utf-8")
    before = snapshot(tmp_path)
    result = run("seal", str(path), "-o", str(tmp_path / "out.dlist"), now=NOW)
    assert result.exit_code == 2
    assert snapshot(tmp_path) == before


def test_seal_refuses_to_overwrite_and_keeps_the_key_private(
    run: Cli, tmp_path: Path, private_home: Path
) -> None:
    path = tmp_path / "src.toml"
    path.write_text(source_toml(2), encoding="utf-8")
    out = tmp_path / "out.dlist"
    first = run("seal", str(path), "-o", str(out), now=NOW)
    assert first.exit_code == 0
    key = private_home / "author" / "ed25519.pem"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert stat.S_IMODE((private_home / "author").stat().st_mode) == 0o700
    content = out.read_bytes()
    second = run("seal", str(path), "-o", str(out), now=NOW)
    assert second.exit_code == 2
    assert "already exists" in second.stderr
    assert out.read_bytes() == content
    third = run("seal", str(path), "-o", str(out), "--force", now=NOW)
    assert third.exit_code == 0
    # The same key signs every list: the fingerprint does not change.
    fingerprint = [line for line in first.stdout.splitlines() if "fingerprint" in line]
    assert fingerprint == [line for line in third.stdout.splitlines() if "fingerprint" in line]
    assert key.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    assert key.read_bytes() not in out.read_bytes()


def test_seal_defaults_the_output_name(run: Cli, tmp_path: Path) -> None:
    path = tmp_path / "gift.toml"
    path.write_text(source_toml(1), encoding="utf-8")
    assert run("seal", str(path), now=NOW).exit_code == 0
    assert (tmp_path / "gift.dlist").is_file()


def test_per_item_overrides_survive_sealing(run: Cli, tmp_path: Path) -> None:
    path = tmp_path / "gift.toml"
    path.write_text(
        source_toml(2, extra_items={2: {"photo": "optional", "reflection": "off"}}),
        encoding="utf-8",
    )
    assert run("check", str(path), now=NOW).exit_code == 0


@pytest.mark.parametrize("checkins", [False, True])
def test_sealing_into_a_missing_folder_makes_nothing(
    checkins: bool, run: Cli, tmp_path: Path
) -> None:
    source = tmp_path / "s.toml"
    extra = {2: {"checkin": True}} if checkins else None
    source.write_text(source_toml(2, extra_items=extra), encoding="utf-8")
    target = tmp_path / "no" / "such" / "x.dlist"
    before = snapshot(tmp_path)
    result = run("seal", str(source), "-o", str(target), now=NOW)
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"dailylist: cannot write {target}: the folder {target.parent} does not exist"
    )
    assert snapshot(tmp_path) == before  # no key, no folders, no codes file
    assert not (tmp_path / "no").exists()


def test_a_template_into_a_missing_folder_is_refused_the_same_way(
    run: Cli, tmp_path: Path
) -> None:
    target = tmp_path / "no" / "x.toml"
    result = run("new", str(target), now=NOW)
    assert result.exit_code == 2
    assert f"the folder {target.parent} does not exist" in result.stderr


def test_the_template_shows_checkins_and_check_warns_of_its_placeholder(
    run: Cli, tmp_path: Path
) -> None:
    path = tmp_path / "mine.toml"
    assert run("new", str(path), now=NOW).exit_code == 0
    template = path.read_text(encoding="utf-8")
    assert "checkin = true" in template
    checked = run("check", str(path), now=NOW)
    assert checked.exit_code == 0
    assert 'author is still "Your name"' in checked.stderr
    sealed = run("seal", str(path), now=NOW)  # sealed all the same, with the same warning
    assert sealed.exit_code == 0, sealed.output
    assert 'author is still "Your name"' in sealed.stderr
    path.write_text(template.replace('"Your name"', '"Sam"'), encoding="utf-8")
    assert "warning" not in run("check", str(path), now=NOW).stderr
    assert "warning" not in run("seal", str(path), "--force", now=NOW).stderr

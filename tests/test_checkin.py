"""Check-in items (opened by the author's code) and passphrase-protected lists."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from dailylist.author import codes_path_for
from dailylist.cipher import normalize_code
from tests.conftest import Cli, at, item_text, make_photo, snapshot, source_toml

DAY1, DAY2, DAY3 = "2026-04-01", "2026-04-02", "2026-04-03"


@pytest.fixture
def checkin_list(run: Cli, tmp_path: Path) -> tuple[Path, str]:
    """A 3-item list whose second item is a check-in; returns the sealed file and its code."""
    source = tmp_path / "gift.toml"
    source.write_text(source_toml(3, extra_items={2: {"checkin": True}}), encoding="utf-8")
    sealed = tmp_path / "gift.dlist"
    result = run("seal", str(source), "-o", str(sealed), now=at(f"{DAY1} 07:00"))
    assert result.exit_code == 0, result.output
    assert "codes.txt" in result.stdout
    codes = codes_path_for(sealed).read_text(encoding="utf-8")
    match = re.search(r"Day +2: (\S+)", codes)
    assert match is not None
    return sealed, match.group(1)


def _day_one_done(run: Cli, sealed: Path, tmp_path: Path) -> None:
    assert run("open", str(sealed), now=at(f"{DAY1} 08:00")).exit_code == 0
    assert run("today", now=at(f"{DAY1} 09:00")).exit_code == 0
    photo = make_photo(tmp_path / "p.jpg")
    assert (
        run("done", "--photo", str(photo), "--note", "ok", now=at(f"{DAY1} 10:00")).exit_code == 0
    )


def test_codes_are_beside_the_sealed_file_and_not_in_it(
    checkin_list: tuple[Path, str], tmp_path: Path
) -> None:
    sealed, code = checkin_list
    codes_file = codes_path_for(sealed)
    assert codes_file.name == "gift.codes.txt"
    assert oct(codes_file.stat().st_mode & 0o777) == "0o600"
    raw = sealed.read_bytes()
    assert code.encode() not in raw
    assert normalize_code(code).replace("-", "").encode() not in raw
    assert item_text(2).encode() not in raw
    # At least 50 bits: 16 base32 characters carry 80.
    assert len(code.replace("-", "")) >= 11


def test_a_checkin_day_waits_for_the_code(
    checkin_list: tuple[Path, str], run: Cli, tmp_path: Path
) -> None:
    sealed, code = checkin_list
    _day_one_done(run, sealed, tmp_path)
    before = snapshot(tmp_path)
    waiting = run("today", now=at(f"{DAY2} 09:00"))
    assert waiting.exit_code == 1
    assert "check-in" in waiting.stdout
    assert "Ada will give you its code" in waiting.stdout
    assert json.loads(run("today", "--json", now=at(f"{DAY2} 09:00")).stdout)["state"] == "checkin"
    assert item_text(2) not in waiting.output
    wrong = run("today", "--code", "AAAA-BBBB-CCCC-DDDD", now=at(f"{DAY2} 09:00"))
    assert wrong.exit_code == 2
    assert "not the code for day 2" in wrong.stderr
    assert item_text(2) not in wrong.output
    assert snapshot(tmp_path) == before
    # Typed loosely: lower case, spaces instead of dashes.
    typed = code.lower().replace("-", " ")
    right = run("today", "--code", typed, now=at(f"{DAY2} 09:00"))
    assert right.exit_code == 0, right.output
    assert item_text(2) in right.stdout
    # Once revealed, no code is needed to see it again, nor to look back.
    assert item_text(2) in run("today", now=at(f"{DAY2} 10:00")).stdout
    photo = make_photo(tmp_path / "q.jpg")
    assert (
        run("done", "--photo", str(photo), "--note", "x", now=at(f"{DAY2} 11:00")).exit_code == 0
    )
    entries = json.loads(run("journal", "--json", now=at(f"{DAY3} 09:00")).stdout)["entries"]
    assert entries[1]["text"] == item_text(2)


def test_a_checkin_code_is_asked_for_on_a_terminal(
    checkin_list: tuple[Path, str], run: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sealed, code = checkin_list
    _day_one_done(run, sealed, tmp_path)
    monkeypatch.setattr("dailylist.cli._stdin_is_terminal", lambda: True)
    result = run("today", now=at(f"{DAY2} 09:00"), input=code + "\n")
    assert result.exit_code == 0, result.output
    assert item_text(2) in result.stdout


def test_codes_are_never_printed_by_recipient_commands(
    checkin_list: tuple[Path, str], run: Cli, tmp_path: Path
) -> None:
    sealed, code = checkin_list
    outputs = [run("open", str(sealed), now=at(f"{DAY1} 08:00")).output]
    for args in (["today"], ["today", "--json"], ["status", "--json"], ["journal", "--json"]):
        outputs.append(run(*args, now=at(f"{DAY1} 09:00")).output)
    photo = make_photo(tmp_path / "p.jpg")
    outputs.append(
        run("done", "--photo", str(photo), "--note", "x", now=at(f"{DAY1} 10:00")).output
    )
    outputs.append(run("today", "--code", code, now=at(f"{DAY2} 09:00")).output)
    outputs.append(run("journal", "--json", now=at(f"{DAY2} 10:00")).output)
    run("export", "-o", str(tmp_path / "r.json"), now=at(f"{DAY2} 10:00"))
    outputs.append((tmp_path / "r.json").read_text(encoding="utf-8"))
    bare = normalize_code(code).replace("-", "")
    for text in outputs:
        assert code not in text
        assert bare not in text.replace("-", "")


def test_opening_checks_everything_but_the_checkin_items(
    checkin_list: tuple[Path, str], run: Cli
) -> None:
    sealed, _ = checkin_list
    result = run("open", str(sealed), now=at(f"{DAY1} 08:00"))
    assert result.exit_code == 0
    assert item_text(2) not in result.output


# --- passphrases ----------------------------------------------------------------------------


@pytest.fixture
def locked_list(run: Cli, tmp_path: Path) -> Path:
    source = tmp_path / "gift.toml"
    source.write_text(source_toml(2), encoding="utf-8")
    secret = tmp_path / "secret.txt"
    secret.write_text("correct horse battery staple\n", encoding="utf-8")
    sealed = tmp_path / "gift.dlist"
    result = run(
        "seal", str(source), "-o", str(sealed), "--passphrase-file", str(secret),
        now=at(f"{DAY1} 07:00"),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return sealed


def test_a_passphrase_list_needs_its_passphrase(
    locked_list: Path, run: Cli, tmp_path: Path
) -> None:
    before = snapshot(tmp_path)
    missing = run("open", str(locked_list), now=at(f"{DAY1} 08:00"))
    assert missing.exit_code == 2
    assert "passphrase" in missing.stderr
    wrong_file = tmp_path / "wrong.txt"
    wrong_file.write_text("open sesame\n", encoding="utf-8")
    before = snapshot(tmp_path)
    wrong = run(
        "open", str(locked_list), "--passphrase-file", str(wrong_file), now=at(f"{DAY1} 08:00")
    )
    assert wrong.exit_code == 2
    assert "wrong passphrase" in wrong.stderr
    assert snapshot(tmp_path) == before
    assert not (tmp_path / "home" / "lists").exists()


def test_the_right_passphrase_opens_it_once_for_good(
    locked_list: Path, run: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("dailylist.cli._stdin_is_terminal", lambda: True)
    opened = run(
        "open", str(locked_list), now=at(f"{DAY1} 08:00"), input="correct horse battery staple\n"
    )
    assert opened.exit_code == 0, opened.output
    monkeypatch.setattr("dailylist.cli._stdin_is_terminal", lambda: False)
    today = run("today", now=at(f"{DAY1} 09:00"))
    assert today.exit_code == 0
    assert item_text(1) in today.stdout
    (folder,) = (tmp_path / "home" / "lists").iterdir()
    assert oct((folder / "content.key").stat().st_mode & 0o777) == "0o600"


def test_seal_asks_for_the_passphrase_twice(
    run: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "gift.toml"
    source.write_text(source_toml(1), encoding="utf-8")
    before = snapshot(tmp_path)
    nowhere = run("seal", str(source), "--passphrase", now=at(f"{DAY1} 07:00"))
    assert nowhere.exit_code == 2
    assert "pass --passphrase-file FILE" in nowhere.stderr
    assert "Warning" not in nowhere.output
    monkeypatch.setattr("dailylist.cli._stdin_is_terminal", lambda: True)
    short = run("seal", str(source), "--passphrase", now=at(f"{DAY1} 07:00"), input="a\na\n")
    assert short.exit_code == 2
    assert "at least 8 characters" in short.stderr
    assert snapshot(tmp_path) == before  # no author key made either
    words = "pw one two\npw one two\n"
    result = run("seal", str(source), "--passphrase", now=at(f"{DAY1} 07:00"), input=words)
    assert result.exit_code == 0, result.output
    assert "passphrase" in result.stdout


def test_codes_read_aloud_forgive_case_spaces_and_look_alikes() -> None:
    assert normalize_code("k7qf m2xa-pl9r tt3e") == "K7QFM2XAPL9RTT3E"
    assert normalize_code("0I1B-8") == "OIIBB"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "holds no passphrase"),
        (b"\n\nsecret\n", "holds no passphrase"),
        (b"\xff\xfe", "UTF-8"),
    ],
)
def test_a_bad_passphrase_file_seals_nothing(
    content: bytes, message: str, run: Cli, tmp_path: Path
) -> None:
    source = tmp_path / "gift.toml"
    source.write_text(source_toml(1), encoding="utf-8")
    secret = tmp_path / "secret.txt"
    secret.write_bytes(content)
    before = snapshot(tmp_path)
    result = run("seal", str(source), "--passphrase-file", str(secret), now=at(f"{DAY1} 07:00"))
    assert result.exit_code == 2
    assert message in result.stderr
    assert snapshot(tmp_path) == before


def test_done_on_a_checkin_day_not_yet_open_asks_for_the_code(
    checkin_list: tuple[Path, str], run: Cli, tmp_path: Path
) -> None:
    sealed, _ = checkin_list
    _day_one_done(run, sealed, tmp_path)
    photo = make_photo(tmp_path / "q.jpg")
    result = run("done", "--photo", str(photo), "--note", "x", now=at(f"{DAY2} 09:00"))
    assert result.exit_code == 1
    assert "is a check-in: Ada will give you its code" in result.stderr
    assert "dailylist today --code CODE" in result.stderr

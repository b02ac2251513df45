"""Hostile input never crashes dailylist: random and mutated sources, sealed files, journals.

Every outcome is a result or a `DailylistError` (exit 1 or 2 with a message), never an
internal error (exit 70: a bug), a traceback or a hang. `DAILYLIST_FUZZ_EXAMPLES` sets how
many cases each test tries.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dailylist.author import check_source_text
from dailylist.cli import cli
from dailylist.clock import FixedClock
from dailylist.errors import DailylistError
from dailylist.opened import journal_of
from dailylist.sealing import open_sealed
from dailylist.store import DataDir
from tests.conftest import BERLIN, Cli, at, examples, make_photo, source_toml

EXAMPLES = examples(120, "DAILYLIST_FUZZ_EXAMPLES")
fuzz = settings(
    max_examples=EXAMPLES,
    deadline=2000,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

VALID_SOURCE = source_toml(3, settings={"day_starts_at": "05:00"})


def assert_no_internal_error(result: Result) -> None:
    """The command answered, or refused with a reason: no bug (exit 70), no traceback."""
    assert result.exit_code in (0, 1, 2), (result.exit_code, result.output)
    assert "internal error" not in result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )


def refusal(action: Callable[[], object]) -> DailylistError | None:
    """Run `action`: None when it succeeds, its `DailylistError` when it refuses.

    Any other exception propagates and fails the test.
    """
    try:
        action()
    except DailylistError as error:
        return error
    return None


@st.composite
def mutated(draw: st.DrawFn, original: bytes) -> bytes:
    """`original` with a few bytes flipped, cut, inserted or duplicated."""
    data = bytearray(original)
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        if not data:
            break
        where = draw(st.integers(min_value=0, max_value=len(data) - 1))
        action = draw(st.sampled_from(["flip", "cut", "insert", "repeat", "truncate"]))
        if action == "flip":
            data[where] ^= draw(st.integers(min_value=1, max_value=255))
        elif action == "cut":
            del data[where : where + draw(st.integers(min_value=1, max_value=40))]
        elif action == "insert":
            data[where:where] = draw(st.binary(min_size=1, max_size=20))
        elif action == "repeat":
            data[where:where] = data[where : where + 50]
        else:
            del data[where:]
    return bytes(data)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)


@fuzz
@given(text=st.text(max_size=400) | mutated(VALID_SOURCE.encode()).map(
    lambda b: b.decode("utf-8", errors="replace")
))  # fmt: skip
def test_any_list_source_gets_a_verdict(text: str) -> None:
    source, problems = check_source_text(text)
    assert (source is None) == bool(problems)
    assert all(p.place and p.message for p in problems)


@pytest.fixture(scope="module")
def sealed_bytes(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    from dailylist.author import load_or_create_author_key, load_source
    from dailylist.sealing import seal

    folder = tmp_path_factory.mktemp("sealed")
    (folder / "s.toml").write_text(VALID_SOURCE, encoding="utf-8")
    key, _ = load_or_create_author_key(folder / "key.pem")
    return seal(load_source(folder / "s.toml"), key, at("2026-01-01 00:00")).raw


@fuzz
@given(data=st.data())
def test_any_sealed_file_opens_or_is_refused(sealed_bytes: bytes, data: st.DataObject) -> None:
    candidate = data.draw(
        mutated(sealed_bytes)
        | json_values.map(lambda v: json.dumps(v).encode())
        | st.binary(max_size=200)
    )
    error = refusal(lambda: open_sealed(candidate))
    assert error is None or (error.exit_code == 2 and error.message)


@pytest.fixture(scope="module")
def lived_home(
    tmp_path_factory: pytest.TempPathFactory, sealed_bytes: bytes
) -> tuple[Path, str, bytes]:
    """A data dir with a list opened and one day done; its journal bytes."""
    from PIL import Image

    from dailylist.opening import open_list
    from dailylist.photos import check_photo
    from dailylist.recipient import prepare_completion, record_completion, reveal_today

    home = tmp_path_factory.mktemp("home")
    data = DataDir(home)
    list_id = open_list(data, sealed_bytes, at("2026-03-02 09:00"), source="fuzz").info.id
    reveal_today(data.list_files(list_id), FixedClock(at("2026-03-02 09:30")))
    picture = home / "p.png"
    Image.new("RGB", (4, 4)).save(picture)
    now = at("2026-03-02 10:00")
    pending = prepare_completion(data.list_files(list_id), now)
    staging = data.list_files(list_id).photos
    photos = [check_photo(picture, BERLIN, staging)]
    record_completion(data.list_files(list_id), pending, photos, "fine", FixedClock(now))
    return home, list_id, data.list_files(list_id).journal.read_bytes()


@fuzz
@given(data=st.data())
def test_any_journal_loads_or_is_reported(
    lived_home: tuple[Path, str, bytes], data: st.DataObject
) -> None:
    home, list_id, journal = lived_home
    candidate = data.draw(
        mutated(journal)
        | json_values.map(lambda v: json.dumps(v).encode())
        | st.just(b"[" * 100_000)
    )
    path = home / "lists" / list_id / "journal.json"
    path.write_bytes(candidate)
    try:
        error = refusal(lambda: journal_of(DataDir(home).list_files(list_id)))
        assert error is None or error.exit_code == 2
        assert error is None or "fine" not in error.message  # never the reflection
    finally:
        path.write_bytes(journal)


@fuzz
@given(data=st.data())
def test_every_command_survives_a_hostile_journal(
    lived_home: tuple[Path, str, bytes], data: st.DataObject, monkeypatch: pytest.MonkeyPatch
) -> None:
    home, list_id, journal = lived_home
    monkeypatch.setenv("DAILYLIST_HOME", str(home))
    path = home / "lists" / list_id / "journal.json"
    hostile = data.draw(mutated(journal))
    command = data.draw(
        st.sampled_from([["today"], ["status", "--json"], ["journal"], ["doctor"], ["done"]])
    )
    try:  # every draw is done: nothing below can stop before `finally` puts things back
        path.write_bytes(hostile)
        result = CliRunner().invoke(
            cli, command, obj={"clock": FixedClock(at("2026-03-03 10:00"))}
        )
        assert_no_internal_error(result)
    finally:
        path.write_bytes(journal)


@pytest.mark.parametrize("value", ["NaN", "-Infinity", '"\\ud800"', '"\\udc00 and more"'])
def test_json_no_writer_makes_is_damage_for_every_command(
    lived_home: tuple[Path, str, bytes], value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Python's parser takes NaN and half a character; nothing could hash or write them."""
    home, list_id, journal = lived_home
    monkeypatch.setenv("DAILYLIST_HOME", str(home))
    path = home / "lists" / list_id / "journal.json"
    path.write_bytes(journal.replace(b'"fine"', value.encode()))
    try:
        for command in (["today"], ["status", "--json"], ["journal"], ["doctor"], ["done"]):
            result = CliRunner().invoke(
                cli, command, obj={"clock": FixedClock(at("2026-03-03 10:00"))}
            )
            assert result.exit_code == 2, (command, result.output)
    finally:
        path.write_bytes(journal)


def test_deeply_nested_json_is_refused_not_a_crash(
    tmp_path: Path, run: Callable[..., object]
) -> None:
    path = tmp_path / "deep.dlist"
    path.write_bytes(b"[" * 200_000 + b"]" * 200_000)
    with pytest.raises(DailylistError):
        open_sealed(path.read_bytes())


def _paths(value: object, prefix: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    """Every place in a JSON document, as a path of keys and indexes."""
    found: list[tuple[object, ...]] = [prefix]
    if isinstance(value, dict):
        for key, inner in value.items():
            found += _paths(inner, (*prefix, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            found += _paths(inner, (*prefix, index))
    return found


@fuzz
@given(data=st.data())
def test_every_command_survives_a_forged_snapshot(
    lived_home: tuple[Path, str, bytes], data: st.DataObject, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A snapshot changed on purpose, with its checksum made to match: the commands that
    trust it may be misled (as by any edit of one's own files) but never crash."""
    from dailylist import snapshot

    home, list_id, _ = lived_home
    monkeypatch.setenv("DAILYLIST_HOME", str(home))
    folder = home / "lists" / list_id
    saved = {p: p.read_bytes() for p in folder.iterdir() if p.is_file()}
    path = folder / "snapshot.json"
    document = json.loads(saved[path])
    del document["check"]
    keep = {("format",), ("journal_sha256",), ("sealed_sha256",)}  # else simply not used
    places = [p for p in _paths(document) if p and p not in keep]
    changes = data.draw(
        st.lists(st.tuples(st.sampled_from(places), json_values), min_size=1, max_size=3)
    )
    for (*parents, last), value in changes:
        target: Any = document
        try:
            for key in parents:
                target = target[key]
            target[last] = json.loads(json.dumps(value))  # our own copy to change
        except (KeyError, IndexError, TypeError):
            continue  # an earlier change removed this place
    document = json.loads(json.dumps(document))  # as JSON has it: object keys are text
    command = data.draw(
        st.sampled_from([["today"], ["today", "--json"], ["status", "--json"], ["prompt"]])
    )
    try:  # every draw is done: nothing below can stop before `finally` puts things back
        path.write_bytes(snapshot.encode(document))
        result = CliRunner().invoke(
            cli, command, obj={"clock": FixedClock(at("2026-03-03 10:00"))}
        )
        assert_no_internal_error(result)
    finally:  # a command may have written (a reveal): put the list back as it was
        for file in folder.iterdir():
            if file.is_file() and file not in saved:
                file.unlink()
        for file, content in saved.items():
            file.write_bytes(content)


# --- text that would drive a terminal -----------------------------------------------------

#: Retitle the window, clear the screen, hide text, a C1 CSI, a carriage return, a bidi
#: override: what a hostile list or report could hold in any of its texts.
HOSTILE = "\x1b]0;pwned\x07\x1b[2J\x1b[8mhidden\x9b31m\rover\u202egnp.exe"
#: Any raw control character a terminal acts on (newline and tab are fine).
RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _strings(value: object) -> list[str]:
    """Every string in a JSON document."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for inner in value.values() for s in _strings(inner)]
    if isinstance(value, list):
        return [s for inner in value for s in _strings(inner)]
    return []


def _toml(text: str) -> str:
    return json.dumps(text)  # a JSON string is a TOML basic string, escapes and all


def test_a_hostile_list_never_reaches_the_terminal_raw(run: Cli, tmp_path: Path) -> None:
    source = tmp_path / "hostile.toml"
    source.write_text(
        "\n".join(
            [
                f"title = {_toml('Gift ' + HOSTILE)}",
                f"author = {_toml('Eve ' + HOSTILE)}",
                f"letter = {_toml('Dear you ' + HOSTILE)}",
                f"rules = [{_toml('Rule ' + HOSTILE)}]",
                "[[items]]",
                f"title = {_toml('Title ' + HOSTILE)}",
                f"text = {_toml('Text ' + HOSTILE)}",
                "[[items]]",
                'text = "second"',
            ]
        ),
        encoding="utf-8",
    )
    sealed = tmp_path / "hostile.dlist"
    photo = tmp_path / "p.jpg"
    make_photo(photo)
    steps = [
        ("2026-05-01 08:00", ["check", str(source)]),
        ("2026-05-01 08:00", ["seal", str(source), "-o", str(sealed)]),
        ("2026-05-01 08:01", ["open", str(sealed)]),
        ("2026-05-01 09:00", ["today"]),
        ("2026-05-01 09:30", ["done", "--photo", str(photo), "--note", "Note " + HOSTILE]),
        ("2026-05-01 10:00", ["today"]),
        ("2026-05-01 10:00", ["journal"]),
        ("2026-05-01 10:00", ["show", "1"]),
        ("2026-05-01 10:00", ["status"]),
        ("2026-05-01 10:00", ["doctor"]),
        ("2026-05-01 10:00", ["prompt"]),
        ("2026-05-01 10:00", ["export", "-o", str(tmp_path / "r.json")]),
        ("2026-05-01 10:00", ["verify", str(tmp_path / "r.json"), "--list", str(sealed)]),
        ("2026-05-01 10:00", ["open", str(tmp_path / ("missing" + HOSTILE))]),
    ]
    for when, args in steps:
        result = run(*args, now=at(when))
        assert_no_internal_error(result)
        assert not RAW_CONTROL.search(result.output), (args, result.output)
    for args in (["today", "--json"], ["journal", "--json"], ["status", "--json"]):
        result = run(*args, now=at("2026-05-01 10:00"))
        assert not RAW_CONTROL.search(result.output), (args, result.output)
        # The exact text is in the JSON, escaped:
        assert any(HOSTILE in text for text in _strings(json.loads(result.stdout)))


def test_a_hostile_report_never_redraws_the_verdict(run: Cli, tmp_path: Path) -> None:
    from tests.conftest import source_toml

    source = tmp_path / "s.toml"
    source.write_text(source_toml(2), encoding="utf-8")
    sealed = tmp_path / "s.dlist"
    assert run("seal", str(source), "-o", str(sealed), now=at("2026-05-01 08:00")).exit_code == 0
    report = {
        "format": 1,
        "kind": "dailylist-report",
        "exported_at": "2026-05-02T10:00:00+02:00",
        "zone": HOSTILE,
        "list": {
            "id": HOSTILE,
            "title": HOSTILE,
            "author": HOSTILE,
            "item_count": 2,
            "fingerprint": HOSTILE,
            "public_key": "",
            "signature": "",
        },
        "summary": {"done": 0, "item_count": 2, "streak": 0, "missed_days": []},
        "entries": [],
        "events": [{"kind": HOSTILE, "id": HOSTILE, "at": HOSTILE}],
        "photos_dir": HOSTILE,
    }
    path = tmp_path / "r.json"
    path.write_text(json.dumps(report), encoding="utf-8")
    for extra in ([], ["--json"]):
        result = run(
            "verify", str(path), "--list", str(sealed), *extra, now=at("2026-05-02 11:00")
        )
        assert_no_internal_error(result)
        assert result.exit_code == 1
        assert not RAW_CONTROL.search(result.output), result.output


# --- what dailylist reads: regular files, within a size for their kind ------------------------


@pytest.mark.system
@pytest.mark.parametrize(
    "command",
    [
        ["open", "{target}"],
        ["check", "{target}"],
        ["seal", "{target}", "-o", "{tmp}/out.dlist"],
        ["verify", "{target}", "--list", "{target}"],
        ["open", "--passphrase-file", "{target}", "{target}"],
    ],
    ids=["open", "check", "seal", "verify", "passphrase file"],
)
@pytest.mark.parametrize("kind", ["/dev/zero", "/dev/urandom", "fifo", "too large"])
def test_what_is_not_a_file_of_its_kind_is_refused_unread(
    command: list[str], kind: str, tmp_path: Path
) -> None:
    if kind == "fifo":
        target = tmp_path / "pipe"
        os.mkfifo(target)
    elif kind == "too large":
        target = tmp_path / "huge.dlist"
        with target.open("wb") as handle:
            handle.truncate(300 * 1024 * 1024)  # sparse: no disk used
    else:
        target = Path(kind)
    args = [part.format(target=target, tmp=tmp_path) for part in command]
    done = subprocess.run(
        [sys.executable, "-m", "dailylist", *args],
        capture_output=True,
        text=True,
        timeout=30,  # a FIFO read would hang, /dev/zero fill memory
        check=False,
        env={**os.environ, "DAILYLIST_HOME": str(tmp_path / "home")},
    )
    assert done.returncode == 2, done.stderr
    assert "not a regular file" in done.stderr or "larger than" in done.stderr, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_a_fifo_among_a_reports_photos_is_refused_at_once(
    ten_days: Path, run: Cli, tmp_path: Path
) -> None:
    from tests.conftest import export

    export(run, tmp_path / "r.json")
    photos = tmp_path / "r-photos"
    victim = sorted(photos.iterdir())[0]
    victim.unlink()
    os.mkfifo(victim)
    result = run(
        "verify", str(tmp_path / "r.json"), "--list", str(ten_days), now=at("2026-03-13 09:00")
    )
    assert result.exit_code == 1
    assert f"photo {victim.name} is not a regular file" in result.stdout


def test_a_journal_that_is_a_fifo_is_damage(run: Cli, tmp_path: Path) -> None:
    from tests.conftest import source_toml

    source = tmp_path / "s.toml"
    source.write_text(source_toml(2), encoding="utf-8")
    sealed = tmp_path / "s.dlist"
    assert run("seal", str(source), "-o", str(sealed), now=at("2026-05-01 08:00")).exit_code == 0
    assert run("open", str(sealed), now=at("2026-05-01 08:01")).exit_code == 0
    (folder,) = (tmp_path / "home" / "lists").iterdir()
    (folder / "journal.json").unlink()
    (folder / "snapshot.json").unlink()
    os.mkfifo(folder / "journal.json")
    for command in (["today"], ["status"], ["journal"], ["doctor"]):
        result = run(*command, now=at("2026-05-01 09:00"))
        assert_no_internal_error(result)
        assert result.exit_code == 2
        assert "not a regular file" in result.output


# --- dates no calendar can hold -------------------------------------------------------------


@pytest.mark.parametrize("year", ["0001", "9999"])
def test_an_event_in_a_year_we_cannot_work_with_is_damage_everywhere(
    year: str, ten_days: Path, run: Cli, tmp_path: Path, private_home: Path
) -> None:
    from tests.conftest import export
    from tests.test_report_verify import rehash

    export(run, tmp_path / "r.json")
    (folder,) = (private_home / "lists").iterdir()
    path = folder / "journal.json"
    document = json.loads(path.read_bytes())
    last = document["events"][-1]
    last["at"] = f"{year}-12-31T23:00:00+00:00"
    rehash(document)
    path.write_text(json.dumps(document), encoding="utf-8")
    (folder / "snapshot.json").unlink()
    for command in (["today"], ["status"], ["journal"], ["doctor"]):
        result = run(*command, now=at("2026-03-13 10:00"))
        assert_no_internal_error(result)
        assert result.exit_code == 2, (command, result.output)
        assert "outside the years dailylist works with" in result.output

    report = json.loads((tmp_path / "r.json").read_bytes())
    report["events"][-1]["at"] = f"{year}-12-31T23:00:00+00:00"
    rehash(report)
    (tmp_path / "r.json").write_text(json.dumps(report), encoding="utf-8")
    verified = run(
        "verify", str(tmp_path / "r.json"), "--list", str(ten_days), now=at("2026-03-13 10:00")
    )
    assert_no_internal_error(verified)
    assert verified.exit_code == 1
    assert "outside the years dailylist works with" in verified.stdout

"""Shared fixtures: a private data dir per test, a fixed zone, and helpers to build lists."""

from __future__ import annotations

import io
import itertools
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner, Result
from PIL import Image

from dailylist.author import load_or_create_author_key, load_source
from dailylist.cli import cli
from dailylist.clock import FixedClock
from dailylist.sealing import seal
from dailylist.store import DataDir

pytest_plugins = ["tests.phone_helpers", "tests.sync_helpers", "tests.coverage_gate"]

BERLIN = ZoneInfo("Europe/Berlin")

#: The share of each property search the run makes: the inner loop (`-m "not system"`) makes a
#: quarter, as hypothesis suggests for a development profile; CI and the README's command
#: make it whole.
_SEARCH_SHARE = [1.0]


def pytest_configure(config: pytest.Config) -> None:
    if "not system" in (config.getoption("markexpr") or ""):
        _SEARCH_SHARE[0] = 0.25


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A long run (`slow`) is never part of the inner loop either."""
    for item in items:
        if item.get_closest_marker("slow") is not None:
            item.add_marker(pytest.mark.system)


def examples(whole: int, variable: str | None = None) -> int:
    """How many examples a property test tries: `variable`, when set in the environment
    (to search longer, or shorter), else `whole`, or its share in the inner loop."""
    if variable is not None and variable in os.environ:
        return int(os.environ[variable])
    return max(2, round(whole * _SEARCH_SHARE[0]))


@pytest.fixture(autouse=True)
def private_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own data dir and zone; none ever touches the real home."""
    home = tmp_path / "home"
    monkeypatch.setenv("DAILYLIST_HOME", str(home))
    monkeypatch.setenv("TZ", "Europe/Berlin")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("TERM", "dumb")
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.delenv("EDITOR", raising=False)
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.delenv("DAILYLIST_DEBUG", raising=False)
    return home


@pytest.fixture(autouse=True)
def quick_kdf_and_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    """In this process, lists are sealed at scrypt's lowest allowed cost and files are not
    flushed to the disk: together they were a third of the suite's time. Sealing still
    derives real keys (the file carries its cost), and what durability needs is tested
    where it shows: the store's own tests and the commands killed as real processes."""
    import dailylist.sealing

    monkeypatch.setattr(dailylist.sealing, "PASSPHRASE_KDF_N", 2**10)
    monkeypatch.setattr(dailylist.sealing, "CHECKIN_KDF_N", 2**10)
    monkeypatch.setattr(os, "fsync", lambda fd: None)


@pytest.fixture
def data(private_home: Path) -> DataDir:
    return DataDir(private_home)


def at(text: str, zone: ZoneInfo = BERLIN) -> datetime:
    """An aware datetime from 'YYYY-MM-DD HH:MM' in `zone` (Berlin by default)."""
    return datetime.fromisoformat(text).replace(tzinfo=zone)


def item_text(number: int) -> str:
    """A recognisable, unique text for item `number`, so tests can look for leaks."""
    return f"Secret challenge number {number:03d}: do the thing marked {number * 7919:x}"


def source_toml(
    items: int = 5,
    *,
    settings: dict[str, str] | None = None,
    title: str = "Five small days",
    extra_items: dict[int, dict[str, object]] | None = None,
) -> str:
    lines = [
        f"title = {json.dumps(title)}",
        'author = "Ada"',
        'letter = "Dear you,\\none a day."',
        'rules = ["One a day.", "No skipping."]',
        "",
        "[settings]",
    ]
    for key, value in (settings or {}).items():
        lines.append(f"{key} = {json.dumps(value)}")
    for number in range(1, items + 1):
        lines += ["", "[[items]]", f"title = {json.dumps(f'Day title {number}')}"]
        lines.append(f"text = {json.dumps(item_text(number))}")
        for key, value in (extra_items or {}).get(number, {}).items():
            lines.append(f"{key} = {json.dumps(value)}")
    return "\n".join(lines) + "\n"


def _seal_into(folder: Path, number: int, items: int, **kwargs: Any) -> Path:
    source = folder / f"list{number}.toml"
    source.write_text(source_toml(items, **kwargs), encoding="utf-8")
    key, _ = load_or_create_author_key(DataDir(folder / "author-home").author_key)
    raw = seal(load_source(source), key, at("2026-01-01 12:00")).raw
    target = folder / f"list{number}.dlist"
    target.write_bytes(raw)
    return target


@pytest.fixture
def make_sealed(tmp_path: Path) -> Callable[..., Path]:
    """Write and seal a list; returns the path of the `.dlist` (a name not yet taken)."""
    numbers = itertools.count()

    def build(items: int = 5, **kwargs: Any) -> Path:
        number = next(n for n in numbers if not (tmp_path / f"list{n}.dlist").exists())
        return _seal_into(tmp_path, number, items, **kwargs)

    return build


def make_photo(
    path: Path,
    fmt: str = "JPEG",
    *,
    size: tuple[int, int] = (32, 24),
    taken: str | None = None,
    offset: str | None = None,
) -> Path:
    """Write a real image; `taken` ('YYYY:MM:DD HH:MM:SS') goes into EXIF DateTimeOriginal."""
    image = Image.new("RGB", size, (30, 120, 200))
    kwargs: dict[str, Any] = {}
    if taken is not None:
        exif = Image.Exif()
        sub = exif.get_ifd(0x8769)
        sub[36867] = taken
        if offset is not None:
            sub[36881] = offset
        kwargs["exif"] = exif
    buffer = io.BytesIO()
    if fmt == "HEIF":
        from pillow_heif import register_heif_opener

        register_heif_opener()
    image.save(buffer, format=fmt, **kwargs)
    path.write_bytes(buffer.getvalue())
    return path


@pytest.fixture
def photo(tmp_path: Path) -> Path:
    return make_photo(tmp_path / "proof.jpg")


@dataclass
class Cli:
    """Runs the CLI in-process at a fixed instant."""

    runner: CliRunner

    def __call__(self, *args: str, now: datetime, input: str | None = None) -> Result:
        return self.runner.invoke(
            cli, list(args), obj={"clock": FixedClock(now)}, input=input, catch_exceptions=False
        )


@pytest.fixture
def run() -> Cli:
    return Cli(CliRunner())


def snapshot(*roots: Path) -> dict[str, bytes]:
    """Every file under `roots` with its bytes, to prove a failed command changed nothing."""
    files: dict[str, bytes] = {}
    for root in roots:
        if root.is_file():
            files[str(root)] = root.read_bytes()
            continue
        for path in sorted(root.rglob("*")):
            if path.is_file() and not path.is_symlink():
                files[str(path)] = path.read_bytes()
    return files


def run_into_a_closed_pipe(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run `dailylist ARGS` with stdout a pipe nobody reads any more (as `... | head` may
    leave it): its exit code and stderr."""
    reader, writer = os.pipe()
    os.close(reader)
    try:
        return subprocess.run(
            [sys.executable, "-m", "dailylist", *args],
            stdout=writer,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "DAILYLIST_HOME": str(home)},
            check=False,
        )
    finally:
        os.close(writer)


#: Libraries each costing a command more than its own work to import (see bench/).
HEAVY = ("rich", "pydantic", "cryptography", "PIL", "pillow_heif", "filelock", "click")


def heavy_imports(
    home: Path, *args: str, watch: tuple[str, ...] = HEAVY[:4]
) -> tuple[str, list[str]]:
    """Run `dailylist ARGS` in a fresh interpreter, as the installed script does: its
    output, and which of the `watch`ed modules it loaded."""
    code = (
        "import sys\n"
        f"sys.argv = ['dailylist', *{list(args)!r}]\n"
        "from dailylist.launch import main\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        f"loaded = [m for m in {list(watch)!r} if m in sys.modules]\n"
        "print('LOADED', ','.join(loaded))\n"
    )
    env = {**os.environ, "DAILYLIST_HOME": str(home)}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    output, _, loaded = done.stdout.rpartition("LOADED ")
    return output, [name for name in loaded.strip().split(",") if name]


#: Ten days done over twelve: the 5th and 6th of March are missed.
TEN_DAYS = [f"2026-03-{day:02d}" for day in (1, 2, 3, 4, 7, 8, 9, 10, 11, 12)]


#: Lived data dirs, built once a session and copied into each test that asks for one.
_LIVED: dict[str, Path] = {}


def lived_copy(
    name: str, tmp_path: Path, factory: pytest.TempPathFactory, live: Callable[[Path], Path]
) -> Path:
    """What `live(folder)` makes (a data dir at `folder/home`, the sealed file and photos
    beside it), made once and then copied into `tmp_path`; returns the sealed file there."""
    if name not in _LIVED:
        folder = factory.mktemp(name)
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("DAILYLIST_HOME", str(folder / "home"))
            sealed = live(folder)
        _LIVED[name] = sealed
    sealed = _LIVED[name]
    shutil.copytree(sealed.parent, tmp_path, symlinks=True, dirs_exist_ok=True)
    return tmp_path / sealed.name


def _live_ten_days(folder: Path) -> Path:
    run = Cli(CliRunner())
    sealed = _seal_into(folder, 0, 12)
    assert run("open", str(sealed), now=at(f"{TEN_DAYS[0]} 07:00")).exit_code == 0
    for number, day in enumerate(TEN_DAYS, start=1):
        assert run("today", now=at(f"{day} 08:00")).exit_code == 0
        photo = make_photo(folder / f"day{number}.jpg", size=(40 + number, 30))
        note = f"Reflection for day {number}: it felt <good> & new."
        done = run("done", "--photo", str(photo), "--note", note, now=at(f"{day} 20:00"))
        assert done.exit_code == 0, done.output
    return sealed


@pytest.fixture
def ten_days(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 12-item list lived for ten days, each with its own photo; returns the sealed file."""
    return lived_copy("ten-days", tmp_path, tmp_path_factory, _live_ten_days)


def export(run: Cli, path: Path, *extra: str) -> None:
    result = run("export", "-o", str(path), *extra, now=at("2026-03-12 21:00"))
    assert result.exit_code == 0, result.output


DAY = "2026-06-01"


def _live_one_day(folder: Path) -> Path:
    run = Cli(CliRunner())
    sealed = _seal_into(folder, 0, 3, title="Small things")
    assert run("open", str(sealed), now=at(f"{DAY} 08:00")).exit_code == 0
    assert run("today", now=at(f"{DAY} 09:00")).exit_code == 0
    photo = make_photo(folder / "p.jpg", size=(60, 40))
    result = run("done", "--photo", str(photo), "--note", "A good one.", now=at(f"{DAY} 10:00"))
    assert result.exit_code == 0
    return sealed


@pytest.fixture
def one_day_done(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A three-item list, "Small things", with day 1 done on 1 June."""
    return lived_copy("one-day", tmp_path, tmp_path_factory, _live_one_day)


def in_process_of_its_own(home: Path, *args: str, **env: str) -> str:
    """Run `dailylist ARGS` as its own process with `env`: its stdout and stderr."""
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


def need_program(program: str, package: str) -> str:
    """The path of a system program a test needs: skipped without it, but failed under
    `CI=true`, where `.ci/run` installs Debian's `package`."""
    import shutil

    path = shutil.which(program)
    if path is None:
        message = f"{program} is not installed (apt install {package})"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path

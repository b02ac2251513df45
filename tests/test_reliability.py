"""No data loss: `done` killed at any moment, and many commands racing for one list.

These run the real CLI in subprocesses on the real clock. The crash test runs a share of
its kills every time and all of them with `pytest -m slow` (see the README's table).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from dailylist.cli import cli
from dailylist.clock import FixedClock, SystemClock
from dailylist.errors import NotNow
from dailylist.events import Completed, Revealed
from dailylist.opened import journal_of
from dailylist.opening import open_list
from dailylist.photos import checked_photos
from dailylist.recipient import (
    prepare_amendment,
    prepare_completion,
    record_amendment,
    record_completion,
    reveal_today,
)
from dailylist.store import DataDir
from tests.conftest import BERLIN, Cli, at, make_photo, snapshot

#: Kills per run of the suite, and with `-m slow`.
QUICK_KILLS = 30
FULL_KILLS = 240


def far_from_a_day_start(make_sealed: Callable[..., Path]) -> Path:
    """A list whose days start 12 hours from now by the real clock (which the subprocesses
    below read): whenever the suite runs, no list day ends during a test."""
    starts = (SystemClock().now() + timedelta(hours=12)).strftime("%H:%M")
    return make_sealed(3, settings={"day_starts_at": starts})


@pytest.fixture
def ready(make_sealed: Callable[..., Path], tmp_path: Path) -> tuple[Path, str]:
    """A data dir with a list opened and today's item revealed, a moment ago."""
    home = tmp_path / "template"
    data = DataDir(home)
    now = SystemClock().now()
    sealed = far_from_a_day_start(make_sealed).read_bytes()
    list_id = open_list(data, sealed, now - timedelta(seconds=2), source="test").info.id
    reveal_today(data.list_files(list_id), FixedClock(now - timedelta(seconds=1)))
    return home, list_id


def _dailylist(home: Path, *args: str, capture: bool = False) -> subprocess.Popen[str]:
    env = {**os.environ, "DAILYLIST_HOME": str(home)}
    output = subprocess.PIPE if capture else subprocess.DEVNULL
    return subprocess.Popen(
        [sys.executable, "-m", "dailylist", *args],
        env=env,
        stdout=output,
        stderr=output,
        text=True,
    )


def _finish(process: subprocess.Popen[str]) -> tuple[int, str]:
    _, stderr = process.communicate(timeout=120)
    return process.returncode, stderr


def _state_after_kill(home: Path, list_id: str, photo: Path) -> str:
    """Check one killed run left a whole journal; 'old' or 'new' says which one."""
    data = DataDir(home)
    journal = journal_of(data.list_files(list_id))  # raises if damaged
    kinds = [event.kind for event in journal.events]
    assert kinds in (["opened", "revealed"], ["opened", "revealed", "completed"]), kinds
    digest = hashlib.sha256(photo.read_bytes()).hexdigest()
    for event in journal.events:
        if isinstance(event, Completed):
            (record,) = event.photos
            stored = data.list_files(list_id).photo(record.stored_name)
            assert hashlib.sha256(stored.read_bytes()).hexdigest() == record.sha256 == digest
    return "new" if len(kinds) == 3 else "old"


def _crash_runs(
    ready: tuple[Path, str], tmp_path: Path, kills: int, monkeypatch: pytest.MonkeyPatch
) -> Counter[str]:
    template, list_id = ready
    photo = make_photo(tmp_path / "proof.jpg", size=(1600, 1200))
    args = ("done", "--photo", str(photo), "--note", "It felt good.")

    # How long one whole `done` takes here, to spread the kills over all of it.
    probe = tmp_path / "probe"
    shutil.copytree(template, probe)
    started = time.perf_counter()
    assert _dailylist(probe, *args).wait(timeout=60) == 0
    whole = time.perf_counter() - started

    outcomes: Counter[str] = Counter()
    runner = CliRunner()
    for number in range(kills):
        home = tmp_path / f"run{number}"
        shutil.copytree(template, home)
        process = _dailylist(home, *args)
        try:
            process.wait(timeout=whole * 1.2 * number / kills)
            outcomes["finished before the kill"] += 1
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGKILL)
            process.wait()
            outcomes["killed"] += 1
        state = _state_after_kill(home, list_id, photo)
        outcomes[f"journal {state}"] += 1
        folder = DataDir(home).list_files(list_id)
        if state == "old" and any(folder.photos.glob("*.jpg")):
            outcomes["killed between photo copy and journal write"] += 1
        if any(folder.root.rglob(".*.tmp")):
            outcomes["left a temporary file"] += 1
        monkeypatch.setenv("DAILYLIST_HOME", str(home))
        rerun = runner.invoke(cli, list(args))
        if state == "old":
            assert rerun.exit_code == 0, rerun.output
        else:
            assert rerun.exit_code == 1
            assert "already done" in rerun.stderr
        assert _state_after_kill(home, list_id, photo) == "new"
        shutil.rmtree(home)
    return outcomes


@pytest.mark.system
def test_done_killed_at_any_moment_loses_nothing(
    ready: tuple[Path, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    outcomes = _crash_runs(ready, tmp_path, QUICK_KILLS, monkeypatch)
    assert outcomes["journal old"] + outcomes["journal new"] == QUICK_KILLS
    assert outcomes["killed"] > 0


@pytest.mark.system
@pytest.mark.slow
def test_done_killed_at_any_moment_loses_nothing_full(
    ready: tuple[Path, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    outcomes = _crash_runs(ready, tmp_path, FULL_KILLS, monkeypatch)
    print(f"\ncrash test over {FULL_KILLS} runs: {dict(outcomes)}")
    assert outcomes["journal old"] > 0
    assert outcomes["journal new"] > 0


@pytest.mark.system
def test_ten_done_at_once_exactly_one_wins(ready: tuple[Path, str], tmp_path: Path) -> None:
    home, list_id = ready
    photo = make_photo(tmp_path / "p.jpg")
    args = ("done", "--photo", str(photo), "--note", "me!")
    racers = [_dailylist(home, *args, capture=True) for _ in range(10)]
    results = [_finish(process) for process in racers]
    codes = sorted(code for code, _ in results)
    assert codes == [0] + [1] * 9, results
    for code, stderr in results:
        if code == 1:
            assert "already done" in stderr
            assert len(stderr.strip().splitlines()) == 1
    events = journal_of(DataDir(home).list_files(list_id)).events
    assert sum(isinstance(e, Completed) for e in events) == 1


@pytest.mark.system
def test_today_racing_today_and_done_keeps_one_reveal(
    make_sealed: Callable[..., Path], tmp_path: Path
) -> None:
    home = tmp_path / "race"
    data = DataDir(home)
    sealed = far_from_a_day_start(make_sealed).read_bytes()
    opened = open_list(data, sealed, SystemClock().now() - timedelta(seconds=1), source="test")
    list_id = opened.info.id
    photo = make_photo(tmp_path / "p.jpg")
    racers = [_dailylist(home, "today", "--json") for _ in range(6)]
    racers += [_dailylist(home, "done", "--photo", str(photo), "--note", "x") for _ in range(4)]
    codes = [p.wait(timeout=120) for p in racers]
    assert all(code in (0, 1) for code in codes), codes
    events = journal_of(data.list_files(list_id)).events
    assert sum(isinstance(e, Revealed) for e in events) == 1
    assert sum(isinstance(e, Completed) for e in events) <= 1
    assert codes[:6].count(0) >= 1


# --- the rules are asked again under the lock ---------------------------------------------


def test_a_completion_prepared_before_another_lands_writes_nothing(
    make_sealed: Callable[..., Path], run: Cli, data: DataDir, tmp_path: Path
) -> None:
    """`done` A asks for its reflection while `done` B completes the day: A must not write."""
    assert run("open", str(make_sealed(3)), now=at("2026-04-01 08:00")).exit_code == 0
    assert run("today", now=at("2026-04-01 09:00")).exit_code == 0
    (list_id,) = data.opened_list_ids()
    now = at("2026-04-01 10:00")
    slow = prepare_completion(data.list_files(list_id), now)  # A, still typing
    first = make_photo(tmp_path / "b.jpg")
    assert run("done", "--photo", str(first), "--note", "B", now=now).exit_code == 0
    before = snapshot(data.root)
    late = make_photo(tmp_path / "a.png", "PNG")
    with (
        checked_photos([late], BERLIN, data.list_files(list_id).photos) as photos,
        pytest.raises(NotNow, match="already done; one a day"),
    ):
        record_completion(data.list_files(list_id), slow, photos, "A", FixedClock(now))
    assert snapshot(data.root) == before  # no journal entry, no photo kept, no copy left


def test_an_amendment_prepared_before_the_day_ended_writes_nothing(
    make_sealed: Callable[..., Path], run: Cli, data: DataDir, tmp_path: Path
) -> None:
    assert run("open", str(make_sealed(3)), now=at("2026-04-01 08:00")).exit_code == 0
    assert run("today", now=at("2026-04-01 09:00")).exit_code == 0
    photo = make_photo(tmp_path / "p.jpg")
    done = run("done", "--photo", str(photo), "--note", "x", now=at("2026-04-01 10:00"))
    assert done.exit_code == 0
    (list_id,) = data.opened_list_ids()
    target = prepare_amendment(
        data.list_files(list_id), at("2026-04-02 03:50")
    )  # the editor opens...
    before = snapshot(data.root)
    with pytest.raises(NotNow, match="could be amended until"):  # ...and closes after 04:00
        record_amendment(
            data.list_files(list_id), target, [], "later", FixedClock(at("2026-04-02 04:10"))
        )
    assert snapshot(data.root) == before

"""`dailylist sync`: devices that take turns, devices that were apart, remotes that fail.

Two or three data dirs on one machine are the devices; the remote is a bare git repository,
or two plain folders a fake file-sync tool copies into each other (in random order, some
files half copied). After each scenario the devices must agree: `journal --json`, `status
--json` and the report's entries and summary, the same on every device.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import at, examples, item_text, make_photo, need_program
from tests.sync_helpers import (
    PASSPHRASE,
    Device,
    bare_repository,
    copy_folder,
    git,
    tree,
)

pytestmark = pytest.mark.usefixtures("quick_keys", "host_name")

HOST_NAME = "kitchen-laptop-of-ada"


@pytest.fixture
def host_name(monkeypatch: pytest.MonkeyPatch) -> None:
    """A host name long enough to be found if it leaked into the remote."""
    import socket

    monkeypatch.setattr(socket, "gethostname", lambda: HOST_NAME)


@pytest.fixture
def passphrase_file(tmp_path: Path) -> Path:
    path = tmp_path / "passphrase.txt"
    path.write_text(PASSPHRASE + "\n", encoding="utf-8")
    return path


@pytest.fixture
def devices(tmp_path: Path) -> tuple[Device, Device]:
    return Device("laptop", tmp_path / "laptop"), Device("desktop", tmp_path / "desktop")


@pytest.fixture
def remote(tmp_path: Path) -> Path:
    return bare_repository(tmp_path / "remote.git")


def day(number: int, clock: str) -> datetime:
    """List day `number` of a list opened on 1 May (days start at 04:00)."""
    return at(f"2026-05-{number:02d} {clock}")


@pytest.fixture
def joined(
    devices: tuple[Device, Device],
    remote: Path,
    make_sealed: Callable[..., Path],
    passphrase_file: Path,
    tmp_path: Path,
) -> tuple[Device, Device]:
    """The laptop opened a list of five on 1 May and did day 1, then started syncing; the
    desktop joined."""
    laptop, desktop = devices
    laptop.ok("open", str(make_sealed(5)), now=day(1, "08:00"))
    laptop.ok("today", now=day(1, "09:00"))
    photo = make_photo(tmp_path / "one.jpg", size=(40, 30))
    laptop.ok("done", "--photo", str(photo), "--note", "Day one, laptop.", now=day(1, "10:00"))
    setup = laptop.ok(
        "sync",
        "setup",
        str(remote),
        "--passphrase-file",
        str(passphrase_file),
        now=day(1, "11:00"),
    )
    assert "3 events and 1 photo out" in setup.stdout
    join = desktop.ok(
        "sync", "join", str(remote), "--passphrase-file", str(passphrase_file), now=day(1, "12:00")
    )
    assert "joined, 3 events and 1 photo in" in join.stdout
    return laptop, desktop


def agree(when: datetime, *devices: Device) -> None:
    """Every device shows the same journal, the same status, and exports the same entries
    and summary, which `verify` finds genuine."""
    first, *others = devices
    for other in others:
        for command in ("journal", "status"):  # the printed text itself, not just its data
            printed = other.ok(command, "--json", now=when).stdout
            assert printed == first.ok(command, "--json", now=when).stdout, (other.name, command)
        assert other.events() == first.events(), other.name
    reports = []
    for device in devices:
        target = device.home.parent / f"{device.name}-report.json"
        device.ok("export", "-o", str(target), "--force", now=when)
        report = json.loads(target.read_text("utf-8"))
        reports.append({key: report[key] for key in ("entries", "summary", "set_aside")})
        sealed = next((device.home / "lists").iterdir()) / "list.dlist"
        verdict = device.run("verify", str(target), "--list", str(sealed), now=when)
        assert verdict.exit_code == 0, verdict.output
    assert all(report == reports[0] for report in reports)


def sync_all(when: datetime, *devices: Device, rounds: int = 2) -> None:
    for _ in range(rounds):
        for device in devices:
            device.ok("sync", now=when)


# --- taking turns -------------------------------------------------------------------------------


@pytest.mark.system
def test_days_on_alternating_devices(joined: tuple[Device, Device], tmp_path: Path) -> None:
    laptop, desktop = joined
    assert desktop.photos() == laptop.photos()
    # Day 2 on the desktop; the laptop takes it in, and does day 3.
    desktop.ok("today", now=day(2, "09:00"))
    photo = make_photo(tmp_path / "two.png", "PNG")
    desktop.ok("done", "--photo", str(photo), "--note", "Day two, desktop.", now=day(2, "10:00"))
    out = desktop.ok("sync", now=day(2, "11:00")).stdout
    assert "2 events and 1 photo out" in out
    assert "2 events and 1 photo in" in laptop.ok("sync", now=day(2, "12:00")).stdout
    laptop.ok("today", now=day(3, "09:00"))
    photo = make_photo(tmp_path / "three.jpg", size=(20, 20))
    laptop.ok("done", "--photo", str(photo), "--note", "Day three, laptop.", now=day(3, "10:00"))
    laptop.ok("amend", "--note", "Day three, laptop, amended.", now=day(3, "11:00"))
    sync_all(day(3, "12:00"), laptop, desktop)
    agree(day(3, "13:00"), laptop, desktop)
    entries = desktop.journal(day(3, "13:00"))["entries"]
    assert [e["reflection"] for e in entries] == [
        "Day one, laptop.",
        "Day two, desktop.",
        "Day three, laptop, amended.",
    ]
    assert "in step, nothing new" in desktop.ok("sync", now=day(3, "14:00")).stdout
    assert "last exchanged" in desktop.ok("status", now=day(3, "14:00")).stdout


@pytest.mark.system
def test_devices_apart_both_do_a_day_and_one_is_set_aside(
    joined: tuple[Device, Device], tmp_path: Path
) -> None:
    laptop, desktop = joined
    for device, shown, done in ((laptop, "09:00", "09:10"), (desktop, "09:30", "09:45")):
        device.ok("today", now=day(2, shown))
        photo = make_photo(tmp_path / f"{device.name}.jpg", size=(31 + len(device.name), 20))
        note = f"Day two on the {device.name}."
        device.ok("done", "--photo", str(photo), "--note", note, now=day(2, done))
    laptop.ok("sync", now=day(2, "20:00"))
    said = desktop.ok("sync", now=day(2, "20:05")).stdout
    # Said once, plainly: both devices and times, which counts, and where to see both.
    (clash,) = [line for line in said.splitlines() if "Clash" in line]
    assert "Clash: day 2 was done twice, on " in clash
    assert "today at 9:10 and on this device today at 9:45. The first counts;" in clash
    assert clash.endswith("`dailylist show 2` shows both.")
    assert "(" not in clash
    assert "dailylist status" not in said
    sync_all(day(2, "20:10"), laptop, desktop)
    agree(day(2, "21:00"), laptop, desktop)
    when = day(2, "21:00")
    (status,) = desktop.json("status", now=when)["lists"]
    assert (status["done"], status["set_aside"]) == (2, 1)
    shown = desktop.json("show", "2", now=when)
    assert shown["reflection"] == "Day two on the laptop."  # the first one done counts
    (aside,) = shown["set_aside"]
    assert aside["reflection"] == "Day two on the desktop."
    assert aside["completed_at"].startswith("2026-05-02T09:45")
    assert Path(aside["photos"][0]["path"]).is_file()
    status_said = laptop.ok("status", now=when).stdout
    assert "day 2 was done on two devices and one is set aside: `dailylist show 2`" in status_said
    assert "sync" in laptop.ok("doctor", now=when).stdout
    assert "Also done on another device" in desktop.ok("show", "2", now=when).stdout
    for page in ("report.md", "report.html"):
        target = tmp_path / page
        desktop.ok("export", "-o", str(target), now=when)
        assert "set aside" in target.read_text("utf-8")
        assert "Day two on the desktop." in target.read_text("utf-8")
    # Day 3 is there the next day, on either device, once.
    laptop.ok("today", now=day(3, "09:00"))
    sync_all(day(3, "10:00"), laptop, desktop)
    assert desktop.json("today", now=day(3, "10:30"))["day"] == 3


@pytest.mark.system
def test_the_laptop_that_never_syncs_again_keeps_working(joined: tuple[Device, Device]) -> None:
    laptop, _ = joined
    laptop.ok("today", now=day(2, "09:00"))
    assert laptop.json("today", now=day(2, "09:05"))["day"] == 2


@pytest.mark.system
def test_a_day_revealed_after_a_sync_that_brought_the_day_before(
    joined: tuple[Device, Device], tmp_path: Path
) -> None:
    """The desktop reveals day 2 apart from the laptop, which did it; a sync brings the
    laptop's day 2 in, and the desktop reveals day 3 (the laptop had too, not yet synced).
    That reveal was right for what the desktop knew, both lines together: every device
    agrees, and verify takes the report."""
    laptop, desktop = joined
    photo = make_photo(tmp_path / "two.jpg", size=(40, 30))
    laptop.ok("today", now=day(2, "09:00"))
    laptop.ok("done", "--photo", str(photo), "--note", "Day two.", now=day(2, "10:00"))
    laptop.ok("sync", now=day(2, "11:00"))
    desktop.ok("today", now=day(2, "12:00"))  # day 2 here too: it has not synced
    laptop.ok("today", now=day(3, "09:00"))
    desktop.ok("sync", now=day(3, "10:00"))
    revealed = desktop.json("today", now=day(3, "11:00"))
    assert (revealed["state"], revealed["day"]) == ("revealed", 3)
    sync_all(day(3, "12:00"), laptop, desktop)
    agree(day(3, "12:00"), laptop, desktop)
    assert desktop.json("status", now=day(3, "12:00"))["lists"][0]["done"] == 2


@pytest.mark.system
def test_a_device_that_looks_before_it_syncs_each_day_costs_no_more_each_day(
    joined: tuple[Device, Device], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The desktop opens `today` each morning before it syncs, so each day's reveal there
    is written apart from the laptop's day; a replay then judges each of those against all
    it knew. That must cost a few replays a day, not twice as many as the day before."""
    from dailylist import fold

    laptop, desktop = joined
    photo = make_photo(tmp_path / "p.jpg", size=(40, 30))
    for number in range(2, 6):
        desktop.ok("today", now=day(number, "08:00"))
        laptop.ok("today", now=day(number, "09:00"))
        laptop.ok("done", "--photo", str(photo), "--note", "n", now=day(number, "09:10"))
        sync_all(day(number, "10:00"), laptop, desktop)
    calls = 0
    whole = fold.replay

    def counted(*args: Any, **kwargs: Any) -> fold.Replay:
        nonlocal calls
        calls += 1
        return whole(*args, **kwargs)

    monkeypatch.setattr(fold, "replay", counted)
    assert len(laptop.journal(day(5, "12:00"))["entries"]) == 5
    assert calls <= 5  # one replay, and at most one short one for each day's merge
    agree(day(5, "12:00"), laptop, desktop)


# --- a folder a file-sync tool keeps in step ------------------------------------------------


def test_a_folder_kept_in_step_file_by_file_with_half_copies(
    devices: tuple[Device, Device],
    make_sealed: Callable[..., Path],
    passphrase_file: Path,
    tmp_path: Path,
) -> None:
    laptop, desktop = devices
    here, there = tmp_path / "Sync-laptop", tmp_path / "Sync-desktop"
    here.mkdir()
    there.mkdir()
    rng = random.Random(7)
    laptop.ok("open", str(make_sealed(4)), now=day(1, "08:00"))
    laptop.ok("today", now=day(1, "09:00"))
    photo = make_photo(tmp_path / "a.jpg")
    laptop.ok("done", "--photo", str(photo), "--note", "one", now=day(1, "10:00"))
    pass_file = str(passphrase_file)
    laptop.ok(
        "sync", "setup", "--folder", str(here), "--passphrase-file", pass_file, now=day(1, "11:00")
    )
    copy_folder(here, there, rng, half=0.5)  # the tool was interrupted
    joining = desktop.run(
        "sync", "join", "--folder", str(there), "--passphrase-file", pass_file, now=day(1, "12:00")
    )
    if joining.exit_code != 0:  # too little arrived whole yet to join
        assert joining.exit_code == 2
        assert "Traceback" not in joining.output
    copy_folder(here, there, rng)  # the tool catches up
    desktop.ok(
        "sync", "join", "--folder", str(there), "--passphrase-file", pass_file, now=day(1, "12:30")
    )
    for number in (2, 3):
        device = desktop if number == 2 else laptop
        device.ok("today", now=day(number, "09:00"))
        made = make_photo(tmp_path / f"{number}.jpg", size=(20 + number, 20))
        device.ok(
            "done", "--photo", str(made), "--note", f"day {number}", now=day(number, "10:00")
        )
        for _ in range(2):
            laptop.ok("sync", now=day(number, "11:00"))
            desktop.ok("sync", now=day(number, "11:00"))
            copy_folder(here, there, rng, half=0.3)
            copy_folder(there, here, rng, half=0.3)
            said = desktop.ok("sync", now=day(number, "11:00")).stdout
            assert "Traceback" not in said
        copy_folder(here, there, rng)
        copy_folder(there, here, rng)
        sync_all(day(number, "12:00"), laptop, desktop)
        copy_folder(here, there, rng)
        copy_folder(there, here, rng)
        sync_all(day(number, "12:00"), laptop, desktop)
    agree(day(3, "13:00"), laptop, desktop)
    assert len(desktop.journal(day(3, "13:00"))["entries"]) == 3
    # Each device wrote only in its own folder: the two folders hold the same files,
    assert {p for p, _, _ in tree(here)} == {p for p, _, _ in tree(there)}
    # and nothing in them is in clear.
    (list_id,) = (p.name for p in (laptop.home / "lists").iterdir())
    for folder in (here, there):
        for path, raw, _ in tree(folder):
            for secret in ("day 2", "day 3", item_text(1), "Five small days", HOST_NAME, list_id):
                assert secret.encode() not in raw, (path, secret)
                assert secret not in path


# --- faults -------------------------------------------------------------------------------------


@pytest.mark.system
def test_a_force_pushed_remote_gets_back_what_it_lost(
    joined: tuple[Device, Device], remote: Path, tmp_path: Path
) -> None:
    laptop, desktop = joined
    first = git(remote, "rev-parse", "dailylist").strip()
    desktop.ok("today", now=day(2, "09:00"))
    photo = make_photo(tmp_path / "two.jpg")
    desktop.ok("done", "--photo", str(photo), "--note", "two", now=day(2, "10:00"))
    desktop.ok("sync", now=day(2, "11:00"))
    laptop.ok("sync", now=day(2, "11:05"))
    # Someone rewrites the remote: the branch back to its first commit (day 2 is gone),
    git(remote, "update-ref", "refs/heads/dailylist", first)
    git(remote, "reflog", "expire", "--expire=now", "--all")
    git(remote, "gc", "-q", "--prune=now")
    said = desktop.ok("sync", now=day(2, "12:00")).stdout
    assert "The remote had lost" in said
    # then commits every file away, on the same branch,
    empty_tree = git(remote, "mktree", input="").strip()
    emptied = git(remote, "commit-tree", empty_tree, "-p", "dailylist", "-m", "cleaned").strip()
    git(remote, "update-ref", "refs/heads/dailylist", emptied)
    said = desktop.ok("sync", now=day(2, "12:02")).stdout
    assert "The remote had lost" in said
    # and at last empties it altogether.
    shutil.rmtree(remote)
    bare_repository(remote)
    laptop.ok("sync", now=day(2, "12:05"))
    sync_all(day(2, "12:10"), laptop, desktop)
    agree(day(2, "13:00"), laptop, desktop)
    assert len(laptop.journal(day(2, "13:00"))["entries"]) == 2


@pytest.mark.system
def test_a_lost_sync_key_or_config_is_mended_by_join(
    joined: tuple[Device, Device], remote: Path, passphrase_file: Path
) -> None:
    laptop, desktop = joined
    (laptop.home / "sync" / "identity.txt").unlink()  # setup, run again, mends it too
    setup = ("sync", "setup", str(remote), "--passphrase-file", str(passphrase_file))
    laptop.ok(*setup, now=day(1, "12:55"))
    assert "in step" in laptop.ok("sync", now=day(1, "12:58")).stdout
    identity = desktop.home / "sync" / "identity.txt"
    identity.write_text("garbage\n", encoding="utf-8")
    refused = desktop.run("sync", now=day(1, "13:00"))
    assert refused.exit_code == 2
    assert "sync key" in refused.stderr
    assert "sync join REMOTE" in refused.stderr
    doctor = desktop.run("doctor", now=day(1, "13:00"))
    assert doctor.exit_code == 2
    assert "sync key" in doctor.stdout
    join = ("sync", "join", str(remote), "--passphrase-file", str(passphrase_file))
    desktop.ok(*join, now=day(1, "13:05"))
    assert "in step" in desktop.ok("sync", now=day(1, "13:10")).stdout
    assert desktop.run("doctor", now=day(1, "13:10")).exit_code == 0
    config = desktop.home / "sync" / "config.json"
    config.write_bytes(config.read_bytes()[:40])  # cut short
    damaged = desktop.run("sync", now=day(1, "13:20"))
    assert damaged.exit_code == 2
    assert "config.json is damaged" in damaged.stderr
    desktop.ok(*join, now=day(1, "13:25"))
    assert "in step" in desktop.ok("sync", now=day(1, "13:30")).stdout


@pytest.mark.system
def test_a_wrong_passphrase_changes_nothing(
    joined: tuple[Device, Device], remote: Path, tmp_path: Path
) -> None:
    third = Device("tablet", tmp_path / "tablet")
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("not the passphrase\n", encoding="utf-8")
    result = third.run(
        "sync", "join", str(remote), "--passphrase-file", str(wrong), now=day(1, "13:00")
    )
    assert result.exit_code == 2
    assert "passphrase is not this remote's" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (third.home / "lists").exists()
    assert not (third.home / "sync").exists()


@pytest.mark.system
def test_a_remote_that_is_not_this_syncs_is_refused(
    joined: tuple[Device, Device], remote: Path, make_sealed: Callable[..., Path], tmp_path: Path
) -> None:
    laptop, _ = joined
    # Another person's remote, with another identity, stands where the laptop's was.
    stranger = Device("stranger", tmp_path / "stranger")
    stranger.ok("open", str(make_sealed(3)), now=day(1, "08:00"))
    other = bare_repository(tmp_path / "other.git")
    pass_file = tmp_path / "theirs.txt"
    pass_file.write_text("their own passphrase\n", encoding="utf-8")
    from pyrage import x25519

    from dailylist.sync import crypto

    # (a key of their own: the session's quick key would be the laptop's too)
    theirs = crypto.Key(str(x25519.Identity.generate()))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(crypto.Key, "generate", staticmethod(lambda: theirs))
        stranger.ok(
            "sync", "setup", str(other), "--passphrase-file", str(pass_file), now=day(1, "09:00")
        )
    shutil.rmtree(remote)
    shutil.copytree(other, remote)
    before = list(tree(laptop.home, skip=".git"))
    result = laptop.run("sync", now=day(1, "13:00"))
    assert result.exit_code == 2
    assert "not this sync's remote" in result.stderr
    assert list(tree(laptop.home, skip=".git")) == before


@pytest.mark.system
def test_an_unreachable_remote_changes_nothing(
    joined: tuple[Device, Device], tmp_path: Path, passphrase_file: Path
) -> None:
    laptop, _ = joined
    third = Device("tablet", tmp_path / "tablet")
    third.ok(
        "open", str(next((laptop.home / "lists").iterdir()) / "list.dlist"), now=day(1, "08:00")
    )
    before = list(tree(third.home))
    missing = tmp_path / "nowhere.git"
    result = third.run(
        "sync",
        "setup",
        str(missing),
        "--passphrase-file",
        str(passphrase_file),
        now=day(1, "13:00"),
    )
    assert result.exit_code == 2
    assert "cannot reach" in result.stderr
    assert list(tree(third.home)) == before
    gone = laptop.home.parent / "remote.git"
    shutil.move(gone, tmp_path / "moved.git")
    before = list(tree(laptop.home, skip=".git"))
    result = laptop.run("sync", now=day(1, "13:00"))
    assert result.exit_code == 2
    assert "cannot reach" in result.stderr
    assert list(tree(laptop.home, skip=".git")) == before


@pytest.mark.system
def test_a_list_opened_apart_on_each_device_is_not_mixed(
    joined: tuple[Device, Device], tmp_path: Path, remote: Path, passphrase_file: Path
) -> None:
    laptop, _ = joined
    third = Device("tablet", tmp_path / "tablet")
    sealed = next((laptop.home / "lists").iterdir()) / "list.dlist"
    third.ok("open", str(sealed), now=day(1, "08:30"))  # its own journal of the same list
    result = third.run(
        "sync", "join", str(remote), "--passphrase-file", str(passphrase_file), now=day(1, "13:00")
    )
    assert result.exit_code == 1, result.output  # joined, but that list was not exchanged
    assert "began apart" in result.stdout
    assert len(third.events()) == 1  # its own opening only: nothing was mixed in
    assert len(laptop.events()) == 3


@pytest.mark.system
def test_syncs_at_the_same_moment_both_end_complete(
    joined: tuple[Device, Device], tmp_path: Path
) -> None:
    laptop, desktop = joined
    for device, clock in ((laptop, "09:00"), (desktop, "09:30")):
        device.ok("today", now=day(2, clock))
        photo = make_photo(tmp_path / f"{device.name}.jpg", size=(30 + len(device.name), 20))
        device.ok(
            "done", "--photo", str(photo), "--note", device.name, now=day(2, clock[:3] + "45")
        )
    for _ in range(3):
        running = [laptop.sync_process(), desktop.sync_process()]
        for process in running:
            _, err = process.communicate(timeout=120)
            assert process.returncode == 0, err
    sync_all(day(2, "20:00"), laptop, desktop)
    agree(day(2, "21:00"), laptop, desktop)
    assert len(laptop.events()) == 7  # 3 shared, and 2 each: none lost


@pytest.mark.system
@pytest.mark.parametrize(
    "runs",
    [pytest.param(6, id="6 kills"), pytest.param(60, marks=pytest.mark.slow, id="60 kills")],
)
def test_a_sync_killed_at_any_moment_is_completed_by_the_next(
    joined: tuple[Device, Device], tmp_path: Path, runs: int
) -> None:
    laptop, desktop = joined
    rng = random.Random(runs)
    desktop.ok("today", now=day(2, "09:00"))
    photo = make_photo(tmp_path / "big.jpg", size=(1600, 1200))
    desktop.ok("done", "--photo", str(photo), "--note", "two", now=day(2, "10:00"))
    mine = desktop.events()
    for _ in range(runs):
        process = desktop.sync_process()
        time.sleep(rng.uniform(0.0, 0.6))
        process.send_signal(signal.SIGKILL)
        process.communicate()
        assert desktop.events() == mine  # its own data intact, whatever the moment
        desktop.ok("status", now=day(2, "11:00"))
    sync_all(day(2, "12:00"), desktop, laptop)
    agree(day(2, "13:00"), laptop, desktop)


# --- what the remote holds ------------------------------------------------------------------


@pytest.mark.system
def test_nothing_in_the_remote_is_in_clear(
    joined: tuple[Device, Device], remote: Path, tmp_path: Path
) -> None:
    laptop, desktop = joined
    desktop.ok("today", now=day(2, "09:00"))
    photo = make_photo(tmp_path / "two.jpg")
    desktop.ok(
        "done",
        "--photo",
        str(photo),
        "--note",
        "A reflection nobody else reads.",
        now=day(2, "10:00"),
    )
    sync_all(day(2, "11:00"), laptop, desktop)
    objects = subprocess.run(
        ["git", "--git-dir", str(remote), "cat-file", "--batch-all-objects", "--batch"],
        capture_output=True,
        check=True,
    ).stdout
    secrets = [
        "Day one, laptop.",
        "A reflection nobody else reads.",
        item_text(1),
        item_text(2),
        "Five small days",
        "five-small-days",
        HOST_NAME,
        next((laptop.home / "lists").iterdir()).name,  # the list's id
    ]
    for secret in secrets:
        assert secret.encode() not in objects, secret
    names = git(remote, "ls-tree", "-r", "--name-only", "dailylist").split()
    assert all(
        part == "keys"
        or part == "lists"
        or part.endswith(".age")
        or len(part) == 32
        or part in ("events", "photos")
        for name in names
        for part in name.split("/")
    )


@pytest.mark.system
def test_a_person_reads_their_own_data_with_age(
    joined: tuple[Device, Device], tmp_path: Path
) -> None:
    age = need_program("age", "age")
    laptop, _ = joined
    clone = laptop.home / "sync" / "repository"
    event_file = next(path for path in clone.rglob("*.age") if path.parent.name == "events")
    done = subprocess.run(
        [age, "-d", "-i", str(laptop.home / "sync" / "identity.txt"), str(event_file)],
        capture_output=True,
        check=True,
    )
    envelope = json.loads(done.stdout)  # the event, its list, and its device's signature
    assert envelope["event"]["kind"] in ("opened", "revealed", "completed")
    assert set(envelope) == {"format", "list", "event", "public_key", "signature"}


@pytest.mark.system
def test_a_sync_with_nothing_new_touches_no_file(
    joined: tuple[Device, Device], remote: Path
) -> None:
    laptop, desktop = joined
    sync_all(day(1, "13:00"), laptop, desktop)
    before = list(tree(laptop.home, skip=".git")), list(tree(remote))
    assert "in step, nothing new" in laptop.ok("sync", now=day(1, "14:00")).stdout
    assert (list(tree(laptop.home, skip=".git")), list(tree(remote))) == before


def _fetch_head(device: Device) -> Path:
    return device.home / "sync" / "repository" / ".git" / "FETCH_HEAD"


@pytest.mark.system
def test_status_says_when_a_sync_last_reached_the_remote_though_nothing_moved(
    joined: tuple[Device, Device], remote: Path
) -> None:
    """When a list was last exchanged moves when something comes in or goes out; when a
    sync last reached the remote moves with every sync that did, and is kept where git
    writes anyway (the clone's FETCH_HEAD): a sync with nothing new still writes no file."""
    laptop, desktop = joined
    sync_all(day(1, "13:00"), laptop, desktop)
    fetch_head = _fetch_head(desktop)
    os.utime(fetch_head, (946_684_800, 946_684_800))  # as if last fetched in 2000
    before = list(tree(desktop.home, skip=".git")), list(tree(remote))
    assert "in step, nothing new" in desktop.ok("sync", now=day(2, "09:00")).stdout
    assert (list(tree(desktop.home, skip=".git")), list(tree(remote))) == before
    assert fetch_head.stat().st_mtime > 946_684_800  # git wrote it: the sync reached it
    # This test's clock is not the file system's: the fetch is put at 08:59 on day 2.
    reached = day(2, "08:59").timestamp()
    os.utime(fetch_head, (reached, reached))
    said = desktop.ok("status", now=day(2, "09:00")).stdout
    assert (
        "five-small-days: last exchanged 2026-05-01 12:00 (21 h ago), last reached the remote "
        "2026-05-02 08:59 (1 min ago)."
    ) in said
    doctor = desktop.ok("doctor", now=day(2, "09:00")).stdout
    assert "last exchanged 2026-05-01 12:00 (21 h ago), last reached the remote" in doctor
    # A fetch that fails does not count as reaching it, though git writes the file then too.
    shutil.move(remote, remote.with_name("moved.git"))
    assert desktop.run("sync", now=day(2, "10:00")).exit_code == 2
    assert fetch_head.stat().st_mtime == reached
    assert (
        "last reached the remote 2026-05-02 08:59"
        in desktop.ok("status", now=day(2, "10:00")).stdout
    )
    # A time ahead of the clock (a clock set wrong) is not taken: the config's is, the last
    # sync that wrote it (its first, at 12:00, which exchanged the list).
    assert (
        "last reached the remote 2026-05-01 12:00"
        in desktop.ok("status", now=day(2, "08:00")).stdout
    )


def test_a_folder_remote_keeps_when_it_was_reached_when_it_writes_anyway(
    devices: tuple[Device, Device], make_sealed: Callable[..., Path], tmp_path: Path
) -> None:
    laptop, _ = devices
    folder = tmp_path / "Sync"
    folder.mkdir()
    pass_file = tmp_path / "pass.txt"
    pass_file.write_text(PASSPHRASE, encoding="utf-8")
    laptop.ok("open", str(make_sealed(3)), now=day(1, "08:00"))
    laptop.ok("sync", "setup", "--folder", str(folder), "--passphrase-file", str(pass_file),
              now=day(1, "09:00"))  # fmt: skip
    laptop.ok("today", now=day(1, "10:00"))
    assert "1 event and 0 photos out" in laptop.ok("sync", now=day(1, "11:00")).stdout
    before = list(tree(laptop.home)), list(tree(folder))
    assert "in step, nothing new" in laptop.ok("sync", now=day(1, "12:00")).stdout
    assert (list(tree(laptop.home)), list(tree(folder))) == before  # nothing written
    said = laptop.ok("status", now=day(1, "12:30")).stdout
    # Not moved by the sync that wrote nothing (see `sync.config.reached_at`).
    last = "last exchanged 2026-05-01 11:00 (2 h ago), last reached the remote 2026-05-01 11:00"
    assert last in said


@pytest.mark.system
def test_a_clone_of_the_remote_takes_the_dailylist_branch(
    joined: tuple[Device, Device], remote: Path, tmp_path: Path
) -> None:
    """`git init --bare` leaves HEAD naming a branch it does not have; once dailylist made
    its branch there, HEAD names it, and a clone neither warns nor comes out empty."""
    assert git(remote, "symbolic-ref", "HEAD").strip() == "refs/heads/dailylist"
    cloned = subprocess.run(
        ["git", "clone", str(remote), str(tmp_path / "copy")],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert "nonexistent ref" not in cloned.stderr
    assert any((tmp_path / "copy" / "lists").iterdir())


@pytest.mark.system
def test_a_remote_whose_head_is_a_branch_of_its_own_keeps_it(
    devices: tuple[Device, Device],
    make_sealed: Callable[..., Path],
    passphrase_file: Path,
    tmp_path: Path,
) -> None:
    remote = bare_repository(tmp_path / "shared.git")
    blob = git(remote, "hash-object", "-w", "--stdin", input="notes\n").strip()
    tree_id = git(remote, "mktree", input=f"100644 blob {blob}\tnotes.txt\n").strip()
    commit = git(remote, "commit-tree", tree_id, "-m", "mine").strip()
    git(remote, "update-ref", "refs/heads/main", commit)
    git(remote, "symbolic-ref", "HEAD", "refs/heads/main")
    laptop, _ = devices
    laptop.ok("open", str(make_sealed(3)), now=day(1, "08:00"))
    laptop.ok("sync", "setup", str(remote), "--passphrase-file", str(passphrase_file),
              now=day(1, "09:00"))  # fmt: skip
    assert git(remote, "symbolic-ref", "HEAD").strip() == "refs/heads/main"
    assert git(remote, "rev-parse", "--verify", "refs/heads/dailylist")


# --- any interleaving ---------------------------------------------------------------------------

_ACTIONS = st.tuples(
    st.integers(min_value=0, max_value=2),  # which device
    st.sampled_from(["today", "done", "amend", "sync", "sync"]),
    st.integers(min_value=1, max_value=30),  # hours since the step before
)


@settings(
    max_examples=examples(6, "DAILYLIST_SYNC_EXAMPLES"),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(_ACTIONS, min_size=4, max_size=24))
def test_any_interleaving_ends_the_same_everywhere(
    steps: list[tuple[int, str, int]],
    make_sealed: Callable[..., Path],
    passphrase_file: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """Three devices sharing one folder do days, amend and sync in any order; once all have
    synced, they show the same journal and status, no event any of them wrote is lost, and
    no list day counts two completions."""
    work = tmp_path_factory.mktemp("interleaving")
    folder = work / "Sync"
    folder.mkdir()
    devices = [Device(name, work / name) for name in ("laptop", "desktop", "tablet")]
    photo = make_photo(work / "p.jpg")
    now = day(1, "08:00")
    first = devices[0]
    first.ok("open", str(make_sealed(6)), now=now)
    pass_file = str(passphrase_file)
    first.ok("sync", "setup", "--folder", str(folder), "--passphrase-file", pass_file, now=now)
    for device in devices[1:]:
        device.ok("sync", "join", "--folder", str(folder), "--passphrase-file", pass_file, now=now)
    seen: set[str] = set()
    for number, action, hours in steps:
        now += timedelta(hours=hours)
        device = devices[number]
        if action == "done":
            args = ["done", "--photo", str(photo), "--note", f"{device.name} at {now:%d %H}"]
        elif action == "amend":
            args = ["amend", "--note", f"{device.name} changed it at {now:%d %H}"]
        else:
            args = [action]
        result = device.run(*args, now=now)
        assert result.exit_code in (0, 1, 2), result.output
        assert "internal error" not in result.output
        seen |= {event["id"] for event in device.events()}
    now += timedelta(minutes=1)
    sync_all(now, *devices)
    agree(now, *devices)
    final = devices[0].events()
    assert seen <= {event["id"] for event in final}  # nothing any device wrote is lost
    dates = [entry["date"] for entry in devices[0].journal(now)["entries"]]
    assert len(dates) == len(set(dates))  # one completion counted a list day
    for device in devices:
        assert device.run("doctor", now=now).exit_code == 0

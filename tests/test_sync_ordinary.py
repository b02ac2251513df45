"""`dailylist sync` the way people really use two or three devices, with right clocks and
wrong ones, in different zones: every case ends with the devices agreeing, no internal
error, and nothing any device wrote lost.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import make_photo
from tests.sync_helpers import PASSPHRASE, Device, bare_repository, copy_folder

pytestmark = pytest.mark.usefixtures("quick_keys")

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def on(text: str, zone: ZoneInfo = BERLIN) -> datetime:
    return datetime.fromisoformat(f"2027-{text}").replace(tzinfo=zone)


@pytest.fixture
def passphrase_file(tmp_path: Path) -> Path:
    path = tmp_path / "passphrase.txt"
    path.write_text(PASSPHRASE + "\n", encoding="utf-8")
    return path


def start(
    devices: list[Device],
    remote: Path,
    sealed: Path,
    passphrase_file: Path,
    when: datetime,
    *,
    folder: bool = False,
) -> None:
    """The first device opens the list and sets up the sync; the others join, each named."""
    first, *others = devices
    first.ok("open", str(sealed), now=when)
    kind = ["--folder"] if folder else []
    secret = ["--passphrase-file", str(passphrase_file)]
    name = ["--device-name", first.name]
    first.ok("sync", "setup", *kind, str(remote), *secret, *name, now=when)
    for device in others:
        named = ["--device-name", device.name]
        device.ok("sync", "join", *kind, str(remote), *secret, *named, now=when)


def day_done(device: Device, photo: Path, shown: datetime, done: datetime, note: str) -> None:
    device.ok("today", now=shown)
    device.ok("done", "--photo", str(photo), "--note", note, now=done)


def same_everywhere(when: datetime, *devices: Device) -> None:
    printed = {device.name: device.ok("journal", "--json", now=when).stdout for device in devices}
    assert len(set(printed.values())) == 1, printed
    statuses = {device.name: device.ok("status", "--json", now=when).stdout for device in devices}
    assert len(set(statuses.values())) == 1, statuses
    ids = [{event["id"] for event in device.events()} for device in devices]
    assert all(found == ids[0] for found in ids)
    for device in devices:
        assert device.run("doctor", now=when).exit_code == 0, device.name


@pytest.mark.parametrize("remote_kind", [pytest.param("git", marks=pytest.mark.system), "folder"])
def test_two_devices_that_were_apart_for_two_days_keep_the_list_usable(
    remote_kind: str, tmp_path: Path, make_sealed: Callable[..., Path], passphrase_file: Path
) -> None:
    """The case that made a list unusable: B did day 2 and synced, A did it too offline,
    then both did day 3 (A revealed first, B completed first), A synced, revealed day 4
    and synced; B's next sync must leave every command working."""
    a, b = Device("a", tmp_path / "a"), Device("b", tmp_path / "b")
    if remote_kind == "git":
        remote = bare_repository(tmp_path / "remote.git")
    else:
        remote = tmp_path / "Sync"
        remote.mkdir()
    start(
        [a, b],
        remote,
        make_sealed(7),
        passphrase_file,
        on("03-01 08:00"),
        folder=remote_kind == "folder",
    )
    pa, pb = make_photo(tmp_path / "a.jpg", size=(40, 30)), make_photo(tmp_path / "b.jpg")
    day_done(a, pa, on("03-01 09:00"), on("03-01 09:10"), "one")
    a.ok("sync", now=on("03-01 09:20"))
    b.ok("sync", now=on("03-01 09:30"))
    day_done(b, pb, on("03-02 09:00"), on("03-02 09:10"), "two on b")
    b.ok("sync", now=on("03-02 09:20"))
    day_done(a, pa, on("03-02 10:00"), on("03-02 10:10"), "two on a")
    a.ok("today", now=on("03-03 09:00"))
    day_done(b, pb, on("03-03 09:30"), on("03-03 09:40"), "three on b")
    a.ok("done", "--photo", str(pa), "--note", "three on a", now=on("03-03 10:00"))
    a.ok("sync", now=on("03-03 10:05"))
    a.ok("today", now=on("03-04 09:00"))
    a.ok("sync", now=on("03-04 09:05"))
    b.ok("sync", now=on("03-04 09:10"))
    when = on("03-04 09:20")
    for command in ("today", "status", "journal", "doctor", "sync"):
        result = b.run(command, now=when)
        assert result.exit_code in (0, 1), (command, result.output)
        assert "internal error" not in result.output
    target = tmp_path / "report.json"
    b.ok("export", "-o", str(target), now=when)
    for _ in range(2):
        a.ok("sync", now=when)
        b.ok("sync", now=when)
    same_everywhere(when, a, b)
    shown = b.json("today", now=when)
    assert (shown["state"], shown["day"]) == ("revealed", 4)


@pytest.mark.system
def test_a_completion_made_while_a_sync_pushes_is_sent_by_the_next(
    tmp_path: Path, make_sealed: Callable[..., Path], passphrase_file: Path
) -> None:
    """A slow push: `done` lands while `sync` is sending. That sync must not count the new
    completion as in step; the next one sends it."""
    a, b = Device("a", tmp_path / "a"), Device("b", tmp_path / "b")
    remote = bare_repository(tmp_path / "remote.git")
    start([a, b], remote, make_sealed(3), passphrase_file, on("03-01 08:00"))
    a.ok("today", now=on("03-01 09:00"))
    # A `git` that waits in `push` until the test says go.
    shim = tmp_path / "bin"
    shim.mkdir()
    pushing, go = tmp_path / "pushing", tmp_path / "go"
    real = subprocess.run(["which", "git"], capture_output=True, text=True, check=True).stdout
    (shim / "git").write_text(
        "#!/bin/sh\n"
        'for arg in "$@"; do if [ "$arg" = push ]; then\n'
        f"  touch {pushing}; while [ ! -e {go} ]; do sleep 0.05; done; fi; done\n"
        f'exec {real.strip()} "$@"\n',
        encoding="utf-8",
    )
    (shim / "git").chmod(0o755)
    env = {**os.environ, "DAILYLIST_HOME": str(a.home), "PATH": f"{shim}:{os.environ['PATH']}"}
    env["FAKETIME"] = ""
    syncing = subprocess.Popen(
        [sys.executable, "-m", "dailylist", "sync"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while not pushing.exists():
        assert syncing.poll() is None, syncing.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.05)
    photo = make_photo(tmp_path / "p.jpg")
    a.ok("done", "--photo", str(photo), "--note", "while it pushed", now=on("03-01 09:10"))
    go.touch()
    _, err = syncing.communicate(timeout=60)
    assert syncing.returncode == 0, err
    said = a.ok("sync", now=on("03-01 09:20")).stdout
    assert "1 event and 1 photo out" in said
    b.ok("sync", now=on("03-01 09:30"))
    entries = b.json("journal", now=on("03-01 09:40"))["entries"]
    assert [entry["reflection"] for entry in entries] == ["while it pushed"]


@pytest.mark.system
def test_a_device_whose_clock_is_ahead_locks_out_no_other(
    tmp_path: Path, make_sealed: Callable[..., Path], passphrase_file: Path
) -> None:
    """C's clock reads 5 days ahead; it does day 1 and syncs; a rogue's events are dated
    2999. A, with the right clock, keeps working all along and is told whose clock is off;
    once real time passes C's stamps, the devices agree."""
    a, c = Device("a", tmp_path / "a"), Device("tablet", tmp_path / "c")
    remote = bare_repository(tmp_path / "remote.git")
    start([a, c], remote, make_sealed(5), passphrase_file, on("03-01 08:00"))
    ahead = timedelta(days=5)
    photo = make_photo(tmp_path / "p.jpg")
    day_done(c, photo, on("03-01 09:00") + ahead, on("03-01 09:10") + ahead, "from the future")
    c.ok("sync", now=on("03-01 09:20") + ahead)
    said = a.ok("sync", now=on("03-01 10:00")).stdout
    assert "tablet's clock reads ahead" in said
    for command in ("today", "status", "journal"):
        assert a.run(command, now=on("03-01 10:05")).exit_code == 0, command
    a.ok("done", "--photo", str(photo), "--note", "on time", now=on("03-01 10:10"))
    a.ok("sync", now=on("03-01 10:20"))
    # Days later, real time has passed the tablet's stamps: everyone agrees, A's day counts.
    later = on("03-07 12:00")
    for _ in range(2):
        a.ok("sync", now=later)
        c.ok("sync", now=later)
    same_everywhere(later, a, c)
    (entry,) = a.json("journal", now=later)["entries"]
    assert entry["reflection"] == "on time"
    assert a.json("status", now=later)["lists"][0]["set_aside"] == 1


@pytest.mark.system
def test_a_completion_dated_2999_locks_no_device(
    tmp_path: Path, make_sealed: Callable[..., Path], passphrase_file: Path
) -> None:
    a, rogue = Device("a", tmp_path / "a"), Device("rogue", tmp_path / "rogue")
    remote = bare_repository(tmp_path / "remote.git")
    start([a, rogue], remote, make_sealed(5), passphrase_file, on("03-01 08:00"))
    far = datetime(2999, 1, 1, 10, 0, tzinfo=BERLIN)
    photo = make_photo(tmp_path / "p.jpg")
    day_done(rogue, photo, far, far + timedelta(minutes=5), "in 2999")
    rogue.ok("sync", now=far + timedelta(minutes=10))
    for when in (on("03-01 09:00"), on("03-20 09:00"), on("12-31 09:00")):
        said = a.ok("sync", now=when).stdout
        assert "rogue's clock reads ahead" in said
        assert "2999" in said
        shown = a.json("today", now=when + timedelta(minutes=1))
        assert shown["state"] in ("revealed", "waiting"), shown
    a.ok("done", "--photo", str(photo), "--note", "mine", now=on("12-31 09:10"))


@pytest.mark.system
def test_devices_in_new_york_and_berlin_print_the_same_journal(
    tmp_path: Path, make_sealed: Callable[..., Path], passphrase_file: Path
) -> None:
    """The first reveal at 09:00 in Berlin is 03:00 in New York, the list day before there
    (days start at 04:00); at 06:00 in Berlin it is midnight in New York. The journal
    printed at one instant is the same on both."""
    berlin, york = Device("berlin", tmp_path / "berlin"), Device("york", tmp_path / "york")
    remote = bare_repository(tmp_path / "remote.git")
    start([berlin, york], remote, make_sealed(5), passphrase_file, on("03-01 08:00"))
    photo = make_photo(tmp_path / "p.jpg")
    day_done(berlin, photo, on("03-01 09:00"), on("03-01 09:10"), "one")
    berlin.ok("sync", now=on("03-01 09:20"))
    day_done(york, photo, on("03-02 10:00", NEW_YORK), on("03-02 10:10", NEW_YORK), "two")
    york.ok("sync", now=on("03-02 10:20", NEW_YORK))
    berlin.ok("sync", now=on("03-02 17:00"))
    for instant in (on("03-05 06:00"), on("03-05 12:00"), on("03-05 03:30")):
        here = berlin.ok("journal", "--json", now=instant).stdout
        there = york.ok("journal", "--json", now=instant.astimezone(NEW_YORK)).stdout
        assert here == there, instant
    missed = json.loads(here)["missed_days"]
    assert "2027-02-28" not in missed


def test_three_devices_through_folders_copied_in_any_order(
    tmp_path: Path, make_sealed: Callable[..., Path], passphrase_file: Path
) -> None:
    """The first case again, with three devices whose folders a file-sync tool copies into
    each other one file at a time, in random order."""
    import random

    devices = [Device(name, tmp_path / name) for name in ("a", "b", "c")]
    folders = [tmp_path / f"Sync-{device.name}" for device in devices]
    for folder in folders:
        folder.mkdir()
    rng = random.Random(3)
    first = devices[0]
    first.ok("open", str(make_sealed(7)), now=on("03-01 08:00"))
    secret = ["--passphrase-file", str(passphrase_file)]
    first.ok("sync", "setup", "--folder", str(folders[0]), *secret, now=on("03-01 08:00"))
    for number in (1, 2):
        copy_folder(folders[0], folders[number], rng)
        devices[number].ok(
            "sync", "join", "--folder", str(folders[number]), *secret, now=on("03-01 08:00")
        )

    def spread() -> None:
        for source in range(3):
            for target in range(3):
                if source != target:
                    copy_folder(folders[source], folders[target], rng)

    photo = make_photo(tmp_path / "p.jpg")
    a, b, c = devices
    day_done(a, photo, on("03-01 09:00"), on("03-01 09:10"), "one")
    a.ok("sync", now=on("03-01 09:20"))
    spread()
    day_done(b, photo, on("03-02 09:00"), on("03-02 09:10"), "two on b")
    b.ok("sync", now=on("03-02 09:20"))
    spread()
    day_done(a, photo, on("03-02 10:00"), on("03-02 10:10"), "two on a")
    day_done(c, photo, on("03-02 11:00"), on("03-02 11:10"), "two on c")
    a.ok("today", now=on("03-03 09:00"))
    day_done(b, photo, on("03-03 09:30"), on("03-03 09:40"), "three on b")
    a.ok("done", "--photo", str(photo), "--note", "three on a", now=on("03-03 10:00"))
    for number in (0, 2, 1):
        devices[number].ok("sync", now=on("03-04 09:00"))
        spread()
    a.ok("today", now=on("03-04 09:05"))
    when = on("03-04 10:00")
    for _ in range(3):
        for device in devices:
            device.ok("sync", now=when)
        spread()
    same_everywhere(when, *devices)


@pytest.mark.system
def test_a_clock_behind_another_devices_entry_names_that_device(
    tmp_path: Path, make_sealed: Callable[..., Path], passphrase_file: Path
) -> None:
    """A device whose own clock reads behind an entry another device wrote (within the
    few minutes a sync takes in) is told which device wrote it."""
    a, b = Device("kitchen", tmp_path / "a"), Device("desk", tmp_path / "b")
    remote = bare_repository(tmp_path / "remote.git")
    start([a, b], remote, make_sealed(3), passphrase_file, on("03-01 08:00"))
    a.ok("today", now=on("03-01 09:04"))
    a.ok("sync", now=on("03-01 09:04"))
    b.ok("sync", now=on("03-01 09:00"))  # four minutes behind: taken
    refused = b.run("today", now=on("03-01 08:50"))  # and now further behind
    assert refused.exit_code == 1
    assert "written on kitchen" in refused.stderr
    assert "kitchen's if it reads ahead" in refused.stderr


@pytest.mark.system
def test_sync_json_says_what_moved_for_scripts(
    tmp_path: Path, make_sealed: Callable[..., Path], passphrase_file: Path
) -> None:
    a, b = Device("a", tmp_path / "a"), Device("b", tmp_path / "b")
    remote = bare_repository(tmp_path / "remote.git")
    start([a, b], remote, make_sealed(3), passphrase_file, on("03-01 08:00"))
    day_done(a, make_photo(tmp_path / "p.jpg"), on("03-01 09:00"), on("03-01 09:10"), "one")
    sent = a.json("sync", now=on("03-01 09:20"))
    (part,) = sent["lists"]
    assert (part["events_out"], part["photos_out"], part["in_step"]) == (2, 1, False)
    assert sent["remote"] == str(remote)
    assert sent["not_synced"] == []
    (taken,) = b.json("sync", now=on("03-01 09:30"))["lists"]
    assert (taken["events_in"], taken["photos_in"], taken["clashes"]) == (2, 1, [])
    (again,) = b.json("sync", now=on("03-01 09:40"))["lists"]
    assert again["in_step"] is True
    assert set(again) == set(taken)

"""Three devices in ordinary use, as a state machine: random days, reveals, completions,
amendments and syncs, clocks off by up to a few days, devices in different zones, and a
file-sync tool that copies the devices' folders into each other in any order, sometimes
only half, sometimes leaving a conflict copy.

After every step no command is an internal error. At the end, once every clock reads right
and every device has synced through whole copies, every device holds the same journal
(`journal --json` and `status --json` print the same bytes), no event any device wrote is
missing from any of them, and `doctor` finds each healthy.

`DAILYLIST_SYNC_EXAMPLES=300` runs it long enough to find a case that appears in one run of
a few; the suite runs a CI-sized setting.
"""

from __future__ import annotations

import json
import os
import random
import shutil
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from tests.conftest import examples, make_photo
from tests.sync_helpers import PASSPHRASE, Device, copy_folder

pytestmark = pytest.mark.usefixtures("quick_keys")

EXAMPLES = examples(8, "DAILYLIST_SYNC_EXAMPLES")
STEPS = int(os.environ.get("DAILYLIST_SYNC_STEPS", "40"))

ZONES = ("Europe/Berlin", "America/New_York", "Asia/Tokyo", "Pacific/Auckland")
NAMES = ("laptop", "desktop", "tablet")


class Devices(RuleBasedStateMachine):
    """Three devices, each with a folder of its own that a file-sync tool keeps in step
    with the others' (badly)."""

    work: Path
    sealed: Path

    def __init__(self) -> None:
        super().__init__()
        self.root = Path(self.work) / f"run-{random.getrandbits(48):012x}"
        self.root.mkdir()
        self.rng = random.Random(0)
        self.now = datetime(2026, 5, 1, 8, 0, tzinfo=ZoneInfo("UTC"))
        self.devices = [Device(name, self.root / name) for name in NAMES]
        self.folders = [self.root / f"Sync-{name}" for name in NAMES]
        self.offsets = [timedelta(0)] * len(NAMES)
        self.zones = [ZoneInfo(ZONES[0])] * len(NAMES)
        self.photos = [
            make_photo(self.root / f"{name}.jpg", size=(30 + number, 20))
            for number, name in enumerate(NAMES)
        ]
        self.seen: set[str] = set()
        self.steps = 0
        self.pass_file = self.root / "passphrase.txt"
        self.pass_file.write_text(PASSPHRASE + "\n", encoding="utf-8")
        for folder in self.folders:
            folder.mkdir()

    def clock(self, number: int) -> datetime:
        return (self.now + self.offsets[number]).astimezone(self.zones[number])

    def run(self, number: int, *args: str) -> int:
        device = self.devices[number]
        result = device.run(*args, now=self.clock(number))
        said = result.output
        assert result.exit_code != 70, (device.name, args, said)
        assert "internal error" not in said, (device.name, args, said)
        assert "Traceback" not in said, (device.name, args, said)
        assert result.exit_code in (0, 1, 2), (device.name, args, said)
        if result.exit_code == 2:  # bad input or damaged data: never in ordinary use
            assert args[:2] == ("sync", "join"), (device.name, args, said)
        self._remember(number)
        return result.exit_code

    def _remember(self, number: int) -> None:
        lists = self.devices[number].home / "lists"
        if lists.is_dir():
            for folder in lists.iterdir():
                journal = json.loads((folder / "journal.json").read_text("utf-8"))
                self.seen |= {event["id"] for event in journal["events"]}

    @initialize(
        zones=st.lists(st.sampled_from(ZONES), min_size=3, max_size=3),
    )
    def start(self, zones: list[str]) -> None:
        """The laptop opens a list and starts syncing; the others join."""
        self.zones = [ZoneInfo(zone) for zone in zones]
        assert self.run(0, "open", str(self.sealed)) == 0
        setup = ("sync", "setup", "--folder", str(self.folders[0]))
        assert self.run(0, *setup, "--passphrase-file", str(self.pass_file)) == 0
        for number in (1, 2):
            copy_folder(self.folders[0], self.folders[number], self.rng)
            join = ("sync", "join", "--folder", str(self.folders[number]))
            assert self.run(number, *join, "--passphrase-file", str(self.pass_file)) == 0

    @rule(hours=st.integers(min_value=1, max_value=30), minutes=st.integers(0, 59))
    def time_passes(self, hours: int, minutes: int) -> None:
        self.now += timedelta(hours=hours, minutes=minutes)

    @rule(number=st.integers(0, 2), days=st.integers(-2, 3), hours=st.integers(-12, 12))
    def clock_goes_off(self, number: int, days: int, hours: int) -> None:
        """A device's clock goes wrong (or right again: 0)."""
        self.offsets[number] = timedelta(days=days, hours=hours)

    @rule(number=st.integers(0, 2))
    def clock_set_right(self, number: int) -> None:
        self.offsets[number] = timedelta(0)

    @rule(number=st.integers(0, 2), zone=st.sampled_from(ZONES))
    def travels(self, number: int, zone: str) -> None:
        self.zones[number] = ZoneInfo(zone)

    @rule(number=st.integers(0, 2))
    def today(self, number: int) -> None:
        self.run(number, "today")

    @rule(number=st.integers(0, 2))
    def done(self, number: int) -> None:
        note = f"{NAMES[number]} on {self.clock(number):%m-%d %H:%M}"
        self.run(number, "done", "--photo", str(self.photos[number]), "--note", note)

    @rule(number=st.integers(0, 2), minutes=st.integers(1, 90))
    def does_the_day(self, number: int, minutes: int) -> None:
        """The whole day on one device: the item shown, then done a little later."""
        self.run(number, "today")
        self.now += timedelta(minutes=minutes)
        self.done(number)

    @rule(number=st.integers(0, 2), minutes=st.integers(1, 90))
    def does_the_day_and_syncs(self, number: int, minutes: int) -> None:
        self.does_the_day(number, minutes)
        self.run(number, "sync")

    @rule(number=st.integers(0, 2))
    def amend(self, number: int) -> None:
        note = f"{NAMES[number]} changed it on {self.clock(number):%m-%d %H:%M}"
        self.run(number, "amend", "--note", note)

    @rule(number=st.integers(0, 2))
    def sync(self, number: int) -> None:
        self.run(number, "sync")

    @rule(seed=st.integers(0, 1000))
    def everyone_syncs(self, seed: int) -> None:
        """Every device syncs, and the file-sync tool copies everything in between."""
        order = random.Random(seed).sample(range(3), 3)
        for number in order:
            self.run(number, "sync")
            for other in range(3):
                if other != number:
                    copy_folder(self.folders[number], self.folders[other], self.rng)

    @rule(
        source=st.integers(0, 2),
        into=st.integers(0, 2),
        half=st.sampled_from([0.0, 0.0, 0.3, 1.0]),
        seed=st.integers(0, 1000),
    )
    def copy(self, source: int, into: int, half: float, seed: int) -> None:
        """The file-sync tool copies one folder into another, in random order; some
        files only half."""
        if source != into:
            copy_folder(self.folders[source], self.folders[into], random.Random(seed), half=half)

    @rule(folder=st.integers(0, 2), seed=st.integers(0, 1000))
    def conflict_copy(self, folder: int, seed: int) -> None:
        """Syncthing keeps a losing version beside a file as NAME.sync-conflict-...age."""
        files = sorted(p for p in self.folders[folder].rglob("*.age") if p.is_file())
        if files:
            chosen = random.Random(seed).choice(files)
            raw = chosen.read_bytes()
            copy = chosen.with_name(
                f"{chosen.stem}.sync-conflict-20260501-120000-ABCDEFG{chosen.suffix}"
            )
            copy.write_bytes(raw[: len(raw) // 2])

    @invariant()
    def counted(self) -> None:
        self.steps += 1

    def teardown(self) -> None:
        try:
            self._all_agree()
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def _all_agree(self) -> None:
        if not all((device.home / "sync" / "config.json").is_file() for device in self.devices):
            return  # the run stopped before every device joined
        # Clocks right, and real time past every stamp any device wrote.
        self.offsets = [timedelta(0)] * len(NAMES)
        self.now += timedelta(days=4)
        for _ in range(3):
            for number in range(3):
                assert self.run(number, "sync") in (0, 1)
            for source in range(3):
                for target in range(3):
                    if source != target:
                        copy_folder(self.folders[source], self.folders[target], self.rng)
        for number in range(3):
            assert self.run(number, "sync") == 0
        first = self.devices[0]
        journals = [
            device.run("journal", "--json", now=self.clock(number)).stdout
            for number, device in enumerate(self.devices)
        ]
        assert journals.count(journals[0]) == 3, "journal --json differs between zones"
        self.zones = [self.zones[0]] * len(NAMES)  # status speaks of the reader's today
        statuses = [
            device.run("status", "--json", now=self.clock(number)).stdout
            for number, device in enumerate(self.devices)
        ]
        assert statuses.count(statuses[0]) == 3, "status --json differs"
        held = {event["id"] for event in first.events()}
        assert self.seen <= held, "an event a device wrote is missing"
        for device in self.devices[1:]:
            assert {event["id"] for event in device.events()} == held, device.name
        for number in range(3):
            assert self.run(number, "doctor") == 0
        if os.environ.get("DAILYLIST_SYNC_TRACE"):
            entries = len(json.loads(journals[0])["entries"])
            aside = json.loads(statuses[0])["lists"][0]["set_aside"]
            print(f"TRACE entries={entries} set_aside={aside}")


@pytest.fixture
def machine(
    tmp_path_factory: pytest.TempPathFactory, make_sealed: Callable[..., Path]
) -> type[Devices]:
    work = tmp_path_factory.mktemp("devices")
    sealed = make_sealed(6)

    class Configured(Devices):
        pass

    Configured.work = work
    Configured.sealed = sealed
    return Configured


def test_three_devices_in_ordinary_use_end_the_same(machine: type[Devices]) -> None:
    from hypothesis.stateful import run_state_machine_as_test

    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=STEPS,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
            # DAILYLIST_SYNC_SHRINK=0: report the first failing run as found (faster).
            phases=list(Phase)
            if os.environ.get("DAILYLIST_SYNC_SHRINK", "1") != "0"
            else [Phase.explicit, Phase.reuse, Phase.generate],
        ),
    )

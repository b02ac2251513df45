"""A remote someone else can write to: a stranger without the passphrase (copies, junk,
links, attributes, files in `keys/`), a device gone rogue with it (events not what their
names say, events in another device's name), and a server that declines a push.

Each case ends the same way: no internal error anywhere, the honest devices agree, none
of their events or photos is lost, nothing is written outside a device's own data dir and
the remote, and a new device can join.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import examples, make_photo
from tests.sync_helpers import PASSPHRASE, Device, bare_repository, git

pytestmark = pytest.mark.usefixtures("quick_keys")

BERLIN = ZoneInfo("Europe/Berlin")


def on(text: str) -> datetime:
    return datetime.fromisoformat(f"2027-{text}").replace(tzinfo=BERLIN)


@pytest.fixture
def passphrase_file(tmp_path: Path) -> Path:
    path = tmp_path / "passphrase.txt"
    path.write_text(PASSPHRASE + "\n", encoding="utf-8")
    return path


class Stranger:
    """Someone with write access to a git remote, and no passphrase: works in a clone of
    their own and pushes whatever they like."""

    def __init__(self, remote: Path, work: Path) -> None:
        self.remote = remote
        self.work = work

    def change(self, edit: Callable[[Path], None]) -> None:
        shutil.rmtree(self.work, ignore_errors=True)
        subprocess.run(
            ["git", "clone", "-q", "-b", "dailylist", str(self.remote), str(self.work)],
            check=True,
            capture_output=True,
        )
        # Their own git must not trip on what they plant (attributes that rewrite bytes).
        (self.work / ".git" / "info").mkdir(exist_ok=True)
        (self.work / ".git" / "info" / "attributes").write_text(
            "* -text -working-tree-encoding\n", encoding="utf-8"
        )
        edit(self.work)
        run = ["git", "-C", str(self.work)]
        subprocess.run([*run, "add", "-A"], check=True, capture_output=True)
        subprocess.run(
            [*run, "-c", "user.name=x", "-c", "user.email=x@x", "commit", "-q", "-m", "x"],
            check=True,
            capture_output=True,
        )
        subprocess.run(
            [*run, "push", "-q", "origin", "dailylist"], check=True, capture_output=True
        )


class World:
    """A laptop and a desktop syncing one list (or two) through a bare repository."""

    def __init__(self, tmp_path: Path, sealed: list[Path], passphrase_file: Path) -> None:
        self.tmp = tmp_path
        self.remote = bare_repository(tmp_path / "remote.git")
        self.laptop = Device("laptop", tmp_path / "laptop")
        self.desktop = Device("desktop", tmp_path / "desktop")
        self.secret = ["--passphrase-file", str(passphrase_file)]
        self.photo = make_photo(tmp_path / "p.jpg", size=(40, 30))
        self.stranger = Stranger(self.remote, tmp_path / "stranger")
        laptop = self.laptop
        when = on("03-01 08:00")
        for path in sealed:
            laptop.ok("open", str(path), now=when)
        self.lists = [folder.name for folder in (laptop.home / "lists").iterdir()]
        for list_id in self.lists:
            laptop.ok(
                "sync", "setup", str(self.remote), "--list", list_id, *self.secret,
                "--device-name", "laptop", now=when,
            )  # fmt: skip
        self.join(self.desktop, when)

    def join(self, device: Device, when: datetime) -> str:
        return device.ok(
            "sync", "join", str(self.remote), *self.secret, "--device-name", device.name, now=when
        ).stdout

    def day(self, device: Device, number: int, note: str, list_id: str | None = None) -> None:
        pick = ["--list", list_id] if list_id else []
        device.ok("today", *pick, now=on(f"03-{number:02d} 09:00"))
        device.ok(
            "done", *pick, "--photo", str(self.photo), "--note", note,
            now=on(f"03-{number:02d} 09:30"),
        )  # fmt: skip

    def files(self) -> list[str]:
        return git(self.remote, "ls-tree", "-r", "--name-only", "dailylist").split()

    def agree(self, when: datetime, *devices: Device) -> None:
        devices = devices or (self.laptop, self.desktop)
        for _ in range(2):
            for device in devices:
                result = device.run("sync", now=when)
                assert result.exit_code == 0, (device.name, result.output)
        for list_id in self.lists:
            printed = {
                d.name: d.ok("journal", "--json", "--list", list_id, now=when).stdout
                for d in devices
            }
            assert len(set(printed.values())) == 1, printed
        for device in devices:
            assert device.run("doctor", now=when).exit_code == 0, device.name


@pytest.fixture
def world(tmp_path: Path, make_sealed: Callable[..., Path], passphrase_file: Path) -> World:
    made = World(tmp_path, [make_sealed(5)], passphrase_file)
    made.day(made.laptop, 1, "one")
    made.laptop.ok("sync", now=on("03-01 10:00"))
    made.desktop.ok("sync", now=on("03-01 10:05"))
    return made


def entries(device: Device, when: datetime, list_id: str | None = None) -> list[str]:
    pick = ["--list", list_id] if list_id else []
    found = device.json("journal", *pick, now=when)["entries"]
    return [entry["reflection"] for entry in found]


def said_ok(device: Device, when: datetime) -> str:
    result = device.run("sync", now=when)
    assert result.exit_code == 0, result.output
    assert "internal error" not in result.output
    return result.stdout


# --- 5: a file copied from one list's folder into another's ---------------------------------


@pytest.mark.system
def test_a_file_copied_into_another_lists_folder_is_skipped(
    tmp_path: Path, make_sealed: Callable[..., Path], passphrase_file: Path
) -> None:
    made = World(tmp_path, [make_sealed(5), make_sealed(4, title="Four")], passphrase_file)
    first, second = made.lists
    made.day(made.laptop, 1, "one in the first", first)
    made.laptop.ok("sync", now=on("03-01 10:00"))
    folders = sorted({path.split("/")[1] for path in made.files() if path.startswith("lists/")})
    assert len(folders) == 2

    def copy_across(work: Path) -> None:
        for source in (work / "lists" / folders[0]).rglob("*.age"):
            if source.parent.name == "events":
                for other in folders[1:]:
                    target = (
                        work / "lists" / other / source.relative_to(work / "lists" / folders[0])
                    )
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy(source, target)
        for source in (work / "lists" / folders[1]).rglob("*.age"):
            if source.parent.name == "events":
                target = (
                    work / "lists" / folders[0] / source.relative_to(work / "lists" / folders[1])
                )
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(source, target)

    made.stranger.change(copy_across)
    for device in (made.laptop, made.desktop):
        said = said_ok(device, on("03-01 11:00"))
        assert "opened the list on its own" not in said
        assert "skipped: of another list, or in another device's folder" in said
        assert "skipped" not in said_ok(device, on("03-01 11:01"))  # said once
    newcomer = Device("tablet", tmp_path / "tablet")
    made.join(newcomer, on("03-01 12:00"))
    for list_id in made.lists:
        assert newcomer.run("today", "--list", list_id, now=on("03-01 12:05")).exit_code in (0, 1)
    assert entries(newcomer, on("03-01 12:10"), first) == ["one in the first"]
    assert entries(newcomer, on("03-01 12:10"), second) == []
    made.agree(on("03-01 13:00"), made.laptop, made.desktop, newcomer)


# --- 6: junk under the real names, in a folder that sorts first -------------------------------


@pytest.mark.system
def test_junk_under_real_names_hides_nothing(world: World, tmp_path: Path) -> None:
    first_folder = "0" * 32

    def plant(work: Path) -> None:
        for source in list((work / "lists").rglob("*.age")):
            parts = source.relative_to(work / "lists").parts
            if len(parts) == 4:  # L/D/events|photos/NAME.age
                target = work / "lists" / parts[0] / first_folder / parts[2] / parts[3]
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(
                    b"age-encryption.org/v1\n-> X25519 junk\n---\n" + os.urandom(64)
                )

    world.stranger.change(plant)
    world.day(world.laptop, 2, "two")
    said_ok(world.laptop, on("03-02 10:00"))
    said = said_ok(world.desktop, on("03-02 10:05"))
    assert "1 event" in said or "2 events" in said
    assert entries(world.desktop, on("03-02 10:10")) == ["one", "two"]
    newcomer = Device("tablet", tmp_path / "tablet")
    made = world.join(newcomer, on("03-02 11:00"))
    assert "joined" in made
    assert entries(newcomer, on("03-02 11:05")) == ["one", "two"]
    assert newcomer.photos() == world.laptop.photos()


@pytest.mark.system
def test_a_damaged_copy_of_a_devices_own_file_is_written_again(
    world: World, tmp_path: Path
) -> None:
    """A half copy written back over a device's own file (or a stranger's truncation): the
    device that wrote it sees it, and writes it whole again."""
    world.day(world.laptop, 2, "two")
    said_ok(world.laptop, on("03-02 10:00"))
    mine = [path for path in world.files() if "/events/" in path]

    def cut(work: Path) -> None:
        for path in mine:
            raw = (work / path).read_bytes()
            (work / path).write_bytes(raw[: len(raw) // 2])

    world.stranger.change(cut)
    said = said_ok(world.laptop, on("03-02 10:30"))
    assert "lost or damaged" in said
    assert "put back" in said
    newcomer = Device("tablet", tmp_path / "tablet")
    world.join(newcomer, on("03-02 11:00"))
    assert entries(newcomer, on("03-02 11:05")) == ["one", "two"]


# --- 7: links in the tree --------------------------------------------------------------------


def _device_folders(files: list[str]) -> set[str]:
    return {"/".join(path.split("/")[:3]) for path in files if path.count("/") >= 3}


@pytest.mark.parametrize("kind", [pytest.param("git", marks=pytest.mark.system), "folder"])
def test_links_in_the_remote_are_never_written_through(
    kind: str, tmp_path: Path, make_sealed: Callable[..., Path], passphrase_file: Path
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    laptop, desktop = Device("laptop", tmp_path / "laptop"), Device("desktop", tmp_path / "d")
    secret = ["--passphrase-file", str(passphrase_file)]
    photo = make_photo(tmp_path / "p.jpg")
    where = tmp_path / ("remote.git" if kind == "git" else "Sync")
    flag = []
    if kind == "git":
        bare_repository(where)
    else:
        where.mkdir()
        flag = ["--folder"]
    laptop.ok("open", str(make_sealed(4)), now=on("03-01 08:00"))
    laptop.ok("today", now=on("03-01 09:00"))
    laptop.ok("done", "--photo", str(photo), "--note", "one", now=on("03-01 09:30"))
    laptop.ok("sync", "setup", *flag, str(where), *secret, now=on("03-01 10:00"))
    desktop.ok("sync", "join", *flag, str(where), *secret, now=on("03-01 10:05"))

    def link(work: Path) -> None:
        for folder in _device_folders(
            [p.relative_to(work).as_posix() for p in work.rglob("*.age")]
        ):
            for kind_of in ("events", "photos"):
                if (work / folder / kind_of).exists():
                    shutil.rmtree(work / folder / kind_of)
                (work / folder / kind_of).symlink_to(outside, target_is_directory=True)
        (work / "lists" / "escape.age").symlink_to("/etc/passwd")

    if kind == "git":
        Stranger(where, tmp_path / "stranger").change(link)
    else:
        link(where)
    laptop.ok("today", now=on("03-02 09:00"))
    laptop.ok("done", "--photo", str(make_photo(tmp_path / "q.png", "PNG")), "--note", "two",
              now=on("03-02 09:30"))  # fmt: skip
    for device in (laptop, desktop, laptop, desktop):
        said_ok(device, on("03-02 10:00"))
    assert list(outside.iterdir()) == []
    assert entries(desktop, on("03-02 10:10")) == ["one", "two"]
    assert desktop.photos() == laptop.photos()


# --- 8: attributes in the tree ------------------------------------------------------------


@pytest.mark.system
def test_attributes_in_the_tree_change_no_byte(world: World, tmp_path: Path) -> None:
    def attributes(work: Path) -> None:
        (work / ".gitattributes").write_text("*.age text eol=lf\n", encoding="utf-8")

    world.stranger.change(attributes)
    # A photo of noise, some hundreds of kilobytes: its ciphertext is all but sure to hold
    # the bytes a text attribute rewrites (CR LF), as a real photo's is.
    noise = random.Random(8)
    from PIL import Image

    for number in (2, 3):
        image = Image.frombytes("RGB", (300, 300), noise.randbytes(300 * 300 * 3))
        image.save(world.photo.with_name(f"noise{number}.png"))
        world.photo = world.photo.with_name(f"noise{number}.png")
        world.day(world.laptop, number, f"day {number}")
        said_ok(world.laptop, on(f"03-{number:02d} 10:00"))
        said = said_ok(world.desktop, on(f"03-{number:02d} 10:05"))
        assert "skipped" not in said, said
        assert "still to come" not in said, said
        assert world.desktop.photos() == world.laptop.photos()
    assert entries(world.desktop, on("03-03 11:00")) == ["one", "day 2", "day 3"]


# --- 9: files in keys/ ------------------------------------------------------------------------


@pytest.mark.system
def test_files_in_keys_do_not_stop_a_join(world: World, tmp_path: Path) -> None:
    def plant(work: Path) -> None:
        (work / "keys" / "0000.age").write_bytes(b"not a key at all")
        (work / "keys" / "aaaa.age").write_bytes(os.urandom(200))
        (work / "keys" / "zzzz.txt").write_text("hello", encoding="utf-8")

    world.stranger.change(plant)
    newcomer = Device("tablet", tmp_path / "tablet")
    assert "joined" in world.join(newcomer, on("03-01 12:00"))
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("not the passphrase at all\n", encoding="utf-8")
    other = Device("other", tmp_path / "other")
    refused = other.run(
        "sync", "join", str(world.remote), "--passphrase-file", str(wrong), now=on("03-01 12:00")
    )
    assert refused.exit_code == 2
    assert "passphrase is not this remote's" in refused.stderr


# --- 10: thousands of junk files, and conflict copies ----------------------------------------


@pytest.mark.system
def test_thousands_of_junk_files_are_read_once_and_said_once(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dailylist.sync import crypto

    rng = random.Random(10)
    (list_folder,) = {path.split("/")[1] for path in world.files() if path.startswith("lists/")}

    def plant(work: Path) -> None:
        for number in range(1000):
            device = f"{rng.getrandbits(128):032x}"
            name = f"{rng.getrandbits(128):032x}"
            kind = "events" if number % 2 else "photos"
            target = work / "lists" / list_folder / device / kind / f"{name}.age"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(rng.randbytes(120))
        (work / "lists" / list_folder / "notes.txt").write_text("hi", encoding="utf-8")

    world.stranger.change(plant)
    said = said_ok(world.desktop, on("03-01 11:00"))
    assert "skipped" in said
    opened = 0
    real_open = crypto.Key.open

    def counting(key: crypto.Key, raw: bytes) -> bytes:
        nonlocal opened
        opened += 1
        return real_open(key, raw)

    world.day(world.laptop, 2, "two")
    said_ok(world.laptop, on("03-02 10:00"))  # the laptop reads the junk once, too
    monkeypatch.setattr(crypto.Key, "open", counting)
    said = said_ok(world.desktop, on("03-02 10:05"))
    assert "skipped" not in said  # each junk file said once
    assert opened < 20, opened  # and read once: the next syncs read only what is new
    assert entries(world.desktop, on("03-02 10:10")) == ["one", "two"]


def test_conflict_copies_of_a_file_sync_tool_are_said_once(
    tmp_path: Path, make_sealed: Callable[..., Path], passphrase_file: Path
) -> None:
    folder = tmp_path / "Sync"
    folder.mkdir()
    laptop = Device("laptop", tmp_path / "laptop")
    secret = ["--passphrase-file", str(passphrase_file)]
    laptop.ok("open", str(make_sealed(3)), now=on("03-01 08:00"))
    laptop.ok("sync", "setup", "--folder", str(folder), *secret, now=on("03-01 08:10"))
    for path in list(folder.rglob("*.age")):
        copy = path.with_name(f"{path.stem}.sync-conflict-20270301-081500-ABCDEFG.age")
        copy.write_bytes(path.read_bytes()[:40])
    said = said_ok(laptop, on("03-01 08:20"))
    assert "skipped" in said
    for minute in ("21", "22"):
        assert "skipped" not in said_ok(laptop, on(f"03-01 08:{minute}"))


# --- 11 and 12: a joined device gone rogue ---------------------------------------------------


def _rogue_writes(
    world: World, rogue: Device, document: dict[str, object], *, folder_of: str
) -> None:
    """The rogue puts `document` in the remote as an event of the list, signed with its own
    device key, in the folder of device `folder_of`."""
    from dailylist.device import identity
    from dailylist.sync import crypto
    from dailylist.sync.reading import sealed_event

    key = crypto.Key.parse((rogue.home / "sync" / "identity.txt").read_text("utf-8"))
    me = identity(rogue.home)
    (list_id,) = world.lists
    path = (
        f"lists/{key.name('list', list_id)}/{key.name('device', folder_of)}/events/"
        f"{key.name('event', str(document['id']))}.age"
    )
    sealed = key.seal(sealed_event(list_id, document, me))

    def plant(work: Path) -> None:
        (work / path).parent.mkdir(parents=True, exist_ok=True)
        (work / path).write_bytes(sealed)

    world.stranger.change(plant)


@pytest.mark.system
def test_an_event_that_is_not_its_hash_is_skipped_and_the_rest_goes_on(
    world: World, tmp_path: Path
) -> None:
    from dailylist.device import identity

    rogue = Device("rogue", tmp_path / "rogue")
    world.join(rogue, on("03-01 11:00"))
    me = identity(rogue.home)
    (last,) = [e for e in world.laptop.events() if e["kind"] == "completed"]
    forged = {**last, "device": me.id, "reflection": "changed after it was written"}
    forged["id"] = "ab" * 32  # not the hash of what it holds
    _rogue_writes(world, rogue, forged, folder_of=me.id)
    for device in (world.laptop, world.desktop):
        said = said_ok(device, on("03-01 12:00"))
        assert "skipped: not what its name says" in said
    world.day(world.desktop, 2, "two")
    said_ok(world.desktop, on("03-02 10:00"))
    said_ok(world.laptop, on("03-02 10:05"))
    assert entries(world.laptop, on("03-02 10:10")) == ["one", "two"]
    newcomer = Device("tablet", tmp_path / "tablet")
    assert "joined" in world.join(newcomer, on("03-02 11:00"))
    world.agree(on("03-02 12:00"), world.laptop, world.desktop, newcomer)


@pytest.mark.system
def test_a_device_can_never_write_in_anothers_name(world: World, tmp_path: Path) -> None:
    """The rogue sets its device id to the laptop's and does day 2 first; the laptop does
    it an hour later. The rogue's is no one's: the laptop's day 2 counts everywhere."""
    rogue = Device("rogue", tmp_path / "rogue")
    world.join(rogue, on("03-01 11:00"))
    laptop_id = json.loads((world.laptop.home / "device.json").read_text("utf-8"))["id"]
    stored = json.loads((rogue.home / "device.json").read_text("utf-8"))
    (rogue.home / "device.json").write_text(
        json.dumps({**stored, "id": laptop_id}), encoding="utf-8"
    )
    rogue.ok("today", now=on("03-02 08:00"))
    rogue.ok("done", "--photo", str(world.photo), "--note", "not the laptop",
             now=on("03-02 08:30"))  # fmt: skip
    rogue.ok("sync", now=on("03-02 08:40"))
    world.day(world.laptop, 2, "the laptop's own")
    said = said_ok(world.laptop, on("03-02 10:00"))
    assert "not signed by the device it names" in said
    said = said_ok(world.desktop, on("03-02 10:05"))
    assert "not signed by the device it names" in said
    assert "Clash" not in said
    assert entries(world.desktop, on("03-02 10:10")) == ["one", "the laptop's own"]
    shown = world.desktop.json("show", "2", now=on("03-02 10:10"))
    assert shown["set_aside"] == []
    world.agree(on("03-02 12:00"))


# --- 13: a push the server declines ----------------------------------------------------------


@pytest.mark.system
def test_a_push_the_server_declines_says_why_at_once(world: World) -> None:
    hook = world.remote / "hooks" / "pre-receive"
    hook.write_text(
        "#!/bin/sh\necho 'quota exceeded: this repository is full' >&2\nexit 1\n",
        encoding="utf-8",
    )
    hook.chmod(0o755)
    world.day(world.laptop, 2, "two")
    before = world.laptop.events()
    refused = world.laptop.run("sync", now=on("03-02 10:00"))
    assert refused.exit_code == 2
    assert "declined" in refused.stderr
    assert "quota exceeded: this repository is full" in refused.stderr
    assert "kept changing" not in refused.stderr
    assert world.laptop.events() == before
    hook.unlink()
    said = said_ok(world.laptop, on("03-02 10:10"))
    assert "2 events and 0 photos out" in said  # the photo of day 1 again: there already
    said_ok(world.desktop, on("03-02 10:20"))
    assert entries(world.desktop, on("03-02 10:30")) == ["one", "two"]


# --- a fuzz of the remote's tree -----------------------------------------------------------

_MUTATIONS = st.lists(
    st.tuples(
        st.sampled_from(["rename", "copy", "truncate", "swap", "link", "plant", "delete"]),
        st.integers(0, 10_000),
        st.integers(0, 10_000),
    ),
    min_size=1,
    max_size=8,
)


def _mutate(root: Path, outside: Path, steps: list[tuple[str, int, int]]) -> None:
    for action, first, second in steps:
        files = sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink())
        folders = sorted(p for p in root.rglob("*") if p.is_dir() and not p.is_symlink())
        if not files:
            return
        one, other = files[first % len(files)], files[second % len(files)]
        if action == "rename":
            one.rename(one.with_name(f"{second:032x}.age"))
        elif action == "copy":
            target = folders[second % len(folders)] / one.name
            if not target.exists():
                shutil.copy(one, target)
        elif action == "truncate":
            raw = one.read_bytes()
            one.write_bytes(raw[: second % max(1, len(raw))])
        elif action == "swap" and one != other:
            a, b = one.read_bytes(), other.read_bytes()
            one.write_bytes(b)
            other.write_bytes(a)
        elif action == "link":
            folder = folders[second % len(folders)]
            if folder != root and folder.name in ("events", "photos"):
                shutil.rmtree(folder)
                folder.symlink_to(outside, target_is_directory=True)
            else:
                one.unlink()
                one.symlink_to(outside / "secret.txt")
        elif action == "plant":
            target = folders[second % len(folders)] / f"{first:032x}.age"
            target.write_bytes(random.Random(first).randbytes(second % 500))
        elif action == "delete":
            one.unlink()


@settings(
    max_examples=examples(12, "DAILYLIST_FUZZ_EXAMPLES"),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=_MUTATIONS)
def test_a_mutated_remote_never_crashes_a_device_nor_makes_it_lose_its_own(
    steps: list[tuple[str, int, int]],
    make_sealed: Callable[..., Path],
    passphrase_file: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    work = tmp_path_factory.mktemp("fuzz")
    folder, outside = work / "Sync", work / "outside"
    folder.mkdir()
    outside.mkdir()
    (outside / "secret.txt").write_text("not the remote's", encoding="utf-8")
    laptop, desktop = Device("laptop", work / "laptop"), Device("desktop", work / "desktop")
    secret = ["--passphrase-file", str(passphrase_file)]
    photo = make_photo(work / "p.jpg")
    laptop.ok("open", str(make_sealed(4)), now=on("03-01 08:00"))
    laptop.ok("today", now=on("03-01 09:00"))
    laptop.ok("done", "--photo", str(photo), "--note", "one", now=on("03-01 09:30"))
    laptop.ok("sync", "setup", "--folder", str(folder), *secret, now=on("03-01 10:00"))
    desktop.ok("sync", "join", "--folder", str(folder), *secret, now=on("03-01 10:05"))
    desktop.ok("today", now=on("03-02 09:00"))
    desktop.ok("done", "--photo", str(photo), "--note", "two", now=on("03-02 09:30"))
    own = {device.name: device.events() for device in (laptop, desktop)}
    _mutate(folder, outside, steps)
    for device in (laptop, desktop, laptop, desktop):
        result = device.run("sync", now=on("03-02 10:00"))
        assert result.exit_code in (0, 1, 2), result.output
        assert "internal error" not in result.output
        mine = {event["id"] for event in device.events()}
        assert {event["id"] for event in own[device.name]} <= mine  # nothing of its own lost
        assert device.run("today", now=on("03-02 10:01")).exit_code in (0, 1)
    assert sorted(p.name for p in outside.iterdir()) == ["secret.txt"]
    assert (outside / "secret.txt").read_text("utf-8") == "not the remote's"
    _unlink_links(folder)
    for device in (laptop, desktop, laptop, desktop):
        assert device.run("sync", now=on("03-02 11:00")).exit_code == 0
    assert entries(laptop, on("03-02 11:05")) == entries(desktop, on("03-02 11:05"))
    assert entries(laptop, on("03-02 11:05")) == ["one", "two"]


def _unlink_links(root: Path) -> None:
    """The person finds the links planted in their sync folder and removes them."""
    for path in list(_walk_links(root)):
        path.unlink()


def _walk_links(root: Path) -> Iterator[Path]:
    for folder, names, files in os.walk(root):
        for name in [*names, *files]:
            if Path(folder, name).is_symlink():
                yield Path(folder, name)


@pytest.mark.system
def test_a_device_of_an_older_dailylist_keeps_its_id_and_its_name(
    tmp_path: Path, make_sealed: Callable[..., Path], passphrase_file: Path
) -> None:
    """A device made before devices signed their events has a random id and no key: it
    keeps its id, gets a key when it syncs, and once the others have seen it sign, a rogue
    that takes its id is refused."""
    laptop = Device("laptop", tmp_path / "laptop")
    laptop.home.mkdir(mode=0o700)
    older = "0123456789abcdef" * 2
    (laptop.home / "device.json").write_text(json.dumps({"id": older}), encoding="utf-8")
    (laptop.home / "device.json").chmod(0o600)
    made = World.__new__(World)
    made.tmp, made.laptop = tmp_path, laptop
    made.remote = bare_repository(tmp_path / "remote.git")
    made.desktop = Device("desktop", tmp_path / "desktop")
    made.secret = ["--passphrase-file", str(passphrase_file)]
    made.photo = make_photo(tmp_path / "p.jpg")
    made.stranger = Stranger(made.remote, tmp_path / "stranger")
    laptop.ok("open", str(make_sealed(4)), now=on("03-01 08:00"))
    made.lists = [folder.name for folder in (laptop.home / "lists").iterdir()]
    made.day(laptop, 1, "one")
    laptop.ok("sync", "setup", str(made.remote), *made.secret, now=on("03-01 10:00"))
    assert json.loads((laptop.home / "device.json").read_text("utf-8"))["id"] == older
    made.join(made.desktop, on("03-01 10:05"))
    assert entries(made.desktop, on("03-01 10:10")) == ["one"]
    rogue = Device("rogue", tmp_path / "rogue")
    made.join(rogue, on("03-01 11:00"))
    stored = json.loads((rogue.home / "device.json").read_text("utf-8"))
    (rogue.home / "device.json").write_text(json.dumps({**stored, "id": older}), encoding="utf-8")
    rogue.ok("today", now=on("03-02 08:00"))
    rogue.ok("done", "--photo", str(made.photo), "--note", "not the laptop",
             now=on("03-02 08:30"))  # fmt: skip
    rogue.ok("sync", now=on("03-02 08:40"))
    said = said_ok(made.desktop, on("03-02 09:00"))
    assert "not signed by the device it names" in said
    made.day(laptop, 2, "two")
    said_ok(laptop, on("03-02 10:00"))
    said_ok(made.desktop, on("03-02 10:05"))
    assert entries(made.desktop, on("03-02 10:10")) == ["one", "two"]

"""The author at a distance (issue #21), from the command line as the two of them use it: an
author's data dir and a recipient's, a bare git repository or a folder between them.

He seals a letter with a photo and asks to follow; she agrees (or not) at `open`, does her
days, releases one reflection; he follows, writes a postcard that opens a check-in; a
forged postcard and a forged event are refused; `share stop` sends nothing more.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from dailylist.chain import commitment, committed, event_id
from dailylist.codec import b64
from dailylist.errors import BadInput, NotNow
from dailylist.events import Completed, Revealed
from dailylist.sealed_list import sha256_hex
from dailylist.sync import shared
from tests.conftest import at, item_text, make_photo, snapshot, source_toml
from tests.journals import PHOTO, Log
from tests.sync_helpers import Device, bare_repository

DAY = "2027-03-0{}"
SECRETS = ("I kept this one for when you are home", "Nobody reads this third one yet")
RELEASED = "The bench was cold and I loved it"


def _moment(day: int, clock: str = "09:00") -> datetime:
    return at(f"2027-03-{day:02d} {clock}")


def _picture(path: Path, colour: tuple[int, int, int], size: tuple[int, int]) -> Path:
    Image.new("RGB", size, colour).save(path)
    return path


@pytest.fixture
def author(tmp_path: Path) -> Device:
    return Device("author", tmp_path / "author-home")


@pytest.fixture
def her(tmp_path: Path) -> Device:
    return Device("her", tmp_path / "her-home")


def _seal(author: Device, tmp_path: Path, *, follow: str = "photos", **settings: Any) -> Path:
    """A 5-day list with a photo for the letter, one for day 2, and day 4 a check-in."""
    _picture(tmp_path / "us.jpg", (200, 30, 30), (3000, 1000))
    _picture(tmp_path / "bench.png", (30, 200, 30), (300, 200))
    text = source_toml(
        5,
        settings={"follow": follow, **settings},
        extra_items={2: {"photo": "bench.png"}, 4: {"checkin": True}},
    )
    text = text.replace("rules = [", 'photo = "us.jpg"\nrules = [', 1)
    source = tmp_path / "away.toml"
    source.write_text(text, encoding="utf-8")
    sealed = tmp_path / "away.dlist"
    assert author.run("check", str(source), now=_moment(1, "07:00")).exit_code == 0
    author.ok("seal", str(source), "-o", str(sealed), now=_moment(1, "07:00"))
    return sealed


def _remote(kind: str, tmp_path: Path) -> tuple[str, list[str]]:
    if kind == "git":
        return str(bare_repository(tmp_path / "share.git")), []
    folder = tmp_path / "share-folder"
    folder.mkdir()
    return str(folder), ["--folder"]


def _do_day(her: Device, day: int, tmp_path: Path, note: str, *extra: str) -> None:
    her.ok("today", now=_moment(day))
    photo = make_photo(tmp_path / f"day{day}.jpg", size=(64 + day, 48))
    her.ok("done", "--photo", str(photo), "--note", note, *extra, now=_moment(day, "10:00"))


def _remote_blobs(kind: str, where: str) -> list[bytes]:
    """Every file in the remote, as its bytes (git: every blob of its branch)."""
    if kind == "folder":
        return [p.read_bytes() for p in Path(where).rglob("*") if p.is_file()]
    import subprocess

    listing = subprocess.run(
        ["git", "--git-dir", where, "ls-tree", "-r", "dailylist"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    blobs = [line.split()[2] for line in listing.splitlines()]
    return [
        subprocess.run(
            ["git", "--git-dir", where, "cat-file", "blob", blob], capture_output=True, check=True
        ).stdout
        for blob in blobs
    ]


def _decrypt_all(blobs: list[bytes], identity: str) -> list[bytes]:
    opened = []
    for blob in blobs:
        try:
            opened.append(shared.open_with(blob, identity))
        except shared.Refused:
            continue
    return opened


@pytest.mark.parametrize("kind", [pytest.param("git", marks=pytest.mark.system), "folder"])
def test_he_follows_her_days_and_a_postcard_opens_a_checkin(
    kind: str, author: Device, her: Device, tmp_path: Path
) -> None:
    sealed = _seal(author, tmp_path)
    where, flags = _remote(kind, tmp_path)
    follow_key = author.home / "author" / "follow-identity.txt"
    assert oct(follow_key.stat().st_mode & 0o777) == "0o600"
    header = json.loads(sealed.read_bytes())["header"]
    assert header["settings"]["follow"] == "photos"
    assert header["follow_recipient"].startswith("age1")

    opened = her.ok("open", str(sealed), "--share", now=_moment(1, "08:00"))
    assert "asks" not in opened.stdout or "Sam" not in opened.stdout
    assert "You share" in opened.stdout
    her.ok("share", "setup", where, *flags, now=_moment(1, "08:05"))

    _do_day(her, 1, tmp_path, SECRETS[0])
    _do_day(her, 2, tmp_path, RELEASED, "--share-reflection")
    _do_day(her, 3, tmp_path, SECRETS[1])
    her.ok("amend", "--note", SECRETS[1] + " (and a second thought)", now=_moment(3, "11:00"))
    her.ok("share", now=_moment(3, "12:00"))

    first = author.json("follow", where, "--list", str(sealed), *flags, now=_moment(4, "08:00"))
    assert [day["day"] for day in first["days"]] == [1, 2, 3]
    journal = her.journal(_moment(4, "08:00"))
    assert [[p["sha256"] for p in d["photos"]] for d in first["days"]] == [
        [p["sha256"] for p in entry["photos"]] for entry in journal["entries"]
    ]
    assert [day["reflection"] for day in first["days"]] == [None, RELEASED, None]
    assert first["problems"] == []
    assert (
        "day 4 of 5 is a check-in and has waited for your code since 2027-03-04"
        in (first["where"])
    )
    again = author.json("follow", now=_moment(4, "08:01"))  # the second time: no REMOTE
    assert again["days"] == first["days"]

    # Every file his identity can open holds no reflection she has not released.
    identity = follow_key.read_text("ascii").strip()
    blobs = _remote_blobs(kind, where)
    readable = _decrypt_all(blobs, identity)
    assert len(readable) >= 10
    for text in readable:
        for secret in SECRETS:
            assert secret.encode() not in text
    assert any(RELEASED.encode() in text for text in readable)
    # ... and her own keys (her share identity) open none of what she sent.
    sharing = json.loads(next((her.home / "lists").iterdir()).joinpath("share.json").read_text())
    assert _decrypt_all(blobs, sharing["identity"]) == []

    # A postcard carries day 4's code: that day opens without asking for it.
    author.ok(
        "postcard", "--list", str(sealed), "--note", "I cannot call today, here it is",
        "--checkin", "4", now=_moment(4, "08:30"),
    )  # fmt: skip
    waiting = author.json("follow", now=_moment(4, "08:35"))["where"]
    assert "day 4 of 5 is a check-in, waiting since 2027-03-04; your postcard carries" in waiting
    her.ok("share", now=_moment(4, "08:40"))
    today = her.json("today", now=_moment(4, "09:00"))
    assert today["state"] == "revealed"
    assert today["item"]["text"] == item_text(4)
    assert today["opened_by"] == "postcard"
    assert today["postcards"][0]["note"] == "I cannot call today, here it is"
    assert "code" not in today["postcards"][0]
    photo = make_photo(tmp_path / "day4.jpg")
    her.ok("done", "--photo", str(photo), "--note", "four", now=_moment(4, "10:00"))
    shown = her.ok("journal", now=_moment(4, "11:00")).stdout
    assert "code sent by postcard" in shown
    assert "I cannot call today" in shown
    for suffix in ("html", "md"):
        report = tmp_path / f"report.{suffix}"
        her.ok("export", "-o", str(report), now=_moment(4, "11:30"))
        text = report.read_text("utf-8")
        assert "Check-in: code sent by postcard." in text
        assert "I cannot call today, here it is" in text
    page = (tmp_path / "report.html").read_text("utf-8")
    assert 'alt="Day 2: a picture from Ada"' in page
    assert '<figure class="cover"><img src="data:image/jpeg;base64,' in page
    bench = sha256_hex(_pictures_of(author, sealed, tmp_path)[1])
    assert (tmp_path / "report-photos" / f"{bench}.jpg").is_file()
    assert f"report-photos/{bench}.jpg" in (tmp_path / "report.md").read_text("utf-8")
    # One zip with all of it (the pictures, the postcard) holds up when he checks it.
    bundle = tmp_path / "for-ada.zip"
    her.ok("export", "-o", str(bundle), now=_moment(4, "11:40"))
    checked = author.ok("verify", str(bundle), "--list", str(sealed), now=_moment(4, "12:00"))
    assert re.search(r"the page says what the report says +ok", checked.stdout)
    import zipfile

    with zipfile.ZipFile(bundle) as zipped:
        name = next(n for n in zipped.namelist() if n.endswith(".json"))
        cards = json.loads(zipped.read(name))["postcards"]
    assert [(card["note"], card["checkin"]) for card in cards] == [
        ("I cannot call today, here it is", 4)
    ]

    # She stops: nothing more goes out.
    her.ok("share", "stop", now=_moment(4, "12:00"))
    status = her.json("status", now=_moment(4, "12:01"))
    assert status["lists"][0]["sharing"] == "stopped"
    before = sorted(_remote_blobs(kind, where))
    her.ok("share", now=_moment(5, "12:00"))
    _do_day(her, 5, tmp_path, "five")
    her.run("share", now=_moment(5, "12:30"))
    assert sorted(_remote_blobs(kind, where)) == before
    final = author.json("follow", now=_moment(6, "09:00"))
    assert [day["day"] for day in final["days"]] == [1, 2, 3]


def test_the_pictures_are_in_no_file_before_their_day(
    author: Device, her: Device, tmp_path: Path
) -> None:
    sealed = _seal(author, tmp_path)
    opened = her.ok("open", str(sealed), "--no-share", now=_moment(1, "08:00"))
    assert "Not shared" in opened.stdout
    # The letter's picture is there at once, a JPEG of at most 2048 pixels.
    letter = json.loads(sealed.read_bytes())["header"]["photo"]
    import base64
    import io

    letter_jpeg = base64.b64decode(letter)
    with Image.open(io.BytesIO(letter_jpeg)) as image:
        assert image.format == "JPEG"
        assert max(image.size) == 2048
    kept = {p.read_bytes() for p in her.home.rglob("*.jpg")}
    assert letter_jpeg in kept
    # Day 2's picture: its JPEG and its hash are in no file of hers before its day.
    pictures = _pictures_of(author, sealed, tmp_path)
    bench = pictures[1]

    def holds_it() -> bool:
        needles = (bench, sha256_hex(bench).encode(), b64(bench).encode())
        return any(
            any(needle in path.read_bytes() for needle in needles)
            for path in her.home.rglob("*")
            if path.is_file()
        )

    _do_day(her, 1, tmp_path, "one")
    waiting = her.run("today", "--json", now=_moment(1, "11:00"))
    assert json.loads(waiting.stdout)["enclosure"] is None
    assert not holds_it()
    her.run("today", now=_moment(2, "03:00"))  # still day 1's list day
    assert not holds_it()
    today = her.json("today", now=_moment(2))
    assert today["enclosure"]["sha256"] == sha256_hex(bench)
    assert Path(today["enclosure"]["path"]).read_bytes() == bench
    assert holds_it()
    photo = make_photo(tmp_path / "d2.jpg")
    her.ok("done", "--photo", str(photo), "--note", "two", now=_moment(2, "10:00"))
    day = her.json("show", "2", now=_moment(2, "11:00"))
    assert day["enclosure"]["sha256"] == sha256_hex(bench)
    assert her.json("show", "1", now=_moment(2, "11:00"))["enclosure"] is None


def _pictures_of(author: Device, sealed: Path, tmp_path: Path) -> dict[int, bytes]:
    """The author's own view of the pictures sealed with each item (by index)."""
    from dailylist.sealing import open_sealed

    unsealed = open_sealed(sealed.read_bytes())
    found = {}
    for index in range(unsealed.info.item_count):
        if not unsealed.is_checkin(index):
            picture = unsealed.enclosure(index)
            if picture is not None:
                found[index] = picture
    return found


def test_without_her_consent_nothing_is_shared(
    author: Device, her: Device, tmp_path: Path
) -> None:
    sealed = _seal(author, tmp_path)
    where, flags = _remote("folder", tmp_path)
    her.ok("open", str(sealed), now=_moment(1, "08:00"))  # no terminal, no flag: no
    status = her.json("status", now=_moment(1, "08:01"))
    assert status["lists"][0]["sharing"] == "declined"
    before = snapshot(her.home, Path(where))
    refused = her.run("share", "setup", where, *flags, now=_moment(1, "08:05"))
    assert refused.exit_code == 2
    assert "you said no to sharing" in refused.stderr
    assert snapshot(her.home, Path(where)) == before
    refused = her.run("done", "--share-reflection", "--note", "x", now=_moment(1, "09:00"))
    assert refused.exit_code == 2
    assert list(Path(where).iterdir()) == []


def test_a_forged_postcard_and_a_forged_event_are_refused(
    author: Device, her: Device, tmp_path: Path
) -> None:
    from pyrage import x25519

    sealed = _seal(author, tmp_path)
    where, flags = _remote("folder", tmp_path)
    her.ok("open", str(sealed), "--share", now=_moment(1, "08:00"))
    her.ok("share", "setup", where, *flags, now=_moment(1, "08:05"))
    _do_day(her, 1, tmp_path, "one")
    her.ok("share", now=_moment(1, "12:00"))
    author.json("follow", where, "--list", str(sealed), *flags, now=_moment(1, "13:00"))
    (base,) = (Path(where) / "share").iterdir()
    sharing = json.loads(next((her.home / "lists").iterdir()).joinpath("share.json").read_text())
    her_recipient = str(x25519.Identity.from_str(sharing["identity"]).to_public())
    follow_recipient = json.loads(sealed.read_bytes())["header"]["follow_recipient"]
    list_id = json.loads(sealed.read_bytes())["header"]["id"]
    stranger = x25519.Identity.generate()  # someone with write access to the remote
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    forger = Ed25519PrivateKey.generate()

    # A postcard not signed by the list's author: refused and said, never shown.
    card = shared.PostcardBody(
        list=list_id, written_at=_moment(1, "14:00"), note="Skip the rest", checkin=4, code="X"
    )
    forged = shared.seal_to(
        shared.signed(card, forger.sign), [her_recipient, str(stranger.to_public())]
    )
    (base / "author").mkdir(exist_ok=True)
    (base / "author" / "f0rged.age").write_bytes(forged)
    said = her.run("share", now=_moment(1, "15:00"))
    assert said.exit_code == 1
    assert "not signed by the list's author" in said.stdout
    assert "Skip the rest" not in her.run("today", now=_moment(1, "16:00")).stdout
    again = her.run("share", now=_moment(1, "16:30"))
    assert again.exit_code == 0  # said once
    later = her.run("today", "--json", now=_moment(1, "17:00"))
    assert json.loads(later.stdout)["postcards"] == []

    # An event not signed by her share key: refused, and the days stand.
    events = [json.loads(line) for line in _journal_lines(her)]
    fake = dict(events[-1])
    fake["reflection"] = "made up"
    fake.pop("salt", None)
    fake["id"] = event_id({k: v for k, v in fake.items() if k != "id"})
    body = shared.SharedEvent(list=list_id, event=fake)
    planted = shared.seal_to(shared.signed(body, forger.sign), [follow_recipient])
    (base / "recipient" / "planted.age").write_bytes(planted)
    seen = author.run("follow", "--json", now=_moment(2, "08:00"))
    assert seen.exit_code == 1
    view = json.loads(seen.stdout)
    assert [day["day"] for day in view["days"]] == [1]
    assert view["days"][0]["reflection"] is None
    assert any("not signed by the recipient's share key" in p for p in view["problems"])
    shown = author.run("follow", now=_moment(2, "08:01"))
    assert "made up" not in shown.stdout


def _journal_lines(device: Device) -> list[str]:
    folder = next((device.home / "lists").iterdir())
    return [
        line.strip().rstrip(",")
        for line in (folder / "journal.json").read_text("utf-8").splitlines()
        if line.strip().startswith('{"')
    ]


def test_the_fallback_opens_a_checkin_after_its_days(
    author: Device, her: Device, tmp_path: Path
) -> None:
    sealed = _seal(author, tmp_path, checkin_fallback_days=3)
    codes = (tmp_path / "away.codes.txt").read_text("utf-8")
    assert re.search(r"Day +4: \S+ +\(on 2027-03-04 at the earliest\)", codes)
    assert "opens without the code" in codes
    where, flags = _remote("folder", tmp_path)
    her.ok("open", str(sealed), "--share", now=_moment(1, "08:00"))
    her.ok("share", "setup", where, *flags, now=_moment(1, "08:05"))
    for day in (1, 2, 3):
        _do_day(her, day, tmp_path, f"day {day}")
    waiting = her.run("today", now=_moment(4))
    assert waiting.exit_code == 1
    assert "opens without one" in waiting.stdout
    assert item_text(4) not in waiting.stdout
    assert her.run("today", now=_moment(7, "03:00")).exit_code == 1  # 3 days from 03-04 04:00
    opened = her.json("today", now=_moment(7, "04:30"))
    assert opened["state"] == "revealed"
    assert opened["opened_by"] == "fallback"
    assert opened["item"]["text"] == item_text(4)
    her.ok("done", "--photo", str(make_photo(tmp_path / "f.jpg")), "--note", "x",
           now=_moment(7, "10:00"))  # fmt: skip
    assert (
        "opened without the code after 3 days" in her.ok("journal", now=_moment(7, "11:00")).stdout
    )
    her.ok("share", now=_moment(7, "12:00"))
    view = author.json("follow", where, "--list", str(sealed), *flags, now=_moment(7, "13:00"))
    assert view["problems"] == []
    assert view["days"][3]["opened"] == "opened without the code after 3 days"
    report = tmp_path / "report.json"
    her.ok("export", "-o", str(report), now=_moment(7, "14:00"))
    verified = author.run("verify", str(report), "--list", str(sealed), now=_moment(7, "15:00"))
    assert verified.exit_code == 0, verified.output
    assert "day 4: opened without the code after 3 days" in verified.stdout
    # The report carries how day 4 opened, in its events.
    document = json.loads(report.read_text("utf-8"))
    reveal = next(e for e in document["events"] if e.get("opened_by") == "fallback")
    assert reveal["at"].startswith("2027-03-07")


def test_the_rules_take_a_fallback_reveal_only_after_its_days() -> None:
    log = Log(3, checkin_fallback_days=2)
    log.items.checkin = frozenset({1})
    log.today(at("2027-03-01 09:00"))
    log.done(at("2027-03-01 10:00"))
    early = at("2027-03-03 09:00")  # due since 03-02 04:00: 2 days end 03-04 04:00
    with pytest.raises(NotNow, match="could open without the code only from"):
        log.add(Revealed, early, index=1, item_key=b"k" * 32, opened_by="fallback")
    log.add(Revealed, at("2027-03-04 05:00"), index=1, item_key=b"k" * 32, opened_by="fallback")
    no_fallback = Log(3)
    no_fallback.items.checkin = frozenset({1})
    no_fallback.today(at("2027-03-01 09:00"))
    no_fallback.done(at("2027-03-01 10:00"))
    with pytest.raises(BadInput, match="opens only with the author's code"):
        no_fallback.add(
            Revealed, at("2027-03-20 09:00"), index=1, item_key=b"k" * 32, opened_by="fallback"
        )


def test_a_committed_reflection_keeps_its_id_and_counts_as_written() -> None:
    log = Log(2, reflection="required")
    log.today(at("2027-03-01 09:00"))
    now = at("2027-03-01 10:00")
    salt = bytes(range(16))
    event = log.add(
        Completed, now, index=0, day=now.date(), reflection="mine", photos=(PHOTO,), salt=salt
    )
    from dailylist.codec import encode

    whole = encode(event)
    copy = dict(committed(whole))
    assert "reflection" not in copy
    assert "salt" not in copy
    assert copy["reflection_commitment"] == commitment(salt, "mine")
    assert event_id({k: v for k, v in copy.items() if k != "id"}) == event.id
    from dailylist.journal import decode_event

    his = decode_event(copy)
    assert his.reflection is None
    assert his.reflects
    replay = Log(2, reflection="required")
    replay.items = log.items
    replay.events = [*log.events[:-1], his]
    found = replay.replay()
    assert found.refused == ()
    assert found.entries[0].reflection is None
    # Changing the reflection breaks the id.
    forged = {**whole, "reflection": "not mine"}
    assert event_id({k: v for k, v in forged.items() if k != "id"}) != event.id


def test_a_source_with_a_missing_picture_is_refused_with_its_place(
    author: Device, tmp_path: Path
) -> None:
    source = tmp_path / "s.toml"
    source.write_text(
        source_toml(2, extra_items={2: {"photo": "missing.jpg"}}).replace(
            "rules = [", 'photo = "nothere.png"\nrules = [', 1
        ),
        encoding="utf-8",
    )
    result = author.run("check", str(source), now=_moment(1))
    assert result.exit_code == 2
    assert "photo" in result.stderr
    assert "nothere.png" in result.stderr
    assert "items[2].photo" in result.stderr
    sealed = author.run("seal", str(source), "-o", str(tmp_path / "s.dlist"), now=_moment(1))
    assert sealed.exit_code == 2
    assert not (tmp_path / "s.dlist").exists()
    assert not (author.home / "author").exists()


def test_a_postcard_needs_her_card_and_a_list_he_follows(author: Device, tmp_path: Path) -> None:
    sealed = _seal(author, tmp_path)
    result = author.run("postcard", "--list", str(sealed), "--note", "hi", now=_moment(1))
    assert result.exit_code == 2
    assert "follow" in result.stderr
    nothing = author.run("follow", now=_moment(1))
    assert nothing.exit_code == 2
    assert "you follow no list yet" in nothing.stderr


@pytest.mark.system
@pytest.mark.usefixtures("quick_keys")
def test_sync_sends_the_copy_and_the_sync_remote_may_hold_it(
    author: Device, her: Device, tmp_path: Path
) -> None:
    """Her sync remote holds his copy too; `sync` sends it, and her sync key opens none."""
    from tests.sync_helpers import PASSPHRASE

    sealed = _seal(author, tmp_path, follow="progress")
    where = str(bare_repository(tmp_path / "both.git"))
    passphrase = tmp_path / "pass.txt"
    passphrase.write_text(PASSPHRASE + "\n", encoding="utf-8")
    her.ok("open", str(sealed), "--share", now=_moment(1, "08:00"))
    her.ok("sync", "setup", where, "--passphrase-file", str(passphrase), now=_moment(1, "08:01"))
    her.ok("share", "setup", where, now=_moment(1, "08:02"))
    _do_day(her, 1, tmp_path, SECRETS[0])
    synced = her.ok("sync", now=_moment(1, "11:00"))
    assert "shared with the author" in synced.stdout
    view = author.json("follow", where, "--list", str(sealed), now=_moment(1, "12:00"))
    assert [day["day"] for day in view["days"]] == [1]
    assert view["days"][0]["photos"][0]["sha256"]  # hashes, even without the photos
    assert view["problems"] == []
    sync_key = (her.home / "sync" / "identity.txt").read_text("ascii").strip()
    his_key = (author.home / "author" / "follow-identity.txt").read_text("ascii").strip()
    blobs = [b for b in _remote_blobs("git", where) if b.startswith(b"age-encryption")]
    his = [b for b in blobs if _decrypt_all([b], his_key)]
    hers = [b for b in blobs if _decrypt_all([b], sync_key)]
    assert his
    assert hers  # her sync's own files
    assert not set(his) & set(hers)  # no file both open
    copy = _decrypt_all(his, his_key)
    # The progress mode sends no photo copy.
    assert not any(b'"kind":"photo"' in text for text in copy)


def _postcard_for_day_2(author: Device, her: Device, tmp_path: Path) -> Path:
    """The list of `_seal`, shared through a folder; a postcard with a picture for day 2
    received, and day 1 done. Returns the sealed list."""
    sealed = _seal(author, tmp_path)
    where, flags = _remote("folder", tmp_path)
    her.ok("open", str(sealed), "--share", now=_moment(1, "08:00"))
    her.ok("share", "setup", where, *flags, now=_moment(1, "08:05"))
    author.ok("follow", where, "--list", str(sealed), *flags, now=_moment(1, "08:10"))
    card = _picture(tmp_path / "card.png", (20, 20, 220), (120, 80))
    author.ok(
        "postcard", "--list", str(sealed), "--note", "The bench is by the river",
        "--photo", str(card), "--day", "2", now=_moment(1, "08:20"),
    )  # fmt: skip
    her.ok("share", now=_moment(1, "08:30"))
    _do_day(her, 1, tmp_path, "one")
    return sealed


def test_the_authors_pictures_and_postcards_show_on_the_phone_and_in_reports(
    author: Device, her: Device, tmp_path: Path
) -> None:
    from dailylist.clock import FixedClock
    from dailylist.phone.app import Phone
    from dailylist.picking import pick
    from dailylist.store import DataDir

    sealed = _postcard_for_day_2(author, her, tmp_path)

    data = DataDir(her.home)

    def phone(day: int, clock: str = "09:00") -> Phone:
        return Phone(data, pick(str(data.root), None), FixedClock(_moment(day, clock)))

    def pictures(page: bytes) -> list[str]:
        return re.findall(r'<img src="data:image/jpeg;base64,[^"]+" alt="([^"]+)"', page.decode())

    assert pictures(phone(1).letter().body) == ["With the letter, a picture from Ada"]
    assert pictures(phone(1).page().body) == []  # day 1 has no picture; day 2's is sealed
    today = phone(2).page().body
    assert "A postcard from Ada (2027-03-01): The bench is by the river" in today.decode()
    assert pictures(today) == [
        "With the postcard, a picture from Ada",
        "A picture from Ada",
    ]
    photo = make_photo(tmp_path / "d2.jpg")
    her.ok("done", "--photo", str(photo), "--note", "two", now=_moment(2, "10:00"))
    done = phone(2, "11:00")
    assert "A picture from Ada" in pictures(done.page().body)
    day = done.day(2).body
    assert pictures(day)[0] == "A picture from Ada"
    assert "With the postcard, a picture from Ada" in pictures(day)
    assert "The bench is by the river" in day.decode()

    # The reports show the postcard's picture too, and a zip of it all holds up.
    bundle = tmp_path / "for-ada.zip"
    her.ok("export", "-o", str(bundle), now=_moment(2, "12:00"))
    checked = author.run("verify", str(bundle), "--list", str(sealed), now=_moment(2, "13:00"))
    assert checked.exit_code == 0, checked.output
    import zipfile

    with zipfile.ZipFile(bundle) as zipped:
        names = zipped.namelist()
        report = json.loads(zipped.read(next(n for n in names if n.endswith(".json"))))
        page = zipped.read(next(n for n in names if n.endswith(".html"))).decode()
        (card_sha,) = [card["photo"] for card in report["postcards"]]
        (member,) = [n for n in names if n.endswith(f"/{card_sha}.jpg")]
        assert sha256_hex(zipped.read(member)) == card_sha
        assert 'alt="With the postcard, a picture from Ada"' in page
        members = {n: zipped.read(n) for n in names if not n.endswith("/")}
    # Another picture in its place: verify says so.
    members[member] = make_photo(tmp_path / "other.jpg", size=(30, 30)).read_bytes()
    forged = tmp_path / "forged.zip"
    with zipfile.ZipFile(forged, "w") as zipped:
        for name, raw in members.items():
            zipped.writestr(name, raw)
    refused = author.run("verify", str(forged), "--list", str(sealed), now=_moment(2, "13:00"))
    assert refused.exit_code != 0
    assert "the postcard of 2027-03-01 08:20: its picture does not match" in refused.stdout
    markdown = tmp_path / "days.md"
    her.ok("export", "-o", str(markdown), now=_moment(2, "12:05"))
    assert f"](days-photos/{card_sha}.jpg)" in markdown.read_text("utf-8")
    assert sha256_hex((tmp_path / "days-photos" / f"{card_sha}.jpg").read_bytes()) == card_sha

    # doctor checks her sharing too: a postcard's picture gone, the sharing file damaged.
    def sharing_check() -> tuple[int, dict[str, Any]]:
        result = her.run("doctor", "--json", now=_moment(2, "14:00"))
        (entry,) = json.loads(result.stdout)["lists"]
        return result.exit_code, next(c for c in entry["checks"] if c["name"] == "sharing")

    code, check = sharing_check()
    assert (code, check["ok"]) == (0, True), check
    assert "sharing to" in check["detail"]
    assert "1 postcard received" in check["detail"]
    (folder,) = (her.home / "lists").iterdir()
    (folder / "photos" / f"{card_sha}.jpg").unlink()
    (folder / "share.json").write_text("{", encoding="utf-8")
    code, check = sharing_check()
    assert code != 0
    assert any("share.json is damaged" in p for p in check["problems"]), check
    assert any(
        "the picture of the postcard of 2027-03-01 is missing" in p for p in check["problems"]
    )


def _zip_members(path: Path) -> dict[str, bytes]:
    import zipfile

    with zipfile.ZipFile(path) as zipped:
        return {n: zipped.read(n) for n in zipped.namelist() if not n.endswith("/")}


def _rezip(path: Path, members: dict[str, bytes]) -> Path:
    import zipfile

    with zipfile.ZipFile(path, "w") as zipped:
        for name, raw in members.items():
            zipped.writestr(name, raw)
    return path


def test_a_report_says_its_postcards_are_his_to_judge_and_checks_what_it_can(
    author: Device, her: Device, tmp_path: Path
) -> None:
    sealed = _postcard_for_day_2(author, her, tmp_path)
    bundle = tmp_path / "for-ada.zip"
    her.ok("export", "-o", str(bundle), now=_moment(1, "12:00"))
    members = _zip_members(bundle)
    (report_name,) = [n for n in members if n.endswith(".json")]
    report = json.loads(members[report_name])
    assert report["format"] == 3

    def verify(path: Path) -> Any:
        result = author.run("verify", str(path), "--list", str(sealed), "--json", now=_moment(2))
        return result.exit_code, json.loads(result.stdout)

    code, verdict = verify(bundle)
    assert code == 0, verdict
    assert verdict["holds"]["postcards"] == 1
    said = author.ok("verify", str(bundle), "--list", str(sealed), now=_moment(2)).stdout
    assert "Your postcards: 1, as she received them" in said

    def forged(name: str, **card: Any) -> Path:
        changed = json.loads(members[report_name])
        changed["postcards"][0] |= card
        return _rezip(tmp_path / name, {**members, report_name: json.dumps(changed).encode()})

    # A postcard for a day the list has not, or a code for a day that is no check-in.
    for name, card, problem in [
        ("late.zip", {"day": 999}, "is for day 999; the list has days 1 to 5"),
        ("code.zip", {"checkin": 3}, "carries the code of day 3, not a check-in"),
    ]:
        code, verdict = verify(forged(name, **card))
        assert code == 1
        checks = {check["name"]: check["problems"] for check in verdict["checks"]}
        assert any(problem in p for p in checks["postcards fit the list"]), checks

    # A JSON report checks a postcard's picture by its hash, as it does her photos.
    her.ok("export", "-o", str(tmp_path / "r.json"), now=_moment(1, "12:05"))
    (picture,) = [
        p
        for p in (tmp_path / "r-photos").iterdir()
        if p.name == f"{report['postcards'][0]['photo']}.jpg"
    ]
    picture.write_bytes(make_photo(tmp_path / "other.jpg", size=(30, 30)).read_bytes())
    code, verdict = verify(tmp_path / "r.json")
    assert code == 1
    checks = {check["name"]: check["problems"] for check in verdict["checks"]}
    assert any(
        "its picture does not match its hash" in p for p in checks["photos match their hashes"]
    )


def test_a_zip_from_before_the_cover_still_verifies(
    author: Device, her: Device, tmp_path: Path
) -> None:
    """Format 2 drew no cover for the letter's picture and carried no postcards: a zip of
    then is compared with the page of then."""
    sealed = _seal(author, tmp_path)
    her.ok("open", str(sealed), "--no-share", now=_moment(1, "08:00"))
    _do_day(her, 1, tmp_path, "one")
    _do_day(her, 2, tmp_path, "two")
    bundle = tmp_path / "then.zip"
    her.ok("export", "-o", str(bundle), now=_moment(2, "12:00"))
    members = _zip_members(bundle)
    (report_name,) = [n for n in members if n.endswith(".json")]
    (page_name,) = [n for n in members if n.endswith(".html")]
    report = json.loads(members[report_name])
    del report["postcards"]
    report["format"] = 2
    page = members[page_name].decode()
    assert 'alt="Day 2: a picture from Ada"' in page
    then = re.sub(r'<figure class="cover">.*?</figure>', "", page, count=1)
    assert then != page
    old = _rezip(
        tmp_path / "old.zip",
        {**members, report_name: json.dumps(report).encode(), page_name: then.encode()},
    )
    assert author.run("verify", str(old), "--list", str(sealed), now=_moment(3)).exit_code == 0
    # ... and a page of format 3 without its cover is caught.
    members[page_name] = then.encode()
    cut = _rezip(tmp_path / "cut.zip", members)
    assert author.run("verify", str(cut), "--list", str(sealed), now=_moment(3)).exit_code == 1


def test_markdown_keeps_the_pictures_folder_honest_and_says_what_is_missing(
    author: Device, her: Device, tmp_path: Path
) -> None:
    sealed = _postcard_for_day_2(author, her, tmp_path)
    letter = json.loads(sealed.read_bytes())["header"]["photo"]
    import base64

    cover = sha256_hex(base64.b64decode(letter))
    folder = tmp_path / "days-photos"
    folder.mkdir()
    precious = folder / f"{cover}.jpg"
    precious.write_bytes(b"a file of her own")
    before = snapshot(tmp_path)
    refused = her.run("export", "-o", str(tmp_path / "days.md"), now=_moment(1, "12:00"))
    assert refused.exit_code == 2
    assert "is there already and is not that photo; nothing was written" in refused.output
    assert snapshot(tmp_path) == before
    precious.unlink()
    her.ok("export", "-o", str(tmp_path / "days.md"), now=_moment(1, "12:00"))
    assert sha256_hex(precious.read_bytes()) == cover
    her.ok("export", "-o", str(tmp_path / "days.md"), "--force", now=_moment(1, "12:01"))

    # A postcard's picture gone from her data dir: the report says so, and still holds.
    (lists,) = (her.home / "lists").iterdir()
    cards = json.loads((lists / "postcards.json").read_text("utf-8"))["received"]
    (lists / "photos" / f"{cards[0]['photo']}.jpg").unlink()
    result = her.run("export", "-o", str(tmp_path / "now.zip"), now=_moment(1, "12:10"))
    assert result.exit_code == 0
    assert "the picture of the postcard of 2027-03-01 is missing or damaged" in result.stderr
    verified = author.run(
        "verify", str(tmp_path / "now.zip"), "--list", str(sealed), now=_moment(2)
    )
    assert verified.exit_code == 0, verified.output

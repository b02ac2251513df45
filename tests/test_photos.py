"""Proof photos: checked with Pillow, hashed, kept; bad ones refused with nothing recorded."""

from __future__ import annotations

import hashlib
import json
import os
import struct
import subprocess
import sys
import zlib
from collections.abc import Callable
from datetime import tzinfo
from pathlib import Path

import pytest

from dailylist import photos
from dailylist.errors import BadInput
from dailylist.photos import check_photo
from tests.conftest import BERLIN, Cli, at, make_photo, snapshot

DAY = "2026-03-02"


@pytest.fixture
def opened(make_sealed: Callable[..., Path], run: Cli) -> Cli:
    """A list opened and today's item revealed, ready for `done`."""
    assert run("open", str(make_sealed(3)), now=at(f"{DAY} 08:00")).exit_code == 0
    assert run("today", now=at(f"{DAY} 09:00")).exit_code == 0
    return run


def journal_of(run: Cli) -> list[dict[str, object]]:
    result = run("journal", "--json", now=at(f"{DAY} 23:00"))
    entries: list[dict[str, object]] = json.loads(result.stdout)["entries"]
    return entries


def photos_here(run: Cli, day: int = 1) -> list[dict[str, str]]:
    """`show N --json`'s photos: the only JSON that names where a photo is on this device."""
    result = run("show", str(day), "--json", now=at(f"{DAY} 23:00"))
    photos: list[dict[str, str]] = json.loads(result.stdout)["photos"]
    return photos


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "HEIF"])
def test_accepted_formats(fmt: str, tmp_path: Path) -> None:
    checked = check_photo(make_photo(tmp_path / "p.img", fmt), BERLIN, tmp_path / "staging")
    assert checked.record.format == fmt
    assert (checked.record.width, checked.record.height) == (32, 24)
    assert checked.stored_name.startswith(checked.record.sha256 + ".")


@pytest.mark.system
def test_pillow_heif_loads_only_for_a_photo_that_needs_it(tmp_path: Path) -> None:
    """Checked in fresh interpreters: once registered, HEIF stays registered in a process."""
    code = (
        "import sys\n"
        "from datetime import UTC\n"
        "from pathlib import Path\n"
        "from dailylist.photos import check_photo, upright_copy\n"
        "checked = check_photo(Path(sys.argv[1]), UTC, Path(sys.argv[2]))\n"
        "upright_copy(Path(sys.argv[1]), 8)\n"
        "print(checked.record.format, 'pillow_heif' in sys.modules)\n"
    )
    for fmt, expected in (("JPEG", "JPEG False"), ("HEIF", "HEIF True")):
        path = make_photo(tmp_path / f"photo.{fmt.lower()}", fmt)
        done = subprocess.run(
            [sys.executable, "-c", code, str(path), str(tmp_path)],
            capture_output=True,
            text=True,
            check=True,
        )
        assert done.stdout.strip() == expected


def test_done_keeps_a_content_addressed_copy(
    opened: Cli, tmp_path: Path, private_home: Path
) -> None:
    photo = make_photo(tmp_path / "proof.jpg")
    digest = hashlib.sha256(photo.read_bytes()).hexdigest()
    assert (
        opened("done", "--photo", str(photo), "--note", "ok", now=at(f"{DAY} 10:00")).exit_code
        == 0
    )
    (entry,) = journal_of(opened)
    (record,) = entry["photos"]  # type: ignore[misc]
    assert record["sha256"] == digest
    assert "original_path" not in record  # where a photo came from is nobody's business
    assert "path" not in record  # the journal is the same on every device that syncs
    (here,) = photos_here(opened)
    stored = Path(here["path"])
    assert stored.name == f"{digest}.jpg"
    assert stored.read_bytes() == photo.read_bytes()
    assert oct(stored.stat().st_mode & 0o777) == "0o600"
    # The journal keeps working when the original is gone.
    photo.unlink()
    assert journal_of(opened)[0]["photos"] == entry["photos"]


@pytest.mark.parametrize("kept", [0.1, 0.5, 0.9, 0.99, 0.999])
def test_a_cut_jpeg_is_refused_though_it_is_checked_at_an_eighth(
    kept: float, tmp_path: Path
) -> None:
    from PIL import Image

    photo = tmp_path / "noise.jpg"
    Image.effect_noise((1600, 1200), 40).convert("RGB").save(photo, quality=90)
    whole = photo.read_bytes()
    photo.write_bytes(whole[: int(len(whole) * kept)])
    with pytest.raises(BadInput, match="damaged or truncated"):
        check_photo(photo, BERLIN, tmp_path / "staging")


def test_the_bytes_kept_are_the_bytes_checked(
    opened: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The photo is checked as a private copy: changing the original meanwhile changes
    nothing that is kept."""
    photo = make_photo(tmp_path / "proof.jpg", size=(300, 200))
    original = photo.read_bytes()
    monkeypatch.setattr(photos, "CHUNK_BYTES", 1000)  # many pieces, to prove them joined
    inspect = photos._inspect

    def swap_then_inspect(copy: Path, shown: str, zone: tzinfo) -> object:
        photo.write_bytes(b"not the photo that was given")
        return inspect(copy, shown, zone)

    monkeypatch.setattr(photos, "_inspect", swap_then_inspect)
    result = opened("done", "--photo", str(photo), "--note", "ok", now=at(f"{DAY} 10:00"))
    assert result.exit_code == 0, result.output
    (record,) = journal_of(opened)[0]["photos"]  # type: ignore[misc]
    assert record["sha256"] == hashlib.sha256(original).hexdigest()
    assert Path(photos_here(opened)[0]["path"]).read_bytes() == original


def test_a_photo_that_is_not_kept_leaves_no_copy(
    opened: Cli, tmp_path: Path, private_home: Path
) -> None:
    first, second = make_photo(tmp_path / "a.jpg"), make_photo(tmp_path / "b.png", "PNG")
    kept = opened("done", "--photo", str(first), "--note", "x", now=at(f"{DAY} 10:00"))
    assert kept.exit_code == 0
    again = opened("done", "--photo", str(second), "--note", "y", now=at(f"{DAY} 11:00"))
    assert again.exit_code == 1  # one a day
    (folder,) = (private_home / "lists").iterdir()
    stored = [path.name for path in (folder / "photos").iterdir()]
    assert stored == [f"{hashlib.sha256(first.read_bytes()).hexdigest()}.jpg"]


def test_several_photos(opened: Cli, tmp_path: Path) -> None:
    first = make_photo(tmp_path / "a.jpg")
    second = make_photo(tmp_path / "b.png", "PNG")
    result = opened(
        "done", "--photo", str(first), "--photo", str(second), "--note", "two",
        now=at(f"{DAY} 10:00"),
    )  # fmt: skip
    assert result.exit_code == 0
    assert len(journal_of(opened)[0]["photos"]) == 2  # type: ignore[arg-type]


def _truncated_jpeg(path: Path) -> Path:
    whole = make_photo(path.with_suffix(".full.jpg"), size=(200, 200)).read_bytes()
    path.write_bytes(whole[: len(whole) // 2])
    return path


def _png_bomb(path: Path) -> Path:
    """A tiny PNG whose header claims 40000 x 40000 pixels."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", 40000, 40000, 8, 2, 0, 0, 0)
    data = zlib.compress(b"\x00" * 1024)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    )
    return path


BAD_PHOTOS: dict[str, tuple[Callable[[Path], Path], str]] = {
    "missing": (lambda p: p, "does not exist"),
    "directory": (lambda p: (p.mkdir(), p)[1], "is a directory"),
    "empty": (lambda p: (p.write_bytes(b""), p)[1], "is empty"),
    "not an image": (lambda p: (p.write_text("hello", encoding="utf-8"), p)[1], "not an image"),
    "truncated jpeg": (_truncated_jpeg, "truncated"),
    "decompression bomb": (_png_bomb, "too large in pixels"),
    "gif": (lambda p: make_photo(p, "GIF"), "use JPEG, PNG, WebP or HEIC"),
    "fifo": (lambda p: (os.mkfifo(p), p)[1], "not a regular file"),
    "symlink loop": (lambda p: (p.symlink_to(p), p)[1], "cannot be read"),
    "200 MB": (lambda p: (p.write_bytes(b""), os.truncate(p, 200 * 2**20), p)[2], "larger than"),
    "text named .jpg": (
        lambda p: (p.write_text("a list", encoding="utf-8"), p)[1],
        "not an image",
    ),
}


@pytest.mark.parametrize("kind", list(BAD_PHOTOS))
def test_a_bad_photo_is_refused_and_nothing_changes(
    kind: str, opened: Cli, tmp_path: Path
) -> None:
    make, message = BAD_PHOTOS[kind]
    bad = make(tmp_path / "bad.jpg")
    before = snapshot(tmp_path)
    result = opened("done", "--photo", str(bad), "--note", "x", now=at(f"{DAY} 10:00"))
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert snapshot(tmp_path) == before


def test_one_bad_photo_among_good_ones_records_nothing(opened: Cli, tmp_path: Path) -> None:
    good = make_photo(tmp_path / "good.jpg")
    before = snapshot(tmp_path)
    result = opened(
        "done", "--photo", str(good), "--photo", str(tmp_path / "gone.jpg"), "--note", "x",
        now=at(f"{DAY} 10:00"),
    )  # fmt: skip
    assert result.exit_code == 2
    assert snapshot(tmp_path) == before


def test_exif_time_is_recorded(tmp_path: Path) -> None:
    photo = make_photo(tmp_path / "p.jpg", taken="2026:03:02 09:30:00")
    assert check_photo(photo, BERLIN, tmp_path / "staging").taken_at == at(f"{DAY} 09:30")
    with_offset = make_photo(tmp_path / "q.jpg", taken="2026:03:02 09:30:00", offset="-05:00")
    taken = check_photo(with_offset, BERLIN, tmp_path / "staging").taken_at
    assert taken is not None
    assert taken.utcoffset() is not None
    assert taken.isoformat() == "2026-03-02T09:30:00-05:00"


def test_nonsense_exif_time_is_ignored(tmp_path: Path) -> None:
    photo = make_photo(tmp_path / "p.jpg", taken="yesterday-ish")
    assert check_photo(photo, BERLIN, tmp_path / "staging").taken_at is None


def test_a_photo_taken_before_the_reveal_is_accepted_with_a_warning(
    opened: Cli, tmp_path: Path
) -> None:
    early = make_photo(tmp_path / "early.jpg", taken="2026:03:01 18:00:00")
    result = opened("done", "--photo", str(early), "--note", "x", now=at(f"{DAY} 10:00"))
    assert result.exit_code == 0
    assert "taken before" in result.stderr
    assert journal_of(opened)[0]["photo_taken_before_reveal"] is True


def test_a_photo_taken_after_the_reveal_is_not_flagged(opened: Cli, tmp_path: Path) -> None:
    fresh = make_photo(tmp_path / "fresh.jpg", taken="2026:03:02 09:45:00")
    result = opened("done", "--photo", str(fresh), "--note", "x", now=at(f"{DAY} 10:00"))
    assert result.exit_code == 0
    assert "taken before" not in result.stderr
    assert journal_of(opened)[0]["photo_taken_before_reveal"] is False


def test_unreadable_photo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    photo = make_photo(tmp_path / "p.jpg")

    real_open = os.open

    def denied(path: object, *args: int, **kwargs: int) -> int:
        if Path(str(path)) == photo:  # root can read anything; pretend it can't
            raise PermissionError(13, "Permission denied")
        return real_open(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", denied)
    with pytest.raises(BadInput, match=r"cannot be read \(Permission denied"):
        check_photo(photo, BERLIN, tmp_path / "staging")
    assert list((tmp_path / "staging").iterdir()) == []  # no copy left behind


def test_the_content_decides_the_kind_not_the_name(tmp_path: Path) -> None:
    """A real PNG named .jpg is a photo all the same, and is kept as .png."""
    mislabelled = make_photo(tmp_path / "holiday.jpg", "PNG")
    checked = check_photo(mislabelled, BERLIN, tmp_path / "staging")
    assert checked.record.format == "PNG"
    assert checked.stored_name.endswith(".png")


def test_an_exif_time_in_a_year_we_cannot_work_with_is_left_out(
    opened: Cli, tmp_path: Path
) -> None:
    photo = make_photo(tmp_path / "future.jpg", taken="9999:12:31 23:00:00", offset="+14:00")
    result = opened("done", "--photo", str(photo), "--note", "ok", now=at(f"{DAY} 10:00"))
    assert result.exit_code == 0, result.output
    assert "says (EXIF) it was taken 9999:12:31 23:00:00; left out" in result.stderr
    (entry,) = journal_of(opened)
    assert entry["photos"][0]["taken_at"] is None  # type: ignore[index]


def test_an_empty_photo_path_and_a_text_named_jpg_say_so(opened: Cli, tmp_path: Path) -> None:
    empty = opened("done", "--photo", "", "--note", "ok", now=at(f"{DAY} 10:00"))
    assert empty.exit_code == 2
    assert "a photo's path is empty" in empty.stderr
    text = tmp_path / "notes.jpg"
    text.write_text("not a picture", encoding="utf-8")
    fake = opened("done", "--photo", str(text), "--note", "ok", now=at(f"{DAY} 10:00"))
    assert fake.exit_code == 2
    assert "(it takes JPEG, PNG, WebP and HEIC)" in fake.stderr


def test_the_same_photo_given_five_times_is_kept_once(opened: Cli, tmp_path: Path) -> None:
    photo = make_photo(tmp_path / "proof.jpg")
    copy = tmp_path / "copy.jpg"
    copy.write_bytes(photo.read_bytes())
    args = ["--photo", str(photo)] * 4 + ["--photo", str(copy)]
    result = opened("done", *args, "--note", "ok", now=at(f"{DAY} 10:00"))
    assert result.exit_code == 0, result.output
    assert "(1 photo kept)" in result.stdout
    assert f"photo {copy} is the same photo as {photo}; it is kept once" in result.stderr
    (entry,) = journal_of(opened)
    assert len(entry["photos"]) == 1  # type: ignore[arg-type]
    staged = list((tmp_path / "home").rglob(".incoming-*"))
    assert staged == []


def make_mpo(path: Path, *, taken: str | None = None) -> Path:
    """A JPEG with a second picture in a multi-picture (MPF) directory, as phones write HDR
    gain maps and cameras their previews: Pillow opens it as "MPO"."""
    from PIL import Image

    photo = Image.new("RGB", (64, 48), (200, 60, 30))
    extra = {}
    if taken is not None:
        exif = Image.Exif()
        exif[306] = taken  # DateTime
        extra["exif"] = exif
    gain_map = Image.new("L", (32, 24), 128).convert("RGB")
    photo.save(path, "MPO", save_all=True, append_images=[gain_map], **extra)
    with Image.open(path) as opened_as:
        assert (opened_as.format, getattr(opened_as, "n_frames", 1)) == ("MPO", 2)
    return path


def test_a_jpeg_with_more_pictures_in_it_is_taken_as_the_jpeg_it_is(tmp_path: Path) -> None:
    mpo = make_mpo(tmp_path / "PXL_0001.jpg", taken="2026:03:02 09:30:00")
    checked = check_photo(mpo, BERLIN, tmp_path / "staging")
    assert checked.record.format == "JPEG"
    assert (checked.record.width, checked.record.height) == (64, 48)  # the first picture
    assert checked.record.sha256 == hashlib.sha256(mpo.read_bytes()).hexdigest()
    assert checked.stored_name == f"{checked.record.sha256}.jpg"
    assert checked.staged.read_bytes() == mpo.read_bytes()  # kept whole, gain map and all
    assert checked.taken_at == at(f"{DAY} 09:30")


def test_a_cut_multi_picture_jpeg_is_refused(tmp_path: Path) -> None:
    mpo = make_mpo(tmp_path / "cut.jpg")
    mpo.write_bytes(mpo.read_bytes()[:300])
    with pytest.raises(BadInput, match="damaged or truncated"):
        check_photo(mpo, BERLIN, tmp_path / "staging")


def test_done_takes_a_phone_photo_with_a_gain_map(opened: Cli, tmp_path: Path) -> None:
    mpo = make_mpo(tmp_path / "PXL_0002.jpg")
    result = opened("done", "--photo", str(mpo), "--note", "ok", now=at(f"{DAY} 10:00"))
    assert result.exit_code == 0, result.output
    (here,) = photos_here(opened)
    stored = Path(here["path"])
    assert stored.suffix == ".jpg"
    assert stored.read_bytes() == mpo.read_bytes()
    (entry,) = journal_of(opened)
    assert entry["photos"][0]["format"] == "JPEG"  # type: ignore[index]

"""Photo proof is a hint, and says so: the same photo on two days, a photo its EXIF dates
after it was handed in, and one taken before its item was revealed are flagged, by one pure
function, wherever a day is shown (`done`, `amend`, `show`, `journal --json`, the reports,
`verify`). A flag refuses nothing."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from dailylist.events import Completed, PhotoRecord, Revealed
from dailylist.fold import Entry
from dailylist.photo_flags import PhotoFlag, photo_flags, sentence
from tests.conftest import Cli, at, make_photo

ID = "0" * 64


def record(sha: str, taken: str | None = None) -> PhotoRecord:
    return PhotoRecord(
        sha256=sha * 64,
        size=10,
        stored_name=f"{sha * 64}.jpg",
        format="JPEG",
        width=4,
        height=3,
        taken_at=None if taken is None else at(taken),
    )


def entry(index: int, revealed: str, done: str, *photos: PhotoRecord) -> Entry:
    where = {"zone": "Europe/Berlin", "device": "d" * 32, "id": ID}
    reveal = Revealed(index=index, at=at(revealed), **where)
    completion = Completed(
        index=index, day=at(done).date(), at=at(done), photos=photos, reflection="x", **where
    )
    return Entry(reveal, completion)


def test_each_kind_of_flag_and_none_for_a_photo_that_is_what_it_says() -> None:
    days = [
        entry(0, "2026-03-01 08:00", "2026-03-01 20:00", record("a", "2026-03-01 19:00")),
        entry(1, "2026-03-02 08:00", "2026-03-02 20:00", record("b"), record("a")),
        entry(2, "2026-03-03 08:00", "2026-03-03 20:00", record("c", "2026-03-03 07:59")),
        entry(3, "2026-03-04 08:00", "2026-03-04 20:00", record("d", "2026-03-04 20:06")),
        entry(4, "2026-03-05 08:00", "2026-03-05 20:00", record("e", "2026-03-05 20:04")),
    ]
    assert photo_flags(days) == (
        PhotoFlag(day=2, photo=2, sha256="a" * 64, kind="same-photo", other_day=1),
        PhotoFlag(
            day=3,
            photo=1,
            sha256="c" * 64,
            kind="taken-before-reveal",
            taken_at=at("2026-03-03 07:59"),
        ),
        PhotoFlag(
            day=4, photo=1, sha256="d" * 64, kind="taken-after", taken_at=at("2026-03-04 20:06")
        ),
    )  # day 5's camera is four minutes ahead of the computer: within the clocks' tolerance
    flags = photo_flags(days)
    assert sentence(flags[0], 2) == "Photo 2 is the same as day 1's."
    assert sentence(flags[2], 1) == (
        "The photo was taken 2026-03-04 20:06 by its EXIF, later than it was handed in."
    )


def test_a_flag_is_checked_when_it_is_made() -> None:
    with pytest.raises(ValueError, match="other_day"):
        PhotoFlag(day=2, photo=1, sha256=ID, kind="same-photo")
    with pytest.raises(ValueError, match="kind"):
        PhotoFlag(day=2, photo=1, sha256=ID, kind="blurry")  # type: ignore[arg-type]


@pytest.fixture
def two_days(make_sealed: Callable[..., Path], run: Cli) -> Path:
    sealed = make_sealed(3)
    assert run("open", str(sealed), now=at("2026-03-01 08:00")).exit_code == 0
    return sealed


def test_done_warns_of_the_same_photo_as_an_earlier_days_and_show_says_it(
    two_days: Path, run: Cli, tmp_path: Path
) -> None:
    photo = make_photo(tmp_path / "cake.jpg")
    run("today", now=at("2026-03-01 09:00"))
    first = run("done", "--photo", str(photo), "--note", "Cake.", now=at("2026-03-01 20:00"))
    assert first.stderr == ""
    run("today", now=at("2026-03-02 09:00"))
    again = run("done", "--photo", str(photo), "--note", "More.", now=at("2026-03-02 20:00"))
    assert again.exit_code == 0  # kept: a flag refuses nothing
    assert again.stderr == (
        "warning: The photo is the same as day 1's; kept, and reports flag it\n"
    )
    later = at("2026-03-02 21:00")
    assert "flagged: The photo is the same as day 1's." in run("show", "2", now=later).stdout
    assert "flagged" not in run("show", "1", now=later).stdout
    shown = json.loads(run("show", "2", "--json", now=later).stdout)
    assert [f["kind"] for f in shown["photo_flags"]] == ["same-photo"]
    assert shown["photo_flags"][0]["other_day"] == 1


def test_a_photo_dated_after_it_was_handed_in_warns_and_is_flagged_everywhere(
    two_days: Path, run: Cli, tmp_path: Path
) -> None:
    ahead = make_photo(tmp_path / "ahead.jpg", taken="2026:03:01 23:00:00")
    run("today", now=at("2026-03-01 09:00"))
    done = run("done", "--photo", str(ahead), "--note", "Hm.", now=at("2026-03-01 20:00"))
    assert done.stderr == (
        "warning: The photo was taken 2026-03-01 23:00 by its EXIF, later than it was handed "
        "in; kept, and reports flag it\n"
    )
    for name in ("r.html", "r.md", "r.json"):
        assert run("export", "-o", str(tmp_path / name), now=at("2026-03-02 08:00")).exit_code == 0
    said = "The photo was taken 2026-03-01 23:00 by its EXIF, later than it was handed in."
    assert f"Flagged: {said}" in (tmp_path / "r.html").read_text(encoding="utf-8")
    assert f"**Flagged:** *{said}*" in (tmp_path / "r.md").read_text(encoding="utf-8")
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    (flag,) = report["entries"][0]["photo_flags"]
    assert (flag["kind"], flag["taken_at"]) == ("taken-after", "2026-03-01T23:00:00+01:00")
    verdict = json.loads(
        run("verify", str(tmp_path / "r.json"), "--list", str(two_days), "--json",
            now=at("2026-03-02 09:00")).stdout
    )  # fmt: skip
    assert verdict["genuine"] is True
    assert [f["kind"] for f in verdict["holds"]["photo_flags"]] == ["taken-after"]


def test_amend_warns_of_a_new_photo_flagged_too(two_days: Path, run: Cli, tmp_path: Path) -> None:
    first = make_photo(tmp_path / "one.jpg")
    run("today", now=at("2026-03-01 09:00"))
    run("done", "--photo", str(first), "--note", "One.", now=at("2026-03-01 20:00"))
    run("today", now=at("2026-03-02 09:00"))
    other = make_photo(tmp_path / "two.jpg", size=(20, 20))
    run("done", "--photo", str(other), "--note", "Two.", now=at("2026-03-02 20:00"))
    amended = run("amend", "--photo", str(first), now=at("2026-03-02 20:30"))
    assert amended.exit_code == 0
    assert "The photo is the same as day 1's" in amended.stderr


def test_verify_counts_a_photo_taken_before_the_reveal(
    two_days: Path, run: Cli, tmp_path: Path
) -> None:
    early = make_photo(tmp_path / "early.jpg", taken="2026:03:01 07:00:00")
    run("today", now=at("2026-03-01 09:00"))
    done = run("done", "--photo", str(early), "--note", "Ok.", now=at("2026-03-01 20:00"))
    assert "was taken before today's item was revealed" in done.stderr
    run("export", "-o", str(tmp_path / "r.json"), now=at("2026-03-01 21:00"))
    said = run(
        "verify", str(tmp_path / "r.json"), "--list", str(two_days), now=at("2026-03-01 22:00")
    ).stdout
    assert (
        "Photos flagged: 1: day 1's photo 1 was taken 2026-03-01 07:00 by its EXIF, before the "
        "item was revealed."
    ) in said


def test_flags_follow_the_photos_as_they_stand(two_days: Path, run: Cli, tmp_path: Path) -> None:
    """A day amended to another photo is flagged for that one, not for the one replaced."""
    same = make_photo(tmp_path / "same.jpg")
    run("today", now=at("2026-03-01 09:00"))
    run("done", "--photo", str(same), "--note", "One.", now=at("2026-03-01 20:00"))
    run("today", now=at("2026-03-02 09:00"))
    run("done", "--photo", str(same), "--note", "Two.", now=at("2026-03-02 20:00"))
    fresh = make_photo(tmp_path / "fresh.jpg", size=(21, 13))
    run("amend", "--photo", str(fresh), now=at("2026-03-02 20:00") + timedelta(minutes=5))
    shown = json.loads(run("show", "2", "--json", now=at("2026-03-02 21:00")).stdout)
    assert shown["photo_flags"] == []

"""The homecoming (issue #22): Tom wrote "While I'm away" for Sam; when he is home, Sam makes
him one file that he reads in a browser and checks with `verify`. Each test runs the
commands as a person would, on a fixed clock.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from dailylist.domain import paragraphs
from dailylist.report.document import REPORT_FORMAT
from tests.conftest import Cli, at, make_photo, need_program, snapshot

LETTER = """
Dear Sam,

While I am away, promise me you will
live
and not only wait.

- one small thing a day
- a photo of it

Love,
Tom
"""

SOURCE = f'''title = "While I'm away"
author = "Tom"
letter = """{LETTER}"""
rules = ["One a day, in order.", "A photo each day."]

[[items]]
text = "Cook something you have never cooked."

[[items]]
title = "A call"
text = "Call someone you miss."
checkin = true

[[items]]
text = "Walk further than you meant to."
'''

FIRST = "I cried at the end of the film, and it was good."
LATER = "Later I called my sister about it."


@pytest.fixture
def away(run: Cli, tmp_path: Path) -> Path:
    """Tom's sealed list of three days (day 2 a check-in); its codes file beside it."""
    source = tmp_path / "away.toml"
    source.write_text(SOURCE, encoding="utf-8")
    sealed = tmp_path / "away.dlist"
    assert run("seal", str(source), "-o", str(sealed), now=at("2026-03-01 08:00")).exit_code == 0
    return sealed


def checkin_code(sealed: Path) -> str:
    codes = sealed.with_name("away.codes.txt").read_text(encoding="utf-8")
    found = re.search(r"Day +2: (\S+)", codes)
    assert found is not None
    return found.group(1)


@pytest.fixture
def lived(away: Path, run: Cli, tmp_path: Path) -> Path:
    """The three days lived: day 1 amended twice (added to, then rewritten), day 2 with the
    same photo as day 1, day 3 with a photo its EXIF dates after it was handed in."""
    assert run("open", str(away), now=at("2026-03-01 09:00")).exit_code == 0
    first = make_photo(tmp_path / "soup.jpg", size=(64, 48))
    ahead = make_photo(tmp_path / "walk.jpg", size=(48, 64), taken="2026:03:03 23:30:00")
    steps = [
        ("2026-03-01 09:05", ["today"]),
        ("2026-03-01 21:40", ["done", "--photo", str(first), "--note", FIRST]),
        ("2026-03-01 22:15", ["amend", "--append", LATER]),
        ("2026-03-01 22:30", ["amend", "--note", "In the end, nothing to say."]),
        ("2026-03-02 09:00", ["today", "--code", checkin_code(away)]),
        ("2026-03-02 10:00", ["done", "--photo", str(first), "--note", "Called Mum."]),
        ("2026-03-03 09:00", ["today"]),
        ("2026-03-03 20:00", ["done", "--photo", str(ahead), "--note", "Walked to the sea."]),
    ]
    for when, args in steps:
        result = run(*args, now=at(when))
        assert result.exit_code == 0, (args, result.output)
    return away


EXPORTED = at("2026-03-04 10:00")
CHECKED = at("2026-03-05 09:00")


# --- 1. the report goes out for the list named ----------------------------------------------


def test_export_with_two_lists_open_refuses_and_names_them(
    lived: Path, make_sealed: Any, run: Cli, tmp_path: Path, private_home: Path
) -> None:
    assert run("open", str(make_sealed(3)), now=at("2026-03-04 09:00")).exit_code == 0
    before = snapshot(private_home)
    target = tmp_path / "journal.html"
    refused = run("export", "-o", str(target), now=EXPORTED)
    assert refused.exit_code == 2
    assert refused.stderr == (
        "dailylist: 2 lists are open (five-small-days, while-i-m-away): say which with "
        "--list NAME\n"
    )
    assert not target.exists()
    assert snapshot(private_home) == before
    done = run("export", "-o", str(target), "--list", "while", now=EXPORTED)
    assert done.exit_code == 0, done.output
    assert done.stdout == f"Wrote {target}: While I'm away, 3 days, 2 photos\n"


def test_every_success_line_names_the_list(lived: Path, run: Cli, tmp_path: Path) -> None:
    for name, more in (
        ("journal.md", f"Photos are in {tmp_path / 'journal-photos'}/"),
        ("report.json", f"Photos are in {tmp_path / 'report-photos'}/"),
        ("for-tom.zip", "One file holds the page to read"),
    ):
        said = run("export", "-o", str(tmp_path / name), now=EXPORTED).stdout
        first, second = said.splitlines()[:2]
        assert first == f"Wrote {tmp_path / name}: While I'm away, 3 days, 2 photos"
        assert second.startswith(more)


# --- 2. an amendment keeps the first words where people read ---------------------------------


def test_the_earlier_words_of_an_amended_day_are_on_every_page(
    lived: Path, run: Cli, tmp_path: Path
) -> None:
    now = at("2026-03-04 09:00")
    for command in (["show", "1"], ["journal"]):
        said = run(*command, now=now).stdout
        assert "In the end, nothing to say." in said
        assert "first written 21:40, added to at 22:15" in said
        assert f"written 22:15: {FIRST}" in said
    for name in ("journal.html", "journal.md"):
        run("export", "-o", str(tmp_path / name), now=EXPORTED)
        text = (tmp_path / name).read_text(encoding="utf-8")
        assert "In the end, nothing to say." in text
        assert "first written 21:40, added to at 22:15" in text
        assert f"written 22:15: {FIRST}" in text
    run("export", "-o", str(tmp_path / "r.json"), now=EXPORTED)
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert report["format"] == REPORT_FORMAT
    assert [e["reflection"] for e in report["entries"][0]["earlier_reflections"]] == [
        FIRST,
        f"{FIRST}\n\n{LATER}",
    ]
    assert report["entries"][1]["earlier_reflections"] == []


def test_amend_append_adds_to_the_reflection(away: Path, run: Cli, tmp_path: Path) -> None:
    photo = make_photo(tmp_path / "p.jpg")
    run("open", str(away), now=at("2026-03-01 09:00"))
    run("today", now=at("2026-03-01 09:05"))
    run("done", "--photo", str(photo), "--note", FIRST, now=at("2026-03-01 21:40"))
    added = run("amend", "--append", LATER, now=at("2026-03-01 22:15"))
    assert added.exit_code == 0
    assert added.stdout.startswith("Day 1 amended: your words are added after the reflection")
    shown = json.loads(run("show", "1", "--json", now=at("2026-03-01 22:20")).stdout)
    assert shown["reflection"] == f"{FIRST}\n\n{LATER}"
    assert (
        "first written 21:40, added to at 22:15"
        in run("show", "1", now=at("2026-03-01 22:20")).stdout
    )


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--append", "more", "--note", "other"], "give --note (replace the reflection) or"),
        (["--append", "   "], "there is nothing to add"),
    ],
    ids=["with --note", "empty"],
)
def test_amend_append_refused_changes_nothing(
    away: Path, run: Cli, tmp_path: Path, private_home: Path, args: list[str], says: str
) -> None:
    photo = make_photo(tmp_path / "p.jpg")
    run("open", str(away), now=at("2026-03-01 09:00"))
    run("today", now=at("2026-03-01 09:05"))
    run("done", "--photo", str(photo), "--note", FIRST, now=at("2026-03-01 21:40"))
    before = snapshot(private_home)
    refused = run("amend", *args, now=at("2026-03-01 22:15"))
    assert refused.exit_code == 2
    assert says in refused.stderr
    assert snapshot(private_home) == before


# --- 3. one file: the page, the report and the photos ---------------------------------------


def export_zip(run: Cli, target: Path) -> None:
    result = run("export", "-o", str(target), now=EXPORTED)
    assert result.exit_code == 0, result.output


def verify(run: Cli, report: Path, sealed: Path, *extra: str) -> Any:
    return run("verify", str(report), "--list", str(sealed), *extra, now=CHECKED)


def test_one_zip_holds_the_page_the_report_and_its_photos(
    lived: Path, run: Cli, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    export_zip(run, out / "for-tom.zip")
    assert [p.name for p in out.iterdir()] == ["for-tom.zip"]
    with zipfile.ZipFile(out / "for-tom.zip") as archive:
        names = archive.namelist()
        report = json.loads(archive.read("for-tom/for-tom.json"))
    photos = {e["photos"][0]["stored_name"] for e in report["entries"]}
    assert names[:2] == ["for-tom/for-tom.html", "for-tom/for-tom.json"]
    assert sorted(names[2:]) == sorted(f"for-tom/for-tom-photos/{name}" for name in photos)
    assert len(photos) == 2  # day 2's photo is day 1's: kept once
    assert report["photos_dir"] == "for-tom-photos"
    checked = verify(run, out / "for-tom.zip", lived)
    assert checked.exit_code == 0, checked.output
    assert "the page says what the report says  ok" in checked.stdout


class _Pictures(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.sources: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img":
            self.sources.append(dict(attrs)["src"] or "")


def test_the_unzipped_page_shows_its_photos(lived: Path, run: Cli, tmp_path: Path) -> None:
    export_zip(run, tmp_path / "for-tom.zip")
    with zipfile.ZipFile(tmp_path / "for-tom.zip") as archive:
        archive.extractall(tmp_path / "unzipped")
    page = tmp_path / "unzipped" / "for-tom" / "for-tom.html"
    pictures = _Pictures()
    pictures.feed(page.read_text(encoding="utf-8"))
    assert len(pictures.sources) == 3  # day 2 shows day 1's photo again
    for source in pictures.sources:
        assert not source.startswith(("data:", "/", "http"))
        with Image.open(page.parent / source) as image:
            image.verify()


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Any]:
    """Headless Chromium at a laptop's size."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = need_program("chromium", "chromium")
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1200,900",
        f"--user-data-dir={tmp_path / 'chromium'}",
    ):
        options.add_argument(argument)
    service = Service(need_program("chromedriver", "chromium-driver"))
    driver = webdriver.Chrome(options=options, service=service)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.mark.system
def test_a_person_who_unzips_it_reads_the_page_in_a_browser(
    lived: Path, run: Cli, tmp_path: Path, browser: Any
) -> None:
    from selenium.webdriver.common.by import By

    export_zip(run, tmp_path / "for-tom.zip")
    with zipfile.ZipFile(tmp_path / "for-tom.zip") as archive:
        archive.extractall(tmp_path / "unzipped")
    browser.get((tmp_path / "unzipped" / "for-tom" / "for-tom.html").as_uri())
    images = browser.find_elements(By.TAG_NAME, "img")
    assert len(images) == 3
    assert all(browser.execute_script("return arguments[0].naturalWidth", i) for i in images)
    text = browser.find_element(By.TAG_NAME, "main").text
    assert "While I am away, promise me you will live and not only wait." in text
    assert "The photo is the same as day 1's." in text


def rewrite(path: Path, change: dict[str, bytes | None]) -> None:
    """The zip at `path` with members changed (None: left out), as a forger would."""
    with zipfile.ZipFile(path) as archive:
        members = [(info, archive.read(info)) for info in archive.infolist()]
    with zipfile.ZipFile(path, "w") as archive:
        for info, raw in members:
            new = change.get(info.filename, raw)
            if new is not None:
                archive.writestr(info, new)


def forged_report(path: Path, forge: Any) -> None:
    name = "for-tom/for-tom.json"
    with zipfile.ZipFile(path) as archive:
        document = json.loads(archive.read(name))
    forge(document)
    rewrite(path, {name: json.dumps(document).encode()})


def _edit_reflection(document: dict[str, Any]) -> None:
    completed = next(e for e in document["events"] if e["kind"] == "completed" and e["index"] == 2)
    completed["reflection"] = "Walked a little."
    document["entries"][2]["reflection"] = "Walked a little."


def _drop_day(document: dict[str, Any]) -> None:
    document["events"] = [e for e in document["events"] if e.get("index") != 1]
    del document["entries"][1]


@pytest.mark.parametrize(
    ("forge", "failed", "names"),
    [
        (_edit_reflection, "hash chain unbroken", "completed, day 3"),
        (_drop_day, "every event follows the rules", "day 3"),
    ],
    ids=["an edited reflection", "a dropped day"],
)
def test_verify_refuses_a_zip_with_a_forged_report_naming_the_day(
    lived: Path, run: Cli, tmp_path: Path, forge: Any, failed: str, names: str
) -> None:
    target = tmp_path / "for-tom.zip"
    export_zip(run, target)
    forged_report(target, forge)
    result = verify(run, target, lived, "--json")
    assert result.exit_code == 1
    verdict = json.loads(result.stdout)
    problems = next(c["problems"] for c in verdict["checks"] if c["name"] == failed)
    assert any(names in problem for problem in problems), problems


def test_verify_refuses_a_zip_with_a_photo_swapped(lived: Path, run: Cli, tmp_path: Path) -> None:
    target = tmp_path / "for-tom.zip"
    export_zip(run, target)
    with zipfile.ZipFile(target) as archive:
        report = json.loads(archive.read("for-tom/for-tom.json"))
    stored = report["entries"][2]["photos"][0]["stored_name"]
    other = io.BytesIO()
    Image.new("RGB", (48, 64), (200, 30, 30)).save(other, format="JPEG")
    rewrite(target, {f"for-tom/for-tom-photos/{stored}": other.getvalue()})
    result = verify(run, target, lived)
    assert result.exit_code == 1
    assert f"day 3: photo {stored} does not match its hash" in result.stdout


def test_verify_checks_the_page_says_what_the_report_says(
    lived: Path, run: Cli, tmp_path: Path
) -> None:
    target = tmp_path / "for-tom.zip"
    export_zip(run, target)
    with zipfile.ZipFile(target) as archive:
        page = archive.read("for-tom/for-tom.html").decode()
    rewrite(target, {"for-tom/for-tom.html": page.replace("Walked to the sea.", "Ran.").encode()})
    result = verify(run, target, lived, "--json")
    assert result.exit_code == 1
    (check,) = [c for c in json.loads(result.stdout)["checks"] if not c["ok"]]
    assert check["problems"] == [
        "day 3: the page says 'Ran.' where the report gives 'Walked to the sea.'"
    ]
    export_zip(run, target.with_name("second.zip"))
    with zipfile.ZipFile(target.with_name("second.zip"), "a") as archive:
        archive.writestr("second/index.html", "<p>Read me first</p>")
    result = verify(run, target.with_name("second.zip"), lived)
    assert result.exit_code == 1
    assert "the zip holds second/index.html, which no export writes" in result.stdout


def _zip_of(path: Path, members: list[tuple[str, bytes]]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, raw in members:
            archive.writestr(zipfile.ZipInfo(name), raw)
    return path


@pytest.mark.parametrize(
    ("members", "says"),
    [
        ([("r/../../etc/r.json", b"{}")], "which reaches outside its folder"),
        ([("/tmp/r.json", b"{}")], "which reaches outside its folder"),
        ([("r\\..\\r.json", b"{}")], "which reaches outside its folder"),
        ([("C:r.json", b"{}")], "which reaches outside its folder"),
        ([("r/r.html", b"")], "holds no JSON report"),
        ([("r/a.json", b"{}"), ("r/b.json", b"{}")], "holds 2 JSON files"),
        ([("r/r.json", b"{}")], "is not a dailylist report"),
    ],
    ids=["dot-dot", "absolute", "backslash", "drive", "no report", "two reports", "not one"],
)
def test_verify_refuses_a_zip_no_export_makes(
    lived: Path, run: Cli, tmp_path: Path, members: list[tuple[str, bytes]], says: str
) -> None:
    result = verify(run, _zip_of(tmp_path / "odd.zip", members), lived)
    assert result.exit_code == 2
    assert says in result.stderr
    assert "Traceback" not in result.output


def test_verify_refuses_a_zip_that_names_a_file_twice(
    lived: Path, run: Cli, tmp_path: Path
) -> None:
    with pytest.warns(UserWarning, match="Duplicate name"):
        path = _zip_of(tmp_path / "twice.zip", [("r/r.json", b"{}"), ("r/r.json", b"{}")])
    result = verify(run, path, lived)
    assert result.exit_code == 2
    assert "holds 'r/r.json' twice" in result.stderr


def _patched(path: Path, signature: bytes, offset: int, value: int) -> Path:
    """The zip at `path` with a 32- or 16-bit field of its directory (after `signature`)
    set to `value`: what a zip bomb's headers say."""
    raw = bytearray(path.read_bytes())
    at = raw.rindex(signature) + offset
    width = 2 if signature == b"PK\x05\x06" and offset == 10 else 4
    raw[at : at + width] = value.to_bytes(width, "little")
    path.write_bytes(bytes(raw))
    return path


@pytest.mark.parametrize(
    ("signature", "offset", "value", "says"),
    [
        (b"PK\x01\x02", 24, 3_000_000_000, "would unpack to 2861 MB"),
        (b"PK\x01\x02", 24, 300 * 1024 * 1024, "is larger than 256 MB"),
        (b"PK\x05\x06", 10, 60_000, "lists 60,000 files"),
        (b"PK\x05\x06", 12, 9 * 1024 * 1024, "in 9 MB"),
    ],
    ids=["unpacks to 3 GB", "a report over its cap", "60,000 names", "a 9 MB directory"],
)
def test_verify_refuses_a_zip_bomb_before_reading_it(
    lived: Path, run: Cli, tmp_path: Path, signature: bytes, offset: int, value: int, says: str
) -> None:
    """What the zip's headers say is held against the caps before anything is unpacked
    (zipfile then also stops a member at the size its header says)."""
    export_zip(run, tmp_path / "for-tom.zip")
    path = tmp_path / "for-tom.zip"
    raw = path.read_bytes()
    report_entry = raw.index(b"PK\x01\x02", raw.index(b"PK\x01\x02") + 4)  # the report's
    if signature == b"PK\x01\x02":  # the report's entry in the directory
        data = bytearray(raw)
        data[report_entry + offset : report_entry + offset + 4] = value.to_bytes(4, "little")
        path.write_bytes(bytes(data))
    else:
        _patched(path, signature, offset, value)
    result = verify(run, path, lived)
    assert result.exit_code == 2
    assert says in result.stderr, result.stderr


def test_a_heic_photo_goes_in_the_zip_as_it_is_with_a_jpeg_copy_for_the_page(
    away: Path, run: Cli, tmp_path: Path
) -> None:
    heic = make_photo(tmp_path / "phone.heic", "HEIF", size=(40, 30))
    run("open", str(away), now=at("2026-03-01 09:00"))
    run("today", now=at("2026-03-01 09:05"))
    assert (
        run("done", "--photo", str(heic), "--note", "Soup.", now=at("2026-03-01 20:00")).exit_code
        == 0
    )
    export_zip(run, tmp_path / "for-tom.zip")
    with zipfile.ZipFile(tmp_path / "for-tom.zip") as archive:
        photos = sorted(n.rsplit(".", 1)[1] for n in archive.namelist() if "-photos/" in n)
        page = archive.read("for-tom/for-tom.html").decode()
    assert photos == ["heic", "jpg"]
    assert re.search(r'<img src="for-tom-photos/[0-9a-f]{64}\.jpg"', page)
    assert verify(run, tmp_path / "for-tom.zip", away).exit_code == 0


def test_verify_of_a_zip_refuses_photos_elsewhere(lived: Path, run: Cli, tmp_path: Path) -> None:
    export_zip(run, tmp_path / "for-tom.zip")
    result = verify(run, tmp_path / "for-tom.zip", lived, "--photos", str(tmp_path))
    assert result.exit_code == 2
    assert "are inside it: leave out --photos" in result.stderr


def test_a_zip_goes_to_a_file_not_to_standard_output(lived: Path, run: Cli) -> None:
    result = run("export", "-o", "-", "--format", "zip", now=EXPORTED)
    assert result.exit_code == 2
    assert "a zip report goes to a file" in result.stderr


def test_a_report_of_format_1_still_verifies(lived: Path, run: Cli, tmp_path: Path) -> None:
    """Reports written before entries said their earlier reflections and flags."""
    run("export", "-o", str(tmp_path / "r.json"), now=EXPORTED)
    document = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    document["format"] = 1
    for entry in document["entries"]:
        del entry["earlier_reflections"], entry["photo_flags"]
    (tmp_path / "r.json").write_text(json.dumps(document), encoding="utf-8")
    result = verify(run, tmp_path / "r.json", lived)
    assert result.exit_code == 0, result.output


# --- 4. verify says what a report holds, and one line for another list's ---------------------


def test_verify_says_what_the_report_holds(lived: Path, run: Cli, tmp_path: Path) -> None:
    export_zip(run, tmp_path / "for-tom.zip")
    said = verify(run, tmp_path / "for-tom.zip", lived).stdout
    holds = said[said.index("The report is genuine") :].splitlines()
    assert holds == [
        "The report is genuine, complete, in order and one a day.",
        "Days done: 3 of 3, finished on 2026-03-03.",
        "Missed days: none.",
        "Days amended: 1: day 1, 2 times.",
        "Completions set aside (a day done on two devices): none.",
        "Photos flagged: 2: day 2's photo 1 is the same as day 1's; day 3's photo 1 was "
        "taken 2026-03-03 23:30 by its EXIF, later than it was handed in.",
    ]
    holds_json = json.loads(verify(run, tmp_path / "for-tom.zip", lived, "--json").stdout)
    assert holds_json["holds"]["amended"] == [{"day": 1, "times": 2}]
    assert [f["kind"] for f in holds_json["holds"]["photo_flags"]] == ["same-photo", "taken-after"]


def test_verify_of_another_lists_report_says_one_line(
    lived: Path, make_sealed: Any, run: Cli, tmp_path: Path
) -> None:
    export_zip(run, tmp_path / "for-tom.zip")
    other = make_sealed(3)
    result = verify(run, tmp_path / "for-tom.zip", other)
    assert result.exit_code == 1
    (line,) = result.output.splitlines()
    assert line.startswith("Not a report of this list: the report is of list ")
    assert '("While I\'m away"), not ' in line
    assert "dailylist today" not in result.output
    verdict = json.loads(verify(run, tmp_path / "for-tom.zip", other, "--json").stdout)
    assert verdict["genuine"] is False
    assert verdict["other_list"].startswith("the report is of list")
    assert len(verdict["checks"]) == 1


# --- 6. the pages say what the letter said ----------------------------------------------------


def test_the_letter_keeps_its_paragraphs_and_joins_the_editors_line_breaks() -> None:
    assert paragraphs(LETTER) == (
        "Dear Sam,",
        "While I am away, promise me you will live and not only wait.",
        "- one small thing a day\n- a photo of it",
        "Love, Tom",
    )
    assert paragraphs("one\r\n\r\n  two\r\nthree  \n\n\n") == ("one", "two three")
    assert paragraphs("") == ()


def test_the_letter_reads_as_paragraphs_in_the_terminal_and_on_the_pages(
    lived: Path, run: Cli, tmp_path: Path
) -> None:
    opened = run("open", str(lived), now=at("2026-03-04 09:00")).stdout
    assert "promise me you will live and not only wait." in opened
    assert "\n  live\n" not in opened
    run("export", "-o", str(tmp_path / "j.html"), now=EXPORTED)
    run("export", "-o", str(tmp_path / "j.md"), now=EXPORTED)
    page = (tmp_path / "j.html").read_text(encoding="utf-8")
    assert "<p>While I am away, promise me you will live and not only wait.</p>" in page
    assert "<p>- one small thing a day\n- a photo of it</p>" in page
    text = (tmp_path / "j.md").read_text(encoding="utf-8")
    assert "\nWhile I am away, promise me you will live and not only wait.\n" in text


def test_the_pages_carry_the_rules_and_mark_the_check_in_day(
    lived: Path, run: Cli, tmp_path: Path
) -> None:
    run("export", "-o", str(tmp_path / "j.html"), now=EXPORTED)
    run("export", "-o", str(tmp_path / "j.md"), now=EXPORTED)
    page = (tmp_path / "j.html").read_text(encoding="utf-8")
    assert "<h2>The rules</h2><ol>\n<li>One a day, in order.</li>\n<li>A photo each day." in page
    day2 = page[page.index('<article id="day-2">') : page.index('<article id="day-3">')]
    assert "a check-in day</span>, opened with Tom's code" in day2
    assert page.count("a check-in day") == 1
    text = (tmp_path / "j.md").read_text(encoding="utf-8")
    assert "## The rules\n\n1. One a day, in order.\n2. A photo each day.\n" in text
    assert "## Day 2 · 2026-03-02 · A call · check-in day\n" in text
    assert text.count("check-in day") == 1
    assert "check-in" in run("show", "2", now=EXPORTED).stdout


# --- 7. the last day says what comes next -----------------------------------------------------


def test_the_last_day_says_how_to_make_the_report_in_the_authors_name(
    away: Path, run: Cli, tmp_path: Path, make_sealed: Any
) -> None:
    photo = make_photo(tmp_path / "p.jpg")
    run("open", str(away), now=at("2026-03-01 09:00"))
    for number, day in enumerate(("01", "02", "03"), start=1):
        code = ["--code", checkin_code(away)] if number == 2 else []
        assert run("today", *code, now=at(f"2026-03-{day} 09:00")).exit_code == 0
        done = run(
            "done", "--photo", str(photo), "--note", "Done.", now=at(f"2026-03-{day} 20:00")
        )
        assert done.exit_code == 0
    assert done.stdout.splitlines()[1:] == [
        "Every one of the 3 days is done. Well done.",
        "When Tom is home: dailylist export -o for-tom.zip",
    ]
    today = run("today", now=at("2026-03-04 09:00")).stdout
    assert (
        "Every one of the 3 days is done. Well done.\n"
        "When Tom is home: dailylist export -o for-tom.zip\n" in today
    )
    run("open", str(make_sealed(2)), now=at("2026-03-04 09:30"))
    today = run("today", "--list", "while", now=at("2026-03-04 10:00")).stdout
    assert "When Tom is home: dailylist export -o for-tom.zip --list while-i-m-away\n" in today

"""Reports for the author: one HTML page, Markdown with its photos, and JSON for `verify`."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest

from dailylist.report.document import check_report_document, report_schema
from tests.conftest import Cli, at, export, item_text, snapshot


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.articles: list[str] = []
        self.images: list[dict[str, str | None]] = []
        self.tags: set[str] = set()
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        values = dict(attrs)
        if tag == "article":
            self.articles.append(values.get("id") or "")
        if tag == "img":
            self.images.append(values)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_report_is_one_self_contained_page(ten_days: Path, run: Cli, tmp_path: Path) -> None:
    path = tmp_path / "out" / "journal.html"
    path.parent.mkdir()
    export(run, path)
    page = _Page()
    content = path.read_text(encoding="utf-8")
    page.feed(content)
    assert page.articles == [f"day-{n}" for n in range(1, 11)]
    assert len(page.images) == 10
    assert all((img["src"] or "").startswith("data:image/jpeg;base64,") for img in page.images)
    assert "script" not in page.tags
    assert "http://" not in content
    assert "https://" not in content
    text = "".join(page.text)
    for number in range(1, 11):
        assert item_text(number) in text
        assert f"Reflection for day {number}: it felt <good> & new." in text
    for number in (11, 12):
        assert item_text(number) not in content
    assert "2026-03-05: missed" in text
    assert "10 of 12 days done" in text
    assert [p.name for p in path.parent.iterdir()] == ["journal.html"]


def test_markdown_report_links_photos_beside_it(ten_days: Path, run: Cli, tmp_path: Path) -> None:
    path = tmp_path / "journal.md"
    export(run, path)
    content = path.read_text(encoding="utf-8")
    for number in range(1, 11):
        assert f"## Day {number} · " in content
    links = [line for line in content.splitlines() if line.startswith("![")]
    assert len(links) == 10
    for link in links:
        target = link[link.index("(") + 1 : -1]
        assert (tmp_path / target).is_file()
    assert "*2026-03-06: missed.*" in content


def test_json_report_matches_its_schema_and_verifies(
    ten_days: Path, run: Cli, tmp_path: Path
) -> None:
    path = tmp_path / "report.json"
    export(run, path)
    report = check_report_document(json.loads(path.read_bytes()), source=str(path))
    assert report.zone == "Europe/Berlin"
    assert "original_path" not in path.read_text(encoding="utf-8")
    assert [entry.day for entry in report.entries] == list(range(1, 11))
    assert report.summary.missed_days[0].isoformat() == "2026-03-05"
    assert len(list((tmp_path / report.photos_dir).iterdir())) == 10
    schema = report_schema()
    assert {"list", "entries", "events", "summary"} <= set(schema["properties"])  # type: ignore[call-overload]
    verified = run("verify", str(path), "--list", str(ten_days), now=at("2026-03-13 09:00"))
    assert verified.exit_code == 0, verified.output
    assert "genuine" in verified.stdout


def test_the_format_follows_the_file_name(ten_days: Path, run: Cli, tmp_path: Path) -> None:
    export(run, tmp_path / "r.json")
    json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    export(run, tmp_path / "r.txt", "--format", "md")
    assert (tmp_path / "r.txt").read_text(encoding="utf-8").startswith("# ")


@pytest.mark.parametrize("target", ["missing-folder/r.html", "."])
def test_an_unwritable_target_is_a_clear_error(
    ten_days: Path, run: Cli, tmp_path: Path, target: str
) -> None:
    before = snapshot(tmp_path)
    result = run("export", "-o", str(tmp_path / target), now=at("2026-03-12 21:00"))
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1
    assert snapshot(tmp_path) == before


# --- where a report may go ------------------------------------------------------------------


def test_an_existing_file_is_replaced_only_with_force(
    ten_days: Path, run: Cli, tmp_path: Path
) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text("my own notes", encoding="utf-8")
    refused = run("export", "-o", str(notes), now=at("2026-03-12 21:00"))
    assert refused.exit_code == 2
    assert "already exists" in refused.stderr
    assert notes.read_text(encoding="utf-8") == "my own notes"
    forced = run("export", "-o", str(notes), "--force", now=at("2026-03-12 21:00"))
    assert forced.exit_code == 0, forced.output
    assert notes.read_text(encoding="utf-8").startswith("# ")


@pytest.mark.parametrize("target", ["journal", "inside", "device", "link to the journal"])
def test_a_report_never_goes_into_the_data_dir_or_onto_a_device(
    target: str, ten_days: Path, run: Cli, tmp_path: Path, private_home: Path
) -> None:
    (folder,) = (private_home / "lists").iterdir()
    paths = {
        "journal": folder / "journal.json",
        "inside": private_home / "report.json",
        "device": Path("/dev/null"),
        "link to the journal": tmp_path / "innocent.json",
    }
    path = paths[target]
    if target == "link to the journal":
        path.symlink_to(folder / "journal.json")
    before = snapshot(private_home)
    result = run(
        "export", "-o", str(path), "--force", "--format", "json", now=at("2026-03-12 21:00")
    )
    assert result.exit_code == 2
    assert "inside the data dir" in result.stderr or "not a regular file" in result.stderr
    assert snapshot(private_home) == before
    assert Path("/dev/null").is_char_device()


def test_a_name_that_says_no_format_is_refused(ten_days: Path, run: Cli, tmp_path: Path) -> None:
    result = run("export", "-o", str(tmp_path / "x.pdf"), now=at("2026-03-12 21:00"))
    assert result.exit_code == 2
    assert "x.pdf says no report format" in result.stderr
    assert not (tmp_path / "x.pdf").exists()


def test_a_report_to_standard_output(ten_days: Path, run: Cli, tmp_path: Path) -> None:
    markdown = run("export", "-o", "-", now=at("2026-03-12 21:00"))
    assert markdown.exit_code == 0
    assert markdown.stdout.startswith("# Five small days")
    assert "the photos stay in the data dir" in markdown.stderr
    assert str(tmp_path) not in markdown.stdout  # no local path, the data dir's included
    assert re.search(r"!\[Day 1, photo 1\]\([0-9a-f]{64}\.jpg\)", markdown.stdout)
    report = run("export", "-o", "-", "--format", "json", now=at("2026-03-12 21:00"))
    assert json.loads(report.stdout)["kind"] == "dailylist-report"
    assert list(tmp_path.glob("*-photos")) == []


def test_a_report_is_never_dated_before_its_journal(
    ten_days: Path, run: Cli, tmp_path: Path
) -> None:
    result = run("export", "-o", str(tmp_path / "r.json"), now=at("2026-03-12 19:50"))
    assert result.exit_code == 1
    assert "earlier than the journal's last entry" in result.stderr
    assert not (tmp_path / "r.json").exists()
    # A minute behind (a clock stepped back a little): dated just after the last event.
    result = run("export", "-o", str(tmp_path / "r.json"), now=at("2026-03-12 19:59"))
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "r.json").read_text("utf-8"))
    last = max(datetime.fromisoformat(event["at"]) for event in report["events"])
    assert datetime.fromisoformat(report["exported_at"]) > last
    verified = run(
        "verify", str(tmp_path / "r.json"), "--list", str(ten_days), now=at("2026-03-12 20:30")
    )
    assert verified.exit_code == 0, verified.output


def test_a_report_carries_nothing_of_this_computer(
    ten_days: Path, run: Cli, tmp_path: Path, private_home: Path
) -> None:
    """Events written by dailylist 0.1 named each photo's original path and the device by
    its host name: the report leaves both out (its chain made again), and still verifies."""
    from dailylist.chain import computed_id

    (folder,) = (private_home / "lists").iterdir()
    path = folder / "journal.json"
    document = json.loads(path.read_bytes())
    prev = None
    for event in document["events"]:
        event["device"] = "alices-laptop-1a2b3c"
        for photo in event.get("photos", []):
            photo["original_path"] = "/home/alice/Pictures/secret-trip/IMG_0001.jpg"
        event.pop("prev", None)
        if prev:
            event["prev"] = prev
        event["id"] = computed_id({k: v for k, v in event.items() if k != "id"})
        prev = event["id"]
    path.write_text(json.dumps(document, indent=2), encoding="utf-8")
    (folder / "snapshot.json").unlink()
    export(run, tmp_path / "r.json")
    text = (tmp_path / "r.json").read_text(encoding="utf-8")
    assert "alice" not in text
    assert "Pictures" not in text
    verified = run(
        "verify", str(tmp_path / "r.json"), "--list", str(ten_days), now=at("2026-03-13 09:00")
    )
    assert verified.exit_code == 0, verified.output


HOSTILE_NOTE = (
    "It went well <script>alert(1)</script> <img src=x onerror=alert(2)>\n"
    "![tracker](https://evil.example/p.png) [click](javascript:alert(3))\n"
    "## Day 99 · forged\n"
    "- a list\n"
    "1. a number\n"
    "`code` *bold* _it_ | table\n"
    "a title \x1b]0;owned\x07 and a bell"
)


def test_markdown_shows_a_reflection_as_it_is_and_runs_nothing(
    make_sealed: Callable[..., Path], run: Cli, tmp_path: Path
) -> None:
    from tests.conftest import make_photo

    assert run("open", str(make_sealed(2)), now=at("2026-03-01 07:00")).exit_code == 0
    assert run("today", now=at("2026-03-01 08:00")).exit_code == 0
    heic = make_photo(tmp_path / "p.heic", "HEIF")
    done = run("done", "--photo", str(heic), "--note", HOSTILE_NOTE, now=at("2026-03-01 20:00"))
    assert done.exit_code == 0, done.output
    assert (
        run("amend", "--note", HOSTILE_NOTE + "\nlater", now=at("2026-03-01 21:00")).exit_code == 0
    )
    export(run, tmp_path / "journal.md")
    text = (tmp_path / "journal.md").read_text(encoding="utf-8")
    assert "<script>" not in text
    assert "<img" not in text
    assert "![tracker]" not in text
    assert "](javascript:" not in text
    assert not any(
        line.startswith(("## Day 99", "- a list", "1. a number")) for line in text.splitlines()
    )
    assert "&lt;script&gt;" in text
    assert "\x1b" not in text  # `cat journal.md` retitles no terminal
    assert "x1b" in text  # shown as it was typed, visibly
    assert "## Day 1 · 2026-03-01 · Day title 1 · amended the same day" in text
    # The HEIC photo is there as a JPEG most viewers show; the link points at it.
    (photo,) = (tmp_path / "journal-photos").iterdir()
    assert photo.suffix == ".jpg"
    assert f"](journal-photos/{photo.name})" in text
    from PIL import Image

    with Image.open(photo) as image:
        assert image.format == "JPEG"
    export(run, tmp_path / "journal.html")
    page = (tmp_path / "journal.html").read_text(encoding="utf-8")
    assert "amended the same day" in page
    assert "<script>" not in page

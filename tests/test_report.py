"""Reports for the author: export in three formats, and verify catching every kind of edit."""

from __future__ import annotations

import copy
import json
import shutil
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from dailylist.models import event_id
from dailylist.report import Report, report_schema
from tests.conftest import Cli, at, item_text, make_photo, snapshot

#: Ten days done over twelve: the 5th and 6th of March are missed.
DAYS = [f"2026-03-{day:02d}" for day in (1, 2, 3, 4, 7, 8, 9, 10, 11, 12)]


@pytest.fixture
def ten_days(make_sealed: Callable[..., Path], run: Cli, tmp_path: Path) -> Path:
    """A 12-item list lived for ten days, each with its own photo; returns the sealed file."""
    sealed = make_sealed(12)
    assert run("open", str(sealed), now=at(f"{DAYS[0]} 07:00")).exit_code == 0
    for number, day in enumerate(DAYS, start=1):
        assert run("today", now=at(f"{day} 08:00")).exit_code == 0
        photo = make_photo(tmp_path / f"day{number}.jpg", size=(40 + number, 30))
        note = f"Reflection for day {number}: it felt <good> & new."
        done = run("done", "--photo", str(photo), "--note", note, now=at(f"{day} 20:00"))
        assert done.exit_code == 0, done.output
    return sealed


def export(run: Cli, path: Path, *extra: str) -> None:
    result = run("export", "-o", str(path), *extra, now=at("2026-03-12 21:00"))
    assert result.exit_code == 0, result.output


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
    report = Report.model_validate_json(path.read_bytes())
    assert [entry.day for entry in report.entries] == list(range(1, 11))
    assert report.summary.missed_days[0].isoformat() == "2026-03-05"
    assert len(list((tmp_path / report.photos_dir).iterdir())) == 10
    assert {"list", "entries", "events", "summary"} <= set(report_schema()["properties"])  # type: ignore[call-overload]
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


# --- verify: each kind of tampering, each with its reason ------------------------------------


@pytest.fixture
def genuine(ten_days: Path, run: Cli, tmp_path: Path) -> dict[str, Any]:
    export(run, tmp_path / "report.json")
    document: dict[str, Any] = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    return document


def _completed(document: dict[str, Any], day: int) -> dict[str, Any]:
    return next(
        e for e in document["events"] if e["kind"] == "completed" and e["index"] == day - 1
    )


def test_rehash_alone_keeps_a_report_genuine(
    genuine: dict[str, Any], ten_days: Path, run: Cli, tmp_path: Path
) -> None:
    """The forger's tool below is faithful: it changes nothing in a genuine report."""
    rehash(genuine)
    assert check(run, tmp_path, genuine, ten_days) == (0, {})


def rehash(document: dict[str, Any]) -> None:
    """What a careful forger would do: recompute every id so the chain looks whole."""
    prev = None
    for event in document["events"]:
        event["prev"] = prev
        fields = {key: value for key, value in event.items() if key != "id" and value is not None}
        event["id"] = event_id(fields)
        prev = event["id"]


def check(
    run: Cli, tmp_path: Path, document: dict[str, Any], sealed: Path
) -> tuple[int, dict[str, Any]]:
    path = tmp_path / "report.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    result = run("verify", str(path), "--list", str(sealed), "--json", now=at("2026-03-13 09:00"))
    verdict: dict[str, Any] = json.loads(result.stdout)
    return result.exit_code, {c["name"]: c["problems"] for c in verdict["checks"] if not c["ok"]}


def test_an_edited_reflection_breaks_the_chain(
    genuine: dict[str, Any], ten_days: Path, run: Cli, tmp_path: Path
) -> None:
    _completed(genuine, 4)["reflection"] = "It was easy, I did not cry."
    genuine["entries"][3]["reflection"] = "It was easy, I did not cry."
    code, failed = check(run, tmp_path, genuine, ten_days)
    assert code == 1
    assert any("day 4" in p and "changed" in p for p in failed["hash chain unbroken"])


def test_an_edited_entry_that_leaves_the_events_alone(
    genuine: dict[str, Any], ten_days: Path, run: Cli, tmp_path: Path
) -> None:
    genuine["entries"][1]["reflection"] = "rewritten"
    code, failed = check(run, tmp_path, genuine, ten_days)
    assert code == 1
    assert failed == {"entries match the journal": ["the entry for day 2 differs from its events"]}


def test_a_removed_entry_is_found_even_when_the_chain_is_rebuilt(
    genuine: dict[str, Any], ten_days: Path, run: Cli, tmp_path: Path
) -> None:
    genuine["events"].remove(_completed(genuine, 5))
    del genuine["entries"][4]
    code, failed = check(run, tmp_path, genuine, ten_days)
    assert code == 1
    assert "hash chain unbroken" in failed
    rehash(genuine)
    code, failed = check(run, tmp_path, genuine, ten_days)
    assert code == 1
    assert "hash chain unbroken" not in failed
    assert failed["in order, no item skipped"] == ["day 6 is entry 5: day 5 is missing"]


def test_two_swapped_entries(
    genuine: dict[str, Any], ten_days: Path, run: Cli, tmp_path: Path
) -> None:
    events = genuine["events"]
    first, second = events.index(_completed(genuine, 2)), events.index(_completed(genuine, 3))
    events[first], events[second] = events[second], events[first]
    genuine["entries"][1], genuine["entries"][2] = genuine["entries"][2], genuine["entries"][1]
    rehash(genuine)
    code, failed = check(run, tmp_path, genuine, ten_days)
    assert code == 1
    assert "hash chain unbroken" not in failed
    assert failed["in order, no item skipped"] == ["day 3 is entry 2: day 2 is missing"]


def test_a_replaced_photo(
    genuine: dict[str, Any], ten_days: Path, run: Cli, tmp_path: Path
) -> None:
    stored = genuine["entries"][6]["photos"][0]["stored_name"]
    make_photo(tmp_path / genuine["photos_dir"] / stored, "JPEG", size=(5, 5))
    code, failed = check(run, tmp_path, genuine, ten_days)
    assert code == 1
    assert failed == {"photos match their hashes": [f"day 7: photo {stored} was replaced"]}


def test_a_missing_photo(
    genuine: dict[str, Any], ten_days: Path, run: Cli, tmp_path: Path
) -> None:
    shutil.rmtree(tmp_path / genuine["photos_dir"])
    code, failed = check(run, tmp_path, genuine, ten_days)
    assert code == 1
    assert len(failed["photos match their hashes"]) == 10


def test_an_entry_moved_to_the_same_day_as_another(
    genuine: dict[str, Any], ten_days: Path, run: Cli, tmp_path: Path
) -> None:
    day2, day3 = _completed(genuine, 2), _completed(genuine, 3)
    day3["day"], day3["at"] = day2["day"], day2["at"]
    genuine["entries"][2]["date"] = day2["day"]
    genuine["entries"][2]["completed_at"] = day2["at"]
    rehash(genuine)
    code, failed = check(run, tmp_path, genuine, ten_days)
    assert code == 1
    assert "hash chain unbroken" not in failed
    assert failed["at most one a day"] == [
        "day 3 was done on 2026-03-02, not after day 2 (2026-03-02)"
    ]


def test_a_completion_before_its_reveal(
    genuine: dict[str, Any], ten_days: Path, run: Cli, tmp_path: Path
) -> None:
    reveal = next(e for e in genuine["events"] if e["kind"] == "revealed" and e["index"] == 8)
    reveal["at"] = "2026-03-11T21:00:00+01:00"
    rehash(genuine)
    code, failed = check(run, tmp_path, genuine, ten_days)
    assert code == 1
    assert "hash chain unbroken" not in failed
    assert failed["each done after its reveal"] == ["day 9 was done before it was revealed"]


def test_a_changed_item_text(
    genuine: dict[str, Any], ten_days: Path, run: Cli, tmp_path: Path
) -> None:
    genuine["entries"][0]["text"] = "Something much easier."
    code, failed = check(run, tmp_path, genuine, ten_days)
    assert code == 1
    assert failed == {
        "item texts match the sealed list": ["day 1: the item text is not the sealed one"]
    }


def test_a_report_from_another_list(
    genuine: dict[str, Any], make_sealed: Callable[..., Path], run: Cli, tmp_path: Path
) -> None:
    other = make_sealed(12)
    code, failed = check(run, tmp_path, copy.deepcopy(genuine), other)
    assert code == 1
    assert failed["same list and author"][0].startswith("the report is of list")


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"not json", "not a JSON report"), (b"{}", "not a dailylist report")],
)
def test_verify_refuses_what_is_not_a_report(
    content: bytes, message: str, ten_days: Path, run: Cli, tmp_path: Path
) -> None:
    path = tmp_path / "x.json"
    path.write_bytes(content)
    result = run("verify", str(path), "--list", str(ten_days), now=at("2026-03-13 09:00"))
    assert result.exit_code == 2
    assert message in result.stderr


def test_verify_human_output_names_the_failure(
    genuine: dict[str, Any], ten_days: Path, run: Cli, tmp_path: Path
) -> None:
    genuine["entries"][0]["text"] = "Something much easier."
    path = tmp_path / "report.json"
    path.write_text(json.dumps(genuine), encoding="utf-8")
    result = run("verify", str(path), "--list", str(ten_days), now=at("2026-03-13 09:00"))
    assert result.exit_code == 1
    assert "FAILED" in result.stdout
    assert "day 1: the item text is not the sealed one" in result.stdout

"""`verify` replays a report's events through the app's own rules: every forged report is
refused, naming the day and the reason, and the untouched export passes.

Most forgeries below rebuild the hash chain (`rehash`), as a careful forger would, so that
only the rules and the comparison with the replay can catch them.
"""

from __future__ import annotations

import copy
import json
import shutil
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dailylist.chain import event_id
from dailylist.cli import cli
from dailylist.clock import FixedClock
from tests.conftest import BERLIN, Cli, at, examples, export, make_photo

Document = dict[str, Any]


@pytest.fixture
def genuine(ten_days: Path, run: Cli, tmp_path: Path) -> Document:
    export(run, tmp_path / "report.json")
    document: Document = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    return document


def rehash(document: Document) -> None:
    """What a careful forger would do: recompute every id so the chain looks whole."""
    prev = None
    for event in document["events"]:
        event.pop("prev", None)
        if prev is not None:
            event["prev"] = prev
        event["id"] = event_id({key: value for key, value in event.items() if key != "id"})
        prev = event["id"]


def check(run: Cli, tmp_path: Path, document: Document, sealed: Path) -> tuple[int, Document]:
    """Verify `document` as report.json: the exit code, and each failed check's problems."""
    path = tmp_path / "report.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    result = run("verify", str(path), "--list", str(sealed), "--json", now=at("2026-03-13 09:00"))
    assert result.exit_code in (0, 1), result.output
    verdict: Document = json.loads(result.stdout)
    return result.exit_code, {c["name"]: c["problems"] for c in verdict["checks"] if not c["ok"]}


def event(document: Document, kind: str, day: int) -> Document:
    found: Document = next(
        e for e in document["events"] if e["kind"] == kind and e.get("index") == day - 1
    )
    return found


def test_the_untouched_export_is_genuine(
    genuine: Document, ten_days: Path, run: Cli, tmp_path: Path
) -> None:
    assert check(run, tmp_path, genuine, ten_days) == (0, {})


def test_rehash_alone_keeps_a_report_genuine(
    genuine: Document, ten_days: Path, run: Cli, tmp_path: Path
) -> None:
    """The forger's tool below is faithful: it changes nothing in a genuine report."""
    rehash(genuine)
    assert check(run, tmp_path, genuine, ten_days) == (0, {})


# --- events the app would never have written (the chain rebuilt) -----------------------------


def _insert_after(document: Document, anchor: Document, new: Document) -> None:
    events = document["events"]
    events.insert(events.index(anchor) + 1, new)


def _reveal(day: int, at_text: str) -> Document:
    return {"kind": "revealed", "index": day - 1, "at": at_text, "zone": "Europe/Berlin",
            "device": "forger", "id": "", "prev": None}  # fmt: skip


def reveal_ahead(document: Document) -> None:
    """Items 2 and 3 revealed on day 1, right after item 1 was done."""
    done = event(document, "completed", 1)
    _insert_after(document, done, _reveal(3, "2026-03-01T20:02:00+01:00"))
    _insert_after(document, done, _reveal(2, "2026-03-01T20:01:00+01:00"))


def reveal_before_done(document: Document) -> None:
    """Item 2 revealed before item 1 was done."""
    _insert_after(
        document, event(document, "revealed", 1), _reveal(2, "2026-03-01T08:30:00+01:00")
    )


def no_photo(document: Document) -> None:
    event(document, "completed", 4)["photos"] = []
    document["entries"][3]["photos"] = []


def no_reflection(document: Document) -> None:
    del event(document, "completed", 4)["reflection"]
    document["entries"][3]["reflection"] = None


def done_at_its_reveal(document: Document) -> None:
    reveal, done = event(document, "revealed", 3), event(document, "completed", 3)
    done["at"] = reveal["at"]
    document["entries"][2]["completed_at"] = reveal["at"]


def amend_before_done(document: Document) -> None:
    done = event(document, "completed", 6)
    amendment = {"kind": "amended", "index": 5, "day": done["day"], "reflection": "Later.",
                 "at": "2026-03-08T19:00:00+01:00", "zone": "Europe/Berlin", "device": "forger",
                 "id": "", "prev": None}  # fmt: skip
    events = document["events"]
    events.insert(events.index(done), amendment)


def a_zone_with_no_such_offset(document: Document) -> None:
    done = event(document, "completed", 2)
    done["at"] = "2026-03-02T20:00:00+05:00"  # Berlin is +01:00 in March
    document["entries"][1]["completed_at"] = done["at"]


def an_unknown_zone(document: Document) -> None:
    event(document, "revealed", 5)["zone"] = "Atlantis/Capital"


def two_in_one_day(document: Document) -> None:
    """Day 3 moved to day 2's list day, just after it."""
    day2, day3 = event(document, "completed", 2), event(document, "completed", 3)
    reveal3 = event(document, "revealed", 3)
    reveal3["at"] = "2026-03-02T20:30:00+01:00"
    day3["at"], day3["day"] = "2026-03-02T21:00:00+01:00", day2["day"]
    events = document["events"]
    for moved in (reveal3, day3):
        events.remove(moved)
    at = events.index(day2) + 1
    events[at:at] = [reveal3, day3]


def a_removed_day(document: Document) -> None:
    document["events"].remove(event(document, "completed", 5))
    del document["entries"][4]


def two_swapped_days(document: Document) -> None:
    events = document["events"]
    first, second = (
        events.index(event(document, "completed", 2)),
        events.index(event(document, "completed", 3)),
    )
    events[first], events[second] = events[second], events[first]


FORGERIES: dict[str, tuple[Callable[[Document], None], str, str]] = {
    "items revealed ahead": (reveal_ahead, "day 2 revealed", "day 1 is done; one a day"),
    "item 2 before item 1 is done": (reveal_before_done, "day 2 revealed", "already revealed"),
    "a required photo missing": (no_photo, "day 4 completed", "a photo is required"),
    "a required reflection missing": (no_reflection, "day 4 completed", "reflection is required"),
    "done at the instant of its reveal": (done_at_its_reveal, "day 3 completed", "not later"),
    "an amendment before its completion": (
        amend_before_done,
        "day 6 amended",
        "is not done yet, so there is nothing to amend",
    ),
    "an offset its zone never has": (a_zone_with_no_such_offset, "day 2", "does not exist in"),
    "a zone that is none": (an_unknown_zone, "day 5 revealed", "is not a time zone"),
    "two done on one list day": (two_in_one_day, "day 3 revealed", "day 2 is done"),
    "a day removed": (a_removed_day, "day 6 completed", "day 5 was the one"),
    "two days swapped": (two_swapped_days, "day 3 completed", "day 2 was the one"),
}


@pytest.mark.parametrize("name", list(FORGERIES))
def test_a_forged_event_is_refused_naming_its_day_and_why(
    name: str, genuine: Document, ten_days: Path, run: Cli, tmp_path: Path
) -> None:
    forge, day, reason = FORGERIES[name]
    forge(genuine)
    rehash(genuine)
    code, failed = check(run, tmp_path, genuine, ten_days)
    assert code == 1
    assert "hash chain unbroken" not in failed
    problems = failed["every event follows the rules"]
    assert any(day in p and reason in p for p in problems), problems


# --- a report whose other parts contradict its events ------------------------------------------


ENTRY_EDITS: dict[str, tuple[int, str, object]] = {
    "the reflection": (1, "reflection", "rewritten"),
    "photo_taken_before_reveal": (2, "photo_taken_before_reveal", True),
    "completed_at": (3, "completed_at", "2026-03-04T21:00:00+01:00"),
    "revealed_at": (4, "revealed_at", "2026-03-07T07:00:00+01:00"),
    "amended": (5, "amended", True),
    "the date": (6, "date", "2026-03-19"),
}


@pytest.mark.parametrize("name", list(ENTRY_EDITS))
def test_an_entry_that_contradicts_its_events(
    name: str, genuine: Document, ten_days: Path, run: Cli, tmp_path: Path
) -> None:
    position, key, value = ENTRY_EDITS[name]
    genuine["entries"][position][key] = value
    code, failed = check(run, tmp_path, genuine, ten_days)
    assert code == 1
    assert failed == {
        "entries match the events": [
            f"the entry for day {position + 1} differs from its events ({key})"
        ]
    }


@pytest.mark.parametrize(
    ("key", "value"),
    [("title", "Another title"), ("author", "Eve"), ("item_count", 3), ("fingerprint", "0000")],
)
def test_list_fields_must_be_the_sealed_ones(
    key: str, value: object, genuine: Document, ten_days: Path, run: Cli, tmp_path: Path
) -> None:
    genuine["list"][key] = value
    code, failed = check(run, tmp_path, genuine, ten_days)
    assert code == 1
    (problem,) = failed["same list and author"]
    assert problem.startswith(f"list.{key} is")


@pytest.mark.parametrize(
    ("key", "value"),
    [("done", 12), ("streak", 9), ("missed_days", []), ("item_count", 10)],
)
def test_the_summary_must_be_what_the_events_give(
    key: str, value: object, genuine: Document, ten_days: Path, run: Cli, tmp_path: Path
) -> None:
    genuine["summary"][key] = value
    code, failed = check(run, tmp_path, genuine, ten_days)
    assert code == 1
    (problem,) = failed["summary matches the events"]
    assert problem.startswith(f"summary.{key} is")


def test_an_export_time_before_the_events(
    genuine: Document, ten_days: Path, run: Cli, tmp_path: Path
) -> None:
    genuine["exported_at"] = "2026-02-01T10:00:00+01:00"
    code, failed = check(run, tmp_path, genuine, ten_days)
    assert code == 1
    assert "before the journal's last event" in failed["summary matches the events"][0]


def test_an_export_time_far_ahead_is_refused_at_once(
    genuine: Document, ten_days: Path, run: Cli, tmp_path: Path
) -> None:
    """Its figures would count every day up to it: year 8999 is millions of days."""
    genuine["exported_at"] = "8999-12-31T00:00:00+00:00"
    code, failed = check(run, tmp_path, genuine, ten_days)
    assert code == 1
    assert "later than now" in failed["summary matches the events"][0]


@pytest.mark.parametrize(
    ("raw_value", "says"),
    [
        ("NaN", "NaN is not a number JSON allows"),
        ('"\\ud800"', "half of a character"),
    ],
    ids=["NaN", "lone surrogate"],
)
def test_json_python_takes_but_no_writer_makes_is_refused(
    genuine: Document, ten_days: Path, run: Cli, tmp_path: Path, raw_value: str, says: str
) -> None:
    event(genuine, "completed", 4)["reflection"] = "MARK"
    path = tmp_path / "report.json"
    path.write_text(json.dumps(genuine).replace('"MARK"', raw_value), encoding="utf-8")
    result = run("verify", str(path), "--list", str(ten_days), now=at("2026-03-13 09:00"))
    assert result.exit_code == 2
    assert says in result.stderr


def test_offsets_with_seconds_are_times_too(
    genuine: Document, ten_days: Path, run: Cli, tmp_path: Path
) -> None:
    """Zones before 1972 had offsets like -00:44:30, and EXIF can say +02:00:30."""
    genuine["entries"][6]["photos"][0]["taken_at"] = "2026-03-07T08:00:00+02:00:30"
    code, failed = check(run, tmp_path, genuine, ten_days)
    assert code == 1
    assert list(failed) == ["entries match the events"]  # read, and compared: not refused


def _spaced_reflection(document: Document) -> None:
    event(document, "completed", 2)["reflection"] = "  padded \n"
    document["entries"][1]["reflection"] = "  padded \n"


def _blank_device(document: Document) -> None:
    event(document, "completed", 2)["device"] = ""


def _original_path(document: Document) -> None:
    event(document, "completed", 2)["photos"][0]["original_path"] = "/home/me/IMG_1.jpg"


def _another_file(document: Document) -> None:
    next(e for e in document["events"] if e["kind"] == "opened")["list_sha256"] = "0" * 64


@pytest.mark.parametrize(
    ("forge", "says"),
    [
        (_spaced_reflection, "its reflection is not as dailylist writes one"),
        (_blank_device, "names its device as no export does"),
        (_original_path, "names a photo's original path"),
        (_another_file, "opened another file than this sealed list"),
    ],
    ids=["reflection with spaces", "blank device", "original path", "another list file"],
)
def test_events_no_export_writes_are_refused_even_rehashed(
    genuine: Document,
    ten_days: Path,
    run: Cli,
    tmp_path: Path,
    forge: Callable[[Document], None],
    says: str,
) -> None:
    forge(genuine)
    rehash(genuine)
    code, failed = check(run, tmp_path, genuine, ten_days)
    assert code == 1
    assert any(says in problem for problem in failed["every event follows the rules"]), failed


@pytest.mark.parametrize(
    ("field", "value"), [("format", -7), ("photos_dir", "/etc"), ("photos_dir", "..")]
)
def test_report_fields_no_export_writes_are_refused(
    genuine: Document, ten_days: Path, run: Cli, tmp_path: Path, field: str, value: object
) -> None:
    genuine[field] = value
    path = tmp_path / "report.json"
    path.write_text(json.dumps(genuine), encoding="utf-8")
    result = run("verify", str(path), "--list", str(ten_days), now=at("2026-03-13 09:00"))
    assert result.exit_code == 2
    assert f"not a valid report ({field}" in result.stderr


# --- the chain, the photos, the list ----------------------------------------------------------


def test_an_edited_reflection_breaks_the_chain(
    genuine: Document, ten_days: Path, run: Cli, tmp_path: Path
) -> None:
    event(genuine, "completed", 4)["reflection"] = "It was easy, I did not cry."
    genuine["entries"][3]["reflection"] = "It was easy, I did not cry."
    code, failed = check(run, tmp_path, genuine, ten_days)
    assert code == 1
    assert any("day 4" in p and "changed" in p for p in failed["hash chain unbroken"])


def test_a_replaced_photo(genuine: Document, ten_days: Path, run: Cli, tmp_path: Path) -> None:
    stored = genuine["entries"][6]["photos"][0]["stored_name"]
    make_photo(tmp_path / genuine["photos_dir"] / stored, "JPEG", size=(5, 5))
    code, failed = check(run, tmp_path, genuine, ten_days)
    assert code == 1
    assert failed == {
        "photos match their hashes": [f"day 7: photo {stored} does not match its hash"]
    }


def test_a_missing_photo(genuine: Document, ten_days: Path, run: Cli, tmp_path: Path) -> None:
    for photo in (tmp_path / genuine["photos_dir"]).iterdir():
        photo.unlink()
    code, failed = check(run, tmp_path, genuine, ten_days)
    assert code == 1
    assert len(failed["photos match their hashes"]) == 10


def test_a_changed_item_text(genuine: Document, ten_days: Path, run: Cli, tmp_path: Path) -> None:
    genuine["entries"][0]["text"] = "Something much easier."
    code, failed = check(run, tmp_path, genuine, ten_days)
    assert code == 1
    assert failed == {
        "item texts match the sealed list": ["day 1: the item text is not the sealed one"]
    }


def test_a_report_from_another_list(
    genuine: Document, make_sealed: Callable[..., Path], run: Cli, tmp_path: Path
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
    genuine: Document, ten_days: Path, run: Cli, tmp_path: Path
) -> None:
    genuine["entries"][0]["text"] = "Something much easier."
    path = tmp_path / "report.json"
    path.write_text(json.dumps(genuine), encoding="utf-8")
    result = run("verify", str(path), "--list", str(ten_days), now=at("2026-03-13 09:00"))
    assert result.exit_code == 1
    assert "FAILED" in result.stdout
    assert "day 1: the item text is not the sealed one" in result.stdout


def test_a_report_renamed_with_its_folder_still_verifies(
    genuine: Document, ten_days: Path, run: Cli, tmp_path: Path
) -> None:
    moved = tmp_path / "sent"
    moved.mkdir()
    (moved / "march.json").write_text(json.dumps(genuine), encoding="utf-8")
    shutil.move(tmp_path / genuine["photos_dir"], moved / "march-photos")
    result = run(
        "verify", str(moved / "march.json"), "--list", str(ten_days), now=at("2026-03-13 09:00")
    )
    assert result.exit_code == 0, result.output
    missing = run(
        "verify", str(moved / "march.json"), "--list", str(ten_days),
        "--photos", str(tmp_path / "nowhere"), now=at("2026-03-13 09:00"),
    )  # fmt: skip
    assert missing.exit_code == 2
    assert "nowhere" in missing.stderr


# --- whatever a person did, its export is genuine ---------------------------------------------

#: Mostly at home, sometimes far away (the zone in force changes with `TZ`).
LIVED_ZONES = [
    *["Europe/Berlin"] * 4,
    "America/Los_Angeles",
    "Pacific/Kiritimati",
    "Pacific/Pago_Pago",
]


@settings(
    max_examples=examples(20, "DAILYLIST_FUZZ_EXAMPLES"),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    steps=st.lists(
        st.tuples(
            st.sampled_from(["today", "done", "today", "done", "amend"]),
            st.sampled_from(LIVED_ZONES),
            st.one_of(st.integers(1, 20 * 60), st.integers(-10, 0)),
        ),
        min_size=8,
        max_size=24,
    )
)
def test_verify_accepts_every_export_of_what_the_app_wrote(
    steps: list[tuple[str, str, int]], make_sealed: Callable[..., Path], tmp_path: Path
) -> None:
    """The real commands, run in random zones with random clock steps (some back): each
    export verifies, and every rule held."""
    sealed = make_sealed(5)
    photo = tmp_path / "p.jpg"
    if not photo.exists():
        make_photo(photo)
    with (
        tempfile.TemporaryDirectory(dir=tmp_path) as home,
        tempfile.TemporaryDirectory(dir=tmp_path) as out,
    ):
        env = {"DAILYLIST_HOME": home}

        def dailylist(*args: str, now: datetime) -> int:
            result = CliRunner().invoke(
                cli, list(args), obj={"clock": FixedClock(now)}, env=env, catch_exceptions=False
            )
            assert result.exit_code in (0, 1, 2), result.output
            return result.exit_code

        instant = latest = datetime(2026, 3, 28, 20, tzinfo=UTC)
        assert dailylist("open", str(sealed), now=instant) == 0
        for action, zone, minutes in steps:
            instant += timedelta(minutes=minutes)
            latest = max(latest, instant)
            now = instant.astimezone(ZoneInfo(zone))
            if action == "today":
                dailylist("today", now=now)
            elif action == "done":
                dailylist("done", "--photo", str(photo), "--note", "it was good", now=now)
            else:
                dailylist("amend", "--note", "better words", now=now)
        later = latest + timedelta(minutes=30)
        report = Path(out) / "r.json"
        assert dailylist("export", "-o", str(report), now=later.astimezone(BERLIN)) == 0
        assert dailylist("verify", str(report), "--list", str(sealed), now=later) == 0

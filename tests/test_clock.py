"""Where the time comes from: `$TZ`, the system's zone link, else tzlocal."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from dailylist import clock


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/usr/share/zoneinfo/Europe/Berlin", "Europe/Berlin"),
        ("../usr/share/zoneinfo/America/New_York", "America/New_York"),  # relative, as some do
        ("/var/db/timezone/zoneinfo/Asia/Tokyo", "Asia/Tokyo"),  # macOS
        ("/usr/share/zoneinfo/Not/A_Zone", None),
        ("/somewhere/else/Berlin", None),
        ("/usr/share/zoneinfo/", None),
    ],
)
def test_the_system_zone_is_read_from_its_link(
    tmp_path: Path, target: str, expected: str | None
) -> None:
    link = tmp_path / "localtime"
    link.symlink_to(target)
    found = clock.linked_zone(str(link))
    assert (found.key if found else None) == expected


def test_a_localtime_that_is_no_link_says_nothing(tmp_path: Path) -> None:
    plain = tmp_path / "localtime"
    plain.write_bytes(b"TZif")
    assert clock.linked_zone(str(plain)) is None
    assert clock.linked_zone(str(tmp_path / "missing")) is None


def test_tz_comes_first_then_the_link_then_tzlocal(monkeypatch: pytest.MonkeyPatch) -> None:
    import tzlocal

    monkeypatch.setattr(tzlocal, "get_localzone", lambda: ZoneInfo("Africa/Nairobi"))
    monkeypatch.setenv("TZ", "America/New_York")
    assert clock.local_zone() == ZoneInfo("America/New_York")
    monkeypatch.setenv("TZ", "Not/A_Zone")
    monkeypatch.setattr(clock, "linked_zone", lambda: ZoneInfo("Asia/Tokyo"))
    assert clock.local_zone() == ZoneInfo("Asia/Tokyo")
    monkeypatch.delenv("TZ")
    monkeypatch.setattr(clock, "linked_zone", lambda: None)
    assert clock.local_zone() == ZoneInfo("Africa/Nairobi")


def test_a_tz_that_names_no_zone_is_said_once(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from dailylist import clock

    monkeypatch.setattr(clock, "_SAID", set())
    monkeypatch.setattr(clock, "linked_zone", lambda: ZoneInfo("UTC"))
    monkeypatch.setenv("TZ", "Foo/Bar")
    assert clock.local_zone() == ZoneInfo("UTC")
    assert clock.local_zone() == ZoneInfo("UTC")
    said = capsys.readouterr().err
    assert said.count("TZ='Foo/Bar' names no time zone; using the system's, UTC") == 1


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Europe/Berlin", "Europe/Berlin"),
        ("/usr/share/zoneinfo/Asia/Tokyo", "Asia/Tokyo"),  # TZ=:/path, the ':' taken off
        ("UTC+3", "Etc/GMT+3"),  # POSIX: three hours behind UTC, as Etc/GMT+3 is
        ("JST-9", "Etc/GMT-9"),
        ("UTC0", "UTC"),
        ("EST5EDT", "EST5EDT"),  # a POSIX rule with a name of its own in the zone database
        ("GMT+14", None),  # no such zone
        ("CET-1CEST,M3.5.0,M10.5.0/3", None),  # a summer-time rule: say so, use the system's
        ("/somewhere/else", None),
        ("Foo/Bar", None),
    ],
)
def test_what_a_tz_value_names(value: str, expected: str | None) -> None:
    found = clock.tz_zone(value)
    assert (getattr(found, "key", None) if found else None) == expected


def test_tz_naming_the_systems_own_zone_file_is_the_systems_zone(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(clock, "_SAID", set())
    monkeypatch.setattr(clock, "system_zone", lambda: ZoneInfo("Asia/Kolkata"))
    monkeypatch.setenv("TZ", ":/etc/localtime")
    assert clock.local_zone() == ZoneInfo("Asia/Kolkata")
    assert capsys.readouterr().err == ""

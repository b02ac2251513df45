"""The phone's page tells the truth, and is the daily companion: forms bound to their day,
a double tap answered as the first, the letter, where the list stands, looking back, one
day in full, a kept address, and the page as a service."""

from __future__ import annotations

import json
import re
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from dailylist.store import DataDir
from tests.conftest import Cli, at, make_photo
from tests.phone_helpers import (
    Command,
    MovingClock,
    Served,
    fetch,
    journal_entries,
    jpeg,
    serving,
)


def _form_fields(text: str) -> dict[str, str]:
    """The hidden fields of the page's form (its day, and which showing it is)."""
    return dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', text))


# --- 4: a stale form answers no wrong day ------------------------------------------------------


def test_a_form_left_open_overnight_completes_no_other_day(
    page: Served, run: Cli, tmp_path: Path
) -> None:
    shown = page.get()  # day 1's form on the phone
    hidden = _form_fields(shown.text)
    assert hidden["day"] == "1"
    photo = make_photo(tmp_path / "p.jpg")
    # Day 1 done on the computer; the next morning `today` reveals day 2.
    assert (
        run("done", "--photo", str(photo), "--note", "one", now=at("2026-05-01 10:00")).exit_code
        == 0
    )
    assert run("today", now=at("2026-05-02 09:00")).exit_code == 0
    page.clock.move(hours=25)
    late = page.post("done", {**hidden, "reflection": "written for day one"}, [("a.jpg", jpeg())])
    assert late.status == 409
    assert "That form was for day 1" in late.text
    assert "written for day one" in late.text  # what was typed, kept
    assert "Day 2 of 5" in late.text
    assert [e["reflection"] for e in journal_entries(page.clock)] == ["one"]


def test_an_amend_form_left_open_overnight_changes_no_other_day(
    page: Served, run: Cli, tmp_path: Path
) -> None:
    page.get()
    page.clock.move(hours=1)
    assert page.post("done", {"reflection": "one"}, [("a.jpg", jpeg())]).status == 303
    hidden = _form_fields(page.get().text)  # day 1's amend form
    assert hidden["day"] == "1"
    photo = make_photo(tmp_path / "p.jpg")
    assert run("today", now=at("2026-05-02 09:00")).exit_code == 0
    assert (
        run("done", "--photo", str(photo), "--note", "two", now=at("2026-05-02 09:30")).exit_code
        == 0
    )
    page.clock.move(hours=24)
    late = page.post("amend", {**hidden, "reflection": "one, said better"})
    assert late.status == 409
    assert "That form was for day 1" in late.text
    assert "one, said better" in late.text
    assert [e["reflection"] for e in journal_entries(page.clock)] == ["one", "two"]


# --- 5: a double tap is answered as the first --------------------------------------------------


def test_the_same_form_sent_twice_shows_the_day_done_as_sent(page: Served) -> None:
    hidden = _form_fields(page.get().text)
    page.clock.move(hours=1)
    fields = {**hidden, "reflection": "tapped twice"}
    first = page.post("done", fields, [("a.jpg", jpeg())])
    second = page.post("done", fields, [("a.jpg", jpeg())])
    for answer in (first, second):
        assert answer.status == 303
        assert answer.headers["location"] == "./?said=done&day=1"
    after = page.get("?said=done&day=1")
    assert "Sent. The day is done" in after.text
    assert "already done" not in after.text
    assert [e["reflection"] for e in journal_entries(page.clock)] == ["tapped twice"]


def test_a_second_send_from_a_new_showing_is_still_refused(page: Served) -> None:
    """Only the same showing of the form counts as a second tap: another send the same day
    is the rules' "one a day"."""
    hidden = _form_fields(page.get().text)
    page.clock.move(hours=1)
    assert page.post("done", {**hidden, "reflection": "one"}, [("a.jpg", jpeg())]).status == 303
    other = page.post(
        "done", {"day": "1", "nonce": "another", "reflection": "again"}, [("b.jpg", jpeg())]
    )
    assert other.status == 409
    assert "already done" in other.text


def test_with_once_a_second_tap_is_answered_before_it_stops(opened: None, data: DataDir) -> None:
    clock = MovingClock(at("2026-05-01 09:00"))
    with serving(data, clock, once=True) as page:
        page.server.grace = 1.5
        hidden = _form_fields(page.get().text)
        clock.move(hours=1)
        fields = {**hidden, "reflection": "once, twice"}
        assert page.post("done", fields, [("a.jpg", jpeg())]).status == 303
        again = page.post("done", fields, [("a.jpg", jpeg())])
        assert again.status == 303
        after = page.get("?said=done&day=1")
        assert "Sent. The day is done" in after.text
        assert "has stopped" in after.text
        assert page.stopped(timeout=10)


# --- the companion pages --------------------------------------------------------------------


def test_the_letter_and_the_rules_are_a_tap_away(page: Served) -> None:
    today = page.get()
    assert 'href="letter"' in today.text
    assert 'href="journal"' in today.text
    letter = page.get("letter")
    assert letter.status == 200
    assert "Dear you," in letter.text
    assert "One a day." in letter.text
    assert "No skipping." in letter.text
    assert "fingerprint" in letter.text


def test_today_says_where_the_list_stands(page: Served) -> None:
    page.get()
    page.clock.move(hours=1)
    assert page.post("done", {"reflection": "x"}, [("a.jpg", jpeg())]).status == 303
    page.clock.move(days=2)  # 3 May: 2 May went by undone
    shown = page.get()
    standing = re.search(r'<p class="standing" id="standing">(.*?)</p>', shown.text)
    assert standing is not None
    assert "1 of 5 done" in standing.group(1)
    assert "1 missed day" in standing.group(1)
    assert "streak" in standing.group(1)


def test_looking_back_newest_first_and_one_day_in_full(page: Served, run: Cli) -> None:
    page.get()
    page.clock.move(hours=1)
    assert page.post("done", {"reflection": "the first day"}, [("a.jpg", jpeg())]).status == 303
    page.clock.move(days=1)
    page.get()
    page.clock.move(hours=1)
    assert (
        page.post(
            "done", {"reflection": "the second day"}, [("b.jpg", jpeg((200, 10, 10)))]
        ).status
        == 303
    )
    journal = page.get("journal")
    assert journal.status == 200
    assert journal.text.index("day-2") < journal.text.index("day-1")  # newest first
    assert "the first day" in journal.text
    assert "the second day" in journal.text
    assert journal.text.count("<img") == 2
    one = page.get("day/1")
    assert one.status == 200
    assert "the first day" in one.text
    assert "Secret challenge number 001" in one.text
    assert 'href="../journal"' in one.text
    ahead = page.get("day/4")
    assert ahead.status == 409
    assert "Secret challenge number 004" not in ahead.text  # never an item ahead
    assert page.get("day/99").status == 400


def test_the_page_can_be_kept_on_a_home_screen(page: Served) -> None:
    today = page.get()
    assert 'rel="manifest" href="manifest.webmanifest"' in today.text
    manifest = page.get("manifest.webmanifest")
    assert manifest.status == 200
    assert manifest.headers["content-type"] == "application/manifest+json"
    found = json.loads(manifest.text)
    assert found["start_url"] == "./"
    assert found["display"] == "standalone"
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(page.url)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=30)
    connection.request("GET", f"/{page.server.token}/icon.png")
    icon = connection.getresponse()
    assert icon.status == 200
    assert icon.getheader("content-type") == "image/png"
    assert icon.read().startswith(b"\x89PNG")
    connection.close()


def test_the_page_speaks_the_lists_language(
    make_sealed: Callable[..., Path], run: Cli, data: DataDir
) -> None:
    sealed = make_sealed(3, settings={"language": "de"})
    assert run("open", str(sealed), now=at("2026-05-01 08:00")).exit_code == 0
    with serving(data, MovingClock(at("2026-05-01 09:00"))) as page:
        assert '<html lang="de">' in page.get().text


def test_a_language_that_is_no_language_is_refused_at_check(run: Cli, tmp_path: Path) -> None:
    from tests.conftest import source_toml

    source = tmp_path / "bad.toml"
    source.write_text(source_toml(2, settings={"language": "<script>"}), encoding="utf-8")
    checked = run("check", str(source), now=at("2026-05-01 08:00"))
    assert checked.exit_code == 2
    assert "language" in checked.output


def test_every_control_is_big_enough_for_a_finger() -> None:
    from dailylist.phone.pages import STYLE

    for selector in ("button", "nav a", ".pick", "input[type=text], textarea"):
        rule = re.search(rf"{re.escape(selector)} \{{([^}}]*)\}}", STYLE)
        assert rule is not None, selector
        assert "min-height: 2.75rem" in rule.group(1), selector  # 44 CSS px


# --- a kept address, and the page as a service ------------------------------------------------


@pytest.mark.system
@pytest.mark.usefixtures("opened_now")
def test_a_kept_address_survives_a_restart_and_a_new_token_replaces_it(private_home: Path) -> None:
    first = Command(private_home, "--host", "127.0.0.1", "--keep")
    url = first.address()
    assert fetch(url)[0] == 200
    first.stop()
    kept = next((private_home / "phone").iterdir())
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    again = Command(private_home, "--host", "127.0.0.1", "--keep")
    assert again.address() == url  # the bookmark still works
    assert fetch(url)[0] == 200
    again.stop()
    renewed = Command(private_home, "--host", "127.0.0.1", "--keep", "--new-token")
    new_url = renewed.address()
    assert new_url != url
    assert new_url.rsplit("/", 2)[0] == url.rsplit("/", 2)[0]  # the same port
    assert fetch(url)[0] == 404
    renewed.stop()


@pytest.mark.system
def test_the_page_as_a_systemd_user_service(
    opened: None, run: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config))
    calls = tmp_path / "systemctl.log"
    fake = tmp_path / "bin" / "systemctl"
    fake.parent.mkdir()
    fake.write_text(f'#!/bin/sh\necho "$@" >> {calls}\n', encoding="utf-8")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}:/usr/bin:/bin")
    printed = run("phone", "--service", now=at("2026-05-01 09:00"))
    assert printed.exit_code == 0, printed.output
    assert "ExecStart=/usr/bin/env" in printed.stdout
    assert "phone --keep --list five-small-days" in printed.stdout
    assert not config.exists()  # printed only
    installed = run("phone", "--service", "--install", now=at("2026-05-01 09:00"))
    assert installed.exit_code == 0, installed.output
    unit = config / "systemd" / "user" / "dailylist-phone-five-small-days.service"
    assert unit.is_file()
    assert "enable dailylist-phone-five-small-days.service" in calls.read_text("utf-8")
    removed = run("phone", "--service", "--uninstall", now=at("2026-05-01 09:00"))
    assert removed.exit_code == 0, removed.output
    assert not unit.exists()


def test_every_form_is_a_plain_form_that_works_without_the_script(page: Served) -> None:
    """The script only adds the preview and the progress: each form posts by itself (the
    other tests of the page send them so, as a browser without scripts does)."""
    shown = page.get().text
    for form in re.findall(r"<form [^>]*>", shown):
        assert 'method="post"' in form
        assert 'enctype="multipart/form-data"' in form
    assert "<noscript" not in shown  # nothing is missing without it
    page.clock.move(hours=1)
    assert page.post("done", {"reflection": "no script"}, [("a.jpg", jpeg())]).status == 303

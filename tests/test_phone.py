"""`dailylist phone`: the page does what `today`, `done` and `amend` do, and nothing else.

The page is served on the loopback address in a thread, with a clock the test moves; a
client speaks HTTP to it as a browser would (multipart forms). The browser itself, the real
command and its QR code are in `test_phone_browser.py`.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import socket
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from dailylist.phone import form as phone_form
from dailylist.phone.gate import MAX_WRONG_TRIES, Gate
from dailylist.store import DataDir
from tests.conftest import Cli, at, item_text, make_photo, snapshot
from tests.phone_helpers import (
    MovingClock,
    Served,
    Ticking,
    journal_entries,
    jpeg,
    leftovers,
    list_folder,
    serving,
)

# --- what the page shows ----------------------------------------------------------------------


def test_opening_the_page_reveals_todays_item_and_only_it(page: Served, run: Cli) -> None:
    answer = page.get()
    assert answer.status == 200
    assert item_text(1) in answer.text
    assert all(item_text(n) not in answer.text for n in range(2, 6))
    assert 'capture="environment"' in answer.text  # the camera, and the gallery beside it
    assert 'accept="image/*" multiple' in answer.text
    shown = json.loads(run("today", "--json", now=at("2026-05-01 09:30")).stdout)
    assert shown["day"] == 1
    assert shown["revealed_at"].startswith("2026-05-01T09:00")  # the page revealed it


def test_every_answer_allows_only_its_own_style_and_script_no_caching_nothing_from_elsewhere(
    page: Served,
) -> None:
    answer = page.get()
    policy = answer.headers["content-security-policy"]
    assert "default-src 'none'" in policy
    assert "unsafe" not in policy
    for tag, directive in (("style", "style-src"), ("script", "script-src")):
        (found,) = re.findall(rf"<{tag}>(.*?)</{tag}>", answer.text, re.S)
        digest = base64.b64encode(hashlib.sha256(found.encode()).digest()).decode()
        allowed = re.search(rf"{directive} ([^;]+)", policy)
        assert allowed is not None
        assert allowed.group(1) == f"'sha256-{digest}'"  # that one, by its hash, nothing else
    assert "<script src" not in answer.text.lower()
    assert answer.headers["cache-control"] == "no-store"
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["referrer-policy"] == "no-referrer"
    assert answer.headers["server"] == "dailylist"
    assert not re.search(r"(src|href)=\"(https?:)?//", answer.text)  # nothing from elsewhere
    assert page.request("GET", "/nope/").headers["cache-control"] == "no-store"


def test_without_the_token_every_request_gets_the_same_404(page: Served) -> None:
    token = page.server.token
    wrong = [
        "/",
        f"/{token[:-1]}/",
        f"/{token[:-1]}{'A' if token[-1] != 'A' else 'B'}/",
        f"/{token}x/",
        f"/x{token}/done",
        "/../etc/passwd",
        "/favicon.ico",
    ]
    answers = [page.request("GET", path) for path in wrong]
    assert {a.status for a in answers} == {404}
    assert len({a.text for a in answers}) == 1  # learns nothing about how close it was
    posted = page.request(
        "POST", "/wrong/done", b"x" * 10, {"Content-Type": "multipart/form-data; boundary=b"}
    )
    assert posted.status == 404
    assert page.get().status == 200


@pytest.mark.usefixtures("other_devices")
def test_wrong_tries_turn_their_sender_away_for_a_while_never_stop_the_page(
    opened: None, data: DataDir
) -> None:
    ticking = Ticking()
    with serving(data, MovingClock(at("2026-05-01 09:00")), gate=Gate(now=ticking)) as page:
        stranger = "127.0.0.2"
        for number in range(MAX_WRONG_TRIES - 1):
            assert page.request("GET", f"/guess{number}/", source=stranger).status == 404
        for _ in range(3):  # what browsers ask for by themselves is not a guess
            assert page.request("GET", "/favicon.ico", source=stranger).status == 404
        assert page.get(source=stranger).status == 200  # the page used among stray requests
        for number in range(MAX_WRONG_TRIES - 1):  # any method: counted again from nothing
            assert page.request("BREW", f"/guess{number}/", source=stranger).status == 404
        assert page.log == []
        assert page.request("GET", "/one-too-many/", source=stranger).status == 404
        with pytest.raises(ConnectionError):  # turned away where connections are accepted
            page.get(source=stranger)
        assert page.get().status == 200  # the owner, at another address, is not
        (said,) = page.log
        assert said.startswith(f"{stranger} asked for {MAX_WRONG_TRIES} wrong addresses")
        assert "turned away for 1 minute" in said
        assert not page.stopped(timeout=0.5)  # the page goes on

        ticking.seconds += 61  # the block lifts after a while
        assert page.get(source=stranger).status == 200
        for number in range(MAX_WRONG_TRIES):  # and comes back longer, said again
            page.request("GET", f"/again{number}/", source=stranger)
        assert "turned away for 2 minutes" in page.log[-1]
        assert len(page.log) == 2


def test_the_address_without_its_slash_leads_to_the_page(page: Served) -> None:
    answer = page.request("GET", f"/{page.server.token}")
    assert answer.status == 303
    assert answer.headers["location"] == f"/{page.server.token}/"


# --- done and amend ---------------------------------------------------------------------------


def test_sending_the_form_is_done_with_the_same_checks(page: Served, private_home: Path) -> None:
    page.get()
    page.clock.move(hours=1)
    sent = page.post("done", {"reflection": "Walked to the river."}, [("IMG_0001.JPG", jpeg())])
    assert sent.status == 303
    assert sent.headers["location"] == "./?said=done&day=1"
    (entry,) = journal_entries(page.clock)
    assert entry["day"] == 1
    assert entry["reflection"] == "Walked to the river."
    assert len(entry["photos"]) == 1
    after = page.get("?said=done")
    assert "The day is done" in after.text
    assert "data:image/jpeg;base64," in after.text  # today's photo, shown inline
    assert 'action="amend"' in after.text
    assert 'action="done"' not in after.text
    assert any("day 1 done" in line for line in page.log)
    assert leftovers(private_home) == []


def test_lines_end_as_typed_whatever_sends_them(page: Served, run: Cli, tmp_path: Path) -> None:
    page.get()
    page.clock.move(hours=1)
    assert page.post("done", {"reflection": "one\r\ntwo"}, [("a.jpg", jpeg())]).status == 303
    assert journal_entries(page.clock)[0]["reflection"] == "one\ntwo"
    unchanged = page.post("amend", {"reflection": "one\r\ntwo\r\n"})
    assert "Nothing changed" in unchanged.text
    note = run("amend", "--note", "three\r\nfour\rfive", now=at("2026-05-01 11:00"))
    assert note.exit_code == 0, note.output
    assert journal_entries(page.clock)[0]["reflection"] == "three\nfour\nfive"


def test_a_second_send_the_same_day_is_refused_on_the_page(page: Served) -> None:
    page.get()
    page.clock.move(hours=1)
    assert page.post("done", {"reflection": "one"}, [("a.jpg", jpeg())]).status == 303
    page.clock.move(minutes=5)
    again = page.post("done", {"reflection": "two"}, [("b.jpg", jpeg((200, 30, 30)))])
    assert again.status == 409
    assert "already done" in again.text
    assert 'class="refused"' in again.text
    assert [e["reflection"] for e in journal_entries(page.clock)] == ["one"]


@pytest.mark.parametrize(
    ("photos", "fields", "says"),
    [
        ([("notes.txt", b"just some text\n")], {"reflection": "kept"}, "is not an image"),
        ([], {"reflection": "kept"}, "A photo is required as proof."),
        ([("a.jpg", jpeg())], {"reflection": "   "}, "A reflection is required."),
        ([("half.jpg", jpeg()[:200])], {"reflection": "kept"}, "damaged or truncated"),
    ],
    ids=["text file", "no photo", "blank reflection", "truncated photo"],
)
def test_a_refused_send_says_why_and_keeps_what_was_written(
    page: Served,
    private_home: Path,
    photos: list[tuple[str, bytes]],
    fields: dict[str, str],
    says: str,
) -> None:
    page.get()
    before = snapshot(private_home)
    page.clock.move(hours=1)
    refused = page.post("done", fields, photos)
    assert refused.status == 400
    assert says in refused.text
    if fields["reflection"].strip():
        assert f">{fields['reflection']}</textarea>" in refused.text
    assert snapshot(private_home) == before
    assert journal_entries(page.clock) == []


def test_an_iphone_photo_is_taken(page: Served, tmp_path: Path) -> None:
    heic = make_photo(tmp_path / "IMG_0002.HEIC", "HEIF").read_bytes()
    page.get()
    page.clock.move(hours=1)
    assert page.post("done", {"reflection": "x"}, [("IMG_0002.HEIC", heic)]).status == 303
    (entry,) = journal_entries(page.clock)
    assert entry["photos"][0]["format"] == "HEIF"
    assert "data:image/jpeg;base64," in page.get().text  # shown as JPEG, which phones draw


def test_amend_from_the_page_on_the_same_day_only(page: Served) -> None:
    page.get()
    page.clock.move(hours=1)
    assert page.post("done", {"reflection": "first"}, [("a.jpg", jpeg())]).status == 303
    unchanged = page.post("amend", {"reflection": "first"})
    assert unchanged.status == 400
    assert "Nothing changed" in unchanged.text
    changed = page.post("amend", {"reflection": "better"}, [("b.jpg", jpeg((9, 9, 9)))])
    assert changed.status == 303
    assert changed.headers["location"] == "./?said=amended&day=1"
    (entry,) = journal_entries(page.clock)
    assert entry["reflection"] == "better"
    assert entry["amended"] is True
    assert "better" in page.get().text
    page.clock.move(days=1)  # the next day: day 2 is shown, day 1 can no longer change
    late = page.post("amend", {"reflection": "too late"})
    assert late.status == 409
    assert item_text(2) in late.text
    assert journal_entries(page.clock)[0]["reflection"] == "better"


def test_after_the_day_the_page_says_when_the_next_unlocks(page: Served) -> None:
    page.get()
    page.clock.move(hours=1)
    assert page.post("done", {"reflection": "x"}, [("a.jpg", jpeg())]).status == 303
    page.clock.move(hours=17)  # 2 May, 03:00: the day starts at 04:00
    waiting = page.get()
    assert "The next item unlocks today at 4:00." in waiting.text  # words a person uses
    assert item_text(2) not in waiting.text
    assert 'action="done"' not in waiting.text
    page.clock.move(hours=2)
    assert item_text(2) in page.get().text


def test_a_check_in_day_asks_for_its_code_on_the_page(checkin_code: str, data: DataDir) -> None:
    with serving(data, MovingClock(at("2026-05-01 09:00"))) as page:
        asked = page.get()
        assert 'action="code"' in asked.text
        assert item_text(1) not in asked.text
        wrong = page.post("code", {"code": "AAAA-BBBB-CCCC-<DDDD>"})
        assert wrong.status == 400
        assert item_text(1) not in wrong.text
        assert 'value="AAAA-BBBB-CCCC-&lt;DDDD&gt;"' in wrong.text  # kept, to mend
        right = page.post("code", {"code": checkin_code})
        assert right.status == 303
        assert item_text(1) in page.get("?said=opened").text


# --- what the server takes ---------------------------------------------------------------------


def test_caps_hold_while_reading_and_keep_the_reflection(
    page: Served, private_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page.get()
    before = snapshot(private_home)
    monkeypatch.setattr(phone_form, "MAX_PHOTO_BYTES", 1000)
    big = page.post("done", {"reflection": "kept"}, [("big.jpg", jpeg(size=(400, 300)))])
    assert big.status == 413
    assert "Photo big.jpg is larger than" in big.text
    assert ">kept</textarea>" in big.text
    monkeypatch.setattr(phone_form, "MAX_FILES", 2)
    many = page.post("done", {"reflection": "kept"}, [(f"{n}.jpg", b"x") for n in range(3)])
    assert "At most 2 photos at once." in many.text
    monkeypatch.setattr(phone_form, "MAX_FIELD", 10)
    long = page.post("done", {"reflection": "x" * 11}, [("a.jpg", b"x")])
    assert long.status == 413
    assert "The text is longer than" in long.text
    monkeypatch.setattr(phone_form, "MAX_BODY", 100)
    huge = page.post("done", {"reflection": "x" * 200})
    assert huge.status == 413
    assert snapshot(private_home) == before
    assert leftovers(private_home) == []


def test_a_form_that_is_not_one_is_answered_not_crashed_on(
    page: Served, private_home: Path
) -> None:
    page.get()
    before = snapshot(private_home)
    path = f"/{page.server.token}/done"
    plain = page.request(
        "POST", path, b"reflection=x", {"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert plain.status == 415
    broken = page.request(
        "POST", path, b"--b\r\nnot a part", {"Content-Type": "multipart/form-data; boundary=b"}
    )
    assert broken.status == 400
    assert "not sent whole" in broken.text
    assert snapshot(private_home) == before


def test_an_upload_cut_off_midway_leaves_nothing(page: Served, private_home: Path) -> None:
    page.get()
    before = snapshot(private_home)
    host, port = page.server.server_address[:2]
    head = (
        f"POST /{page.server.token}/done HTTP/1.1\r\nHost: {page.host}\r\n"
        "Content-Type: multipart/form-data; boundary=b\r\nContent-Length: 100000\r\n\r\n"
        '--b\r\nContent-Disposition: form-data; name="photo"; filename="a.jpg"\r\n\r\n'
    )
    with socket.create_connection((str(host), int(port)), timeout=10) as client:
        client.sendall(head.encode() + jpeg()[:500])
        client.shutdown(socket.SHUT_WR)  # the phone walked out of the Wi-Fi
        answer = b"".join(iter(lambda: client.recv(65536), b"")).decode("utf-8", "replace")
    assert "stopped arriving" in answer or answer == ""
    assert snapshot(private_home) == before
    assert leftovers(private_home) == []


def test_the_server_holds_under_load_and_records_once(
    page: Served, private_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """100 requests from 10 clients: pages, 20 wrong addresses, oversized photos and 20
    sends of the day racing each other. Exactly one is recorded, whole; everything else
    is answered."""
    page.get()
    page.clock.move(hours=1)
    monkeypatch.setattr(phone_form, "MAX_PHOTO_BYTES", 50_000)
    oversized = jpeg(size=(800, 600)) + b"\0" * 60_000

    def one(number: int) -> int:
        kind = number % 5
        if kind == 0:
            return page.post(
                "done", {"reflection": f"send {number}"}, [("a.jpg", jpeg((number, 0, 0)))]
            ).status
        if kind == 1:  # 20 wrong addresses among the right ones: the owner is not turned away
            return page.request("GET", f"/guess-{number}/").status
        if kind == 2:
            return page.post("done", {"reflection": "big"}, [("big.jpg", oversized)]).status
        return page.get().status

    with ThreadPoolExecutor(max_workers=10) as pool:
        statuses = list(pool.map(one, range(100)))
    assert not [s for s in statuses if s >= 500]
    assert statuses.count(303) == 1
    assert statuses.count(404) == 20 > MAX_WRONG_TRIES
    assert page.log == [line for line in page.log if "day 1 done" in line]
    (entry,) = journal_entries(page.clock)
    assert entry["reflection"].startswith("send ")
    assert leftovers(private_home) == []
    photos = list((list_folder(private_home) / "photos").iterdir())
    assert len(photos) == 1  # the refused sends kept nothing


def test_stopping_waits_for_the_send_being_recorded(
    opened: None, data: DataDir, private_home: Path
) -> None:
    clock = MovingClock(at("2026-05-01 09:00"))
    with serving(data, clock) as page:
        page.get()
        clock.move(hours=1)
        results: list[int] = []
        sender = threading.Thread(
            target=lambda: results.append(
                page.post("done", {"reflection": "x"}, [("a.jpg", jpeg())]).status
            )
        )
        sender.start()
        sender.join(30)
    assert results in ([303], [503])
    assert len(journal_entries(clock)) == (1 if results == [303] else 0)
    assert leftovers(private_home) == []


# --- what a tester found: answers that did not arrive, odd hosts, stale words -------------------


def _reset_after_sending(served: Served, raw: bytes | str) -> None:
    """Send `raw` and drop the connection at once (RST), as a phone walking away does."""
    import struct

    host, port = served.server.server_address[:2]
    client = socket.create_connection((str(host), int(port)), timeout=10)
    client.sendall(raw.encode() if isinstance(raw, str) else raw)
    client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    client.close()


@pytest.mark.usefixtures("other_devices")
def test_the_wrong_try_that_turns_its_sender_away_need_not_hear_its_answer(
    opened: None, data: DataDir
) -> None:
    with serving(data, MovingClock(at("2026-05-01 09:00"))) as page:
        for number in range(MAX_WRONG_TRIES - 1):
            assert page.request("GET", f"/guess{number}/").status == 404
        _reset_after_sending(page, f"GET /the-tenth/ HTTP/1.0\r\nHost: {page.host}\r\n\r\n")
        for _ in range(50):  # until the tenth is counted: then this address is turned away
            if page.log:
                break
            page.thread.join(0.1)
        assert "asked for 10 wrong addresses" in page.log[0]
        assert page.get(source="127.0.0.3").status == 200


def test_once_stops_when_the_day_is_recorded_even_if_the_phone_is_gone(
    opened: None, data: DataDir, private_home: Path
) -> None:
    import urllib3

    clock = MovingClock(at("2026-05-01 09:00"))
    with serving(data, clock, once=True) as page:
        page.server.grace = 0.2
        page.get()
        clock.move(hours=1)
        body, kind = urllib3.encode_multipart_formdata(
            [("photo", ("a.jpg", jpeg())), ("reflection", "sent, then gone")]
        )
        head = (
            f"POST /{page.server.token}/done HTTP/1.0\r\nHost: {page.host}\r\n"
            f"Content-Type: {kind}\r\nContent-Length: {len(body)}\r\n\r\n"
        ).encode()
        _reset_after_sending(page, head + body)
        assert page.stopped(timeout=20)
        assert page.server.day_done
    assert [e["reflection"] for e in journal_entries(clock)] == ["sent, then gone"]


def test_once_on_a_day_done_already_stops_after_a_change(opened: None, data: DataDir) -> None:
    clock = MovingClock(at("2026-05-01 09:00"))
    with serving(data, clock) as page:
        page.get()
        clock.move(hours=1)
        assert page.post("done", {"reflection": "one"}, [("a.jpg", jpeg())]).status == 303
    with serving(data, clock, once=True) as page:
        page.server.grace = 1
        changed = page.post("amend", {"reflection": "one, better"})
        assert changed.status == 303  # sent, then the page to read (POST, redirect, GET)
        assert "has stopped" in page.get().text
        assert page.stopped(timeout=10)


def test_a_photo_gone_from_the_store_leaves_the_page_working(
    page: Served, private_home: Path
) -> None:
    page.get()
    page.clock.move(hours=1)
    assert page.post("done", {"reflection": "x"}, [("a.jpg", jpeg())]).status == 303
    for photo in (list_folder(private_home) / "photos").iterdir():
        photo.write_bytes(photo.read_bytes()[:100])
    shown = page.get()
    assert shown.status == 200
    assert "cannot be shown" in shown.text
    assert 'action="amend"' in shown.text


def test_a_stalled_upload_is_dropped_quietly(
    page: Served, private_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dailylist.phone import server as phone_server

    monkeypatch.setattr(phone_server, "BODY_SECONDS", 1)
    page.get()
    before = snapshot(private_home)
    host, port = page.server.server_address[:2]
    head = (
        f"POST /{page.server.token}/done HTTP/1.0\r\nHost: {page.host}\r\n"
        "Content-Type: multipart/form-data; boundary=b\r\nContent-Length: 500\r\n\r\n--b\r\n"
    )
    with socket.create_connection((str(host), int(port)), timeout=10) as client:
        client.sendall(head.encode())
        answer = b"".join(iter(lambda: client.recv(65536), b""))  # waits for the timeout
    assert b" 500 " not in answer.split(b"\r\n")[0] if answer else True
    assert not [line for line in page.log if "failed" in line]
    assert snapshot(private_home) == before
    assert leftovers(private_home) == []


def test_what_was_said_is_not_said_again_on_another_day(page: Served) -> None:
    page.get()
    page.clock.move(hours=1)
    sent = page.post("done", {"reflection": "x"}, [("a.jpg", jpeg())])
    assert sent.headers["location"] == "./?said=done&day=1"
    assert "The day is done" in page.get("?said=done&day=1").text
    page.clock.move(days=1)
    later = page.get("?said=done&day=1")  # the same tab, reloaded the next morning
    assert item_text(2) in later.text
    assert "The day is done" not in later.text


def test_a_code_when_none_is_wanted_says_nothing(page: Served) -> None:
    page.get()
    answer = page.post("code", {"code": "nope"})
    assert answer.status == 303
    assert answer.headers["location"] == "./"
    assert not [line for line in page.log if "code" in line]


def test_head_icons_and_floods_of_parts(page: Served) -> None:
    assert page.request("HEAD", f"/{page.server.token}/").status == 200
    for _ in range(MAX_WRONG_TRIES + 2):  # what iPhones ask for by themselves
        assert page.request("GET", "/apple-touch-icon-120x120.png").status == 404
    assert page.get().status == 200  # not turned away
    flood = page.post("done", {f"field{n}": "x" for n in range(200)})
    assert flood.status == 400
    assert "not a form of this page" in flood.text


@pytest.mark.parametrize("host", ["0", "0.0.0.0", "::0", "[::]", "0:0:0:0:0:0:0:0"])
def test_no_host_that_means_every_address(opened: None, run: Cli, host: str) -> None:
    result = run("phone", "--host", host, now=at("2026-05-01 09:00"))
    assert result.exit_code == 2
    assert "every address" in result.stderr


# --- photos made small for the page once, and words that are true -------------------------------


def _data_uris(text: str) -> list[bytes]:
    return [
        base64.b64decode(uri) for uri in re.findall(r'src="data:image/jpeg;base64,([^"]+)"', text)
    ]


def test_the_page_makes_its_copy_of_a_photo_once_and_keeps_it(
    page: Served, private_home: Path, run: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large photo is made small for the page on its first load only; the copy is kept
    in the list's folder, private, named by the photo's hash and size; a kept copy that is
    missing or damaged is made again; `doctor` calls none of it damage."""
    import io

    from PIL import Image

    from dailylist import photos

    raw = io.BytesIO()
    Image.effect_noise((1700, 400), 60).convert("RGB").save(raw, "PNG")
    digest = hashlib.sha256(raw.getvalue()).hexdigest()
    page.get()
    page.clock.move(hours=1)
    assert page.post("done", {"reflection": "x"}, [("big.png", raw.getvalue())]).status == 303
    made: list[Path] = []
    making = photos.jpeg_copy
    monkeypatch.setattr(
        photos, "jpeg_copy", lambda path, size: made.append(path) or making(path, size)
    )

    first, second = page.get(), page.get()
    assert len(made) == 1  # the second load does not decode the photo again
    folder = list_folder(private_home) / "page-copies"
    (kept,) = folder.iterdir()
    assert kept.name == f"{digest}-{photos.PAGE_PIXELS}.jpg"
    assert kept.stat().st_mode & 0o777 == 0o600
    assert folder.stat().st_mode & 0o777 == 0o700
    assert _data_uris(first.text) == _data_uris(second.text) == [kept.read_bytes()]
    with Image.open(kept) as copy:
        assert copy.format == "JPEG"
        assert max(copy.size) == photos.PAGE_PIXELS
        assert not copy.getexif()

    kept.write_bytes(kept.read_bytes()[:5000])  # damaged: made again
    assert _data_uris(page.get().text) == [kept.read_bytes()]
    assert len(made) == 2
    kept.unlink()  # gone: made again
    page.get()
    assert len(made) == 3
    assert kept.is_file()

    doctor = run("doctor", "--json", now=page.clock.now())
    assert doctor.exit_code == 0, doctor.output
    checks = {c["name"]: c for c in json.loads(doctor.stdout)["lists"][0]["checks"]}
    assert checks["leftovers"]["detail"] == "none"
    assert checks["permissions"]["ok"]

    # A kept copy is never the truth: the stored photo gone, the page says so.
    (list_folder(private_home) / "photos" / f"{digest}.png").unlink()
    assert "Photo 1 cannot be shown" in page.get().text
    assert len(made) == 3


def test_a_send_before_the_item_was_shown_shows_it_and_keeps_the_text(page: Served) -> None:
    """A form from a page that never showed today's item (an older one, a bookmark): the
    answer shows the item now, says so, and keeps what was written."""
    from html import unescape

    from dailylist.phone.app import SHOWN_NOW

    page.clock.move(hours=1)
    early = page.post("done", {"reflection": "Written ahead."}, [("a.jpg", jpeg())])
    assert early.status == 409
    shown = unescape(early.text)
    assert SHOWN_NOW in shown
    assert "open the page again" not in shown
    assert item_text(1) in shown
    assert ">Written ahead.</textarea>" in shown
    assert journal_entries(page.clock) == []
    page.clock.move(minutes=2)
    again = page.post("done", {"reflection": "Written ahead."}, [("a.jpg", jpeg())])
    assert again.status == 303


def test_a_phone_photo_with_a_gain_map_is_taken_from_the_page(
    page: Served, tmp_path: Path
) -> None:
    from tests.test_photos import make_mpo

    mpo = make_mpo(tmp_path / "PXL_0003.jpg").read_bytes()
    page.get()
    page.clock.move(hours=1)
    assert page.post("done", {"reflection": "x"}, [("PXL_0003.jpg", mpo)]).status == 303
    (entry,) = journal_entries(page.clock)
    assert entry["photos"][0]["format"] == "JPEG"
    assert entry["photos"][0]["sha256"] == hashlib.sha256(mpo).hexdigest()
    assert len(_data_uris(page.get().text)) == 1

"""`dailylist phone` on a real network: connections capped where they are accepted, deadlines
that a trickle cannot stretch, wrong requests that turn their sender away but never stop the
page, a Host that must be the page's own, and no busy loop when the system has no file left.

The gate is tested alone with a time the test moves; the server with real sockets, another
device played by another loopback address (127.0.0.2 and on); and the load tests against
the real command in its own process. The load tests hold the owner's page to loading within
2 seconds, as the issue asks: on this loopback network it takes milliseconds, so the bound
is generous, and it fails only when the page is starved (before the cap, it timed out).
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from dailylist.phone import server as phone_server
from dailylist.phone.gate import (
    FIRST_BLOCK_SECONDS,
    LONGEST_BLOCK_SECONDS,
    MAX_WRONG_TRIES,
    NOTICE_SECONDS,
    REMEMBERED,
    WRONG_TRIES_WINDOW,
    Gate,
)
from dailylist.store import DataDir
from tests.conftest import at, item_text
from tests.phone_helpers import Command, MovingClock, Served, Ticking, fetch, hold, serving

pytestmark = pytest.mark.usefixtures("other_devices")

OWNER_LOADS_WITHIN = 2.0  # seconds: the bound for the owner's page under attack


@pytest.fixture
def sockets() -> Iterator[list[socket.socket]]:
    """Sockets to stand for accepted connections, closed after the test."""
    made: list[socket.socket] = []
    yield made
    for one in made:
        one.close()


def _one(made: list[socket.socket]) -> socket.socket:
    made.append(socket.socket())
    return made[-1]


# --- the gate alone -----------------------------------------------------------------------------


def test_one_address_holds_its_share_and_the_terminal_hears_of_it_once_a_minute(
    sockets: list[socket.socket],
) -> None:
    said: list[str] = []
    ticking = Ticking()
    gate = Gate(said.append, now=ticking, most=10, per_address=3)
    held = [gate.admit("10.0.0.9", _one(sockets)) for _ in range(3)]
    assert all(held)
    for _ in range(500):
        assert gate.admit("10.0.0.9", _one(sockets)) is None
    assert gate.admit("10.0.0.2", _one(sockets)) is not None  # the owner still gets in
    assert said == [
        "10.0.0.9 holds 3 connections to the page at once; its new ones are turned away"
    ]
    ticking.seconds += NOTICE_SECONDS
    assert gate.admit("10.0.0.9", _one(sockets)) is None
    assert said[1].endswith("(499 more since the last notice)")
    for connection in held:
        assert connection is not None
        gate.release(connection)
        gate.release(connection)  # twice is once
    assert gate.count == 1
    assert gate.admit("10.0.0.9", _one(sockets)) is not None  # room again


def test_a_full_page_drops_an_idle_connection_of_the_biggest_holder_for_a_newcomer(
    sockets: list[socket.socket],
) -> None:
    said: list[str] = []
    gate = Gate(said.append, now=Ticking(), most=6, per_address=4)
    first = [gate.admit("10.0.0.7", _one(sockets)) for _ in range(4)]
    [gate.admit("10.0.0.8", _one(sockets)) for _ in range(2)]
    assert gate.count == 6
    assert first[0] is not None
    gate.serving(first[0])  # its request arrived: it is served, not dropped
    owner = gate.admit("10.0.0.2", _one(sockets))
    assert owner is not None
    assert gate.count == 6
    assert first[0].counted
    assert first[1] is not None
    assert not first[1].counted  # the oldest one still waiting for its request
    assert said == [
        "the page is full: idle connections of 10.0.0.7 (it holds 4) are dropped to let others in"
    ]
    # Holding as many as any other, nobody is dropped for a newcomer: it is turned away.
    assert gate.admit("10.0.0.3", _one(sockets)) is not None
    assert gate.admit("10.0.0.8", _one(sockets)) is None
    assert "new ones, like 10.0.0.8's, are turned away" in said[-1]


def test_wrong_tries_turn_an_address_away_for_longer_each_time_up_to_an_hour(
    sockets: list[socket.socket],
) -> None:
    said: list[str] = []
    ticking = Ticking()
    gate = Gate(said.append, now=ticking)
    blocks = []
    for _ in range(9):
        for _ in range(MAX_WRONG_TRIES):
            gate.wrong_try("10.0.0.9")
        assert gate.admit("10.0.0.9", _one(sockets)) is None
        assert gate.admit("10.0.0.2", _one(sockets)) is not None  # others are not
        blocks.append(said[-1])
        ticking.seconds += LONGEST_BLOCK_SECONDS + 1
    assert gate.admit("10.0.0.9", _one(sockets)) is not None  # it lifts
    minutes = [int(re.search(r"for (\d+) minute", line).group(1)) for line in blocks]  # type: ignore[union-attr]
    assert minutes == [1, 2, 4, 8, 16, 32, 60, 60, 60]
    assert FIRST_BLOCK_SECONDS == 60
    assert len(said) == 9  # once a block


def test_a_right_try_or_a_long_pause_starts_the_count_again() -> None:
    said: list[str] = []
    ticking = Ticking()
    gate = Gate(said.append, now=ticking)
    for _ in range(MAX_WRONG_TRIES - 1):
        gate.wrong_try("10.0.0.9")
    gate.right_try("10.0.0.9")
    for _ in range(MAX_WRONG_TRIES - 1):
        gate.wrong_try("10.0.0.9")
    ticking.seconds += WRONG_TRIES_WINDOW + 1
    for _ in range(MAX_WRONG_TRIES - 1):
        gate.wrong_try("10.0.0.9")
    assert said == []
    gate.wrong_try("10.0.0.9")
    assert len(said) == 1


def test_the_gate_remembers_a_bounded_number_of_addresses(sockets: list[socket.socket]) -> None:
    gate = Gate(now=Ticking())
    for _ in range(MAX_WRONG_TRIES):
        gate.wrong_try("10.0.0.9")
    assert gate.admit("10.0.0.9", _one(sockets)) is None
    for number in range(REMEMBERED):
        gate.right_try(f"fd00::{number:x}")
        gate.wrong_try(f"fd00::{number:x}")
    assert len(gate._known) == REMEMBERED
    assert gate.admit("10.0.0.9", _one(sockets)) is not None  # forgotten: the least recent


# --- the server, with sockets -------------------------------------------------------------------


def _connect(page: Served, source: str) -> socket.socket:
    host, port = page.server.server_address[:2]
    return socket.create_connection((str(host), int(port)), timeout=10, source_address=(source, 0))


def test_a_request_trickled_a_byte_at_a_time_runs_out_of_time(
    page: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The line and headers have one deadline in all: a byte every 0.2 s, each well within
    the wait for the next byte, is cut off once the deadline (1 s here) is past."""
    monkeypatch.setattr(phone_server, "HEADERS_SECONDS", 1.0)
    request = f"GET /{page.server.token}/ HTTP/1.0\r\nHost: {page.host}\r\nX-Slow: {'a' * 60}"
    sent = 0
    with _connect(page, "127.0.0.2") as client:
        client.settimeout(0.2)
        try:
            for byte in request.encode():
                client.send(bytes([byte]))
                sent += 1
                try:
                    if client.recv(1) == b"":
                        break  # closed by the server
                except TimeoutError:
                    continue
        except OSError:
            pass  # reset by the server
    assert sent < len(request)
    assert page.get().status == 200


def test_a_request_with_a_huge_head_is_cut_off(page: Served) -> None:
    """The standard library would keep 100 header lines of 64 KB each; the page reads no
    more than 64 KB of a request's head."""
    head = f"GET /{page.server.token}/ HTTP/1.0\r\nHost: {page.host}\r\n"
    head += "".join(f"X-{n}: {'a' * 2000}\r\n" for n in range(90)) + "\r\n"
    with _connect(page, "127.0.0.2") as client:
        with contextlib.suppress(OSError):  # reset by the server, mid-send
            client.sendall(head.encode())
        try:
            answer = client.recv(65536)
        except OSError:
            answer = b""
    assert answer == b""  # no page for it
    assert page.log == []
    assert page.get().status == 200


def test_many_addresses_cannot_fill_the_page_for_the_owner(opened: None, data: DataDir) -> None:
    gate = Gate(most=12, per_address=4)
    with serving(data, MovingClock(at("2026-05-01 09:00")), gate=gate) as page:
        held = [_connect(page, f"127.0.0.{n}") for n in range(2, 6) for _ in range(4)]
        try:
            for _ in range(3):
                started = time.monotonic()
                assert item_text(1) in page.get().text
                assert time.monotonic() - started < OWNER_LOADS_WITHIN
        finally:
            for client in held:
                client.close()
        assert gate.count <= 12
        assert any("are dropped to let others in" in line for line in page.log)


@pytest.mark.parametrize(
    "host",
    ["example.com", "127.0.0.1", "127.0.0.1:1", "localhost:{port}", "", "127.0.0.1:{port}, x"],
)
def test_a_request_for_another_host_is_misdirected_and_a_wrong_try(
    page: Served, host: str
) -> None:
    port = page.server.server_port
    for _ in range(MAX_WRONG_TRIES):
        answer = page.request(
            "GET", f"/{page.server.token}/", headers={"Host": host.format(port=port)}
        )
        assert answer.status == 421
        assert item_text(1) not in answer.text
    assert any("asked for 10 wrong addresses" in line for line in page.log)
    with pytest.raises(ConnectionError):
        page.get()  # turned away: all of it came from this address


def test_one_host_is_taken_and_only_one(page: Served) -> None:
    assert page.request("GET", f"/{page.server.token}/", headers={"Host": page.host}).status == 200
    twice = f"GET /{page.server.token}/ HTTP/1.0\r\nHost: {page.host}\r\nHost: {page.host}\r\n\r\n"
    with _connect(page, "127.0.0.1") as client:
        client.sendall(twice.encode())
        answer = b"".join(iter(lambda: client.recv(65536), b""))
    assert answer.startswith(b"HTTP/1.0 421")


def test_the_port_may_be_left_out_of_the_host_only_when_it_is_80(
    page: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = page.server
    assert not server.host_matches(["127.0.0.1"])
    monkeypatch.setattr(server, "server_port", 80)
    assert server.host_matches(["127.0.0.1"])
    assert server.host_matches(["127.0.0.1:80"])
    assert not server.host_matches(["127.0.0.1:8080"])


def test_an_ipv6_page_takes_its_address_in_brackets(opened: None, data: DataDir) -> None:
    from dailylist.phone.app import Phone
    from dailylist.phone.server import PhoneServer
    from dailylist.picking import pick

    phone = Phone(data, pick(str(data.root), None), MovingClock(at("2026-05-01 09:00")))
    try:
        server = PhoneServer(phone, "::1", 0)
    except OSError:
        pytest.skip("this machine has no IPv6 loopback")
    try:
        port = server.server_port
        assert server.url.startswith(f"http://[::1]:{port}/")
        assert server.host_matches([f"[::1]:{port}"])
        assert not server.host_matches([f"::1:{port}"])
        assert not server.host_matches([f"[::2]:{port}"])
    finally:
        server.server_close()


def test_with_no_file_left_accepting_waits_and_says_so_once(
    opened: None, data: DataDir, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`accept` failing for want of files: each failure waits longer (up to a second)
    instead of trying again at once, and the terminal hears of it once."""
    from dailylist.phone.app import Phone
    from dailylist.phone.server import PhoneServer
    from dailylist.picking import pick

    class NoRoom:
        def accept(self) -> tuple[socket.socket, object]:
            raise OSError(errno.EMFILE, "Too many open files")

    said: list[str] = []
    phone = Phone(data, pick(str(data.root), None), MovingClock(at("2026-05-01 09:00")))
    server = PhoneServer(phone, "127.0.0.1", 0, log=said.append)
    waits: list[float] = []
    monkeypatch.setattr(server, "rest", waits.append)
    listening = server.socket
    monkeypatch.setattr(server, "socket", NoRoom())
    try:
        for _ in range(8):
            with pytest.raises(OSError, match="Too many open files"):
                server.get_request()
    finally:
        listening.close()
    assert waits == [0.05, 0.1, 0.2, 0.4, 0.8, 1.0, 1.0, 1.0]
    (line,) = said
    assert line.startswith("new connections cannot be taken: Too many open files")


# --- the real command under load -----------------------------------------------------------------


def _owner_loads(url: str) -> float:
    """How long the owner's page takes to load, in seconds (it must show today's item)."""
    started = time.monotonic()
    status, body = fetch(url)
    took = time.monotonic() - started
    assert status == 200
    assert item_text(1) in body
    return took


def _threads_and_files(pid: int) -> tuple[int, int]:
    status = Path(f"/proc/{pid}/status").read_text(encoding="utf-8")
    threads = int(re.search(r"^Threads:\s+(\d+)", status, re.M).group(1))  # type: ignore[union-attr]
    return threads, len(list(Path(f"/proc/{pid}/fd").iterdir()))


def _still_open(client: socket.socket) -> bool:
    """Whether the server still holds the connection (it has not closed nor reset it)."""
    client.setblocking(False)
    try:
        return client.recv(1) != b""
    except BlockingIOError:
        return True
    except OSError:
        return False


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8").rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@pytest.mark.system
@pytest.mark.usefixtures("opened_now", "many_files")
def test_the_owners_page_loads_while_another_device_holds_1100_idle_connections(
    private_home: Path,
) -> None:
    """The command with the usual 1,024 files: before the cap, 1,030 idle connections took
    them all and every load timed out."""
    if not Path("/proc/self/status").exists():
        pytest.skip("reads the server's threads and files from /proc")
    command = Command(private_home, "--host", "127.0.0.1", files=1024)
    url = command.address()
    port = int(url.split(":")[2].split("/")[0])
    held: list[socket.socket] = []
    try:
        held = hold(("127.0.0.1", port), "127.0.0.2", 1100)
        for _ in range(3):
            assert _owner_loads(url) < OWNER_LOADS_WITHIN
        # The owner came after them all: each was accepted, and all but 16 closed at once.
        assert sum(_still_open(client) for client in held) == 16
        threads, files = _threads_and_files(command.process.pid)
        assert threads < 16 + 10
        assert files < 16 + 20
        for client in held:  # a byte now and then, as the attack does: nothing changes
            with contextlib.suppress(OSError):
                client.send(b"E")
        assert _owner_loads(url) < OWNER_LOADS_WITHIN
    finally:
        for client in held:
            client.close()
        code, out, err = command.stop()
    assert code == 0, err
    assert "Traceback" not in err
    said = [line for line in out.splitlines() if "127.0.0.2" in line]
    assert len(said) == 1, out  # once, not for each connection
    assert "127.0.0.2 holds 16 connections to the page at once" in said[0]


@pytest.mark.system
@pytest.mark.usefixtures("opened_now")
def test_the_owners_page_loads_while_another_device_sends_1000_wrong_requests(
    private_home: Path,
) -> None:
    command = Command(private_home, "--host", "127.0.0.1")
    url = command.address()
    host = url.split("/")[2]
    wrong = "/guess/"
    answers: dict[str, int] = {"404": 0, "turned away": 0}

    def guess() -> None:
        for _ in range(1000):
            try:
                client = socket.create_connection(
                    ("127.0.0.1", int(url.split(":")[2].split("/")[0])),
                    timeout=10,
                    source_address=("127.0.0.2", 0),
                )
                with client:
                    client.sendall(f"GET {wrong} HTTP/1.0\r\nHost: {host}\r\n\r\n".encode())
                    head = client.recv(12)
                answers["404" if b" 404" in head else "turned away"] += 1
            except OSError:
                answers["turned away"] += 1

    guesser = threading.Thread(target=guess)
    guesser.start()
    try:
        while guesser.is_alive():
            assert _owner_loads(url) < OWNER_LOADS_WITHIN
        guesser.join()
        assert _owner_loads(url) < OWNER_LOADS_WITHIN  # the page goes on
    finally:
        code, out, err = command.stop()
    assert code == 0, err
    assert "Stopped." in out
    assert answers == {"404": MAX_WRONG_TRIES, "turned away": 1000 - MAX_WRONG_TRIES}
    said = [line for line in out.splitlines() if "127.0.0.2" in line]
    assert len(said) == 1, out
    assert "127.0.0.2 asked for 10 wrong addresses: it is turned away for 1 minute" in said[0]


@pytest.mark.system
@pytest.mark.usefixtures("opened_now")
def test_out_of_files_the_command_waits_says_so_once_and_does_not_spin(
    private_home: Path,
) -> None:
    """The command allowed 40 files, and held connections from several addresses until
    `accept` fails: it waits instead of spinning on the failure (a spin burns a whole core;
    here it must use less than half of one), says so once, and serves again once they go."""
    if not Path("/proc/self/stat").exists():
        pytest.skip("reads the server's CPU time from /proc")
    command = Command(private_home, "--host", "127.0.0.1", files=40)
    url = command.address()
    port = int(url.split(":")[2].split("/")[0])
    pid = command.process.pid
    held: list[socket.socket] = []
    try:
        for number in range(2, 6):
            held += hold(("127.0.0.1", port), f"127.0.0.{number}", 12)
        time.sleep(0.5)  # the server is out of files by now, and pausing
        before, started = _cpu_seconds(pid), time.monotonic()
        time.sleep(1.5)
        used = (_cpu_seconds(pid) - before) / (time.monotonic() - started)
        assert used < 0.5
    finally:
        for client in held:
            client.close()
    try:
        time.sleep(1.5)  # the last pause ends, and the closed connections are let go
        _owner_loads(url)
    finally:
        code, out, err = command.stop()
    assert code == 0, err
    said = [line for line in out.splitlines() if "cannot be taken" in line]
    assert len(said) == 1, out
    assert "Too many open files" in said[0]


@pytest.mark.system
@pytest.mark.usefixtures("opened_now")
def test_uploads_a_killed_run_left_are_removed_at_the_start(private_home: Path) -> None:
    (folder,) = (private_home / "lists").iterdir()
    photos = folder / "photos"
    photos.mkdir(mode=0o700, exist_ok=True)
    names = {
        ".upload-k1ll3d.tmp": -3600,  # left by a killed run: removed
        ".upload-l4t3r.tmp": 3600,  # changed after this run started: not this run's to remove
        ".incoming-k1ll3d.tmp": -3600,  # another kind of leftover: doctor says so
        "upload-k1ll3d.tmp": -3600,
        ".upload-k1ll3d.tmp.keep": -3600,
    }
    for name, age in names.items():
        path = photos / name
        path.write_bytes(b"half a photo")
        written = path.stat().st_mtime
        os.utime(path, (written + age, written + age))
    command = Command(private_home, "--host", "127.0.0.1")
    command.address()
    code, out, err = command.stop()
    assert code == 0, err
    assert sorted(p.name for p in photos.iterdir()) == sorted(set(names) - {".upload-k1ll3d.tmp"})
    assert "removed 1 unfinished upload(s) an earlier run left behind" in out


@pytest.mark.system
@pytest.mark.slow
@pytest.mark.usefixtures("opened_now", "many_files")
def test_half_a_minute_of_a_device_keeping_1100_connections_open(private_home: Path) -> None:
    """The long run: for 30 seconds another device keeps 1,100 connections open, opening a
    new one for each the page closes and sending a byte on each every few seconds, past
    the 10-second deadline of the ones the page took. The owner loads the page twice a
    second, each within 2 s; the command never holds more than its cap, and never spins."""
    command = Command(private_home, "--host", "127.0.0.1", files=1024)
    url = command.address()
    port = int(url.split(":")[2].split("/")[0])
    pid = command.process.pid
    held = hold(("127.0.0.1", port), "127.0.0.2", 1100)
    loads: list[float] = []
    most_threads = 0
    try:
        cpu_before, started = _cpu_seconds(pid), time.monotonic()
        while time.monotonic() - started < 30:
            loads.append(_owner_loads(url))
            most_threads = max(most_threads, _threads_and_files(pid)[0])
            for number, client in enumerate(held):
                if not _still_open(client):
                    client.close()
                    held[number] = hold(("127.0.0.1", port), "127.0.0.2", 1)[0]
                else:
                    with contextlib.suppress(OSError):
                        client.send(b"E")
            time.sleep(0.5)
        cpu_share = (_cpu_seconds(pid) - cpu_before) / (time.monotonic() - started)
    finally:
        for client in held:
            client.close()
        code, out, err = command.stop()
    assert code == 0, err
    assert max(loads) < OWNER_LOADS_WITHIN
    assert most_threads < 16 + 10
    assert cpu_share < 0.5
    said = [line for line in out.splitlines() if "127.0.0.2" in line]
    assert 1 <= len(said) <= 2  # at most once a minute

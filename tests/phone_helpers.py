"""A phone page served on the loopback address for a test, and a client for it (its
fixtures are registered for every test module by `conftest`)."""

from __future__ import annotations

import contextlib
import http.client
import io
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest
import urllib3
from click.testing import CliRunner
from PIL import Image

from dailylist.cli import cli
from dailylist.clock import FixedClock, SystemClock
from dailylist.phone.app import Phone
from dailylist.phone.gate import Gate
from dailylist.phone.server import PhoneServer
from dailylist.store import DataDir
from tests.conftest import at

if TYPE_CHECKING:
    from tests.conftest import Cli


class MovingClock:
    """A clock a test sets, and moves on."""

    def __init__(self, start: datetime) -> None:
        self.instant = start

    def now(self) -> datetime:
        return self.instant

    def move(self, **delta: float) -> None:
        self.instant += timedelta(**delta)


class Ticking:
    """A monotonic time the test moves on, for the gate."""

    def __init__(self) -> None:
        self.seconds = 1000.0

    def __call__(self) -> float:
        return self.seconds


@pytest.fixture
def other_devices() -> None:
    """Other devices are played by other loopback addresses (127.0.0.2 and on), which Linux
    routes; elsewhere the test skips (under `CI=true` it fails instead)."""
    try:
        with socket.socket() as probe:
            probe.bind(("127.0.0.2", 0))
    except OSError:
        message = "127.0.0.2 is not an address of this machine (Linux's loopback has it)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    text: str


@dataclass
class Served:
    """A running phone page: its address, its clock, and what it logged."""

    server: PhoneServer
    clock: MovingClock
    thread: threading.Thread
    log: list[str] = field(default_factory=list)

    def stopped(self, timeout: float) -> bool:
        """Whether the server stops serving by itself within `timeout` seconds."""
        self.thread.join(timeout)
        return not self.thread.is_alive()

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def host(self) -> str:
        """The Host a browser sends for the page's address."""
        return urlsplit(self.url).netloc

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        *,
        source: str | None = None,
    ) -> Answer:
        """A request as a browser sends it; from the loopback address `source` if given
        (127.0.0.2 and on: another device, as far as the page can tell)."""
        parts = urlsplit(self.url)
        connection = http.client.HTTPConnection(
            parts.hostname or "",
            parts.port,
            timeout=30,
            source_address=None if source is None else (source, 0),
        )
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            text = response.read().decode("utf-8")
            return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, text)
        finally:
            connection.close()

    def get(self, relative: str = "", *, source: str | None = None) -> Answer:
        return self.request("GET", urlsplit(self.url).path + relative, source=source)

    def post(
        self,
        action: str,
        fields: dict[str, str] | None = None,
        photos: Sequence[tuple[str, bytes]] = (),
    ) -> Answer:
        """Send a form as a browser does: multipart, the photos as `photo` parts."""
        parts: list[tuple[str, Any]] = [("photo", (name, raw)) for name, raw in photos]
        parts += list((fields or {}).items())
        body, content_type = urllib3.encode_multipart_formdata(parts)
        return self.request(
            "POST",
            urlsplit(self.url).path + action,
            body=body,
            headers={"Content-Type": content_type},
        )


@contextmanager
def serving(
    data: DataDir, clock: MovingClock, *, once: bool = False, gate: Gate | None = None
) -> Iterator[Served]:
    """The page of the only open list, served on 127.0.0.1 in a thread, for the block; the
    gate's notices are in its log (`gate`: one whose time the test moves)."""
    from dailylist.picking import pick

    log: list[str] = []
    phone = Phone(data, pick(str(data.root), None), clock, once=once, log=log.append)
    server = PhoneServer(
        phone, "127.0.0.1", 0, once=once, report=log.append, log=log.append, gate=gate
    )
    server.gate.say = server.tell
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield Served(server, clock, thread, log)
    finally:
        server.shutdown()
        thread.join(10)
        server.close()


def journal_entries(clock: MovingClock) -> list[dict[str, Any]]:
    result = CliRunner().invoke(cli, ["journal", "--json"], obj={"clock": FixedClock(clock.now())})
    assert result.exit_code == 0, result.output
    entries: list[dict[str, Any]] = json.loads(result.stdout)["entries"]
    return entries


def list_folder(home: Path) -> Path:
    (folder,) = (home / "lists").iterdir()
    return folder


def leftovers(home: Path) -> list[str]:
    """Temporary files left in the list's folder (half-read uploads, unfinished copies)."""
    return sorted(p.name for p in list_folder(home).rglob(".*.tmp"))


def jpeg(colour: tuple[int, int, int] = (30, 120, 200), size: tuple[int, int] = (40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture
def clock() -> MovingClock:
    return MovingClock(at("2026-05-01 09:00"))


@pytest.fixture
def opened(make_sealed: Callable[..., Path], run: Cli) -> None:
    """Five items, opened on 1 May at 08:00 (days start at 04:00)."""
    assert run("open", str(make_sealed(5)), now=at("2026-05-01 08:00")).exit_code == 0


@pytest.fixture
def checkin_code(run: Cli, tmp_path: Path) -> str:
    """Two items, the first a check-in, opened on 1 May at 08:00: its code."""
    import re

    from dailylist.author import codes_path_for
    from tests.conftest import source_toml

    source = tmp_path / "checkin.toml"
    source.write_text(source_toml(2, extra_items={1: {"checkin": True}}), encoding="utf-8")
    sealed = tmp_path / "checkin.dlist"
    assert run("seal", str(source), "-o", str(sealed), now=at("2026-04-30 08:00")).exit_code == 0
    codes = codes_path_for(sealed).read_text(encoding="utf-8")
    found = re.search(r"Day +1: (\S+)", codes)
    assert found is not None
    assert run("open", str(sealed), now=at("2026-05-01 08:00")).exit_code == 0
    return found.group(1)


@pytest.fixture
def page(opened: None, data: DataDir, clock: MovingClock) -> Iterator[Served]:
    """The page of `opened`, served on 127.0.0.1 with `clock`."""
    with serving(data, clock) as served:
        yield served


# --- the real command ------------------------------------------------------------------------


@pytest.fixture
def opened_now(make_sealed: Callable[..., Path], run: Cli) -> None:
    """A list opened by the real clock (its day starts 12 h away, so the command, reading the
    same clock, sees the same list day)."""
    now = SystemClock().now()
    sealed = make_sealed(
        3, settings={"day_starts_at": (now + timedelta(hours=12)).strftime("%H:%M")}
    )
    assert run("open", str(sealed), now=now - timedelta(seconds=2)).exit_code == 0


class Command:
    """`dailylist phone ARGS` running as its own process, its output read line by line."""

    def __init__(
        self,
        home: Path,
        *args: str,
        background: bool = False,
        env: dict[str, str] | None = None,
        files: int | None = None,
    ) -> None:
        """`background`: started as a shell starts a background job, with SIGINT ignored;
        `env`: more environment (a value of "" leaves the variable out); `files`: the most
        files the process may hold open (its soft limit)."""
        environment = {**os.environ, "DAILYLIST_HOME": str(home), "PYTHONUNBUFFERED": "1"}
        for name, value in (env or {}).items():
            if value:
                environment[name] = value
            else:
                environment.pop(name, None)

        def start() -> None:
            if background:
                signal.signal(signal.SIGINT, signal.SIG_IGN)
            if files is not None:
                import resource

                hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
                resource.setrlimit(resource.RLIMIT_NOFILE, (files, hard))

        self.process = subprocess.Popen(
            [sys.executable, "-m", "dailylist", "phone", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=environment,
            preexec_fn=start,
        )
        self.lines: list[str] = []

    def address(self) -> str:
        """Read the output up to the line that is the page's address."""
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))
            if line.startswith("http://"):
                return line.strip()
        raise AssertionError(f"no address printed: {self.finish()}")

    def drawing(self) -> list[str]:
        """The QR code's lines as printed (colours and all), read on from the address up
        to the line that says the page is served."""
        import re

        assert self.process.stdout is not None
        drawn: list[str] = []
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))
            if line.startswith("Serving"):
                return drawn
            if set(re.sub(r"\x1b\[[0-9;]*m", "", line.rstrip("\n"))) <= set("█▀▄ "):
                drawn.append(line.rstrip("\n"))
        raise AssertionError(f"the command stopped: {self.finish()}")

    def finish(self, timeout: float = 20) -> tuple[int, str, str]:
        out, err = self.process.communicate(timeout=timeout)
        return self.process.returncode, "\n".join([*self.lines, out]), err

    def stop(self) -> tuple[int, str, str]:
        """Ctrl-C, and what it printed."""
        self.process.send_signal(signal.SIGINT)
        return self.finish()


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=20) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8")


@pytest.fixture
def many_files() -> Iterator[None]:
    """This test process may hold a few thousand connections (its own soft limit raised)."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 4096 if hard == resource.RLIM_INFINITY else min(hard, 4096)
    if wanted < 2048:
        pytest.skip(f"the hard limit of open files is {hard}: too few to hold the connections")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, wanted), hard))
    yield
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def hold(address: tuple[str, int], source: str, count: int) -> list[socket.socket]:
    """`count` connections from `source` (a loopback address: another device, as far as the
    page can tell), each sent one byte, then left idle."""
    held = []
    for _ in range(count):
        client = socket.create_connection(address, timeout=10, source_address=(source, 0))
        held.append(client)
        with contextlib.suppress(OSError):  # turned away already
            client.send(b"G")
    return held

"""A phone page served on the loopback address for a test, and a client for it (its
fixtures are registered for every test module by `conftest`)."""

from __future__ import annotations

import http.client
import io
import json
import threading
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
from dailylist.clock import FixedClock
from dailylist.phone.app import Phone
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

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Answer:
        parts = urlsplit(self.url)
        connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            text = response.read().decode("utf-8")
            return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, text)
        finally:
            connection.close()

    def get(self, relative: str = "") -> Answer:
        return self.request("GET", urlsplit(self.url).path + relative)

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
def serving(data: DataDir, clock: MovingClock, *, once: bool = False) -> Iterator[Served]:
    """The page of the only open list, served on 127.0.0.1 in a thread, for the block."""
    from dailylist.picking import pick

    log: list[str] = []
    phone = Phone(data, pick(str(data.root), None), clock, once=once, log=log.append)
    server = PhoneServer(phone, "127.0.0.1", 0, once=once, report=log.append)
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
def page(opened: None, data: DataDir, clock: MovingClock) -> Iterator[Served]:
    """The page of `opened`, served on 127.0.0.1 with `clock`."""
    with serving(data, clock) as served:
        yield served

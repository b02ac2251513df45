"""A phone page served on the loopback address for a test, and a client for it."""

from __future__ import annotations

import http.client
import json
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import urllib3
from click.testing import CliRunner

from dailylist.cli import cli
from dailylist.clock import FixedClock
from dailylist.phone.app import Phone
from dailylist.phone.server import PhoneServer
from dailylist.store import DataDir


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

"""Running the phone's page for `dailylist phone`: listen, say where, serve, stop cleanly."""

from __future__ import annotations

import contextlib
import ipaddress
import signal
import socket
import threading
from typing import TYPE_CHECKING

from dailylist.errors import BadInput, DailylistError
from dailylist.phone.app import Phone
from dailylist.phone.server import PhoneServer, local_address
from dailylist.phone.show import phone_started

if TYPE_CHECKING:
    from collections.abc import Iterator
    from types import FrameType

    from rich.console import Console

    from dailylist.clock import Clock
    from dailylist.store import DataDir


def serve(
    data: DataDir,
    list_id: str,
    clock: Clock,
    host: str | None,
    port: int,
    *,
    once: bool,
    out: Console,
    err: Console,
) -> str | None:
    """Serve the page for list `list_id` until Ctrl-C (or SIGTERM), or with `once` until
    the day is done. Returns why it stopped by itself, if it did (wrong addresses tried);
    None when it was stopped or the day was done."""
    from dailylist import render

    loopback = False
    if host is None:
        host = local_address()
        if host is None:
            host, loopback = "127.0.0.1", True
            render.warn(err, "no local network found: only this computer can open the page")
    address = _one_address(host)
    loopback = loopback or ipaddress.ip_address(address.split("%")[0]).is_loopback
    if once:
        _say_if_done(data, list_id, clock, out)

    def log(line: str) -> None:
        out.print(f"{clock.now():%H:%M} {line}", soft_wrap=True)

    phone = Phone(data, list_id, clock, once=once, log=log)
    try:
        server = PhoneServer(
            phone, address, port, once=once, report=lambda line: render.warn(err, line)
        )
    except OSError as exc:
        raise BadInput(f"cannot listen on {host} port {port}: {exc.strerror or exc}") from exc
    try:
        with _sigterm_as_ctrl_c():
            phone_started(out, server.url, once=once, here_only=loopback)
            server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
    if server.stopped_because is None:
        out.print("The day is done; stopped." if once and server.day_done else "Stopped.")
    return server.stopped_because


def _one_address(host: str) -> str:
    """The one address `host` names (an address, or a name resolved here), or `BadInput`:
    never one that means every address, since the page is served only where it says."""
    name = host.strip().strip("[]")
    try:
        found = socket.getaddrinfo(name, None, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise BadInput(f"--host {host!r} is not an address of this computer") from exc
    address = str(found[0][4][0])
    if not name or ipaddress.ip_address(address.split("%")[0]).is_unspecified:
        raise BadInput(
            f"--host {host!r} would listen on every address: give one (the page is served "
            "only at the address it prints)"
        )
    return address


def _say_if_done(data: DataDir, list_id: str, clock: Clock, out: Console) -> None:
    """With --once on a day already done: say so, and that changing it ends the page."""
    from dailylist import rules
    from dailylist.opened import current_snapshot

    try:
        snapshot, _ = current_snapshot(data, list_id)
        decision = rules.decide_today(snapshot.standing, clock.now())
    except DailylistError:
        return
    if not isinstance(decision, rules.Available):
        out.print(
            "Today's item is done already: the page shows it and lets you change it (the "
            "page stops once you have); or stop it with Ctrl-C."
        )


@contextlib.contextmanager
def _sigterm_as_ctrl_c() -> Iterator[None]:
    """Let SIGTERM stop the server as Ctrl-C does (waiting for a write in flight). Only the
    main thread may set a handler; elsewhere (a test's thread) this does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(number: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.getsignal(signal.SIGTERM)
    signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous if previous is not None else signal.SIG_DFL)

"""Running the phone's page for `dailylist phone`: listen, say where, serve, stop cleanly."""

from __future__ import annotations

import contextlib
import signal
import threading
from typing import TYPE_CHECKING

from dailylist.errors import BadInput
from dailylist.phone.app import Phone
from dailylist.phone.server import PhoneServer, local_address

if TYPE_CHECKING:
    from collections.abc import Iterator
    from types import FrameType

    from rich.console import Console

    from dailylist.clock import Clock
    from dailylist.store import DataDir

_EVERY_ADDRESS = ("", "0.0.0.0", "::", "[::]")


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

    if host is None:
        host = local_address()
        if host is None:
            host = "127.0.0.1"
            render.warn(err, "no local network found: only this computer can open the page")
    if host.strip() in _EVERY_ADDRESS:
        raise BadInput(
            f"--host {host!r} would listen on every address: give one (the page is served "
            "only at the address it prints)"
        )

    def log(line: str) -> None:
        out.print(f"{clock.now():%H:%M} {line}", soft_wrap=True)

    phone = Phone(data, list_id, clock, once=once, log=log)
    try:
        server = PhoneServer(
            phone, host.strip("[]"), port, once=once, report=lambda line: render.warn(err, line)
        )
    except OSError as exc:
        raise BadInput(f"cannot listen on {host} port {port}: {exc.strerror or exc}") from exc
    try:
        with _sigterm_as_ctrl_c():
            render.phone_started(out, server.url, once=once)
            server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
    if server.stopped_because is None:
        out.print("The day is done; stopped." if once and server.day_done else "Stopped.")
    return server.stopped_because


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

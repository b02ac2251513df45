"""Running the phone's page for `dailylist phone`: listen, say where, serve, stop cleanly.

At the start, uploads that an earlier run left half read (it was killed) are removed; the
QR code goes into a PNG file too when one is asked for.
"""

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
    from collections.abc import Callable, Iterator
    from pathlib import Path
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
    warn: Callable[[str], None],
    qr_file: Path | None = None,
    force: bool = False,
    keep: bool = False,
    new_token: bool = False,
) -> None:
    """Serve the page for list `list_id` until Ctrl-C (or SIGTERM), or with `once` until
    the day is done, saying what it does on `out` and warnings through `warn`; with
    `qr_file`, write the page's QR code there as a PNG (over a file there only with
    `force`). With `keep`, the token and port are those kept for the list (made and kept
    the first time; a new token with `new_token`), so a bookmark works every day."""
    from dailylist.clock import file_time_now
    from dailylist.phone.form import remove_stale_uploads
    from dailylist.phone.show import qr_png
    from dailylist.store import check_out, write_out

    started = file_time_now()
    if qr_file is not None:
        check_out(qr_file, data.root, what="QR code", force=force)
    loopback = False
    if host is None:
        host = local_address()
        if host is None:
            host, loopback = "127.0.0.1", True
            warn("no local network found: only this computer can open the page")
    address = _one_address(host)
    loopback = loopback or ipaddress.ip_address(address.split("%")[0]).is_loopback
    if once and _day_is_done(data, list_id, clock):
        out.print(
            "Today's item is done already, so there is nothing to wait for: the page stops "
            "as it starts. Without --once it shows the day and lets you change it."
        )
        return None

    def log(line: str) -> None:
        try:
            stamp = f"{clock.now():%H:%M} "
        except OSError:  # the zone's file cannot be read: no file left (see `server`)
            stamp = ""
        out.print(f"{stamp}{line}", soft_wrap=True)

    phone = Phone(data, list_id, clock, once=once, log=log)
    token = None
    if keep or new_token:
        from dailylist.phone.keep import kept
        from dailylist.phone.keep import new_token as made_token

        found = kept(data, list_id)
        token = made_token() if new_token or found is None else found.token
        port = port or (found.port if found is not None else 0)
    try:
        server = PhoneServer(
            phone,
            address,
            port,
            token=token,
            once=once,
            report=warn,
            log=log,
            day_is_done=lambda: _day_is_done(data, list_id, clock),
        )
    except OSError as exc:
        why = f"cannot listen on {host} port {port}: {exc.strerror or exc}"
        if keep and port:
            why += (
                " (the port kept with --keep: is the page running already? --port N picks another)"
            )
        raise BadInput(why) from exc
    if token is not None:
        from dailylist.phone.keep import KeptAddress
        from dailylist.phone.keep import keep as keep_address

        keep_address(data, list_id, KeptAddress(token=server.token, port=server.server_port))
    try:
        with _sigterm_as_ctrl_c():
            if qr_file is not None:
                write_out(qr_file, qr_png(server.url), what="QR code", private=True)
            stale = remove_stale_uploads(data.list_files(list_id).photos, started)
            if stale:
                log(f"removed {stale} unfinished upload(s) an earlier run left behind")
            shown = None if qr_file is None else str(qr_file)
            phone_started(out, server.url, once=once, here_only=loopback, qr_file=shown)
            server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
    out.print("The day is done; stopped." if once and server.day_done else "Stopped.")


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


def _day_is_done(data: DataDir, list_id: str, clock: Clock) -> bool:
    """Whether today's item is done (or every item is), as the list's snapshot says: for
    --once, which stops then, however the day was done."""
    from dailylist import rules
    from dailylist.opened import snapshot_of

    try:
        snapshot, _ = snapshot_of(data.list_files(list_id))
        decision = rules.decide_today(snapshot.standing, clock.now())
    except DailylistError:
        return False
    return not isinstance(decision, rules.Available)


@contextlib.contextmanager
def _sigterm_as_ctrl_c() -> Iterator[None]:
    """Let SIGTERM stop the server as Ctrl-C does (waiting for a write in flight), and make
    sure Ctrl-C does too (a shell starts a background job with SIGINT ignored). Only the
    main thread may set a handler; elsewhere (a test's thread) this does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(number: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = {number: signal.getsignal(number) for number in (signal.SIGTERM, signal.SIGINT)}
    for number in previous:
        signal.signal(number, interrupt)
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler if handler is not None else signal.SIG_DFL)

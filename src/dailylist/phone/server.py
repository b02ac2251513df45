"""The web server `dailylist phone` runs: the standard library's threading HTTP server,
answering only at a secret address, only while the command runs.

Every path starts with a token of `TOKEN_BYTES` random bytes (160 bits), compared in
constant time, and every request must name the page's own address and port as its Host.
Any other request is answered the same 404 (421 for a wrong Host), and counts as a wrong
try of its sender's address: after a few, that address is turned away for a while (see
`gate`). Wrong requests never stop the page. Behind the token:

    GET  /TOKEN/         the day's page (counts as `today`), with where the list stands
    GET  /TOKEN/letter   the author's letter and rules
    GET  /TOKEN/journal  every day done, newest first (`journal`)
    GET  /TOKEN/day/N    one day in full (`show N`)
    GET  /TOKEN/manifest.webmanifest, /TOKEN/icon.png   for a phone's home screen
    POST /TOKEN/done     the day's form: `done`
    POST /TOKEN/amend    the entry changed: `amend`
    POST /TOKEN/code     a check-in's code: `today --code`

Connections are capped where they are accepted (`gate`), before a thread is started for
them. A request's line and headers must arrive within `HEADERS_SECONDS` in all, however
slowly they trickle in, and hold at most `HEADERS_BYTES`; a form's body must arrive within
a time that grows with its length; no read waits more than `IDLE_SECONDS` for a byte.
One request per connection (HTTP/1.0). When the system has no file left for a new
connection, the server waits a little before trying again, and says so once.

Forms are read (see `form`) before the page's lock is taken; the core then runs one request
at a time, so the journal sees one writer (the list's lock guards it from other commands).
Every response says not to cache it, and carries the page's Content-Security-Policy.
Stopping waits for the request being recorded, and removes uploads left half read.
"""

from __future__ import annotations

import contextlib
import errno
import hmac
import io
import socket
import socketserver
import sys
import threading
import time
from collections.abc import Callable, Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from dailylist.errors import BadInput
from dailylist.phone import pages
from dailylist.phone.app import SAID, Phone, Reply, sentence
from dailylist.phone.form import MAX_BODY, FormRefused, read_form
from dailylist.phone.gate import NOTICE_SECONDS, Connection, Gate
from dailylist.phone.keep import new_token

#: A request's line and headers arrive within this many seconds, or the connection ends.
HEADERS_SECONDS = 10.0
#: ... and they are no larger than this (a phone sends about a kilobyte).
HEADERS_BYTES = 64 * 1024
#: A form's body arrives within this many seconds and one more for each `SLOWEST_UPLOAD`
#: bytes it says it has (a 10 MB photo: 5 minutes).
BODY_SECONDS = 30.0
SLOWEST_UPLOAD = 32 * 1024
#: No read waits longer for the next byte, and no answer longer to be taken.
IDLE_SECONDS = 30.0
#: Connections the system holds for the server before it accepts them.
BACKLOG = 128
#: Accepting fails for want of files: wait this long, twice as long each time, up to a second.
FIRST_PAUSE = 0.05
_NO_ROOM = frozenset((errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM))
#: What browsers ask for by themselves: answered 404, not counted as a wrong try.
_BROWSER_ASKS = frozenset(("/favicon.ico", "/robots.txt"))


def _asked_by_browser(path: str) -> bool:
    """What browsers ask for by themselves (iPhones: /apple-touch-icon-120x120.png...)."""
    return path in _BROWSER_ASKS or (
        path.startswith("/apple-touch-icon") and path.endswith(".png") and path.count("/") == 1
    )


_FORMS = ("done", "amend", "code")
#: The pages beside today's, by their path under the token.
_PAGES: dict[str, Callable[[Phone], Reply]] = {
    "letter": Phone.letter,
    "journal": Phone.journal,
    "manifest.webmanifest": Phone.manifest,
    "icon.png": Phone.icon,
}
#: With --once, how long the page still answers after the day is done (the redirect after
#: the send, a second tap) before it stops.
GRACE_SECONDS = 15.0


def local_address() -> str | None:
    """This computer's address on its local network (the one its default route leaves
    from), or None when it has none. Nothing is sent: connecting a UDP socket only picks
    the route."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: a documentation address
            address: str = probe.getsockname()[0]
        except OSError:
            return None
    return None if address.startswith(("0.", "127.")) else address


class PhoneServer(ThreadingHTTPServer):
    """The page's server, bound to `host` (one address) and `port` (0: any free one).

    `report` hears of a request that failed (a bug); `log` hears what the server does about
    the network (addresses turned away, no files left): one line each, for the terminal.
    """

    daemon_threads = True
    request_queue_size = BACKLOG

    def __init__(
        self,
        phone: Phone,
        host: str,
        port: int,
        *,
        once: bool = False,
        token: str | None = None,
        report: Callable[[str], None] = lambda line: None,
        log: Callable[[str], None] = lambda line: None,
        day_is_done: Callable[[], bool] = lambda: False,
        gate: Gate | None = None,
    ) -> None:
        self.phone = phone
        self.once = once
        #: With `once`: whether the day was done elsewhere (`dailylist done` meanwhile).
        self.day_is_done = day_is_done
        self._looked_at = 0.0
        self.report = report
        self.log = log
        self.gate = gate or Gate(self.tell)
        self.token = token or new_token()
        self.day_done = False
        self.grace = GRACE_SECONDS
        self._page_lock = threading.Lock()
        self._closing = False
        self._uploads: set[Path] = set()
        self._live: dict[socket.socket, Connection] = {}
        self._pause = 0.0
        self._no_room_said, self._no_room_said_at = False, float("-inf")
        if ":" in host:
            self.address_family = socket.AF_INET6
        super().__init__((host, port), _Handler)

    def server_bind(self) -> None:
        # HTTPServer's own looks the host's name up in DNS, which can take seconds.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)

    @property
    def _shown_host(self) -> str:
        host = self.server_name
        return f"[{host}]" if ":" in host else host

    @property
    def url(self) -> str:
        return f"http://{self._shown_host}:{self.server_port}/{self.token}/"

    def token_matches(self, given: str) -> bool:
        return hmac.compare_digest(given.encode("utf-8", "replace"), self.token.encode())

    def host_matches(self, given: list[str]) -> bool:
        """Whether a request's Host headers name the address and port the page is announced
        at (one Host, as browsers send it; the port may be left out only when it is 80)."""
        if len(given) != 1:
            return False
        host, shown = given[0].strip().lower(), self._shown_host.lower()
        return host == f"{shown}:{self.server_port}" or (self.server_port == 80 and host == shown)

    def stop_soon(self) -> None:
        """Stop serving (from a request's thread: `shutdown` waits for the serving loop)."""
        threading.Thread(target=self.shutdown, daemon=True).start()

    def day_is_over(self) -> None:
        """The day was done from the page: with `once`, the page says it is stopping and
        stops after `GRACE_SECONDS` (time for the redirect after the send, and for a second
        tap to be answered as the first)."""
        self.day_done = True
        if self.once and not self.phone.closing:
            self.phone.closing = True
            timer = threading.Timer(self.grace, self.stop_soon)
            timer.daemon = True
            timer.start()

    def service_actions(self) -> None:
        """Between requests (about every poll interval): with `once`, stop when the day was
        done elsewhere, looking at most once a second."""
        if not self.once or self.day_done:
            return
        now = time.monotonic()
        if now - self._looked_at < 1:
            return
        self._looked_at = now
        if self.day_is_done():
            self.day_done = True
            self.stop_soon()

    # --- connections ----------------------------------------------------------------------

    def get_request(self) -> tuple[socket.socket, Any]:
        """Accept a connection; when the system has no file left for it, wait a little
        (longer each time, up to a second) rather than try again at once, and say so once."""
        try:
            accepted = super().get_request()
        except OSError as exc:
            if exc.errno in _NO_ROOM:
                self._pause = min(max(2 * self._pause, FIRST_PAUSE), 1.0)
                self.rest(self._pause)
                self._say_no_room(exc)
            raise
        self._pause = 0.0
        self._no_room_said = False
        return accepted

    def _say_no_room(self, exc: OSError) -> None:
        """Say once (at most once a minute) that connections cannot be taken; saying it may
        need a file too (the time's zone), so it is tried again until it is said."""
        now = time.monotonic()
        if self._no_room_said or now - self._no_room_said_at < NOTICE_SECONDS:
            return
        if self.tell(
            f"new connections cannot be taken: {exc.strerror or exc} (the system's limit); "
            "waiting for some to close"
        ):
            self._no_room_said, self._no_room_said_at = True, now

    def tell(self, line: str) -> bool:
        """Say `line` through `log`; whether it was said. The serving loop says things too,
        and a line that cannot be written (no file left, a closed terminal) must not stop
        it."""
        try:
            self.log(line)
        except OSError:
            return False
        return True

    def rest(self, seconds: float) -> None:
        """Wait before accepting again (a test counts the waits instead)."""
        time.sleep(seconds)

    def verify_request(self, request: Any, client_address: Any) -> bool:
        """Take a connection only if the gate lets it in (else it is closed at once)."""
        connection = self.gate.admit(str(client_address[0]), request)
        if connection is None:
            return False
        self._live[request] = connection
        return True

    def close_request(self, request: Any) -> None:
        connection = self._live.pop(request, None)
        if connection is not None:
            self.gate.release(connection)
        super().close_request(request)

    def connection_of(self, request: Any) -> Connection | None:
        return self._live.get(request)

    # --- the page ---------------------------------------------------------------------------

    def run(self, reply: Callable[[Phone], Reply]) -> Reply:
        """One answer of the page, one at a time; none once the server is closing."""
        with self._page_lock:
            if self._closing:
                return _plain(503, "dailylist phone is stopping.")
            return reply(self.phone)

    def keep_upload(self, path: Path) -> None:
        self._uploads.add(path)

    def forget_uploads(self, paths: Iterable[Path]) -> None:
        self._uploads.difference_update(paths)

    def close(self) -> None:
        """After serving: wait for the request being recorded, let none start, and remove
        uploads left half read."""
        self.server_close()
        with self._page_lock:
            self._closing = True
        for path in list(self._uploads):
            path.unlink(missing_ok=True)

    def handle_error(self, request: object, client_address: object) -> None:
        error = sys.exc_info()[1]
        if isinstance(error, (ConnectionError, TimeoutError)):
            return  # the phone went away mid-request: nothing to say
        self.report(f"a request failed: {error!r}")


def _plain(status: int, text: str) -> Reply:
    return Reply(status, pages.document("dailylist", [pages.paragraph(text)]))


def body_seconds(length: str | None) -> float:
    """How long a form's body of `length` bytes (as its header says) may take to arrive."""
    size = int(length) if length is not None and length.isdigit() and len(length) < 12 else 0
    return BODY_SECONDS + min(size, MAX_BODY) / SLOWEST_UPLOAD


class _Deadline(io.RawIOBase):
    """A connection's reads, each given what is left of the current deadline (and no more
    than `IDLE_SECONDS`): a client that sends a byte now and then still runs out of time.
    A budget, when given, caps the bytes read until the next deadline (a request's head:
    the standard library alone would take a hundred header lines of 64 KB each)."""

    def __init__(self, sock: socket.socket) -> None:
        super().__init__()
        self.sock = sock
        self.ends = float("inf")
        self.left: int | None = None

    def allow(self, seconds: float, budget: int | None = None) -> None:
        self.ends = time.monotonic() + seconds
        self.left = budget

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        left = self.ends - time.monotonic()
        if left <= 0:
            raise TimeoutError("the request did not arrive in time")
        if self.left is not None and self.left <= 0:
            raise ConnectionAbortedError("the request's head is too large")
        self.sock.settimeout(min(left, IDLE_SECONDS))
        read = self.sock.recv_into(buffer)
        if self.left is not None:
            self.left -= read
        return read


class _Handler(BaseHTTPRequestHandler):
    server: PhoneServer
    server_version = "dailylist"
    sys_version = ""
    timeout = IDLE_SECONDS

    def version_string(self) -> str:
        return "dailylist"

    def log_message(self, format: str, *args: object) -> None:
        """Nothing per request: its path holds the token."""

    def setup(self) -> None:
        super().setup()
        self.rfile.close()  # the socket's own reader: reads go through the deadline instead
        self.deadline = _Deadline(self.connection)
        self.rfile = io.BufferedReader(self.deadline)

    def handle_one_request(self) -> None:
        self.deadline.allow(HEADERS_SECONDS, HEADERS_BYTES)
        super().handle_one_request()

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def _other(self) -> None:
        self._serve(self.command)

    do_HEAD = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_TRACE = do_CONNECT = _other

    def __getattr__(self, name: str) -> Any:
        """Any other method too: a wrong address is 404 (and counted) whatever the method."""
        if name.startswith("do_"):
            return self._other
        raise AttributeError(name)

    def send_error(
        self, code: int, message: str | None = None, explain: str | None = None
    ) -> None:
        """Malformed requests get a bare page with the usual headers, and no details; they
        count as wrong tries (not one cut off before its first line ended: the phone may
        have walked away)."""
        self.close_connection = True
        if getattr(self, "raw_requestline", b"").endswith(b"\n"):
            self.server.gate.wrong_try(self.client_address[0])
        self._send(_plain(code, "That request was not understood."))

    def _serve(self, method: str) -> None:
        connection = self.server.connection_of(self.request)
        if connection is not None:
            self.server.gate.serving(connection)
        reply: Reply | None = None
        try:
            reply = self._route(method)
            self._send(reply)
        except (ConnectionError, TimeoutError):
            self.close_connection = True  # the phone went away, or stalled: nothing to say
        except Exception as exc:  # a bug: say so on the page and the terminal, keep serving
            self.server.report(f"a request failed: {exc!r}")
            with contextlib.suppress(OSError):
                self._send(_plain(500, "Something went wrong; the terminal says what."))
        finally:
            # Whether or not the answer reached the phone: what was recorded, was.
            if reply is not None and reply.day_done:
                self.server.day_is_over()

    def _route(self, method: str) -> Reply:
        address = self.client_address[0]
        if not self.server.host_matches(self.headers.get_all("Host") or []):
            self.server.gate.wrong_try(address)
            return _plain(421, "Not served under that name.")
        url = urlsplit(self.path)
        token, slash, rest = url.path.removeprefix("/").partition("/")
        if not url.path.startswith("/") or not self.server.token_matches(token):
            if not _asked_by_browser(url.path):
                self.server.gate.wrong_try(address)
            return _plain(404, "Not found.")
        self.server.gate.right_try(address)
        if not slash:
            return Reply(303, location=f"/{token}/")
        if method in ("GET", "HEAD") and rest == "":
            query = parse_qs(url.query)
            said = SAID.get(query.get("said", [""])[0])
            number = query.get("day", [""])[0]
            said_day = int(number) if number.isdigit() and len(number) < 7 else None
            return self.server.run(lambda phone: phone.page(said=said, said_day=said_day))
        if method in ("GET", "HEAD") and rest in _PAGES:
            return self.server.run(_PAGES[rest])
        day = rest.removeprefix("day/")
        if (
            method in ("GET", "HEAD")
            and rest.startswith("day/")
            and day.isdigit()
            and len(day) < 7
        ):
            return self.server.run(lambda phone: phone.day(int(day)))
        if rest not in _FORMS:
            return _plain(404, "Not found.")
        if method == "GET":
            return Reply(303, location="./")  # a form's address reloaded: back to the page
        if method != "POST":
            return _plain(405, "Not allowed.")
        return self._form(rest)

    def _form(self, action: str) -> Reply:
        staging = self.server.phone.data.list_files(self.server.phone.list_id).photos
        self.deadline.allow(body_seconds(self.headers.get("Content-Length")))
        try:
            from dailylist.store import ensure_private_dir

            ensure_private_dir(staging)
            form = read_form(
                self.rfile,
                self.headers.get("Content-Type"),
                self.headers.get("Content-Length"),
                staging,
                on_file=self.server.keep_upload,
            )
        except FormRefused as exc:
            refusal, status = sentence(exc.message), exc.status
            kept = exc.fields.get("reflection", "")
            return self.server.run(
                lambda phone: phone.page(refusal=refusal, reflection=kept, status=status)
            )
        except BadInput as exc:
            refusal = sentence(exc.message)
            return self.server.run(lambda phone: phone.page(refusal=refusal, status=400))
        try:
            return self.server.run(lambda phone: getattr(phone, action)(form))
        finally:
            form.remove_files()
            self.server.forget_uploads(upload.path for upload in form.files)

    def _send(self, reply: Reply) -> None:
        self.connection.settimeout(IDLE_SECONDS)
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Security-Policy", pages.CONTENT_SECURITY_POLICY)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("X-Frame-Options", "DENY")
        self.send_header("Referrer-Policy", "no-referrer")
        if reply.location is not None:
            self.send_header("Location", reply.location)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(reply.body)
        self.wfile.flush()

"""The web server `dailylist phone` runs: the standard library's threading HTTP server,
answering only at a secret address, only while the command runs.

Every path starts with a token of `TOKEN_BYTES` random bytes (160 bits), compared in
constant time; any other request is answered 404, the same for every wrong path, and after
`MAX_WRONG_TRIES` of them in a row the server stops (someone may be guessing). Behind the token:

    GET  /TOKEN/         the day's page (counts as `today`)
    POST /TOKEN/done     the day's form: `done`
    POST /TOKEN/amend    the entry changed: `amend`
    POST /TOKEN/code     a check-in's code: `today --code`

Forms are read (see `form`) before the page's lock is taken; the core then runs one request
at a time, so the journal sees one writer (the list's lock guards it from other commands).
Every response says not to cache it, and carries the page's Content-Security-Policy. At
most `MAX_CLIENTS` requests are served at once; one that stalls is dropped after `TIMEOUT`
seconds. Stopping waits for the request being recorded, and removes uploads left half read.
"""

from __future__ import annotations

import contextlib
import hmac
import secrets
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
from dailylist.phone.form import FormRefused, read_form

TOKEN_BYTES = 20
MAX_WRONG_TRIES = 10
MAX_CLIENTS = 16
TIMEOUT = 60
#: What browsers ask for by themselves: answered 404, not counted as a wrong try.
_BROWSER_ASKS = frozenset(("/favicon.ico", "/robots.txt"))


def _asked_by_browser(path: str) -> bool:
    """What browsers ask for by themselves (iPhones: /apple-touch-icon-120x120.png...)."""
    return path in _BROWSER_ASKS or (
        path.startswith("/apple-touch-icon") and path.endswith(".png") and path.count("/") == 1
    )


_FORMS = ("done", "amend", "code")


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
    """The page's server, bound to `host` (one address) and `port` (0: any free one)."""

    daemon_threads = True

    def __init__(
        self,
        phone: Phone,
        host: str,
        port: int,
        *,
        once: bool = False,
        token: str | None = None,
        report: Callable[[str], None] = lambda line: None,
        day_is_done: Callable[[], bool] = lambda: False,
    ) -> None:
        self.phone = phone
        self.once = once
        #: With `once`: whether the day was done elsewhere (`dailylist done` meanwhile).
        self.day_is_done = day_is_done
        self._looked_at = 0.0
        self.report = report
        self.token = token or secrets.token_urlsafe(TOKEN_BYTES)
        #: Why the server stopped by itself (None: it was stopped, or the day was done).
        self.stopped_because: str | None = None
        self.day_done = False
        self._wrong_tries = 0
        self._count_lock = threading.Lock()
        self._page_lock = threading.Lock()
        self._closing = False
        self._slots = threading.BoundedSemaphore(MAX_CLIENTS)
        self._uploads: set[Path] = set()
        if ":" in host:
            self.address_family = socket.AF_INET6
        super().__init__((host, port), _Handler)

    def server_bind(self) -> None:
        # HTTPServer's own looks the host's name up in DNS, which can take seconds.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)

    @property
    def url(self) -> str:
        host = self.server_name
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{self.server_port}/{self.token}/"

    def token_matches(self, given: str) -> bool:
        return hmac.compare_digest(given.encode("utf-8", "replace"), self.token.encode())

    def right_try(self) -> None:
        """A request with the token: whoever sent wrong ones before is not guessing alone
        (a page reloaded among stray requests), so the count starts again."""
        with self._count_lock:
            self._wrong_tries = 0

    def wrong_try(self) -> str | None:
        """Count a request for a wrong address; the reason to stop, once there were too
        many in a row (the caller stops once it has answered)."""
        with self._count_lock:
            self._wrong_tries += 1
            if self._wrong_tries < MAX_WRONG_TRIES:
                return None
        return (
            f"stopped after {MAX_WRONG_TRIES} requests in a row for a wrong address: someone "
            "on the network may be guessing it. Run `dailylist phone` again for a new address"
        )

    def stop_soon(self, reason: str | None) -> None:
        """Stop serving (from a request's thread: `shutdown` waits for the serving loop)."""
        if reason is not None and self.stopped_because is None:
            self.stopped_because = reason
        threading.Thread(target=self.shutdown, daemon=True).start()

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
            self.stop_soon(None)

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

    def take_slot(self) -> bool:
        return self._slots.acquire(blocking=False)

    def free_slot(self) -> None:
        self._slots.release()

    def handle_error(self, request: object, client_address: object) -> None:
        error = sys.exc_info()[1]
        if isinstance(error, (ConnectionError, TimeoutError)):
            return  # the phone went away mid-request: nothing to say
        self.report(f"a request failed: {error!r}")


def _plain(status: int, text: str) -> Reply:
    return Reply(status, pages.document("dailylist", [pages.paragraph(text)]))


class _Handler(BaseHTTPRequestHandler):
    server: PhoneServer
    server_version = "dailylist"
    sys_version = ""
    timeout = TIMEOUT

    #: Why the server stops once this request is answered (a wrong address too many).
    stop_after: str | None = None

    def version_string(self) -> str:
        return "dailylist"

    def log_message(self, format: str, *args: object) -> None:
        """Nothing per request: its path holds the token."""

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
        """Malformed requests get a bare page with the usual headers, and no details."""
        self.close_connection = True
        self._send(_plain(code, "That request was not understood."))

    def _serve(self, method: str) -> None:
        if not self.server.take_slot():
            self._send(_plain(503, "Busy: try again in a moment."))
            return
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
            self.server.free_slot()
            # Whether or not the answer reached the phone: what was recorded, was.
            if reply is not None and reply.day_done:
                self.server.day_done = True
                if self.server.once:
                    self.server.stop_soon(None)
            if self.stop_after is not None:
                self.server.stop_soon(self.stop_after)

    def _route(self, method: str) -> Reply:
        url = urlsplit(self.path)
        token, slash, rest = url.path.removeprefix("/").partition("/")
        if not url.path.startswith("/") or not self.server.token_matches(token):
            if not _asked_by_browser(url.path):
                self.stop_after = self.server.wrong_try()
            return _plain(404, "Not found.")
        self.server.right_try()
        if not slash:
            return Reply(303, location=f"/{token}/")
        if method in ("GET", "HEAD") and rest == "":
            query = parse_qs(url.query)
            said = SAID.get(query.get("said", [""])[0])
            number = query.get("day", [""])[0]
            said_day = int(number) if number.isdigit() and len(number) < 7 else None
            return self.server.run(lambda phone: phone.page(said=said, said_day=said_day))
        if rest not in _FORMS:
            return _plain(404, "Not found.")
        if method == "GET":
            return Reply(303, location="./")  # a form's address reloaded: back to the page
        if method != "POST":
            return _plain(405, "Not allowed.")
        return self._form(rest)

    def _form(self, action: str) -> Reply:
        staging = self.server.phone.data.list_files(self.server.phone.list_id).photos
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
        self.send_response(reply.status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
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

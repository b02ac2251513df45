"""Who may connect to the phone's page, decided where connections are accepted.

The page runs a thread for each connection, so connections are capped before a thread is
started: at most `MAX_CONNECTIONS` at once, and at most `MAX_PER_ADDRESS` from one address,
so that one client cannot take every place while the owner's phone still gets in. When
every place is taken, a connection that is still waiting for its request, of the address
holding the most, is dropped to make room (a request's line and headers have a deadline
anyway: see `server`).

An address that asks for `MAX_WRONG_TRIES` wrong addresses (wrong token, wrong Host,
nonsense) is turned away at once for a while: a minute the first time, twice as long each
time after, at most an hour. Wrong requests never stop the page.

What the gate does is said in the terminal through `say`, naming the address, at most once
a minute for each address (how many were turned away meanwhile is added up). Time is
`time.monotonic` unless a test passes its own.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from dailylist.domain import counted

MAX_CONNECTIONS = 64
MAX_PER_ADDRESS = 16
MAX_WRONG_TRIES = 10
#: Wrong tries further apart than this are not counted together.
WRONG_TRIES_WINDOW = 600.0
FIRST_BLOCK_SECONDS = 60.0
LONGEST_BLOCK_SECONDS = 3600.0
#: The terminal hears of one address at most once in this many seconds.
NOTICE_SECONDS = 60.0
#: Addresses remembered (wrong tries, blocks, notices); the least recent are forgotten.
REMEMBERED = 4096


@dataclass(eq=False)
class Connection:
    """One accepted connection: where from, and whether its request has arrived yet."""

    address: str
    socket: socket.socket
    waiting: bool = True
    counted: bool = True

    def drop(self) -> None:
        """End the connection from another thread: its reads see the end at once."""
        with contextlib.suppress(OSError):
            self.socket.shutdown(socket.SHUT_RDWR)


@dataclass
class _Address:
    """What the gate remembers of one address."""

    wrong: int = 0
    last_wrong: float = float("-inf")
    blocks: int = 0
    blocked_until: float = float("-inf")
    said_at: float = float("-inf")
    unsaid: int = 0


class Gate:
    """The connections open, by address, and what each address did."""

    def __init__(
        self,
        say: Callable[[str], object] = lambda line: None,
        *,
        now: Callable[[], float] = time.monotonic,
        most: int = MAX_CONNECTIONS,
        per_address: int = MAX_PER_ADDRESS,
    ) -> None:
        self.say = say
        self.now = now
        self.most = most
        self.per_address = per_address
        self._open: dict[str, list[Connection]] = {}
        self._count = 0
        self._known: OrderedDict[str, _Address] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def count(self) -> int:
        """Connections open now (those dropped to make room no longer count)."""
        return self._count

    def admit(self, address: str, sock: socket.socket) -> Connection | None:
        """The connection just accepted from `address`, or None when it is to be closed at
        once (the caller closes it)."""
        lines: list[str] = []
        with self._lock:
            connection = self._admit(address, sock, lines)
        for line in lines:
            self.say(line)
        return connection

    def serving(self, connection: Connection) -> None:
        """Its request has arrived: it is no longer dropped to make room."""
        connection.waiting = False

    def release(self, connection: Connection) -> None:
        """The connection is closed."""
        with self._lock:
            self._forget(connection)

    def wrong_try(self, address: str) -> None:
        """A request from `address` for a wrong address: enough of them, and the address is
        turned away for a while."""
        with self._lock:
            now = self.now()
            known = self._remember(address)
            if now - known.last_wrong > WRONG_TRIES_WINDOW:
                known.wrong = 0
            known.wrong += 1
            known.last_wrong = now
            if known.wrong < MAX_WRONG_TRIES:
                return
            seconds = min(FIRST_BLOCK_SECONDS * 2**known.blocks, LONGEST_BLOCK_SECONDS)
            known.blocks += 1
            known.blocked_until = now + seconds
            known.wrong = 0
            since = f"; {known.unsaid} of its connections turned away before" * bool(known.unsaid)
            known.said_at, known.unsaid = now, 0
        self.say(
            f"{address} asked for {MAX_WRONG_TRIES} wrong addresses: it is turned away for "
            f"{_duration(seconds)} (someone may be guessing the page's address; the page "
            f"goes on){since}"
        )

    def right_try(self, address: str) -> None:
        """A request with the token from `address`: its wrong tries start again."""
        with self._lock:
            known = self._known.get(address)
            if known is not None:
                known.wrong = 0

    # --- under the lock ----------------------------------------------------------------------

    def _admit(self, address: str, sock: socket.socket, lines: list[str]) -> Connection | None:
        known = self._remember(address)
        holding = len(self._open.get(address, ()))
        if known.blocked_until > self.now():
            known.unsaid += 1
            return None
        if holding >= self.per_address:
            self._notice(
                lines,
                address,
                f"{address} holds {holding} connections to the page at once; its new ones are "
                "turned away",
            )
            return None
        if self._count >= self.most:
            victim = self._idlest(holding)
            if victim is None:
                self._notice(
                    lines,
                    address,
                    f"the page holds {self._count} connections at once; new ones, like "
                    f"{address}'s, are turned away",
                )
                return None
            held = len(self._open[victim.address])
            self._forget(victim)
            victim.drop()
            self._notice(
                lines,
                victim.address,
                f"the page is full: idle connections of {victim.address} (it holds {held}) "
                "are dropped to let others in",
            )
        connection = Connection(address, sock)
        self._open.setdefault(address, []).append(connection)
        self._count += 1
        return connection

    def _remember(self, address: str) -> _Address:
        known = self._known.get(address)
        if known is None:
            known = self._known[address] = _Address()
            while len(self._known) > REMEMBERED:
                self._known.popitem(last=False)
        else:
            self._known.move_to_end(address)
        return known

    def _forget(self, connection: Connection) -> None:
        if not connection.counted:
            return
        connection.counted = False
        self._count -= 1
        mine = self._open.get(connection.address, [])
        with contextlib.suppress(ValueError):
            mine.remove(connection)
        if not mine:
            self._open.pop(connection.address, None)

    def _idlest(self, holding: int) -> Connection | None:
        """The connection to drop for a newcomer whose address holds `holding`: the oldest
        one still waiting for its request, of the address holding the most (more than the
        newcomer's would then), or None."""
        for _, mine in sorted(self._open.items(), key=lambda pair: -len(pair[1])):
            if len(mine) <= holding + 1:
                return None
            waiting = next((c for c in mine if c.waiting), None)
            if waiting is not None:
                return waiting
        return None

    def _notice(self, lines: list[str], address: str, text: str) -> None:
        """Say `text` about `address` unless it was spoken of less than a minute ago."""
        known, now = self._remember(address), self.now()
        if now - known.said_at < NOTICE_SECONDS:
            known.unsaid += 1
            return
        if known.unsaid:
            text += f" ({known.unsaid} more since the last notice)"
        known.said_at, known.unsaid = now, 0
        lines.append(text)


def _duration(seconds: float) -> str:
    minutes = round(seconds / 60)
    return counted(minutes, "minute")

"""The phone's page kept at one address, and kept up as a service.

With `--keep`, the page's token and port are kept in the data dir (`phone/LIST.json`, 0600),
so the address a phone bookmarked (or put on its home screen) works every day; `--new-token`
makes a new token, and every old bookmark stops working. With `--service`, a systemd user
unit runs `dailylist phone --keep` whenever the computer is up.
"""

from __future__ import annotations

import os
import secrets
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path

from dailylist import limits, services
from dailylist.codec import decode, encode
from dailylist.errors import BadInput
from dailylist.home import HOME_ENV
from dailylist.store import DataDir, write_atomic

#: Bytes of randomness in a page's token (160 bits).
TOKEN_BYTES = 20


@dataclass(frozen=True, kw_only=True)
class KeptAddress:
    """What a kept page's address is made of, besides this computer's network address."""

    token: str
    port: int

    def __post_init__(self) -> None:
        if len(self.token) < 20 or not self.token.replace("-", "").replace("_", "").isalnum():
            raise ValueError("token: not one dailylist makes")
        if not 1 <= self.port <= 65535:
            raise ValueError("port: not a port")


def _path(data: DataDir, list_id: str) -> Path:
    return data.root / "phone" / f"{list_id}.json"


def kept(data: DataDir, list_id: str) -> KeptAddress | None:
    """The address kept for list `list_id`, if one is (and whole)."""
    import json

    try:
        raw = limits.read_file(_path(data, list_id), limits.SMALL)
        return decode(KeptAddress, json.loads(raw))
    except (OSError, ValueError, RecursionError):
        return None


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def keep(data: DataDir, list_id: str, address: KeptAddress) -> None:
    """Keep `address` for list `list_id` (0600, in a private folder)."""
    import json

    write_atomic(_path(data, list_id), json.dumps(encode(address)).encode() + b"\n")


#: The first line of every unit file `phone --service --install` writes.
UNIT_MARK = "# Written by `dailylist phone --service --install`; `--uninstall` removes it.\n"


def unit_name(list_name: str) -> str:
    return f"dailylist-phone-{list_name}.service"


def service_unit(list_name: str, host: str | None, port: int) -> str:
    """A systemd user unit that keeps the page of list `list_name` up whenever the computer
    is: `dailylist phone --keep`, started again should it stop."""
    parts = [sys.executable, "-m", "dailylist", "phone", "--keep", "--list", list_name]
    if host is not None:
        parts += ["--host", host]
    if port:
        parts += ["--port", str(port)]
    home = os.environ.get(HOME_ENV)
    for part in (*parts, home or ""):
        if any(ord(char) < 0x20 or ord(char) == 0x7F for char in part):
            raise BadInput(f"{part!r} holds a control character; systemd cannot run it")
    command = shlex.join(parts)
    if home:
        command = f"{HOME_ENV}={shlex.quote(home)} {command}"
    return (
        f"{UNIT_MARK}"
        "[Unit]\n"
        f"Description=dailylist: the phone's page of {list_name}\n"
        "After=network-online.target\n"
        "Wants=network-online.target\n\n"
        "[Service]\n"
        f"ExecStart=/usr/bin/env {services.systemd_command(command)}\n"
        "Restart=on-failure\n"
        "RestartSec=30\n\n"
        "[Install]\n"
        "WantedBy=default.target\n"
    )


def install_service(list_name: str, host: str | None, port: int) -> services.UnitChange:
    name = unit_name(list_name)
    unit = service_unit(list_name, host, port)
    return services.install_units({name: unit}, mark=UNIT_MARK, enable=name)


def uninstall_service(list_name: str) -> services.UnitChange:
    name = unit_name(list_name)
    return services.uninstall_units((name,), mark=UNIT_MARK, enable=name)

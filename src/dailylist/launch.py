"""The `dailylist` command's entry point: the shell prompt's question answered before click loads.

`dailylist prompt` runs on every shell prompt, so its plain forms (`prompt`, `prompt --list
NAME`) are answered from the list's snapshot with the standard library alone. Every other
command, and any prompt the snapshot cannot settle (no fresh snapshot, a clock that reads
too early, no list open), goes to the click application in `cli`, which gives the same
answer the long way, or says what is wrong.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # `typing` alone costs the prompt several milliseconds to import
if TYPE_CHECKING:
    from collections.abc import Sequence


def main() -> None:
    """Entry point of the `dailylist` script."""
    line = quick_prompt(sys.argv[1:])
    if line is None:
        from dailylist.cli import main as full

        full()
        return
    try:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()
    except BrokenPipeError:  # the reader has gone (`dailylist prompt | true`): nothing to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)


def prompt_list(args: Sequence[str]) -> tuple[bool, str | None]:
    """Whether `args` is a plain `prompt` call, and the list it names, if any."""
    match list(args):
        case ["prompt"]:
            return True, None
        case ["prompt", "--list", name] if name and not name.startswith("-"):
            return True, name
        case ["prompt", option] if option.startswith("--list=") and len(option) > 7:
            return True, option.removeprefix("--list=")
    return False, None


def quick_prompt(args: Sequence[str]) -> str | None:
    """The prompt's line for `args` from a fresh snapshot, or None to take the full path."""
    plain, wanted = prompt_list(args)
    if not plain:
        return None
    from dailylist.clock import SystemClock, zone_name
    from dailylist.days import in_range
    from dailylist.home import LISTS, data_home
    from dailylist.picking import pick
    from dailylist.snapshot import prompt_line, read_fresh
    from dailylist.terminal import safe

    try:
        root = data_home()
        info = os.stat(root)
        if info.st_uid != os.geteuid() or info.st_mode & 0o022:
            return None  # a data dir others can change: the long way refuses it
        found = read_fresh(os.path.join(root, LISTS, pick(root, wanted)))
        now = SystemClock().now()
        if found is None or not in_range(now):
            return None
        line = prompt_line(found, now, zone_name(now))
        return None if line is None else safe(line)
    except Exception:  # no list, a snapshot we can't read: the long way says what is wrong
        return None
